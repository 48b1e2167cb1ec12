package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import io.ffsock.testing.IndependentLibc;
import io.ffsock.testing.SocketKind;
import io.ffsock.testing.SocketKind.Connected;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** getOption/setOption against the kernel: every value is read back, some through jnr-ffi too. */
@ExtendWith(FdLeakCheck.class)
class SocketOptionsTest {
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SO_SNDBUF = 7;
    private static final int SO_KEEPALIVE = 9;

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void bufferSizesAreDoubledByTheKernel(SocketKind kind) throws Exception {
        Fds.Opened<Socket> o = Fds.opening(kind::open);
        try (Socket s = o.value()) {
            s.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            s.setOption(StandardSocketOptions.SO_SNDBUF, 70000);
            assertEquals(131072, s.getOption(StandardSocketOptions.SO_RCVBUF));
            assertEquals(140000, s.getOption(StandardSocketOptions.SO_SNDBUF));
            // the same values, read through jnr-ffi's getsockopt on the fd /proc showed us
            assertEquals(131072, IndependentLibc.getsockoptInt(o.fd(), SOL_SOCKET, SO_RCVBUF));
            assertEquals(140000, IndependentLibc.getsockoptInt(o.fd(), SOL_SOCKET, SO_SNDBUF));
        }
    }

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void reuseAddrRoundTrips(SocketKind kind) throws Exception {
        try (Socket s = kind.open()) {
            assertFalse(s.getOption(StandardSocketOptions.SO_REUSEADDR));
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            assertTrue(s.getOption(StandardSocketOptions.SO_REUSEADDR));
            s.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            assertFalse(s.getOption(StandardSocketOptions.SO_REUSEADDR));
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"TCP4", "UDP4", "TCP6", "UDP6"})
    void reusePortRoundTripsAndLetsTwoSocketsBindOnePort(SocketKind kind) throws Exception {
        try (Socket a = kind.open(); Socket b = kind.open()) {
            assertFalse(a.getOption(StandardSocketOptions.SO_REUSEPORT));
            a.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            b.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            assertTrue(a.getOption(StandardSocketOptions.SO_REUSEPORT));
            a.bind(kind.bindAddress());
            b.bind(a.localAddress()); // EADDRINUSE without SO_REUSEPORT
            assertEquals(a.localAddress(), b.localAddress());
        }
    }

