package io.ffsock.packet;

import static io.ffsock.packet.Captures.v6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import org.junit.jupiter.api.Test;

class Icmpv6MessageTest {
    private static final Inet6Address LOOPBACK = v6("::1");
    private static final Inet6Address ROUTER = v6("fd00:1::fe");
    private static final Inet6Address HOST = v6("fd00:1::1");

    @Test
    void echoRequestAndReplyOverLoopback() {
        byte[] req = Hex.bytes(Captures.ECHO6_REQUEST);
        Icmpv6Echo request = assertInstanceOf(Icmpv6Echo.class, Icmpv6Message.parse(req));
        assertFalse(request.reply());
        assertEquals(128, request.type());
        assertEquals(5383, request.identifier());
        assertEquals(1, request.sequence());
        assertTrue(Icmpv6Message.checksumValid(req, 0, req.length, LOOPBACK, LOOPBACK));
        assertArrayEquals(req, request.toBytes(LOOPBACK, LOOPBACK));
        byte[] rep = Hex.bytes(Captures.ECHO6_REPLY);
        assertEquals(request.toReply(), Icmpv6Message.parse(rep));
        assertArrayEquals(rep, request.toReply().toBytes(LOOPBACK, LOOPBACK));
    }

    @Test
    void toBytesWithoutAddressesLeavesChecksumForTheKernel() {
        byte[] b = Icmpv6Message.parse(Hex.bytes(Captures.ECHO6_REQUEST)).toBytes();
        assertEquals(0, Wire.u16(b, 2));
        assertFalse(Icmpv6Message.checksumValid(b, 0, b.length, LOOPBACK, LOOPBACK));
    }

    @Test
    void checksumDependsOnThePseudoHeader() {
        byte[] req = Hex.bytes(Captures.ECHO6_REQUEST);
        assertFalse(Icmpv6Message.checksumValid(req, 0, req.length, LOOPBACK, HOST));
    }

    @Test
    void portUnreachableQuotesTheUdpPacket() {
        byte[] b = Hex.bytes(Captures.PORT_UNREACHABLE6);
        Icmpv6DestinationUnreachable m = assertInstanceOf(Icmpv6DestinationUnreachable.class, Icmpv6Message.parse(b));
        assertEquals(Icmpv6DestinationUnreachable.PORT_UNREACHABLE, m.code());
        byte[] invoking = m.invokingPacket();
        assertEquals(6, (invoking[0] & 0xF0) >> 4, "an IPv6 packet");
        assertEquals(17, invoking[6], "next header UDP");
        assertTrue(Icmpv6Message.checksumValid(b, 0, b.length, LOOPBACK, LOOPBACK));
        assertArrayEquals(b, m.toBytes(LOOPBACK, LOOPBACK));
        assertTrue(m.toString().startsWith("Icmpv6DestinationUnreachable[4 (port unreachable), invoking packet 600c32b9"),
                m.toString());
    }

    @Test
    void timeExceededFromRouter() {
        byte[] b = Hex.bytes(Captures.TIME_EXCEEDED6);
        Icmpv6TimeExceeded m = assertInstanceOf(Icmpv6TimeExceeded.class, Icmpv6Message.parse(b));
        assertEquals(Icmpv6TimeExceeded.HOP_LIMIT_EXCEEDED, m.code());
        assertEquals(1, m.invokingPacket()[7], "the quoted packet had hop limit 1");
        assertTrue(Icmpv6Message.checksumValid(b, 0, b.length, ROUTER, HOST)); // tcpdump: [icmp6 sum ok]
        assertArrayEquals(b, m.toBytes(ROUTER, HOST));
    }

    @Test
    void packetTooBigCarriesMtu() {
        byte[] b = Hex.resource(Captures.PACKET_TOO_BIG_RESOURCE);
        Icmpv6PacketTooBig m = assertInstanceOf(Icmpv6PacketTooBig.class, Icmpv6Message.parse(b));
        assertEquals(1280, m.mtu());
        assertEquals(1232, m.invokingPacket().length, "as much as fits in the minimum MTU");
        assertTrue(Icmpv6Message.checksumValid(b, 0, b.length, ROUTER, HOST));
        assertArrayEquals(b, m.toBytes(ROUTER, HOST));
    }

    @Test
    void parameterProblemRoundTrips() {
        Icmpv6ParameterProblem m = new Icmpv6ParameterProblem(
                Icmpv6ParameterProblem.UNRECOGNIZED_NEXT_HEADER, 0x8000_0006L, new byte[48]);
        byte[] b = m.toBytes(HOST, ROUTER);
        assertEquals(0x8000_0006L, Wire.u32(b, 4), "the pointer is a full unsigned 32-bit field");
        assertEquals(m, Icmpv6Message.parse(b));
        assertTrue(Icmpv6Message.checksumValid(b, 0, b.length, HOST, ROUTER));
    }

    @Test
    void neighborSolicitationIsKeptRaw() {
        // Type 135 is Neighbor Discovery (RFC 4861), not modelled here.
        byte[] ns = Hex.bytes("87000000" + "00000000" + "fd000001000000000000000000000001");
        Icmpv6Unknown u = assertInstanceOf(Icmpv6Unknown.class, Icmpv6Message.parse(ns));
        assertEquals(135, u.type());
        assertArrayEquals(ns, u.toBytes());
    }

    @Test
    void rejectsShortMessages() {
        assertEquals("ICMPv6 message too short: 2 bytes, need 4",
                assertThrows(MalformedPacketException.class, () -> Icmpv6Message.parse(new byte[] {1, 0})).getMessage());
        assertEquals("ICMPv6 packet too big too short: 7 bytes, need 8",
                assertThrows(MalformedPacketException.class, () -> Icmpv6Message.parse(Hex.bytes("02000000000005")))
                        .getMessage());
        assertEquals("ICMPv6 echo reply too short: 4 bytes, need 8",
                assertThrows(MalformedPacketException.class, () -> Icmpv6Message.parse(Hex.bytes("81000000")))
                        .getMessage());
    }
}
