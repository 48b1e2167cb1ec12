package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.testing.Netns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 4, part 8: IP_PKTINFO, IP_RECVTOS and IP_RECVTTL on UDP over loopback. */
class UdpControlMessagesTest {

    @Test
    void pktinfoTosAndTtlArriveAsControlMessages() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("udpcmsg")) {
            ns.call(() -> {
                int lo = NetworkInterface.getByName("lo").getIndex();
                InetAddress l1 = InetAddress.getByName("127.0.0.1");
                try (Socket rx = Socket.open(Family.INET, SocketType.DGRAM);
                     Socket tx = Socket.open(Family.INET, SocketType.DGRAM)) {
                    rx.bind(new InetSocketAddress("0.0.0.0", 0)); // any local address: pktinfo tells which
                    int port = ((InetSocketAddress) rx.localAddress()).getPort();
                    rx.setOption(LinuxSocketOptions.IP_PKTINFO, true);
                    rx.setOption(LinuxSocketOptions.IP_RECVTOS, true);
                    rx.setOption(LinuxSocketOptions.IP_RECVTTL, true);
                    assertTrue(rx.getOption(LinuxSocketOptions.IP_PKTINFO));
                    assertTrue(rx.getOption(LinuxSocketOptions.IP_RECVTOS));
                    rx.setTimeout(Duration.ofSeconds(3));
                    tx.setOption(StandardSocketOptions.IP_TOS, 0x28);
                    tx.setOption(LinuxSocketOptions.IP_TTL, 17);

                    tx.sendTo("one".getBytes(StandardCharsets.US_ASCII), new InetSocketAddress(l1, port));
                    try (ReceivedMessage m = rx.recvMsg(ByteBuffer.allocate(64))) {
                        assertEquals(3, m.length());
                        List<ControlMessage> c = m.control();
                        assertTrue(c.contains(new ControlMessage.PacketInfo(lo, l1, l1)), c.toString());
                        assertTrue(c.contains(new ControlMessage.Tos(0x28)), c.toString());
                        assertTrue(c.contains(new ControlMessage.Ttl(17)), c.toString());
                        assertEquals(3, c.size(), c.toString());
                    }

                    // To another loopback address: the destination (and our local address) is 127.0.0.2.
                    InetAddress l2 = InetAddress.getByName("127.0.0.2");
                    tx.sendTo("two".getBytes(StandardCharsets.US_ASCII), new InetSocketAddress(l2, port));
                    try (ReceivedMessage m = rx.recvMsg(ByteBuffer.allocate(64))) {
                        assertTrue(m.control().contains(new ControlMessage.PacketInfo(lo, l2, l2)), m.control().toString());
                    }

                    // Sending with a PacketInfo picks the source address (ipi_spec_dst).
                    InetAddress l3 = InetAddress.getByName("127.0.0.3");
                    tx.sendMsg(List.of(ByteBuffer.wrap("three".getBytes(StandardCharsets.US_ASCII))),
                            List.of(new ControlMessage.PacketInfo(0, l3, null)), Set.of(), new InetSocketAddress(l1, port));
                    try (ReceivedMessage m = rx.recvMsg(ByteBuffer.allocate(64))) {
                        assertEquals(l3, ((InetSocketAddress) m.sender()).getAddress());
                        assertTrue(m.control().contains(new ControlMessage.PacketInfo(lo, l1, l1)), m.control().toString());
                    }

                    // And a Tos/Ttl control message on send overrides the socket's values for one datagram.
                    tx.sendMsg(List.of(ByteBuffer.wrap("four".getBytes(StandardCharsets.US_ASCII))),
                            List.of(new ControlMessage.Tos(0x10), new ControlMessage.Ttl(3)), Set.of(),
                            new InetSocketAddress(l1, port));
                    try (ReceivedMessage m = rx.recvMsg(ByteBuffer.allocate(64))) {
                        assertTrue(m.control().contains(new ControlMessage.Tos(0x10)), m.control().toString());
                        assertTrue(m.control().contains(new ControlMessage.Ttl(3)), m.control().toString());
                    }
                }
                return null;
            });
        }
    }
}
