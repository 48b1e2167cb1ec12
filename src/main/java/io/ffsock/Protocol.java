package io.ffsock;

/**
 * A protocol number (the {@code protocol} argument of socket(2)), protocols(5).
 *
 * <p>{@link #DEFAULT} (0) lets the kernel pick the usual protocol for the family and type. For
 * IP families any number 0..255 is accepted (raw sockets take any IP protocol); for AF_PACKET the
 * protocol is an ethertype in network byte order, made by {@link #ethernet(int)}. Those ffsock has
 * names for print as their C name, others as the bare number.
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

    /** Checks the number is a valid protocol argument (0..65535: IP protocols and ethertypes). */
    public Protocol {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException("protocol " + value + " is not in 0..65535");
        }
    }

    /**
     * The protocol argument of an AF_PACKET socket for {@code ethertype} (e.g. 0x0800 for IPv4,
     * 0x0003 ETH_P_ALL for every protocol): the ethertype in network byte order, as packet(7) wants
     * ({@code htons(ETH_P_IP)}).
     */
    public static Protocol ethernet(int ethertype) {
        if (ethertype < 0 || ethertype > 0xffff) throw new IllegalArgumentException("ethertype " + ethertype + " is not 16 bits");
        return new Protocol(Short.toUnsignedInt(Short.reverseBytes((short) ethertype)));
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
