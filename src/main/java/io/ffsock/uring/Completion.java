package io.ffsock.uring;

/**
 * What a {@link Ring} calls when an operation completes: once for a one-shot operation, once per
 * completion queue entry for a multishot one (then {@link Ring#hasMore(int)} says whether more
 * will come). Runs on the ring's thread, inside {@link Ring#complete()} or
 * {@link Ring#submitAndWait}; it may submit more operations.
 *
 * <p>One object can serve any number of operations (the {@code op} id tells them apart), so a
 * steady stream of operations allocates nothing.
 */
@FunctionalInterface
public interface Completion {
    /**
     * @param op     the id the submitting method returned
     * @param result the kernel's result: a byte count, 0, a new fd (handed out as a Socket by
     *               {@link Ring#acceptMultishot}), or {@code -errno}; {@link Ring#exception} turns a
     *               negative one into an exception naming the call and its socket
     * @param flags  the completion's IORING_CQE_F_* flags: see {@link Ring#hasMore},
     *               {@link Ring#bufferId}
     */
    void complete(long op, int result, int flags);
}
