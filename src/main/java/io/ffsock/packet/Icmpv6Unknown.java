package io.ffsock.packet;

import java.util.Arrays;

/**
 * An ICMPv6 message this package has no record for (Neighbor Discovery, RFC 4861, ...), a known
 * type with a code its format does not define, or an MLD message of a length its version does not
 * define: the type, the code and every byte after the checksum, kept so that nothing received is
 * lost.
 *
 * @param type the type byte, {@code 0..255}
 * @param code the code byte, {@code 0..255}
 * @param body the bytes after the checksum field; copied, never shared
 */
public record Icmpv6Unknown(int type, int code, byte[] body) implements Icmpv6Message {
    /**
     * Validates and copies.
     *
     * @param type the type
     * @param code the code
     * @param body the body
     */
    public Icmpv6Unknown {
        Wire.checkRange("type", type, 0, 255);
        Wire.checkRange("code", code, 0, 255);
        body = body.clone();
    }

    /**
     * The bytes after the checksum field.
     *
     * @return a copy of the body
     */
    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public int length() {
        return MIN_LENGTH + body.length;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) type;
        dst[off + 1] = (byte) code;
        Wire.putU16(dst, off + 2, 0);
        System.arraycopy(body, 0, dst, off + MIN_LENGTH, body.length);
        return len;
    }

    static Icmpv6Unknown parseBody(byte[] b, int off, int len) {
        return new Icmpv6Unknown(Wire.u8(b, off), Wire.u8(b, off + 1), Wire.copy(b, off + MIN_LENGTH, len - MIN_LENGTH));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icmpv6Unknown u && u.type == type && u.code == code && Arrays.equals(u.body, body);
    }

    @Override
    public int hashCode() {
        return (type * 31 + code) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Icmpv6Unknown[type " + type + ", code " + code + ", body " + Wire.hex(body) + "]";
    }
}
