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
    /** SO_PASSCRED, unix(7): receive the sender's credentials as SCM_CREDENTIALS. */
    public static final SocketOption<Boolean> SO_PASSCRED =
            new NativeOption<>("SO_PASSCRED", Boolean.class, Const.SOL_SOCKET, Const.SO_PASSCRED, Codec.BOOLEAN, false);
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

}
