package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A network interface as RTM_NEWLINK describes it, rtnetlink(7): struct ifinfomsg and its IFLA_*
 * attributes.
 *
 * @param index            ifi_index
 * @param name             IFLA_IFNAME
 * @param flags            ifi_flags: IFF_UP, IFF_LOOPBACK, IFF_LOWER_UP ... ({@link #flagNames()})
 * @param mtu              IFLA_MTU (0 if absent)
 * @param hardwareType     ifi_type, an ARPHRD_* number (1 ether, 772 loopback)
 * @param hardwareAddress  IFLA_ADDRESS (the MAC for ethernet), empty if absent
 * @param broadcast        IFLA_BROADCAST, empty if absent
 * @param operState        IFLA_OPERSTATE
 * @param kind             IFLA_LINKINFO / IFLA_INFO_KIND ("veth", "dummy", "bridge" ...), "" if absent
 * @param master           IFLA_MASTER: the index of the bridge or bond it belongs to, 0 if none
 * @param link             IFLA_LINK: the index of the peer or parent (veth, vlan), 0 if none
 * @param txQueueLength    IFLA_TXQLEN
 * @param qdisc            IFLA_QDISC, "" if absent
 */
public record Link(int index, String name, int flags, int mtu, int hardwareType, byte[] hardwareAddress,
        byte[] broadcast, OperState operState, String kind, int master, int link, int txQueueLength, String qdisc)
        implements RtnetlinkObject {

    /** Copies the arrays. */
    public Link {
        hardwareAddress = hardwareAddress.clone();
        broadcast = broadcast.clone();
    }

    @Override
    public int interfaceIndex() {
        return index;
    }

    /** The hardware address (a copy). */
    @Override
    public byte[] hardwareAddress() {
        return hardwareAddress.clone();
    }

    /** The broadcast address (a copy). */
    @Override
    public byte[] broadcast() {
        return broadcast.clone();
    }

    /** IFF_UP: administratively up. */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** IFF_LOWER_UP: the carrier is there. */
    public boolean hasCarrier() {
        return (flags & IFF_LOWER_UP) != 0;
    }

    /** The hardware address as {@code ip} prints it: {@code 02:00:00:00:00:01}; "" when there is none. */
    public String hardwareAddressString() {
        return HexFormat.ofDelimiter(":").formatHex(hardwareAddress);
    }

    private static final int[] FLAG_BITS = {IFF_LOOPBACK, IFF_BROADCAST, IFF_POINTOPOINT, IFF_MULTICAST, IFF_NOARP,
        IFF_ALLMULTI, IFF_PROMISC, IFF_MASTER, IFF_SLAVE, IFF_DEBUG, IFF_DYNAMIC, IFF_AUTOMEDIA, IFF_PORTSEL,
        IFF_NOTRAILERS, IFF_UP, IFF_LOWER_UP, IFF_DORMANT, IFF_ECHO};
    private static final String[] FLAG_NAMES = {"LOOPBACK", "BROADCAST", "POINTOPOINT", "MULTICAST", "NOARP",
        "ALLMULTI", "PROMISC", "MASTER", "SLAVE", "DEBUG", "DYNAMIC", "AUTOMEDIA", "PORTSEL", "NOTRAILERS", "UP",
        "LOWER_UP", "DORMANT", "ECHO"};

    /** The set flags by name, in the order {@code ip link} prints them ({@code LOOPBACK, UP, LOWER_UP}). */
    public List<String> flagNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if ((flags & FLAG_BITS[i]) != 0) out.add(FLAG_NAMES[i]);
        }
        return out;
    }

    /** Decodes the RTM_NEWLINK / RTM_DELLINK message at {@code at}. */
    static Link decode(byte[] b, int at, int length) {
        int p = at + SIZEOF_NLMSGHDR;
        Structs.require(length, SIZEOF_IFINFOMSG, "ifinfomsg");
        String name = "";
        String kind = "";
        String qdisc = "";
        int mtu = 0, master = 0, link = 0, txqlen = 0, oper = IF_OPER_UNKNOWN;
        byte[] address = Structs.NO_BYTES;
        byte[] broadcast = Structs.NO_BYTES;
        AttributeCursor c = new AttributeCursor(b, p + SIZEOF_IFINFOMSG, at + length);
        while (c.next()) {
            switch (c.type()) {
                case IFLA_IFNAME -> name = c.string();
                case IFLA_MTU -> mtu = c.u32();
                case IFLA_ADDRESS -> address = c.bytes();
                case IFLA_BROADCAST -> broadcast = c.bytes();
                case IFLA_OPERSTATE -> oper = c.u8();
                case IFLA_MASTER -> master = c.u32();
                case IFLA_LINK -> link = c.u32();
                case IFLA_TXQLEN -> txqlen = c.u32();
                case IFLA_QDISC -> qdisc = c.string();
                case IFLA_LINKINFO -> {
                    AttributeCursor info = c.nested();
                    while (info.next()) {
                        if (info.type() == IFLA_INFO_KIND) kind = info.string();
                    }
                }
                default -> { } // kept by NetlinkMessage for who wants them; not part of this record
            }
        }
        return new Link(Bytes.i32(b, p + OFFSETOF_IFINFOMSG_IFI_INDEX), name, Bytes.i32(b, p + OFFSETOF_IFINFOMSG_IFI_FLAGS),
                mtu, Bytes.u16(b, p + OFFSETOF_IFINFOMSG_IFI_TYPE), address, broadcast, OperState.of(oper), kind, master, link,
                txqlen, qdisc);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Link l && l.index == index && l.name.equals(name) && l.flags == flags && l.mtu == mtu
                && l.hardwareType == hardwareType && java.util.Arrays.equals(l.hardwareAddress, hardwareAddress)
                && java.util.Arrays.equals(l.broadcast, broadcast) && l.operState == operState && l.kind.equals(kind)
                && l.master == master && l.link == link && l.txQueueLength == txQueueLength && l.qdisc.equals(qdisc);
    }

    @Override
    public int hashCode() {
        return index * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return index + ": " + name + ": <" + String.join(",", flagNames()) + "> mtu " + mtu + " state " + operState
                + (kind.isEmpty() ? "" : " kind " + kind) + (hardwareAddress.length == 0 ? "" : " link " + hardwareAddressString());
    }
}
