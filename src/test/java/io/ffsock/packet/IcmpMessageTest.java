package io.ffsock.packet;

import static io.ffsock.packet.Captures.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IcmpMessageTest {

    private static IcmpMessage icmpOf(String packetHex) {
        byte[] p = Hex.bytes(packetHex);
        int ihl = Ipv4Header.parse(p).headerLength();
        return IcmpMessage.parse(p, ihl, p.length - ihl, true);
    }

    @Test
    void echoRequestAndReplyFromPing() {
        IcmpEcho request = assertInstanceOf(IcmpEcho.class, icmpOf(Captures.ECHO_REQUEST));
        assertFalse(request.reply());
        assertEquals(8, request.type());
        assertEquals(5380, request.identifier());
        assertEquals(1, request.sequence());
        assertEquals(16, request.data().length); // ping -s 16: a struct timeval
        IcmpEcho reply = assertInstanceOf(IcmpEcho.class, icmpOf(Captures.ECHO_REPLY));
        assertTrue(reply.reply());
        assertEquals(request.toReply(), reply);
        assertEquals("IcmpEcho[reply, id 5380, seq 1, data 9122086b000000005c700c0000000000]", reply.toString());
    }

    @Test
    void portUnreachableQuotesTheUdpDatagram() {
        IcmpDestinationUnreachable m = assertInstanceOf(IcmpDestinationUnreachable.class,
                icmpOf(Captures.PORT_UNREACHABLE));
        assertEquals(IcmpDestinationUnreachable.PORT_UNREACHABLE, m.code());
        assertEquals(0, m.nextHopMtu());
        Ipv4Header quoted = m.quote().header().orElseThrow();
        assertEquals(Ipv4Header.PROTOCOL_UDP, quoted.protocol());
        assertEquals(40, quoted.totalLength());
        // The quote is the whole datagram here: UDP 49476 > 9 and "hello-ffsock".
        byte[] udp = m.quote().payload();
        assertEquals(49476, Wire.u16(udp, 0));
        assertEquals(9, Wire.u16(udp, 2));
        assertEquals("hello-ffsock", new String(udp, 8, udp.length - 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(m.toString().startsWith("IcmpDestinationUnreachable[3 (port unreachable), QuotedDatagram[Ipv4Header[127.0.0.1 > 127.0.0.1, proto 17"),
                m.toString());
    }

    @Test
    void fragmentationNeededCarriesNextHopMtu() {
        byte[] p = Hex.resource(Captures.FRAG_NEEDED_RESOURCE);
        IcmpMessage parsed = IcmpMessage.parse(p, 20, p.length - 20, true);
        IcmpDestinationUnreachable m = assertInstanceOf(IcmpDestinationUnreachable.class, parsed);
        assertEquals(IcmpDestinationUnreachable.FRAGMENTATION_NEEDED, m.code());
        assertEquals(1280, m.nextHopMtu());
        Ipv4Header quoted = m.quote().header().orElseThrow();
        assertEquals(1428, quoted.totalLength(), "the original datagram, of which 548 bytes are quoted");
        assertEquals(v4("10.2.0.2"), quoted.destination());
        assertTrue(quoted.dontFragment());
        // The quoted payload is the start of the echo request ping sent.
        IcmpEcho original = assertInstanceOf(IcmpEcho.class, IcmpMessage.parse(m.quote().payload()));
        assertEquals(5624, original.identifier());
        assertArrayEquals(Arrays.copyOfRange(p, 20, p.length), m.toBytes());
    }

    @Test
    void timeExceededFromRouterQuotesEchoWithTtl1() {
        IcmpTimeExceeded m = assertInstanceOf(IcmpTimeExceeded.class, icmpOf(Captures.TIME_EXCEEDED));
        assertEquals(IcmpTimeExceeded.TTL_EXCEEDED_IN_TRANSIT, m.code());
        Ipv4Header quoted = m.quote().header().orElseThrow();
        assertEquals(1, quoted.ttl());
        assertEquals(v4("10.1.0.1"), quoted.source());
        IcmpEcho original = assertInstanceOf(IcmpEcho.class, IcmpMessage.parse(m.quote().payload()));
        assertEquals(5620, original.identifier());
        assertEquals(1, original.sequence());
    }

    @Test
    void parameterProblemPointsAtTheBadOptionByte() {
        IcmpParameterProblem m = assertInstanceOf(IcmpParameterProblem.class, icmpOf(Captures.PARAMETER_PROBLEM));
        assertEquals(IcmpParameterProblem.POINTER_INDICATES_ERROR, m.code());
        assertEquals(22, m.pointer()); // tcpdump: "parameter problem - octet 22"
        byte[] quote = m.quote().bytes();
        assertEquals(2, quote[m.pointer()], "the Record Route pointer the kernel rejected");
        assertEquals(1, m.quote().header().orElseThrow().options().size());
    }

    @Test
    void redirectNamesTheBetterGateway() {
        IcmpRedirect m = assertInstanceOf(IcmpRedirect.class, icmpOf(Captures.REDIRECT));
        assertEquals(IcmpRedirect.FOR_HOST, m.code());
        assertEquals(v4("10.3.0.2"), m.gateway()); // tcpdump: "redirect 10.3.0.2 to host 10.3.0.2"
        assertEquals(63, m.quote().header().orElseThrow().ttl());
        assertTrue(m.quote().header().orElseThrow().checksumValid(), "the router updated the quoted checksum");
    }

    @Test
    void timestampRequestAndKernelReply() {
        IcmpTimestamp request = assertInstanceOf(IcmpTimestamp.class, icmpOf(Captures.TIMESTAMP_REQUEST));
        assertFalse(request.reply());
        assertEquals(0x4242, request.identifier());
        assertEquals(7, request.sequence());
        assertEquals(12345678, request.originate());
        IcmpTimestamp reply = assertInstanceOf(IcmpTimestamp.class, icmpOf(Captures.TIMESTAMP_REPLY));
        assertTrue(reply.reply());
        assertEquals(12345678, reply.originate());
        // tcpdump: "recv 12:14:18.783, xmit 12:14:18.783" in milliseconds since midnight UT.
        long ms = ((12 * 60 + 14) * 60 + 18) * 1000L + 783;
        assertEquals(ms, reply.receive());
        assertEquals(ms, reply.transmit());
    }

    @Test
    void everyCapturedMessageReencodesByteForByte() {
        for (byte[] p : Captures.icmpPackets()) {
            int ihl = 4 * (p[0] & 0x0F);
            IcmpMessage m = IcmpMessage.parse(p, ihl, p.length - ihl);
            assertTrue(IcmpMessage.checksumValid(p, ihl, p.length - ihl));
            assertArrayEquals(Arrays.copyOfRange(p, ihl, p.length), m.toBytes(), m.toString());
            byte[] shifted = new byte[m.length() + 5];
            assertEquals(m.length(), m.writeTo(shifted, 5));
            assertArrayEquals(m.toBytes(), Arrays.copyOfRange(shifted, 5, shifted.length));
        }
    }

    @Test
    void unknownTypesAndUndefinedCodesAreKeptRaw() {
        // Router Advertisement (RFC 1256): not modelled, kept whole.
        byte[] advert = new IcmpUnknown(9, 0, Hex.bytes("01020708c0a80101000000ff")).toBytes();
        IcmpUnknown u = assertInstanceOf(IcmpUnknown.class, IcmpMessage.parse(advert, 0, advert.length, true));
        assertEquals(9, u.type());
        assertArrayEquals(advert, u.toBytes());
        // An echo request with code 1 is not an echo as RFC 792 defines it.
        byte[] oddEcho = new IcmpUnknown(8, 1, new byte[4]).toBytes();
        assertInstanceOf(IcmpUnknown.class, IcmpMessage.parse(oddEcho));
    }

    @Test
    void shortQuoteHasNoHeaderButKeepsTheBytes() {
        IcmpTimeExceeded m = new IcmpTimeExceeded(0, QuotedDatagram.of(Hex.bytes("4500002400")));
        IcmpTimeExceeded back = assertInstanceOf(IcmpTimeExceeded.class, IcmpMessage.parse(m.toBytes()));
        assertTrue(back.quote().header().isEmpty());
        assertArrayEquals(Hex.bytes("4500002400"), back.quote().payload());
        assertEquals(m, back);
        // And an empty quote is tolerated too.
        assertEquals(new IcmpTimeExceeded(1, QuotedDatagram.of(new byte[0])),
                IcmpMessage.parse(Hex.bytes("0b01f4fe00000000")));
    }

    @Test
    void buildsErrorsFromHeaderAndPayload() {
        Ipv4Header original = Ipv4Header.of(Ipv4Header.PROTOCOL_UDP, 64, v4("192.0.2.1"), v4("198.51.100.7"),
                java.util.List.of(), 8);
        QuotedDatagram quote = QuotedDatagram.of(original, Hex.bytes("0035003500080000"));
        IcmpDestinationUnreachable m = new IcmpDestinationUnreachable(4, 1400, quote);
        byte[] b = m.toBytes();
        assertEquals(0, InternetChecksum.checksum(b));
        assertEquals(1400, Wire.u16(b, 6));
        assertEquals(m, IcmpMessage.parse(b));
        assertEquals(original.destination(), quote.header().orElseThrow().destination());
    }

    @Test
    void checksumIsReportedAndOptionallyEnforced() {
        byte[] m = IcmpEcho.request(1, 2, new byte[] {1, 2, 3}).toBytes();
        m[m.length - 1] ^= 1;
        assertFalse(IcmpMessage.checksumValid(m, 0, m.length));
        assertInstanceOf(IcmpEcho.class, IcmpMessage.parse(m), "not rejected by default");
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> IcmpMessage.parse(m, 0, m.length, true));
        assertTrue(e.getMessage().startsWith("ICMP checksum 0x"), e.getMessage());
    }

    @Test
    void rejectsTruncatedBodiesWithSpecificMessages() {
        assertEquals("ICMP message too short: 3 bytes, need 4",
                assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(new byte[3])).getMessage());
        assertEquals("ICMP echo request too short: 6 bytes, need 8",
                assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(Hex.bytes("080000000000")))
                        .getMessage());
        assertEquals("ICMP timestamp reply is 19 bytes, must be 20",
                assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(new byte[] {14, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})).getMessage());
        assertEquals("ICMP destination unreachable too short: 7 bytes, need 8",
                assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(Hex.bytes("03030000000000")))
                        .getMessage());
    }

    @Test
    void constructorsRejectOutOfRangeFields() {
        assertThrows(IllegalArgumentException.class, () -> IcmpEcho.request(70000, 0, new byte[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IcmpDestinationUnreachable(3, 1500, QuotedDatagram.of(new byte[0])));
        assertEquals("next-hop MTU 1500 is only carried by code 4, not code 3", e.getMessage());
    }

    @Test
    void dataIsCopiedInAndOut() {
        byte[] data = {1, 2, 3};
        IcmpEcho e = IcmpEcho.request(1, 1, data);
        data[0] = 9;
        e.data()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, e.data());
    }
}
