package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.MsgFlag;
import io.ffsock.NetlinkAddress;
import io.ffsock.Protocol;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * An AF_NETLINK socket that speaks request and reply, netlink(7): it numbers each request,
 * collects the kernel's answer (an ack, one reply, or the parts of a dump up to NLMSG_DONE) and
 * turns NLMSG_ERROR into a {@link NetlinkException} with the kernel's errno and extended-ack
 * text. Opened with NETLINK_EXT_ACK on, bound to a port id the kernel chooses.
 *
 * <p>The request methods ({@link #execute}, {@link #dump}) are compound: one sendto(2), then
 * recv(2) until the answer is complete. One thread at a time; blocking waits park a virtual
 * thread instead of holding its carrier (ffsock's {@link Socket} waits that way).
 */
public final class NetlinkSocket implements AutoCloseable {
    /**
     * Loaded with this class, as io.ffsock loads its own error path: at EMFILE a class cannot be
     * loaded from a directory, and the error would become a NoClassDefFoundError.
     */
    private static final Class<?>[] ERROR_PATH = {NetlinkException.class, MalformedNetlinkException.class};
    /** NETLINK_ROUTE: rtnetlink(7), links, addresses, routes, neighbours. */
    public static final int ROUTE = 0;
    /** NETLINK_SOCK_DIAG: sock_diag(7), socket monitoring. */
    public static final int SOCK_DIAG = 4;

    /** How often a dump marked NLM_F_DUMP_INTR is retried before it is reported. */
    static final int DUMP_ATTEMPTS = 5;
    private static final Set<MsgFlag> TRUNC = Set.of(MsgFlag.TRUNC);
    /** Dump parts are at most about 32 KiB (the kernel sizes them after the largest buffer seen, capped there). */
    private static final int INITIAL_BUFFER = 64 * 1024;

    private final Socket socket;
    private final int protocol;
    private final int portId;
    private int sequence;
    private byte[] buffer = new byte[INITIAL_BUFFER];

    private NetlinkSocket(Socket socket, int protocol, int portId) {
        this.socket = socket;
        this.protocol = protocol;
        this.portId = portId;
        // Start from a value unlikely to match stale replies of another socket that had this port id.
        this.sequence = (int) (System.nanoTime() & 0x7fffffff);
    }

    /**
     * Opens a netlink socket for {@code protocol} ({@link #ROUTE}, {@link #SOCK_DIAG} ...):
     * socket(2) with SOCK_RAW | SOCK_CLOEXEC, NETLINK_EXT_ACK on (and, for ROUTE,
     * NETLINK_GET_STRICT_CHK, so dump requests are checked), bind(2) to a kernel-chosen port id.
     */
    public static NetlinkSocket open(int protocol) throws IOException {
        Socket s = Socket.open(Family.NETLINK, SocketType.RAW, new Protocol(protocol));
        try {
            s.setOption(LinuxSocketOptions.NETLINK_EXT_ACK, true);
            if (protocol == ROUTE) s.setOption(LinuxSocketOptions.NETLINK_GET_STRICT_CHK, true);
            s.bind(NetlinkAddress.autobind());
            int pid = ((NetlinkAddress) s.localAddress()).pid();
            return new NetlinkSocket(s, protocol, pid);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The underlying socket: options (SO_RCVBUF ...), timeout, multicast groups. */
    public Socket socket() {
        return socket;
    }

    /** The netlink protocol this socket speaks. */
    public int protocol() {
        return protocol;
    }

    /** The port id the kernel gave this socket (nl_pid of its address). */
    public int portId() {
        return portId;
    }

    /** Joins multicast group {@code group} (RTNLGRP_LINK ...), setsockopt(NETLINK_ADD_MEMBERSHIP). */
    public void joinGroup(int group) throws IOException {
        socket.setOption(LinuxSocketOptions.NETLINK_ADD_MEMBERSHIP, group);
    }

    /** Leaves multicast group {@code group}, setsockopt(NETLINK_DROP_MEMBERSHIP). */
    public void leaveGroup(int group) throws IOException {
        socket.setOption(LinuxSocketOptions.NETLINK_DROP_MEMBERSHIP, group);
    }

    /**
     * Sets SO_RCVBUF, socket(7): the room for messages not yet received. Event listeners want it
     * large (a burst of changes past it is lost: the next receive fails with ENOBUFS).
     */
    public void setReceiveBufferSize(int bytes) throws IOException {
        socket.setOption(java.net.StandardSocketOptions.SO_RCVBUF, bytes);
    }

    /**
     * Sends {@code request} and waits for the kernel's ack (NLM_F_ACK), compound: sendto(2) then
     * recv(2) until the ack.
     *
     * @throws NetlinkException if the kernel refuses it (errno and extended-ack text in the message)
     */
    public void execute(NetlinkRequest request) throws IOException {
        exchange(request, NLM_F_ACK, false, (b, at, len, type) -> null);
    }

    /**
     * Sends {@code request} with NLM_F_DUMP and returns every message of the dump up to
     * NLMSG_DONE, compound. A dump marked NLM_F_DUMP_INTR (the table changed while it was read)
     * is repeated, {@value #DUMP_ATTEMPTS} times at most, then reported.
     *
     * @throws NetlinkException if the kernel refuses the request or the dump was interrupted every time
     */
    public List<NetlinkMessage> dump(NetlinkRequest request) throws IOException {
        return dump(request, NetlinkSocket::copy);
    }

    /**
     * Sends {@code request} (no NLM_F_DUMP) and returns the single reply, compound: RTM_GETROUTE
     * for one destination, RTM_GETLINK for one name.
     */
    public NetlinkMessage request(NetlinkRequest request) throws IOException {
        return requestOne(request, NetlinkSocket::copy);
    }

    private static NetlinkMessage copy(byte[] b, int at, int len, int type) {
        return new NetlinkMessage(type, Bytes.u16(b, at + OFFSETOF_NLMSGHDR_NLMSG_FLAGS),
                Bytes.i32(b, at + OFFSETOF_NLMSGHDR_NLMSG_SEQ), Bytes.i32(b, at + OFFSETOF_NLMSGHDR_NLMSG_PID),
                Arrays.copyOfRange(b, at + SIZEOF_NLMSGHDR, at + len));
    }

    <T> List<T> dump(NetlinkRequest request, Replies.Decoder<T> decoder) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Replies<T> r = exchange(request, NLM_F_DUMP, true, decoder);
            if (!r.interrupted()) return r.values();
            if (attempt == DUMP_ATTEMPTS) {
                throw new NetlinkException(request.description(), new io.ffsock.Errno(4), "", -1,
                        "the dump was interrupted (NLM_F_DUMP_INTR: the table changed while it was read) "
                                + DUMP_ATTEMPTS + " times in a row");
            }
        }
    }

    <T> T requestOne(NetlinkRequest request, Replies.Decoder<T> decoder) throws IOException {
        List<T> v = exchange(request, 0, false, decoder).values();
        if (v.isEmpty()) throw new IOException(request.description() + ": the kernel sent no reply");
        return v.get(0);
    }

    private <T> Replies<T> exchange(NetlinkRequest request, int extraFlags, boolean dump, Replies.Decoder<T> decoder)
            throws IOException {
        int seq = ++sequence;
        byte[] message = request.encode(extraFlags, seq, portId);
        socket.sendTo(message, 0, message.length, NetlinkAddress.kernel());
        Replies<T> replies = new Replies<>(request, seq, dump, decoder);
        while (!replies.feed(buffer, receive(request.description()))) {
            // more parts to come
        }
        return replies;
    }

    /**
     * Receives one datagram into the reusable buffer; returns its length. A datagram longer than
     * the buffer is lost (netlink drops the rest): the buffer grows for the next time and the
     * call fails, rather than hand on a cut message.
     */
    private int receive(String call) throws IOException {
        int n;
        try {
            n = socket.recv(buffer, 0, buffer.length, TRUNC);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (e instanceof SyscallError s && s.errno().value() == 105) { // ENOBUFS
                throw new IOException(call + ": the socket's receive buffer overflowed and messages were lost"
                        + " (ENOBUFS); raise SO_RCVBUF", e);
            }
            throw e;
        }
        if (n > buffer.length) {
            buffer = new byte[Integer.highestOneBit(n) << 1];
            throw new IOException(call + ": a " + n + "-byte netlink datagram did not fit the receive buffer and was lost;"
                    + " the buffer is now " + buffer.length + " bytes, repeat the request");
        }
        return n;
    }

    /**
     * Receives the next datagram and returns its messages, recv(2) (for multicast listeners).
     * With {@code timeout}, waits at most that long and returns an empty list.
     */
    public List<NetlinkMessage> receive(Duration timeout) throws IOException {
        Replies.Decoder<NetlinkMessage> d = NetlinkSocket::copy;
        int n = receiveWithin(timeout, "recv");
        if (n < 0) return List.of();
        List<NetlinkMessage> out = new java.util.ArrayList<>();
        for (int at = 0; at < n; ) {
            int len = NetlinkMessage.checkedLength(buffer, at, n, 0);
            out.add(d.decode(buffer, at, len, Bytes.u16(buffer, at + OFFSETOF_NLMSGHDR_NLMSG_TYPE)));
            at += Math.min(Bytes.align(len), n - at);
        }
        return out;
    }

    /** Receives one datagram, waiting at most {@code timeout} (null: no limit); -1 on timeout. */
    int receiveWithin(Duration timeout, String call) throws IOException {
        socket.setTimeout(timeout);
        try {
            return receive(call);
        } catch (SocketTimeoutException e) {
            return -1;
        } finally {
            socket.setTimeout(null);
        }
    }

    /** The receive buffer holding the last datagram {@link #receiveWithin} returned. */
    byte[] buffer() {
        return buffer;
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "NetlinkSocket[protocol=" + protocol + ", pid=" + Integer.toUnsignedString(portId) + "]";
    }
}
