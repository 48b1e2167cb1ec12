package io.ffsock.packet;

import static io.ffsock.packet.Captures.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv4HeaderTest {

    @Test
    void parsesCapturedEchoRequestHeader() {
        // tcpdump -vv: IP (tos 0x0, ttl 64, id 48005, offset 0, flags [DF], proto ICMP (1), length 44)
        Ipv4Header h = Ipv4Header.parse(Hex.bytes(Captures.ECHO_REQUEST));
        assertEquals(0, h.tos());
        assertEquals(44, h.totalLength());
        assertEquals(0xbb85, h.identification());
        assertTrue(h.dontFragment());
        assertFalse(h.moreFragments());
        assertEquals(0, h.fragmentOffset());
        assertEquals(64, h.ttl());
        assertEquals(Ipv4Header.PROTOCOL_ICMP, h.protocol());
        assertEquals(0x8149, h.checksum());
        assertEquals(v4("127.0.0.1"), h.source());
        assertEquals(v4("127.0.0.1"), h.destination());
        assertEquals(List.of(), h.options());
        assertEquals(20, h.headerLength());
        assertEquals(5, h.ihl());
        assertTrue(h.checksumValid());
        assertEquals("Ipv4Header[127.0.0.1 > 127.0.0.1, proto 1, ttl 64, tos 0x00, length 44, id 48005,"
                + " flags [DF], offset 0, checksum 0x8149]", h.toString());
    }

    @Test
    void parsesRouterAlertFromCapturedIgmpReport() {
        // tcpdump -vv: IP (tos 0xc0, ttl 1, id 0, offset 0, flags [DF], proto IGMP (2), length 40, options (RA))
        byte[] p = Hex.bytes(Captures.V3_REPORT_TO_EX);
        Ipv4Header h = Ipv4Header.parse(p);
        assertEquals(0xc0, h.tos());
        assertEquals(1, h.ttl());
        assertEquals(Ipv4Header.PROTOCOL_IGMP, h.protocol());
        assertEquals(List.of(Ipv4Option.RouterAlert.EXAMINE), h.options());
        assertEquals(24, h.headerLength());
        assertEquals(v4("10.3.0.1"), h.source());
        assertEquals(v4("224.0.0.22"), h.destination());
        assertTrue(h.checksumValid());
        assertArrayEquals(Arrays.copyOf(p, 24), h.toBytes());
    }

    @Test
    void parsesRawOptionThenEndOfListFromQuotedHeader() {
        // The header quoted by the parameter-problem capture: options (RR [bad ptr 2],EOL).
        byte[] quoted = Arrays.copyOfRange(Hex.bytes(Captures.PARAMETER_PROBLEM), 28, 64);
        Ipv4Header h = Ipv4Header.parse(quoted);
        assertEquals(List.of(new Ipv4Option.Raw(7, new byte[] {2})), h.options());
        assertEquals(24, h.headerLength());
        assertEquals(Ipv4Header.PROTOCOL_UDP, h.protocol());
        assertEquals(0x1234, h.identification());
        assertTrue(h.checksumValid());
        // Raw option (3 bytes) + End of Option List padding re-encodes to the same 4 bytes.
        assertArrayEquals(Arrays.copyOf(quoted, 24), h.toBytes());
    }

    @Test
    void everyCapturedHeaderReencodesByteForByte() {
        for (byte[] p : concat(Captures.icmpPackets(), Captures.igmpPackets())) {
            Ipv4Header h = Ipv4Header.parse(p);
            assertArrayEquals(Arrays.copyOf(p, h.headerLength()), h.toBytes(), h.toString());
        }
    }

    @Test
    void buildsHeaderWithPaddedOptionsAndChecksum() {
        Ipv4Header h = Ipv4Header.of(Ipv4Header.PROTOCOL_IGMP, 1, v4("10.0.0.1"), v4("224.0.0.22"),
                List.of(new Ipv4Option.NoOperation(), new Ipv4Option.Raw(0x44, new byte[] {5, 0, 0, 0, 0, 0})),
                8);
        // 1 + 8 option bytes pad to 12: header 32 bytes.
        assertEquals(32, h.headerLength());
        assertEquals(40, h.totalLength());
        byte[] b = h.toBytes();
        assertEquals(0x48, b[0] & 0xFF);
        assertEquals(0, InternetChecksum.checksum(b));
        assertEquals(0, b[29] | b[30] | b[31], "End of Option List padding");
        Ipv4Header back = Ipv4Header.parse(b);
        assertEquals(h.options(), back.options());
        assertTrue(back.checksumValid());
        assertFalse(h.checksumValid(), "a built header carries checksum 0 until parsed back");
    }

    @Test
    void flagsAndFragmentOffsetShareTheirWord() {
        Ipv4Header h = new Ipv4Header(0, 20, 1, Ipv4Header.MORE_FRAGMENTS, 0x1ABC, 64, 17, 0,
                v4("1.2.3.4"), v4("5.6.7.8"), List.of());
        byte[] b = h.toBytes();
        assertEquals(0x3ABC, Wire.u16(b, 6));
        Ipv4Header back = Ipv4Header.parse(b);
        assertTrue(back.moreFragments());
        assertEquals(0x1ABC, back.fragmentOffset());
        assertTrue(back.toString().contains("flags [MF]"), back.toString());
    }

    @Test
    void rejectsMalformedHeadersWithSpecificMessages() {
        byte[] good = Hex.bytes(Captures.V3_REPORT_TO_EX);
        assertMessage("IPv4 header too short: 12 bytes, need 20", Arrays.copyOf(good, 12));
        byte[] v6 = good.clone();
        v6[0] = 0x65;
        assertMessage("IP version 6 is not 4", v6);
        byte[] ihl4 = good.clone();
        ihl4[0] = 0x44;
        assertMessage("IHL 4 is below the minimum 5", ihl4);
        assertMessage("IPv4 header claims IHL 6 (24 bytes) but only 22 bytes are present",
                Arrays.copyOf(good, 22));
        byte[] badRa = good.clone();
        badRa[21] = 3;
        assertMessage("IPv4 Router Alert option has length 3, must be 4", badRa);
        byte[] longOption = good.clone();
        longOption[21] = 9;
        assertMessage("IPv4 option type 148 at option byte 0 has length 9 but only 4 option bytes remain",
                longOption);
        byte[] zeroLength = good.clone();
        zeroLength[20] = 7;
        zeroLength[21] = 0;
        assertMessage("IPv4 option type 7 at option byte 0 has length 0, below the minimum 2", zeroLength);
        byte[] noLengthByte = good.clone();
        noLengthByte[20] = 1;
        noLengthByte[21] = 1;
        noLengthByte[22] = 1;
        noLengthByte[23] = 7;
        assertMessage("IPv4 option type 7 at option byte 3 has no length byte", noLengthByte);
    }

    @Test
    void rejectsBadFieldsWhenBuilding() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 20, 0, 0, 0, 256, 1, 0,
                v4("1.2.3.4"), v4("5.6.7.8"), List.of()));
        assertEquals("TTL 256 is outside 0..255", e.getMessage());
        List<Ipv4Option> tooMany = java.util.Collections.nCopies(11, Ipv4Option.RouterAlert.EXAMINE);
        e = assertThrows(IllegalArgumentException.class,
                () -> Ipv4Header.of(1, 64, v4("1.2.3.4"), v4("5.6.7.8"), tooMany, 0));
        assertEquals("IPv4 options need 44 bytes, more than the 40 a header can hold", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Option.Raw(0x94, new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Option.Raw(0, new byte[0]));
    }

    @Test
    void optionsPrintReadably() {
        assertEquals("[NOP, RouterAlert[0], Raw[type=7, data=02]]",
                List.of(new Ipv4Option.NoOperation(), Ipv4Option.RouterAlert.EXAMINE,
                        new Ipv4Option.Raw(7, new byte[] {2})).toString());
    }

    private static void assertMessage(String expected, byte[] b) {
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> Ipv4Header.parse(b));
        assertEquals(expected, e.getMessage());
    }

    static List<byte[]> concat(List<byte[]> a, List<byte[]> b) {
        List<byte[]> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
