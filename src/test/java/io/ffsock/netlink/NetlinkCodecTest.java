package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec on datagrams captured from the kernel ({@link Captures}), round trips, and malformed input. */
class NetlinkCodecTest {

    @Test
    void aCapturedLinkDumpParsesAndReencodesByteForByte() {
        List<NetlinkMessage> ms = NetlinkMessage.parseAll(Captures.LINK_DUMP_LO);
        assertEquals(1, ms.size());
        NetlinkMessage m = ms.get(0);
        assertEquals(RTM_NEWLINK, m.type());
        assertTrue(m.hasFlag(NLM_F_MULTI));
        assertEquals(1, m.sequence());
        List<NetlinkAttribute> attrs = m.attributes(SIZEOF_IFINFOMSG);
        // Every attribute is kept, known to this package or not; re-encoded they are the same bytes.
        assertTrue(attrs.size() > 30, attrs.toString());
        assertTrue(attrs.stream().anyMatch(a -> a.type() == 0x43), "an attribute type unknown to the decoder is kept");
        assertArrayEquals(Captures.LINK_DUMP_LO, m.toBytes());
        byte[] again = new byte[NetlinkAttribute.encodedLength(attrs)];
        int at = 0;
        for (NetlinkAttribute a : attrs) at = a.encodeTo(again, at);
        byte[] p = m.payload();
        assertArrayEquals(Arrays.copyOfRange(p, SIZEOF_IFINFOMSG, p.length), Arrays.copyOf(again, p.length - SIZEOF_IFINFOMSG));

        Link lo = Link.decode(Captures.LINK_DUMP_LO, 0, Captures.LINK_DUMP_LO.length);
        assertEquals(1, lo.index());
        assertEquals("lo", lo.name());
        assertEquals(65536, lo.mtu());
        assertEquals(772, lo.hardwareType()); // ARPHRD_LOOPBACK
        assertEquals(List.of("LOOPBACK"), lo.flagNames()); // down in a fresh namespace
        assertEquals(OperState.DOWN, lo.operState());
        assertEquals("00:00:00:00:00:00", lo.hardwareAddressString());
        assertEquals("noop", lo.qdisc());
        assertEquals("", lo.kind());
    }

    @Test
    void capturedAddressRouteAndNeighbourDecode() throws Exception {
        Address a = Address.decode(Captures.NEWADDR_VA, 0, Captures.NEWADDR_VA.length);
        assertEquals(2, a.family());
        assertEquals(3, a.interfaceIndex());
        assertEquals(InetAddress.getByName("10.7.0.1"), a.local());
        assertNull(a.peer());
        assertEquals(24, a.prefixLength());
        assertEquals("global", a.scopeName());
        assertEquals("va", a.label());
        assertTrue(a.isPermanent());
        assertEquals(Address.FOREVER, a.validLifetime());

        Route r = Route.decode(Captures.ROUTE_GET, 0, Captures.ROUTE_GET.length);
        assertEquals(254, r.table());
        assertEquals(InetAddress.getByName("10.7.0.5"), r.destination());
        assertEquals(32, r.prefixLength());
        assertEquals(3, r.interfaceIndex());
        assertEquals(InetAddress.getByName("10.7.0.1"), r.preferredSource());
        assertNull(r.gateway());
        assertEquals("unicast", r.typeName());
        assertEquals("10.7.0.5", r.destinationString());

        Neighbour n = Neighbour.decode(Captures.NEWNEIGH_VA, 0, Captures.NEWNEIGH_VA.length);
        assertEquals(InetAddress.getByName("10.7.0.3"), n.destination());
        assertEquals("02:00:00:00:00:03", n.linkAddressString());
        assertEquals(List.of("PERMANENT"), n.stateNames());
        assertEquals(3, n.interfaceIndex());
    }

