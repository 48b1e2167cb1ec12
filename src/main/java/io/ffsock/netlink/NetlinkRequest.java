package io.ffsock.netlink;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A request to send on a {@link NetlinkSocket}: message type, flags, the fixed struct of the
 * family (ifinfomsg, rtmsg ...) and attributes. The socket fills in the sequence number and
 * port id when it sends. Mutable while being built; {@link #encode} does not change it.
 */
public final class NetlinkRequest {
    private final int type;
    private final int flags;
    private final String description;
    private byte[] struct = new byte[0];
    private final List<NetlinkAttribute> attributes = new ArrayList<>();

    private NetlinkRequest(int type, int flags, String description) {
        this.type = type;
        this.flags = flags;
        this.description = description;
    }

    /**
     * A request of {@code type} with {@code flags} (NLM_F_REQUEST is added);
     * {@code description} names it in error messages, e.g. {@code RTM_NEWADDR(dev eth0 10.0.0.1/24)}.
     */
    public static NetlinkRequest of(int type, int flags, String description) {
        if (type < 0 || type > 0xffff) throw new IllegalArgumentException("nlmsg_type " + type + " is not 16 bits");
        if (flags < 0 || flags > 0xffff) throw new IllegalArgumentException("nlmsg_flags " + flags + " is not 16 bits");
        return new NetlinkRequest(type, flags | NetlinkConst.NLM_F_REQUEST, Objects.requireNonNull(description, "description"));
    }

    /** Sets the fixed struct that precedes the attributes (copied). */
    public NetlinkRequest struct(byte[] fixed) {
        this.struct = fixed.clone();
        return this;
    }

    /** Appends an attribute. */
    public NetlinkRequest attribute(NetlinkAttribute a) {
        attributes.add(Objects.requireNonNull(a, "attribute"));
        return this;
    }

    /** The message type. */
    public int type() {
        return type;
    }

    /** The flags, NLM_F_REQUEST included. */
    public int flags() {
        return flags;
    }

    /** What error messages call this request. */
    public String description() {
        return description;
    }

    /** The message with {@code extraFlags} added (NLM_F_ACK ...), sequence and port id. */
    public byte[] encode(int extraFlags, int sequence, int pid) {
        int fixed = Bytes.align(struct.length);
        int length = NetlinkMessage.HEADER_LENGTH + fixed + NetlinkAttribute.encodedLength(attributes);
        byte[] b = new byte[length];
        NetlinkMessage.putHeader(b, 0, length, type, flags | extraFlags, sequence, pid);
        System.arraycopy(struct, 0, b, NetlinkMessage.HEADER_LENGTH, struct.length);
        int at = NetlinkMessage.HEADER_LENGTH + fixed;
        for (NetlinkAttribute a : attributes) at = a.encodeTo(b, at);
        return b;
    }

    @Override
    public String toString() {
        return description;
    }
}
