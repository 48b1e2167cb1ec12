package io.ffsock;

/**
 * Implemented by every exception ffsock throws because a system call failed, whatever JDK type
 * it extends ({@link java.net.ConnectException}, {@link java.net.BindException} ...): the failed
 * call and its errno stay reachable.
 *
 * <pre>{@code
 * catch (ConnectException e) {
 *     if (e instanceof SyscallError s && s.errno().value() == 111) ... // ECONNREFUSED
 * }
 * }</pre>
 */
public interface SyscallError {
    /** The system call that failed, e.g. {@code connect}. */
    String call();

    /** The errno it failed with. */
    Errno errno();
}
