package io.ffsock.packet;

import java.net.Inet6Address;
import java.util.Objects;

/**
 * An MLDv1 message (RFC 2710 section 3): Multicast Listener Query (type 130, 24 bytes), Report
 * (131) or Done (132). All three share one format: a Maximum Response Delay in milliseconds,
 * meaningful in a query only, and a multicast address (the unspecified address {@code ::} in a
 * general query). A 24-byte query is MLDv1; a longer one is {@link MldV2Query} (RFC 3810
 * section 8.1).
 *
 * <p>Only code 0 is defined; a message with another code parses as {@link Icmpv6Unknown}. The
 * reserved field is written as zero and ignored on parse. Senders must use a link-local source,
 * hop limit 1 and a Hop-by-Hop Router Alert option (RFC 2710 section 3): on a raw ICMPv6 socket
 * that means {@code IPV6_MULTICAST_HOPS} 1 and the option set with {@code IPV6_HOPOPTS}.
 *
 * @param type {@link Icmpv6Message#TYPE_MLD_QUERY}, {@link Icmpv6Message#TYPE_MLD_V1_REPORT} or
 *     {@link Icmpv6Message#TYPE_MLD_V1_DONE}
 * @param maxResponseDelay the Maximum Response Delay in milliseconds, {@code 0..65535} (0 in
 *     reports and dones)
 * @param group the multicast address
 */
public record MldV1Message(int type, int maxResponseDelay, Inet6Address group) implements Icmpv6Message {
    /** Length of every MLDv1 message. */
    public static final int LENGTH = 24;

    /**
     * Validates.
     *
     * @param type the type
     * @param maxResponseDelay milliseconds
     * @param group the multicast address
     */
    public MldV1Message {
        if (type != TYPE_MLD_QUERY && type != TYPE_MLD_V1_REPORT && type != TYPE_MLD_V1_DONE) {
            throw new IllegalArgumentException("MLDv1 type " + type + " is not 130 (query), 131 (report) or 132 (done)");
        }
        Wire.checkRange("MLD maximum response delay", maxResponseDelay, 0, 0xFFFF);
        Objects.requireNonNull(group, "group");
    }

    /**
     * A query: general with group {@code ::}, else multicast-address-specific.
     *
     * @param maxResponseDelay milliseconds, {@code 0..65535}
     * @param group the multicast address, or {@code ::}
     * @return the query
     */
    public static MldV1Message query(int maxResponseDelay, Inet6Address group) {
        return new MldV1Message(TYPE_MLD_QUERY, maxResponseDelay, group);
    }

    /**
     * A report: this host listens to {@code group}.
     *
     * @param group the multicast address
     * @return the report
     */
    public static MldV1Message report(Inet6Address group) {
        return new MldV1Message(TYPE_MLD_V1_REPORT, 0, group);
    }

    /**
     * A done: this host stopped listening to {@code group}.
     *
     * @param group the multicast address
     * @return the done message
     */
    public static MldV1Message done(Inet6Address group) {
        return new MldV1Message(TYPE_MLD_V1_DONE, 0, group);
    }

    @Override
    public int code() {
        return 0;
    }

    @Override
    public int length() {
        return LENGTH;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        Wire.checkWindow(dst, off, LENGTH);
        dst[off] = (byte) type;
        dst[off + 1] = 0;
        Wire.putU16(dst, off + 2, 0);
        Wire.putU16(dst, off + 4, maxResponseDelay);
        Wire.putU16(dst, off + 6, 0);
        Wire.putInet6(dst, off + 8, group);
        return LENGTH;
    }

    static MldV1Message parseBody(byte[] b, int off, int len) {
        int type = Wire.u8(b, off);
        Wire.requireLength("MLDv1 " + name(type), len, LENGTH);
        return new MldV1Message(type, Wire.u16(b, off + 4), Wire.inet6(b, off + 8));
    }

    private static String name(int type) {
        return switch (type) {
            case TYPE_MLD_QUERY -> "query";
            case TYPE_MLD_V1_REPORT -> "report";
            default -> "done";
        };
    }

    @Override
    public String toString() {
        return "MldV1Message[" + name(type) + " " + Wire.str(group)
                + (type == TYPE_MLD_QUERY ? ", max response " + maxResponseDelay + " ms" : "") + "]";
    }
}
