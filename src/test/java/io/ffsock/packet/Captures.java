package io.ffsock.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Literal packets captured from real traffic, shared by the codec tests.
 *
 * <p>All were produced on Linux 6.18 by the kernel and iputils ping (and, where stated, a
 * one-off Python raw socket that only supplied the request the kernel answered), inside network
 * namespaces made for the purpose, and captured with tcpdump 4.99 ({@code tcpdump -w}); the hex is
 * the IP layer (or the ICMPv6 message, where stated) with the link header removed. The quoted
 * line after each command is tcpdump's own decode, which the tests cross-check.
 */
final class Captures {
    private Captures() {}

    // ---- ICMPv4, namespace with only lo up ------------------------------------------------

    /** {@code ping -c 1 -s 16 127.0.0.1}: "ICMP echo request, id 5380, seq 1, length 24". */
    static final String ECHO_REQUEST = "4500002cbb854000400181497f0000017f000001"
            + "0800e0fc150400019122086b000000005c700c0000000000";
    /** The kernel's answer: "ICMP echo reply, id 5380, seq 1, length 24". */
    static final String ECHO_REPLY = "4500002cbb8600004001c1487f0000017f000001"
            + "0000e8fc150400019122086b000000005c700c0000000000";
    /**
     * Python {@code socket(AF_INET, SOCK_DGRAM).sendto(b"hello-ffsock", ("127.0.0.1", 9))} to a
     * closed port; the kernel's answer: "ICMP 127.0.0.1 udp port 9 unreachable, length 48".
     */
    static final String PORT_UNREACHABLE = "45c00044bd7100004001be857f0000017f000001"
            + "0303bc3200000000"
            + "450000282f5d400040110d667f0000017f000001c14400090014fe2768656c6c6f2d6666736f636b";
    /**
     * A Timestamp request written by a Python raw ICMP socket (id 0x4242, seq 7, originate
     * 12345678): "ICMP time stamp query id 16962 seq 7, length 20".
     */
    static final String TIMESTAMP_REQUEST = "45000028bec6400040017e0c7f0000017f000001"
            + "0d004eac4242000700bc614e0000000000000000";
    /**
     * The kernel's answer: "ICMP time stamp reply id 16962 seq 7: org 03:25:45.678, recv
     * 12:14:18.783, xmit 12:14:18.783, length 20".
     */
    static final String TIMESTAMP_REPLY = "45000028bec700004001be0b7f0000017f000001"
            + "0e00b72d4242000700bc614e02a0489f02a0489f";
    /**
     * The kernel's answer to a UDP datagram sent through an {@code IP_HDRINCL} Python raw socket
     * with a Record Route option whose pointer (2) is below the minimum 4: "ICMP parameter problem
     * - octet 22, length 44", quoting "IP (... options (RR [bad ptr 2],EOL)) 127.0.0.1.40000 >
     * 127.0.0.1.9".
     */
    static final String PARAMETER_PROBLEM = "45c00040bec900004001bd317f0000017f000001"
            + "0c0062d916000000"
            + "4600002412340000401160907f0000017f000001070302009c400009000c000070696e67";

    // ---- ICMPv4, three namespaces A - router - B joined by veth pairs ------------------------

    /**
     * {@code ping -c 1 -t 1 -s 8 10.2.0.2} from A; the router's answer: "10.1.0.254 > 10.1.0.1:
     * ICMP time exceeded in-transit, length 44".
     */
    static final String TIME_EXCEEDED = "45c0004046e6000040011e170a0100fe0a010001"
            + "0b00f4ff00000000"
            + "45000024de5940000101877a0a0100010a0200020800d5fa15f400010001020304050607";

    /**
     * {@code ping -c 1 -s 8 10.3.0.2} from 10.3.0.1, whose route to 10.3.0.2 pointed at the router
     * 10.3.0.254 on the same bridge; the router's answer: "ICMP redirect 10.3.0.2 to host
     * 10.3.0.2, length 44" (the quoted header already has TTL 63).
     */
    static final String REDIRECT = "45c00040b12700004001b3d10a0300fe0a030001"
            + "0501f0f90a030002"
            + "4500002402ca40003f0125070a0300010a030002080098f552f900010001020304050607";

    // ---- ICMPv6 (the ICMPv6 message only; addresses for the pseudo-header alongside) -------

