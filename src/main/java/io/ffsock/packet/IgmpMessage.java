package io.ffsock.packet;

/**
 * An IGMP message (RFC 1112 appendix I, RFC 2236 section 2, RFC 3376 section 4): what hosts and
 * multicast routers on one link say to each other about group membership.
 *
 * <p>Queries (type 0x11) have one type for three versions; {@link #parse} tells them apart by
 * length as RFC 3376 section 7.1 prescribes: 8 bytes with Max Resp Code 0 is {@link IgmpV1Query},
 * 8 bytes otherwise {@link IgmpV2Query}, 12 bytes or more {@link IgmpV3Query}; any other length
 * is rejected. Version 1 and 2 messages longer than 8 bytes are parsed from their first 8 (RFC
 * 2236 section 2.5), and bytes after the last source or group record of a version 3 message are
 * ignored (RFC 3376 sections 4.1.10 and 4.2.11); both still count for {@link #checksumValid}.
 * Other types parse as {@link IgmpUnknown}.
 *
 * <p>Encoding always computes the checksum (RFC 3376 section 4.1.2: over the whole IGMP
 * message). IGMP travels with IP TTL 1 and the Router Alert option (RFC 3376 section 4);
 * {@link Ipv4Header} builds such a header.
 */
public sealed interface IgmpMessage
        permits IgmpV1Query, IgmpV2Query, IgmpV3Query, IgmpV1Report, IgmpV2Report, IgmpV2Leave,
                IgmpV3Report, IgmpUnknown {

    /** Type of Membership Query, all versions. */
    int TYPE_MEMBERSHIP_QUERY = 0x11;
    /** Type of Version 1 Membership Report (RFC 1112). */
    int TYPE_V1_REPORT = 0x12;
    /** Type of Version 2 Membership Report (RFC 2236). */
    int TYPE_V2_REPORT = 0x16;
    /** Type of Leave Group (RFC 2236). */
    int TYPE_V2_LEAVE = 0x17;
    /** Type of Version 3 Membership Report (RFC 3376). */
    int TYPE_V3_REPORT = 0x22;
    /** The shortest IGMP message: type, code, checksum, group. */
    int MIN_LENGTH = 8;

    /**
     * The type byte.
     *
     * @return {@code 0..255}
     */
    int type();

    /**
     * The encoded length.
     *
     * @return the number of bytes {@link #writeTo} writes
     */
    int length();

    /**
     * Encodes the message into {@code dst} at {@code off}, computing the checksum.
     *
     * @param dst the destination array
     * @param off where the message starts
     * @return the number of bytes written, {@link #length()}
     * @throws IndexOutOfBoundsException if the message does not fit
     */
    int writeTo(byte[] dst, int off);

    /**
     * Encodes the message with its checksum.
     *
     * @return a new array of {@link #length()} bytes
     */
    default byte[] toBytes() {
        byte[] b = new byte[length()];
        writeTo(b, 0);
        return b;
    }

    /**
     * Parses a whole array as one IGMP message, without checking the checksum.
     *
     * @param b the message
     * @return the message
     * @throws MalformedPacketException if the bytes are not a well-formed IGMP message
     */
    static IgmpMessage parse(byte[] b) {
        return parse(b, 0, b.length, false);
    }

    /**
     * Parses {@code b[off, off+len)} as one IGMP message, without checking the checksum.
     *
     * @param b the array
     * @param off where the message starts
     * @param len the message length (from the IP header's total length)
     * @return the message
     * @throws MalformedPacketException if the bytes are not a well-formed IGMP message
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    static IgmpMessage parse(byte[] b, int off, int len) {
        return parse(b, off, len, false);
    }

    /**
     * Parses {@code b[off, off+len)} as one IGMP message.
     *
     * @param b the array
     * @param off where the message starts
     * @param len the message length
     * @param requireValidChecksum whether a wrong checksum is rejected (RFC 3376 section 4.1.2
     *     says a receiver must verify it)
     * @return the message
     * @throws MalformedPacketException if the bytes are not a well-formed IGMP message, or the
     *     checksum is wrong and {@code requireValidChecksum} is set
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    static IgmpMessage parse(byte[] b, int off, int len, boolean requireValidChecksum) {
        Wire.checkWindow(b, off, len);
        Wire.requireLength("IGMP message", len, MIN_LENGTH);
        if (requireValidChecksum && !checksumValid(b, off, len)) {
            throw new MalformedPacketException("IGMP checksum " + Wire.hex16(Wire.u16(b, off + 2))
                    + " is wrong for this " + len + "-byte message");
        }
        int type = Wire.u8(b, off);
        return switch (type) {
            case TYPE_MEMBERSHIP_QUERY -> {
                if (len == MIN_LENGTH) {
                    yield Wire.u8(b, off + 1) == 0
                            ? IgmpV1Query.parseBody(b, off)
                            : IgmpV2Query.parseBody(b, off);
                }
                if (len < IgmpV3Query.MIN_LENGTH) {
                    throw new MalformedPacketException("IGMP query of " + len
                            + " bytes is neither version 1 or 2 (8 bytes) nor version 3 (12 or more)");
                }
                yield IgmpV3Query.parseBody(b, off, len);
            }
            case TYPE_V1_REPORT -> new IgmpV1Report(Wire.inet4(b, off + 4));
            case TYPE_V2_REPORT -> new IgmpV2Report(Wire.inet4(b, off + 4));
            case TYPE_V2_LEAVE -> new IgmpV2Leave(Wire.inet4(b, off + 4));
            case TYPE_V3_REPORT -> IgmpV3Report.parseBody(b, off, len);
            default -> IgmpUnknown.parseBody(b, off, len);
        };
    }

    /**
     * Whether the checksum of the message {@code b[off, off+len)} is correct.
     *
     * @param b the array
     * @param off where the message starts
     * @param len the message length
     * @return true if the checksum is correct
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    static boolean checksumValid(byte[] b, int off, int len) {
        return InternetChecksum.checksum(b, off, len) == 0;
    }
}
