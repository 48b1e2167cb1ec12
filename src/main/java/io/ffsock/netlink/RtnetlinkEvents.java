package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * A stream of rtnetlink changes: a netlink socket joined to multicast groups
 * (NETLINK_ADD_MEMBERSHIP) that {@link #next(Duration)} reads one event at a time. Blocking in
 * {@code next} parks a virtual thread rather than its carrier. Events a full receive buffer could
 * not hold are lost and reported by the next call (ENOBUFS); the receive buffer starts at 1 MiB.
 * One reader at a time.
 */
public final class RtnetlinkEvents implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 1 << 20;

    private final NetlinkSocket socket;
    private int position;
    private int filled;

    private RtnetlinkEvents(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Opens a socket in the calling thread's network namespace and joins {@code groups}
     * (setsockopt NETLINK_ADD_MEMBERSHIP for each), compound.
     */
    public static RtnetlinkEvents open(RtnetlinkGroup... groups) throws IOException {
        if (groups.length == 0) throw new IllegalArgumentException("no group to listen to");
        NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.ROUTE);
        try {
            s.setReceiveBufferSize(RECEIVE_BUFFER);
            for (RtnetlinkGroup g : groups) s.joinGroup(Objects.requireNonNull(g, "group").number());
            return new RtnetlinkEvents(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The next event, waiting at most {@code timeout} (null: as long as it takes); null when the
     * time ran out. Messages of types this package has no record for are skipped.
     *
     * @throws MalformedNetlinkException if the kernel's message is malformed
     */
    public RtnetlinkEvent next(Duration timeout) throws IOException {
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        while (true) {
            byte[] b = socket.buffer();
            while (position < filled) {
                int at = position;
                int len = NetlinkMessage.checkedLength(b, at, filled, 0);
                position += Math.min(Bytes.align(len), filled - at);
                int type = Bytes.u16(b, at + OFFSETOF_NLMSGHDR_NLMSG_TYPE);
                RtnetlinkObject o = Rtnetlink.decode(b, at, len, type);
                if (o != null) {
                    return new RtnetlinkEvent(type == RTM_DELLINK || type == RTM_DELADDR || type == RTM_DELROUTE
                            || type == RTM_DELNEIGH, o);
                }
            }
            Duration left = null;
            if (timeout != null) {
                long nanos = deadline - System.nanoTime();
                if (nanos <= 0) return null;
                left = Duration.ofNanos(nanos);
            }
            position = 0;
            filled = 0;
            int n = socket.receiveWithin(left, "recv(rtnetlink events)");
            if (n < 0) return null;
            filled = n;
        }
    }

    /** The socket underneath. */
    public NetlinkSocket socket() {
        return socket;
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        socket.close();
    }
}
