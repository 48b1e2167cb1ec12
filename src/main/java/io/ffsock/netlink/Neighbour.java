package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A neighbour (ARP or NDP) entry as RTM_NEWNEIGH describes it, rtnetlink(7): struct ndmsg and
 * its NDA_* attributes.
 *
 * @param family          AF_INET (2) or AF_INET6 (10)
 * @param interfaceIndex  ndm_ifindex
 * @param destination     NDA_DST
 * @param linkAddress     NDA_LLADDR, empty when not (yet) known
 * @param state           ndm_state, NUD_* bits ({@link #stateNames()})
 * @param flags           ndm_flags, NTF_* (NTF_ROUTER ...)
 * @param type            ndm_type (an RTN_* number)
 */
public record Neighbour(int family, int interfaceIndex, InetAddress destination, byte[] linkAddress, int state, int flags,
        int type) implements RtnetlinkObject {

    /** Copies the array. */
    public Neighbour {
        linkAddress = linkAddress.clone();
    }

    /** The link address (a copy). */
    @Override
    public byte[] linkAddress() {
        return linkAddress.clone();
    }

    /** The link address as {@code ip} prints it, "" when absent. */
    public String linkAddressString() {
        return HexFormat.ofDelimiter(":").formatHex(linkAddress);
    }

    private static final int[] STATES = {NUD_INCOMPLETE, NUD_REACHABLE, NUD_STALE, NUD_DELAY, NUD_PROBE, NUD_FAILED,
        NUD_NOARP, NUD_PERMANENT};
    private static final String[] STATE_NAMES = {"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED",
        "NOARP", "PERMANENT"};

    /** The state bits by name as {@code ip neigh} prints them; {@code [NONE]} for 0. */
    public List<String> stateNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < STATES.length; i++) {
            if ((state & STATES[i]) != 0) out.add(STATE_NAMES[i]);
        }
        if (out.isEmpty()) out.add("NONE");
        return out;
    }

    /** Decodes the RTM_NEWNEIGH / RTM_DELNEIGH message at {@code at}. */
    static Neighbour decode(byte[] b, int at, int length) {
        int p = at + SIZEOF_NLMSGHDR;
        Structs.require(length, SIZEOF_NDMSG, "ndmsg");
        InetAddress dst = null;
        byte[] lladdr = Structs.NO_BYTES;
        AttributeCursor c = new AttributeCursor(b, p + SIZEOF_NDMSG, at + length);
        while (c.next()) {
            switch (c.type()) {
                case NDA_DST -> dst = c.address();
                case NDA_LLADDR -> lladdr = c.bytes();
                default -> { }
            }
        }
        return new Neighbour(Bytes.u8(b, p + OFFSETOF_NDMSG_NDM_FAMILY), Bytes.i32(b, p + OFFSETOF_NDMSG_NDM_IFINDEX), dst,
                lladdr, Bytes.u16(b, p + OFFSETOF_NDMSG_NDM_STATE), Bytes.u8(b, p + OFFSETOF_NDMSG_NDM_FLAGS),
                Bytes.u8(b, p + OFFSETOF_NDMSG_NDM_TYPE));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Neighbour n && n.family == family && n.interfaceIndex == interfaceIndex
                && java.util.Objects.equals(n.destination, destination) && Arrays.equals(n.linkAddress, linkAddress)
                && n.state == state && n.flags == flags && n.type == type;
    }

    @Override
    public int hashCode() {
        return interfaceIndex * 31 + java.util.Objects.hashCode(destination);
    }

    @Override
    public String toString() {
        return (destination == null ? "?" : destination.getHostAddress()) + " dev#" + interfaceIndex
                + (linkAddress.length == 0 ? "" : " lladdr " + linkAddressString()) + " " + String.join(",", stateNames());
    }
}
