package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import java.net.InetAddress;

/**
 * A route as RTM_NEWROUTE describes it, rtnetlink(7): struct rtmsg and its RTA_* attributes.
 * Also what {@link Rtnetlink#routeTo} answers: the route the kernel would use for one address.
 *
 * @param family            AF_INET (2) or AF_INET6 (10)
 * @param table             RTA_TABLE when present (32 bits), else rtm_table: 254 main, 255 local
 * @param destination       RTA_DST, or null for the default route (prefix length 0)
 * @param prefixLength      rtm_dst_len
 * @param gateway           RTA_GATEWAY, or null
 * @param interfaceIndex    RTA_OIF, or 0
 * @param preferredSource   RTA_PREFSRC, or null
 * @param priority          RTA_PRIORITY (the metric), or -1 when absent
 * @param type              rtm_type, RTN_*: 1 unicast, 2 local, 3 broadcast ... ({@link #typeName()})
 * @param scope             rtm_scope, RT_SCOPE_*
 * @param protocol          rtm_protocol, RTPROT_*: 2 kernel, 3 boot, 4 static ... ({@link #protocolName()})
 * @param flags             rtm_flags (RTNH_F_LINKDOWN, RTM_F_CLONED ...)
 */
public record Route(int family, int table, InetAddress destination, int prefixLength, InetAddress gateway,
        int interfaceIndex, InetAddress preferredSource, long priority, int type, int scope, int protocol, int flags)
        implements RtnetlinkObject {

    /** The type as {@code ip} prints it: unicast, local, broadcast, blackhole ... */
    public String typeName() {
        return Names.routeType(type);
    }

    /** The scope as {@code ip} prints it. */
    public String scopeName() {
        return Names.scope(scope);
    }

    /** The protocol as {@code ip} prints it: kernel, boot, static, dhcp ..., or the number. */
    public String protocolName() {
        return Names.protocol(protocol);
    }

    /** The destination as {@code ip} prints it: {@code default}, {@code 10.0.0.0/24}, or a host without /32. */
    public String destinationString() {
        if (destination == null) return "default";
        int full = destination.getAddress().length * 8;
        return prefixLength == full ? destination.getHostAddress() : destination.getHostAddress() + "/" + prefixLength;
    }

    /** Decodes the RTM_NEWROUTE / RTM_DELROUTE message at {@code at}. */
    static Route decode(byte[] b, int at, int length) {
        int p = at + SIZEOF_NLMSGHDR;
        Structs.require(length, SIZEOF_RTMSG, "rtmsg");
        int table = Bytes.u8(b, p + OFFSETOF_RTMSG_RTM_TABLE);
        InetAddress dst = null, gateway = null, prefsrc = null;
        int oif = 0;
        long priority = -1;
        AttributeCursor c = new AttributeCursor(b, p + SIZEOF_RTMSG, at + length);
        while (c.next()) {
            switch (c.type()) {
                case RTA_TABLE -> table = c.u32();
                case RTA_DST -> dst = c.address();
                case RTA_GATEWAY -> gateway = c.address();
                case RTA_OIF -> oif = c.u32();
                case RTA_PREFSRC -> prefsrc = c.address();
                case RTA_PRIORITY -> priority = Integer.toUnsignedLong(c.u32());
                default -> { }
            }
        }
        return new Route(Bytes.u8(b, p + OFFSETOF_RTMSG_RTM_FAMILY), table, dst, Bytes.u8(b, p + OFFSETOF_RTMSG_RTM_DST_LEN),
                gateway, oif, prefsrc, priority, Bytes.u8(b, p + OFFSETOF_RTMSG_RTM_TYPE), Bytes.u8(b, p + OFFSETOF_RTMSG_RTM_SCOPE),
                Bytes.u8(b, p + OFFSETOF_RTMSG_RTM_PROTOCOL), Bytes.i32(b, p + OFFSETOF_RTMSG_RTM_FLAGS));
    }

    @Override
    public String toString() {
        return (type == RTN_UNICAST ? "" : typeName() + " ") + destinationString()
                + (gateway == null ? "" : " via " + gateway.getHostAddress()) + " dev#" + interfaceIndex
                + " table " + table + " proto " + protocolName() + " scope " + scopeName()
                + (preferredSource == null ? "" : " src " + preferredSource.getHostAddress())
                + (priority < 0 ? "" : " metric " + priority);
    }
}