    /** {@code ping -6 -c 1 -s 16 ::1}: "::1 > ::1: ICMP6, echo request, id 5383, seq 1". */
    static final String ECHO6_REQUEST = "80006fba150700019222086b00000000545b0c0000000000";
    /** The kernel's answer: "::1 > ::1: ICMP6, echo reply, id 5383, seq 1". */
    static final String ECHO6_REPLY = "81006eba150700019222086b00000000545b0c0000000000";
    /**
     * Python UDP {@code sendto(b"hello-ffsock", ("::1", 9))}; the kernel's answer: "::1 > ::1:
     * ICMP6, destination unreachable, unreachable port, ::1 udp port 9, length 68".
     */
    static final String PORT_UNREACHABLE6 = "0104507b00000000"
            + "600c32b900141140000000000000000000000000000000010000000000000000000000000000000"
            + "1886000090014002768656c6c6f2d6666736f636b";
    /**
     * {@code ping -6 -c 1 -t 1 -s 8 fd00:2::2} through the router namespace: "fd00:1::fe >
     * fd00:1::1: [icmp6 sum ok] ICMP6, time exceeded in-transit for fd00:2::2".
     */
    static final String TIME_EXCEEDED6 = "0300ad3600000000"
            + "6007ba7d00103a01fd000001000000000000000000000001fd000002000000000000000000000002"
            + "80006361163b00010001020304050607";

    // ---- Whole IPv6 packets (40-byte header first), hosts A - router - B joined by veth pairs ----
    // A is fd00:1::1, the router fd00:1::fe and fd00:2::fe, B fd00:2::2. A one-off Python
    // socket on A sent each probe; the kernels answered; tcpdump on A's veth captured both, and
    // tshark (-T fields) decoded the values the tests assert.

    /**
     * Python UDP socket, IPV6_UNICAST_HOPS 1, IPV6_TCLASS 0xb8, 32 bytes to fd00:2::2 port 33434;
     * the router's answer: "fd00:1::fe > fd00:1::1: [icmp6 sum ok] ICMP6, time exceeded in-transit
     * for fd00:2::2". tshark: outer class 0x00, flow 0x0a279b, plen 88, nxt 58, hlim 64; quoted
     * class 0xb8, flow 0x069f6a, plen 40, nxt 17, hlim 1, fd00:1::1 > fd00:2::2.
     */
    static final String TRACE6_UDP_TIME_EXCEEDED = "600a279b00583a40fd0000010000000000000000000000fefd000001000000000000000000000001"
            + "0300d2e300000000"
            + "6b869f6a00281101fd000001000000000000000000000001fd000002000000000000000000000002"
            + "a65c829a0028fa40404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
    /**
     * Python UDP socket, 32 bytes to fd00:2::2 port 33436 (closed); B's answer: "fd00:2::2 >
     * fd00:1::1: ICMP6, destination unreachable, unreachable port, fd00:2::2 udp port 33436".
     * tshark: outer flow 0x06bc01, hlim 63; quoted flow 0x092860, plen 40, nxt 17, hlim 63 (B
     * quotes the packet as it arrived, one hop later).
     */
    static final String TRACE6_PORT_UNREACHABLE = "6006bc0100583a3ffd000002000000000000000000000002fd000001000000000000000000000001"
            + "0104776a00000000"
            + "600928600028113ffd000001000000000000000000000001fd000002000000000000000000000002"
            + "8714829c0028fa40404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
    /**
     * Python raw ICMPv6 socket: echo request id 0x1234 seq 1 to fd99::1, for which the router has
     * no route; its answer: "fd00:1::fe > fd00:1::1: ICMP6, destination unreachable, unreachable
     * route fd99::1" (code 0). tshark: quoted flow 0x05557c, plen 40, nxt 58, hlim 64.
     */
    static final String TRACE6_NO_ROUTE = "600d57de00583a40fd0000010000000000000000000000fefd000001000000000000000000000001"
            + "010013e300000000"
            + "6005557c00283a40fd000001000000000000000000000001fd990000000000000000000000000001"
            + "80007dc512340001404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
    /**
     * Python raw ICMPv6 socket, IPV6_UNICAST_HOPS 1: echo request id 0x1234 seq 2 to fd00:2::2;
     * the router's answer: "ICMP6, time exceeded in-transit for fd00:2::2". tshark: quoted flow
     * 0x07ba7d, plen 40, nxt 58, hlim 1.
     */
    static final String TRACE6_ECHO_TIME_EXCEEDED = "600a279b00583a40fd0000010000000000000000000000fefd000001000000000000000000000001"
            + "0300ad1e00000000"
            + "6007ba7d00283a01fd000001000000000000000000000001fd000002000000000000000000000002"
            + "80007e5a12340002404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";

