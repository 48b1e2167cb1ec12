package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One netlink message, netlink(7): struct nlmsghdr (length, type, flags, sequence number, port
 * id), then the payload — for rtnetlink a fixed struct (ifinfomsg, rtmsg ...) followed by
 * attributes ({@link #attributes(int)}).
 *
 * <p>A datagram from a netlink socket holds one or more messages back to back, each padded to 4
 * bytes: {@link #parseAll(byte[], int, int)} splits them.
 *
 * @param type     nlmsg_type (NLMSG_ERROR, NLMSG_DONE, RTM_NEWLINK ...), 16 bits
 * @param flags    nlmsg_flags (NLM_F_REQUEST, NLM_F_MULTI, NLM_F_DUMP_INTR ...), 16 bits
 * @param sequence nlmsg_seq
 * @param pid      nlmsg_pid: the sending port (0 from the kernel)
 * @param payload  what follows the 16-byte header, without the final padding
 */
public record NetlinkMessage(int type, int flags, int sequence, int pid, byte[] payload) {
    /** The header's size, 16 bytes. */
    public static final int HEADER_LENGTH = SIZEOF_NLMSGHDR;

    /** Checks type and flags fit in 16 bits; copies the payload. */
    public NetlinkMessage {
        if (type < 0 || type > 0xffff) throw new IllegalArgumentException("nlmsg_type " + type + " is not 16 bits");
        if (flags < 0 || flags > 0xffff) throw new IllegalArgumentException("nlmsg_flags " + flags + " is not 16 bits");
        payload = payload.clone();
    }

    /** The payload (a copy). */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** nlmsg_len as it is encoded: header plus payload, without the final padding. */
    public int length() {
        return HEADER_LENGTH + payload.length;
    }

    /** Whether {@code flag} (an NLM_F_* bit) is set. */
    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /**
     * The attributes after a fixed struct of {@code fixedLength} bytes at the start of the
     * payload (16 for ifinfomsg, 8 for ifaddrmsg, 12 for rtmsg and ndmsg).
     *
     * @throws MalformedNetlinkException if the payload is shorter than the struct or an attribute is malformed
     */
    public List<NetlinkAttribute> attributes(int fixedLength) {
        if (payload.length < fixedLength) {
            throw new MalformedNetlinkException("message type " + type + ": payload of " + payload.length
                    + " bytes is shorter than its " + fixedLength + "-byte header struct");
        }
        int start = Bytes.align(fixedLength);
        return start >= payload.length ? List.of()
                : NetlinkAttribute.parseAll(payload, start, payload.length - start);
    }

    /** The encoded message, padded to 4 bytes. */
    public byte[] toBytes() {
        byte[] b = new byte[Bytes.align(length())];
        encodeTo(b, 0);
        return b;
    }

    /** Writes the message at {@code at} (padded to 4); returns the offset after it. */
    public int encodeTo(byte[] b, int at) {
        putHeader(b, at, length(), type, flags, sequence, pid);
        System.arraycopy(payload, 0, b, at + HEADER_LENGTH, payload.length);
        int end = at + Bytes.align(length());
        Arrays.fill(b, at + length(), end, (byte) 0);
        return end;
    }

    static void putHeader(byte[] b, int at, int length, int type, int flags, int sequence, int pid) {
        Bytes.putI32(b, at + OFFSETOF_NLMSGHDR_NLMSG_LEN, length);
        Bytes.putU16(b, at + OFFSETOF_NLMSGHDR_NLMSG_TYPE, type);
        Bytes.putU16(b, at + OFFSETOF_NLMSGHDR_NLMSG_FLAGS, flags);
        Bytes.putI32(b, at + OFFSETOF_NLMSGHDR_NLMSG_SEQ, sequence);
        Bytes.putI32(b, at + OFFSETOF_NLMSGHDR_NLMSG_PID, pid);
    }

    /**
     * Splits {@code length} bytes at {@code offset} (one datagram) into its messages.
     *
     * @throws MalformedNetlinkException if a header is cut short, an nlmsg_len is below 16 or
     *         runs past the data
     */
    public static List<NetlinkMessage> parseAll(byte[] b, int offset, int length) {
        List<NetlinkMessage> out = new ArrayList<>();
        int end = offset + length;
        for (int at = offset; at < end; ) {
            int len = checkedLength(b, at, end, offset);
            out.add(new NetlinkMessage(Bytes.u16(b, at + OFFSETOF_NLMSGHDR_NLMSG_TYPE),
                    Bytes.u16(b, at + OFFSETOF_NLMSGHDR_NLMSG_FLAGS), Bytes.i32(b, at + OFFSETOF_NLMSGHDR_NLMSG_SEQ),
                    Bytes.i32(b, at + OFFSETOF_NLMSGHDR_NLMSG_PID), Arrays.copyOfRange(b, at + HEADER_LENGTH, at + len)));
            at += Math.min(Bytes.align(len), end - at);
        }
        return out;
    }

    /** The whole of {@code b}: see {@link #parseAll(byte[], int, int)}. */
    public static List<NetlinkMessage> parseAll(byte[] b) {
        return parseAll(b, 0, b.length);
    }

    /** The checked nlmsg_len of the message at {@code at}; {@code start} is the datagram's start. */
    static int checkedLength(byte[] b, int at, int end, int start) {
        if (end - at < HEADER_LENGTH) {
            throw new MalformedNetlinkException("netlink header at offset " + (at - start) + " cut short: "
                    + (end - at) + " bytes left, need " + HEADER_LENGTH);
        }
        int len = Bytes.i32(b, at + OFFSETOF_NLMSGHDR_NLMSG_LEN);
        if (len < HEADER_LENGTH) {
            throw new MalformedNetlinkException("netlink message at offset " + (at - start) + ": nlmsg_len "
                    + Integer.toUnsignedString(len) + " is shorter than its " + HEADER_LENGTH + "-byte header");
        }
        if (len > end - at) {
            throw new MalformedNetlinkException("netlink message type " + Bytes.u16(b, at + OFFSETOF_NLMSGHDR_NLMSG_TYPE)
                    + " at offset " + (at - start) + ": nlmsg_len " + len + " runs past the data (" + (end - at) + " bytes left)");
        }
        return len;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkMessage m && m.type == type && m.flags == flags && m.sequence == sequence
                && m.pid == pid && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + flags) * 31 + sequence) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 32));
        return "nlmsg[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + Integer.toUnsignedString(sequence)
                + ", pid=" + Integer.toUnsignedString(pid) + ", " + payload.length + " bytes " + hex
                + (payload.length > 32 ? "..." : "") + "]";
    }
}
