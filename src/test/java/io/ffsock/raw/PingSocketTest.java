package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.Protocol;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.packet.IcmpEcho;
import io.ffsock.packet.IcmpMessage;
import io.ffsock.testing.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, part 6: ping sockets (SOCK_DGRAM + IPPROTO_ICMP) need no privilege where
 * net.ipv4.ping_group_range allows the user's group; the namespace default "1 0" allows no one.
 */
class PingSocketTest {

    @Test
    void nobodyPingsLoopbackWhereTheRangeAllowsIt() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("ping")) {
            ns.sysctl("net.ipv4.ping_group_range", "0 2147483647");
            RawSupport.Result r = RawSupport.run(List.of(ns.inside(
                    RawSupport.asNobody("ping4", "127.0.0.1").toArray(String[]::new))));
            assertEquals(0, r.exit(), r.toString());
            List<String> out = r.stdout().lines().toList();
            assertTrue(out.contains("UID 65534"), r.toString());
            assertTrue(out.contains("OPENED"), r.toString());
            int port = Integer.parseInt(value(out, "PORT", r));
            assertTrue(port > 0, r.toString());
            // The kernel put the bound port in as the id, and the reply carries it back.
            assertEquals("reply=true id=" + port + " seq=7 data=ffsock-nobody", value(out, "REPLY", r));
            // No IP header in front: the data starts with the ICMP type (0, echo reply), 8 + 13 bytes.
            byte[] bytes = HexFormat.of().parseHex(value(out, "BYTES", r));
            assertEquals(8 + ChildMain.PAYLOAD.length, bytes.length, r.toString());
            assertEquals(0, bytes[0]);
            assertEquals("127.0.0.1", value(out, "FROM", r));
            assertEquals("64", value(out, "TTL", r), "IP_RECVTTL gives the reply's TTL");
        }
    }

    @Test
    void nobodyPingsIpv6LoopbackUnderTheSameIpv4Sysctl() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("ping6")) {
            ns.sysctl("net.ipv4.ping_group_range", "0 2147483647");
            RawSupport.Result r = RawSupport.run(List.of(ns.inside(
                    RawSupport.asNobody("ping6", "::1").toArray(String[]::new))));
            List<String> out = r.stdout().lines().toList();
            assertTrue(out.contains("UID 65534"), r.toString());
            int port = Integer.parseInt(value(out, "PORT", r));
            assertEquals("reply=true id=" + port + " seq=7 data=ffsock-nobody", value(out, "REPLY", r));
            assertEquals("0:0:0:0:0:0:0:1", value(out, "FROM", r), "the sender, without a scope (no %0)");
            assertEquals("64", value(out, "HOPLIMIT", r), "IPV6_RECVHOPLIMIT gives the reply's hop limit");
        }
    }

    @Test
    void defaultRangeRefusesEveryoneAndTheMessageSaysWhy() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("noping")) {
            assertEquals("1\t0", ns.run("cat", "/proc/sys/net/ipv4/ping_group_range").strip());
            RawSupport.Result r = RawSupport.run(List.of(ns.inside(
                    RawSupport.asNobody("ping4", "127.0.0.1").toArray(String[]::new))));
            String error = r.stdout().lines().filter(l -> l.startsWith("ERROR")).findFirst()
                    .orElseThrow(() -> new AssertionError("nobody opened a ping socket under '1 0': " + r));
            assertTrue(error.contains("EACCES"), error);
            assertTrue(error.contains("ping_group_range"), error);
            assertFalse(r.stdout().contains("OPENED"), r.toString());

            // Root is refused too: the range is about groups, not capabilities.
            IOException e = assertThrows(IOException.class, () -> ns.call(
                    () -> Socket.open(Family.INET, SocketType.DGRAM, Protocol.ICMP)));
            assertEquals("EACCES", ((SyscallError) e).errno().symbol(), e.getMessage());
            assertTrue(e.getMessage().contains("ping_group_range"), e.getMessage());
        }
    }

    /** In-process: the TTL the sender chose arrives as a Ttl control message; only echo requests go out. */
    @Test
    void recvTtlAndOnlyEchoRequestsMaySend() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("pingttl")) {
            ns.sysctl("net.ipv4.ping_group_range", "0 0");
            ns.call(() -> {
                try (Socket s = Socket.open(Family.INET, SocketType.DGRAM, Protocol.ICMP)) {
                    s.setOption(LinuxSocketOptions.IP_RECVTTL, true);
                    s.setOption(LinuxSocketOptions.IP_TTL, 33);
                    s.setTimeout(Duration.ofSeconds(3));
                    InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
                    s.sendTo(IcmpEcho.request(0, 1, new byte[4]).toBytes(), lo);
                    ByteBuffer in = ByteBuffer.allocate(256);
                    try (ReceivedMessage m = s.recvMsg(List.of(in), Socket.DEFAULT_CONTROL_SPACE, Set.of())) {
                        byte[] d = new byte[in.flip().remaining()];
                        in.get(d);
                        IcmpEcho reply = (IcmpEcho) IcmpMessage.parse(d, 0, d.length, true);
                        assertTrue(reply.reply());
                        assertEquals(((InetSocketAddress) s.localAddress()).getPort(), reply.identifier());
                        // The kernel's reply goes out with its own default TTL (64), whatever ours was.
                        assertEquals(List.of(new ControlMessage.Ttl(64)), ttls(m));
                    }
                    // Anything but an echo request is refused by the kernel.
                    byte[] reply = IcmpEcho.request(0, 2, new byte[4]).toReply().toBytes();
                    IOException e = assertThrows(IOException.class, () -> s.sendTo(reply, lo));
                    assertEquals("EINVAL", ((SyscallError) e).errno().symbol(), e.getMessage());
                }
                return null;
            });
        }
    }

    static List<ControlMessage.Ttl> ttls(ReceivedMessage m) {
        List<ControlMessage.Ttl> out = new ArrayList<>();
        for (ControlMessage c : m.control()) if (c instanceof ControlMessage.Ttl t) out.add(t);
        return out;
    }

    static String value(List<String> lines, String key, RawSupport.Result r) {
        return lines.stream().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " line in\n" + r));
    }
}
