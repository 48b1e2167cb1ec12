package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.MsgFlag;
import io.ffsock.Protocol;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.packet.IcmpEcho;
import io.ffsock.packet.IcmpMessage;
import io.ffsock.testing.Netns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, part 4: IP_RECVERR on UDP and ping sockets. hostA (10.204.1.1) reaches hostB
 * (10.204.2.2) through a router (10.204.1.2 / 10.204.2.1); with TTL 1 the router answers
 * time-exceeded, which arrives on hostA's socket's error queue as a sock_extended_err.
 */
class RecvErrTest {
    static final InetSocketAddress ROUTER_ON_A = new InetSocketAddress("10.204.1.2", 0);
    static final InetAddress HOST_B = address("10.204.2.2");

    /** hostA —veth— router —veth— hostB, each in its own namespace; closes them all. */
    static final class Topology implements AutoCloseable {
        final Netns hostA, router, hostB;

        Topology() throws Exception {
            hostA = Netns.create("hosta");
            router = Netns.create("router");
            hostB = Netns.create("hostb");
            try {
                Netns.veth(hostA, "eth0", "10.204.1.1/24", router, "eth0", "10.204.1.2/24");
                Netns.veth(router, "eth1", "10.204.2.1/24", hostB, "eth0", "10.204.2.2/24");
                router.sysctl("net.ipv4.ip_forward", "1");
                router.sysctl("net.ipv4.icmp_ratelimit", "0");
                hostA.ip("route", "add", "default", "via", "10.204.1.2");
                hostB.ip("route", "add", "default", "via", "10.204.2.1");
                hostA.sysctl("net.ipv4.ping_group_range", "0 2147483647");
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            for (Netns n : new Netns[] {hostA, router, hostB}) if (n != null) n.close();
        }
    }

    @Test
    void udpTimeExceededArrivesOnTheErrorQueue() throws Exception {
        RawSupport.assumeNetns();
        try (Topology t = new Topology()) {
            // The path works with a normal TTL: hostB's kernel answers the ping.
            assertTrue(t.hostA.run("ping", "-c", "1", "-W", "2", "10.204.2.2").contains("1 received"));
            t.hostA.call(() -> {
                try (Socket s = Socket.open(Family.INET, SocketType.DGRAM, Protocol.UDP)) {
                    s.setOption(LinuxSocketOptions.IP_TTL, 1);
                    s.setOption(LinuxSocketOptions.IP_RECVERR, true);
                    assertTrue(s.getOption(LinuxSocketOptions.IP_RECVERR));
                    s.setTimeout(Duration.ofSeconds(3));
                    byte[] probe = "udp probe".getBytes(StandardCharsets.US_ASCII);
                    InetSocketAddress target = new InetSocketAddress(HOST_B, 33434);
                    s.sendTo(probe, target);

                    ByteBuffer data = ByteBuffer.allocate(512);
                    try (ReceivedMessage m = s.recvMsg(List.of(data), Socket.DEFAULT_CONTROL_SPACE, Set.of(MsgFlag.ERRQUEUE))) {
                        assertTrue(m.flags().contains(MsgFlag.ERRQUEUE), m.toString());
                        ControlMessage.ExtendedError e = extendedError(m);
                        assertTimeExceededFromRouter(e);
                        // The data is our datagram's payload; the sender is where it was going.
                        assertEquals("udp probe", StandardCharsets.US_ASCII.decode(data.flip()).toString());
                        assertEquals(target, m.sender());
                    }

                    // MSG_PEEK does not apply to the error queue: a peek dequeues the error.
                    try (Socket observer = timeExceededObserver()) {
                        s.sendTo(probe, target);
                        awaitTimeExceeded(observer);
                    }
                    try (ReceivedMessage m = s.recvMsg(List.of(ByteBuffer.allocate(64)), Socket.DEFAULT_CONTROL_SPACE,
                            Set.of(MsgFlag.ERRQUEUE, MsgFlag.PEEK))) {
                        assertTimeExceededFromRouter(extendedError(m));
                    }
                    assertErrorQueueEmpty(s);

                    // A queued error makes the next send on a UDP socket fail with its errno (and
                    // that datagram is not sent); the failed send consumes the pending error.
                    try (Socket observer = timeExceededObserver()) {
                        s.sendTo(probe, target);
                        awaitTimeExceeded(observer);
                    }
                    NoRouteToHostException failed = assertThrows(NoRouteToHostException.class, () -> s.sendTo(probe, target));
                    assertEquals("EHOSTUNREACH", ((SyscallError) failed).errno().symbol(), failed.getMessage());
                    assertTrue(failed.getMessage().startsWith("sendto(") && failed.getMessage().contains("10.204.2.2:33434"), failed.getMessage());
                    // The failed send took sk_err; the queued sock_extended_err is still there.
                    try (ReceivedMessage m = s.recvMsg(List.of(ByteBuffer.allocate(64)), Socket.DEFAULT_CONTROL_SPACE,
                            Set.of(MsgFlag.ERRQUEUE))) {
                        assertTimeExceededFromRouter(extendedError(m));
                    }
                    assertErrorQueueEmpty(s);
                    s.sendTo(probe, target); // nothing pending: sends again
                }
                return null;
            });
        }
    }

