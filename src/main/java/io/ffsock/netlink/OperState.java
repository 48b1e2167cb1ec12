package io.ffsock.netlink;

/** RFC 2863 operational state of a link (IFLA_OPERSTATE, IF_OPER_* in linux/if.h), as {@code ip link} prints it. */
public enum OperState {
    /** IF_OPER_UNKNOWN (0), e.g. loopback. */
    UNKNOWN,
    /** IF_OPER_NOTPRESENT (1). */
    NOTPRESENT,
    /** IF_OPER_DOWN (2). */
    DOWN,
    /** IF_OPER_LOWERLAYERDOWN (3): the link below is down (a veth whose peer is down). */
    LOWERLAYERDOWN,
    /** IF_OPER_TESTING (4). */
    TESTING,
    /** IF_OPER_DORMANT (5). */
    DORMANT,
    /** IF_OPER_UP (6). */
    UP;

    /** The state for an IF_OPER_* number; UNKNOWN for a number outside 0..6. */
    public static OperState of(int value) {
        OperState[] all = values();
        return value >= 0 && value < all.length ? all[value] : UNKNOWN;
    }
}
