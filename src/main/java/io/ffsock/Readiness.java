package io.ffsock;

import static io.ffsock.internal.sys.Const.EINTR;

import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;

/**
 * The single point where a socket call waits for its fd to become ready.
 *
 * <p>Every wait of every socket goes through {@link #await}: a call that would block (EAGAIN on a
 * non-blocking fd or with MSG_DONTWAIT) comes here, then retries the system call.
 * <ul>
 * <li>A virtual thread parks in the {@link Poller} (epoll, one platform thread for the process),
 *     so its carrier is free for other virtual threads during the wait.
 * <li>A platform thread calls poll(2) itself: it has a kernel thread of its own to block, and a
 *     hop through the poller would add thread wake-ups to every wait (measured with
 *     {@code io.ffsock.bench.PingPong}: a 1-byte round trip over a socketpair took 10-21 us with
 *     platform threads waiting in the kernel, 56-73 us with the same threads parking in the
 *     poller). A platform thread waiting here is woken by close (shutdown(2)) and, through
 *     {@link Interruption}, by {@link Thread#interrupt()}.
 * </ul>
 */
final class Readiness {
    private Readiness() {}

    /** Whether the calling thread waits by parking in the poller (virtual threads), not in the kernel. */
    static boolean parks() {
        return Thread.currentThread().isVirtual();
    }

    /**
     * Read before every system call that may end in a wait: a virtual thread's wait ends at once
     * if the fd had an event after this (see {@link Poller.Registration}). A volatile read; 0 for
     * an fd no virtual thread has waited on.
     */
    static int token(FdLife life, int events) {
        return Poller.token(life, events);
    }

    static final int READY = Poller.READY;
    static final int TIMED_OUT = Poller.TIMED_OUT;
    static final int INTERRUPTED = Poller.INTERRUPTED;

    /**
     * Waits until the fd reports one of {@code events} (or an error or hang-up, which the retried
     * call will report), the fd is closed, {@code deadlineNanos} passes (a {@link System#nanoTime()}
     * value; 0 waits for ever), or (virtual threads) the thread is interrupted. {@code token} is
     * {@link #token}'s answer from just before the system call that said EAGAIN.
     *
     * @return {@link #READY}, {@link #TIMED_OUT} or {@link #INTERRUPTED}
     */
    static int await(FdLife life, int events, int token, long deadlineNanos) throws IOException {
        if (parks()) return Poller.await(life, events, token, deadlineNanos);
        for (;;) {
            int millis;
            if (deadlineNanos == 0) {
                millis = -1;
            } else {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) return TIMED_OUT;
                // Round up, so that a wait never ends just before the deadline and spins.
                millis = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
            }
            int r = Syscalls.poll(life.fd, events, millis);
            if (r > 0 || life.isClosed()) return READY;
            if (r < 0 && r != -EINTR) {
                // poll on a single valid fd fails only for lack of memory; let the call report.
                return READY;
            }
        }
    }
}
