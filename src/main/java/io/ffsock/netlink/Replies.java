package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import io.ffsock.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * The replies to one request, gathered from the datagrams the socket receives: messages of
 * other sequence numbers are skipped (late answers to an earlier request); NLMSG_ERROR with an
 * error becomes a {@link NetlinkException}; a dump ends at NLMSG_DONE, a plain request at its
 * ack or at its single reply; NLM_F_DUMP_INTR on any part marks the dump inconsistent.
 *
 * <p>Pure byte code, no socket: the receive loop of {@link NetlinkSocket} hands every datagram
 * to {@link #feed}, and the tests feed literal bytes.
 */
final class Replies<T> {
    /** Turns the message at {@code at} (its header included) into a value, or null to skip it. */
    interface Decoder<T> {
        T decode(byte[] b, int at, int length, int type);
    }

    private final NetlinkRequest request;
    private final int sequence;
    private final boolean dump;
    private final Decoder<T> decoder;
    private final List<T> values = new ArrayList<>();
    private boolean done;
    private boolean interrupted;

    Replies(NetlinkRequest request, int sequence, boolean dump, Decoder<T> decoder) {
        this.request = request;
        this.sequence = sequence;
        this.dump = dump;
        this.decoder = decoder;
    }

    /**
     * Takes one datagram of {@code length} bytes; returns true once the reply is complete.
     *
     * @throws NetlinkException          if the kernel answered with an error
     * @throws MalformedNetlinkException if the datagram is malformed
     */
    boolean feed(byte[] b, int length) throws NetlinkException {
        for (int at = 0; at < length && !done; ) {
            int len = NetlinkMessage.checkedLength(b, at, length, 0);
            int type = Bytes.u16(b, at + OFFSETOF_NLMSGHDR_NLMSG_TYPE);
            int flags = Bytes.u16(b, at + OFFSETOF_NLMSGHDR_NLMSG_FLAGS);
            if (Bytes.i32(b, at + OFFSETOF_NLMSGHDR_NLMSG_SEQ) == sequence) take(b, at, len, type, flags);
            at += Math.min(Bytes.align(len), length - at);
        }
        return done;
    }

    private void take(byte[] b, int at, int len, int type, int flags) throws NetlinkException {
        if ((flags & NLM_F_DUMP_INTR) != 0) interrupted = true;
        int payload = at + SIZEOF_NLMSGHDR;
        if (type == NLMSG_ERROR) {
            NetlinkAck ack = NetlinkAck.parse(b, payload, len - SIZEOF_NLMSGHDR, flags);
            if (ack.error() != 0) throw error(request, -ack.error(), ack.message(), ack.offset());
            done = true;
        } else if (type == NLMSG_DONE) {
            // NLMSG_DONE carries an int: a negative errno when the dump itself failed.
            int error = len - SIZEOF_NLMSGHDR >= 4 ? Bytes.i32(b, payload) : 0;
            if (error < 0) {
                NetlinkAck tlvs = (flags & NLM_F_ACK_TLVS) != 0 && len - SIZEOF_NLMSGHDR >= 4
                        ? NetlinkAck.withTlvs(error, 0, 0, b, payload + 4, at + len) : null;
                throw error(request, -error, tlvs == null ? "" : tlvs.message(), tlvs == null ? -1 : tlvs.offset());
            }
            done = true;
        } else if (type == NLMSG_NOOP || type == NLMSG_OVERRUN) {
            // nothing to take
        } else {
            T v = decoder.decode(b, at, len, type);
            if (v != null) values.add(v);
            if (!dump && (flags & NLM_F_MULTI) == 0) done = true;
        }
    }

    static NetlinkException error(NetlinkRequest request, int errno, String kernelMessage, int offset) {
        return new NetlinkException(request.description(), new Errno(errno), kernelMessage, offset, hint(errno));
    }

    private static String hint(int errno) {
        return errno == 1 ? "changing the network needs CAP_NET_ADMIN in the namespace's user namespace" : "";
    }

    /** Whether any part carried NLM_F_DUMP_INTR: the dump saw a change and may be inconsistent. */
    boolean interrupted() {
        return interrupted;
    }

    boolean done() {
        return done;
    }

    List<T> values() {
        return values;
    }
}
