package io.ffsock.netlink;

/** The words {@code ip} prints for rtnetlink numbers (iproute2's rt_scopes, rt_protos, route types). */
final class Names {
    private Names() {}

    static String scope(int scope) {
        return switch (scope) {
            case NetlinkConst.RT_SCOPE_UNIVERSE -> "global";
            case NetlinkConst.RT_SCOPE_SITE -> "site";
            case NetlinkConst.RT_SCOPE_LINK -> "link";
            case NetlinkConst.RT_SCOPE_HOST -> "host";
            case NetlinkConst.RT_SCOPE_NOWHERE -> "nowhere";
            default -> Integer.toString(scope);
        };
    }

    static String protocol(int protocol) {
        return switch (protocol) {
            case NetlinkConst.RTPROT_UNSPEC -> "unspec";
            case NetlinkConst.RTPROT_REDIRECT -> "redirect";
            case NetlinkConst.RTPROT_KERNEL -> "kernel";
            case NetlinkConst.RTPROT_BOOT -> "boot";
            case NetlinkConst.RTPROT_STATIC -> "static";
            case NetlinkConst.RTPROT_RA -> "ra";
            case NetlinkConst.RTPROT_DHCP -> "dhcp";
            default -> Integer.toString(protocol);
        };
    }

    private static final String[] ROUTE_TYPES = {"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
        "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"};

    static String routeType(int type) {
        return type >= 0 && type < ROUTE_TYPES.length ? ROUTE_TYPES[type] : Integer.toString(type);
    }
}
