package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * Version 1 Membership Query (RFC 1112 appendix I): 8 bytes with the Max Resp Code byte zero,
 * which is how RFC 3376 section 7.1 recognizes a version 1 querier.
 *
 * @param group the group address; RFC 1112 queries are general and carry 0.0.0.0
 */
public record IgmpV1Query(Inet4Address group) implements IgmpMessage {
    /**
     * Validates.
     *
     * @param group the group address
     */
    public IgmpV1Query {
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
        return IgmpFixed.write(dst, off, TYPE_MEMBERSHIP_QUERY, 0, group);
    }

    static IgmpV1Query parseBody(byte[] b, int off) {
        return new IgmpV1Query(Wire.inet4(b, off + 4));
    }

    @Override
    public String toString() {
        return "IgmpV1Query[" + Wire.str(group) + "]";
    }
}
