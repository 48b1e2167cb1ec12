package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Datagram;
import io.ffsock.Family;
import io.ffsock.PacketAddress;
import io.ffsock.Protocol;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.packet.Icmpv6Message;
import io.ffsock.packet.IgmpRecordType;
import io.ffsock.packet.Ipv6Header;
import io.ffsock.packet.MldAddressRecord;
import io.ffsock.packet.MldV1Message;
import io.ffsock.packet.MldV2Query;
import io.ffsock.packet.MldV2Report;
import io.ffsock.testing.Netns;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * MLD (RFC 2710, RFC 3810) built with io.ffsock.packet and sent on a raw ICMPv6 socket from
 * namespace Q (fe80::1) across a veth pair to namespace M (fe80::2): tshark on M decodes every
 * field and checks the checksum the kernel filled in, and M's kernel takes our queries as real
 * ones (it drops a query without a link-local source, hop limit 1 and a Router Alert option,
 * RFC 3810 section 6.2) and answers with reports of its own, which we parse.
 */
class MldTest {
    static final Inet6Address ALL_NODES = inet6("ff02::1");
    static final Inet6Address ALL_ROUTERS = inet6("ff02::2");
    static final Inet6Address MLDV2_ROUTERS = inet6("ff02::16");
    static final Inet6Address ANY = inet6("::");
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_HOPOPTS = 54;
    /**
     * A Hop-by-Hop Options header with Router Alert 0 (MLD, RFC 2711) and a 2-byte PadN; the kernel
     * fills in its next-header byte.
     */
    static final byte[] ROUTER_ALERT_MLD = {0, 0, 5, 2, 0, 0, 1, 0};

    /** Q —veth— M, link-local addresses without duplicate address detection (usable at once). */
    static VethPair pair() throws Exception {
        return new VethPair("mldq", "mldm", null, null).then(p -> {
            p.q.ip("-6", "addr", "add", "fe80::1/64", "dev", "eth0", "nodad");
            p.m.ip("-6", "addr", "add", "fe80::2/64", "dev", "eth0", "nodad");
        });
    }

