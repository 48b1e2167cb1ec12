package io.ffsock;

import static io.ffsock.internal.sys.Const.EINTR;

import io.ffsock.internal.sys.Syscalls;

/**
 * The single point where a socket call waits for its fd to become ready.
 *
 * <p>Every wait of every socket goes through {@link #await}: a call that would block (EAGAIN on a
 * non-blocking fd) comes here, then retries the system call. Today the wait is poll(2) on the
 * calling thread; a poller that parks virtual threads instead replaces this class alone.
 */
final class Readiness {
    private Readiness() {}

    /**
     * Waits until {@code fd} reports one of {@code events} (or an error or hang-up, which the
     * retried call will report), or until {@code deadlineNanos} (a {@link System#nanoTime()} value;
     * 0 waits for ever).
     *
     * @return true if the fd became ready, false if the deadline passed first
     */
    static boolean await(int fd, int events, long deadlineNanos) {
        for (;;) {
            int millis;
            if (deadlineNanos == 0) {
                millis = -1;
            } else {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) return false;
                // Round up, so that a wait never ends just before the deadline and spins.
                millis = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
            }
            int r = Syscalls.poll(fd, events, millis);
            if (r > 0) return true;
            if (r < 0 && r != -EINTR) {
                // poll on a single valid fd fails only for lack of memory; let the call report.
                return true;
            }
        }
    }
}
