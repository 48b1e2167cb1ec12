package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

/**
 * The payload of an NLMSG_ERROR message, struct nlmsgerr, netlink(7): the error (0 for an
 * acknowledgement, else -errno), the header of the request it answers, and — with
 * NETLINK_EXT_ACK — the kernel's explanation (NLMSGERR_ATTR_MSG) and the offset of the attribute
 * at fault (NLMSGERR_ATTR_OFFS).
 *
 * @param error           0, or a negative errno
 * @param requestType     the request's nlmsg_type
 * @param requestSequence the request's nlmsg_seq
 * @param message         NLMSGERR_ATTR_MSG, or "" when absent
 * @param offset          NLMSGERR_ATTR_OFFS (bytes from the start of the request), or -1
 */
public record NetlinkAck(int error, int requestType, int requestSequence, String message, int offset) {

    /**
     * Decodes the payload of {@code m}, an NLMSG_ERROR message.
     *
     * @throws MalformedNetlinkException if it is not NLMSG_ERROR or its payload is cut short
     */
    public static NetlinkAck of(NetlinkMessage m) {
        if (m.type() != NLMSG_ERROR) throw new MalformedNetlinkException("message type " + m.type() + " is not NLMSG_ERROR");
        byte[] p = m.payload();
        return parse(p, 0, p.length, m.flags());
    }

    /** Decodes {@code length} payload bytes at {@code at} of an NLMSG_ERROR with {@code flags}. */
    static NetlinkAck parse(byte[] b, int at, int length, int flags) {
        if (length < SIZEOF_NLMSGERR) {
            throw new MalformedNetlinkException("NLMSG_ERROR payload of " + length + " bytes, need " + SIZEOF_NLMSGERR);
        }
        int error = Bytes.i32(b, at + OFFSETOF_NLMSGERR_ERROR);
        int req = at + OFFSETOF_NLMSGERR_MSG;
        int requestType = Bytes.u16(b, req + OFFSETOF_NLMSGHDR_NLMSG_TYPE);
        int requestSeq = Bytes.i32(b, req + OFFSETOF_NLMSGHDR_NLMSG_SEQ);
        if ((flags & NLM_F_ACK_TLVS) == 0) return new NetlinkAck(error, requestType, requestSeq, "", -1);
        // The TLVs follow the quoted request: its header only with NLM_F_CAPPED, else all of it.
        int quoted = (flags & NLM_F_CAPPED) != 0 ? SIZEOF_NLMSGHDR : Bytes.i32(b, req + OFFSETOF_NLMSGHDR_NLMSG_LEN);
        int tlvs = OFFSETOF_NLMSGERR_MSG + Bytes.align(quoted);
        if (quoted < SIZEOF_NLMSGHDR || tlvs > length || tlvs < 0) {
            throw new MalformedNetlinkException("NLMSG_ERROR quotes a request of " + Integer.toUnsignedString(quoted)
                    + " bytes, but only " + (length - OFFSETOF_NLMSGERR_MSG) + " follow");
        }
        return withTlvs(error, requestType, requestSeq, b, at + tlvs, at + length);
    }

    /** An ack whose message and offset come from the NLMSGERR_ATTR_* TLVs in {@code b[at, end)}. */
    static NetlinkAck withTlvs(int error, int requestType, int requestSeq, byte[] b, int at, int end) {
        String message = "";
        int offset = -1;
        for (int a = at; a < end; ) {
            int len = NetlinkAttribute.checkedLength(b, a, end, at);
            int type = Bytes.u16(b, a + 2) & NLA_TYPE_MASK;
            if (type == NLMSGERR_ATTR_MSG) message = Bytes.cString(b, a + SIZEOF_NLATTR, len - SIZEOF_NLATTR);
            else if (type == NLMSGERR_ATTR_OFFS && len - SIZEOF_NLATTR >= 4) offset = Bytes.i32(b, a + SIZEOF_NLATTR);
            a += Math.min(Bytes.align(len), end - a);
        }
        return new NetlinkAck(error, requestType, requestSeq, message, offset);
    }
}
