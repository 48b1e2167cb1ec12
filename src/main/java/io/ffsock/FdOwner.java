package io.ffsock;

/**
 * Something that owns an open file descriptor: a {@link Socket} or an {@link OwnedFd}. These are
 * what an SCM_RIGHTS control message can carry ({@link ControlMessage#rights}).
 */
public sealed interface FdOwner extends AutoCloseable permits Socket, OwnedFd {
    /**
     * The fd number, for handing to native code or a child process, or -1 once this object is
     * closed. It stays valid only while this object is open (a number read before a close may
     * name another fd after it); ffsock never hands out a bare number in any other way.
     */
    int fdNumber();

    /** Closes the fd; idempotent, no exception. */
    @Override
    void close();

}
