package io.ffsock;

import java.net.SocketException;

/**
 * recvmsg(2) returned MSG_CTRUNC: the control buffer was too small for the control data the
 * peer sent. The fds that did arrive were closed before this was thrown, so none leak; the data
 * bytes are in the buffers as usual.
 */
public final class ControlTruncatedException extends SocketException {
    private static final long serialVersionUID = 1L;
    /** The data bytes the call received. */
    private final long bytesReceived;
    /** How many received fds were closed because the control buffer was too small. */
    private final int fdsClosed;

    ControlTruncatedException(String message, long bytesReceived, int fdsClosed) {
        super(message);
        this.bytesReceived = bytesReceived;
        this.fdsClosed = fdsClosed;
    }

    /** The data bytes received with the truncated control data. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** How many received fds were closed because the message could not be handed over whole. */
    public int fdsClosed() {
        return fdsClosed;
    }
}
