package io.ffsock.packet;

import java.util.Arrays;

/**
 * Destination Unreachable (type 1, RFC 4443 section 3.1): the invoking packet could not be
 * delivered. The 32-bit word after the checksum is unused (written as zero, ignored on parse).
 *
 * <p>The invoking packet starts with its IPv6 header; {@link #quote()} parses it.
 *
 * @param code why, {@code 0..255}, e.g. {@link #PORT_UNREACHABLE}
 * @param invokingPacket as much of the invoking packet as the sender quoted, starting with its
 *     IPv6 header; copied ({@link #quote()} parses it)
 */
public record Icmpv6DestinationUnreachable(int code, byte[] invokingPacket) implements Icmpv6Message {
    /** Code 0: no route to destination. */
    public static final int NO_ROUTE = 0;
    /** Code 1: communication with destination administratively prohibited. */
    public static final int ADMINISTRATIVELY_PROHIBITED = 1;
    /** Code 2: beyond scope of source address. */
    public static final int BEYOND_SCOPE = 2;
    /** Code 3: address unreachable. */
    public static final int ADDRESS_UNREACHABLE = 3;
    /** Code 4: port unreachable. */
    public static final int PORT_UNREACHABLE = 4;
    /** Code 5: source address failed ingress/egress policy. */
    public static final int SOURCE_ADDRESS_FAILED_POLICY = 5;
    /** Code 6: reject route to destination. */
    public static final int REJECT_ROUTE = 6;

    private static final String[] NAMES = {
        "no route", "administratively prohibited", "beyond scope", "address unreachable",
        "port unreachable", "source address failed policy", "reject route",
    };

    /**
     * Validates and copies.
     *
     * @param code the code
     * @param invokingPacket the quoted invoking packet
     */
    public Icmpv6DestinationUnreachable {
        Wire.checkRange("code", code, 0, 255);
        invokingPacket = invokingPacket.clone();
    }

    /**
     * An error quoting {@code quote}, e.g. one built with {@link QuotedIpv6Packet#of(Ipv6Header, byte[])}.
     *
     * @param code the code
     * @param quote the invoking packet
     */
    public Icmpv6DestinationUnreachable(int code, QuotedIpv6Packet quote) {
        this(code, quote.bytes());
    }

    /**
     * The invoking packet parsed: its IPv6 header when the quote starts with one, and the bytes
     * after it (for a probe, the UDP or ICMPv6 header that identifies it).
     *
     * @return the quote; {@link #invokingPacket()} has the same bytes
     */
    public QuotedIpv6Packet quote() {
        return QuotedIpv6Packet.of(invokingPacket);
    }

    /**
     * The quoted invoking packet.
     *
     * @return a copy of the bytes
     */
    @Override
    public byte[] invokingPacket() {
        return invokingPacket.clone();
    }

    @Override
    public int type() {
        return TYPE_DESTINATION_UNREACHABLE;
    }

    @Override
    public int length() {
        return Icmpv6Errors.HEADER_LENGTH + invokingPacket.length;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        return Icmpv6Errors.write(dst, off, TYPE_DESTINATION_UNREACHABLE, code, 0, invokingPacket);
    }

    static Icmpv6DestinationUnreachable parseBody(byte[] b, int off, int len) {
        Wire.requireLength("ICMPv6 destination unreachable", len, Icmpv6Errors.HEADER_LENGTH);
        return new Icmpv6DestinationUnreachable(Wire.u8(b, off + 1), Icmpv6Errors.invokingPacket(b, off, len));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icmpv6DestinationUnreachable u && u.code == code
                && Arrays.equals(u.invokingPacket, invokingPacket);
    }

    @Override
    public int hashCode() {
        return code * 31 + Arrays.hashCode(invokingPacket);
    }

    @Override
    public String toString() {
        String name = code < NAMES.length ? " (" + NAMES[code] + ")" : "";
        return "Icmpv6DestinationUnreachable[" + code + name + ", "
                + Icmpv6Errors.describe(invokingPacket) + "]";
    }
}
