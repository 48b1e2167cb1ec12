package io.ffsock.packet;

import java.util.Arrays;

/**
 * Parameter Problem (type 4, RFC 4443 section 3.4): a field of the invoking packet could not be
 * processed; {@link #pointer()} is the offset of the offending byte within the invoking packet.
 *
 * @param code {@code 0} erroneous header field, {@code 1} unrecognized Next Header, {@code 2}
 *     unrecognized IPv6 option, or any other value {@code 0..255} as received (RFC 7112 and
 *     later add more)
 * @param pointer the offset of the error in the invoking packet, {@code 0..2^32-1}
 * @param invokingPacket as much of the invoking packet as the sender quoted, starting with its
 *     IPv6 header; copied ({@link #quote()} parses it)
 */
public record Icmpv6ParameterProblem(int code, long pointer, byte[] invokingPacket) implements Icmpv6Message {
    /** Code 0: erroneous header field encountered. */
    public static final int ERRONEOUS_HEADER_FIELD = 0;
    /** Code 1: unrecognized Next Header type encountered. */
    public static final int UNRECOGNIZED_NEXT_HEADER = 1;
    /** Code 2: unrecognized IPv6 option encountered. */
    public static final int UNRECOGNIZED_OPTION = 2;

    /**
     * Validates and copies.
     *
     * @param code the code
     * @param pointer the pointer
     * @param invokingPacket the quoted invoking packet
     */
    public Icmpv6ParameterProblem {
        Wire.checkRange("code", code, 0, 255);
        Wire.checkRange("pointer", pointer, 0, 0xFFFF_FFFFL);
        invokingPacket = invokingPacket.clone();
    }

    /**
     * An error quoting {@code quote}, e.g. one built with {@link QuotedIpv6Packet#of(Ipv6Header, byte[])}.
     *
     * @param code the code
     * @param pointer the pointer
     * @param quote the invoking packet
     */
    public Icmpv6ParameterProblem(int code, long pointer, QuotedIpv6Packet quote) {
        this(code, pointer, quote.bytes());
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
        return TYPE_PARAMETER_PROBLEM;
    }

    @Override
    public int length() {
        return Icmpv6Errors.HEADER_LENGTH + invokingPacket.length;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        return Icmpv6Errors.write(dst, off, TYPE_PARAMETER_PROBLEM, code, pointer, invokingPacket);
    }

    static Icmpv6ParameterProblem parseBody(byte[] b, int off, int len) {
        Wire.requireLength("ICMPv6 parameter problem", len, Icmpv6Errors.HEADER_LENGTH);
        return new Icmpv6ParameterProblem(Wire.u8(b, off + 1), Wire.u32(b, off + 4),
                Icmpv6Errors.invokingPacket(b, off, len));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icmpv6ParameterProblem p && p.code == code && p.pointer == pointer
                && Arrays.equals(p.invokingPacket, invokingPacket);
    }

    @Override
    public int hashCode() {
        return (code * 31 + Long.hashCode(pointer)) * 31 + Arrays.hashCode(invokingPacket);
    }

    @Override
    public String toString() {
        return "Icmpv6ParameterProblem[" + code + ", pointer " + pointer + ", "
                + Icmpv6Errors.describe(invokingPacket) + "]";
    }
}
