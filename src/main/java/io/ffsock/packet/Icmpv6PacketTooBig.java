package io.ffsock.packet;

import java.util.Arrays;

/**
 * Packet Too Big (type 2, RFC 4443 section 3.2): a router could not forward the invoking packet
 * because it exceeds the next link's MTU; path MTU discovery (RFC 8201) reads {@link #mtu()}.
 *
 * <p>The code is always 0 (a different code parses as {@link Icmpv6Unknown}).
 *
 * @param mtu the MTU of the next-hop link, {@code 0..2^32-1}
 * @param invokingPacket as much of the invoking packet as the sender quoted, starting with its
 *     IPv6 header; copied ({@link #quote()} parses it)
 */
public record Icmpv6PacketTooBig(long mtu, byte[] invokingPacket) implements Icmpv6Message {
    /**
     * Validates and copies.
     *
     * @param mtu the MTU
     * @param invokingPacket the quoted invoking packet
     */
    public Icmpv6PacketTooBig {
        Wire.checkRange("MTU", mtu, 0, 0xFFFF_FFFFL);
        invokingPacket = invokingPacket.clone();
    }

    /**
     * An error quoting {@code quote}, e.g. one built with {@link QuotedIpv6Packet#of(Ipv6Header, byte[])}.
     *
     * @param mtu the MTU of the next-hop link
     * @param quote the invoking packet
     */
    public Icmpv6PacketTooBig(long mtu, QuotedIpv6Packet quote) {
        this(mtu, quote.bytes());
    }

    /**
     * The invoking packet parsed: its IPv6 header when the quote starts with one, and the bytes
     * after it (for a probe, the UDP or ICMPv6 header that identifies it).
     *
     * @return the quote; {@link #invokingPacket()} has the same bytes
     */
    public QuotedIpv6Packet quote() {
        return QuotedIpv6Packet.of(invokingPacket);
    }

    /**
     * The quoted invoking packet.
     *
     * @return a copy of the bytes
     */
    @Override
    public byte[] invokingPacket() {
        return invokingPacket.clone();
    }

    @Override
    public int type() {
        return TYPE_PACKET_TOO_BIG;
    }

    @Override
    public int code() {
        return 0;
    }

    @Override
    public int length() {
        return Icmpv6Errors.HEADER_LENGTH + invokingPacket.length;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        return Icmpv6Errors.write(dst, off, TYPE_PACKET_TOO_BIG, 0, mtu, invokingPacket);
    }

    static Icmpv6PacketTooBig parseBody(byte[] b, int off, int len) {
        Wire.requireLength("ICMPv6 packet too big", len, Icmpv6Errors.HEADER_LENGTH);
        return new Icmpv6PacketTooBig(Wire.u32(b, off + 4), Icmpv6Errors.invokingPacket(b, off, len));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icmpv6PacketTooBig p && p.mtu == mtu && Arrays.equals(p.invokingPacket, invokingPacket);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(mtu) * 31 + Arrays.hashCode(invokingPacket);
    }

    @Override
    public String toString() {
        return "Icmpv6PacketTooBig[mtu " + mtu + ", " + Icmpv6Errors.describe(invokingPacket) + "]";
    }
}
