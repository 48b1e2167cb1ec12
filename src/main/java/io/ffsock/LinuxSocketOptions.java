package io.ffsock;

import io.ffsock.NativeOption.Codec;
import io.ffsock.internal.sys.Const;
import java.net.SocketOption;
import java.time.Duration;

/**
 * Socket options Linux has beyond {@link java.net.StandardSocketOptions}, for
 * {@link Socket#getOption} and {@link Socket#setOption}. Each is named after its C constant, and
 * its Javadoc names the man page. The JDK's standard options (SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR,
 * SO_REUSEPORT, SO_LINGER, SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY, IP_TOS, IP_MULTICAST_TTL,
 * IP_MULTICAST_LOOP) are accepted as they are.
 */
public final class LinuxSocketOptions {
    private LinuxSocketOptions() {}

    /** SO_TYPE (read-only), socket(7): the socket's type as the kernel reports it. */
    public static final SocketOption<SocketType> SO_TYPE =
            new NativeOption<>("SO_TYPE", SocketType.class, Const.SOL_SOCKET, Const.SO_TYPE, Codec.SOCKET_TYPE, true);
    /** SO_DOMAIN (read-only), socket(7): the socket's address family. */
    public static final SocketOption<Family> SO_DOMAIN =
            new NativeOption<>("SO_DOMAIN", Family.class, Const.SOL_SOCKET, Const.SO_DOMAIN, Codec.FAMILY, true);
    /** SO_PROTOCOL (read-only), socket(7): the socket's protocol. */
    public static final SocketOption<Protocol> SO_PROTOCOL =
            new NativeOption<>("SO_PROTOCOL", Protocol.class, Const.SOL_SOCKET, Const.SO_PROTOCOL, Codec.PROTOCOL, true);
    /** SO_ERROR (read-only), socket(7): the pending error (an errno, 0 if none); reading clears it. */
    public static final SocketOption<Integer> SO_ERROR =
            new NativeOption<>("SO_ERROR", Integer.class, Const.SOL_SOCKET, Const.SO_ERROR, Codec.INT, true);
    /** SO_ACCEPTCONN (read-only), socket(7): whether the socket is listening. */
    public static final SocketOption<Boolean> SO_ACCEPTCONN =
            new NativeOption<>("SO_ACCEPTCONN", Boolean.class, Const.SOL_SOCKET, Const.SO_ACCEPTCONN, Codec.BOOLEAN, true);
    /**
     * SO_PASSCRED, unix(7): receive the sender's credentials as SCM_CREDENTIALS with every
     * message. Turn it on before messages are queued (on a listener: before clients connect): a
     * message queued earlier carries pid 0 and the overflow uid/gid 65534, and credentials a
     * sender attaches explicitly are dropped while it is off.
     */
    public static final SocketOption<Boolean> SO_PASSCRED =
            new NativeOption<>("SO_PASSCRED", Boolean.class, Const.SOL_SOCKET, Const.SO_PASSCRED, Codec.BOOLEAN, false);
    /**
     * SO_PASSPIDFD (Linux 6.5+), unix(7): receive a pidfd for the sending process as SCM_PIDFD
     * ({@link ControlMessage.PidFd}) with every message {@link Socket#recvMsg} takes. Each one is
     * a new fd, owned by the {@link ReceivedMessage} until taken. As with {@link #SO_PASSCRED},
     * turn it on before messages are queued.
     */
    public static final SocketOption<Boolean> SO_PASSPIDFD =
            new NativeOption<>("SO_PASSPIDFD", Boolean.class, Const.SOL_SOCKET, Const.AfterHeaders.SO_PASSPIDFD, Codec.BOOLEAN, false);
    /**
     * SO_RCVTIMEO, socket(7): the kernel's own receive timeout (Duration.ZERO = none). A blocking
     * call that hits it throws {@link java.net.SocketTimeoutException}. ffsock's
     * {@link Socket#setTimeout} is usually what you want; this one is there for fds shared with
     * other programs.
     */
    public static final SocketOption<Duration> SO_RCVTIMEO =
            new NativeOption<>("SO_RCVTIMEO", Duration.class, Const.SOL_SOCKET, Const.SO_RCVTIMEO, Codec.TIMEVAL, false);
    /** SO_SNDTIMEO, socket(7): the kernel's own send timeout; see {@link #SO_RCVTIMEO}. */
    public static final SocketOption<Duration> SO_SNDTIMEO =
            new NativeOption<>("SO_SNDTIMEO", Duration.class, Const.SOL_SOCKET, Const.SO_SNDTIMEO, Codec.TIMEVAL, false);
    /** SO_PRIORITY, socket(7): the protocol-defined priority of sent packets. */
    public static final SocketOption<Integer> SO_PRIORITY =
            new NativeOption<>("SO_PRIORITY", Integer.class, Const.SOL_SOCKET, Const.SO_PRIORITY, Codec.INT, false);
    /** SO_MARK, socket(7): the fwmark of sent packets (needs CAP_NET_ADMIN). */
    public static final SocketOption<Integer> SO_MARK =
            new NativeOption<>("SO_MARK", Integer.class, Const.SOL_SOCKET, Const.SO_MARK, Codec.INT, false);
    /** SO_RCVLOWAT, socket(7): the minimum bytes a receive waits for. */
    public static final SocketOption<Integer> SO_RCVLOWAT =
            new NativeOption<>("SO_RCVLOWAT", Integer.class, Const.SOL_SOCKET, Const.SO_RCVLOWAT, Codec.INT, false);
    /** SO_BINDTODEVICE, socket(7): send and receive only through this interface ("" unbinds). */
    public static final SocketOption<String> SO_BINDTODEVICE =
            new NativeOption<>("SO_BINDTODEVICE", String.class, Const.SOL_SOCKET, Const.SO_BINDTODEVICE, Codec.STRING, false);
    /** IP_TTL, ip(7): the time-to-live of sent unicast packets. */
    public static final SocketOption<Integer> IP_TTL =
            new NativeOption<>("IP_TTL", Integer.class, Const.SOL_IP, Const.IP_TTL, Codec.INT, false);
    /** IPV6_V6ONLY, ipv6(7): an AF_INET6 socket talks to IPv6 peers only. */
    public static final SocketOption<Boolean> IPV6_V6ONLY =
            new NativeOption<>("IPV6_V6ONLY", Boolean.class, Const.SOL_IPV6, Const.IPV6_V6ONLY, Codec.BOOLEAN, false);
    /** IPV6_UNICAST_HOPS, ipv6(7): the hop limit of sent unicast packets (-1: the route's default). */
    public static final SocketOption<Integer> IPV6_UNICAST_HOPS =
            new NativeOption<>("IPV6_UNICAST_HOPS", Integer.class, Const.SOL_IPV6, Const.IPV6_UNICAST_HOPS, Codec.INT, false);
    /** TCP_KEEPIDLE, tcp(7): idle seconds before keep-alive probes start. */
    public static final SocketOption<Integer> TCP_KEEPIDLE =
            new NativeOption<>("TCP_KEEPIDLE", Integer.class, Const.SOL_TCP, Const.TCP_KEEPIDLE, Codec.INT, false);
    /** TCP_KEEPINTVL, tcp(7): seconds between keep-alive probes. */
    public static final SocketOption<Integer> TCP_KEEPINTVL =
            new NativeOption<>("TCP_KEEPINTVL", Integer.class, Const.SOL_TCP, Const.TCP_KEEPINTVL, Codec.INT, false);
    /** TCP_KEEPCNT, tcp(7): keep-alive probes before the connection is dropped. */
    public static final SocketOption<Integer> TCP_KEEPCNT =
            new NativeOption<>("TCP_KEEPCNT", Integer.class, Const.SOL_TCP, Const.TCP_KEEPCNT, Codec.INT, false);
    /** TCP_CORK, tcp(7): hold partial frames until uncorked. */
    public static final SocketOption<Boolean> TCP_CORK =
            new NativeOption<>("TCP_CORK", Boolean.class, Const.SOL_TCP, Const.TCP_CORK, Codec.BOOLEAN, false);
    /** TCP_MAXSEG, tcp(7): the maximum segment size. */
    public static final SocketOption<Integer> TCP_MAXSEG =
            new NativeOption<>("TCP_MAXSEG", Integer.class, Const.SOL_TCP, Const.TCP_MAXSEG, Codec.INT, false);


