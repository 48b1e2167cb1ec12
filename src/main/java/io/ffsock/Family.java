package io.ffsock;

/**
 * An address family (the {@code domain} argument of socket(2)), such as {@code AF_UNIX}.
 *
 * <p>A tiny value type: any number the kernel knows can be used; the families ffsock has names for
 * print as their C name, others as the bare number.
 *
 * @param value the AF_* number
 */
public record Family(int value) {
    /** Local communication, unix(7). */
    public static final Family UNIX = new Family(1);
    /** IPv4, ip(7). */
    public static final Family INET = new Family(2);
    /** IPv6, ipv6(7). */
    public static final Family INET6 = new Family(10);
    /** Link-level packets, packet(7). */
    public static final Family PACKET = new Family(17);
    /** Kernel/user-space messaging (rtnetlink, sock_diag ...), netlink(7). */
    public static final Family NETLINK = new Family(16);

    /** The C name ({@code AF_UNIX}) or the bare number when ffsock has no name for it. */
    @Override
    public String toString() {
        return switch (value) {
            case 1 -> "AF_UNIX";
            case 2 -> "AF_INET";
            case 10 -> "AF_INET6";
            case 17 -> "AF_PACKET";
            case 16 -> "AF_NETLINK";
            default -> Integer.toString(value);
        };
    }
}
