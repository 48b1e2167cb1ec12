package io.ffsock.packet;

import java.util.Arrays;

/**
 * An IGMP message of a type this package has no record for (for example the multicast router
 * discovery messages of RFC 4286, or the DVMRP and PIMv1 types that share protocol 2): type, the
 * second byte and every byte after the checksum, kept so nothing received is lost.
 *
 * @param type the type byte, {@code 0..255}
 * @param code the second byte (Max Resp Code in the known types), {@code 0..255}
 * @param body the bytes after the checksum field, at least 4; copied, never shared
 */
public record IgmpUnknown(int type, int code, byte[] body) implements IgmpMessage {
    /**
     * Validates and copies.
     *
     * @param type the type
     * @param code the second byte
     * @param body the bytes after the checksum
     */
    public IgmpUnknown {
        Wire.checkRange("type", type, 0, 255);
        Wire.checkRange("code", code, 0, 255);
        if (body.length < MIN_LENGTH - 4) {
            throw new IllegalArgumentException(
                    "IGMP body of " + body.length + " bytes is shorter than the 4 every message has");
        }
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
        return 4 + body.length;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) type;
        dst[off + 1] = (byte) code;
        System.arraycopy(body, 0, dst, off + 4, body.length);
        Wire.sealChecksum(dst, off, len, off + 2);
        return len;
    }

    static IgmpUnknown parseBody(byte[] b, int off, int len) {
        return new IgmpUnknown(Wire.u8(b, off), Wire.u8(b, off + 1), Wire.copy(b, off + 4, len - 4));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IgmpUnknown u && u.type == type && u.code == code && Arrays.equals(u.body, body);
    }

    @Override
    public int hashCode() {
        return (type * 31 + code) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "IgmpUnknown[type " + String.format("0x%02x", type) + ", code " + code + ", body "
                + Wire.hex(body) + "]";
    }
}
