package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.NLA_F_NESTED;
import static io.ffsock.netlink.NetlinkConst.NLA_F_NET_BYTEORDER;
import static io.ffsock.netlink.NetlinkConst.NLA_TYPE_MASK;
import static io.ffsock.netlink.NetlinkConst.SIZEOF_NLATTR;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One netlink attribute (struct nlattr / struct rtattr, netlink(7), rtnetlink(7)): a 16-bit
 * length, a type, and a value padded to 4 bytes. Attributes of any type are kept, known or not;
 * a nested attribute holds further attributes in its value ({@link #nested()}).
 *
 * @param type          the attribute type without the flag bits (IFLA_IFNAME, RTA_DST ...)
 * @param nestedFlag    NLA_F_NESTED was set (many kernels nest without setting it)
 * @param netByteOrder  NLA_F_NET_BYTEORDER was set
 * @param value         the value bytes, without header or padding
 */
public record NetlinkAttribute(int type, boolean nestedFlag, boolean netByteOrder, byte[] value) {
    /** The largest value an attribute can carry: nla_len is 16 bits and counts the header. */
    public static final int MAX_VALUE_LENGTH = 0xffff - SIZEOF_NLATTR;
    /** The largest type: 14 bits, the two above are NLA_F_NESTED and NLA_F_NET_BYTEORDER. */
    public static final int MAX_TYPE = NLA_TYPE_MASK & 0xffff;

    /** Checks the type fits in 14 bits and the value in nla_len; copies the value. */
    public NetlinkAttribute {
        if (type < 0 || type > MAX_TYPE) {
            throw new IllegalArgumentException("attribute type " + type + " is not in 0.." + MAX_TYPE);
        }
        if (value.length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("attribute value of " + value.length + " bytes exceeds " + MAX_VALUE_LENGTH);
        }
        value = value.clone();
    }

    /** An attribute holding {@code value} as it is. */
    public static NetlinkAttribute of(int type, byte[] value) {
        return new NetlinkAttribute(type, false, false, value);
    }

    /** A u32 (host order) attribute. */
    public static NetlinkAttribute ofInt(int type, int value) {
        byte[] b = new byte[4];
        Bytes.putI32(b, 0, value);
        return of(type, b);
    }

    /** A u16 (host order) attribute. */
    public static NetlinkAttribute ofShort(int type, int value) {
        byte[] b = new byte[2];
        Bytes.putU16(b, 0, value);
        return of(type, b);
    }

    /** A u8 attribute. */
    public static NetlinkAttribute ofByte(int type, int value) {
        return of(type, new byte[] {(byte) value});
    }

    /** A NUL-terminated string attribute (NLA_NUL_STRING, as IFLA_IFNAME wants). */
    public static NetlinkAttribute ofString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        return of(type, Arrays.copyOf(s, s.length + 1));
    }

    /** An address attribute: 4 or 16 bytes in network order. */
    public static NetlinkAttribute ofAddress(int type, InetAddress address) {
        return of(type, address.getAddress());
    }

    /** A nested attribute (NLA_F_NESTED set) holding {@code children}. */
    public static NetlinkAttribute ofNested(int type, List<NetlinkAttribute> children) {
        byte[] b = new byte[encodedLength(children)];
        int at = 0;
        for (NetlinkAttribute a : children) at = a.encodeTo(b, at);
        return new NetlinkAttribute(type, true, false, b);
    }

    /** The value bytes (a copy). */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value's length in bytes. */
    public int length() {
        return value.length;
    }

    /** The value as a u32 (host order). */
    public int asInt() {
        requireLength(4);
        return Bytes.i32(value, 0);
    }

    /** The value as a u16 (host order). */
    public int asShort() {
        requireLength(2);
        return Bytes.u16(value, 0);
    }

    /** The value as a u8. */
    public int asByte() {
        requireLength(1);
        return Bytes.u8(value, 0);
    }

    /** The value as a string, up to the first NUL. */
    public String asString() {
        return Bytes.cString(value, 0, value.length);
    }

    /** The value as an IPv4 (4 bytes) or IPv6 (16 bytes) address. */
    public InetAddress asAddress() {
        InetAddress a = Bytes.inet(value, 0, value.length);
        if (a == null) {
            throw new MalformedNetlinkException("attribute " + type + ": " + value.length + " bytes is not an IPv4 or IPv6 address");
        }
        return a;
    }

    /** The value parsed as attributes (nested attributes; IFLA_LINKINFO, RTA_METRICS ...). */
    public List<NetlinkAttribute> nested() {
        return parseAll(value, 0, value.length);
    }

    private void requireLength(int n) {
        if (value.length != n) {
            throw new MalformedNetlinkException("attribute " + type + ": " + value.length + " bytes, expected " + n);
        }
    }

    /** The bytes this attribute takes on the wire: header, value, padding to 4. */
    public int encodedLength() {
        return Bytes.align(SIZEOF_NLATTR + value.length);
    }

    /** The wire length of all of {@code attributes}. */
    public static int encodedLength(List<NetlinkAttribute> attributes) {
        int n = 0;
        for (NetlinkAttribute a : attributes) n += a.encodedLength();
        return n;
    }

    /** Writes header, value and zero padding at {@code at}; returns the offset after it. */
    public int encodeTo(byte[] b, int at) {
        Bytes.putU16(b, at, SIZEOF_NLATTR + value.length);
        Bytes.putU16(b, at + 2, type | (nestedFlag ? NLA_F_NESTED : 0) | (netByteOrder ? NLA_F_NET_BYTEORDER : 0));
        System.arraycopy(value, 0, b, at + SIZEOF_NLATTR, value.length);
        int end = at + encodedLength();
        Arrays.fill(b, at + SIZEOF_NLATTR + value.length, end, (byte) 0);
        return end;
    }

    /**
     * Parses the attributes in {@code length} bytes at {@code offset}. The last attribute's
     * padding may be missing (the kernel pads, but a message may end right after a value).
     *
     * @throws MalformedNetlinkException if an attribute's length is below its header's 4 bytes or
     *         runs past the range, or fewer than 4 bytes are left over at the end
     */
    public static List<NetlinkAttribute> parseAll(byte[] b, int offset, int length) {
        List<NetlinkAttribute> out = new ArrayList<>();
        int end = offset + length;
        for (int at = offset; at < end; ) {
            int len = checkedLength(b, at, end, offset);
            int raw = Bytes.u16(b, at + 2);
            out.add(new NetlinkAttribute(raw & NLA_TYPE_MASK, (raw & NLA_F_NESTED) != 0, (raw & NLA_F_NET_BYTEORDER) != 0,
                    Arrays.copyOfRange(b, at + SIZEOF_NLATTR, at + len)));
            at += Math.min(Bytes.align(len), end - at);
        }
        return out;
    }

    /**
     * The nla_len of the attribute at {@code at}, checked: at least the header, within
     * {@code end}. {@code start} is where the attribute list began, for the message.
     */
    static int checkedLength(byte[] b, int at, int end, int start) {
        if (end - at < SIZEOF_NLATTR) {
            throw new MalformedNetlinkException("attribute header at offset " + (at - start) + " cut short: "
                    + (end - at) + " bytes left, need " + SIZEOF_NLATTR);
        }
        int len = Bytes.u16(b, at);
        if (len < SIZEOF_NLATTR) {
            throw new MalformedNetlinkException("attribute at offset " + (at - start) + ": nla_len " + len
                    + " is shorter than its " + SIZEOF_NLATTR + "-byte header");
        }
        if (len > end - at) {
            throw new MalformedNetlinkException("attribute type " + (Bytes.u16(b, at + 2) & NLA_TYPE_MASK) + " at offset "
                    + (at - start) + ": nla_len " + len + " runs past the message (" + (end - at) + " bytes left)");
        }
        return len;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkAttribute a && a.type == type && a.nestedFlag == nestedFlag
                && a.netByteOrder == netByteOrder && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "attr[" + type + (nestedFlag ? ", nested" : "") + (netByteOrder ? ", net order" : "") + ", "
                + HexFormat.of().formatHex(value) + "]";
    }
}
