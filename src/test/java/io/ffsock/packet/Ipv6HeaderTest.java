package io.ffsock.packet;

import static io.ffsock.packet.Captures.v6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Ipv6Header} and {@link QuotedIpv6Packet} against captured packets, decoded by tshark. */
class Ipv6HeaderTest {
    private static final Inet6Address A = v6("fd00:1::1");
    private static final Inet6Address ROUTER = v6("fd00:1::fe");
    private static final Inet6Address B = v6("fd00:2::2");

    private static Icmpv6Message icmpAfterHeader(byte[] packet) {
        return Icmpv6Message.parse(packet, Ipv6Header.LENGTH, packet.length - Ipv6Header.LENGTH);
    }

    @Test
    void parsesCapturedOuterHeader() {
        // tshark: class 0x00, flow 0x0a279b, plen 88, nxt 58, hlim 64, fd00:1::fe > fd00:1::1
        byte[] p = Hex.bytes(Captures.TRACE6_UDP_TIME_EXCEEDED);
        Ipv6Header h = Ipv6Header.parse(p);
        assertEquals(new Ipv6Header(0, 0x0a279b, 88, Ipv6Header.NEXT_HEADER_ICMPV6, 64, ROUTER, A), h);
        assertEquals(p.length - Ipv6Header.LENGTH, h.payloadLength(), "an uncut packet");
        assertTrue(h.payloadAvailable(p.length - Ipv6Header.LENGTH));
        assertArrayEquals(Arrays.copyOf(p, Ipv6Header.LENGTH), h.toBytes());
        assertEquals("Ipv6Header[fd00:1:0:0:0:0:0:fe > fd00:1:0:0:0:0:0:1, next header 58, hop limit 64,"
                + " class 0x00, flow label 0xa279b, payload length 88]", h.toString());
    }

    @Test
    void everyCapturedHeaderReEncodesToItsBytes() {
        for (byte[] p : Captures.ipv6Packets()) {
            assertArrayEquals(Arrays.copyOf(p, 40), Ipv6Header.parse(p).toBytes(), Hex.of(p));
            byte[] quoted = Arrays.copyOfRange(p, 48, 88);
            assertArrayEquals(quoted, Ipv6Header.parse(quoted).toBytes(), Hex.of(p));
        }
    }

    @Test
    void timeExceededQuotesTheUdpProbeWithClassAndFlowLabel() {
        byte[] p = Hex.bytes(Captures.TRACE6_UDP_TIME_EXCEEDED);
        Icmpv6TimeExceeded t = assertInstanceOf(Icmpv6TimeExceeded.class, icmpAfterHeader(p));
        // tshark [icmp6 sum ok]: the outer header's addresses make the pseudo-header
        assertTrue(Icmpv6Message.checksumValid(p, 40, p.length - 40, ROUTER, A));
        QuotedIpv6Packet q = t.quote();
        // tshark: quoted class 0xb8, flow 0x069f6a, plen 40, nxt 17, hlim 1
        assertEquals(Optional.of(new Ipv6Header(0xb8, 0x069f6a, 40, Ipv6Header.NEXT_HEADER_UDP, 1, A, B)), q.header());
        assertFalse(q.truncated());
        byte[] udp = q.payload();
        assertEquals(40, udp.length);
        assertEquals(33434, Wire.u16(udp, 2), "destination port of the probe");
        assertArrayEquals(t.invokingPacket(), q.bytes());
        assertEquals(80, q.length());
    }

    @Test
    void portUnreachableQuotesThePacketAsItArrived() {
        byte[] p = Hex.bytes(Captures.TRACE6_PORT_UNREACHABLE);
        assertEquals(new Ipv6Header(0, 0x06bc01, 88, 58, 63, B, A), Ipv6Header.parse(p));
        Icmpv6DestinationUnreachable u = assertInstanceOf(Icmpv6DestinationUnreachable.class, icmpAfterHeader(p));
        assertEquals(Icmpv6DestinationUnreachable.PORT_UNREACHABLE, u.code());
        assertEquals(new Ipv6Header(0, 0x092860, 40, 17, 63, A, B), u.quote().header().orElseThrow());
        assertEquals(33436, Wire.u16(u.quote().payload(), 2));
    }

    @Test
    void noRouteQuotesTheEchoRequest() {
        byte[] p = Hex.bytes(Captures.TRACE6_NO_ROUTE);
        Icmpv6DestinationUnreachable u = assertInstanceOf(Icmpv6DestinationUnreachable.class, icmpAfterHeader(p));
        assertEquals(Icmpv6DestinationUnreachable.NO_ROUTE, u.code());
        assertTrue(Icmpv6Message.checksumValid(p, 40, p.length - 40, ROUTER, A));
        Ipv6Header h = u.quote().header().orElseThrow();
        assertEquals(new Ipv6Header(0, 0x05557c, 40, Ipv6Header.NEXT_HEADER_ICMPV6, 64, A, v6("fd99::1")), h);
        // The quoted upper layer is the whole echo request; its checksum verifies with the quoted addresses.
        byte[] echo = u.quote().payload();
        assertEquals(Icmpv6Echo.request(0x1234, 1, Arrays.copyOfRange(echo, 8, echo.length)), Icmpv6Message.parse(echo));
        assertTrue(Icmpv6Message.checksumValid(echo, 0, echo.length, h.source(), h.destination()));
    }

    @Test
    void echoTimeExceededQuotesIdentifierAndSequence() {
        byte[] p = Hex.bytes(Captures.TRACE6_ECHO_TIME_EXCEEDED);
        Icmpv6TimeExceeded t = assertInstanceOf(Icmpv6TimeExceeded.class, icmpAfterHeader(p));
        assertEquals(new Ipv6Header(0, 0x07ba7d, 40, 58, 1, A, B), t.quote().header().orElseThrow());
        Icmpv6Echo e = assertInstanceOf(Icmpv6Echo.class, Icmpv6Message.parse(t.quote().payload()));
        assertEquals(0x1234, e.identifier());
        assertEquals(2, e.sequence());
    }