    /** IP_HDRINCL, raw(7): the caller writes the IP header (see the README for what the kernel fills in). */
    public static final SocketOption<Boolean> IP_HDRINCL =
            new NativeOption<>("IP_HDRINCL", Boolean.class, Const.SOL_IP, Const.IP_HDRINCL, Codec.BOOLEAN, false);
    /** IP_OPTIONS, ip(7): IP options sent with every packet (at most 40 bytes; not with IP_HDRINCL). */
    public static final SocketOption<byte[]> IP_OPTIONS =
            new NativeOption<>("IP_OPTIONS", byte[].class, Const.SOL_IP, Const.IP_OPTIONS, Codec.BYTES, false);
    /**
     * SO_TIMESTAMPNS, socket(7): deliver each packet's kernel receive time (CLOCK_REALTIME, in
     * nanoseconds) as a {@link ControlMessage.Timestamp}.
     */
    public static final SocketOption<Boolean> SO_TIMESTAMPNS =
            new NativeOption<>("SO_TIMESTAMPNS", Boolean.class, Const.SOL_SOCKET, Const.SO_TIMESTAMPNS, Codec.BOOLEAN, false);
    /** IP_RECVTTL, ip(7): deliver each packet's TTL as a {@link ControlMessage.Ttl}. */
    public static final SocketOption<Boolean> IP_RECVTTL =
            new NativeOption<>("IP_RECVTTL", Boolean.class, Const.SOL_IP, Const.IP_RECVTTL, Codec.BOOLEAN, false);
    /** IP_RECVTOS, ip(7): deliver each packet's TOS as a {@link ControlMessage.Tos}. */
    public static final SocketOption<Boolean> IP_RECVTOS =
            new NativeOption<>("IP_RECVTOS", Boolean.class, Const.SOL_IP, Const.IP_RECVTOS, Codec.BOOLEAN, false);
    /** IP_PKTINFO, ip(7): deliver each packet's interface and addresses as a {@link ControlMessage.PacketInfo}. */
    public static final SocketOption<Boolean> IP_PKTINFO =
            new NativeOption<>("IP_PKTINFO", Boolean.class, Const.SOL_IP, Const.IP_PKTINFO, Codec.BOOLEAN, false);
    /**
     * IP_RECVERR, ip(7): queue ICMP errors and local errors; read them with
     * {@link MsgFlag#ERRQUEUE} as {@link ControlMessage.ExtendedError}. On UDP and ping sockets
     * a queued error also makes the next send fail: drain the queue first.
     */
    public static final SocketOption<Boolean> IP_RECVERR =
            new NativeOption<>("IP_RECVERR", Boolean.class, Const.SOL_IP, Const.IP_RECVERR, Codec.BOOLEAN, false);
    /** IP_MTU_DISCOVER, ip(7): 0 IP_PMTUDISC_DONT, 1 WANT, 2 DO (set DF), 3 PROBE. */
    public static final SocketOption<Integer> IP_MTU_DISCOVER =
            new NativeOption<>("IP_MTU_DISCOVER", Integer.class, Const.SOL_IP, Const.IP_MTU_DISCOVER, Codec.INT, false);
    /** IP_MTU (read-only, connected sockets), ip(7): the path MTU the kernel knows. */
    public static final SocketOption<Integer> IP_MTU =
            new NativeOption<>("IP_MTU", Integer.class, Const.SOL_IP, Const.IP_MTU, Codec.INT, true);
    /** IP_ROUTER_ALERT, ip(7): pass packets with the Router Alert option to this raw socket. */
    public static final SocketOption<Boolean> IP_ROUTER_ALERT =
            new NativeOption<>("IP_ROUTER_ALERT", Boolean.class, Const.SOL_IP, Const.IP_ROUTER_ALERT, Codec.BOOLEAN, false);
    /** IP_MULTICAST_ALL, ip(7): receive multicast for groups joined by any socket (default on). */
    public static final SocketOption<Boolean> IP_MULTICAST_ALL =
            new NativeOption<>("IP_MULTICAST_ALL", Boolean.class, Const.SOL_IP, Const.IP_MULTICAST_ALL, Codec.BOOLEAN, false);
    /**
     * IP_MULTICAST_IF by local address, ip(7): send multicast from the interface that has this
     * IPv4 address. (By interface, use the JDK's StandardSocketOptions.IP_MULTICAST_IF.)
     */
    public static final SocketOption<java.net.Inet4Address> IP_MULTICAST_IF_ADDRESS =
            new NativeOption<>("IP_MULTICAST_IF", java.net.Inet4Address.class, Const.SOL_IP, Const.IP_MULTICAST_IF,
                    Codec.MULTICAST_INTERFACE_ADDRESS, false);
    /** ICMP_FILTER, raw(7): ICMP types a raw IPPROTO_ICMP socket drops (types 0..31). */
    public static final SocketOption<IcmpFilter> ICMP_FILTER =
            new NativeOption<>("ICMP_FILTER", IcmpFilter.class, Const.SOL_RAW, Const.ICMP_FILTER, Codec.ICMP_FILTER, false);
    /** ICMP6_FILTER, RFC 3542: ICMPv6 types a raw IPPROTO_ICMPV6 socket drops. */
    public static final SocketOption<IcmpFilter> ICMP6_FILTER =
            new NativeOption<>("ICMP6_FILTER", IcmpFilter.class, Const.SOL_ICMPV6, Const.ICMP6_FILTER, Codec.ICMP6_FILTER, false);
    /**
     * IPV6_CHECKSUM, ipv6(7)/RFC 3542: the offset of the checksum the kernel computes over the
     * pseudo-header on a raw IPv6 socket (-1: off). ICMPv6 sockets always get their checksum
     * computed and refuse this option at this level (EINVAL).
     */
    public static final SocketOption<Integer> IPV6_CHECKSUM =
            new NativeOption<>("IPV6_CHECKSUM", Integer.class, Const.SOL_IPV6, Const.IPV6_CHECKSUM, Codec.INT, false);
    /** IPV6_RECVHOPLIMIT, ipv6(7): deliver each packet's hop limit as a {@link ControlMessage.HopLimit}. */
    public static final SocketOption<Boolean> IPV6_RECVHOPLIMIT =
            new NativeOption<>("IPV6_RECVHOPLIMIT", Boolean.class, Const.SOL_IPV6, Const.IPV6_RECVHOPLIMIT, Codec.BOOLEAN, false);
    /** IPV6_RECVPKTINFO, ipv6(7): deliver each packet's destination and interface as a {@link ControlMessage.PacketInfo}. */
    public static final SocketOption<Boolean> IPV6_RECVPKTINFO =
            new NativeOption<>("IPV6_RECVPKTINFO", Boolean.class, Const.SOL_IPV6, Const.IPV6_RECVPKTINFO, Codec.BOOLEAN, false);
    /** IPV6_RECVERR, ipv6(7): as {@link #IP_RECVERR}, for IPv6. */
    public static final SocketOption<Boolean> IPV6_RECVERR =
            new NativeOption<>("IPV6_RECVERR", Boolean.class, Const.SOL_IPV6, Const.IPV6_RECVERR, Codec.BOOLEAN, false);
    /** IPV6_HDRINCL (Linux 4.5+): the caller writes the IPv6 header; the kernel then fills in nothing. */
    public static final SocketOption<Boolean> IPV6_HDRINCL =
            new NativeOption<>("IPV6_HDRINCL", Boolean.class, Const.SOL_IPV6, Const.IPV6_HDRINCL, Codec.BOOLEAN, false);
    /** IPV6_MTU_DISCOVER, ipv6(7): as {@link #IP_MTU_DISCOVER}. */
    public static final SocketOption<Integer> IPV6_MTU_DISCOVER =
            new NativeOption<>("IPV6_MTU_DISCOVER", Integer.class, Const.SOL_IPV6, Const.IPV6_MTU_DISCOVER, Codec.INT, false);

