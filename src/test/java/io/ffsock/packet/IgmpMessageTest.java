package io.ffsock.packet;

import static io.ffsock.packet.Captures.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IgmpMessageTest {

    private static IgmpMessage igmpOf(String packetHex) {
        byte[] p = Hex.bytes(packetHex);
        Ipv4Header h = Ipv4Header.parse(p);
        assertEquals(List.of(Ipv4Option.RouterAlert.EXAMINE), h.options(), "IGMP travels with Router Alert");
        assertEquals(1, h.ttl());
        return IgmpMessage.parse(p, h.headerLength(), h.totalLength() - h.headerLength(), true);
    }

    private static IgmpGroupRecord only(IgmpV3Report r) {
        assertEquals(1, r.records().size());
        return r.records().get(0);
    }

    @Test
    void v3ReportsOfEveryRecordTypeFromTheKernel() {
        IgmpGroupRecord toEx = only(assertInstanceOf(IgmpV3Report.class, igmpOf(Captures.V3_REPORT_TO_EX)));
        assertEquals(IgmpRecordType.CHANGE_TO_EXCLUDE_MODE, toEx.type());
        assertEquals(v4("239.1.1.1"), toEx.group());
        assertEquals(List.of(), toEx.sources());

        IgmpGroupRecord allow = only(assertInstanceOf(IgmpV3Report.class, igmpOf(Captures.V3_REPORT_ALLOW)));
        assertEquals(IgmpRecordType.ALLOW_NEW_SOURCES, allow.type());
        assertEquals(v4("232.1.1.1"), allow.group());
        assertEquals(List.of(v4("10.3.0.2"), v4("10.3.0.254")), allow.sources());

        IgmpV3Report current = assertInstanceOf(IgmpV3Report.class, igmpOf(Captures.V3_REPORT_IS_IN_IS_EX));
        assertEquals(List.of(
                IgmpGroupRecord.of(IgmpRecordType.MODE_IS_INCLUDE, v4("232.1.1.1"), List.of(v4("10.3.0.2"), v4("10.3.0.254"))),
                IgmpGroupRecord.of(IgmpRecordType.MODE_IS_EXCLUDE, v4("239.1.1.1"), List.of())), current.records());

        IgmpGroupRecord block = only(assertInstanceOf(IgmpV3Report.class, igmpOf(Captures.V3_REPORT_BLOCK)));
        assertEquals(IgmpRecordType.BLOCK_OLD_SOURCES, block.type());
        assertEquals(List.of(v4("10.3.0.254")), block.sources());

        IgmpGroupRecord toIn = only(assertInstanceOf(IgmpV3Report.class, igmpOf(Captures.V3_REPORT_TO_IN)));
        assertEquals(IgmpRecordType.CHANGE_TO_INCLUDE_MODE, toIn.type());

        assertEquals("IgmpV3Report[IgmpGroupRecord[MODE_IS_INCLUDE 232.1.1.1 {10.3.0.2 10.3.0.254}],"
                + " IgmpGroupRecord[MODE_IS_EXCLUDE 239.1.1.1 {}]]", current.toString());
    }

    @Test
    void v3QueriesFromTheBridgeQuerier() {
        IgmpV3Query general = assertInstanceOf(IgmpV3Query.class, igmpOf(Captures.V3_GENERAL_QUERY));
        assertEquals(v4("0.0.0.0"), general.group());
        assertEquals(10, general.maxResponseCode());
        assertEquals(10, general.maxResponseTime()); // tcpdump: max resp time 1.0s
        assertFalse(general.suppressRouterProcessing());
        assertEquals(2, general.robustness());
        assertEquals(3, general.queryIntervalCode()); // the bridge's mcast_query_interval of 3 s
        assertEquals(3, general.queryInterval());
        assertEquals(List.of(), general.sources());

        IgmpV3Query group = assertInstanceOf(IgmpV3Query.class, igmpOf(Captures.V3_GROUP_QUERY));
        assertEquals(v4("239.1.1.1"), group.group());
        assertEquals(List.of(), group.sources());

        IgmpV3Query groupAndSource = assertInstanceOf(IgmpV3Query.class, igmpOf(Captures.V3_GROUP_SOURCE_QUERY));
        assertEquals(v4("232.1.1.1"), groupAndSource.group());
        assertEquals(List.of(v4("10.3.0.254")), groupAndSource.sources());
        assertEquals("IgmpV3Query[232.1.1.1, max response 1.0s (code 0x0a), QRV 2, query interval 3s (QQIC 0x03),"
                + " sources {10.3.0.254}]", groupAndSource.toString());
    }

    @Test
    void v3QueryCodesAreDecodedAsFloatsEvenWhenTheSenderDidNotEncode() {
        // See Captures.V3_QUERY_UNENCODED: the bridge meant 300 tenths and 150 s but wrote the raw
        // numbers; RFC 3376 reads 0x2c as 4.4 s (as tcpdump and Wireshark do) and 0x96 as 352 s.
        IgmpV3Query q = assertInstanceOf(IgmpV3Query.class, igmpOf(Captures.V3_QUERY_UNENCODED));
        assertEquals(0x2c, q.maxResponseCode());
        assertEquals(44, q.maxResponseTime());
        assertEquals(0x96, q.queryIntervalCode());
        assertEquals(352, q.queryInterval());
    }

    @Test
    void v2MessagesFromTheKernelAndBridge() {
        assertEquals(new IgmpV2Report(v4("239.2.2.2")), igmpOf(Captures.V2_REPORT));
        assertEquals(new IgmpV2Leave(v4("239.2.2.2")), igmpOf(Captures.V2_LEAVE));
        // tcpdump: "igmp query v2 [max resp time 10]", in tenths of a second.
        assertEquals(new IgmpV2Query(10, v4("0.0.0.0")), igmpOf(Captures.V2_GENERAL_QUERY));
        assertEquals(new IgmpV2Query(10, v4("239.2.2.2")), igmpOf(Captures.V2_GROUP_QUERY));
        assertEquals("IgmpV2Query[239.2.2.2, max response 1.0s]", igmpOf(Captures.V2_GROUP_QUERY).toString());
    }

    @Test
    void v1ReportFromTheKernelAndHandMadeV1Query() {
        assertEquals(new IgmpV1Report(v4("239.3.3.3")), igmpOf(Captures.V1_REPORT));
        byte[] q = Hex.bytes(Captures.V1_QUERY_IGMP_ONLY);
        assertEquals(new IgmpV1Query(v4("0.0.0.0")), IgmpMessage.parse(q, 0, q.length, true));
        assertArrayEquals(q, new IgmpV1Query(v4("0.0.0.0")).toBytes());
    }

    @Test
    void everyCapturedMessageReencodesByteForByte() {
        for (byte[] p : Captures.igmpPackets()) {
            int ihl = 4 * (p[0] & 0x0F);
            IgmpMessage m = IgmpMessage.parse(p, ihl, p.length - ihl);
            assertTrue(IgmpMessage.checksumValid(p, ihl, p.length - ihl));
            assertArrayEquals(Captures.payload(p), m.toBytes(), m.toString());
        }
    }

    @Test
    void queryVersionFollowsRfc3376Section71() {
        byte[] eight = new IgmpV2Query(100, v4("0.0.0.0")).toBytes();
        assertInstanceOf(IgmpV2Query.class, IgmpMessage.parse(eight));
        eight[1] = 0;
        assertInstanceOf(IgmpV1Query.class, IgmpMessage.parse(eight));
        byte[] ten = java.util.Arrays.copyOf(eight, 10);
        assertEquals("IGMP query of 10 bytes is neither version 1 or 2 (8 bytes) nor version 3 (12 or more)",
                assertThrows(MalformedPacketException.class, () -> IgmpMessage.parse(ten)).getMessage());
        byte[] twelve = java.util.Arrays.copyOf(eight, 12);
        assertInstanceOf(IgmpV3Query.class, IgmpMessage.parse(twelve));
        // RFC 2236 section 2.5: a v2 message longer than 8 bytes is read from its first 8.
        byte[] longReport = java.util.Arrays.copyOf(new IgmpV2Report(v4("239.9.9.9")).toBytes(), 12);
        assertEquals(new IgmpV2Report(v4("239.9.9.9")), IgmpMessage.parse(longReport));
    }

    @Test
    void v3FlagsAndTimesEncode() {
        IgmpV3Query q = IgmpV3Query.of(300, v4("239.1.2.3"), true, 7, 125,
                List.of(v4("192.0.2.1"), v4("192.0.2.2")));
        // 300 tenths cannot be expressed: the next value up is (0x13 << 4) = 304, code 0x93.
        assertEquals(0x93, q.maxResponseCode());
        assertEquals(304, q.maxResponseTime());
        assertEquals(125, q.queryIntervalCode());
        byte[] b = q.toBytes();
        assertEquals(20, b.length);
        assertEquals(0x0F, b[8], "S flag and QRV 7, reserved bits zero");
        assertEquals(q, IgmpMessage.parse(b, 0, b.length, true));
        // The reserved nibble is ignored on receipt (section 4.1.4).
        b[8] |= (byte) 0xF0;
        assertEquals(q, IgmpMessage.parse(b));
    }

    @Test
    void groupRecordsKeepAuxiliaryDataAndUnknownTypes() {
        IgmpGroupRecord odd = new IgmpGroupRecord(new IgmpRecordType(9), v4("239.0.0.9"), List.of(v4("10.0.0.1")),
                Hex.bytes("deadbeefcafef00d"));
        IgmpV3Report r = IgmpV3Report.of(odd, IgmpGroupRecord.of(IgmpRecordType.MODE_IS_INCLUDE, v4("239.0.0.1"), List.of()));
        byte[] b = r.toBytes();
        assertEquals(8 + 8 + 4 + 8 + 8, b.length);
        assertEquals(2, b[9], "aux data length in 32-bit words");
        IgmpV3Report back = assertInstanceOf(IgmpV3Report.class, IgmpMessage.parse(b, 0, b.length, true));
        assertEquals(r, back);
        assertEquals("9", back.records().get(0).type().toString());
        assertFalse(back.records().get(0).type().isKnown());
    }

    @Test
    void unknownTypeIsKeptRaw() {
        // 0x13 is the DVMRP type that shares protocol number 2.
        byte[] b = new IgmpUnknown(0x13, 0, Hex.bytes("0000000102030405")).toBytes();
        IgmpUnknown u = assertInstanceOf(IgmpUnknown.class, IgmpMessage.parse(b, 0, b.length, true));
        assertArrayEquals(b, u.toBytes());
    }

    @Test
    void rejectsInconsistentCountsWithSpecificMessages() {
        byte[] q = IgmpV3Query.of(10, v4("0.0.0.0"), false, 2, 125, List.of(v4("1.1.1.1"), v4("2.2.2.2"))).toBytes();
        Wire.putU16(q, 10, 10);
        assertEquals("IGMPv3 query claims 10 sources but has room for 2",
                assertThrows(MalformedPacketException.class, () -> IgmpMessage.parse(q)).getMessage());

        byte[] r = IgmpV3Report.of(IgmpGroupRecord.of(IgmpRecordType.ALLOW_NEW_SOURCES, v4("232.1.1.1"),
                List.of(v4("10.0.0.1")))).toBytes();
        byte[] manyRecords = r.clone();
        Wire.putU16(manyRecords, 6, 3);
        assertEquals("IGMPv3 report claims 3 group records but has room for at most 1",
                assertThrows(MalformedPacketException.class, () -> IgmpMessage.parse(manyRecords)).getMessage());
        byte[] manySources = r.clone();
        Wire.putU16(manySources, 10, 2);
        assertEquals("IGMPv3 group record 0 claims 2 sources and 0 bytes of auxiliary data (16 bytes)"
                + " but only 12 bytes are left",
                assertThrows(MalformedPacketException.class, () -> IgmpMessage.parse(manySources)).getMessage());
        byte[] secondShort = java.util.Arrays.copyOf(r, r.length + 8); // room for a record header only
        Wire.putU16(secondShort, 6, 2);
        Wire.putU16(secondShort, r.length + 2, 1); // and that second record claims a source
        assertEquals("IGMPv3 group record 1 claims 1 sources and 0 bytes of auxiliary data (12 bytes)"
                + " but only 8 bytes are left",
                assertThrows(MalformedPacketException.class, () -> IgmpMessage.parse(secondShort)).getMessage());
        assertEquals("IGMP message too short: 7 bytes, need 8",
                assertThrows(MalformedPacketException.class, () -> IgmpMessage.parse(new byte[7])).getMessage());
    }

    @Test
    void constructorsRejectOutOfRangeFields() {
        assertEquals("IGMPv2 max response time 0 is outside 1..255",
                assertThrows(IllegalArgumentException.class, () -> new IgmpV2Query(0, v4("0.0.0.0"))).getMessage());
        assertEquals("QRV 8 is outside 0..7",
                assertThrows(IllegalArgumentException.class,
                        () -> new IgmpV3Query(0, v4("0.0.0.0"), false, 8, 0, List.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IgmpGroupRecord(IgmpRecordType.MODE_IS_INCLUDE,
                v4("239.0.0.1"), List.of(), new byte[3]));
    }
}
