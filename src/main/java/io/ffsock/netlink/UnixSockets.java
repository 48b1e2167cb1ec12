package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import java.io.IOException;
import java.util.List;

/**
 * Every AF_UNIX socket of the network namespace, through sock_diag(7) (NETLINK_SOCK_DIAG,
 * SOCK_DIAG_BY_FAMILY with struct unix_diag_req): what {@code ss -x -a} lists.
 */
public final class UnixSockets {
    private UnixSockets() {}

    private static final int SHOW = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;

    /**
     * Lists every UNIX socket in every state, compound: opens a NETLINK_SOCK_DIAG socket, one
     * dump (sendto(2), recv(2) until NLMSG_DONE), closes it.
     */
    public static List<UnixSocketInfo> list() throws IOException {
        try (NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.SOCK_DIAG)) {
            return list(s);
        }
    }

    /** Lists every UNIX socket through {@code socket}, a NETLINK_SOCK_DIAG socket, compound: one dump. */
    public static List<UnixSocketInfo> list(NetlinkSocket socket) throws IOException {
        byte[] req = new byte[SIZEOF_UNIX_DIAG_REQ];
        req[OFFSETOF_UNIX_DIAG_REQ_SDIAG_FAMILY] = 1; // AF_UNIX
        Bytes.putI32(req, OFFSETOF_UNIX_DIAG_REQ_UDIAG_STATES, -1); // every state
        Bytes.putI32(req, OFFSETOF_UNIX_DIAG_REQ_UDIAG_SHOW, SHOW);
        Bytes.putI32(req, OFFSETOF_UNIX_DIAG_REQ_UDIAG_COOKIE, -1); // INET_DIAG_NOCOOKIE: any socket
        Bytes.putI32(req, OFFSETOF_UNIX_DIAG_REQ_UDIAG_COOKIE + 4, -1);
        return socket.dump(NetlinkRequest.of(SOCK_DIAG_BY_FAMILY, 0, "SOCK_DIAG_BY_FAMILY(AF_UNIX) dump").struct(req),
                (b, at, len, type) -> type == SOCK_DIAG_BY_FAMILY ? decode(b, at, len) : null);
    }

    /** Decodes the unix_diag_msg message at {@code at}. */
    static UnixSocketInfo decode(byte[] b, int at, int length) {
        Structs.require(length, SIZEOF_UNIX_DIAG_MSG, "unix_diag_msg");
        int p = at + SIZEOF_NLMSGHDR;
        byte[] name = Structs.NO_BYTES;
        long peer = 0, rq = 0, wq = 0, uid = -1, vfs = 0;
        AttributeCursor c = new AttributeCursor(b, p + SIZEOF_UNIX_DIAG_MSG, at + length);
        while (c.next()) {
            switch (c.type()) {
                case UNIX_DIAG_NAME -> name = c.bytes();
                case UNIX_DIAG_PEER -> peer = Integer.toUnsignedLong(c.u32());
                case UNIX_DIAG_UID -> uid = Integer.toUnsignedLong(c.u32());
                case UNIX_DIAG_VFS -> vfs = Integer.toUnsignedLong(c.u32());
                case UNIX_DIAG_RQLEN -> {
                    if (c.length() < SIZEOF_UNIX_DIAG_RQLEN) {
                        throw new MalformedNetlinkException("UNIX_DIAG_RQLEN of " + c.length() + " bytes, need " + SIZEOF_UNIX_DIAG_RQLEN);
                    }
                    rq = Integer.toUnsignedLong(Bytes.i32(b, c.valueOffset() + OFFSETOF_UNIX_DIAG_RQLEN_UDIAG_RQUEUE));
                    wq = Integer.toUnsignedLong(Bytes.i32(b, c.valueOffset() + OFFSETOF_UNIX_DIAG_RQLEN_UDIAG_WQUEUE));
                }
                default -> { }
            }
        }
        return new UnixSocketInfo(Bytes.u8(b, p + OFFSETOF_UNIX_DIAG_MSG_UDIAG_TYPE), Bytes.u8(b, p + OFFSETOF_UNIX_DIAG_MSG_UDIAG_STATE),
                Integer.toUnsignedLong(Bytes.i32(b, p + OFFSETOF_UNIX_DIAG_MSG_UDIAG_INO)), name, peer, rq, wq, uid, vfs);
    }
}
