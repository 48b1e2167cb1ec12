package io.ffsock.packet;

import java.util.Arrays;
import java.util.Optional;

/**
 * The start of the packet that caused an ICMPv6 error, as quoted after the 8-byte ICMPv6 error
 * header (RFC 4443 section 3: "as much of invoking packet as possible without the ICMPv6 packet
 * exceeding the minimum IPv6 MTU"): the IPv6 counterpart of {@link QuotedDatagram}.
 *
 * <p>The quoted bytes are kept exactly as received, so re-encoding an error reproduces them. When
 * they begin with a well-formed IPv6 header, {@link #header()} returns it and {@link #payload()}
 * the bytes after it (extension headers, if any, then the upper-layer header that identifies the
 * flow: a UDP port, an ICMPv6 echo identifier and sequence). A quote too short for a header, or
 * not starting with one, is tolerated: the header is then empty and the payload is every quoted
 * byte. A quote that holds less payload than the header announces is {@link #truncated()}.
 */
public final class QuotedIpv6Packet {
    private final byte[] bytes;
    private final Ipv6Header header;

    private QuotedIpv6Packet(byte[] bytes) {
        this.bytes = bytes;
        Ipv6Header h = null;
        try {
            h = Ipv6Header.parse(bytes, 0, bytes.length);
        } catch (MalformedPacketException notAHeader) {
            // A short or mangled quote is possible from any router; keep the raw bytes only.
        }
        this.header = h;
    }

    /**
     * Wraps quoted bytes as received.
     *
     * @param bytes the quote, possibly empty; copied
     * @return the quoted packet
     */
    public static QuotedIpv6Packet of(byte[] bytes) {
        return new QuotedIpv6Packet(bytes.clone());
    }

    /**
     * Builds a quote from a header and the start of its payload, for constructing ICMPv6 errors.
     *
     * @param header the invoking packet's header
     * @param payload the first bytes of its payload
     * @return the quoted packet
     */
    public static QuotedIpv6Packet of(Ipv6Header header, byte[] payload) {
        byte[] all = Arrays.copyOf(header.toBytes(), Ipv6Header.LENGTH + payload.length);
        System.arraycopy(payload, 0, all, Ipv6Header.LENGTH, payload.length);
        return new QuotedIpv6Packet(all);
    }

    /**
     * The quoted bytes exactly as carried.
     *
     * @return a copy of the quote
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The number of quoted bytes.
     *
     * @return the quote's length
     */
    public int length() {
        return bytes.length;
    }

    /**
     * The quoted IPv6 header, if the quote starts with a complete one of version 6.
     *
     * @return the header, or empty for a short or mangled quote
     */
    public Optional<Ipv6Header> header() {
        return Optional.ofNullable(header);
    }

    /**
     * The quoted bytes after the header: the start of the invoking packet's payload. When there is
     * no parsable header this is the whole quote.
     *
     * @return a copy of the payload bytes
     */
    public byte[] payload() {
        return Arrays.copyOfRange(bytes, header == null ? 0 : Ipv6Header.LENGTH, bytes.length);
    }

    /**
     * Whether the quote holds less payload than its header's payload length announces: the
     * sender cut the invoking packet short to fit the error into 1280 bytes. False when there is
     * no parsable header.
     *
     * @return true if payload bytes are missing
     */
    public boolean truncated() {
        return header != null && !header.payloadAvailable(bytes.length - Ipv6Header.LENGTH);
    }

    /** Equal when the quoted bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof QuotedIpv6Packet q && Arrays.equals(q.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        if (header == null) {
            return "QuotedIpv6Packet[unparsed " + Wire.hex(bytes) + "]";
        }
        return "QuotedIpv6Packet[" + header + (truncated() ? ", truncated" : "")
                + ", payload " + Wire.hex(payload()) + "]";
    }
}
