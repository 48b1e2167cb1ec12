package io.ffsock.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of
 * the data taken as big-endian 16-bit words, an odd final byte padded with a zero byte.
 *
 * <p>Two levels of API. {@link #checksum(byte[], int, int)} gives the value to store in a header
 * field. For data in several pieces (a pseudo-header plus a payload, RFC 1071 section 2(B)
 * "incremental"), accumulate with {@link #add(long, byte[], int, int)} starting from {@code 0},
 * then {@link #finish(long)}. A partial sum is an opaque {@code long}; every piece except the last
 * must have even length, because the sum pairs bytes into words and an odd piece would shift the
 * pairing of the next one.
 *
 * <p>Verification: the checksum over data that includes a correct checksum field is {@code 0}
 * (RFC 1071 section 1, "the result is checked by ... if the result is all 1 bits").
 *
 * <p>Speed: the sum is taken 8 bytes at a time through a big-endian {@code long} view of the
 * array (RFC 1071 section 2(D), "parallel summation"); the two 32-bit halves of each word go into
 * a 64-bit accumulator, so carries are folded only once at the end (section 2(C), "deferred
 * carries").
 */
public final class InternetChecksum {
    private InternetChecksum() {}

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final long LOW32 = 0xFFFF_FFFFL;

    /**
     * The checksum of a whole array (RFC 1071 section 1).
     *
     * @param data the bytes to sum
     * @return the checksum, {@code 0..0xFFFF}, ready to store in big-endian order
     */
    public static int checksum(byte[] data) {
        return checksum(data, 0, data.length);
    }

    /**
     * The checksum of {@code data[off, off+len)}.
     *
     * @param data the array
     * @param off first byte
     * @param len number of bytes, odd allowed
     * @return the checksum, {@code 0..0xFFFF}
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public static int checksum(byte[] data, int off, int len) {
        return finish(add(0, data, off, len));
    }

    /**
     * The checksum of the bytes between the buffer's position and limit; the position is not
     * changed.
     *
     * @param buffer the bytes; its byte order setting does not matter
     * @return the checksum, {@code 0..0xFFFF}
     */
    public static int checksum(ByteBuffer buffer) {
        return finish(add(0, buffer));
    }

    /**
     * Adds {@code data[off, off+len)} to a partial sum.
     *
     * @param partial a partial sum from an earlier {@code add}, or {@code 0} to start
     * @param data the array
     * @param off first byte
     * @param len number of bytes; odd only for the last piece of a message
     * @return the new partial sum
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public static long add(long partial, byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        // Start below 2^33 so that at most 2^28 longs (a 2 GiB array), each adding below 2^33,
        // cannot overflow 2^63.
        long sum = fold32(partial);
        int i = off;
        int end = off + len;
        // Four independent adds per iteration let the CPU overlap them.
        for (; end - i >= 32; i += 32) {
            long w0 = (long) LONGS.get(data, i);
            long w1 = (long) LONGS.get(data, i + 8);
            long w2 = (long) LONGS.get(data, i + 16);
            long w3 = (long) LONGS.get(data, i + 24);
            sum += (w0 >>> 32) + (w0 & LOW32) + (w1 >>> 32) + (w1 & LOW32)
                    + (w2 >>> 32) + (w2 & LOW32) + (w3 >>> 32) + (w3 & LOW32);
        }
        for (; end - i >= 8; i += 8) {
            long w = (long) LONGS.get(data, i);
            sum += (w >>> 32) + (w & LOW32);
        }
        if (end - i >= 4) {
            sum += (int) INTS.get(data, i) & LOW32;
            i += 4;
        }
        if (end - i >= 2) {
            sum += Wire.u16(data, i);
            i += 2;
        }
        if (i < end) {
            sum += (data[i] & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * Adds the bytes between the buffer's position and limit to a partial sum; the position is
     * not changed.
     *
     * @param partial a partial sum, or {@code 0} to start
     * @param buffer the bytes, heap or direct; its byte order setting does not matter
     * @return the new partial sum
     */
    public static long add(long partial, ByteBuffer buffer) {
        int pos = buffer.position();
        int len = buffer.remaining();
        if (buffer.hasArray()) {
            return add(partial, buffer.array(), buffer.arrayOffset() + pos, len);
        }
        ByteBuffer b = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
        long sum = fold32(partial);
        int i = pos;
        int end = pos + len;
        for (; end - i >= 8; i += 8) {
            long w = b.getLong(i);
            sum += (w >>> 32) + (w & LOW32);
        }
        for (; end - i >= 2; i += 2) {
            sum += b.getShort(i) & 0xFFFF;
        }
        if (i < end) {
            sum += (b.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * Adds the IPv4 pseudo-header of RFC 768 / RFC 793 section 3.1 (source, destination, zero,
     * protocol, upper-layer length) to a partial sum, for checksums of UDP or TCP over IPv4.
     *
     * @param partial a partial sum, or {@code 0} to start
     * @param source the IPv4 source address
     * @param destination the IPv4 destination address
     * @param protocol the protocol number, {@code 0..255}
     * @param length the upper-layer length in bytes, {@code 0..65535}
     * @return the new partial sum
     */
    public static long addPseudoHeader(
            long partial, Inet4Address source, Inet4Address destination, int protocol, int length) {
        Wire.checkRange("protocol", protocol, 0, 255);
        Wire.checkRange("length", length, 0, 0xFFFF);
        byte[] s = source.getAddress();
        byte[] d = destination.getAddress();
        long sum = add(partial, s, 0, 4);
        sum = add(sum, d, 0, 4);
        return sum + protocol + length;
    }

    /**
     * Adds the IPv6 pseudo-header of RFC 8200 section 8.1 (source, destination, 32-bit
     * upper-layer packet length, three zero bytes, next header) to a partial sum; ICMPv6 uses it
     * with next header 58 (RFC 4443 section 2.3).
     *
     * @param partial a partial sum, or {@code 0} to start
     * @param source the IPv6 source address
     * @param destination the IPv6 destination address
     * @param nextHeader the upper-layer protocol, {@code 0..255}
     * @param length the upper-layer packet length in bytes, {@code 0..2^32-1}
     * @return the new partial sum
     */
    public static long addPseudoHeader(
            long partial, Inet6Address source, Inet6Address destination, int nextHeader, long length) {
        Wire.checkRange("next header", nextHeader, 0, 255);
        Wire.checkRange("length", length, 0, LOW32);
        long sum = add(partial, source.getAddress(), 0, 16);
        sum = add(sum, destination.getAddress(), 0, 16);
        return sum + (length >>> 16) + (length & 0xFFFF) + nextHeader;
    }

    /**
     * Folds a partial sum into the 16-bit one's complement sum, not yet complemented.
     *
     * @param partial a partial sum
     * @return the folded sum, {@code 0..0xFFFF}
     */
    public static int fold(long partial) {
        // 2^16 is congruent to 1 modulo 2^16 - 1, so adding the high parts to the low parts
        // preserves the one's complement sum; repeat until no carry is left.
        long s = fold32(partial);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    /**
     * Turns a partial sum into the checksum to store: the one's complement of {@link #fold}.
     *
     * @param partial a partial sum
     * @return the checksum, {@code 0..0xFFFF}
     */
    public static int finish(long partial) {
        return ~fold(partial) & 0xFFFF;
    }

    private static long fold32(long s) {
        s = (s >>> 32) + (s & LOW32);
        return (s >>> 32) + (s & LOW32);
    }
}
