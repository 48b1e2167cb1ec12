package io.ffsock.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Byte-level helpers of the codec. Netlink headers and attribute values are in host byte order,
 * which is little-endian on every platform ffsock runs on (x86_64, aarch64); addresses are in
 * network order, as the JDK's {@code InetAddress.getAddress()} gives them.
 */
final class Bytes {
    private Bytes() {}

    static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    static int i32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    static void putU16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }

    static void putI32(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    /** NLMSG_ALIGN / NLA_ALIGN: rounds up to a multiple of 4. */
    static int align(int n) {
        return (n + NetlinkConst.NLMSG_ALIGNTO - 1) & ~(NetlinkConst.NLMSG_ALIGNTO - 1);
    }

    /** The 4 or 16 bytes at {@code i} as an address; null for any other length. */
    static InetAddress inet(byte[] b, int i, int length) {
        try {
            if (length == 4) return InetAddress.getByAddress(Arrays.copyOfRange(b, i, i + 4));
            // Inet6Address.getByAddress keeps a v4-mapped address as IPv6, as the kernel means it.
            if (length == 16) return Inet6Address.getByAddress(null, Arrays.copyOfRange(b, i, i + 16), -1);
            return null;
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only a wrong length fails, and both are right
        }
    }

    /** AF_INET or AF_INET6 for the address. */
    static int family(InetAddress a) {
        return a instanceof Inet4Address ? 2 : 10;
    }

    /** A NUL-terminated string value (interface names, labels): up to the first NUL. */
    static String cString(byte[] b, int i, int length) {
        int end = i;
        while (end < i + length && b[end] != 0) end++;
        return new String(b, i, end - i, java.nio.charset.StandardCharsets.UTF_8);
    }
}
