package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.SocketKind;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AF_UNIX addresses against the kernel: abstract, autobind, unnamed, pathname, parsing. */
@ExtendWith(FdLeakCheck.class)
class UnixAddressTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void abstractNameBindsAndReadsBackEqual(int typeValue) throws Exception {
        SocketType type = new SocketType(typeValue);
        String name = "ffsock-abstract-" + ProcessHandle.current().pid() + "-" + typeValue;
        UnixAddress a = UnixAddress.abstractName(name);
        assertEquals("@" + name, a.toString());
        assertEquals(UnixAddress.Kind.ABSTRACT, a.kind());
        assertArrayEquals(name.getBytes(StandardCharsets.UTF_8), a.nameBytes());
        try (Socket s = Socket.open(Family.UNIX, type)) {
            s.bind(a);
            assertEquals(a, s.localAddress());
            assertEquals(a.hashCode(), s.localAddress().hashCode());
            assertEquals("@" + name, s.localAddress().toString());
            // the name is taken while the socket lives, and no file appears anywhere
            try (Socket t = Socket.open(Family.UNIX, type)) {
                java.net.BindException e = assertThrows(java.net.BindException.class, () -> t.bind(a));
                assertEquals("bind(@" + name + "): EADDRINUSE (Address already in use)", e.getMessage());
            }
        }
        // gone with the socket: binding it again works
        try (Socket s = Socket.open(Family.UNIX, type)) {
            s.bind(a);
            assertEquals(a, s.localAddress());
        }
    }

    @Test
    void abstractNamesAreBytesOfExactLength() throws Exception {
        byte[] withNul = {'a', 0, 'b', (byte) 0xff};
        UnixAddress a = UnixAddress.abstractName(withNul);
        assertEquals("@a\\x00b\uFFFD", a.toString());
        byte[] longest = new byte[107];
        Arrays.fill(longest, (byte) 'z');
        longest[0] = 'L';
        longest[1] = (byte) (ProcessHandle.current().pid() % 26 + 'a');
        try (Socket s = Socket.open(Family.UNIX, SocketType.DGRAM); Socket t = Socket.open(Family.UNIX, SocketType.DGRAM);
             Socket prefix = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            s.bind(a);
            assertEquals(a, s.localAddress());
            t.bind(UnixAddress.abstractName(longest));
            assertEquals(UnixAddress.abstractName(longest), t.localAddress());
            // "a" is another name than "a\0b\xff": lengths are exact, not NUL-terminated
            prefix.bind(UnixAddress.abstractName(new byte[] {'a'}));
            prefix.sendTo(new byte[] {1}, a);
            Datagram d = s.recvFrom(4);
            assertEquals(UnixAddress.abstractName(new byte[] {'a'}), d.sender());
        }
    }

    @Test
    void autobindPicksFiveHexCharactersOfAbstractName() throws Exception {
        try (Socket s = Socket.open(Family.UNIX, SocketType.DGRAM); Socket peer = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            assertEquals(UnixAddress.unnamed(), s.localAddress());
            s.bind(UnixAddress.unnamed());
            UnixAddress got = assertInstanceOf(UnixAddress.class, s.localAddress());
            assertEquals(UnixAddress.Kind.ABSTRACT, got.kind());
            String name = new String(got.nameBytes(), StandardCharsets.US_ASCII);
            assertTrue(name.matches("[0-9a-f]{5}"), "autobind name '" + name + "'");
            assertEquals("@" + name, got.toString());
            // the autobound name is a real address
            peer.sendTo(new byte[] {7}, got);
            assertArrayEquals(new byte[] {7}, s.recv(4));
            assertEquals(UnixAddress.parse("@" + name), got);
        }
    }

    @Test
    void unboundEndsAreUnnamed() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            assertEquals(UnixAddress.unnamed(), p.first().remoteAddress());
            assertEquals(UnixAddress.Kind.UNNAMED, ((UnixAddress) p.first().remoteAddress()).kind());
            assertEquals("(unnamed)", p.first().remoteAddress().toString());
        }
        try (Socket listener = Socket.open(Family.UNIX, SocketType.SEQPACKET);
             Socket client = Socket.open(Family.UNIX, SocketType.SEQPACKET)) {
            listener.bind(SocketKind.uniqueAbstractName());
            listener.listen();
            client.connect(listener.localAddress());
            try (Socket server = listener.accept()) {
                assertEquals(UnixAddress.unnamed(), server.remoteAddress());
                assertEquals(UnixAddress.unnamed(), client.localAddress());
                assertEquals(listener.localAddress(), client.remoteAddress());
            }
        }
    }

    @Test
    void pathnameSocketsBindConnectAndShowTheirFile(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("srv.sock");
        try (Socket listener = Socket.open(Family.UNIX, SocketType.STREAM);
             Socket client = Socket.open(Family.UNIX, SocketType.STREAM);
             Socket jdkClient = Socket.open(Family.UNIX, SocketType.STREAM)) {
            listener.bind(UnixAddress.path(p));
            PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class);
            assertTrue(attrs.isOther(), "a socket file is neither regular, directory nor link");
            assertEquals(UnixAddress.path(p), listener.localAddress());
            assertEquals(p, ((UnixAddress) listener.localAddress()).toPath());
            assertEquals(UnixDomainSocketAddress.of(p), ((UnixAddress) listener.localAddress()).toJdk());
            listener.listen();

            client.connect(UnixAddress.path(p.toString()));
            jdkClient.connect(UnixDomainSocketAddress.of(p)); // the JDK's address type is accepted
            try (Socket a = listener.accept(); Socket b = listener.accept()) {
                assertEquals(UnixAddress.path(p), client.remoteAddress());
                assertEquals(UnixAddress.path(p), jdkClient.remoteAddress());
                jdkClient.send(new byte[] {5});
                byte[] one = new byte[1];
                assertEquals(1, b.recv(one));
                assertEquals(5, one[0]);
                assertEquals(UnixAddress.unnamed(), a.remoteAddress());
            }
        }
    }

    @Test
    void pathOfExactly107BytesWorks(@TempDir Path dir) throws Exception {
        String prefix = dir.toString() + "/";
        String path = prefix + "s".repeat(107 - prefix.length());
        assertEquals(107, path.getBytes(StandardCharsets.UTF_8).length);
        try (Socket s = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            s.bind(UnixAddress.path(path));
            assertEquals(UnixAddress.path(path), s.localAddress());
            assertTrue(Files.exists(Path.of(path)));
        }
    }

    @Test
    void pathnameDgramSenderIsReportedByPath(@TempDir Path dir) throws Exception {
        UnixAddress srv = UnixAddress.path(dir.resolve("a"));
        UnixAddress cli = UnixAddress.path(dir.resolve("b"));
        try (Socket s = Socket.open(Family.UNIX, SocketType.DGRAM); Socket c = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            s.bind(srv);
            c.bind(cli);
            c.sendTo("hi".getBytes(StandardCharsets.US_ASCII), UnixDomainSocketAddress.of(dir.resolve("a")));
            Datagram d = s.recvFrom(8);
            assertEquals(cli, d.sender());
            assertEquals(UnixAddress.Kind.PATH, ((UnixAddress) d.sender()).kind());
        }
    }

    @Test
    void parseUnderstandsWhatToStringPrints() {
        assertEquals(UnixAddress.abstractName("x"), UnixAddress.parse("@x"));
        assertEquals(UnixAddress.abstractName(""), UnixAddress.parse("@"));
        assertEquals(UnixAddress.path("/run/a.sock"), UnixAddress.parse("/run/a.sock"));
        assertEquals(UnixAddress.path("rel/a.sock"), UnixAddress.parse("rel/a.sock"));
        assertEquals(UnixAddress.unnamed(), UnixAddress.parse(""));
        for (UnixAddress a : new UnixAddress[] {UnixAddress.abstractName("svc"), UnixAddress.path("/tmp/x"), UnixAddress.unnamed()}) {
            if (a.kind() != UnixAddress.Kind.UNNAMED) assertEquals(a, UnixAddress.parse(a.toString()));
        }
        assertNotEquals(UnixAddress.abstractName("a"), UnixAddress.path("a"));
        assertEquals(UnixAddress.path("/tmp/x"), UnixAddress.path(Path.of("/tmp/x")));
        assertEquals(UnixAddress.unnamed(), UnixAddress.of(UnixDomainSocketAddress.of("")));
        assertThrows(IllegalStateException.class, () -> UnixAddress.abstractName("a").toPath());
    }

    @Test
    void nameBytesIsACopy() {
        UnixAddress a = UnixAddress.abstractName(new byte[] {1, 2});
        a.nameBytes()[0] = 9;
        assertArrayEquals(new byte[] {1, 2}, a.nameBytes());
        byte[] given = {1, 2};
        UnixAddress b = UnixAddress.abstractName(given);
        given[0] = 9;
        assertEquals(a, b, "the factory copies its argument");
    }
}
