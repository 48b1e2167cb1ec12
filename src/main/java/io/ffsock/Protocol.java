package io.ffsock;

/**
 * A protocol number (the {@code protocol} argument of socket(2)), protocols(5).
 *
 * <p>{@link #DEFAULT} (0) lets the kernel pick the usual protocol for the family and type. Any
 * number 0..255 is accepted (raw sockets take any IP protocol); those ffsock has names for print
 * as their C name, others as the bare number.
 *
 * @param value the IPPROTO_* number
 */
public record Protocol(int value) {
    /** 0: the default protocol for the family and type. */
    public static final Protocol DEFAULT = new Protocol(0);
    /** ICMP for IPv4. */
    public static final Protocol ICMP = new Protocol(1);
    /** IGMP. */
    public static final Protocol IGMP = new Protocol(2);
    /** TCP. */
    public static final Protocol TCP = new Protocol(6);
    /** UDP. */
    public static final Protocol UDP = new Protocol(17);
    /** ICMP for IPv6. */
    public static final Protocol ICMPV6 = new Protocol(58);
    /** IPPROTO_RAW: send-only raw socket with the IP header included. */
    public static final Protocol RAW = new Protocol(255);

    /** Checks the number is a valid protocol argument. */
    public Protocol {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("protocol " + value + " is not in 0..255");
        }
    }

    @Override
    public String toString() {
        return switch (value) {
            case 0 -> "0";
            case 1 -> "IPPROTO_ICMP";
            case 2 -> "IPPROTO_IGMP";
            case 6 -> "IPPROTO_TCP";
            case 17 -> "IPPROTO_UDP";
            case 58 -> "IPPROTO_ICMPV6";
            case 255 -> "IPPROTO_RAW";
            default -> Integer.toString(value);
        };
    }
}
