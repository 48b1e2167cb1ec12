package io.ffsock.packet;

import java.util.Objects;

/**
 * Time Exceeded (type 11, RFC 792 page 6): a router dropped the quoted datagram because its TTL
 * reached zero (code 0, what traceroute provokes), or a host gave up reassembling it (code 1).
 *
 * @param code {@link #TTL_EXCEEDED_IN_TRANSIT} or {@link #FRAGMENT_REASSEMBLY_TIME_EXCEEDED},
 *     or any other value {@code 0..255} as received
 * @param quote the start of the dropped datagram
 */
public record IcmpTimeExceeded(int code, QuotedDatagram quote) implements IcmpMessage {
    /** Code 0: time to live exceeded in transit. */
    public static final int TTL_EXCEEDED_IN_TRANSIT = 0;
    /** Code 1: fragment reassembly time exceeded. */
    public static final int FRAGMENT_REASSEMBLY_TIME_EXCEEDED = 1;

    /**
     * Validates.
     *
     * @param code the code
     * @param quote the quoted datagram
     */
    public IcmpTimeExceeded {
        Wire.checkRange("code", code, 0, 255);
        Objects.requireNonNull(quote, "quote");
    }

    @Override
    public int type() {
        return TYPE_TIME_EXCEEDED;
    }

    @Override
    public int length() {
        return 8 + quote.length();
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) TYPE_TIME_EXCEEDED;
        dst[off + 1] = (byte) code;
        Wire.putU32(dst, off + 4, 0);
        quote.writeTo(dst, off + 8);
        Wire.sealChecksum(dst, off, len, off + 2);
        return len;
    }

    static IcmpTimeExceeded parseBody(byte[] b, int off, int len) {
        Wire.requireLength("ICMP time exceeded", len, 8);
        return new IcmpTimeExceeded(Wire.u8(b, off + 1), QuotedDatagram.of(Wire.copy(b, off + 8, len - 8)));
    }

    @Override
    public String toString() {
        String name = switch (code) {
            case TTL_EXCEEDED_IN_TRANSIT -> " (TTL exceeded in transit)";
            case FRAGMENT_REASSEMBLY_TIME_EXCEEDED -> " (fragment reassembly time exceeded)";
            default -> "";
        };
        return "IcmpTimeExceeded[" + code + name + ", " + quote + "]";
    }
}
