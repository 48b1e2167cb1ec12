package io.ffsock;

import java.net.SocketException;

/**
 * A failed system call for which the JDK has no more specific exception type. The message names
 * the call, the address involved when there is one, the errno symbol and its text:
 * {@code sendto(/run/app.sock): EMSGSIZE (Message too long)}.
 */
public class SyscallException extends SocketException implements SyscallError {
    private static final long serialVersionUID = 1L;
    /** The failed call as the message names it, e.g. {@code connect(/run/app.sock)}. */
    private final String call;
    private final transient Errno errno;

    SyscallException(String call, Errno errno, String message) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    @Override
    public String call() {
        return call;
    }

    @Override
    public Errno errno() {
        return errno;
    }
}
