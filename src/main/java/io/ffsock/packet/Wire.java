package io.ffsock.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** Byte-level helpers shared by the codecs: big-endian field access, range checks, hex. */
final class Wire {
    private Wire() {}

    /** Bodies longer than this print only their first bytes in {@code toString()}. */
    private static final int HEX_PREVIEW = 32;

    static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    static long u32(byte[] b, int i) {
        return (long) u16(b, i) << 16 | u16(b, i + 2);
    }

    static void putU16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void putU32(byte[] b, int i, long v) {
        putU16(b, i, (int) (v >>> 16));
        putU16(b, i + 2, (int) v);
    }

    static Inet4Address inet4(byte[] b, int i) {
        byte[] raw = {b[i], b[i + 1], b[i + 2], b[i + 3]};
        try {
            return (Inet4Address) InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            // getByAddress only fails for a wrong array length, and this one is always 4.
            throw new AssertionError(e);
        }
    }

    static void putInet4(byte[] b, int i, Inet4Address a) {
        System.arraycopy(a.getAddress(), 0, b, i, 4);
    }

    /**
     * The 16 bytes at {@code i} as an {@code Inet6Address}, always: {@code InetAddress.getByAddress}
     * would turn a v4-mapped address (::ffff:a.b.c.d) into an {@code Inet4Address}.
     */
    static Inet6Address inet6(byte[] b, int i) {
        try {
            return Inet6Address.getByAddress(null, copy(b, i, 16), -1);
        } catch (UnknownHostException e) {
            // getByAddress only fails for a wrong array length, and this one is always 16.
            throw new AssertionError(e);
        }
    }

    static void putInet6(byte[] b, int i, Inet6Address a) {
        System.arraycopy(a.getAddress(), 0, b, i, 16);
    }

    static List<Inet4Address> inet4List(byte[] b, int i, int count) {
        Inet4Address[] out = new Inet4Address[count];
        for (int k = 0; k < count; k++) {
            out[k] = inet4(b, i + 4 * k);
        }
        return List.of(out);
    }

    static void putInet4List(byte[] b, int i, List<Inet4Address> addresses) {
        for (Inet4Address a : addresses) {
            putInet4(b, i, a);
            i += 4;
        }
    }

    static List<Inet6Address> inet6List(byte[] b, int i, int count) {
        Inet6Address[] out = new Inet6Address[count];
        for (int k = 0; k < count; k++) {
            out[k] = inet6(b, i + 16 * k);
        }
        return List.of(out);
    }

    static void putInet6List(byte[] b, int i, List<Inet6Address> addresses) {
        for (Inet6Address a : addresses) {
            putInet6(b, i, a);
            i += 16;
        }
    }

    static String str(List<? extends InetAddress> addresses) {
        StringBuilder s = new StringBuilder("{");
        for (InetAddress a : addresses) {
            s.append(s.length() == 1 ? "" : " ").append(str(a));
        }
        return s.append('}').toString();
    }

    /**
     * The value of a floating-point time code of IGMPv3 (RFC 3376 section 4.1.1, 4-bit mantissa)
     * or MLDv2 (RFC 3810 section 5.1.3, 12-bit mantissa): below {@code 1 << (mantissaBits + 3)}
     * the code is the value; above, it is {@code 1 exp(3) mant} for
     * {@code (mant | 1 << mantissaBits) << (exp + 3)}. The caller has checked the range.
     */
    static int decodeFloatCode(int code, int mantissaBits) {
        if (code < 1 << (mantissaBits + 3)) {
            return code;
        }
        int exp = (code >>> mantissaBits) & 0x7;
        int mant = code & ((1 << mantissaBits) - 1);
        return (mant | 1 << mantissaBits) << (exp + 3);
    }

    /**
     * The code of {@link #decodeFloatCode} for a value, rounding up to the smallest value the code
     * can express at or above it. The caller has checked the range.
     */
    static int encodeFloatCode(int value, int mantissaBits) {
        int literal = 1 << (mantissaBits + 3);
        if (value < literal) {
            return value;
        }
        // (mant | 1 << mantissaBits) has its top bit at mantissaBits, so the value's top bit is
        // bit exp + mantissaBits + 3.
        int exp = 31 - Integer.numberOfLeadingZeros(value) - (mantissaBits + 3);
        int shift = exp + 3;
        int mantissa = (value + (1 << shift) - 1) >>> shift; // ceiling division: round up
        if (mantissa == 2 << mantissaBits) {
            // Rounding up overflowed the mantissa: (2 << m) << shift is (1 << m) << (shift + 1).
            exp++;
            mantissa = 1 << mantissaBits;
        }
        return literal | exp << mantissaBits | (mantissa & ((1 << mantissaBits) - 1));
    }

