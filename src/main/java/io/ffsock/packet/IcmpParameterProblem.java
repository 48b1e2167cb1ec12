package io.ffsock.packet;

import java.util.Objects;

/**
 * Parameter Problem (type 12, RFC 792 page 8; codes 1 and 2 from RFC 1122 section 3.2.2.5 and
 * RFC 1812 section 5.2.7.3): the quoted datagram had a bad header field. For code 0 the pointer
 * is the offset of the offending byte in the quoted header.
 *
 * @param code {@code 0} (pointer indicates the error), {@code 1} (missing a required option),
 *     {@code 2} (bad length), or any other value {@code 0..255} as received
 * @param pointer the offending byte's offset within the quoted datagram, {@code 0..255}
 * @param quote the start of the faulty datagram
 */
public record IcmpParameterProblem(int code, int pointer, QuotedDatagram quote) implements IcmpMessage {
    /** Code 0: the pointer indicates the error. */
    public static final int POINTER_INDICATES_ERROR = 0;
    /** Code 1: a required option is missing. */
    public static final int MISSING_REQUIRED_OPTION = 1;
    /** Code 2: bad length. */
    public static final int BAD_LENGTH = 2;

    /**
     * Validates.
     *
     * @param code the code
     * @param pointer the pointer
     * @param quote the quoted datagram
     */
    public IcmpParameterProblem {
        Wire.checkRange("code", code, 0, 255);
        Wire.checkRange("pointer", pointer, 0, 255);
        Objects.requireNonNull(quote, "quote");
    }

    @Override
    public int type() {
        return TYPE_PARAMETER_PROBLEM;
    }

    @Override
    public int length() {
        return 8 + quote.length();
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) TYPE_PARAMETER_PROBLEM;
        dst[off + 1] = (byte) code;
        Wire.putU32(dst, off + 4, (long) pointer << 24);
        quote.writeTo(dst, off + 8);
        Wire.sealChecksum(dst, off, len, off + 2);
        return len;
    }

    static IcmpParameterProblem parseBody(byte[] b, int off, int len) {
        Wire.requireLength("ICMP parameter problem", len, 8);
        return new IcmpParameterProblem(Wire.u8(b, off + 1), Wire.u8(b, off + 4),
                QuotedDatagram.of(Wire.copy(b, off + 8, len - 8)));
    }

    @Override
    public String toString() {
        return "IcmpParameterProblem[" + code + ", pointer " + pointer + ", " + quote + "]";
    }
}