    /** Every whole IPv6 packet above. */
    static List<byte[]> ipv6Packets() {
        return List.of(Hex.bytes(TRACE6_UDP_TIME_EXCEEDED), Hex.bytes(TRACE6_PORT_UNREACHABLE),
                Hex.bytes(TRACE6_NO_ROUTE), Hex.bytes(TRACE6_ECHO_TIME_EXCEEDED));
    }

    // ---- IGMP: hosts and a Linux bridge querier (mcast_querier 1) on one bridge ------------
    // Hosts joined with Python IP_ADD_MEMBERSHIP / IP_ADD_SOURCE_MEMBERSHIP and left again; the
    // kernel sent the reports. Queries come from the bridge (source 0.0.0.0). Every packet
    // carries the Router Alert option, hence IHL 6.

    /** ASM join of 239.1.1.1: "igmp v3 report, 1 group record(s) [gaddr 239.1.1.1 to_ex { }]". */
    static final String V3_REPORT_TO_EX = "46c00028000040000102f9f50a030001e000001694040000"
            + "2200e9fb0000000104000000ef010101";
    /** SSM join: "[gaddr 232.1.1.1 allow { 10.3.0.2 10.3.0.254 }]". */
    static final String V3_REPORT_ALLOW = "46c00030000040000102f9ed0a030001e000001694040000"
            + "2200daf30000000105000002e80101010a0300020a0300fe";
    /**
     * Answer to a general query: "2 group record(s) [gaddr 232.1.1.1 is_in { 10.3.0.2 10.3.0.254
     * }] [gaddr 239.1.1.1 is_ex { }]".
     */
    static final String V3_REPORT_IS_IN_IS_EX = "46c00038000040000102f9e50a030001e000001694040000"
            + "2200ecef0000000201000002e80101010a0300020a0300fe02000000ef010101";
    /** Dropped one source: "[gaddr 232.1.1.1 block { 10.3.0.254 }]". */
    static final String V3_REPORT_BLOCK = "46c0002c000040000102f9f10a030001e000001694040000"
            + "2200e3f90000000106000001e80101010a0300fe";
    /** ASM leave: "[gaddr 239.1.1.1 to_in { }]". */
    static final String V3_REPORT_TO_IN = "46c00028000040000102f9f50a030001e000001694040000"
            + "2200eafb0000000103000000ef010101";
    /** General query, bridge with mcast_query_response_interval 100: "igmp query v3 [max resp time 1.0s]". */
    static final String V3_GENERAL_QUERY = "46c00024000040000102041300000000e000000194040000"
            + "110aecf20000000002030000";
    /** Group-specific query after the leave: "igmp query v3 [max resp time 1.0s] [gaddr 239.1.1.1]". */
    static final String V3_GROUP_QUERY = "46c00024000040000102f41100000000ef01010194040000"
            + "110afcefef01010102030000";
    /**
     * Group-and-source-specific query after the block: "igmp query v3 [max resp time 1.0s] [gaddr
     * 232.1.1.1, 1 source(s)]".
     */
    static final String V3_GROUP_SOURCE_QUERY = "46c00028000040000102fb0d00000000e801010194040000"
            + "110af8ede8010101020300010a0300fe";
    /**
     * General query from the bridge set to mcast_query_response_interval 3000 and
     * mcast_query_interval 15000: "igmp query v3 [max resp time 4.4s]". The bridge wrote the low
     * byte of 300 tenths (0x2c) and QQIC 150 (0x96) without the float encoding, so by RFC 3376
     * the codes mean 4.4 s and 352 s; Wireshark shows "Max Resp Time: 4.4 sec (0x2c)" and
     * "QQIC: 150" (the raw byte).
     */
    static final String V3_QUERY_UNENCODED = "46c00024000040000102041300000000e000000194040000"
            + "112cec3d0000000002960000";
    /** With {@code force_igmp_version=2}: "10.3.0.1 > 239.2.2.2: igmp v2 report 239.2.2.2". */
    static final String V2_REPORT = "46c00020000040000102e90f0a030001ef02020294040000"
            + "1600f8faef020202";
    /** "10.3.0.1 > 224.0.0.2: igmp leave 239.2.2.2". */
    static final String V2_LEAVE = "46c00020000040000102fa110a030001e000000294040000"
            + "1700f7faef020202";
    /** Bridge with mcast_igmp_version 2: "igmp query v2 [max resp time 10]" (tenths). */
    static final String V2_GENERAL_QUERY = "46c00020000040000102041700000000e000000194040000"
            + "110aeef500000000";
    /** After the leave: "igmp query v2 [max resp time 10] [gaddr 239.2.2.2]". */
    static final String V2_GROUP_QUERY = "46c00020000040000102041700000000e000000194040000"
            + "110afdf0ef020202";
    /** With {@code force_igmp_version=1}: "10.3.0.2 > 239.3.3.3: igmp v1 report 239.3.3.3". */
    static final String V1_REPORT = "46c00020000040000102e80c0a030002ef03030394040000"
            + "1200fbf8ef030303";

