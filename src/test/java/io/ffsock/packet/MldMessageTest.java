package io.ffsock.packet;

import static io.ffsock.packet.Captures.v6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * MLD (RFC 2710, RFC 3810) byte by byte against the RFCs' layouts; what a kernel and tshark make
 * of these messages is checked in io.ffsock.raw.MldTest.
 */
class MldMessageTest {
    private static final Inet6Address ANY = v6("::");
    private static final Inet6Address GROUP = v6("ff0e::1:2");
    private static final Inet6Address SOURCE = v6("2001:db8::9");
    private static final Inet6Address LINK_LOCAL = v6("fe80::2");

    /**
     * The MLDv2 report Linux 6.18 sent from fe80::2 to ff02::16 in answer to a general query, with
     * its checksum, while listening to ff0e::2:2 (and the solicited-node groups of its two
     * addresses): received on a raw ICMPv6 socket in io.ffsock.raw.MldTest's namespaces.
     */
    private static final String KERNEL_V2_REPORT = "8f00 96df 0000 0003"
            + "02 00 0000 ff0e0000000000000000000000020002"
            + "02 00 0000 ff0200000000000000000001ff000002"
            + "02 00 0000 ff0200000000000000000001ffadda36";
    /** Its first 8 bytes with a count of 1 and its first record. */
    private static final String ONE_RECORD = "8f00 0000 0000 0001 02 00 0000 ff0e0000000000000000000000020002";

    @Test
    void v2ReportAsTheKernelSentIt() {
        byte[] b = Hex.bytes(KERNEL_V2_REPORT);
        MldV2Report r = assertInstanceOf(MldV2Report.class, Icmpv6Message.parse(b));
        assertEquals(List.of(MldAddressRecord.of(IgmpRecordType.MODE_IS_EXCLUDE, v6("ff0e::2:2"), List.of()),
                MldAddressRecord.of(IgmpRecordType.MODE_IS_EXCLUDE, v6("ff02::1:ff00:2"), List.of()),
                MldAddressRecord.of(IgmpRecordType.MODE_IS_EXCLUDE, v6("ff02::1:ffad:da36"), List.of())), r.records());
        assertEquals(143, r.type());
        assertTrue(Icmpv6Message.checksumValid(b, 0, b.length, LINK_LOCAL, v6("ff02::16")), "the kernel's checksum");
        assertArrayEquals(b, r.toBytes(LINK_LOCAL, v6("ff02::16")), "ours, over the same pseudo-header");
        assertEquals(0, Wire.u16(r.toBytes(), 2), "left to the kernel");
        MldV2Report one = assertInstanceOf(MldV2Report.class, Icmpv6Message.parse(Hex.bytes(ONE_RECORD)));
        assertEquals("MldV2Report[MldAddressRecord[MODE_IS_EXCLUDE ff0e:0:0:0:0:0:2:2 {}]]", one.toString());
    }

    @Test
    void v1MessagesAre24BytesWithTheGroupAtByte8() {
        byte[] q = MldV1Message.query(10_000, ANY).toBytes();
        assertArrayEquals(Hex.bytes("8200 0000 2710 0000 00000000000000000000000000000000"), q);
        byte[] report = MldV1Message.report(GROUP).toBytes();
        assertArrayEquals(Hex.bytes("8300 0000 0000 0000 ff0e0000000000000000000000010002"), report);
        byte[] done = MldV1Message.done(GROUP).toBytes();
        assertEquals(132, done[0] & 0xFF);
        for (byte[] b : List.of(q, report, done)) {
            assertEquals(MldV1Message.LENGTH, b.length);
            assertEquals(Icmpv6Message.parse(b).toBytes().length, 24);
        }
        assertEquals(MldV1Message.done(GROUP), Icmpv6Message.parse(done));
        assertEquals("MldV1Message[query 0:0:0:0:0:0:0:0, max response 10000 ms]", MldV1Message.query(10_000, ANY).toString());
    }

    @Test
    void v2QueryLayoutPerRfc3810Section51() {
        MldV2Query q = MldV2Query.of(10_000, GROUP, true, 2, 125, List.of(SOURCE));
        byte[] b = q.toBytes();
        assertArrayEquals(Hex.bytes("8200 0000 2710 0000 ff0e0000000000000000000000010002"
                + "0a 7d 0001 20010db8000000000000000000000009"), b);
        assertEquals(q, Icmpv6Message.parse(b));
        assertEquals(10_000, q.maxResponseDelay());
        assertEquals(125, q.queryInterval());
    }