    /** A raw ICMPv6 socket in the calling namespace bound to fe80::1 on eth0, multicast out of eth0, hop limit 1. */
    static Socket mldSender() throws Exception {
        Socket s = Socket.open(Family.INET6, SocketType.RAW, Protocol.ICMPV6);
        try {
            NetworkInterface eth0 = NetworkInterface.getByName("eth0");
            s.bind(new InetSocketAddress(onEth0(inet6("fe80::1")), 0));
            s.setOption(StandardSocketOptions.IP_MULTICAST_IF, eth0);
            s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            s.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    /** The message to {@code destination} on eth0, with the Router Alert hop-by-hop option. */
    static void send(Socket s, Icmpv6Message message, Inet6Address destination) throws Exception {
        Inet6Address scoped = onEth0(destination);
        long n = s.sendMsg(List.of(ByteBuffer.wrap(message.toBytes())),
                List.of(new ControlMessage.Raw(IPPROTO_IPV6, IPV6_HOPOPTS, ROUTER_ALERT_MLD)), Set.of(),
                new InetSocketAddress(scoped, 0));
        assertEquals(message.length(), n);
    }

    @Test
    void everyMessageReachesTheOtherSideAsTsharkReadsIt() throws Exception {
        RawSupport.assumeNetns();
        RawSupport.assumeTool("tcpdump");
        RawSupport.assumeTool("tshark");
        Inet6Address g1 = inet6("ff0e::1:1"), g2 = inet6("ff0e::1:2"), g3 = inet6("ff0e::1:3");
        Inet6Address source = inet6("2001:db8::9");
        List<String[]> rows;
        try (VethPair p = pair()) {
            // "icmp6" would not match: a Hop-by-Hop header comes first. So: from Q, a Hop-by-Hop
            // header (next header 0 at byte 6) followed by ICMPv6 (58 at byte 40), whose type is at
            // byte 48; and not Q's kernel's own reports (nor its router solicitations, which have no
            // Hop-by-Hop header), which are about link-scope ff02:: groups: a v2 report's first
            // record group, a v1 report's group.
            String filter = "ip6 and src host fe80::1 and ip6[6] == 0 and ip6[40] == 58"
                    + " and not (ip6[48] == 143 and ip6[61] == 2) and not (ip6[48] == 131 and ip6[57] == 2)";
            try (IgmpTest.Capture capture = IgmpTest.Capture.start(p.m, "eth0", 5, filter)) {
                p.q.call(() -> {
                    try (Socket s = mldSender()) {
                        send(s, MldV1Message.query(10_000, ANY), ALL_NODES);
                        send(s, MldV2Query.of(40_001, g2, true, 2, 300, List.of(source)), g2);
                        send(s, MldV1Message.report(g1), g1);
                        send(s, MldV1Message.done(g1), ALL_ROUTERS);
                        send(s, MldV2Report.of(
                                MldAddressRecord.of(IgmpRecordType.CHANGE_TO_EXCLUDE_MODE, g2, List.of()),
                                MldAddressRecord.of(IgmpRecordType.ALLOW_NEW_SOURCES, g3, List.of(source))),
                                MLDV2_ROUTERS);
                    }
                    return null;
                });
                rows = capture.stopAndRead("ipv6.dst", "ipv6.hlim", "ipv6.opt.router_alert", "icmpv6.checksum.status",
                        "icmpv6.type", "icmpv6.mld.maximum_response_delay", "icmpv6.mld.maximum_response_code",
                        "icmpv6.mld.multicast_address", "icmpv6.mld.flag.s", "icmpv6.mld.flag.qrv", "icmpv6.mld.qqi",
                        "icmpv6.mld.source_address", "icmpv6.mldr.mar.record_type", "icmpv6.mldr.mar.multicast_address",
                        "icmpv6.mldr.mar.source_address");
            }
        }
        String all = String.join("\n", rows.stream().map(r -> String.join(" | ", r)).toList());
        assertEquals(5, rows.size(), "captured on M:\n" + all);
        for (String[] r : rows) {
            assertEquals("1", r[1], "hop limit 1: " + all);
            assertEquals("0", r[2], "Router Alert, value 0 (MLD): " + all);
            assertEquals("1", r[3], "ICMPv6 checksum good (the kernel filled it in): " + all);
        }
        // The v1 query: 10 s in milliseconds, general.
        assertEquals(List.of("ff02::1", "130", "10000", "::"), List.of(rows.get(0)[0], rows.get(0)[4], rows.get(0)[5], rows.get(0)[7]), all);
        // The v2 query: 40,001 ms is above 32767, so a float code (exponent 0, mantissa 0x389),
        // which rounds it up to 40,008; tshark decodes the code to that, as we do. A query interval
        // of 300 s has IGMPv3's 8-bit float code, which rounds it up to 304.
        String[] v2 = rows.get(1);
        assertEquals(0x8389, MldV2Query.encodeMaxResponseDelay(40_001));
        assertEquals(40_008, MldV2Query.decodeMaxResponseCode(0x8389));
        assertEquals(List.of("ff0e::1:2", "130", "40008", "ff0e::1:2", "1", "2", "304", "2001:db8::9"),
                List.of(v2[0], v2[4], v2[6], v2[7], v2[8], v2[9], v2[10], v2[11]), all);
        assertEquals(List.of("ff0e::1:1", "131", "ff0e::1:1"), List.of(rows.get(2)[0], rows.get(2)[4], rows.get(2)[7]), all);
        assertEquals(List.of("ff02::2", "132", "ff0e::1:1"), List.of(rows.get(3)[0], rows.get(3)[4], rows.get(3)[7]), all);
        String[] report = rows.get(4);
        assertEquals(List.of("ff02::16", "143", "4,5", "ff0e::1:2,ff0e::1:3", "2001:db8::9"),
                List.of(report[0], report[4], report[12], report[13], report[14]), all);
    }

    /**
     * M listens to a group; our v2 general query makes M's kernel report it (a current-state
     * MODE_IS_EXCLUDE record, which only a query produces) to ff02::16, which our raw ICMPv6
     * socket sees because it joined ff02::16.
     */
    @Test
    void farKernelAnswersV2QueryWithAReport() throws Exception {
        RawSupport.assumeNetns();
        Inet6Address group = inet6("ff0e::2:2");
        try (VethPair p = pair(); Socket member = joinIn(p.m, group)) {
            List<MldV2Report> reports = p.q.call(() -> {
                try (Socket s = mldSender()) {
                    s.joinGroup(MLDV2_ROUTERS, NetworkInterface.getByName("eth0"));
                    send(s, MldV2Query.of(1000, ANY, false, 2, 125, List.of()), ALL_NODES);
                    List<MldV2Report> got = new ArrayList<>();
                    for (Datagram d : RawSupport.receiveFor(s, Duration.ofSeconds(4), d -> reportsExclude(d, group))) {
                        InetSocketAddress from = (InetSocketAddress) d.sender();
                        if (!from.getAddress().equals(onEth0(inet6("fe80::2")))) continue;
                        if (Icmpv6Message.parse(d.data()) instanceof MldV2Report r) got.add(r);
                    }
                    return got;
                }
            });
            assertTrue(reports.stream().flatMap(r -> r.records().stream()).anyMatch(r -> r.type().equals(IgmpRecordType.MODE_IS_EXCLUDE)
                    && r.group().equals(group) && r.sources().isEmpty() && r.auxiliaryData().length == 0),
                    "M's kernel answered our query with a current-state report for " + group + ": " + reports);
        }
    }

    /**
     * An MLDv1 query puts M's interface in MLDv1 compatibility mode (RFC 3810 section 8.2): its
     * kernel answers with a version 1 report sent to the group itself. Q never joined that group,
     * so an AF_PACKET socket on Q's eth0 catches it; the test walks the IPv6 header and the
     * Hop-by-Hop header (with its Router Alert) to the ICMPv6 message.
     */
    @Test
    void farKernelAnswersV1QueryWithAV1Report() throws Exception {
        RawSupport.assumeNetns();
        Inet6Address group = inet6("ff0e::3:3");
        try (VethPair p = pair(); Socket member = joinIn(p.m, group)) {
            List<Datagram> seen = p.q.call(() -> {
                int ifindex = NetworkInterface.getByName("eth0").getIndex();
                try (Socket s = mldSender(); Socket packet = Socket.open(Family.PACKET, SocketType.DGRAM, Protocol.ethernet(0x86DD))) {
                    packet.bind(PacketAddress.of(0x86DD, ifindex));
                    send(s, MldV1Message.query(1000, ANY), ALL_NODES);
                    return RawSupport.receiveFor(packet, Duration.ofSeconds(4), d -> group.equals(v1ReportGroup(d)));
                }
            });
            Datagram report = seen.stream().filter(d -> group.equals(v1ReportGroup(d))).findFirst()
                    .orElseThrow(() -> new AssertionError("no MLDv1 report for " + group + " on AF_PACKET: " + seen));
            Ipv6Header h = Ipv6Header.parse(report.data());
            assertEquals(inet6("fe80::2"), withoutScope(h.source()));
            assertEquals(group, h.destination(), "a v1 report goes to the group");
            assertEquals(1, h.hopLimit());
            assertEquals(0, h.nextHeader(), "a Hop-by-Hop Options header comes first");
            byte[] d = report.data();
            assertArrayEquals(new byte[] {5, 2, 0, 0}, Arrays.copyOfRange(d, Ipv6Header.LENGTH + 2, Ipv6Header.LENGTH + 6),
                    "Router Alert 0 (MLD)");
            int icmp = icmpv6Offset(d);
            assertEquals(MldV1Message.report(group), Icmpv6Message.parse(d, icmp, Ipv6Header.LENGTH + h.payloadLength() - icmp));
            assertTrue(Icmpv6Message.checksumValid(d, icmp, Ipv6Header.LENGTH + h.payloadLength() - icmp, h.source(), h.destination()),
                    "the kernel's checksum verifies with ours");
        }
    }

    /** A socket in {@code ns} that joined {@code group} on eth0; the membership lasts until it is closed. */
    static Socket joinIn(Netns ns, Inet6Address group) throws Exception {
        return ns.call(() -> {
            Socket s = Socket.open(Family.INET6, SocketType.DGRAM);
            s.joinGroup(group, NetworkInterface.getByName("eth0"));
            return s;
        });
    }

    static boolean reportsExclude(Datagram d, Inet6Address group) {
        return Icmpv6Message.parse(d.data()) instanceof MldV2Report r && r.records().stream()
                .anyMatch(x -> x.type().equals(IgmpRecordType.MODE_IS_EXCLUDE) && x.group().equals(group));
    }

    /** Where the ICMPv6 message starts: after the IPv6 header and a Hop-by-Hop header, if any; -1 if not ICMPv6. */
    static int icmpv6Offset(byte[] d) {
        Ipv6Header h = Ipv6Header.parse(d);
        int next = h.nextHeader();
        int at = Ipv6Header.LENGTH;
        if (next == 0) {
            next = d[at] & 0xFF;
            at += ((d[at + 1] & 0xFF) + 1) * 8;
        }
        return next == Icmpv6Message.NEXT_HEADER ? at : -1;
    }

    /** The group of an MLDv1 report in an IPv6 packet, or null. */
    static Inet6Address v1ReportGroup(Datagram datagram) {
        byte[] d = datagram.data();
        int at = icmpv6Offset(d);
        if (at < 0) return null;
        Ipv6Header h = Ipv6Header.parse(d);
        Icmpv6Message m = Icmpv6Message.parse(d, at, Ipv6Header.LENGTH + h.payloadLength() - at);
        return m instanceof MldV1Message v && v.type() == Icmpv6Message.TYPE_MLD_V1_REPORT ? v.group() : null;
    }

    /**
     * {@code a} scoped to eth0 of the calling thread's namespace, by index: the JDK derives a
     * scope from a NetworkInterface's IPv6 addresses, which it reads from /proc/net, the
     * process's namespace rather than the thread's.
     */
    static Inet6Address onEth0(Inet6Address a) throws Exception {
        return Inet6Address.getByAddress(null, a.getAddress(), NetworkInterface.getByName("eth0").getIndex());
    }

    static Inet6Address withoutScope(Inet6Address a) {
        return inet6(a.getHostAddress().replaceAll("%.*", ""));
    }

    static Inet6Address inet6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
