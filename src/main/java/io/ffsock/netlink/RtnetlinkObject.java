package io.ffsock.netlink;

/** What an rtnetlink message describes: a {@link Link}, an {@link Address}, a {@link Route} or a {@link Neighbour}. */
public sealed interface RtnetlinkObject permits Link, Address, Route, Neighbour {
    /** The interface index it belongs to (0 where there is none, e.g. a blackhole route). */
    int interfaceIndex();
}
