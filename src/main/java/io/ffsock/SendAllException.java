package io.ffsock;

/**
 * {@link Socket#sendAll} failed part-way: says how many bytes went out before the failing call.
 */
public final class SendAllException extends SyscallException {
    private static final long serialVersionUID = 1L;
    /** The bytes that went out before the failure. */
    private final long bytesSent;
    /** The bytes the call was asked to send. */
    private final long bytesTotal;

    SendAllException(SyscallError cause, String message, long bytesSent, long bytesTotal) {
        super(cause.call(), cause.errno(), message + " after " + bytesSent + " of " + bytesTotal + " bytes were sent");
        this.bytesSent = bytesSent;
        this.bytesTotal = bytesTotal;
        if (cause instanceof Throwable t) initCause(t);
    }

    SendAllException(SyscallException cause, long bytesSent, long bytesTotal) {
        this(cause, cause.getMessage(), bytesSent, bytesTotal);
    }

    /** The bytes sent before the failure. */
    public long bytesSent() {
        return bytesSent;
    }

    /** The bytes that were to be sent. */
    public long bytesTotal() {
        return bytesTotal;
    }
}
