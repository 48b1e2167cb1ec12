package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * Version 1 Membership Report (type 0x12, RFC 1112 appendix I): a host announces that it is a member of {@code group}. Sent by hosts in IGMPv1 compatibility mode (RFC 3376 section 7.2.1). The Max Resp Code byte is unused: written as zero, ignored on parse.
 *
 * @param group the group joined
 */
public record IgmpV1Report(Inet4Address group) implements IgmpMessage {
    /**
     * Validates.
     *
     * @param group the group joined
     */
    public IgmpV1Report {
        Objects.requireNonNull(group, "group");
    }

    @Override
    public int type() {
        return TYPE_V1_REPORT;
    }

    @Override
    public int length() {
        return MIN_LENGTH;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        return IgmpFixed.write(dst, off, TYPE_V1_REPORT, 0, group);
    }

    @Override
    public String toString() {
        return "IgmpV1Report[" + Wire.str(group) + "]";
    }
}
