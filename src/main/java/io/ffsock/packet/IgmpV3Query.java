package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;

/**
 * Version 3 Membership Query (RFC 3376 section 4.1): general (group 0.0.0.0, no sources),
 * group-specific (a group, no sources) or group-and-source-specific (a group and sources).
 *
 * <p>The two time fields are kept as their 8-bit codes, exactly as carried;
 * {@link #maxResponseTime()} and {@link #queryInterval()} decode them with {@link IgmpTimeCode},
 * and {@link #of} encodes plain values (rounding up). The four reserved bits before the S flag are
 * written as zero and ignored on parse (section 4.1.4).
 *
 * @param maxResponseCode the Max Resp Code byte (section 4.1.1), {@code 0..255}
 * @param group the group, or 0.0.0.0 for a general query
 * @param suppressRouterProcessing the S flag (section 4.1.5)
 * @param robustness QRV, the querier's robustness variable (section 4.1.6), {@code 0..7}; 0
 *     when the querier's value exceeds 7
 * @param queryIntervalCode the QQIC byte (section 4.1.7), {@code 0..255}
 * @param sources the source addresses, at most 65535
 */
public record IgmpV3Query(int maxResponseCode, Inet4Address group, boolean suppressRouterProcessing,
        int robustness, int queryIntervalCode, List<Inet4Address> sources) implements IgmpMessage {
    /** The shortest version 3 query: 12 bytes, no sources. */
    public static final int MIN_LENGTH = 12;

    /**
     * Validates and copies.
     *
     * @param maxResponseCode the Max Resp Code
     * @param group the group
     * @param suppressRouterProcessing the S flag
     * @param robustness QRV
     * @param queryIntervalCode QQIC
     * @param sources the sources
     */
    public IgmpV3Query {
        Wire.checkRange("Max Resp Code", maxResponseCode, 0, 255);
        Objects.requireNonNull(group, "group");
        Wire.checkRange("QRV", robustness, 0, 7);
        Wire.checkRange("QQIC", queryIntervalCode, 0, 255);
        sources = List.copyOf(sources);
        Wire.checkRange("IGMPv3 query source count", sources.size(), 0, 0xFFFF);
    }

    /**
     * A query from plain time values, each encoded with {@link IgmpTimeCode#encode}, which rounds
     * a value it cannot express up to the next one it can.
     *
     * @param maxResponseTime the Max Resp Time in tenths of a second, {@code 0..31744}
     * @param group the group, or 0.0.0.0 for a general query
     * @param suppressRouterProcessing the S flag
     * @param robustness QRV, {@code 0..7}
     * @param queryInterval the querier's query interval in seconds, {@code 0..31744}
     * @param sources the sources
     * @return the query
     */
    public static IgmpV3Query of(int maxResponseTime, Inet4Address group, boolean suppressRouterProcessing,
            int robustness, int queryInterval, List<Inet4Address> sources) {
        return new IgmpV3Query(IgmpTimeCode.encode(maxResponseTime), group, suppressRouterProcessing,
                robustness, IgmpTimeCode.encode(queryInterval), sources);
    }

    /**
     * The Max Resp Time the code stands for (section 4.1.1).
     *
     * @return tenths of a second
     */
    public int maxResponseTime() {
        return IgmpTimeCode.decode(maxResponseCode);
    }

    /**
     * The Querier's Query Interval the QQIC stands for (section 4.1.7).
     *
     * @return seconds
     */
    public int queryInterval() {
        return IgmpTimeCode.decode(queryIntervalCode);
    }

    @Override
    public int type() {
        return TYPE_MEMBERSHIP_QUERY;
    }

    @Override
    public int length() {
        return MIN_LENGTH + 4 * sources.size();
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) TYPE_MEMBERSHIP_QUERY;
        dst[off + 1] = (byte) maxResponseCode;
        Wire.putInet4(dst, off + 4, group);
        dst[off + 8] = (byte) ((suppressRouterProcessing ? 0x08 : 0) | robustness);
        dst[off + 9] = (byte) queryIntervalCode;
        Wire.putU16(dst, off + 10, sources.size());
        Wire.putInet4List(dst, off + MIN_LENGTH, sources);
        Wire.sealChecksum(dst, off, len, off + 2);
        return len;
    }

    static IgmpV3Query parseBody(byte[] b, int off, int len) {
        int count = Wire.u16(b, off + 10);
        int room = (len - MIN_LENGTH) / 4;
        if (count > room) {
            throw new MalformedPacketException("IGMPv3 query claims " + count
                    + " sources but has room for " + room);
        }
        int flags = Wire.u8(b, off + 8);
        return new IgmpV3Query(Wire.u8(b, off + 1), Wire.inet4(b, off + 4), (flags & 0x08) != 0,
                flags & 0x07, Wire.u8(b, off + 9), Wire.inet4List(b, off + MIN_LENGTH, count));
    }

    /** Shows the decoded times next to their codes, as tcpdump and Wireshark do. */
    @Override
    public String toString() {
        return "IgmpV3Query[" + Wire.str(group)
                + ", max response " + maxResponseTime() / 10 + "." + maxResponseTime() % 10 + "s"
                + " (code " + String.format("0x%02x", maxResponseCode) + ")"
                + (suppressRouterProcessing ? ", S" : "")
                + ", QRV " + robustness
                + ", query interval " + queryInterval() + "s (QQIC "
                + String.format("0x%02x", queryIntervalCode) + ")"
                + ", sources " + Wire.str(sources) + "]";
    }
}
