package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Socket#bind(UnixAddress, Set, boolean)}: a pathname socket with a file mode and no
 * window with a wider one; an existing file replaced only when it is a stale socket and the
 * caller asked; a live socket never.
 */
@ExtendWith(FdLeakCheck.class)
class SecureBindTest {
    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("ffsock-bind-");
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> left = files.toList();
            for (Path p : left) Files.delete(p);
            // Nothing but the sockets the test made: the private directories are gone.
            assertTrue(left.stream().noneMatch(p -> p.getFileName().toString().startsWith(".ffsock-")), "left: " + left);
        }
        Files.delete(dir);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static long inode(Path p) throws IOException {
        return (Long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-------", "rw-rw----", "rwxrwxrwx", "---------"})
    void theSocketFileHasTheModeAsked(String perms) throws Exception {
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString(perms);
        Path path = dir.resolve("s.sock");
        UnixAddress address = UnixAddress.path(path);
        try (Socket server = Socket.open(Family.UNIX, SocketType.STREAM)) {
            server.bind(address, mode);
            assertEquals(mode, Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
            assertEquals(0140000, mode(path) & 0170000, "a socket file");
            assertEquals(address, server.localAddress());
            server.listen();
            try (Socket client = Socket.open(Family.UNIX, SocketType.STREAM)) {
                client.connect(address);
                assertEquals(address, client.remoteAddress(), "the peer sees the true name (getpeername)");
                try (Socket accepted = server.accept()) {
                    assertEquals(address, accepted.localAddress());
                    client.send(new byte[] {42});
                    assertEquals(42, accepted.recv(1)[0]);
                }
            }
        }
    }

    @Test
    void aDatagramSocketToo() throws Exception {
        Path path = dir.resolve("d.sock");
        try (Socket server = Socket.open(Family.UNIX, SocketType.DGRAM);
                Socket client = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            server.bind(UnixAddress.path(path), PosixFilePermissions.fromString("rw-rw----"));
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            client.sendTo(new byte[] {7}, UnixAddress.path(path));
            assertEquals(7, server.recv(1)[0]);
        }
    }

    /**
     * A watcher stats the final path as fast as it can while sockets are bound there with mode
     * 0600 and removed again, 300 times: it must see the file (else the check proves nothing) and
     * never with another mode. The same watcher on bind-then-chmod, the naive way, is reported.
     */
    @Test
    void noWindowWithAWiderModeAtTheFinalPath() throws Exception {
        Path path = dir.resolve("w.sock");
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-------");
        int secure = watch(path, () -> {
            try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
                s.bind(UnixAddress.path(path), mode);
            }
        });
        int naive = watch(path, () -> {
            try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
                s.bind(UnixAddress.path(path));
                Files.setPosixFilePermissions(path, mode);
            }
        });
        System.out.println("SecureBindTest: wider modes seen at the final path: " + secure
                + " with bind(address, mode), " + naive + " with bind then chmod");
        assertEquals(0, secure);
    }

    @FunctionalInterface
    interface Binder {
        void bind() throws Exception;
    }

    /**
     * Runs binds at {@code path} under a watcher, 300 and then on until the watcher has seen the
     * file 20 times (on a busy machine its thread may start late or lose the CPU for a while);
     * returns how often it saw a mode other than 0600.
     */
    private static int watch(Path path, Binder binder) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong seen = new AtomicLong();
        Set<String> wrong = new ConcurrentSkipListSet<>();
        AtomicLong wrongCount = new AtomicLong();
        java.util.concurrent.CountDownLatch watching = new java.util.concurrent.CountDownLatch(1);
        Thread watcher = Thread.ofPlatform().name("watcher").start(() -> {
            watching.countDown();
            while (!stop.get()) {
                try {
                    int m = mode(path) & 0777;
                    seen.incrementAndGet();
                    if (m != 0600) {
                        wrongCount.incrementAndGet();
                        wrong.add(Integer.toOctalString(m));
                    }
                } catch (NoSuchFileException absent) {
                    // not there now
                } catch (IOException e) {
                    wrong.add(e.toString());
                }
            }
        });
        try {
            watching.await();
            long end = System.nanoTime() + 30_000_000_000L;
            for (int i = 0; i < 300 || (seen.get() < 20 && System.nanoTime() < end); i++) {
                binder.bind();
                Files.delete(path);
            }
        } finally {
            stop.set(true);
            watcher.join();
        }
        assertTrue(seen.get() > 0, "the watcher never saw the socket file");
        if (!wrong.isEmpty()) System.out.println("SecureBindTest: modes seen: " + wrong);
        return (int) wrongCount.get();
    }

    @Test
    void aStaleSocketFileIsReplacedOnlyOnRequest() throws Exception {
        Path path = dir.resolve("stale.sock");
        UnixAddress address = UnixAddress.path(path);
        try (Socket old = Socket.open(Family.UNIX, SocketType.STREAM)) {
            old.bind(address);
            old.listen();
        } // closed: the file stays, nobody listens
        long staleInode = inode(path);
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-------");
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            BindException e = assertThrows(BindException.class, () -> s.bind(address, mode));
            assertEquals("bind(" + path + "): EADDRINUSE (Address already in use): the file exists (not replaced)",
                    e.getMessage());
            assertEquals("EADDRINUSE", ((SyscallError) e).errno().symbol());
            assertEquals(staleInode, inode(path));
        }
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            s.bind(address, mode, true);
            assertNotEquals(staleInode, inode(path), "replaced");
            assertEquals(mode, Files.getPosixFilePermissions(path));
            s.listen();
            try (Socket c = Socket.open(Family.UNIX, SocketType.STREAM)) {
                c.connect(address);
                // Replaced atomically from a private directory: the kernel keeps that name (documented).
                assertTrue(c.remoteAddress().toString().startsWith(dir.resolve(".ffsock-").toString()), c.remoteAddress().toString());
                s.accept().close();
            }
        }
    }

    @Test
    void aLiveSocketIsNeverReplaced() throws Exception {
        Path path = dir.resolve("live.sock");
        UnixAddress address = UnixAddress.path(path);
        for (SocketType type : List.of(SocketType.STREAM, SocketType.SEQPACKET)) {
            try (Socket live = Socket.open(Family.UNIX, type)) {
                live.bind(address);
                live.listen();
                long liveInode = inode(path);
                for (SocketType other : List.of(SocketType.STREAM, SocketType.SEQPACKET, SocketType.DGRAM)) {
                    try (Socket s = Socket.open(Family.UNIX, other)) {
                        BindException e = assertThrows(BindException.class,
                                () -> s.bind(address, PosixFilePermissions.fromString("rw-------"), true));
                        assertEquals("bind(" + path + "): EADDRINUSE (Address already in use): a socket is listening"
                                + " on it (not replaced)", e.getMessage());
                    }
                }
                assertEquals(liveInode, inode(path));
                try (Socket c = Socket.open(Family.UNIX, type)) {
                    c.connect(address);
                    live.accept().close();
                }
            }
            Files.delete(path);
        }
    }

    @Test
    void anythingButASocketIsNeverReplaced() throws Exception {
        Path file = dir.resolve("file");
        Files.writeString(file, "keep me");
        Path stale = dir.resolve("stale.sock");
        try (Socket old = Socket.open(Family.UNIX, SocketType.STREAM)) {
            old.bind(UnixAddress.path(stale));
        }
        Path link = dir.resolve("link.sock");
        Files.createSymbolicLink(link, stale);
        List<String> messages = new ArrayList<>();
        for (Path p : List.of(file, link)) {
            try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
                BindException e = assertThrows(BindException.class,
                        () -> s.bind(UnixAddress.path(p), PosixFilePermissions.fromString("rw-------"), true));
                messages.add(e.getMessage());
                assertTrue(e.getMessage().endsWith("the file exists and is not a socket (not replaced)"), e.getMessage());
            }
        }
        assertEquals("keep me", Files.readString(file));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void badArguments() throws Exception {
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-------");
        try (Socket unix = Socket.open(Family.UNIX, SocketType.STREAM);
                Socket inet = Socket.open(Family.INET, SocketType.STREAM)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> unix.bind(UnixAddress.abstractName("x"), mode));
            assertEquals("bind: a file mode needs a path address, not @x", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> inet.bind(UnixAddress.path(dir.resolve("i")), mode));
            assertTrue(e.getMessage().endsWith("given to an AF_INET socket"), e.getMessage());
            NullPointerException n = assertThrows(NullPointerException.class, () -> unix.bind(UnixAddress.path("/tmp/x"), null));
            assertEquals("bind: mode is null", n.getMessage());
            // A directory whose name leaves 3 bytes of sun_path: the socket binds there, but a
            // stale file there cannot be replaced through a private directory next to it.
            Path deep = Files.createDirectory(dir.resolve("d".repeat(104 - dir.toString().length() - 1)));
            UnixAddress deepAddress = UnixAddress.path(deep.resolve("s"));
            try (Socket first = Socket.open(Family.UNIX, SocketType.STREAM)) {
                first.bind(deepAddress, mode);
                assertEquals(mode, Files.getPosixFilePermissions(deep.resolve("s")));
            }
            try (Socket second = Socket.open(Family.UNIX, SocketType.STREAM)) {
                e = assertThrows(IllegalArgumentException.class, () -> second.bind(deepAddress, mode, true));
                assertTrue(e.getMessage().contains("needs room for the private directory"), e.getMessage());
            }
            Files.delete(deep.resolve("s"));
            Files.delete(deep);
            // bound already: the error names the address asked for, not the private one
            unix.bind(UnixAddress.path(dir.resolve("first.sock")), mode);
            IOException again = assertThrows(IOException.class, () -> unix.bind(UnixAddress.path(dir.resolve("second.sock")), mode));
            assertEquals("bind(" + dir.resolve("second.sock") + "): EINVAL (Invalid argument)", again.getMessage());
        }
    }
}
