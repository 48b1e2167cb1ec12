package io.ffsock.netlink;

/** The rtnetlink multicast groups {@link RtnetlinkEvents} can listen to (RTNLGRP_*, linux/rtnetlink.h). */
public enum RtnetlinkGroup {
    /** RTNLGRP_LINK: links added, removed, changed (up/down, carrier, MTU ...). */
    LINK(NetlinkConst.RTNLGRP_LINK),
    /** RTNLGRP_NEIGH: neighbour entries. */
    NEIGH(NetlinkConst.RTNLGRP_NEIGH),
    /** RTNLGRP_IPV4_IFADDR: IPv4 addresses. */
    IPV4_IFADDR(NetlinkConst.RTNLGRP_IPV4_IFADDR),
    /** RTNLGRP_IPV4_ROUTE: IPv4 routes. */
    IPV4_ROUTE(NetlinkConst.RTNLGRP_IPV4_ROUTE),
    /** RTNLGRP_IPV6_IFADDR: IPv6 addresses. */
    IPV6_IFADDR(NetlinkConst.RTNLGRP_IPV6_IFADDR),
    /** RTNLGRP_IPV6_ROUTE: IPv6 routes. */
    IPV6_ROUTE(NetlinkConst.RTNLGRP_IPV6_ROUTE);

    private final int number;

    RtnetlinkGroup(int number) {
        this.number = number;
    }

    /** The RTNLGRP_* number. */
    public int number() {
        return number;
    }
}
