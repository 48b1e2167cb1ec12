package io.ffsock.packet;

import java.net.Inet6Address;
import java.util.Objects;

/**
 * The fixed 40-byte IPv6 header (RFC 8200 section 3). Extension headers, when present, follow it
 * and are part of the payload: {@link #nextHeader()} names the first of them, or the upper-layer
 * protocol when there are none.
 *
 * <p>Raw IPv6 sockets deliver no header on receive (ipv6(7)), so this type is mostly for the
 * packet quoted inside ICMPv6 errors (see {@link QuotedIpv6Packet}), for captures, and for
 * building packets for {@code IPV6_HDRINCL} sockets, where the kernel fills in nothing.
 *
 * <p>{@link #parse} does not check {@link #payloadLength()} against the bytes it is given: a
 * quoted packet is cut short on purpose (RFC 4443 section 2.4 (c): as much as fits in the minimum
 * MTU). {@link #payloadAvailable(int)} and {@link QuotedIpv6Packet#truncated()} tell whether the
 * payload is all there.
 *
 * @param trafficClass the Traffic Class byte (DSCP and ECN, RFC 2474 / RFC 3168), {@code 0..255}
 * @param flowLabel the flow label (RFC 6437), {@code 0..0xFFFFF}
 * @param payloadLength the bytes after this header, extension headers included, {@code 0..65535}
 *     (0 also marks a jumbogram, RFC 2675, whose length is in a hop-by-hop option)
 * @param nextHeader the type of the header that follows, {@code 0..255}, e.g. {@link
 *     #NEXT_HEADER_ICMPV6}
 * @param hopLimit the hop limit, {@code 0..255}
 * @param source the source address; only its 16 bytes are encoded (a scope id is not on the wire)
 * @param destination the destination address; likewise
 */
public record Ipv6Header(
        int trafficClass,
        int flowLabel,
        int payloadLength,
        int nextHeader,
        int hopLimit,
        Inet6Address source,
        Inet6Address destination) {

    /** The header length in bytes: always 40, extension headers are payload. */
    public static final int LENGTH = 40;
    /** Next header number of TCP (RFC 9293). */
    public static final int NEXT_HEADER_TCP = 6;
    /** Next header number of UDP (RFC 768). */
    public static final int NEXT_HEADER_UDP = 17;
    /** Next header number of ICMPv6 (RFC 4443). */
    public static final int NEXT_HEADER_ICMPV6 = 58;

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException if a field is out of range
     * @throws NullPointerException if an address is null
     */
    public Ipv6Header {
        Wire.checkRange("traffic class", trafficClass, 0, 255);
        Wire.checkRange("flow label", flowLabel, 0, 0xF_FFFF);
        Wire.checkRange("payload length", payloadLength, 0, 0xFFFF);
        Wire.checkRange("next header", nextHeader, 0, 255);
        Wire.checkRange("hop limit", hopLimit, 0, 255);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
    }

    /**
     * A header for a new packet: traffic class 0, flow label 0.
     *
     * @param nextHeader the payload's protocol, e.g. {@link #NEXT_HEADER_UDP}
     * @param hopLimit the hop limit
     * @param source the source address
     * @param destination the destination address
     * @param payloadLength the number of bytes that will follow the header
     * @return the header
     */
    public static Ipv6Header of(int nextHeader, int hopLimit, Inet6Address source, Inet6Address destination,
            int payloadLength) {
        return new Ipv6Header(0, 0, payloadLength, nextHeader, hopLimit, source, destination);
    }

    /**
     * Whether {@code available} bytes after the header hold the whole payload this header
     * announces; false for a packet quoted in an ICMPv6 error that the sender cut short.
     *
     * @param available how many payload bytes are at hand
     * @return true if {@code available >= payloadLength()}
     */
    public boolean payloadAvailable(int available) {
        return available >= payloadLength;
    }

    /**
     * Encodes the header.
     *
     * @return a new array of {@link #LENGTH} bytes
     */
    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        writeTo(b, 0);
        return b;
    }

    /**
     * Encodes the header into {@code dst} at {@code off}.
     *
     * @param dst the destination array
     * @param off where the header starts
     * @return the number of bytes written, {@link #LENGTH}
     * @throws IndexOutOfBoundsException if the header does not fit
     */
    public int writeTo(byte[] dst, int off) {
        Wire.checkWindow(dst, off, LENGTH);
        // version 4 bits, traffic class 8 bits, flow label 20 bits
        Wire.putU32(dst, off, 6L << 28 | (long) trafficClass << 20 | flowLabel);
        Wire.putU16(dst, off + 4, payloadLength);
        dst[off + 6] = (byte) nextHeader;
        dst[off + 7] = (byte) hopLimit;
        Wire.putInet6(dst, off + 8, source);
        Wire.putInet6(dst, off + 24, destination);
        return LENGTH;
    }

    /**
     * Parses the header at the start of {@code b}.
     *
     * @param b the bytes; anything after the first 40 is payload and ignored
     * @return the header
     * @throws MalformedPacketException if the bytes are not an IPv6 header
     */
    public static Ipv6Header parse(byte[] b) {
        return parse(b, 0, b.length);
    }

    /**
     * Parses the header at the start of {@code b[off, off+len)}; bytes after the first 40 are
     * ignored, and may be fewer than the payload length says (see {@link #payloadAvailable}).
     *
     * @param b the array
     * @param off where the header starts
     * @param len how many bytes are available
     * @return the header
     * @throws MalformedPacketException if fewer than 40 bytes are available or the version is
     *     not 6
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    public static Ipv6Header parse(byte[] b, int off, int len) {
        Wire.checkWindow(b, off, len);
        Wire.requireLength("IPv6 header", len, LENGTH);
        long first = Wire.u32(b, off);
        int version = (int) (first >>> 28);
        if (version != 6) {
            throw new MalformedPacketException("IP version " + version + " is not 6");
        }
        return new Ipv6Header(
                (int) (first >>> 20) & 0xFF,
                (int) first & 0xF_FFFF,
                Wire.u16(b, off + 4),
                Wire.u8(b, off + 6),
                Wire.u8(b, off + 7),
                Wire.inet6(b, off + 8),
                Wire.inet6(b, off + 24));
    }

    /** Reads like tcpdump's verbose line: addresses first, then the fields that vary. */
    @Override
    public String toString() {
        return "Ipv6Header[" + Wire.str(source) + " > " + Wire.str(destination)
                + ", next header " + nextHeader
                + ", hop limit " + hopLimit
                + ", class " + String.format("0x%02x", trafficClass)
                + ", flow label " + String.format("0x%05x", flowLabel)
                + ", payload length " + payloadLength + "]";
    }
}