    @Test
    void packetTooBigQuoteIsReportedTruncated() {
        // The router quoted 1232 bytes of a 1348-byte packet (plen 1308) to stay within 1280.
        Icmpv6PacketTooBig m = (Icmpv6PacketTooBig) Icmpv6Message.parse(Hex.resource(Captures.PACKET_TOO_BIG_RESOURCE));
        QuotedIpv6Packet q = m.quote();
        Ipv6Header h = q.header().orElseThrow();
        assertEquals(1308, h.payloadLength());
        assertEquals(1192, q.payload().length);
        assertFalse(h.payloadAvailable(q.payload().length));
        assertTrue(q.truncated());
        assertTrue(q.toString().startsWith("QuotedIpv6Packet[Ipv6Header[fd00:1:0:0:0:0:0:1 > fd00:2:0:0:0:0:0:2,"
                + " next header 58, hop limit 64, class 0x00, flow label 0x7ba7d, payload length 1308], truncated,"
                + " payload 80003f3e163f0001"), q.toString());
    }

    @Test
    void errorsBuiltFromAQuoteEqualThoseBuiltFromBytes() {
        QuotedIpv6Packet q = QuotedIpv6Packet.of(Ipv6Header.of(17, 1, A, B, 8), Hex.bytes("829a829a00080000"));
        assertEquals(new Icmpv6TimeExceeded(0, q.bytes()), new Icmpv6TimeExceeded(0, q));
        assertEquals(new Icmpv6DestinationUnreachable(4, q.bytes()), new Icmpv6DestinationUnreachable(4, q));
        assertEquals(new Icmpv6PacketTooBig(1280, q.bytes()), new Icmpv6PacketTooBig(1280, q));
        assertEquals(new Icmpv6ParameterProblem(1, 6, q.bytes()), new Icmpv6ParameterProblem(1, 6, q));
        assertEquals(q, new Icmpv6ParameterProblem(1, 6, q).quote());
        byte[] wire = new Icmpv6TimeExceeded(0, q).toBytes(ROUTER, A);
        assertEquals(q, ((Icmpv6TimeExceeded) Icmpv6Message.parse(wire)).quote());
    }

    @Test
    void shortOrForeignQuotesKeepTheirBytes() {
        QuotedIpv6Packet shortQuote = QuotedIpv6Packet.of(Arrays.copyOf(Hex.bytes(Captures.TRACE6_ECHO_TIME_EXCEEDED), 39));
        assertEquals(Optional.empty(), shortQuote.header());
        assertEquals(39, shortQuote.payload().length);
        assertFalse(shortQuote.truncated());
        QuotedIpv6Packet v4 = QuotedIpv6Packet.of(Hex.bytes(Captures.ECHO_REQUEST));
        assertEquals(Optional.empty(), v4.header());
        assertTrue(v4.toString().startsWith("QuotedIpv6Packet[unparsed 4500002c"), v4.toString());
    }

    @Test
    void rejectsShortInputAndOtherVersions() {
        assertEquals("IPv6 header too short: 39 bytes, need 40",
                assertThrows(MalformedPacketException.class, () -> Ipv6Header.parse(new byte[39])).getMessage());
        assertEquals("IP version 4 is not 6",
                assertThrows(MalformedPacketException.class, () -> Ipv6Header.parse(Hex.bytes(Captures.PORT_UNREACHABLE)))
                        .getMessage());
        assertEquals("IP version 0 is not 6",
                assertThrows(MalformedPacketException.class, () -> Ipv6Header.parse(new byte[40])).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Ipv6Header.parse(new byte[40], 1, 40));
    }

    @Test
    void aV4MappedAddressStaysAnInet6Address() {
        byte[] b = Hex.bytes(Captures.TRACE6_ECHO_TIME_EXCEEDED);
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        System.arraycopy(mapped, 0, b, 8, 16);
        Ipv6Header h = Ipv6Header.parse(b);
        assertArrayEquals(mapped, h.source().getAddress());
        assertArrayEquals(Arrays.copyOf(b, 40), h.toBytes());
    }

    @Test
    void constructorChecksRanges() {
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(256, 0, 0, 0, 0, A, B));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(0, 0x10_0000, 0, 0, 0, A, B));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(0, 0, 0x1_0000, 0, 0, A, B));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(0, 0, 0, 0, 256, A, B));
        assertThrows(NullPointerException.class, () -> new Ipv6Header(0, 0, 0, 0, 0, null, B));
        Ipv6Header max = new Ipv6Header(255, 0xF_FFFF, 0xFFFF, 255, 255, A, B);
        assertEquals(max, Ipv6Header.parse(max.toBytes()));
        assertEquals("6fffffff", Hex.of(Arrays.copyOf(max.toBytes(), 4)));
    }

    @Test
    void writesAtAnOffsetWithoutTouchingNeighbours() {
        Ipv6Header h = Ipv6Header.parse(Hex.bytes(Captures.TRACE6_NO_ROUTE));
        byte[] b = new byte[50];
        Arrays.fill(b, (byte) 0xEE);
        assertEquals(40, h.writeTo(b, 5));
        assertEquals((byte) 0xEE, b[4]);
        assertEquals((byte) 0xEE, b[45]);
        assertEquals(h, Ipv6Header.parse(b, 5, 40));
        assertThrows(IndexOutOfBoundsException.class, () -> h.writeTo(new byte[40], 1));
    }
}
