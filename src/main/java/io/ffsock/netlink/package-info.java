/**
 * Netlink in pure Java: the message codec (netlink(7) headers, attributes, acks), a
 * request/reply {@link io.ffsock.netlink.NetlinkSocket}, the typed rtnetlink(7) API
 * ({@link io.ffsock.netlink.Rtnetlink}: links, addresses, routes, neighbours, route lookup,
 * changes and events) and sock_diag(7) for AF_UNIX sockets ({@link io.ffsock.netlink.UnixSockets}).
 *
 * <p>Built on ffsock's public {@link io.ffsock.Socket} with {@link io.ffsock.Family#NETLINK};
 * no native code of its own.
 */
package io.ffsock.netlink;