    @Test
    void errorsWithExtendedAcksBecomeExceptionsWithTheKernelsText() {
        NetlinkAck ack = NetlinkAck.of(NetlinkMessage.parseAll(Captures.ERROR_ADDRESS_NOT_FOUND).get(0));
        assertEquals(-99, ack.error());
        assertEquals(RTM_DELADDR, ack.requestType());
        assertEquals(2, ack.requestSequence());
        assertEquals("ipv4: Address not found", ack.message());
        NetlinkAck whole = NetlinkAck.of(NetlinkMessage.parseAll(Captures.ERROR_UNKNOWN_KIND).get(0));
        assertEquals(-95, whole.error());
        assertEquals("Unknown device type", whole.message());

        Replies<Object> r = new Replies<>(NetlinkRequest.of(RTM_DELADDR, 0, "RTM_DELADDR(dev lo 10.9.9.9/8)"), 2, false,
                (b, at, len, type) -> null);
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> r.feed(Captures.ERROR_ADDRESS_NOT_FOUND, Captures.ERROR_ADDRESS_NOT_FOUND.length));
        assertEquals("RTM_DELADDR(dev lo 10.9.9.9/8): EADDRNOTAVAIL (Cannot assign requested address):"
                + " kernel says \"ipv4: Address not found\"", e.getMessage());
        assertEquals(99, e.errno().value());
        assertEquals("ipv4: Address not found", e.kernelMessage());
    }

    @Test
    void repliesSkipOtherSequenceNumbersEndAtDoneAndNoticeDumpIntr() throws Exception {
        Replies<Link> other = new Replies<>(NetlinkRequest.of(RTM_GETLINK, 0, "dump"), 99, true, (b, at, len, t) -> Link.decode(b, at, len));
        assertFalse(other.feed(Captures.LINK_DUMP_LO, Captures.LINK_DUMP_LO.length));
        assertFalse(other.feed(Captures.DONE, Captures.DONE.length));
        assertTrue(other.values().isEmpty(), "replies to sequence 1 are not the answer to 99");

        Replies<Link> mine = new Replies<>(NetlinkRequest.of(RTM_GETLINK, 0, "dump"), 1, true, (b, at, len, t) -> Link.decode(b, at, len));
        assertFalse(mine.feed(Captures.LINK_DUMP_LO, Captures.LINK_DUMP_LO.length));
        assertTrue(mine.feed(Captures.DONE, Captures.DONE.length));
        assertEquals("lo", mine.values().get(0).name());
        assertFalse(mine.interrupted());

        byte[] intr = Captures.DONE.clone();
        Bytes.putU16(intr, OFFSETOF_NLMSGHDR_NLMSG_FLAGS, NLM_F_MULTI | NLM_F_DUMP_INTR);
        Replies<Link> interrupted = new Replies<>(NetlinkRequest.of(RTM_GETLINK, 0, "dump"), 1, true, (b, at, len, t) -> null);
        assertTrue(interrupted.feed(intr, intr.length));
        assertTrue(interrupted.interrupted());

        // Two messages in one datagram, the way the kernel packs dump parts.
        byte[] both = new byte[Captures.LINK_DUMP_LO.length + Captures.DONE.length];
        System.arraycopy(Captures.LINK_DUMP_LO, 0, both, 0, Captures.LINK_DUMP_LO.length);
        System.arraycopy(Captures.DONE, 0, both, Captures.LINK_DUMP_LO.length, Captures.DONE.length);
        Replies<Link> packed = new Replies<>(NetlinkRequest.of(RTM_GETLINK, 0, "dump"), 1, true, (b, at, len, t) -> Link.decode(b, at, len));
        assertTrue(packed.feed(both, both.length));
        assertEquals(1, packed.values().size());
    }

    @Test
    void requestsEncodeAsIpWouldSendThem() throws Exception {
        byte[] b = NetlinkRequest.of(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, "x").struct(HexFormat.of().parseHex("0218000003000000"))
                .attribute(NetlinkAttribute.ofAddress(IFA_LOCAL, InetAddress.getByName("10.7.0.1")))
                .attribute(NetlinkAttribute.ofString(IFA_LABEL, "va"))
                .encode(NLM_F_ACK, 7, 0x1234);
        assertEquals("28000000" + "1400" + "0506" + "07000000" + "34120000" + "0218000003000000" + "080002000a070001"
                + "0700030076610000", HexFormat.of().formatHex(b));
        NetlinkMessage m = NetlinkMessage.parseAll(b).get(0);
        assertEquals(List.of(NetlinkAttribute.ofAddress(IFA_LOCAL, InetAddress.getByName("10.7.0.1")),
                NetlinkAttribute.ofString(IFA_LABEL, "va")), m.attributes(SIZEOF_IFADDRMSG));
        NetlinkAttribute nested = NetlinkAttribute.ofNested(IFLA_LINKINFO, List.of(NetlinkAttribute.ofString(IFLA_INFO_KIND, "veth")));
        assertEquals("veth", nested.nested().get(0).asString());
        byte[] nb = new byte[nested.encodedLength()];
        nested.encodeTo(nb, 0);
        assertEquals("1000" + "1280" + "0900" + "0100" + "7665746800000000", HexFormat.of().formatHex(nb));
        assertEquals(List.of(nested), NetlinkAttribute.parseAll(nb, 0, nb.length));
    }

    @Test
    void malformedInputIsRejectedWithAMessageNamingTheField() {
        byte[] lo = Captures.LINK_DUMP_LO;
        MalformedNetlinkException shortHeader = assertThrows(MalformedNetlinkException.class,
                () -> NetlinkMessage.parseAll(lo, 0, 10));
        assertEquals("netlink header at offset 0 cut short: 10 bytes left, need 16", shortHeader.getMessage());
        MalformedNetlinkException past = assertThrows(MalformedNetlinkException.class, () -> NetlinkMessage.parseAll(lo, 0, 100));
        assertEquals("netlink message type 16 at offset 0: nlmsg_len 1468 runs past the data (100 bytes left)", past.getMessage());
        byte[] tiny = lo.clone();
        Bytes.putI32(tiny, 0, 8);
        assertThrows(MalformedNetlinkException.class, () -> NetlinkMessage.parseAll(tiny));

        // An attribute whose length runs past its message: IFLA_IFNAME (at 32) claims 200 bytes in a 40-byte message.
        byte[] cut = Arrays.copyOf(lo, 40);
        Bytes.putI32(cut, 0, 40);
        Bytes.putU16(cut, 32, 200);
        MalformedNetlinkException attr = assertThrows(MalformedNetlinkException.class, () -> Link.decode(cut, 0, 40));
        assertEquals("attribute type 3 at offset 0: nla_len 200 runs past the message (8 bytes left)", attr.getMessage());
        Bytes.putU16(cut, 32, 2);
        assertThrows(MalformedNetlinkException.class, () -> NetlinkMessage.parseAll(cut).get(0).attributes(SIZEOF_IFINFOMSG));
        // A fixed struct cut short, and a u32 attribute of 2 bytes.
        assertThrows(MalformedNetlinkException.class, () -> Link.decode(lo, 0, 20));
        byte[] mtu = HexFormat.of().parseHex("2600000010000000000000000000000000000000000000000000000000000000" + "0600040001000000");
        MalformedNetlinkException u32 = assertThrows(MalformedNetlinkException.class, () -> Link.decode(mtu, 0, 38));
        assertEquals("attribute type 4: 2 bytes, too short for a u32", u32.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NetlinkAttribute.of(1 << 14, new byte[0]));
        assertThrows(MalformedNetlinkException.class, () -> NetlinkAck.of(new NetlinkMessage(NLMSG_ERROR, 0, 0, 0, new byte[8])));
    }

    @Test
    void aCapturedSockDiagDumpDecodesAsSsWouldShowIt() {
        List<NetlinkMessage> ms = NetlinkMessage.parseAll(Captures.UNIX_DIAG);
        assertEquals(3, ms.size());
        List<UnixSocketInfo> all = new java.util.ArrayList<>();
        int at = 0;
        for (NetlinkMessage m : ms) {
            all.add(UnixSockets.decode(Captures.UNIX_DIAG, at, m.length()));
            at += Bytes.align(m.length());
        }
        UnixSocketInfo first = all.get(0), second = all.get(1), bound = all.get(2);
        assertEquals("u_str ESTAB 5 0 * " + first.inode() + " peer " + second.inode() + " uid 0", first.toString());
        assertEquals(first.inode(), second.peerInode());
        assertEquals(0, second.receiveQueue());
        assertEquals("u_dgr", bound.netid());
        assertEquals("UNCONN", bound.stateName());
        assertTrue(bound.isAbstract());
        assertEquals("@ffsock-capture", bound.name());
        assertEquals(0, bound.peerInode());
    }
}
