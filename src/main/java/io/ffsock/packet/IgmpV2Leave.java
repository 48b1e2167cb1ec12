package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * Leave Group (type 0x17, RFC 2236 section 2.1 and 3): a host leaving {@code group}, sent to the all-routers group 224.0.0.2. The Max Resp Code byte is unused: written as zero, ignored on parse.
 *
 * @param group the group left
 */
public record IgmpV2Leave(Inet4Address group) implements IgmpMessage {
    /**
     * Validates.
     *
     * @param group the group left
     */
    public IgmpV2Leave {
        Objects.requireNonNull(group, "group");
    }

    @Override
    public int type() {
        return TYPE_V2_LEAVE;
    }

    @Override
    public int length() {
        return MIN_LENGTH;
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        return IgmpFixed.write(dst, off, TYPE_V2_LEAVE, 0, group);
    }

    @Override
    public String toString() {
        return "IgmpV2Leave[" + Wire.str(group) + "]";
    }
}
