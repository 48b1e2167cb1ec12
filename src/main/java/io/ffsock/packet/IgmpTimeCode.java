package io.ffsock.packet;

/**
 * The 8-bit floating-point code IGMPv3 uses for the Max Resp Code (RFC 3376 section 4.1.1, in
 * tenths of a second) and the QQIC (section 4.1.7, in seconds).
 *
 * <p>A code below 128 is the value itself. A code with the high bit set is {@code 1 exp mant}
 * with a 3-bit exponent and 4-bit mantissa, and means {@code (mant | 0x10) << (exp + 3)}: values
 * from 128 up to {@value #MAX_VALUE}, with gaps that widen as the exponent grows.
 */
public final class IgmpTimeCode {
    private IgmpTimeCode() {}

    /** The largest value a code can express: mantissa 15, exponent 7, {@code 31 << 10}. */
    public static final int MAX_VALUE = 31744;

    /**
     * The value a code stands for (RFC 3376 sections 4.1.1 and 4.1.7).
     *
     * @param code the code byte, {@code 0..255}
     * @return the value, {@code 0..31744}
     * @throws IllegalArgumentException if the code is not a byte value
     */
    public static int decode(int code) {
        Wire.checkRange("IGMP time code", code, 0, 255);
        return Wire.decodeFloatCode(code, 4);
    }

    /**
     * The code for a value, rounding up: a value the format cannot express exactly gets the code
     * of the smallest expressible value above it. Rounding up rather than to nearest means a
     * querier never advertises a shorter response time or query interval than it was configured
     * with, so a timer derived from the code (RFC 3376 section 8) never fires earlier than
     * intended. {@code decode(encode(v)) == v} exactly when {@link #isExact(int)}.
     *
     * @param value {@code 0..31744}: tenths of a second for Max Resp Code, seconds for QQIC
     * @return the code byte, {@code 0..255}
     * @throws IllegalArgumentException if the value is negative or above {@value #MAX_VALUE}
     */
    public static int encode(int value) {
        Wire.checkRange("IGMP time value", value, 0, MAX_VALUE);
        return Wire.encodeFloatCode(value, 4);
    }

    /**
     * Whether a value can be carried without rounding.
     *
     * @param value {@code 0..31744}
     * @return true if {@code decode(encode(value)) == value}
     */
    public static boolean isExact(int value) {
        return decode(encode(value)) == value;
    }
}
