package io.ffsock.packet;

import java.util.Arrays;
import java.util.Optional;

/**
 * The start of the datagram that caused an ICMPv4 error, as quoted after the 8-byte ICMP header
 * (RFC 792: "Internet Header + 64 bits of Original Data Datagram"; Linux quotes up to 576 bytes
 * of the whole error, RFC 1812 section 4.3.2.3).
 *
 * <p>The quoted bytes are kept exactly as received, so re-encoding an error reproduces them. When
 * they begin with a well-formed IPv4 header, {@link #header()} returns it and {@link #payload()}
 * the bytes after it (usually the first 8 bytes of a UDP, TCP or ICMP header, which identify the
 * flow). A quote too short for its header, or not starting with one, is tolerated: the header is
 * then empty and the payload is every quoted byte.
 */
public final class QuotedDatagram {
    private final byte[] bytes;
    private final Ipv4Header header;
    private final int headerLength;

    private QuotedDatagram(byte[] bytes) {
        this.bytes = bytes;
        Ipv4Header h = null;
        int hl = 0;
        try {
            h = Ipv4Header.parse(bytes, 0, bytes.length);
            hl = 4 * (bytes[0] & 0x0F);
        } catch (MalformedPacketException notAHeader) {
            // A truncated or mangled quote is common in the wild; keep the raw bytes only.
        }
        this.header = h;
        this.headerLength = hl;
    }

    /**
     * Wraps quoted bytes as received.
     *
     * @param bytes the quote, possibly empty; copied
     * @return the quoted datagram
     */
    public static QuotedDatagram of(byte[] bytes) {
        return new QuotedDatagram(bytes.clone());
    }

    /**
     * Builds a quote from a header and the start of its payload, for constructing ICMP errors.
     * The header is encoded with a freshly computed checksum.
     *
     * @param header the original datagram's header
     * @param payload the first bytes of the original payload (RFC 792 asks for 8)
     * @return the quoted datagram
     */
    public static QuotedDatagram of(Ipv4Header header, byte[] payload) {
        byte[] h = header.toBytes();
        byte[] all = Arrays.copyOf(h, h.length + payload.length);
        System.arraycopy(payload, 0, all, h.length, payload.length);
        return new QuotedDatagram(all);
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
     * The quoted IPv4 header, if the quote starts with a complete, well-formed one.
     *
     * @return the header, or empty for a short or mangled quote
     */
    public Optional<Ipv4Header> header() {
        return Optional.ofNullable(header);
    }

    /**
     * The quoted bytes after the header: the start of the original payload. When there is no
     * parsable header this is the whole quote.
     *
     * @return a copy of the payload bytes
     */
    public byte[] payload() {
        return Arrays.copyOfRange(bytes, headerLength, bytes.length);
    }

    void writeTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, bytes.length);
    }

    /** Equal when the quoted bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof QuotedDatagram q && Arrays.equals(q.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        if (header == null) {
            return "QuotedDatagram[unparsed " + Wire.hex(bytes) + "]";
        }
        return "QuotedDatagram[" + header + ", payload " + Wire.hex(payload()) + "]";
    }
}
