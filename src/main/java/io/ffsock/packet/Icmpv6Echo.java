package io.ffsock.packet;

import java.util.Arrays;

/**
 * Echo Request (type 128, RFC 4443 section 4.1) or Echo Reply (type 129, section 4.2):
 * identifier, sequence number and data, which the reply returns unchanged.
 *
 * <p>Only code 0 is defined; an echo with another code parses as {@link Icmpv6Unknown}.
 *
 * @param reply true for an Echo Reply
 * @param identifier the identifier, {@code 0..65535}
 * @param sequence the sequence number, {@code 0..65535}
 * @param data the data; copied, never shared
 */
public record Icmpv6Echo(boolean reply, int identifier, int sequence, byte[] data) implements Icmpv6Message {
    /**
     * Validates and copies.
     *
     * @param reply true for a reply
     * @param identifier the identifier
     * @param sequence the sequence number
     * @param data the data
     */
    public Icmpv6Echo {
        Wire.checkRange("echo identifier", identifier, 0, 0xFFFF);
        Wire.checkRange("echo sequence", sequence, 0, 0xFFFF);
        data = data.clone();
    }

    /**
     * An Echo Request.
     *
     * @param identifier the identifier
     * @param sequence the sequence number
     * @param data the data
     * @return the request
     */
    public static Icmpv6Echo request(int identifier, int sequence, byte[] data) {
        return new Icmpv6Echo(false, identifier, sequence, data);
    }

    /**
     * The Echo Reply that answers this message (RFC 4443 section 4.2).
     *
     * @return the reply
     */
    public Icmpv6Echo toReply() {
        return new Icmpv6Echo(true, identifier, sequence, data);
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
        Wire.putU16(dst, off + 2, 0);
        Wire.putU16(dst, off + 4, identifier);
        Wire.putU16(dst, off + 6, sequence);
        System.arraycopy(data, 0, dst, off + 8, data.length);
        return len;
    }

    static Icmpv6Echo parseBody(byte[] b, int off, int len) {
        boolean reply = Wire.u8(b, off) == TYPE_ECHO_REPLY;
        Wire.requireLength(reply ? "ICMPv6 echo reply" : "ICMPv6 echo request", len, 8);
        return new Icmpv6Echo(reply, Wire.u16(b, off + 4), Wire.u16(b, off + 6), Wire.copy(b, off + 8, len - 8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icmpv6Echo e && e.reply == reply && e.identifier == identifier
                && e.sequence == sequence && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return ((Boolean.hashCode(reply) * 31 + identifier) * 31 + sequence) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return (reply ? "Icmpv6Echo[reply" : "Icmpv6Echo[request") + ", id " + identifier
                + ", seq " + sequence + ", data " + Wire.hex(data) + "]";
    }
}
