package io.ffsock.netlink;

/**
 * One change the kernel announced: a link, address, route or neighbour that appeared or changed
 * (RTM_NEW*) or went away (RTM_DEL*).
 *
 * @param deleted whether it was an RTM_DEL* message
 * @param object  the link, address, route or neighbour as the message describes it
 */
public record RtnetlinkEvent(boolean deleted, RtnetlinkObject object) {}
