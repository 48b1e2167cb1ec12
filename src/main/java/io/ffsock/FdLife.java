package io.ffsock;

import static io.ffsock.internal.sys.Const.SHUT_RDWR;

import io.ffsock.internal.sys.Syscalls;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The life of one owned fd: a closed flag in the top bit and the number of calls in flight below.
 *
 * <p>A call acquires before it uses the number and releases after; close marks the fd closed and
 * either closes it at once (nothing in flight) or wakes the calls in flight, and the last of them
 * to leave closes it. So the number is never used after close(2), when another open may reuse it.
 * Kept apart from its owner so that a {@link java.lang.ref.Cleaner} can close the fd of an owner
 * that became unreachable without keeping the owner reachable.
 */
final class FdLife implements Runnable {
    private static final int CLOSED = 1 << 30;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdLife.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int fd;
    private final boolean wakeWithShutdown;
    /** More fds closed with this one (an {@link EventLoop}'s wake-up socketpair). */
    private final int[] companions;
    private volatile int state;
    /** Set once a thread has waited on the fd in the {@link Poller}; taken out before close(2). */
    volatile Poller.Registration registration;

    /** For a socket: close wakes blocked calls with shutdown(2). */
    FdLife(int fd) {
        this(fd, true);
    }

    FdLife(int fd, boolean wakeWithShutdown) {
        this(fd, wakeWithShutdown, new int[0]);
    }

    FdLife(int fd, boolean wakeWithShutdown, int... companions) {
        this.fd = fd;
        this.wakeWithShutdown = wakeWithShutdown;
        this.companions = companions;
    }

    boolean tryAcquire() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) return false;
            if (STATE.compareAndSet(this, s, s + 1)) return true;
        }
    }

    void release() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        if (s == CLOSED) closeNow(); // the last call has left a closed fd
    }

    private void closeNow() {
        Poller.Registration r = registration;
        if (r != null) Poller.deregister(r); // epoll_ctl(DEL) needs the number still ours
        Syscalls.close(fd);
        for (int c : companions) Syscalls.close(c);
    }

    boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /**
     * Marks closed; closes now if idle, else wakes the calls in flight (the last one closes).
     *
     * @return true if this call closed it, false if it was already closed
     */
    boolean close() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) return false;
            if (STATE.compareAndSet(this, s, s | CLOSED)) {
                if (s == 0) {
                    closeNow();
                } else {
                    // close(2) wakes none of the calls blocked on the fd; shutdown(2) wakes all
                    // those blocked in the kernel, and the poller's waiters are unparked here
                    // (shutdown makes epoll report the fd, but not for every kind of fd).
                    if (wakeWithShutdown) Syscalls.shutdown(fd, SHUT_RDWR);
                    Poller.Registration r = registration;
                    if (r != null) r.wakeAll();
                }
                return true;
            }
        }
    }

    /**
     * Gives up ownership without closing: the fd number is the caller's from now on.
     *
     * @return false if the fd was closed or is in use by a call
     */
    boolean detach() {
        if (!STATE.compareAndSet(this, 0, CLOSED)) return false;
        Poller.Registration r = registration;
        if (r != null) Poller.deregister(r);
        return true;
    }

    /** The Cleaner's action: the owner is unreachable, so no call can be in flight. */
    @Override
    public void run() {
        close();
    }
}
