package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import java.util.Set;

/**
 * Flags of send(2), recv(2), sendmsg(2) and recvmsg(2). Pass them as an {@link java.util.EnumSet}
 * (keep the set if you send often: converting it allocates nothing).
 *
 * <p>MSG_NOSIGNAL is always added to sends by ffsock, so SIGPIPE never kills the process; a send to
 * a peer that has gone fails with EPIPE instead.
 */
public enum MsgFlag {
    /** MSG_OOB: out-of-band data (TCP urgent data). */
    OOB(MSG_OOB),
    /** MSG_PEEK: return data without removing it from the queue. */
    PEEK(MSG_PEEK),
    /** MSG_DONTROUTE: send only to directly connected hosts. */
    DONTROUTE(MSG_DONTROUTE),
    /** MSG_CTRUNC: reported by recvmsg when control data was cut short; not a request flag. */
    CTRUNC(MSG_CTRUNC),
    /** MSG_TRUNC on receive: return the real length of the datagram, even if longer than the buffer. */
    TRUNC(MSG_TRUNC),
    /** MSG_DONTWAIT: this one call does not block, whatever the socket's timeout. */
    DONTWAIT(MSG_DONTWAIT),
    /** MSG_EOR: end of record (SOCK_SEQPACKET). */
    EOR(MSG_EOR),
    /** MSG_WAITALL: on a stream, wait until the whole buffer is filled (or EOF, error, signal). */
    WAITALL(MSG_WAITALL),
    /** MSG_CONFIRM: tell the link layer the neighbour answered. */
    CONFIRM(MSG_CONFIRM),
    /** MSG_ERRQUEUE: receive from the socket's error queue (IP_RECVERR). */
    ERRQUEUE(MSG_ERRQUEUE),
    /** MSG_MORE: more data follows (TCP cork for one call, UDP: append to the pending datagram). */
    MORE(MSG_MORE);

    private final int bit;

    MsgFlag(int bit) {
        this.bit = bit;
    }

    /** The C flag value. */
    public int bit() {
        return bit;
    }

    static int bits(Set<MsgFlag> flags) {
        if (flags.isEmpty()) return 0; // the common case: no iterator, even when not inlined
        int b = 0;
        for (MsgFlag f : flags) b |= f.bit;
        return b;
    }
}