    /**
     * NETLINK_ADD_MEMBERSHIP (set only), netlink(7): join multicast group {@code n} (any number,
     * also above the 32 that nl_groups can hold), e.g. RTNLGRP_LINK for link events.
     */
    public static final SocketOption<Integer> NETLINK_ADD_MEMBERSHIP = new NativeOption<>("NETLINK_ADD_MEMBERSHIP",
            Integer.class, Const.SOL_NETLINK, Const.NETLINK_ADD_MEMBERSHIP, Codec.INT, false);
    /** NETLINK_DROP_MEMBERSHIP (set only), netlink(7): leave multicast group {@code n}. */
    public static final SocketOption<Integer> NETLINK_DROP_MEMBERSHIP = new NativeOption<>("NETLINK_DROP_MEMBERSHIP",
            Integer.class, Const.SOL_NETLINK, Const.NETLINK_DROP_MEMBERSHIP, Codec.INT, false);
    /**
     * NETLINK_EXT_ACK (Linux 4.12+), netlink(7): error replies carry the kernel's explanation
     * (NLMSGERR_ATTR_MSG) and the offset of the offending attribute.
     */
    public static final SocketOption<Boolean> NETLINK_EXT_ACK = new NativeOption<>("NETLINK_EXT_ACK",
            Boolean.class, Const.SOL_NETLINK, Const.NETLINK_EXT_ACK, Codec.BOOLEAN, false);
    /**
     * NETLINK_GET_STRICT_CHK (Linux 4.20+), netlink(7): the kernel checks dump requests strictly
     * and applies their header fields and attributes as filters.
     */
    public static final SocketOption<Boolean> NETLINK_GET_STRICT_CHK = new NativeOption<>("NETLINK_GET_STRICT_CHK",
            Boolean.class, Const.SOL_NETLINK, Const.NETLINK_GET_STRICT_CHK, Codec.BOOLEAN, false);
    /** NETLINK_NO_ENOBUFS, netlink(7): do not report ENOBUFS when multicast messages were dropped. */
    public static final SocketOption<Boolean> NETLINK_NO_ENOBUFS = new NativeOption<>("NETLINK_NO_ENOBUFS",
            Boolean.class, Const.SOL_NETLINK, Const.NETLINK_NO_ENOBUFS, Codec.BOOLEAN, false);
    /** NETLINK_CAP_ACK, netlink(7): error replies do not echo the whole request, only its header. */
    public static final SocketOption<Boolean> NETLINK_CAP_ACK = new NativeOption<>("NETLINK_CAP_ACK",
            Boolean.class, Const.SOL_NETLINK, Const.NETLINK_CAP_ACK, Codec.BOOLEAN, false);
}
