package io.ffsock;

import java.net.SocketAddress;

/**
 * An AF_NETLINK address, netlink(7), struct sockaddr_nl: a port id and a bitmask of multicast
 * groups. Bind with {@link #of(int, int)} ({@link #autobind()} lets the kernel pick the port id);
 * send to {@link #kernel()}; a received message's address says which port sent it (0: the
 * kernel) and to which groups.
 */
public final class NetlinkAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;
    private static final NetlinkAddress KERNEL = new NetlinkAddress(0, 0);

    private final int pid;
    private final int groups;

    NetlinkAddress(int pid, int groups) {
        this.pid = pid;
        this.groups = groups;
    }

    /**
     * nl_pid {@code pid} (unsigned 32 bits; on bind 0 asks the kernel to choose) and nl_groups
     * {@code groups}: multicast groups 1..32 as bits 0..31. Groups above 32 are joined with
     * {@link LinuxSocketOptions#NETLINK_ADD_MEMBERSHIP}.
     */
    public static NetlinkAddress of(int pid, int groups) {
        return pid == 0 && groups == 0 ? KERNEL : new NetlinkAddress(pid, groups);
    }

    /** The kernel (pid 0, no groups): where requests are sent. */
    public static NetlinkAddress kernel() {
        return KERNEL;
    }

    /** pid 0, no groups: bound, it lets the kernel assign a unique port id. */
    public static NetlinkAddress autobind() {
        return KERNEL;
    }

    /** nl_pid: the port id, unsigned ({@link Integer#toUnsignedLong}); 0 is the kernel. */
    public int pid() {
        return pid;
    }

    /** nl_groups: the multicast groups bitmask (group n is bit n - 1). */
    public int groups() {
        return groups;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkAddress n && n.pid == pid && n.groups == groups;
    }

    @Override
    public int hashCode() {
        return pid * 31 + groups;
    }

    @Override
    public String toString() {
        return "netlink[pid=" + Integer.toUnsignedString(pid) + ", groups=0x" + Integer.toHexString(groups) + "]";
    }
}