    /** RFC 3810 section 8.1: the length tells the versions apart; 25 to 27 bytes is neither. */
    @Test
    void queryVersionByLength() {
        byte[] v2 = MldV2Query.of(1000, ANY, false, 2, 125, List.of()).toBytes();
        assertInstanceOf(MldV2Query.class, Icmpv6Message.parse(v2));
        assertInstanceOf(MldV1Message.class, Icmpv6Message.parse(v2, 0, 24));
        for (int len = 25; len <= 27; len++) {
            Icmpv6Unknown u = assertInstanceOf(Icmpv6Unknown.class, Icmpv6Message.parse(v2, 0, len));
            assertEquals(len, u.toBytes().length, "kept whole");
        }
        assertThrows(MalformedPacketException.class, () -> Icmpv6Message.parse(v2, 0, 23));
        // Extra bytes after the sources are Additional Data (section 5.1.12), ignored.
        byte[] longer = java.util.Arrays.copyOf(v2, v2.length + 4);
        assertEquals(Icmpv6Message.parse(v2), Icmpv6Message.parse(longer));
    }

    @Test
    void anUndefinedCodeOrALongV1MessageKeepsItsBytes() {
        byte[] report = MldV1Message.report(GROUP).toBytes();
        report[1] = 1;
        assertInstanceOf(Icmpv6Unknown.class, Icmpv6Message.parse(report));
        byte[] longer = java.util.Arrays.copyOf(MldV1Message.done(GROUP).toBytes(), 28);
        assertArrayEquals(longer, assertInstanceOf(Icmpv6Unknown.class, Icmpv6Message.parse(longer)).toBytes());
        byte[] v2 = MldV2Report.of().toBytes();
        v2[1] = 7;
        assertInstanceOf(Icmpv6Unknown.class, Icmpv6Message.parse(v2));
    }

    @Test
    void forgedCountsAreRefusedBeforeAllocating() {
        byte[] q = MldV2Query.of(1000, ANY, false, 2, 125, List.of()).toBytes();
        Wire.putU16(q, 26, 0xFFFF);
        assertEquals("MLDv2 query claims 65535 sources but has room for 0",
                assertThrows(MalformedPacketException.class, () -> Icmpv6Message.parse(q)).getMessage());
        byte[] r = Hex.bytes(KERNEL_V2_REPORT);
        Wire.putU16(r, 6, 4);
        assertEquals("MLDv2 report claims 4 address records but has room for at most 3",
                assertThrows(MalformedPacketException.class, () -> Icmpv6Message.parse(r)).getMessage());
        byte[] cut = Hex.bytes(ONE_RECORD);
        cut[9] = 1; // one word of auxiliary data that is not there
        assertTrue(assertThrows(MalformedPacketException.class, () -> Icmpv6Message.parse(cut)).getMessage()
                .startsWith("MLDv2 address record 0 claims 0 sources and 4 bytes of auxiliary data"));
    }

    @Test
    void maxResponseCodeDecodesPerRfc3810Section513() {
        assertEquals(0, MldV2Query.decodeMaxResponseCode(0));
        assertEquals(32767, MldV2Query.decodeMaxResponseCode(0x7FFF));
        assertEquals(32768, MldV2Query.decodeMaxResponseCode(0x8000)); // exp 0, mant 0: 0x1000 << 3
        assertEquals(MldV2Query.MAX_RESPONSE_DELAY, MldV2Query.decodeMaxResponseCode(0xFFFF));
        for (int code = 0; code <= 0xFFFF; code++) {
            assertEquals(code, MldV2Query.encodeMaxResponseDelay(MldV2Query.decodeMaxResponseCode(code)), "code " + code);
        }
    }

    @Test
    void encodeRoundsUpToTheNextRepresentableDelay() {
        TreeSet<Integer> representable = new TreeSet<>();
        for (int code = 0; code <= 0xFFFF; code++) representable.add(MldV2Query.decodeMaxResponseCode(code));
        java.util.Random random = new java.util.Random(3810);
        for (int i = 0; i < 200_000; i++) {
            int v = random.nextInt(MldV2Query.MAX_RESPONSE_DELAY + 1);
            assertEquals(representable.ceiling(v), MldV2Query.decodeMaxResponseCode(MldV2Query.encodeMaxResponseDelay(v)), "value " + v);
        }
        // Just above the largest exponent-0 value, (0x1FFF << 3): the next exponent's first value.
        assertEquals(0x9000, MldV2Query.encodeMaxResponseDelay((0x1FFF << 3) + 1));
        assertThrows(IllegalArgumentException.class, () -> MldV2Query.encodeMaxResponseDelay(MldV2Query.MAX_RESPONSE_DELAY + 1));
        assertThrows(IllegalArgumentException.class, () -> MldV2Query.encodeMaxResponseDelay(-1));
    }

    @Test
    void constructorsRefuseWhatCannotBeEncoded() {
        assertThrows(IllegalArgumentException.class, () -> new MldV1Message(129, 0, GROUP));
        assertThrows(IllegalArgumentException.class, () -> new MldV1Message(131, 0x10000, GROUP));
        assertThrows(NullPointerException.class, () -> MldV1Message.report(null));
        assertThrows(IllegalArgumentException.class, () -> new MldV2Query(0, ANY, false, 8, 0, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new MldAddressRecord(IgmpRecordType.MODE_IS_INCLUDE, GROUP, List.of(), new byte[3]));
    }
}
