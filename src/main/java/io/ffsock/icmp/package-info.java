/**
 * ICMP tooling as a library: {@link io.ffsock.icmp.Pinger} sends ICMP echo requests to many
 * targets at once over one socket per address family and matches the replies, errors and
 * statistics; {@link io.ffsock.icmp.Traceroute} traces the route to a host with ICMP echo or UDP
 * probes, every hop in flight at once. Built on the public {@code io.ffsock} socket API and the {@code io.ffsock.packet}
 * codecs; nothing here touches the native layer.
 */
package io.ffsock.icmp;
