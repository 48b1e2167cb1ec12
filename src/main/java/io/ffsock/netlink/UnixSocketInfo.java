package io.ffsock.netlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One AF_UNIX socket as sock_diag(7) describes it (struct unix_diag_msg and its UNIX_DIAG_*
 * attributes): what {@code ss -x} shows.
 *
 * @param type         SOCK_STREAM (1), SOCK_DGRAM (2) or SOCK_SEQPACKET (5)
 * @param state        the kernel's state, TCP_* numbers: 1 connected, 10 listening, 7 unconnected ({@link #stateName()})
 * @param inode        udiag_ino, the socket's inode (the N of {@code socket:[N]} in /proc/PID/fd)
 * @param rawName      UNIX_DIAG_NAME: the sun_path bytes as bound (an abstract name starts with NUL); empty if unbound
 * @param peerInode    UNIX_DIAG_PEER: the inode of the connected peer, 0 if none
 * @param receiveQueue UNIX_DIAG_RQLEN udiag_rqueue: bytes queued to read, or for a listener the connections waiting
 * @param sendQueue    UNIX_DIAG_RQLEN udiag_wqueue: bytes queued to send, or for a listener its backlog
 * @param uid          UNIX_DIAG_UID (Linux 5.3+): the owner, or -1 when the kernel did not give it
 * @param vfsInode     UNIX_DIAG_VFS: the inode of the socket file of a pathname socket, 0 otherwise
 */
public record UnixSocketInfo(int type, int state, long inode, byte[] rawName, long peerInode, long receiveQueue,
        long sendQueue, long uid, long vfsInode) {

    /** Copies the name. */
    public UnixSocketInfo {
        rawName = rawName.clone();
    }

    /** The bound name bytes (a copy). */
    @Override
    public byte[] rawName() {
        return rawName.clone();
    }

    /** Whether the socket is bound to an abstract name (Linux). */
    public boolean isAbstract() {
        return rawName.length > 0 && rawName[0] == 0;
    }

    /** The name as {@code ss} prints it: the path, {@code @name} for an abstract name, {@code *} when unbound. */
    public String name() {
        if (rawName.length == 0) return "*";
        if (isAbstract()) return "@" + new String(rawName, 1, rawName.length - 1, StandardCharsets.UTF_8);
        int end = 0;
        while (end < rawName.length && rawName[end] != 0) end++;
        return new String(rawName, 0, end, StandardCharsets.UTF_8);
    }

    /** The type as {@code ss} abbreviates it: u_str, u_dgr, u_seq. */
    public String netid() {
        return switch (type) {
            case 1 -> "u_str";
            case 2 -> "u_dgr";
            case 5 -> "u_seq";
            default -> "u_" + type;
        };
    }

    /** The state as {@code ss} prints it: ESTAB, LISTEN, UNCONN, SYN-SENT ... */
    public String stateName() {
        return switch (state) {
            case NetlinkConst.TCP_ESTABLISHED -> "ESTAB";
            case NetlinkConst.TCP_LISTEN -> "LISTEN";
            case NetlinkConst.TCP_CLOSE -> "UNCONN";
            case NetlinkConst.TCP_SYN_SENT -> "SYN-SENT";
            default -> Integer.toString(state);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixSocketInfo u && u.type == type && u.state == state && u.inode == inode
                && Arrays.equals(u.rawName, rawName) && u.peerInode == peerInode && u.receiveQueue == receiveQueue
                && u.sendQueue == sendQueue && u.uid == uid && u.vfsInode == vfsInode;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(inode);
    }

    @Override
    public String toString() {
        return netid() + " " + stateName() + " " + receiveQueue + " " + sendQueue + " " + name() + " " + inode
                + " peer " + peerInode + (uid < 0 ? "" : " uid " + uid);
    }
}
