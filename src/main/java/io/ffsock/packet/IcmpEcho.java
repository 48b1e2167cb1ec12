package io.ffsock.packet;

import java.util.Arrays;

/**
 * Echo request (type 8) or Echo Reply (type 0), RFC 792 page 14: identifier, sequence number and
 * data, which the reply returns unchanged. What ping sends and receives.
 *
 * <p>Only code 0 is defined; an echo with another code parses as {@link IcmpUnknown}.
 *
 * @param reply true for an Echo Reply, false for an Echo request
 * @param identifier the identifier, {@code 0..65535} (on a Linux ping socket the kernel
 *     replaces it with the socket's local port)
 * @param sequence the sequence number, {@code 0..65535}
 * @param data the data; copied, never shared
 */
public record IcmpEcho(boolean reply, int identifier, int sequence, byte[] data) implements IcmpMessage {
    /**
     * Validates and copies.
     *
     * @param reply true for a reply
     * @param identifier the identifier
     * @param sequence the sequence number
     * @param data the data
     */
    public IcmpEcho {
        Wire.checkRange("echo identifier", identifier, 0, 0xFFFF);
        Wire.checkRange("echo sequence", sequence, 0, 0xFFFF);
        data = data.clone();
    }

    /**
     * An Echo request.
     *
     * @param identifier the identifier
     * @param sequence the sequence number
     * @param data the data
     * @return the request
     */
    public static IcmpEcho request(int identifier, int sequence, byte[] data) {
        return new IcmpEcho(false, identifier, sequence, data);
    }

    /**
     * The Echo Reply that answers this message: same identifier, sequence and data (RFC 792).
     *
     * @return the reply
     */
    public IcmpEcho toReply() {
        return new IcmpEcho(true, identifier, sequence, data);
    }

    /**
     * The data.
     *
     * @return a copy of the data bytes
     */
    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return reply ? TYPE_ECHO_REPLY : TYPE_ECHO_REQUEST;
    }

    @Override
    public int code() {
        return 0;
    }

    @Override
    public int length() {
        return 8 + data.length;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) type();
        dst[off + 1] = 0;
        Wire.putU16(dst, off + 4, identifier);
        Wire.putU16(dst, off + 6, sequence);
        System.arraycopy(data, 0, dst, off + 8, data.length);
        Wire.sealChecksum(dst, off, len, off + 2);
        return len;
    }

    static IcmpEcho parseBody(byte[] b, int off, int len) {
        boolean reply = Wire.u8(b, off) == TYPE_ECHO_REPLY;
        Wire.requireLength(reply ? "ICMP echo reply" : "ICMP echo request", len, 8);
        return new IcmpEcho(reply, Wire.u16(b, off + 4), Wire.u16(b, off + 6),
                Wire.copy(b, off + 8, len - 8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IcmpEcho e && e.reply == reply && e.identifier == identifier
                && e.sequence == sequence && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return ((Boolean.hashCode(reply) * 31 + identifier) * 31 + sequence) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return (reply ? "IcmpEcho[reply" : "IcmpEcho[request") + ", id " + identifier
                + ", seq " + sequence + ", data " + Wire.hex(data) + "]";
    }
}
