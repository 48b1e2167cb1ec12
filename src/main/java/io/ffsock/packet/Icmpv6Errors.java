package io.ffsock.packet;

/**
 * The layout the four ICMPv6 error messages share (RFC 4443 section 3): type, code, checksum, one
 * 32-bit word whose meaning depends on the type, then as much of the invoking packet as fits.
 */
final class Icmpv6Errors {
    private Icmpv6Errors() {}

    /** The fixed part before the invoking packet. */
    static final int HEADER_LENGTH = 8;

    static int write(byte[] dst, int off, int type, int code, long word, byte[] invokingPacket) {
        int len = HEADER_LENGTH + invokingPacket.length;
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) type;
        dst[off + 1] = (byte) code;
        Wire.putU16(dst, off + 2, 0);
        Wire.putU32(dst, off + 4, word);
        System.arraycopy(invokingPacket, 0, dst, off + HEADER_LENGTH, invokingPacket.length);
        return len;
    }

    static byte[] invokingPacket(byte[] b, int off, int len) {
        return Wire.copy(b, off + HEADER_LENGTH, len - HEADER_LENGTH);
    }

    static String describe(byte[] invokingPacket) {
        return "invoking packet " + Wire.hex(invokingPacket);
    }
}
