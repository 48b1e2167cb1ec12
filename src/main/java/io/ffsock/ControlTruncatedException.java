package io.ffsock;

import java.net.SocketException;

/**
 * recvmsg(2) returned MSG_CTRUNC: control data the peer sent did not all arrive. The fds that did
 * arrive were closed before this was thrown, so none leak; the data bytes are in the buffers as
 * usual.
 *
 * <p>The kernel sets MSG_CTRUNC for two reasons, told apart by {@link #fdLimitReached()}: the
 * control buffer was too small, or it had room but the kernel could not install the fds in this
 * process's fd table (EMFILE: the table is full up to RLIMIT_NOFILE). In the second case the
 * kernel closed the fds it could not install, and the message names the soft limit.
 */
public final class ControlTruncatedException extends SocketException {
    private static final long serialVersionUID = 1L;
    /** The data bytes the call received. */
    private final long bytesReceived;
    /** How many received fds were closed because the message could not be handed over whole. */
    private final int fdsClosed;
    /** Whether fds were lost for lack of free fd numbers rather than of control space. */
    private final boolean fdLimitReached;

    ControlTruncatedException(String message, long bytesReceived, int fdsClosed) {
        this(message, bytesReceived, fdsClosed, false);
    }

    ControlTruncatedException(String message, long bytesReceived, int fdsClosed, boolean fdLimitReached) {
        super(message);
        this.bytesReceived = bytesReceived;
        this.fdsClosed = fdsClosed;
        this.fdLimitReached = fdLimitReached;
    }

    /**
     * The exception for a recvmsg ({@code call} names it and its socket) that set MSG_CTRUNC,
     * naming the cause: control space, or the fd limit.
     */
    static ControlTruncatedException of(String call, int controlSpace, long received, int closed, boolean fdLimit) {
        String head = call + ": ";
        if (fdLimit) {
            return new ControlTruncatedException(head + "fds lost (MSG_CTRUNC) although the control buffer of "
                    + controlSpace + " bytes had room for them: the kernel could not install them because this"
                    + " process's fd table is full (EMFILE" + Errors.fdLimit() + "); the kernel closed the ones"
                    + " it could not install, ffsock the " + closed + " that arrived. Close fds or raise the limit"
                    + " (ulimit -n, prlimit --nofile)", received, closed, true);
        }
        return new ControlTruncatedException(head + "control data truncated (MSG_CTRUNC) in a control buffer of "
                + controlSpace + " bytes; the " + closed + " fds that arrived were closed; " + Socket.DEFAULT_CONTROL_SPACE
                + " bytes hold the most a peer can send (253 fds, credentials and a pidfd)", received, closed, false);
    }

    /** The data bytes received with the truncated control data. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /**
     * How many received fds ffsock closed because the message could not be handed over whole
     * (those the kernel could not fit or install it closed itself, and does not count).
     */
    public int fdsClosed() {
        return fdsClosed;
    }

    /**
     * Whether the control buffer had room for the fds that were lost, so the kernel dropped them
     * because this process's fd table was full (EMFILE at RLIMIT_NOFILE; a security module refusing
     * an fd looks the same), not because the buffer was too small. A larger control buffer does
     * not help then; closing fds or raising the limit does.
     */
    public boolean fdLimitReached() {
        return fdLimitReached;
    }
}
