package io.ffsock.packet;

import java.net.Inet6Address;

/**
 * An ICMPv6 message (RFC 4443 section 2.1): type, code, checksum, then a body that depends on
 * the type. Types below 128 are errors, 128 and above informational.
 *
 * <p>The checksum covers an IPv6 pseudo-header (RFC 4443 section 2.3, RFC 8200 section 8.1), so
 * it needs the source and destination addresses. On a raw ICMPv6 socket the kernel computes and
 * verifies it (raw(7), {@code IPV6_CHECKSUM} is always on for ICMPv6), which is why {@link
 * #toBytes()} leaves the field zero; {@link #toBytes(Inet6Address, Inet6Address)} fills it for
 * packets written anywhere else. Parsing never checks it; {@link #checksumValid} does on request.
 *
 * <p>Multicast Listener Discovery is here: {@link MldV1Message} (RFC 2710) and {@link MldV2Query}
 * and {@link MldV2Report} (RFC 3810). A type without a record here (Neighbor Discovery, ...), a
 * known type with a code its format does not define, or an MLD message of a length its version
 * does not define parses as {@link Icmpv6Unknown} and keeps every byte.
 */
public sealed interface Icmpv6Message
        permits Icmpv6Echo, Icmpv6DestinationUnreachable, Icmpv6PacketTooBig, Icmpv6TimeExceeded,
                Icmpv6ParameterProblem, MldV1Message, MldV2Query, MldV2Report, Icmpv6Unknown {

    /** Type of Destination Unreachable (RFC 4443 section 3.1). */
    int TYPE_DESTINATION_UNREACHABLE = 1;
    /** Type of Packet Too Big (RFC 4443 section 3.2). */
    int TYPE_PACKET_TOO_BIG = 2;
    /** Type of Time Exceeded (RFC 4443 section 3.3). */
    int TYPE_TIME_EXCEEDED = 3;
    /** Type of Parameter Problem (RFC 4443 section 3.4). */
    int TYPE_PARAMETER_PROBLEM = 4;
    /** Type of Echo Request (RFC 4443 section 4.1). */
    int TYPE_ECHO_REQUEST = 128;
    /** Type of Echo Reply (RFC 4443 section 4.2). */
    int TYPE_ECHO_REPLY = 129;
    /** Type of Multicast Listener Query, MLDv1 (24 bytes, RFC 2710) or MLDv2 (28 or more, RFC 3810). */
    int TYPE_MLD_QUERY = 130;
    /** Type of the MLDv1 Multicast Listener Report (RFC 2710 section 3). */
    int TYPE_MLD_V1_REPORT = 131;
    /** Type of the MLDv1 Multicast Listener Done (RFC 2710 section 3). */
    int TYPE_MLD_V1_DONE = 132;
    /** Type of the Version 2 Multicast Listener Report (RFC 3810 section 5.2). */
    int TYPE_MLD_V2_REPORT = 143;
    /** The IPv6 next-header number of ICMPv6, used in the pseudo-header. */
    int NEXT_HEADER = 58;
    /** Length of the part every ICMPv6 message has: type, code, checksum. */
    int MIN_LENGTH = 4;

    /**
     * The type byte.
     *
     * @return {@code 0..255}
     */
    int type();

    /**
     * The code byte.
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
     * Encodes the message with a zero checksum field, for a raw ICMPv6 socket whose kernel fills
     * it in.
     *
     * @param dst the destination array
     * @param off where the message starts
     * @return the number of bytes written, {@link #length()}
     * @throws IndexOutOfBoundsException if the message does not fit
     */
    int writeTo(byte[] dst, int off);

    /**
     * Encodes the message with the checksum computed over the pseudo-header for {@code source}
     * and {@code destination} (RFC 4443 section 2.3).
     *
     * @param dst the destination array
     * @param off where the message starts
     * @param source the IPv6 source address the packet will carry
     * @param destination the IPv6 destination address (the final one if a routing header is used)
     * @return the number of bytes written, {@link #length()}
     * @throws IndexOutOfBoundsException if the message does not fit
     */
    default int writeTo(byte[] dst, int off, Inet6Address source, Inet6Address destination) {
        int len = writeTo(dst, off);
        long sum = InternetChecksum.addPseudoHeader(0, source, destination, NEXT_HEADER, len);
        Wire.putU16(dst, off + 2, InternetChecksum.finish(InternetChecksum.add(sum, dst, off, len)));
        return len;
    }

    /**
     * Encodes the message with a zero checksum field (see {@link #writeTo(byte[], int)}).
     *
     * @return a new array of {@link #length()} bytes
     */
    default byte[] toBytes() {
        byte[] b = new byte[length()];
        writeTo(b, 0);
        return b;
    }

    /**
     * Encodes the message with its pseudo-header checksum.
     *
     * @param source the IPv6 source address
     * @param destination the IPv6 destination address
     * @return a new array of {@link #length()} bytes
     */
    default byte[] toBytes(Inet6Address source, Inet6Address destination) {
        byte[] b = new byte[length()];
        writeTo(b, 0, source, destination);
        return b;
    }

    /**
     * Parses a whole array as one ICMPv6 message; the checksum is not checked.
     *
     * @param b the message
     * @return the message
     * @throws MalformedPacketException if the bytes are too short for the type's format
     */
    static Icmpv6Message parse(byte[] b) {
        return parse(b, 0, b.length);
    }

    /**
     * Parses {@code b[off, off+len)} as one ICMPv6 message; the checksum is not checked.
     *
     * @param b the array
     * @param off where the message starts
     * @param len the message length
     * @return the message
     * @throws MalformedPacketException if the bytes are too short for the type's format
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    static Icmpv6Message parse(byte[] b, int off, int len) {
        Wire.checkWindow(b, off, len);
        Wire.requireLength("ICMPv6 message", len, MIN_LENGTH);
        int type = Wire.u8(b, off);
        int code = Wire.u8(b, off + 1);
        return switch (type) {
            case TYPE_ECHO_REQUEST, TYPE_ECHO_REPLY ->
                    code == 0 ? Icmpv6Echo.parseBody(b, off, len) : Icmpv6Unknown.parseBody(b, off, len);
            case TYPE_DESTINATION_UNREACHABLE -> Icmpv6DestinationUnreachable.parseBody(b, off, len);
            case TYPE_PACKET_TOO_BIG ->
                    code == 0 ? Icmpv6PacketTooBig.parseBody(b, off, len) : Icmpv6Unknown.parseBody(b, off, len);
            case TYPE_TIME_EXCEEDED -> Icmpv6TimeExceeded.parseBody(b, off, len);
            case TYPE_PARAMETER_PROBLEM -> Icmpv6ParameterProblem.parseBody(b, off, len);
            // RFC 3810 section 8.1: a 24-byte query is MLDv1, 28 or more MLDv2, anything between
            // neither (ignored by listeners; kept whole here).
            case TYPE_MLD_QUERY -> code != 0 || (len > MldV1Message.LENGTH && len < MldV2Query.MIN_LENGTH)
                    ? Icmpv6Unknown.parseBody(b, off, len)
                    : len >= MldV2Query.MIN_LENGTH ? MldV2Query.parseBody(b, off, len) : MldV1Message.parseBody(b, off, len);
            // MLDv1 reports and dones are exactly 24 bytes: a longer one keeps its bytes.
            case TYPE_MLD_V1_REPORT, TYPE_MLD_V1_DONE -> code != 0 || len > MldV1Message.LENGTH
                    ? Icmpv6Unknown.parseBody(b, off, len) : MldV1Message.parseBody(b, off, len);
            case TYPE_MLD_V2_REPORT -> code == 0 ? MldV2Report.parseBody(b, off, len) : Icmpv6Unknown.parseBody(b, off, len);
            default -> Icmpv6Unknown.parseBody(b, off, len);
        };
    }

    /**
     * Whether the checksum of the message {@code b[off, off+len)} is correct for a packet from
     * {@code source} to {@code destination} (RFC 4443 section 2.3).
     *
     * @param b the array
     * @param off where the message starts
     * @param len the message length
     * @param source the IPv6 source address the packet carried
     * @param destination the IPv6 destination address the packet carried
     * @return true if the checksum is correct
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    static boolean checksumValid(byte[] b, int off, int len, Inet6Address source, Inet6Address destination) {
        long sum = InternetChecksum.addPseudoHeader(0, source, destination, NEXT_HEADER, len);
        return InternetChecksum.finish(InternetChecksum.add(sum, b, off, len)) == 0;
    }
}
