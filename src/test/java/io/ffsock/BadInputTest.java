package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.SocketKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad arguments are rejected before any system call with a message that says what is wrong; failed
 * system calls give the JDK's exception type with a message naming call, address and errno.
 */
@ExtendWith(FdLeakCheck.class)
class BadInputTest {

    private static <T extends Throwable> T assertThrowsWith(Class<T> type, String messagePart, Executable op) {
        T e = assertThrows(type, op);
        assertNotNull(e.getMessage(), "message of " + e);
        assertTrue(e.getMessage().contains(messagePart), "'" + e.getMessage() + "' should contain '" + messagePart + "'");
        return e;
    }

    // ---- addresses ---------------------------------------------------------------------------------

    @Test
    void unixPathsThatCannotFitOrHoldANulAreRejected() {
        String p108 = "/" + "p".repeat(107);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnixAddress.path(p108));
        assertEquals("AF_UNIX path is 108 bytes, sun_path holds at most 107: " + p108, e.getMessage());
        // bytes, not chars: 54 two-byte characters are 108 bytes
        assertThrowsWith(IllegalArgumentException.class, "108 bytes", () -> UnixAddress.path("é".repeat(54)));
        assertThrowsWith(IllegalArgumentException.class, "108 bytes", () -> UnixAddress.path(Path.of(p108)));
        assertThrowsWith(IllegalArgumentException.class, "108 bytes", () -> UnixAddress.parse(p108));
        assertThrowsWith(IllegalArgumentException.class, "108 bytes",
                () -> UnixAddress.of(java.net.UnixDomainSocketAddress.of(p108)));

        e = assertThrows(IllegalArgumentException.class, () -> UnixAddress.path("/tmp/a\0b"));
        assertEquals("AF_UNIX path holds a NUL byte: /tmp/a\\x00b", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> UnixAddress.path(""));
        assertEquals("empty AF_UNIX path", e.getMessage());

        String a108 = "a".repeat(108);
        e = assertThrows(IllegalArgumentException.class, () -> UnixAddress.abstractName(a108));
        assertEquals("AF_UNIX abstract name is 108 bytes, sun_path holds at most 107 after the leading NUL", e.getMessage());
        assertThrowsWith(IllegalArgumentException.class, "108 bytes", () -> UnixAddress.abstractName(new byte[108]));
        assertThrowsWith(IllegalArgumentException.class, "108 bytes", () -> UnixAddress.parse("@" + a108));

