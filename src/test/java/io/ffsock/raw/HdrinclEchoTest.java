package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Datagram;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.Protocol;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.packet.IcmpEcho;
import io.ffsock.packet.IcmpMessage;
import io.ffsock.packet.Ipv4Header;
import io.ffsock.testing.Netns;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, part 2: a hand-built IPv4 + ICMP echo request sent with IP_HDRINCL to 127.0.0.1,
 * answered by the kernel. The raw ICMP socket also receives its own request as it came in on
 * {@code lo}, which shows which header fields the kernel filled in.
 */
class HdrinclEchoTest {
    static final Inet4Address LOOPBACK = (Inet4Address) InetAddress.getLoopbackAddress();
    static final Inet4Address ANY = inet4("0.0.0.0");
    static final InetSocketAddress TO = new InetSocketAddress(LOOPBACK, 0);

    /** One echo exchange as the raw socket saw it: our request on the way in, and the reply. */
    record Exchange(Ipv4Header requestHeader, IcmpEcho request, Ipv4Header replyHeader, IcmpEcho reply) {}

    @Test
    void kernelAnswersAndFillsInLengthChecksumIdAndSource() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("hdrincl")) {
            ns.call(() -> {
                try (Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
                    s.setOption(LinuxSocketOptions.IP_HDRINCL, true);
                    assertTrue(s.getOption(LinuxSocketOptions.IP_HDRINCL));
                    byte[] payload = "ffsock hdrincl".getBytes(StandardCharsets.US_ASCII);
                    IcmpEcho echo = IcmpEcho.request(0x1234, 1, payload);

                    // DF clear: total length 0, id 0, checksum 0, source 0.0.0.0.
                    Exchange x = exchange(s, echo, 0, true);
                    int length = 20 + echo.length();
                    assertEquals(length, x.requestHeader().totalLength(), "kernel filled in the total length");
                    assertTrue(x.requestHeader().checksumValid(), "kernel filled in the IP checksum: " + x.requestHeader());
                    assertNotEquals(0, x.requestHeader().checksum());
                    assertNotEquals(0, x.requestHeader().identification(), "id 0 with DF clear is replaced");
                    assertEquals(LOOPBACK, x.requestHeader().source(), "source 0 becomes the route's source");
                    assertEquals(LOOPBACK, x.requestHeader().destination());
                    assertEquals(64, x.requestHeader().ttl());
                    assertEquals(echo, x.request(), "the ICMP part arrives as we built it");

                    assertNotNull(x.reply(), "the kernel answered our hand-built request");
                    assertEquals(0x1234, x.reply().identifier());
                    assertEquals(1, x.reply().sequence());
                    assertArrayEquals(payload, x.reply().data());
                    assertEquals(LOOPBACK, x.replyHeader().source());
                    assertEquals(length, x.replyHeader().totalLength());
                    assertTrue(x.replyHeader().checksumValid());

                    // DF set: the id stays 0; the rest is filled in as before.
                    IcmpEcho echo2 = IcmpEcho.request(0x1234, 2, payload);
                    Exchange df = exchange(s, echo2, Ipv4Header.DONT_FRAGMENT, true);
                    assertEquals(0, df.requestHeader().identification(), "id 0 with DF set stays 0");
                    assertTrue(df.requestHeader().dontFragment());
                    assertEquals(length, df.requestHeader().totalLength());
                    assertTrue(df.requestHeader().checksumValid());
                    assertEquals(LOOPBACK, df.requestHeader().source());
                    assertNotNull(df.reply(), "the DF request was answered too");
                    assertEquals(2, df.reply().sequence());
                }
                return null;
            });
        }
    }

    /** The kernel never computes the ICMP checksum under IP_HDRINCL: a wrong one goes out and gets no reply. */
    @Test
    void wrongIcmpChecksumIsSentAsIsAndNotAnswered() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("hdrincl")) {
            ns.call(() -> {
                try (Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
                    s.setOption(LinuxSocketOptions.IP_HDRINCL, true);
                    IcmpEcho echo = IcmpEcho.request(0x7777, 9, new byte[16]);
                    Exchange x = exchange(s, echo, 0, false);
                    assertNull(x.reply(), "no reply to a bad ICMP checksum");
                    assertEquals(0x7777, x.request().identifier(), "our request still went out: " + x);
                }
                return null;
            });
        }
    }

    /**
     * Sends {@code echo} behind a header whose total length, id, checksum and source are 0, with
     * the given flags (and the ICMP checksum broken unless {@code goodIcmpChecksum}); then
     * collects what the socket receives for a second, or until the reply has come.
     */
    static Exchange exchange(Socket s, IcmpEcho echo, int flags, boolean goodIcmpChecksum) throws Exception {
        Ipv4Header h = new Ipv4Header(0, 0, 0, flags, 0, 64, Ipv4Header.PROTOCOL_ICMP, 0, ANY, LOOPBACK, List.of());
        byte[] packet = new byte[20 + echo.length()];
        h.writeTo(packet, 0);
        packet[10] = 0; // writeTo computed a header checksum: send 0 and let the kernel fill it in
        packet[11] = 0;
        echo.writeTo(packet, 20);
        if (!goodIcmpChecksum) packet[23] ^= 0x55;
        assertEquals(packet.length, s.sendTo(packet, TO));

        Ipv4Header requestHeader = null, replyHeader = null;
        IcmpEcho request = null, reply = null;
        List<Datagram> got = RawSupport.receiveFor(s, Duration.ofSeconds(goodIcmpChecksum ? 3 : 1),
                d -> parsedEcho(d).filter(e -> e.reply() && e.sequence() == echo.sequence()).isPresent());
        for (Datagram d : got) {
            Optional<IcmpEcho> e = parsedEcho(d);
            if (e.isEmpty() || e.get().identifier() != echo.identifier() || e.get().sequence() != echo.sequence()) continue;
            assertEquals(new InetSocketAddress(LOOPBACK, 0), d.sender(), "raw sockets report port 0");
            if (e.get().reply()) {
                replyHeader = Ipv4Header.parse(d.data());
                reply = e.get();
                assertTrue(IcmpMessage.checksumValid(d.data(), replyHeader.headerLength(),
                        d.data().length - replyHeader.headerLength()), "the kernel's reply has a valid ICMP checksum");
            } else {
                requestHeader = Ipv4Header.parse(d.data());
                request = e.get();
            }
        }
        assertNotNull(requestHeader, "the raw socket receives its own request on lo: " + got);
        return new Exchange(requestHeader, request, replyHeader, reply);
    }

    static Optional<IcmpEcho> parsedEcho(Datagram d) {
        Ipv4Header h = Ipv4Header.parse(d.data());
        IcmpMessage m = IcmpMessage.parse(d.data(), h.headerLength(), d.data().length - h.headerLength());
        return m instanceof IcmpEcho e ? Optional.of(e) : Optional.empty();
    }

    static Inet4Address inet4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