    @Test
    void reusePortIsRefusedOnAfUnix() throws Exception {
        // Linux 6.x: SO_REUSEPORT is for inet sockets only (EOPNOTSUPP elsewhere).
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            SyscallException e = assertThrows(SyscallException.class,
                    () -> s.setOption(StandardSocketOptions.SO_REUSEPORT, true));
            assertEquals(95, e.errno().value());
            assertEquals("setsockopt(SO_REUSEPORT, true): EOPNOTSUPP (Operation not supported)", e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "TCP4", "TCP6"})
    void lingerRoundTrips(SocketKind kind) throws Exception {
        try (Socket s = kind.open()) {
            assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER), "off by default");
            s.setOption(StandardSocketOptions.SO_LINGER, 7);
            assertEquals(7, s.getOption(StandardSocketOptions.SO_LINGER));
            s.setOption(StandardSocketOptions.SO_LINGER, 0);
            assertEquals(0, s.getOption(StandardSocketOptions.SO_LINGER));
            s.setOption(StandardSocketOptions.SO_LINGER, -1);
            assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER));
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"TCP4", "TCP6"})
    void keepAliveAndNoDelayRoundTrip(SocketKind kind) throws Exception {
        Fds.Opened<Socket> o = Fds.opening(kind::open);
        try (Socket s = o.value()) {
            assertFalse(s.getOption(StandardSocketOptions.SO_KEEPALIVE));
            s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertTrue(s.getOption(StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(1, IndependentLibc.getsockoptInt(o.fd(), SOL_SOCKET, SO_KEEPALIVE));
            s.setOption(StandardSocketOptions.SO_KEEPALIVE, false);
            assertEquals(0, IndependentLibc.getsockoptInt(o.fd(), SOL_SOCKET, SO_KEEPALIVE));

            assertFalse(s.getOption(StandardSocketOptions.TCP_NODELAY));
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
            assertEquals(1, IndependentLibc.getsockoptInt(o.fd(), 6 /* SOL_TCP */, 1 /* TCP_NODELAY */));
            s.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertFalse(s.getOption(StandardSocketOptions.TCP_NODELAY));
        }
    }

    @Test
    void tcpNoDelayOnAUnixSocketIsRefusedByTheKernel() throws Exception {
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            SyscallException e = assertThrows(SyscallException.class,
                    () -> s.setOption(StandardSocketOptions.TCP_NODELAY, true));
            assertTrue(e.getMessage().startsWith("setsockopt(TCP_NODELAY, true): " + e.errno().symbol()), e.getMessage());
            assertEquals(95, e.errno().value(), e.getMessage()); // EOPNOTSUPP
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"TCP4", "UDP4", "TCP6", "UDP6"})
    void ipTosRoundTripsOnIpv4AndIpv6(SocketKind kind) throws Exception {
        Fds.Opened<Socket> o = Fds.opening(kind::open);
        try (Socket s = o.value()) {
            assertEquals(0, s.getOption(StandardSocketOptions.IP_TOS));
            s.setOption(StandardSocketOptions.IP_TOS, 0x28);
            assertEquals(0x28, s.getOption(StandardSocketOptions.IP_TOS));
            // AF_INET6 maps IP_TOS to IPV6_TCLASS (level 41, optname 67); AF_INET is IP_TOS (0, 1).
            boolean v6 = kind.family.equals(Family.INET6);
            assertEquals(0x28, IndependentLibc.getsockoptInt(o.fd(), v6 ? 41 : 0, v6 ? 67 : 1));
        }
    }

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void readOnlyOptionsReportTheSocket(SocketKind kind) throws Exception {
        try (Socket s = kind.open()) {
            assertEquals(kind.type, s.getOption(LinuxSocketOptions.SO_TYPE));
            assertEquals(kind.family, s.getOption(LinuxSocketOptions.SO_DOMAIN));
            Protocol want = kind.isUnix() ? Protocol.DEFAULT
                    : kind.type.equals(SocketType.STREAM) ? Protocol.TCP : Protocol.UDP;
            assertEquals(want, s.getOption(LinuxSocketOptions.SO_PROTOCOL));
            assertEquals(0, s.getOption(LinuxSocketOptions.SO_ERROR));
            assertFalse(s.getOption(LinuxSocketOptions.SO_ACCEPTCONN));
            if (kind.connectionOriented()) {
                s.bind(kind.bindAddress());
                s.listen();
                assertTrue(s.getOption(LinuxSocketOptions.SO_ACCEPTCONN));
            }
        }
    }

    @Test
    void soErrorHoldsTheErrorOfAFailedNonBlockingConnect() throws Exception {
        try (Socket closed = Socket.open(Family.INET, SocketType.STREAM);
             Socket client = Socket.open(Family.INET, SocketType.STREAM)) {
            closed.bind(SocketKind.TCP4.bindAddress()); // bound, not listening: refuses
            client.setBlocking(false);
            int r = client.connectEx(closed.localAddress());
            assertTrue(r == 115 || r == 111, "connectEx " + r);
            if (r == 115) {
                // the RST arrives at once on loopback; SO_ERROR says so once, then is cleared
                long end = System.nanoTime() + 5_000_000_000L;
                int err = 0;
                while (err == 0 && System.nanoTime() < end) {
                    err = client.getOption(LinuxSocketOptions.SO_ERROR);
                    if (err == 0) Thread.sleep(5);
                }
                assertEquals(111, err);
                assertEquals(0, client.getOption(LinuxSocketOptions.SO_ERROR));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "UNIX_DGRAM", "UNIX_SEQPACKET"})
    void passCredRoundTrips(SocketKind kind) throws Exception {
        try (Socket s = kind.open()) {
            assertFalse(s.getOption(LinuxSocketOptions.SO_PASSCRED));
            s.setOption(LinuxSocketOptions.SO_PASSCRED, true);
            assertTrue(s.getOption(LinuxSocketOptions.SO_PASSCRED));
            s.setOption(LinuxSocketOptions.SO_PASSCRED, false);
            assertFalse(s.getOption(LinuxSocketOptions.SO_PASSCRED));
        }
    }

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void kernelTimeoutsRoundTrip(SocketKind kind) throws Exception {
        try (Socket s = kind.open()) {
            assertEquals(Duration.ZERO, s.getOption(LinuxSocketOptions.SO_RCVTIMEO));
            assertEquals(Duration.ZERO, s.getOption(LinuxSocketOptions.SO_SNDTIMEO));
            s.setOption(LinuxSocketOptions.SO_RCVTIMEO, Duration.ofMillis(1500));
            s.setOption(LinuxSocketOptions.SO_SNDTIMEO, Duration.ofSeconds(3));
            assertEquals(Duration.ofMillis(1500), s.getOption(LinuxSocketOptions.SO_RCVTIMEO));
            assertEquals(Duration.ofSeconds(3), s.getOption(LinuxSocketOptions.SO_SNDTIMEO));
            s.setOption(LinuxSocketOptions.SO_RCVTIMEO, Duration.ZERO);
            assertEquals(Duration.ZERO, s.getOption(LinuxSocketOptions.SO_RCVTIMEO));
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "UNIX_DGRAM", "UNIX_SEQPACKET", "TCP4", "UDP6"})
    void blockingRecvWithSoRcvtimeoThrowsSocketTimeoutException(SocketKind kind) throws Exception {
        try (Connected c = kind.connected()) {
            c.server().setOption(LinuxSocketOptions.SO_RCVTIMEO, Duration.ofMillis(100));
            assertTrue(c.server().isBlocking());
            long t0 = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> c.server().recv(new byte[8]));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 90 && ms < 5000, "returned after " + ms + " ms");
            assertTrue(e.getMessage().startsWith("recv("), e.getMessage());
            assertTrue(e.getMessage().contains("SO_RCVTIMEO"), e.getMessage());
            // the socket still works afterwards
            c.client().send(new byte[] {1});
            assertArrayEquals(new byte[] {1}, c.server().recv(8));
        }
    }

    @Test
    void ipTtlRoundTrips() throws Exception {
        try (Socket tcp = Socket.open(Family.INET, SocketType.STREAM); Socket udp = Socket.open(Family.INET, SocketType.DGRAM)) {
            for (Socket s : new Socket[] {tcp, udp}) {
                int initial = s.getOption(LinuxSocketOptions.IP_TTL);
                assertTrue(initial > 0 && initial <= 255, "default TTL " + initial);
                s.setOption(LinuxSocketOptions.IP_TTL, 42);
                assertEquals(42, s.getOption(LinuxSocketOptions.IP_TTL));
            }
            SyscallException e = assertThrows(SyscallException.class, () -> udp.setOption(LinuxSocketOptions.IP_TTL, 256));
            assertEquals(22, e.errno().value());
            assertEquals("setsockopt(IP_TTL, 256): EINVAL (Invalid argument)", e.getMessage());
        }
    }

    @Test
    void ipv6V6OnlyRoundTripsAndDecidesWhetherIpv4PeersReachIt() throws Exception {
        try (Socket s = Socket.open(Family.INET6, SocketType.DGRAM)) {
            assertFalse(s.getOption(LinuxSocketOptions.IPV6_V6ONLY), "net.ipv6.bindv6only is 0 by default");
            s.setOption(LinuxSocketOptions.IPV6_V6ONLY, true);
            assertTrue(s.getOption(LinuxSocketOptions.IPV6_V6ONLY));
            s.setOption(LinuxSocketOptions.IPV6_V6ONLY, false);
            assertFalse(s.getOption(LinuxSocketOptions.IPV6_V6ONLY));
            // dual stack: a v4 sender reaches the v6 socket; the sender shows as the Inet4Address
            // it is (the kernel gives ::ffff:127.0.0.1), as the JDK reports it, and a reply to it goes back
            s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("::"), 0));
            int port = ((java.net.InetSocketAddress) s.localAddress()).getPort();
            try (Socket v4 = Socket.open(Family.INET, SocketType.DGRAM)) {
                v4.sendTo(new byte[] {4}, new java.net.InetSocketAddress("127.0.0.1", port));
                s.setTimeout(Duration.ofSeconds(5));
                Datagram d = s.recvFrom(4);
                assertArrayEquals(new byte[] {4}, d.data());
                assertEquals(((java.net.InetSocketAddress) v4.localAddress()).getPort(),
                        ((java.net.InetSocketAddress) d.sender()).getPort());
                assertInstanceOf(java.net.Inet4Address.class, ((java.net.InetSocketAddress) d.sender()).getAddress());
                assertEquals("127.0.0.1", ((java.net.InetSocketAddress) d.sender()).getAddress().getHostAddress());
                s.sendTo(new byte[] {6}, d.sender());
                v4.setTimeout(Duration.ofSeconds(5));
                assertArrayEquals(new byte[] {6}, v4.recvFrom(4).data());
            }
        }
        try (Socket s = Socket.open(Family.INET, SocketType.DGRAM)) {
            // an IPv6-level option on an IPv4 socket: the kernel says no
            SyscallException e = assertThrows(SyscallException.class, () -> s.getOption(LinuxSocketOptions.IPV6_V6ONLY));
            assertTrue(e.getMessage().startsWith("getsockopt(IPV6_V6ONLY): "), e.getMessage());
        }
    }

    @Test
    void settingAReadOnlyOptionIsUnsupported() throws Exception {
        try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            assertReadOnly(s, LinuxSocketOptions.SO_TYPE, SocketType.DGRAM, "SO_TYPE");
            assertReadOnly(s, LinuxSocketOptions.SO_DOMAIN, Family.INET, "SO_DOMAIN");
            assertReadOnly(s, LinuxSocketOptions.SO_PROTOCOL, Protocol.TCP, "SO_PROTOCOL");
            assertReadOnly(s, LinuxSocketOptions.SO_ERROR, 0, "SO_ERROR");
            assertReadOnly(s, LinuxSocketOptions.SO_ACCEPTCONN, true, "SO_ACCEPTCONN");
            assertEquals(SocketType.STREAM, s.getOption(LinuxSocketOptions.SO_TYPE), "nothing changed");
        }
    }

    private static <T> void assertReadOnly(Socket s, SocketOption<T> o, T value, String name) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> s.setOption(o, value));
        assertEquals(name + " is read-only", e.getMessage());
    }

    @Test
    void anOptionFfsockDoesNotKnowIsUnsupported() throws Exception {
        try (Socket s = Socket.open(Family.INET, SocketType.DGRAM)) {
            SocketOption<Integer> unknown = new SocketOption<>() {
                @Override public String name() { return "SO_MADE_UP"; }
                @Override public Class<Integer> type() { return Integer.class; }
            };
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> s.getOption(unknown));
            assertTrue(e.getMessage().contains("SO_MADE_UP"), e.getMessage());
            e = assertThrows(UnsupportedOperationException.class, () -> s.setOption(unknown, 1));
            assertTrue(e.getMessage().contains("SO_MADE_UP"), e.getMessage());
        }
    }

    @Test
    void aNullOptionValueIsRejectedBeforeTheCall() throws Exception {
        try (Socket s = Socket.open(Family.INET, SocketType.STREAM)) {
            NullPointerException e = assertThrows(NullPointerException.class,
                    () -> s.setOption(StandardSocketOptions.TCP_NODELAY, null));
            assertEquals("value of TCP_NODELAY", e.getMessage());
            IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                    () -> s.setOption(LinuxSocketOptions.SO_RCVTIMEO, Duration.ofMillis(-1)));
            assertTrue(n.getMessage().contains("SO_RCVTIMEO"), n.getMessage());
        }
    }
}