        assertThrowsWith(NullPointerException.class, "path", () -> UnixAddress.path((String) null));
        assertThrowsWith(NullPointerException.class, "name", () -> UnixAddress.abstractName((String) null));
    }

    @Test
    void anAddressOfTheWrongFamilyNamesBothFamilies() throws Exception {
        try (Socket unix = Socket.open(Family.UNIX, SocketType.DGRAM);
             Socket inet = Socket.open(Family.INET, SocketType.DGRAM);
             Socket inet6 = Socket.open(Family.INET6, SocketType.DGRAM)) {
            InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9);
            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 9);
            UnixAddress u = UnixAddress.abstractName("x");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> unix.bind(v4));
            assertTrue(e.getMessage().startsWith("bind: AF_INET address "), e.getMessage());
            assertTrue(e.getMessage().endsWith(" given to an AF_UNIX socket"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> unix.connect(v6));
            assertTrue(e.getMessage().startsWith("connect: AF_INET6 address "), e.getMessage());
            assertTrue(e.getMessage().endsWith(" given to an AF_UNIX socket"), e.getMessage());

            e = assertThrows(IllegalArgumentException.class, () -> inet.sendTo(new byte[1], u));
            assertEquals("sendto: AF_UNIX address @x given to an AF_INET socket", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> inet6.connect(u));
            assertEquals("connect: AF_UNIX address @x given to an AF_INET6 socket", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> inet.bind(java.net.UnixDomainSocketAddress.of("/tmp/x")));
            assertEquals("bind: AF_UNIX address /tmp/x given to an AF_INET socket", e.getMessage());

            e = assertThrows(IllegalArgumentException.class, () -> inet.connect(v6));
            assertTrue(e.getMessage().startsWith("connect: IPv6 address "), e.getMessage());
            assertTrue(e.getMessage().endsWith(" given to an AF_INET socket"), e.getMessage());

            // an IPv4 address on an AF_INET6 socket is fine: it becomes v4-mapped, as in the JDK
            inet6.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            // and comes back as the Inet4Address 127.0.0.1, as the JDK's own sockets report it
            assertEquals(InetAddress.getByName("127.0.0.1"), ((InetSocketAddress) inet6.localAddress()).getAddress());
            assertInstanceOf(java.net.Inet4Address.class, ((InetSocketAddress) inet6.localAddress()).getAddress());

            e = assertThrows(IllegalArgumentException.class,
                    () -> inet.connect(InetSocketAddress.createUnresolved("nowhere.invalid", 80)));
            assertEquals("connect: unresolved address nowhere.invalid:80", e.getMessage());

            e = assertThrows(IllegalArgumentException.class, () -> inet.bind(new java.net.SocketAddress() {}));
            assertTrue(e.getMessage().startsWith("bind: unsupported address type "), e.getMessage());

            NullPointerException n = assertThrows(NullPointerException.class, () -> inet.bind(null));
            assertEquals("bind: address is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.connect(null));
            assertEquals("connect: address is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.connectEx(null));
            assertEquals("connect: address is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.sendTo(new byte[1], null));
            assertEquals("sendto: address is null", n.getMessage());

            // a null buffer is named with its call, before any system call
            n = assertThrows(NullPointerException.class, () -> inet.send((byte[]) null));
            assertEquals("send: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.send((java.nio.ByteBuffer) null));
            assertEquals("send: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.send((java.lang.foreign.MemorySegment) null));
            assertEquals("send: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.sendTo((byte[]) null, new InetSocketAddress("127.0.0.1", 9)));
            assertEquals("sendto: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.sendAll((byte[]) null));
            assertEquals("sendall: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.recv((byte[]) null));
            assertEquals("recv: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.recv((java.nio.ByteBuffer) null));
            assertEquals("recv: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.recvFrom((java.lang.foreign.MemorySegment) null));
            assertEquals("recvfrom: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.recvFrom(null, 0, 1));
            assertEquals("recvfrom: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class,
                    () -> inet.sendMsg(java.util.Arrays.asList((java.nio.ByteBuffer) null), java.util.List.of(), java.util.Set.of(), null));
            assertEquals("sendmsg: buffer is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> inet.recvMsg(java.util.Arrays.asList((java.nio.ByteBuffer) null), 0, java.util.Set.of()));
            assertEquals("recvmsg: buffer is null", n.getMessage());

            // nothing reached the kernel: the sockets are as they were
            assertEquals(UnixAddress.unnamed(), unix.localAddress());
            assertEquals(0, ((InetSocketAddress) inet.localAddress()).getPort());
        }
    }

    // ---- arguments -----------------------------------------------------------------------------------

    @Test
    void negativeBacklogAndTimeoutAreRejected() throws Exception {
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.listen(-1));
            assertEquals("listen: negative backlog -1", e.getMessage());
            assertFalse(s.getOption(LinuxSocketOptions.SO_ACCEPTCONN), "listen never reached the kernel");
            e = assertThrows(IllegalArgumentException.class, () -> s.setTimeout(Duration.ofSeconds(-1)));
            assertEquals("negative timeout PT-1S", e.getMessage());
            assertThrowsWith(IllegalArgumentException.class, "negative length -1", () -> s.recv(-1));
            assertThrowsWith(IllegalArgumentException.class, "negative length -1", () -> s.recvFrom(-1));
        }
    }

    @Test
    void slicesOutsideTheArrayAreIndexOutOfBounds() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
            Socket s = p.first();
            byte[] b = new byte[8];
            UnixAddress to = UnixAddress.abstractName("nobody");
            Executable[] bad = {
                () -> s.send(b, -1, 2),
                () -> s.send(b, 0, -1),
                () -> s.send(b, 4, 5),
                () -> s.send(b, Integer.MAX_VALUE, 2),
                () -> s.send(b, 2, Integer.MAX_VALUE),
                () -> s.send(b, 2, 7, Set.of()),
                () -> s.sendTo(b, 6, 3, to),
                () -> s.sendTo(b, -3, 1, Set.of(), to),
                () -> s.sendAll(b, 1, 8),
                () -> s.recv(b, -1, 2),
                () -> s.recv(b, 0, 9),
                () -> s.recv(b, 8, 1),
                () -> s.recv(b, 1, Integer.MAX_VALUE, Set.of()),
                () -> s.recvFrom(b, 5, 4),
                () -> s.recvFrom(b, -1, 0, Set.of()),
            };
            for (Executable op : bad) {
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, op);
                assertTrue(e.getMessage().contains("out of bounds for length 8"), e.getMessage());
            }
            // an empty slice at the very end is fine
            assertEquals(0, s.send(b, 8, 0));
            assertEquals(0, p.second().recv(b, 8, 0));
        }
    }

    @Test
    void readOnlyBuffersCannotReceive() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.DGRAM); Arena arena = Arena.ofConfined()) {
            Socket s = p.second();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.recv(ByteBuffer.allocate(8).asReadOnlyBuffer()));
            assertEquals("recv: read-only buffer", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> s.recv(ByteBuffer.allocateDirect(8).asReadOnlyBuffer(), Set.of(MsgFlag.PEEK)));
            assertEquals("recv: read-only buffer", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.recvFrom(ByteBuffer.allocate(8).asReadOnlyBuffer()));
            assertEquals("recvfrom: read-only buffer", e.getMessage());
            MemorySegment ro = arena.allocate(8).asReadOnly();
            e = assertThrows(IllegalArgumentException.class, () -> s.recv(ro));
            assertEquals("recv: read-only segment", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.recvFrom(ro));
            assertEquals("recvfrom: read-only segment", e.getMessage());
            // a message was waiting all along and is still there
            p.first().send(new byte[] {1});
            assertArrayEquals(new byte[] {1}, s.recv(8));
            // sending from a read-only buffer is fine
            assertEquals(2, p.first().send(ByteBuffer.wrap(new byte[] {4, 5}).asReadOnlyBuffer()));
            assertArrayEquals(new byte[] {4, 5}, s.recv(8));
        }
    }

    // ---- failed system calls -------------------------------------------------------------------------

    @Test
    void connectToAMissingPathIsConnectExceptionWithEnoent(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("gone.sock");
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            ConnectException e = assertThrows(ConnectException.class, () -> s.connect(UnixAddress.path(missing)));
            assertEquals("connect(" + missing + "): ENOENT (No such file or directory)", e.getMessage());
            SyscallError se = assertInstanceOf(SyscallError.class, e);
            assertEquals(2, se.errno().value());
            assertEquals("connect", se.call());
            assertEquals("ENOENT", se.errno().toString());
        }
    }

    @Test
    void bindToAnExistingPathIsBindExceptionWithEaddrinuse(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("taken.sock");
        try (Socket first = Socket.open(Family.UNIX, SocketType.STREAM)) {
            first.bind(UnixAddress.path(p));
        }
        // the file outlives its socket: a second bind fails
        try (Socket second = Socket.open(Family.UNIX, SocketType.STREAM)) {
            BindException e = assertThrows(BindException.class, () -> second.bind(UnixAddress.path(p)));
            assertEquals("bind(" + p + "): EADDRINUSE (Address already in use)", e.getMessage());
            assertEquals(98, ((SyscallError) e).errno().value());
        }
        // a directory that does not exist is ENOENT, still a BindException? no: bind maps only address errors
        try (Socket third = Socket.open(Family.UNIX, SocketType.STREAM)) {
            Path nowhere = dir.resolve("no/such/dir.sock");
            SyscallException e = assertThrows(SyscallException.class, () -> third.bind(UnixAddress.path(nowhere)));
            assertEquals("bind(" + nowhere + "): ENOENT (No such file or directory)", e.getMessage());
        }
    }

    @Test
    void bindToATakenTcpPortIsEaddrinuse() throws Exception {
        try (Socket a = Socket.open(Family.INET, SocketType.STREAM); Socket b = Socket.open(Family.INET, SocketType.STREAM)) {
            a.bind(SocketKind.TCP4.bindAddress());
            a.listen();
            BindException e = assertThrows(BindException.class, () -> b.bind(a.localAddress()));
            assertEquals("bind(" + SocketKind.printed(a.localAddress()) + "): EADDRINUSE (Address already in use)", e.getMessage());
            // an address this host does not have
            try (Socket c = Socket.open(Family.INET, SocketType.DGRAM)) {
                BindException n = assertThrows(BindException.class,
                        () -> c.bind(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0)));
                assertEquals(99, ((SyscallError) n).errno().value()); // EADDRNOTAVAIL
            }
        }
    }

    @Test
    void tcpConnectRefusedIsConnectException() throws Exception {
        try (Socket holder = Socket.open(Family.INET6, SocketType.STREAM); Socket c = Socket.open(Family.INET6, SocketType.STREAM)) {
            holder.bind(SocketKind.TCP6.bindAddress());
            ConnectException e = assertThrows(ConnectException.class, () -> c.connect(holder.localAddress()));
            assertEquals("connect(" + SocketKind.printed(holder.localAddress()) + "): ECONNREFUSED (Connection refused)", e.getMessage());
            assertEquals(111, ((SyscallError) e).errno().value());
        }
    }

    @Test
    void udpToAClosedPortGivesPortUnreachableOnTheNextCall() throws Exception {
        for (SocketKind kind : new SocketKind[] {SocketKind.UDP4, SocketKind.UDP6}) {
            InetSocketAddress closedPort;
            try (Socket probe = kind.open()) {
                probe.bind(kind.bindAddress());
                closedPort = (InetSocketAddress) probe.localAddress();
            } // now nobody listens there
            try (Socket s = kind.open()) {
                s.connect(closedPort);
                s.setTimeout(Duration.ofSeconds(5));
                assertEquals(3, s.send(new byte[] {1, 2, 3}));
                // the ICMP port unreachable arrives as ECONNREFUSED on the connected socket
                PortUnreachableException e = assertThrows(PortUnreachableException.class, () -> s.recv(new byte[8]));
                assertEquals(111, ((SyscallError) e).errno().value(), kind.toString());
                assertEquals("recv(" + SocketKind.printed(closedPort) + "): ECONNREFUSED (Connection refused)", e.getMessage());
            }
        }
    }

    // ---- SIGPIPE -------------------------------------------------------------------------------------

    @Test
    void sendToAStreamWhosePeerClosedIsEpipeNotSigpipe() throws Exception {
        for (SocketType type : new SocketType[] {SocketType.STREAM, SocketType.SEQPACKET}) {
            SocketPair p = Socket.pair(type);
            try (Socket s = p.first()) {
                p.second().close();
                SyscallException e = assertThrows(SyscallException.class, () -> s.send(new byte[] {1}));
                assertEquals(32, e.errno().value());
                assertTrue(e.getMessage().matches("send\\(fd \\d+\\): EPIPE \\(Broken pipe\\)"), e.getMessage());
                SendAllException all = assertThrows(SendAllException.class, () -> s.sendAll(new byte[100]));
                assertEquals(32, all.errno().value());
                assertEquals(0, all.bytesSent());
                assertEquals(100, all.bytesTotal());
                assertTrue(all.getMessage().endsWith(" after 0 of 100 bytes were sent"), all.getMessage());
                // MSG_NOSIGNAL is on every send, whatever flags the caller gave
                assertThrows(SyscallException.class, () -> s.send(new byte[1], 0, 1, Set.of(MsgFlag.DONTWAIT)));
                assertThrows(SyscallException.class, () -> s.send(ByteBuffer.allocateDirect(4)));
            }
        }
        // still alive: SIGPIPE would have ended the JVM
    }

    @Test
    void sendToATcpPeerThatClosedEndsInEpipeOrEconnreset() throws Exception {
        try (SocketKind.Connected c = SocketKind.TCP4.connected()) {
            c.server().close();
            SyscallException last = null;
            for (int i = 0; i < 100 && last == null; i++) {
                try {
                    c.client().send(new byte[1000]);
                    Thread.sleep(10); // the peer's RST needs a moment
                } catch (SyscallException e) {
                    last = e;
                }
            }
            assertNotNull(last, "sending to a closed peer never failed");
            int errno = last.errno().value();
            assertTrue(errno == 32 || errno == 104, last.getMessage());
            // after the reset, the next send is EPIPE
            SyscallException e = assertThrows(SyscallException.class, () -> c.client().send(new byte[1]));
            assertEquals(32, e.errno().value(), e.getMessage());
        }
    }
}
