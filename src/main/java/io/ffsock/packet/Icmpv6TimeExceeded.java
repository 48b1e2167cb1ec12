package io.ffsock.packet;

import java.util.Arrays;

/**
 * Time Exceeded (type 3, RFC 4443 section 3.3): the hop limit reached zero in transit (code 0,
 * what traceroute provokes) or fragment reassembly timed out (code 1). The 32-bit word after the
 * checksum is unused (written as zero, ignored on parse).
 *
 * @param code {@link #HOP_LIMIT_EXCEEDED} or {@link #FRAGMENT_REASSEMBLY_TIME_EXCEEDED}, or any
 *     other value {@code 0..255} as received
 * @param invokingPacket as much of the invoking packet as the sender quoted, starting with its
 *     IPv6 header; copied ({@link #quote()} parses it)
 */
public record Icmpv6TimeExceeded(int code, byte[] invokingPacket) implements Icmpv6Message {
    /** Code 0: hop limit exceeded in transit. */
    public static final int HOP_LIMIT_EXCEEDED = 0;
    /** Code 1: fragment reassembly time exceeded. */
    public static final int FRAGMENT_REASSEMBLY_TIME_EXCEEDED = 1;

    /**
     * Validates and copies.
     *
     * @param code the code
     * @param invokingPacket the quoted invoking packet
     */
    public Icmpv6TimeExceeded {
        Wire.checkRange("code", code, 0, 255);
        invokingPacket = invokingPacket.clone();
    }

    /**
     * An error quoting {@code quote}, e.g. one built with {@link QuotedIpv6Packet#of(Ipv6Header, byte[])}.
     *
     * @param code the code
     * @param quote the invoking packet
     */
    public Icmpv6TimeExceeded(int code, QuotedIpv6Packet quote) {
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
        return TYPE_TIME_EXCEEDED;
    }

    @Override
    public int length() {
        return Icmpv6Errors.HEADER_LENGTH + invokingPacket.length;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        return Icmpv6Errors.write(dst, off, TYPE_TIME_EXCEEDED, code, 0, invokingPacket);
    }

    static Icmpv6TimeExceeded parseBody(byte[] b, int off, int len) {
        Wire.requireLength("ICMPv6 time exceeded", len, Icmpv6Errors.HEADER_LENGTH);
        return new Icmpv6TimeExceeded(Wire.u8(b, off + 1), Icmpv6Errors.invokingPacket(b, off, len));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icmpv6TimeExceeded t && t.code == code && Arrays.equals(t.invokingPacket, invokingPacket);
    }

    @Override
    public int hashCode() {
        return code * 31 + Arrays.hashCode(invokingPacket);
    }

    @Override
    public String toString() {
        String name = switch (code) {
            case HOP_LIMIT_EXCEEDED -> " (hop limit exceeded in transit)";
            case FRAGMENT_REASSEMBLY_TIME_EXCEEDED -> " (fragment reassembly time exceeded)";
            default -> "";
        };
        return "Icmpv6TimeExceeded[" + code + name + ", " + Icmpv6Errors.describe(invokingPacket) + "]";
    }
}