    /**
     * Not a capture: no tool at hand sends IGMPv1 queries (the Linux bridge querier speaks only
     * v2 and v3), so this one is written by hand from RFC 1112 appendix I: type 0x11, unused 0,
     * checksum ~0x1100 = 0xeeff, group 0.0.0.0.
     */
    static final String V1_QUERY_IGMP_ONLY = "1100eeff00000000";

    /** Big captures kept as resource files. */
    static final String FRAG_NEEDED_RESOURCE = "frag-needed.hex";
    static final String PACKET_TOO_BIG_RESOURCE = "packet-too-big.hex";

    /** Every IPv4 packet above whose payload is ICMP. */
    static List<byte[]> icmpPackets() {
        return List.of(Hex.bytes(ECHO_REQUEST), Hex.bytes(ECHO_REPLY), Hex.bytes(PORT_UNREACHABLE),
                Hex.bytes(TIMESTAMP_REQUEST), Hex.bytes(TIMESTAMP_REPLY), Hex.bytes(PARAMETER_PROBLEM),
                Hex.bytes(TIME_EXCEEDED), Hex.bytes(REDIRECT), Hex.resource(FRAG_NEEDED_RESOURCE));
    }

    /** Every ICMPv6 message above. */
    static List<byte[]> icmpv6Messages() {
        List<byte[]> all = new java.util.ArrayList<>(List.of(Hex.bytes(ECHO6_REQUEST), Hex.bytes(ECHO6_REPLY),
                Hex.bytes(PORT_UNREACHABLE6), Hex.bytes(TIME_EXCEEDED6), Hex.resource(PACKET_TOO_BIG_RESOURCE)));
        for (byte[] p : ipv6Packets()) all.add(java.util.Arrays.copyOfRange(p, 40, p.length));
        return List.copyOf(all);
    }

    /** Every IPv4 packet above whose payload is IGMP. */
    static List<byte[]> igmpPackets() {
        return List.of(Hex.bytes(V3_REPORT_TO_EX), Hex.bytes(V3_REPORT_ALLOW), Hex.bytes(V3_REPORT_IS_IN_IS_EX),
                Hex.bytes(V3_REPORT_BLOCK), Hex.bytes(V3_REPORT_TO_IN), Hex.bytes(V3_GENERAL_QUERY),
                Hex.bytes(V3_GROUP_QUERY), Hex.bytes(V3_GROUP_SOURCE_QUERY), Hex.bytes(V3_QUERY_UNENCODED),
                Hex.bytes(V2_REPORT), Hex.bytes(V2_LEAVE), Hex.bytes(V2_GENERAL_QUERY), Hex.bytes(V2_GROUP_QUERY),
                Hex.bytes(V1_REPORT));
    }

    /** The payload after an IPv4 header. */
    static byte[] payload(byte[] packet) {
        int ihl = 4 * (packet[0] & 0x0F);
        return java.util.Arrays.copyOfRange(packet, ihl, packet.length);
    }

    static Inet4Address v4(String literal) {
        try {
            return (Inet4Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Inet6Address v6(String literal) {
        try {
            return (Inet6Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