    @Test
    void pingSocketTimeExceededArrivesOnTheErrorQueue() throws Exception {
        RawSupport.assumeNetns();
        try (Topology t = new Topology()) {
            t.hostA.call(() -> {
                try (Socket s = Socket.open(Family.INET, SocketType.DGRAM, Protocol.ICMP)) {
                    s.setOption(LinuxSocketOptions.IP_TTL, 1);
                    s.setOption(LinuxSocketOptions.IP_RECVERR, true);
                    s.setTimeout(Duration.ofSeconds(3));
                    byte[] payload = "ping probe".getBytes(StandardCharsets.US_ASCII);
                    s.sendTo(IcmpEcho.request(1, 42, payload).toBytes(), new InetSocketAddress(HOST_B, 0));
                    int port = ((InetSocketAddress) s.localAddress()).getPort();

                    ByteBuffer data = ByteBuffer.allocate(512);
                    try (ReceivedMessage m = s.recvMsg(List.of(data), Socket.DEFAULT_CONTROL_SPACE, Set.of(MsgFlag.ERRQUEUE))) {
                        assertTimeExceededFromRouter(extendedError(m));
                        // The data is our echo request as sent: the kernel had put the bound port in as id.
                        byte[] d = new byte[data.flip().remaining()];
                        data.get(d);
                        IcmpEcho sent = (IcmpEcho) IcmpMessage.parse(d, 0, d.length, true);
                        assertFalse(sent.reply());
                        assertEquals(port, sent.identifier());
                        assertEquals(42, sent.sequence());
                        assertArrayEquals(payload, sent.data());
                    }

                    // Ping sockets, like UDP, fail the next send while an error is pending.
                    try (Socket observer = timeExceededObserver()) {
                        s.sendTo(IcmpEcho.request(1, 43, payload).toBytes(), new InetSocketAddress(HOST_B, 0));
                        awaitTimeExceeded(observer);
                    }
                    NoRouteToHostException failed = assertThrows(NoRouteToHostException.class,
                            () -> s.sendTo(IcmpEcho.request(1, 44, payload).toBytes(), new InetSocketAddress(HOST_B, 0)));
                    assertEquals("EHOSTUNREACH", ((SyscallError) failed).errno().symbol(), failed.getMessage());
                    try (ReceivedMessage m = s.recvMsg(List.of(ByteBuffer.allocate(64)), Socket.DEFAULT_CONTROL_SPACE,
                            Set.of(MsgFlag.ERRQUEUE))) {
                        assertTimeExceededFromRouter(extendedError(m));
                    }
                    assertErrorQueueEmpty(s);

                    // With a TTL that reaches hostB the same socket gets its echo reply.
                    s.setOption(LinuxSocketOptions.IP_TTL, 64);
                    s.sendTo(IcmpEcho.request(1, 45, payload).toBytes(), new InetSocketAddress(HOST_B, 0));
                    IcmpEcho reply = (IcmpEcho) IcmpMessage.parse(s.recvFrom(512).data());
                    assertTrue(reply.reply());
                    assertEquals(45, reply.sequence());
                }
                return null;
            });
        }
    }

    static ControlMessage.ExtendedError extendedError(ReceivedMessage m) {
        return m.control().stream().filter(c -> c instanceof ControlMessage.ExtendedError)
                .map(c -> (ControlMessage.ExtendedError) c).findFirst()
                .orElseThrow(() -> new AssertionError("no IP_RECVERR control message in " + m));
    }

    static void assertTimeExceededFromRouter(ControlMessage.ExtendedError e) {
        assertEquals(ControlMessage.ExtendedError.ORIGIN_ICMP, e.origin(), e.toString());
        assertEquals(IcmpMessage.TYPE_TIME_EXCEEDED, e.type(), e.toString());
        assertEquals(0, e.code(), e.toString());
        assertEquals(113, e.errno().value(), e.toString());
        assertEquals("EHOSTUNREACH", e.errno().symbol());
        assertEquals(ROUTER_ON_A, e.offender(), "the router's address on hostA's link");
    }

    /**
     * A raw ICMP socket (in the calling thread's namespace) that passes only time-exceeded: it
     * sees the router's answer in the same softirq that queues the error on the probing socket,
     * so once it has it, the error is pending. (Peeking at the error queue would dequeue it.)
     */
    static Socket timeExceededObserver() throws Exception {
        Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP);
        s.setOption(LinuxSocketOptions.ICMP_FILTER, io.ffsock.IcmpFilter.blocking(
                java.util.stream.IntStream.range(0, 32).filter(t -> t != IcmpMessage.TYPE_TIME_EXCEEDED).toArray()));
        return s;
    }

    static void awaitTimeExceeded(Socket observer) throws Exception {
        assertFalse(RawSupport.receiveFor(observer, Duration.ofSeconds(3), d -> true).isEmpty(),
                "no time-exceeded reached hostA within 3 s");
        Thread.sleep(50); // the observer woke first; let the softirq finish queueing on the probing socket
    }

    static void assertErrorQueueEmpty(Socket s) throws Exception {
        s.setTimeout(Duration.ofMillis(200));
        assertThrows(java.net.SocketTimeoutException.class, () -> s.recvMsg(List.of(ByteBuffer.allocate(64)),
                Socket.DEFAULT_CONTROL_SPACE, Set.of(MsgFlag.ERRQUEUE)), "the error queue is empty");
        s.setTimeout(Duration.ofSeconds(3));
    }

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
