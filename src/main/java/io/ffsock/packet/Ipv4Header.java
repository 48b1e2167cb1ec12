package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An IPv4 header with its options (RFC 791 section 3.1).
 *
 * <p>The version is always 4 and the IHL is derived from the options, so neither is a component.
 * {@link #toBytes()} and {@link #writeTo(byte[], int)} compute the header checksum themselves and
 * ignore the {@link #checksum()} component, which only reports what a parsed header carried;
 * {@link #checksumValid()} compares the two.
 *
 * <p>Use it to build headers for {@code IP_HDRINCL} raw sockets, to read the header that raw
 * IPv4 sockets deliver in front of every packet, and to read the header quoted inside ICMP errors
 * (see {@link QuotedDatagram}). The total length is not checked against the bytes given to
 * {@link #parse}, because a quoted header describes a datagram that was cut short on purpose.
 *
 * @param tos the Type of Service byte (DSCP and ECN, RFC 2474 / RFC 3168), {@code 0..255}
 * @param totalLength header plus payload in bytes, {@code 0..65535}
 * @param identification the fragment identification, {@code 0..65535}
 * @param flags the 3 flag bits, {@code 0..7}: {@link #DONT_FRAGMENT}, {@link #MORE_FRAGMENTS}
 * @param fragmentOffset the fragment offset in 8-byte units, {@code 0..8191}
 * @param ttl time to live, {@code 0..255}
 * @param protocol the payload's protocol number, {@code 0..255}, e.g. {@link #PROTOCOL_ICMP}
 * @param checksum the header checksum as carried on the wire, {@code 0..65535}; ignored when
 *     encoding
 * @param source the source address
 * @param destination the destination address
 * @param options the options in wire order, without the End of Option List padding
 */
public record Ipv4Header(
        int tos,
        int totalLength,
        int identification,
        int flags,
        int fragmentOffset,
        int ttl,
        int protocol,
        int checksum,
        Inet4Address source,
        Inet4Address destination,
        List<Ipv4Option> options) {

    /** The header length without options, in bytes. */
    public static final int MIN_LENGTH = 20;
    /** The largest header, in bytes (IHL 15). */
    public static final int MAX_LENGTH = 60;
    /** Flag bit DF, "don't fragment" (RFC 791). */
    public static final int DONT_FRAGMENT = 0b010;
    /** Flag bit MF, "more fragments" (RFC 791). */
    public static final int MORE_FRAGMENTS = 0b001;
    /** Protocol number of ICMP (RFC 792). */
    public static final int PROTOCOL_ICMP = 1;
    /** Protocol number of IGMP (RFC 1112). */
    public static final int PROTOCOL_IGMP = 2;
    /** Protocol number of UDP (RFC 768). */
    public static final int PROTOCOL_UDP = 17;

    /**
     * Validates every field and copies the option list.
     *
     * @throws IllegalArgumentException if a field is out of range or the options need more than
     *     40 bytes
     */
    public Ipv4Header {
        Wire.checkRange("TOS", tos, 0, 255);
        Wire.checkRange("total length", totalLength, 0, 0xFFFF);
        Wire.checkRange("identification", identification, 0, 0xFFFF);
        Wire.checkRange("flags", flags, 0, 7);
        Wire.checkRange("fragment offset", fragmentOffset, 0, 0x1FFF);
        Wire.checkRange("TTL", ttl, 0, 255);
        Wire.checkRange("protocol", protocol, 0, 255);
        Wire.checkRange("checksum", checksum, 0, 0xFFFF);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        options = List.copyOf(options);
        int optionBytes = optionsLength(options);
        if (optionBytes > Ipv4Option.MAX_OPTIONS_LENGTH) {
            throw new IllegalArgumentException("IPv4 options need " + optionBytes
                    + " bytes, more than the " + Ipv4Option.MAX_OPTIONS_LENGTH + " a header can hold");
        }
    }

    /**
     * A header for a new, unfragmented datagram: TOS 0, no flags, total length computed from
     * the payload length, identification 0 (on a raw socket with {@code IP_HDRINCL}, Linux
     * replaces a zero identification and always fills in the total length and checksum, see
     * raw(7)).
     *
     * @param protocol the payload's protocol number
     * @param ttl time to live
     * @param source the source address
     * @param destination the destination address
     * @param options the options, e.g. {@code List.of(Ipv4Option.RouterAlert.EXAMINE)}
     * @param payloadLength the number of bytes that will follow the header
     * @return the header
     */
    public static Ipv4Header of(int protocol, int ttl, Inet4Address source, Inet4Address destination,
            List<Ipv4Option> options, int payloadLength) {
        int headerLength = MIN_LENGTH + padded(optionsLength(options));
        return new Ipv4Header(0, headerLength + payloadLength, 0, 0, 0, ttl, protocol, 0,
                source, destination, options);
    }

    /**
     * The header length in bytes: 20 plus the options padded to a multiple of 4.
     *
     * @return {@code 20..60}
     */
    public int headerLength() {
        return MIN_LENGTH + padded(optionsLength(options));
    }

    /**
     * The IHL field: the header length in 32-bit words.
     *
     * @return {@code 5..15}
     */
    public int ihl() {
        return headerLength() / 4;
    }

    /**
     * Whether the DF flag is set.
     *
     * @return true if the datagram must not be fragmented
     */
    public boolean dontFragment() {
        return (flags & DONT_FRAGMENT) != 0;
    }

    /**
     * Whether the MF flag is set.
     *
     * @return true if more fragments follow
     */
    public boolean moreFragments() {
        return (flags & MORE_FRAGMENTS) != 0;
    }

    /**
     * Whether {@link #checksum()} is the checksum of this header. True for a header parsed from
     * an intact packet; a header parsed from bytes with non-zero garbage after End of Option List
     * would compare false, since that garbage is not kept.
     *
     * @return true if the carried checksum matches the computed one
     */
    public boolean checksumValid() {
        byte[] b = toBytes();
        return Wire.u16(b, 10) == checksum;
    }

    /**
     * Encodes the header with a freshly computed checksum.
     *
     * @return a new array of {@link #headerLength()} bytes
     */
    public byte[] toBytes() {
        byte[] b = new byte[headerLength()];
        writeTo(b, 0);
        return b;
    }

    /**
     * Encodes the header into {@code dst} at {@code off}, computing the checksum (RFC 791: the
     * checksum field is taken as zero while computing it).
     *
     * @param dst the destination array
     * @param off where the header starts
     * @return the number of bytes written, {@link #headerLength()}
     * @throws IndexOutOfBoundsException if the header does not fit
     */
    public int writeTo(byte[] dst, int off) {
        int len = headerLength();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) (0x40 | len / 4);
        dst[off + 1] = (byte) tos;
        Wire.putU16(dst, off + 2, totalLength);
        Wire.putU16(dst, off + 4, identification);
        Wire.putU16(dst, off + 6, flags << 13 | fragmentOffset);
        dst[off + 8] = (byte) ttl;
        dst[off + 9] = (byte) protocol;
        Wire.putInet4(dst, off + 12, source);
        Wire.putInet4(dst, off + 16, destination);
        writeOptions(dst, off + MIN_LENGTH, len - MIN_LENGTH);
        Wire.sealChecksum(dst, off, len, off + 10);
        return len;
    }

    /**
     * Parses the header at the start of {@code b}.
     *
     * @param b the bytes; anything after the header is ignored
     * @return the header
     * @throws MalformedPacketException if the bytes are not an IPv4 header
     */
    public static Ipv4Header parse(byte[] b) {
        return parse(b, 0, b.length);
    }

    /**
     * Parses the header at the start of {@code b[off, off+len)}; bytes after the IHL are
     * ignored.
     *
     * @param b the array
     * @param off where the header starts
     * @param len how many bytes are available
     * @return the header
     * @throws MalformedPacketException if the version is not 4, the IHL is below 5 or longer
     *     than the bytes available, or an option is malformed
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside the array
     */
    public static Ipv4Header parse(byte[] b, int off, int len) {
        Wire.checkWindow(b, off, len);
        Wire.requireLength("IPv4 header", len, MIN_LENGTH);
        int version = Wire.u8(b, off) >>> 4;
        if (version != 4) {
            throw new MalformedPacketException("IP version " + version + " is not 4");
        }
        int ihl = Wire.u8(b, off) & 0x0F;
        if (ihl < 5) {
            throw new MalformedPacketException("IHL " + ihl + " is below the minimum 5");
        }
        int headerLength = ihl * 4;
        if (headerLength > len) {
            throw new MalformedPacketException("IPv4 header claims IHL " + ihl + " ("
                    + headerLength + " bytes) but only " + len + " bytes are present");
        }
        int flagsAndOffset = Wire.u16(b, off + 6);
        List<Ipv4Option> options = parseOptions(b, off + MIN_LENGTH, headerLength - MIN_LENGTH);
        return new Ipv4Header(
                Wire.u8(b, off + 1),
                Wire.u16(b, off + 2),
                Wire.u16(b, off + 4),
                flagsAndOffset >>> 13,
                flagsAndOffset & 0x1FFF,
                Wire.u8(b, off + 8),
                Wire.u8(b, off + 9),
                Wire.u16(b, off + 10),
                Wire.inet4(b, off + 12),
                Wire.inet4(b, off + 16),
                options);
    }

    /** Reads like tcpdump's verbose line: addresses first, then the fields that vary. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Ipv4Header[")
                .append(Wire.str(source)).append(" > ").append(Wire.str(destination))
                .append(", proto ").append(protocol)
                .append(", ttl ").append(ttl)
                .append(", tos ").append(String.format("0x%02x", tos))
                .append(", length ").append(totalLength)
                .append(", id ").append(identification)
                .append(", flags [");
        if (flags == 0) {
            s.append("none");
        } else {
            List<String> names = new ArrayList<>();
            if ((flags & 0b100) != 0) {
                names.add("reserved");
            }
            if (dontFragment()) {
                names.add("DF");
            }
            if (moreFragments()) {
                names.add("MF");
            }
            s.append(String.join(",", names));
        }
        s.append("], offset ").append(fragmentOffset)
                .append(", checksum ").append(Wire.hex16(checksum));
        if (!options.isEmpty()) {
            s.append(", options ").append(options);
        }
        return s.append(']').toString();
    }

    private static int optionsLength(List<Ipv4Option> options) {
        int n = 0;
        for (Ipv4Option o : options) {
            n += o.length();
        }
        return n;
    }

    private static int padded(int n) {
        return (n + 3) & ~3;
    }

    /** Writes the options, then End of Option List zero bytes up to the padded length. */
    private void writeOptions(byte[] dst, int off, int paddedLength) {
        int i = off;
        for (Ipv4Option o : options) {
            switch (o) {
                case Ipv4Option.NoOperation n -> dst[i] = Ipv4Option.TYPE_NO_OPERATION;
                case Ipv4Option.RouterAlert r -> {
                    dst[i] = (byte) Ipv4Option.TYPE_ROUTER_ALERT;
                    dst[i + 1] = 4;
                    Wire.putU16(dst, i + 2, r.value());
                }
                case Ipv4Option.Raw r -> {
                    byte[] data = r.data();
                    dst[i] = (byte) r.type();
                    dst[i + 1] = (byte) (2 + data.length);
                    System.arraycopy(data, 0, dst, i + 2, data.length);
                }
            }
            i += o.length();
        }
        Arrays.fill(dst, i, off + paddedLength, (byte) Ipv4Option.TYPE_END_OF_LIST);
    }

    /**
     * Parses the options area {@code b[off, off+len)}. Stops at End of Option List; what
     * follows it is padding (RFC 791: "the end of the options might not coincide with the end of
     * the internet header") and is not looked at.
     */
    private static List<Ipv4Option> parseOptions(byte[] b, int off, int len) {
        List<Ipv4Option> out = new ArrayList<>();
        int i = 0;
        while (i < len) {
            int type = Wire.u8(b, off + i);
            if (type == Ipv4Option.TYPE_END_OF_LIST) {
                break;
            }
            if (type == Ipv4Option.TYPE_NO_OPERATION) {
                out.add(new Ipv4Option.NoOperation());
                i++;
                continue;
            }
            if (len - i < 2) {
                throw new MalformedPacketException("IPv4 option type " + type
                        + " at option byte " + i + " has no length byte");
            }
            int optionLength = Wire.u8(b, off + i + 1);
            if (optionLength < 2) {
                throw new MalformedPacketException("IPv4 option type " + type + " at option byte "
                        + i + " has length " + optionLength + ", below the minimum 2");
            }
            if (optionLength > len - i) {
                throw new MalformedPacketException("IPv4 option type " + type + " at option byte "
                        + i + " has length " + optionLength + " but only " + (len - i)
                        + " option bytes remain");
            }
            if (type == Ipv4Option.TYPE_ROUTER_ALERT) {
                if (optionLength != 4) {
                    throw new MalformedPacketException(
                            "IPv4 Router Alert option has length " + optionLength + ", must be 4");
                }
                out.add(new Ipv4Option.RouterAlert(Wire.u16(b, off + i + 2)));
            } else {
                out.add(new Ipv4Option.Raw(type, Wire.copy(b, off + i + 2, optionLength - 2)));
            }
            i += optionLength;
        }
        return out;
    }
}
