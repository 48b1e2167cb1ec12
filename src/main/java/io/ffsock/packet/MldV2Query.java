package io.ffsock.packet;

import java.net.Inet6Address;
import java.util.List;
import java.util.Objects;

/**
 * Version 2 Multicast Listener Query (type 130, 28 bytes or more, RFC 3810 section 5.1): general
 * (multicast address {@code ::}, no sources), multicast-address-specific (an address, no sources)
 * or multicast-address-and-source-specific (an address and sources).
 *
 * <p>The two time fields are kept as their codes, exactly as carried; {@link #maxResponseDelay()}
 * and {@link #queryInterval()} decode them, and {@link #of} encodes plain values (rounding up, as
 * {@link IgmpTimeCode} does). The Maximum Response Code is 16 bits (section 5.1.3): below 32768
 * the value itself in milliseconds, else {@code 1 exp(3) mant(12)} for
 * {@code (mant | 0x1000) << (exp + 3)}. The QQIC has IGMPv3's 8-bit format, in seconds (section
 * 5.1.9). Reserved fields are written as zero and ignored on parse.
 *
 * @param maxResponseCode the Maximum Response Code, {@code 0..65535}
 * @param group the multicast address, or {@code ::} for a general query
 * @param suppressRouterProcessing the S flag (section 5.1.7)
 * @param robustness QRV, the querier's robustness variable (section 5.1.8), {@code 0..7}
 * @param queryIntervalCode the QQIC byte, {@code 0..255}
 * @param sources the source addresses, at most 65535
 */
public record MldV2Query(int maxResponseCode, Inet6Address group, boolean suppressRouterProcessing,
        int robustness, int queryIntervalCode, List<Inet6Address> sources) implements Icmpv6Message {
    /** The shortest version 2 query: 28 bytes, no sources. */
    public static final int MIN_LENGTH = 28;
    /** The largest Maximum Response Delay a code can express, in milliseconds: {@code 0x1FFF << 10}. */
    public static final int MAX_RESPONSE_DELAY = 0x1FFF << 10;

    /**
     * Validates and copies.
     *
     * @param maxResponseCode the Maximum Response Code
     * @param group the multicast address
     * @param suppressRouterProcessing the S flag
     * @param robustness QRV
     * @param queryIntervalCode QQIC
     * @param sources the sources
     */
    public MldV2Query {
        Wire.checkRange("MLD Maximum Response Code", maxResponseCode, 0, 0xFFFF);
        Objects.requireNonNull(group, "group");
        Wire.checkRange("QRV", robustness, 0, 7);
        Wire.checkRange("QQIC", queryIntervalCode, 0, 255);
        sources = List.copyOf(sources);
        Wire.checkRange("MLDv2 query source count", sources.size(), 0, 0xFFFF);
    }

    /**
     * A query from plain time values, each encoded rounding up to the next value its code can
     * express (so a listener's timers never run shorter than configured).
     *
     * @param maxResponseDelay milliseconds, {@code 0..}{@value #MAX_RESPONSE_DELAY}
     * @param group the multicast address, or {@code ::}
     * @param suppressRouterProcessing the S flag
     * @param robustness QRV, {@code 0..7}
     * @param queryInterval the querier's query interval in seconds, {@code 0..31744}
     * @param sources the sources
     * @return the query
     */
    public static MldV2Query of(int maxResponseDelay, Inet6Address group, boolean suppressRouterProcessing,
            int robustness, int queryInterval, List<Inet6Address> sources) {
        return new MldV2Query(encodeMaxResponseDelay(maxResponseDelay), group, suppressRouterProcessing,
                robustness, IgmpTimeCode.encode(queryInterval), sources);
    }

    /**
     * The Maximum Response Delay the code stands for (section 5.1.3).
     *
     * @return milliseconds
     */
    public int maxResponseDelay() {
        return decodeMaxResponseCode(maxResponseCode);
    }

    /**
     * The Querier's Query Interval the QQIC stands for (section 5.1.9).
     *
     * @return seconds
     */
    public int queryInterval() {
        return IgmpTimeCode.decode(queryIntervalCode);
    }

    /**
     * The milliseconds a Maximum Response Code stands for (RFC 3810 section 5.1.3).
     *
     * @param code {@code 0..65535}
     * @return milliseconds, {@code 0..}{@value #MAX_RESPONSE_DELAY}
     */
    public static int decodeMaxResponseCode(int code) {
        Wire.checkRange("MLD Maximum Response Code", code, 0, 0xFFFF);
        return Wire.decodeFloatCode(code, 12);
    }

    /**
     * The code for a delay, rounding up to the smallest expressible delay at or above it.
     *
     * @param millis {@code 0..}{@value #MAX_RESPONSE_DELAY}
     * @return the code, {@code 0..65535}
     */
    public static int encodeMaxResponseDelay(int millis) {
        Wire.checkRange("MLD maximum response delay", millis, 0, MAX_RESPONSE_DELAY);
        return Wire.encodeFloatCode(millis, 12);
    }

    @Override
    public int type() {
        return TYPE_MLD_QUERY;
    }

    @Override
    public int code() {
        return 0;
    }

    @Override
    public int length() {
        return MIN_LENGTH + 16 * sources.size();
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) TYPE_MLD_QUERY;
        dst[off + 1] = 0;
        Wire.putU16(dst, off + 2, 0);
        Wire.putU16(dst, off + 4, maxResponseCode);
        Wire.putU16(dst, off + 6, 0);
        Wire.putInet6(dst, off + 8, group);
        dst[off + 24] = (byte) ((suppressRouterProcessing ? 0x08 : 0) | robustness);
        dst[off + 25] = (byte) queryIntervalCode;
        Wire.putU16(dst, off + 26, sources.size());
        Wire.putInet6List(dst, off + MIN_LENGTH, sources);
        return len;
    }

    static MldV2Query parseBody(byte[] b, int off, int len) {
        int count = Wire.u16(b, off + 26);
        int room = (len - MIN_LENGTH) / 16;
        if (count > room) {
            throw new MalformedPacketException("MLDv2 query claims " + count + " sources but has room for " + room);
        }
        int flags = Wire.u8(b, off + 24);
        return new MldV2Query(Wire.u16(b, off + 4), Wire.inet6(b, off + 8), (flags & 0x08) != 0,
                flags & 0x07, Wire.u8(b, off + 25), Wire.inet6List(b, off + MIN_LENGTH, count));
    }

    /** Shows the decoded times next to their codes, as tcpdump and Wireshark do. */
    @Override
    public String toString() {
        return "MldV2Query[" + Wire.str(group)
                + ", max response " + maxResponseDelay() + " ms (code " + Wire.hex16(maxResponseCode) + ")"
                + (suppressRouterProcessing ? ", S" : "")
                + ", QRV " + robustness
                + ", query interval " + queryInterval() + "s (QQIC " + String.format("0x%02x", queryIntervalCode) + ")"
                + ", sources " + Wire.str(sources) + "]";
    }
}
