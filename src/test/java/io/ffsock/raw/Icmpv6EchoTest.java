package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.Protocol;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.packet.Icmpv6Echo;
import io.ffsock.packet.Icmpv6Message;
import io.ffsock.testing.Netns;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 4, part 7: ICMPv6 echo to ::1 on a raw ICMPv6 socket and on an ICMPv6 ping socket. */
class Icmpv6EchoTest {
    static final Inet6Address LOOPBACK6 = loopback6();
    static final byte[] PAYLOAD = "ffsock icmpv6".getBytes(StandardCharsets.US_ASCII);

    record Got(byte[] data, List<ControlMessage> control, InetSocketAddress sender) {}

    @Test
    void rawIcmpv6EchoKernelComputesTheChecksum() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("icmp6")) {
            ns.call(() -> {
                try (Socket s = Socket.open(Family.INET6, SocketType.RAW, Protocol.ICMPV6)) {
                    s.setOption(LinuxSocketOptions.IPV6_RECVHOPLIMIT, true);
                    assertTrue(s.getOption(LinuxSocketOptions.IPV6_RECVHOPLIMIT));
                    Icmpv6Echo echo = Icmpv6Echo.request(0x3636, 5, PAYLOAD);
                    byte[] sent = echo.toBytes();
                    assertEquals(0, sent[2] | sent[3], "sent with checksum 0");
                    s.sendTo(sent, new InetSocketAddress(LOOPBACK6, 0));

                    Got request = null, reply = null;
                    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    while (reply == null && System.nanoTime() < deadline) {
                        Got g = receive(s, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
                        if (g == null) break;
                        if (!(Icmpv6Message.parse(g.data()) instanceof Icmpv6Echo e) || e.identifier() != 0x3636) continue;
                        if (e.reply()) reply = g;
                        else request = g;
                    }
                    // No IPv6 header on receive; our own request comes back through lo with the
                    // checksum the kernel computed over the pseudo-header.
                    assertNotNull(request, "our request, looped back");
                    assertNotEquals(0, (request.data()[2] & 0xff) << 8 | (request.data()[3] & 0xff));
                    assertTrue(Icmpv6Message.checksumValid(request.data(), 0, request.data().length, LOOPBACK6, LOOPBACK6));
                    assertEquals(echo, Icmpv6Message.parse(request.data()));

                    assertNotNull(reply, "the kernel answered");
                    Icmpv6Echo r = (Icmpv6Echo) Icmpv6Message.parse(reply.data());
                    assertEquals(echo.toReply(), r);
                    assertArrayEquals(PAYLOAD, r.data());
                    assertTrue(Icmpv6Message.checksumValid(reply.data(), 0, reply.data().length, LOOPBACK6, LOOPBACK6));
                    assertEquals(new InetSocketAddress(LOOPBACK6, 0), reply.sender());
                    assertEquals("0:0:0:0:0:0:0:1", reply.sender().getAddress().getHostAddress(), "no %0 scope");
                    assertTrue(reply.control().contains(new ControlMessage.HopLimit(64)), reply.control().toString());
                }
                return null;
            });
        }
    }

    @Test
    void icmpv6PingSocketGetsItsReply() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("ping6")) {
            ns.sysctl("net.ipv4.ping_group_range", "0 2147483647"); // governs ICMPv6 ping sockets too
            ns.call(() -> {
                try (Socket s = Socket.open(Family.INET6, SocketType.DGRAM, Protocol.ICMPV6)) {
                    s.setOption(LinuxSocketOptions.IPV6_RECVHOPLIMIT, true);
                    s.sendTo(Icmpv6Echo.request(0x1111, 9, PAYLOAD).toBytes(), new InetSocketAddress(LOOPBACK6, 0));
                    int port = ((InetSocketAddress) s.localAddress()).getPort();
                    Got g = receive(s, Duration.ofSeconds(3));
                    assertNotNull(g, "no echo reply within 3 s");
                    // Only the reply arrives (not our request), without IPv6 header, id = bound port.
                    Icmpv6Echo r = (Icmpv6Echo) Icmpv6Message.parse(g.data());
                    assertEquals(new Icmpv6Echo(true, port, 9, PAYLOAD), r);
                    assertTrue(Icmpv6Message.checksumValid(g.data(), 0, g.data().length, LOOPBACK6, LOOPBACK6));
                    assertTrue(g.control().contains(new ControlMessage.HopLimit(64)), g.control().toString());
                    assertNull(receive(s, Duration.ofMillis(300)), "nothing else");
                }
                return null;
            });
        }
    }

    /** One message with its control data, or null after {@code wait}. */
    static Got receive(Socket s, Duration wait) throws Exception {
        s.setTimeout(wait);
        ByteBuffer in = ByteBuffer.allocate(1500);
        try (ReceivedMessage m = s.recvMsg(List.of(in), Socket.DEFAULT_CONTROL_SPACE, Set.of())) {
            byte[] d = new byte[in.flip().remaining()];
            in.get(d);
            return new Got(d, m.control(), (InetSocketAddress) m.sender());
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    static Inet6Address loopback6() {
        try {
            return (Inet6Address) InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
