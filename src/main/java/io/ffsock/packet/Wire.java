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

    static String str(List<Inet4Address> addresses) {
        StringBuilder s = new StringBuilder("{");
        for (Inet4Address a : addresses) {
            s.append(s.length() == 1 ? "" : " ").append(str(a));
        }
        return s.append('}').toString();
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
