package io.ffsock.packet;

/**
 * An ICMPv4 message (RFC 792): type, code, checksum, then a body that depends on the type.
 *
 * <p>{@link #parse(byte[], int, int)} maps each type to its record; a type this package has no
 * record for, or a known type with a code its format does not define, becomes an {@link
 * IcmpUnknown} that keeps every byte, so nothing a listener receives is lost. Encoding always
 * computes the checksum (RFC 792: "the 16-bit one's complement of the one's complement sum of the
 * ICMP message starting with the ICMP Type").
 *
 * <p>On a raw IPv4 socket Linux delivers the IPv4 header first: parse it with {@link
 * Ipv4Header#parse} and start the ICMP parse at its {@link Ipv4Header#headerLength()}. A Linux
 * ping socket ({@code SOCK_DGRAM}, {@code IPPROTO_ICMP}) delivers the ICMP message alone.
 */
public sealed interface IcmpMessage
        permits IcmpEcho, IcmpDestinationUnreachable, IcmpRedirect, IcmpTimeExceeded,
                IcmpParameterProblem, IcmpTimestamp, IcmpUnknown {

    /** Type of Echo Reply (RFC 792). */
    int TYPE_ECHO_REPLY = 0;
    /** Type of Destination Unreachable (RFC 792). */
    int TYPE_DESTINATION_UNREACHABLE = 3;
    /** Type of Redirect (RFC 792). */
    int TYPE_REDIRECT = 5;
    /** Type of Echo (request) (RFC 792). */
    int TYPE_ECHO_REQUEST = 8;
    /** Type of Time Exceeded (RFC 792). */
    int TYPE_TIME_EXCEEDED = 11;
    /** Type of Parameter Problem (RFC 792). */
    int TYPE_PARAMETER_PROBLEM = 12;
    /** Type of Timestamp (request) (RFC 792). */
    int TYPE_TIMESTAMP_REQUEST = 13;
    /** Type of Timestamp Reply (RFC 792). */
    int TYPE_TIMESTAMP_REPLY = 14;
    /** Length of the part every ICMP message has: type, code, checksum. */
    int MIN_LENGTH = 4;

    /**
     * The type byte.
     *
     * @return {@code 0..255}
     */
    int type();

    /**
     * The code byte, which refines the type.
     *
     * @return {@code 0..255}
     */
    int code();

    /**
     * The encoded length of the whole message.
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
     * Parses a whole array as one ICMP message, without checking the checksum.
     *
     * @param b the message
     * @return the message
     * @throws MalformedPacketException if the bytes are too short for the type's format
     */
    static IcmpMessage parse(byte[] b) {
        return parse(b, 0, b.length, false);
    }

    /**
     * Parses {@code b[off, off+len)} as one ICMP message, without checking the checksum (use
     * {@link #checksumValid} for that, or the four-argument overload).
     *
     * @param b the array
     * @param off where the message starts
     * @param len the message length
     * @return the message
     * @throws MalformedPacketException if the bytes are too short for the type's format
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    static IcmpMessage parse(byte[] b, int off, int len) {
        return parse(b, off, len, false);
    }

    /**
     * Parses {@code b[off, off+len)} as one ICMP message.
     *
     * @param b the array
     * @param off where the message starts
     * @param len the message length
     * @param requireValidChecksum whether a wrong checksum is rejected
     * @return the message
     * @throws MalformedPacketException if the bytes are too short for the type's format, or the
     *     checksum is wrong and {@code requireValidChecksum} is set
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    static IcmpMessage parse(byte[] b, int off, int len, boolean requireValidChecksum) {
        Wire.checkWindow(b, off, len);
        Wire.requireLength("ICMP message", len, MIN_LENGTH);
        if (requireValidChecksum && !checksumValid(b, off, len)) {
            throw new MalformedPacketException("ICMP checksum " + Wire.hex16(Wire.u16(b, off + 2))
                    + " is wrong for this " + len + "-byte message");
        }
        int type = Wire.u8(b, off);
        int code = Wire.u8(b, off + 1);
        return switch (type) {
            case TYPE_ECHO_REPLY, TYPE_ECHO_REQUEST ->
                    code == 0 ? IcmpEcho.parseBody(b, off, len) : IcmpUnknown.parseBody(b, off, len);
            case TYPE_DESTINATION_UNREACHABLE -> IcmpDestinationUnreachable.parseBody(b, off, len);
            case TYPE_REDIRECT -> IcmpRedirect.parseBody(b, off, len);
            case TYPE_TIME_EXCEEDED -> IcmpTimeExceeded.parseBody(b, off, len);
            case TYPE_PARAMETER_PROBLEM -> IcmpParameterProblem.parseBody(b, off, len);
            case TYPE_TIMESTAMP_REQUEST, TYPE_TIMESTAMP_REPLY ->
                    code == 0 ? IcmpTimestamp.parseBody(b, off, len) : IcmpUnknown.parseBody(b, off, len);
            default -> IcmpUnknown.parseBody(b, off, len);
        };
    }

    /**
     * Whether the checksum of the message {@code b[off, off+len)} is correct: the one's
     * complement sum over the whole message, checksum field included, is all ones (RFC 1071).
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
