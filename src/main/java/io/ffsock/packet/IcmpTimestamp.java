package io.ffsock.packet;

/**
 * Timestamp (type 13) or Timestamp Reply (type 14), RFC 792 page 16: three 32-bit times in
 * milliseconds since midnight UT. The sender fills the originate time; the replier adds when it
 * received the request and when it sent the reply. A time with the high bit set is in a
 * non-standard unit (RFC 792), which is why each is an unsigned 32-bit value here rather than a
 * {@code Duration}.
 *
 * <p>The message is exactly 20 bytes; only code 0 is defined and another code parses as {@link
 * IcmpUnknown}.
 *
 * @param reply true for a Timestamp Reply
 * @param identifier the identifier, {@code 0..65535}
 * @param sequence the sequence number, {@code 0..65535}
 * @param originate the originate timestamp, {@code 0..2^32-1}
 * @param receive the receive timestamp, {@code 0..2^32-1}
 * @param transmit the transmit timestamp, {@code 0..2^32-1}
 */
public record IcmpTimestamp(boolean reply, int identifier, int sequence, long originate, long receive,
        long transmit) implements IcmpMessage {
    /** The fixed length of a timestamp message. */
    public static final int LENGTH = 20;

    /**
     * Validates.
     *
     * @param reply true for a reply
     * @param identifier the identifier
     * @param sequence the sequence number
     * @param originate the originate timestamp
     * @param receive the receive timestamp
     * @param transmit the transmit timestamp
     */
    public IcmpTimestamp {
        Wire.checkRange("timestamp identifier", identifier, 0, 0xFFFF);
        Wire.checkRange("timestamp sequence", sequence, 0, 0xFFFF);
        Wire.checkRange("originate timestamp", originate, 0, 0xFFFF_FFFFL);
        Wire.checkRange("receive timestamp", receive, 0, 0xFFFF_FFFFL);
        Wire.checkRange("transmit timestamp", transmit, 0, 0xFFFF_FFFFL);
    }

    @Override
    public int type() {
        return reply ? TYPE_TIMESTAMP_REPLY : TYPE_TIMESTAMP_REQUEST;
    }

    @Override
    public int code() {
        return 0;
    }

    @Override
    public int length() {
        return LENGTH;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        Wire.checkWindow(dst, off, LENGTH);
        dst[off] = (byte) type();
        dst[off + 1] = 0;
        Wire.putU16(dst, off + 4, identifier);
        Wire.putU16(dst, off + 6, sequence);
        Wire.putU32(dst, off + 8, originate);
        Wire.putU32(dst, off + 12, receive);
        Wire.putU32(dst, off + 16, transmit);
        Wire.sealChecksum(dst, off, LENGTH, off + 2);
        return LENGTH;
    }

    static IcmpTimestamp parseBody(byte[] b, int off, int len) {
        boolean reply = Wire.u8(b, off) == TYPE_TIMESTAMP_REPLY;
        if (len != LENGTH) {
            throw new MalformedPacketException("ICMP timestamp " + (reply ? "reply" : "request")
                    + " is " + len + " bytes, must be " + LENGTH);
        }
        return new IcmpTimestamp(reply, Wire.u16(b, off + 4), Wire.u16(b, off + 6),
                Wire.u32(b, off + 8), Wire.u32(b, off + 12), Wire.u32(b, off + 16));
    }

    @Override
    public String toString() {
        return (reply ? "IcmpTimestamp[reply" : "IcmpTimestamp[request") + ", id " + identifier
                + ", seq " + sequence + ", originate " + originate + ", receive " + receive
                + ", transmit " + transmit + "]";
    }
}