    /**
     * Checks the header of a group record of an IGMPv3 or MLDv2 report at {@code b[off]} (type,
     * aux data length in words, source count, then the group), with {@code available} bytes left
     * in the message: it must fit, and so must its sources and auxiliary data.
     *
     * @return the source count
     */
    static int checkGroupRecord(String what, byte[] b, int off, int available, int index, int headerLength,
                                int addressLength) {
        if (available < headerLength) {
            throw new MalformedPacketException(what + " " + index + " is cut short: "
                    + available + " bytes left, need " + headerLength);
        }
        int auxLength = 4 * u8(b, off + 1);
        int count = u16(b, off + 2);
        long need = headerLength + (long) addressLength * count + auxLength;
        if (need > available) {
            throw new MalformedPacketException(what + " " + index + " claims " + count
                    + " sources and " + auxLength + " bytes of auxiliary data (" + need
                    + " bytes) but only " + available + " bytes are left");
        }
        return count;
    }

    /** Parses the {@code index}-th group record at {@code b[off]}, {@code available} bytes left. */
    interface GroupRecordParser<R> {
        R parse(byte[] b, int off, int available, int index);
    }

    /**
     * The {@code count} group records of an IGMPv3 or MLDv2 report, the first at
     * {@code b[off + start]}. Each needs at least {@code minLength} bytes: the count is checked
     * against the room first, so a forged count allocates no large list before the first short
     * record is found.
     *
     * @param what the report, for messages: "IGMPv3 report"
     * @param records what its records are called: "group records"
     */
    static <R> List<R> groupRecords(String what, String records, byte[] b, int off, int len, int start, int count,
                                    int minLength, GroupRecordParser<R> parser, java.util.function.ToIntFunction<R> length) {
        if ((long) count * minLength > len - start) {
            throw new MalformedPacketException(what + " claims " + count + " " + records
                    + " but has room for at most " + (len - start) / minLength);
        }
        List<R> out = new java.util.ArrayList<>(count);
        int i = start;
        for (int k = 0; k < count; k++) {
            R r = parser.parse(b, off + i, len - i, k);
            out.add(r);
            i += length.applyAsInt(r);
        }
        return out;
    }

    /** Checks a group record's auxiliary data: whole 32-bit words, at most 255 of them. */
    static byte[] checkAuxiliaryData(String what, byte[] auxiliaryData) {
        if (auxiliaryData.length % 4 != 0 || auxiliaryData.length > 255 * 4) {
            throw new IllegalArgumentException(what + " auxiliary data of " + auxiliaryData.length
                    + " bytes is not a multiple of 4 up to 1020");
        }
        return auxiliaryData.clone();
    }

    /** Checks that a caller-supplied window lies inside the array (a caller bug otherwise). */
    static void checkWindow(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
    }

    /** Rejects a content length below {@code need}, naming {@code what} in the message. */
    static void requireLength(String what, int len, int need) {
        if (len < need) {
            throw new MalformedPacketException(
                    what + " too short: " + len + " bytes, need " + need);
        }
    }

    /** Validates a field given to a constructor; a bad value is a programming error. */
    static int checkRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    what + " " + value + " is outside " + min + ".." + max);
        }
        return value;
    }

    static long checkRange(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    what + " " + value + " is outside " + min + ".." + max);
        }
        return value;
    }

    static byte[] copy(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, off, out, 0, len);
        return out;
    }

    /** Computes the RFC 1071 checksum of {@code b[off, off+len)} and stores it at {@code at}. */
    static void sealChecksum(byte[] b, int off, int len, int at) {
        putU16(b, at, 0);
        putU16(b, at, InternetChecksum.checksum(b, off, len));
    }

    static String hex(byte[] b) {
        if (b.length <= HEX_PREVIEW) {
            return HexFormat.of().formatHex(b);
        }
        return HexFormat.of().formatHex(b, 0, HEX_PREVIEW) + "...(" + b.length + " bytes)";
    }

    static String hex16(int v) {
        return String.format("0x%04x", v);
    }

    /** An address as dotted quad, without the {@code /} that {@code InetAddress.toString} adds. */
    static String str(InetAddress a) {
        return a.getHostAddress();
    }
}
