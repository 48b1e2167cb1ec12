package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.NLA_TYPE_MASK;
import static io.ffsock.netlink.NetlinkConst.SIZEOF_NLATTR;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * Walks the attributes in {@code b[start, end)} in place, for the typed decoders: no list, no
 * copies, only the values a decoder asks for. Each value accessor checks the value's length
 * first, so an attribute too short for its type is a {@link MalformedNetlinkException}, never
 * a read of the next attribute's bytes.
 */
final class AttributeCursor {
    private final byte[] b;
    private final int start;
    private final int end;
    private int next;
    private int type;
    private int value;
    private int length;

    AttributeCursor(byte[] b, int start, int end) {
        this.b = b;
        this.start = start;
        this.end = end;
        this.next = start;
    }

    /** Moves to the next attribute; false at the end. */
    boolean next() {
        if (next >= end) return false;
        int len = NetlinkAttribute.checkedLength(b, next, end, start);
        type = Bytes.u16(b, next + 2) & NLA_TYPE_MASK;
        value = next + SIZEOF_NLATTR;
        length = len - SIZEOF_NLATTR;
        next += Math.min(Bytes.align(len), end - next);
        return true;
    }

    int type() {
        return type;
    }

    /** Where the value starts in the array, and its length: for nested walks. */
    int valueOffset() {
        return value;
    }

    int length() {
        return length;
    }

    AttributeCursor nested() {
        return new AttributeCursor(b, value, value + length);
    }

    int u8() {
        require(1, "u8");
        return Bytes.u8(b, value);
    }

    int u16() {
        require(2, "u16");
        return Bytes.u16(b, value);
    }

    int u32() {
        require(4, "u32");
        return Bytes.i32(b, value);
    }

    String string() {
        return Bytes.cString(b, value, length);
    }

    byte[] bytes() {
        return Arrays.copyOfRange(b, value, value + length);
    }

    InetAddress address() {
        InetAddress a = Bytes.inet(b, value, length);
        if (a == null) {
            throw new MalformedNetlinkException("attribute type " + type + ": " + length + " bytes is not an IPv4 or IPv6 address");
        }
        return a;
    }

    private void require(int n, String what) {
        if (length < n) {
            throw new MalformedNetlinkException("attribute type " + type + ": " + length + " bytes, too short for a " + what);
        }
    }
}
