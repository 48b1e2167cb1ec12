package io.ffsock.internal.sys;

import java.util.Arrays;

/**
 * A socket address as the kernel sees it: the bytes of a {@code struct sockaddr_*} and the length
 * passed with it. Immutable; built by the factories here from plain values, or read back from the
 * kernel by {@link Syscalls}.
 *
 * <p>This is the only place that knows how the sockaddr structs are laid out in bytes, so the
 * public address types above this layer never do.
 */
public final class SockAddr {
    /** How an AF_UNIX address names its socket, unix(7). */
    public enum UnixKind { PATH, ABSTRACT, UNNAMED }

    private static final int FAMILY_SIZE = 2;
    private static final long SUN_PATH = Structs.SOCKADDR_UN.byteOffset(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("sun_path"));

    final byte[] bytes;
    /** Final in spirit: only a thread's reusable send target ({@link #reusable()}) is rewritten. */
    int length;

    SockAddr(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** An AF_INET address: {@code ip} is 4 bytes in network order, {@code port} 0..65535. */
    public static SockAddr inet(byte[] ip, int port) {
        byte[] b = new byte[(int) Structs.SOCKADDR_IN.byteSize()];
        putFamily(b, Const.AF_INET);
        putPort(b, port);
        System.arraycopy(ip, 0, b, 4, 4);
        return new SockAddr(b, b.length);
    }

    /** An AF_INET6 address: {@code ip} is 16 bytes in network order. */
    public static SockAddr inet6(byte[] ip, int port, int flowInfo, int scopeId) {
        byte[] b = new byte[(int) Structs.SOCKADDR_IN6.byteSize()];
        putFamily(b, Const.AF_INET6);
        putPort(b, port);
        putIntBigEndian(b, 4, flowInfo);
        System.arraycopy(ip, 0, b, 8, 16);
        putIntNative(b, 24, scopeId);
        return new SockAddr(b, b.length);
    }

    /**
     * An AF_UNIX pathname address; {@code path} holds no NUL and at most 107 bytes (the caller
     * checks). The length passed includes the terminating NUL, as unix(7) recommends.
     */
    public static SockAddr unixPath(byte[] path) {
        byte[] b = new byte[(int) Structs.SOCKADDR_UN.byteSize()];
        putFamily(b, Const.AF_UNIX);
        System.arraycopy(path, 0, b, (int) SUN_PATH, path.length);
        return new SockAddr(b, (int) SUN_PATH + path.length + 1);
    }

    /** A Linux abstract AF_UNIX address: a NUL, then the name; the length is exact (no NUL after). */
    public static SockAddr unixAbstract(byte[] name) {
        byte[] b = new byte[(int) Structs.SOCKADDR_UN.byteSize()];
        putFamily(b, Const.AF_UNIX);
        System.arraycopy(name, 0, b, (int) SUN_PATH + 1, name.length);
        return new SockAddr(b, (int) SUN_PATH + 1 + name.length);
    }

    /** The unnamed AF_UNIX address: only the family. Bound, it asks the kernel to autobind. */
    public static SockAddr unixUnnamed() {
        byte[] b = new byte[(int) Structs.SOCKADDR_UN.byteSize()];
        putFamily(b, Const.AF_UNIX);
        return new SockAddr(b, FAMILY_SIZE);
    }

    /**
     * An AF_PACKET address, packet(7): {@code ethertype} in host order (ETH_P_IP ...; stored in
     * network order as sll_protocol wants), {@code ifindex} the interface (0: any).
     */
    public static SockAddr packet(int ethertype, int ifindex) {
        byte[] b = new byte[(int) Structs.SOCKADDR_LL.byteSize()];
        putFamily(b, Const.AF_PACKET);
        b[2] = (byte) (ethertype >>> 8);
        b[3] = (byte) ethertype;
        putIntNative(b, 4, ifindex);
        return new SockAddr(b, b.length);
    }

    /** AF_PACKET: the ethertype, host order. */
    public int packetProtocol() {
        return (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    /** AF_PACKET: the interface index. */
    public int packetIfindex() {
        return (bytes[4] & 0xff) | (bytes[5] & 0xff) << 8 | (bytes[6] & 0xff) << 16 | (bytes[7] & 0xff) << 24;
    }

    /** AF_PACKET: the packet type (PACKET_HOST, PACKET_MULTICAST, PACKET_OUTGOING ...). */
    public int packetType() {
        return bytes[10] & 0xff;
    }

    /** AF_PACKET: the link-level address (sll_halen bytes of sll_addr). */
    public byte[] packetHardwareAddress() {
        int n = Math.min(bytes[11] & 0xff, 8);
        return Arrays.copyOfRange(bytes, 12, 12 + n);
    }

    /**
     * An AF_NETLINK address, netlink(7): {@code pid} the port id (0: the kernel, or let the
     * kernel choose on bind), {@code groups} the bitmask of multicast groups 1..32.
     */
    public static SockAddr netlink(int pid, int groups) {
        byte[] b = new byte[(int) Structs.SOCKADDR_NL.byteSize()];
        putFamily(b, Const.AF_NETLINK);
        putIntNative(b, 4, pid);
        putIntNative(b, 8, groups);
        return new SockAddr(b, b.length);
    }

    /** AF_NETLINK: nl_pid, the port id. */
    public int netlinkPid() {
        return intNative(4);
    }

    /** AF_NETLINK: nl_groups, the multicast groups bitmask. */
    public int netlinkGroups() {
        return intNative(8);
    }

    private int intNative(int at) {
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | (bytes[at + 3] & 0xff) << 24;
    }

    /** The largest pathname (bytes, without the NUL) that fits sun_path. */
    public static int maxUnixPathBytes() {
        return Const.UNIX_PATH_MAX - 1;
    }

    /** The largest abstract name (bytes, without the leading NUL) that fits sun_path. */
    public static int maxUnixAbstractBytes() {
        return Const.UNIX_PATH_MAX - 1;
    }

    /** The address family (AF_*), or AF_UNSPEC when the kernel returned no address. */
    public int family() {
        if (length < FAMILY_SIZE) return Const.AF_UNSPEC;
        return (bytes[0] & 0xff) | (bytes[1] & 0xff) << 8; // sa_family_t is host order; LE on x86_64/aarch64
    }

    /** The length of the address, as passed to or returned by the kernel. */
    public int length() {
        return length;
    }

    /** AF_INET/AF_INET6: the port. */
    public int port() {
        return (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    /** AF_INET: 4 bytes; AF_INET6: 16 bytes; network order. */
    public byte[] ip() {
        return family() == Const.AF_INET ? Arrays.copyOfRange(bytes, 4, 8) : Arrays.copyOfRange(bytes, 8, 24);
    }

    /** AF_INET6: sin6_scope_id. */
    public int scopeId() {
        return (bytes[24] & 0xff) | (bytes[25] & 0xff) << 8 | (bytes[26] & 0xff) << 16 | (bytes[27] & 0xff) << 24;
    }

    /** AF_INET6: sin6_flowinfo. */
    public int flowInfo() {
        return (bytes[4] & 0xff) << 24 | (bytes[5] & 0xff) << 16 | (bytes[6] & 0xff) << 8 | (bytes[7] & 0xff);
    }

    /** AF_UNIX: which kind of name this is. */
    public UnixKind unixKind() {
        if (length <= SUN_PATH) return UnixKind.UNNAMED;
        return bytes[(int) SUN_PATH] == 0 ? UnixKind.ABSTRACT : UnixKind.PATH;
    }

    /** AF_UNIX: the path (up to the first NUL) or the abstract name (after the leading NUL). */
    public byte[] unixName() {
        int start = (int) SUN_PATH;
        return switch (unixKind()) {
            case UNNAMED -> new byte[0];
            case ABSTRACT -> Arrays.copyOfRange(bytes, start + 1, length);
            case PATH -> {
                int end = start;
                while (end < length && bytes[end] != 0) end++;
                yield Arrays.copyOfRange(bytes, start, end);
            }
        };
    }

    /** Whether this is the same address as the given bytes of a sockaddr of that length. */
    boolean sameAs(byte[] other, int otherLength) {
        return otherLength == length && Arrays.equals(bytes, 0, length, other, 0, length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SockAddr s && s.sameAs(bytes, length);
    }

    @Override
    public int hashCode() {
        int h = length;
        for (int i = 0; i < length; i++) h = 31 * h + bytes[i];
        return h;
    }

    @Override
    public String toString() {
        return "SockAddr[family=" + family() + ", length=" + length + "]";
    }

    /**
     * Reads an AF_INET or AF_INET6 address of {@code length} bytes at {@code at} in native memory:
     * its IP address into {@code ip} (4 or 16 bytes) without allocating. Returns its family, or
     * AF_UNSPEC for another family or a length too short for the family it names.
     */
    static int readInet(java.lang.foreign.MemorySegment m, long at, long length, byte[] ip) {
        if (length < FAMILY_SIZE) return Const.AF_UNSPEC;
        int family = m.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, at) & 0xffff;
        if (family == Const.AF_INET && length >= 8) {
            java.lang.foreign.MemorySegment.copy(m, java.lang.foreign.ValueLayout.JAVA_BYTE, at + 4, ip, 0, 4);
            return family;
        }
        if (family == Const.AF_INET6 && length >= 24) {
            java.lang.foreign.MemorySegment.copy(m, java.lang.foreign.ValueLayout.JAVA_BYTE, at + 8, ip, 0, 16);
            return family;
        }
        return Const.AF_UNSPEC;
    }

    /**
     * An address one thread rewrites for every send to a changing IP target ({@link #setInet},
     * {@link #setInet6}), so such sends allocate nothing. Never cached or handed out: the send
     * copies its bytes at once.
     */
    static SockAddr reusable() {
        return new SockAddr(new byte[(int) Structs.SOCKADDR_STORAGE.byteSize()], 0);
    }

    /** Rewrites this reusable address as a sockaddr_in for {@code ip} (first octet highest) and {@code port}. */
    SockAddr setInet(int ip, int port) {
        Arrays.fill(bytes, 0, 16, (byte) 0);
        putFamily(bytes, Const.AF_INET);
        putPort(bytes, port);
        putIntBigEndian(bytes, 4, ip);
        length = 16;
        return this;
    }

    /** Rewrites this reusable address as a sockaddr_in6 for the address {@code high}:{@code low}, as {@link #setInet}. */
    SockAddr setInet6(long high, long low, int port, int scopeId) {
        Arrays.fill(bytes, 0, 28, (byte) 0);
        putFamily(bytes, Const.AF_INET6);
        putPort(bytes, port);
        putIntBigEndian(bytes, 8, (int) (high >>> 32));
        putIntBigEndian(bytes, 12, (int) high);
        putIntBigEndian(bytes, 16, (int) (low >>> 32));
        putIntBigEndian(bytes, 20, (int) low);
        putIntNative(bytes, 24, scopeId);
        length = 28;
        return this;
    }

    private static void putFamily(byte[] b, int family) {
        b[0] = (byte) family;
        b[1] = (byte) (family >>> 8);
    }

    private static void putPort(byte[] b, int port) {
        b[2] = (byte) (port >>> 8);
        b[3] = (byte) port;
    }

    private static void putIntBigEndian(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void putIntNative(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
