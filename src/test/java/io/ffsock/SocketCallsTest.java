package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import io.ffsock.testing.SocketKind;
import io.ffsock.testing.SocketKind.Connected;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The socket calls one by one, for every family/type pair each applies to, against the kernel. */
@ExtendWith(FdLeakCheck.class)
class SocketCallsTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String ascii(byte[] b, int n) {
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    // ---- open ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void openMakesOneSocketFdOfThatKind(SocketKind kind) throws Exception {
        Fds.Opened<Socket> o = Fds.opening(kind::open);
        String target = Fds.target(o.fd());
        try (Socket s = o.value()) {
            int fd = o.fd();
            assertTrue(Fds.isOpenSocket(fd));
            assertEquals(kind.family, s.family());
            assertEquals(kind.type, s.type());
            assertEquals(Protocol.DEFAULT, s.protocol());
            assertEquals(kind.family, s.getOption(LinuxSocketOptions.SO_DOMAIN));
            assertEquals(kind.type, s.getOption(LinuxSocketOptions.SO_TYPE));
            assertFalse(s.isClosed());
            assertTrue(s.toString().contains("fd=" + fd), s.toString());
        }
        assertNotEquals(target, Fds.target(o.fd()), "close released the fd");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 10})
    void seqpacketOverIpIsRefusedByTheKernel(int family) {
        Family f = new Family(family);
        SyscallException e = assertThrows(SyscallException.class, () -> Socket.open(f, SocketType.SEQPACKET));
        // 94 ESOCKTNOSUPPORT here; 93 EPROTONOSUPPORT on kernels that word it differently.
        int errno = e.errno().value();
        assertTrue(errno == 94 || errno == 93, "errno " + errno);
        assertEquals("socket(" + f + ", SOCK_SEQPACKET, 0): " + e.errno().symbol() + " (" + e.errno().description() + ")",
                e.getMessage());
        assertTrue(e.getMessage().startsWith("socket(" + (family == 2 ? "AF_INET" : "AF_INET6") + ", SOCK_SEQPACKET, 0): ESOCK"),
                e.getMessage());
        assertEquals("socket(" + f + ", SOCK_SEQPACKET, 0)", e.call());
    }

    @Test
    void explicitProtocolsOpen() throws Exception {
        try (Socket tcp = Socket.open(Family.INET, SocketType.STREAM, Protocol.TCP);
             Socket udp = Socket.open(Family.INET6, SocketType.DGRAM, Protocol.UDP)) {
            assertEquals(Protocol.TCP, tcp.getOption(LinuxSocketOptions.SO_PROTOCOL));
            assertEquals(Protocol.UDP, udp.getOption(LinuxSocketOptions.SO_PROTOCOL));
        }
        // TCP over a datagram socket is nonsense to the kernel
        SyscallException e = assertThrows(SyscallException.class,
                () -> Socket.open(Family.INET, SocketType.DGRAM, Protocol.TCP));
        assertEquals(93, e.errno().value()); // EPROTONOSUPPORT
        assertTrue(e.getMessage().startsWith("socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP): EPROTONOSUPPORT"), e.getMessage());
    }

    // ---- bind, listen, accept, connect -----------------------------------------------------------

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void bindSetsTheLocalAddress(SocketKind kind) throws Exception {
        try (Socket s = kind.open()) {
            SocketAddress want = kind.bindAddress();
            s.bind(want);
            SocketAddress got = s.localAddress();
            if (kind.isUnix()) {
                assertEquals(want, got);
            } else {
                InetSocketAddress in = assertInstanceOf(InetSocketAddress.class, got);
                assertEquals(kind.loopback(), in.getAddress());
                assertNotEquals(0, in.getPort(), "port 0 asks the kernel to pick one");
                // prints as the JDK prints its own sockets' addresses: no "%0" for "no scope"
                assertEquals(new InetSocketAddress(kind.loopback(), in.getPort()).toString(), in.toString());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "UNIX_SEQPACKET", "TCP4", "TCP6"})
    void listenAcceptConnectCarryDataBothWays(SocketKind kind) throws Exception {
        try (Socket listener = kind.open(); Socket client = kind.open()) {
            listener.bind(kind.bindAddress());
            assertFalse(listener.getOption(LinuxSocketOptions.SO_ACCEPTCONN));
            listener.listen(16);
            assertTrue(listener.getOption(LinuxSocketOptions.SO_ACCEPTCONN));
            client.connect(listener.localAddress());
            Fds.Opened<Socket> accepted = Fds.opening(listener::accept);
            try (Socket server = accepted.value()) {
                assertEquals(1, accepted.fds().size(), "accept makes exactly one fd");
                assertEquals(kind.family, server.family());
                assertEquals(kind.type, server.type());
                assertEquals(listener.localAddress(), client.remoteAddress());
                assertEquals(client.localAddress(), server.remoteAddress());
                assertEquals(listener.localAddress(), server.localAddress());

                assertEquals(5, client.send(ascii("hello")));
                byte[] b = new byte[64];
                assertEquals("hello", ascii(b, server.recv(b)));
                assertEquals(3, server.send(ascii("bye")));
                assertEquals("bye", ascii(b, client.recv(b)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void connectExReturnsZeroOnSuccess(SocketKind kind) throws Exception {
        try (Socket server = kind.open(); Socket client = kind.open()) {
            server.bind(kind.bindAddress());
            if (kind.connectionOriented()) server.listen();
            assertEquals(0, client.connectEx(server.localAddress()));
            assertEquals(server.localAddress(), client.remoteAddress());
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "UNIX_SEQPACKET", "TCP4", "TCP6"})
    void connectExToABoundButNotListeningSocketIsEconnrefused(SocketKind kind) throws Exception {
        // Bound but not listening: the address is taken (nobody else gets the port) and refuses.
        try (Socket notListening = kind.open(); Socket client = kind.open()) {
            notListening.bind(kind.bindAddress());
            assertEquals(111, client.connectEx(notListening.localAddress()));
            java.net.ConnectException e;
            try (Socket again = kind.open()) {
                e = assertThrows(java.net.ConnectException.class, () -> again.connect(notListening.localAddress()));
            }
            assertEquals(111, ((SyscallError) e).errno().value());
            assertEquals("connect(" + SocketKind.printed(notListening.localAddress()) + "): ECONNREFUSED (Connection refused)", e.getMessage());
        }
    }

    @Test
    void connectExToAnAbstractNameNobodyHoldsIsEconnrefused() throws Exception {
        try (Socket client = Socket.open(Family.UNIX, SocketType.STREAM)) {
            assertEquals(111, client.connectEx(SocketKind.uniqueAbstractName()));
        }
    }

    @Test
    void connectExToAMissingPathIsEnoent(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nobody-here.sock");
        for (SocketType type : new SocketType[] {SocketType.STREAM, SocketType.DGRAM, SocketType.SEQPACKET}) {
            try (Socket client = Socket.open(Family.UNIX, type)) {
                assertEquals(2, client.connectEx(UnixAddress.path(missing)), type.toString());
            }
        }
    }

    @Test
    void connectExOnANonBlockingTcpSocketIsEinprogress() throws Exception {
        for (SocketKind kind : new SocketKind[] {SocketKind.TCP4, SocketKind.TCP6}) {
            try (Socket listener = kind.open(); Socket client = kind.open()) {
                listener.bind(kind.bindAddress());
                listener.listen();
                client.setBlocking(false);
                assertEquals(115, client.connectEx(listener.localAddress()), kind.toString());
                // the handshake completes on loopback; the connection is then usable
                client.setTimeout(java.time.Duration.ofSeconds(5));
                listener.setTimeout(java.time.Duration.ofSeconds(5));
                try (Socket server = listener.accept()) {
                    assertEquals(0, (int) client.getOption(LinuxSocketOptions.SO_ERROR));
                    client.sendAll(ascii("x"));
                    assertArrayEquals(ascii("x"), server.recv(1));
                }
            }
        }
    }

    @Test
    void connectExOnANonBlockingUnixSocketToAFullBacklogIsEagain() throws Exception {
        try (Socket listener = Socket.open(Family.UNIX, SocketType.STREAM);
             Socket first = Socket.open(Family.UNIX, SocketType.STREAM);
             Socket second = Socket.open(Family.UNIX, SocketType.STREAM)) {
            listener.bind(SocketKind.uniqueAbstractName());
            listener.listen(0); // AF_UNIX queues backlog + 1 connections
            assertEquals(0, first.connectEx(listener.localAddress()));
            second.setBlocking(false);
            assertEquals(11, second.connectEx(listener.localAddress()));
        }
    }

    // ---- send, recv ------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void sendRecvEveryBufferKind(SocketKind kind) throws Exception {
        try (Connected c = kind.connected()) {
            assertEquals(3, c.client().send(new byte[] {9, 1, 2, 3, 9}, 1, 3));
            byte[] b = new byte[10];
            assertEquals(3, c.server().recv(b, 2, 8));
            assertArrayEquals(new byte[] {0, 0, 1, 2, 3, 0, 0, 0, 0, 0}, b);

            ByteBuffer direct = ByteBuffer.allocateDirect(16).put(ascii("direct")).flip();
            assertEquals(6, c.server().send(direct));
            assertEquals(6, direct.position());
            ByteBuffer heap = ByteBuffer.allocate(16).position(1);
            assertEquals(6, c.client().recv(heap));
            assertEquals(7, heap.position());
            assertEquals("direct", new String(heap.array(), 1, 6, StandardCharsets.US_ASCII));

            assertEquals(4, c.client().send(ascii("four"), 0, 4, Set.of(MsgFlag.DONTWAIT)));
            assertArrayEquals(ascii("four"), c.server().recv(4));
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UDP4", "UDP6", "UNIX_DGRAM"})
    void sendToRecvFromReportTheSender(SocketKind kind) throws Exception {
        try (Socket server = kind.open(); Socket client = kind.open()) {
            server.bind(kind.bindAddress());
            client.bind(kind.bindAddress());
            assertEquals(4, client.sendTo(ascii("ping"), server.localAddress()));
            Datagram d = server.recvFrom(100);
            assertEquals("ping", new String(d.data(), StandardCharsets.US_ASCII));
            assertEquals(client.localAddress(), d.sender());
            if (!kind.isUnix()) assertInstanceOf(InetSocketAddress.class, d.sender());

            // the reply to the reported sender reaches the client, through every overload
            assertEquals(4, server.sendTo(ascii("pong"), d.sender()));
            byte[] b = new byte[8];
            Received r = client.recvFrom(b, 0, 8);
            assertEquals(4, r.length());
            assertEquals(server.localAddress(), r.sender());
            assertEquals(3, server.sendTo(ByteBuffer.wrap(ascii("abc")), d.sender()));
            ByteBuffer bb = ByteBuffer.allocate(8);
            assertEquals(server.localAddress(), client.recvFrom(bb));
            assertEquals(3, bb.position());
            assertEquals(2, server.sendTo(ascii("xyz"), 1, 2, Set.of(), d.sender()));
            assertArrayEquals(ascii("yz"), client.recv(8));
        }
    }

    @Test
    void recvFromAnUnboundUnixDgramSenderReportsTheUnnamedAddress() throws Exception {
        try (Socket server = Socket.open(Family.UNIX, SocketType.DGRAM);
             Socket client = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            server.bind(SocketKind.uniqueAbstractName());
            client.sendTo(ascii("anon"), server.localAddress());
            Datagram d = server.recvFrom(16);
            assertEquals("anon", new String(d.data(), StandardCharsets.US_ASCII));
            assertEquals(UnixAddress.unnamed(), d.sender());
            assertEquals(UnixAddress.Kind.UNNAMED, ((UnixAddress) d.sender()).kind());
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "TCP4", "TCP6"})
    void sendAllDeliversEveryByteInOrder(SocketKind kind) throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(42).nextBytes(data);
        try (Connected c = kind.connected()) {
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] in = new byte[data.length];
                    int got = 0;
                    while (got < in.length) {
                        int n = c.server().recv(in, got, Math.min(65536, in.length - got));
                        if (n == 0) break;
                        got += n;
                    }
                    return Arrays.copyOf(in, got);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            c.client().sendAll(data);
            assertArrayEquals(data, read.get(20, TimeUnit.SECONDS));

            ByteBuffer direct = ByteBuffer.allocateDirect(100_000);
            while (direct.hasRemaining()) direct.put((byte) direct.position());
            direct.flip();
            c.client().sendAll(direct);
            assertEquals(100_000, direct.position());
            byte[] back = new byte[100_000];
            int got = 0;
            while (got < back.length) got += c.server().recv(back, got, back.length - got);
            for (int i = 0; i < back.length; i++) assertEquals((byte) i, back[i], "byte " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "UNIX_SEQPACKET", "TCP4", "TCP6"})
    void peerReadsEofAfterShutdownWrite(SocketKind kind) throws Exception {
        try (Connected c = kind.connected()) {
            c.client().send(ascii("last"));
            c.client().shutdown(Shutdown.WRITE);
            byte[] b = new byte[16];
            assertEquals("last", ascii(b, c.server().recv(b)));
            assertEquals(0, c.server().recv(b), "end of stream");
            assertEquals(0, c.server().recv(b), "end of stream stays");
            // the other direction still works
            c.server().send(ascii("still"));
            assertEquals("still", ascii(b, c.client().recv(b)));
            // and sending after SHUT_WR is EPIPE
            SyscallException e = assertThrows(SyscallException.class, () -> c.client().send(ascii("no")));
            assertEquals(32, e.errno().value());
        }
    }

    @Test
    void shutdownOfAnUnconnectedTcpSocketIsEnotconn() throws Exception {
        try (Socket s = Socket.open(Family.INET, SocketType.STREAM)) {
            SyscallException e = assertThrows(SyscallException.class, () -> s.shutdown(Shutdown.BOTH));
            assertEquals(107, e.errno().value());
            assertEquals("shutdown: ENOTCONN (Transport endpoint is not connected)", e.getMessage());
        }
    }

    // ---- close -----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void closeIsIdempotentAndReleasesTheFd(SocketKind kind) throws Exception {
        Fds.Opened<Socket> o = Fds.opening(kind::open);
        Socket s = o.value();
        String target = Fds.target(o.fd());
        s.close();
        assertTrue(s.isClosed());
        assertNotEquals(target, Fds.target(o.fd()), "fd " + o.fd() + " still names " + target);
        s.close(); // no-op
        s.close();
        assertTrue(s.isClosed());
        assertTrue(s.toString().endsWith(" closed]"), s.toString());
    }

    @Test
    void useAfterCloseThrowsClosedChannelExceptionNamingTheCall() throws Exception {
        Socket s = Socket.open(Family.UNIX, SocketType.DGRAM);
        s.close();
        UnixAddress a = SocketKind.uniqueAbstractName();
        assertClosed("bind(" + a + ")", () -> s.bind(a));
        assertClosed("listen", () -> s.listen());
        assertClosed("accept", s::accept);
        assertClosed("connect(" + a + ")", () -> s.connect(a));
        assertClosed("connect(" + a + ")", () -> s.connectEx(a));
        assertClosed("send", () -> s.send(new byte[1]));
        assertClosed("send", () -> s.send(ByteBuffer.allocate(1)));
        assertClosed("send", () -> s.sendAll(new byte[1]));
        assertClosed("sendto(" + a + ")", () -> s.sendTo(new byte[1], a));
        assertClosed("recv", () -> s.recv(new byte[1]));
        assertClosed("recv", () -> s.recv(1));
        assertClosed("recvfrom", () -> s.recvFrom(1));
        assertClosed("recvfrom", () -> s.recvFrom(ByteBuffer.allocate(1)));
        assertClosed("shutdown", () -> s.shutdown(Shutdown.BOTH));
        assertClosed("getsockname", s::localAddress);
        assertClosed("getpeername", s::remoteAddress);
        assertClosed("getsockopt", () -> s.getOption(LinuxSocketOptions.SO_TYPE));
        assertClosed("setsockopt", () -> s.setOption(LinuxSocketOptions.SO_PASSCRED, true));
        assertClosed("setTimeout", () -> s.setTimeout(java.time.Duration.ofSeconds(1)));
        assertClosed("setTimeout", () -> s.setBlocking(false));
    }

    private static void assertClosed(String call, org.junit.jupiter.api.function.Executable op) {
        ClosedChannelException e = assertThrows(ClosedChannelException.class, op, call);
        assertFalse(e instanceof AsynchronousCloseException, "closed before the call, not during: " + e);
        assertEquals(call + ": socket is closed", e.getMessage());
    }

    // ---- addresses and pairs ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void remoteAddressOfAnUnconnectedSocketIsEnotconn(SocketKind kind) throws Exception {
        try (Socket s = kind.open()) {
            SyscallException e = assertThrows(SyscallException.class, s::remoteAddress);
            assertEquals(107, e.errno().value());
            // the message names the socket by its local address (or "fd N" while it has none)
            assertTrue(e.getMessage().startsWith("getpeername("), e.getMessage());
            assertTrue(e.getMessage().endsWith("): ENOTCONN (Transport endpoint is not connected)"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"TCP4", "TCP6", "UDP4", "UDP6"})
    void unboundIpSocketReportsTheWildcardAddressAndPortZero(SocketKind kind) throws Exception {
        try (Socket s = kind.open()) {
            InetSocketAddress a = assertInstanceOf(InetSocketAddress.class, s.localAddress());
            assertTrue(a.getAddress().isAnyLocalAddress(), a.toString());
            assertEquals(0, a.getPort());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void pairGivesTwoConnectedUnnamedSockets(int typeValue) throws Exception {
        SocketType type = new SocketType(typeValue);
        Fds.Opened<SocketPair> o = Fds.opening(() -> Socket.pair(type));
        java.util.Map<Integer, String> targets = new java.util.HashMap<>();
        for (int fd : o.fds()) targets.put(fd, Fds.target(fd));
        try (SocketPair p = o.value()) {
            assertEquals(2, o.fds().size(), "socketpair makes two fds");
            for (Socket s : new Socket[] {p.first(), p.second()}) {
                assertEquals(Family.UNIX, s.family());
                assertEquals(type, s.type());
                assertEquals(type, s.getOption(LinuxSocketOptions.SO_TYPE));
                assertEquals(UnixAddress.unnamed(), s.localAddress());
                assertEquals(UnixAddress.unnamed(), s.remoteAddress());
            }
            p.first().send(ascii("a->b"));
            assertArrayEquals(ascii("a->b"), p.second().recv(16));
            p.second().send(ascii("b->a"));
            assertArrayEquals(ascii("b->a"), p.first().recv(16));
        }
        for (int fd : o.fds()) assertNotEquals(targets.get(fd), Fds.target(fd), "closing the pair released fd " + fd);
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + i / 251);
        return b;
    }

    @Test
    void recvOfAHugeLengthAllocatesWhatArrivedNotTheLength() throws Exception {
        // Above 64 KiB recv(n) looks first: no OutOfMemoryError, and what comes back is exact.
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            byte[] sent = pattern(70_000);
            p.first().sendAll(sent);
            assertArrayEquals(sent, p.second().recv(Integer.MAX_VALUE), "all that the stream held");
            p.first().sendAll(sent);
            byte[] part = p.second().recv(65_537);
            assertArrayEquals(Arrays.copyOf(sent, 65_537), part, "a ceiling still caps it");
            assertArrayEquals(Arrays.copyOfRange(sent, 65_537, sent.length), p.second().recv(1 << 30));
            p.first().shutdown(Shutdown.WRITE);
            assertArrayEquals(new byte[0], p.second().recv(Integer.MAX_VALUE), "end of stream");
        }
        for (SocketType type : List.of(SocketType.DGRAM, SocketType.SEQPACKET)) {
            try (SocketPair p = Socket.pair(type)) {
                byte[] big = pattern(100_000);
                p.first().send(big);
                p.first().send(new byte[0]);
                p.first().send(big);
                assertArrayEquals(big, p.second().recv(Integer.MAX_VALUE), type + ": the whole message");
                if (type == SocketType.DGRAM) {
                    // seqpacket reports an empty message as end of stream; a datagram is just empty
                    assertArrayEquals(new byte[0], p.second().recv(Integer.MAX_VALUE), type + ": the empty message");
                } else {
                    assertArrayEquals(new byte[0], p.second().recv(16), type + ": the empty message");
                }
                assertArrayEquals(Arrays.copyOf(big, 70_000), p.second().recv(70_000), type + ": truncated as asked");
                p.second().setTimeout(Duration.ofMillis(50));
                assertThrows(SocketTimeoutException.class, () -> p.second().recv(Integer.MAX_VALUE),
                        type + ": the look waits as recv does");
            }
        }
        try (Socket raw = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
            raw.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(8)); // echo requests only
            raw.setTimeout(Duration.ofSeconds(5));
            int id = new Random().nextInt(1 << 16);
            byte[] echo = {8, 0, 0, 0, (byte) (id >> 8), (byte) id, 0x7f, 0x3e, 1, 2, 3};
            int sum = io.ffsock.packet.InternetChecksum.checksum(echo);
            echo[2] = (byte) (sum >> 8);
            echo[3] = (byte) sum;
            raw.sendTo(echo, new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            byte[] got;
            do { // our own request comes back over loopback; skip anyone else's
                got = raw.recv(Integer.MAX_VALUE);
            } while (got.length < 26 || got[24] != echo[4] || got[25] != echo[5]);
            assertEquals(20 + echo.length, got.length, "the IPv4 header and the request, nothing more");
            assertArrayEquals(echo, Arrays.copyOfRange(got, 20, got.length));
        }
    }

    @Test
    void pairOfRawIsADatagramPairToTheKernel() throws Exception {
        // unix(7): AF_UNIX treats SOCK_RAW as SOCK_DGRAM, and the Socket says what the kernel made.
        try (SocketPair p = Socket.pair(SocketType.RAW);
             Socket opened = Socket.open(Family.UNIX, SocketType.RAW)) {
            assertEquals(SocketType.DGRAM, p.first().getOption(LinuxSocketOptions.SO_TYPE));
            assertEquals(SocketType.DGRAM, p.first().type());
            assertEquals(SocketType.DGRAM, p.second().type());
            assertEquals(SocketType.DGRAM, opened.getOption(LinuxSocketOptions.SO_TYPE));
            assertEquals(SocketType.DGRAM, opened.type());
            p.first().send(ascii("one"));
            p.first().send(ascii("two"));
            assertArrayEquals(ascii("one"), p.second().recv(16));
            assertArrayEquals(ascii("two"), p.second().recv(16));
        }
    }

    @Test
    void pairOfSockRdmIsRefusedByTheKernel() {
        SyscallException e = assertThrows(SyscallException.class, () -> Socket.pair(new SocketType(4)));
        assertEquals("socketpair(AF_UNIX, 4): ESOCKTNOSUPPORT (Socket type not supported)", e.getMessage());
        assertEquals(94, e.errno().value());
    }

    @Test
    void pathnameSocketCreatesItsFile(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("server.sock");
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            s.bind(UnixAddress.path(p));
            assertTrue(Files.exists(p));
            assertFalse(Files.isRegularFile(p));
            assertEquals(UnixAddress.path(p), s.localAddress());
        }
        assertTrue(Files.exists(p), "close does not remove the socket file");
    }
}
