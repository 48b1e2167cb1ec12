package io.ffsock.uring;

import io.ffsock.Socket;
import java.io.IOException;

/**
 * What a {@link Ring} calls for each connection an accept operation takes: the new, owned
 * {@link Socket} (blocking, as {@link Socket#accept()} makes it), or the failure. Runs on the
 * ring's thread.
 */
@FunctionalInterface
public interface Acceptor {
    /**
     * @param op       the id {@link Ring#accept} or {@link Ring#acceptMultishot} returned
     * @param accepted the connection, now the callee's to close; null on failure
     * @param failure  why accept failed (ECANCELED after {@link Ring#cancel}); null on success
     * @param more     whether this (multishot) accept goes on taking connections
     */
    void accepted(long op, Socket accepted, IOException failure, boolean more);
}
