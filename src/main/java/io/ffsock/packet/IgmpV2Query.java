package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * Version 2 Membership Query (RFC 2236 section 2): 8 bytes with a non-zero Max Response Time in
 * tenths of a second (a plain number, not the IGMPv3 float code). A general query carries group
 * 0.0.0.0; a group-specific query names the group.
 *
 * @param maxResponseTime the longest a member may wait before reporting, in tenths of a second,
 *     {@code 1..255} (0 would make it a version 1 query, RFC 3376 section 7.1)
 * @param group the group, or 0.0.0.0 for a general query
 */
public record IgmpV2Query(int maxResponseTime, Inet4Address group) implements IgmpMessage {
    /**
     * Validates.
     *
     * @param maxResponseTime tenths of a second
     * @param group the group address
     */
    public IgmpV2Query {
        Wire.checkRange("IGMPv2 max response time", maxResponseTime, 1, 255);
        Objects.requireNonNull(group, "group");
    }

    @Override
    public int type() {
        return TYPE_MEMBERSHIP_QUERY;
    }

    @Override
    public int length() {
        return MIN_LENGTH;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        return IgmpFixed.write(dst, off, TYPE_MEMBERSHIP_QUERY, maxResponseTime, group);
    }

    static IgmpV2Query parseBody(byte[] b, int off) {
        return new IgmpV2Query(Wire.u8(b, off + 1), Wire.inet4(b, off + 4));
    }

    @Override
    public String toString() {
        return "IgmpV2Query[" + Wire.str(group) + ", max response " + maxResponseTime / 10 + "."
                + maxResponseTime % 10 + "s]";
    }
}
