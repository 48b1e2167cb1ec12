package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * Version 2 Membership Report (type 0x16, RFC 2236 section 2.1): a host announces, to the group address itself, that it is a member of {@code group}. The Max Resp Code byte is unused: written as zero, ignored on parse.
 *
 * @param group the group joined
 */
public record IgmpV2Report(Inet4Address group) implements IgmpMessage {
    /**
     * Validates.
     *
     * @param group the group joined
     */
    public IgmpV2Report {
        Objects.requireNonNull(group, "group");
    }

    @Override
    public int type() {
        return TYPE_V2_REPORT;
    }

    @Override
    public int length() {
        return MIN_LENGTH;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        return IgmpFixed.write(dst, off, TYPE_V2_REPORT, 0, group);
    }

    @Override
    public String toString() {
        return "IgmpV2Report[" + Wire.str(group) + "]";
    }
}
