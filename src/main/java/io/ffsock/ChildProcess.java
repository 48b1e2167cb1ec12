package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Spawning;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A child process started by {@link Spawn}, held through a pidfd (pidfd_open(2)): signals go to
 * this process and no other, even after its pid is reused.
 *
 * <p>{@link #waitFor()} waits for the pidfd to become readable (the process ended), then reaps the
 * child with waitpid(2), so no zombie is left. The wait parks the thread in ffsock's poller (epoll),
 * on virtual and platform threads alike: a virtual thread holds no carrier while it waits, and
 * {@link Thread#interrupt()} ends the wait of either kind with {@link InterruptedException}.
 *
 * <p>{@link #close()} closes the pidfd; it neither kills nor reaps the child. A child that is
 * never waited for stays a zombie, once it ends, until this process ends.
 */
public final class ChildProcess implements AutoCloseable {
    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
    }

    private static final Cleaner CLEANER = Cleaner.create();

    private final int pid;
    private final String program;
    private final FdLife pidfd;
    private final Cleaner.Cleanable cleanable;
    /** Set once, under the lock, when waitpid reaped the child. */
    private volatile ExitStatus status;

    /** Whether the child was started leading its own process group (its pgid is its pid). */
    private final boolean leadsGroup;

    ChildProcess(int pid, int pidfd, String program, boolean leadsGroup) {
        this.pid = pid;
        this.program = program;
        this.leadsGroup = leadsGroup;
        this.pidfd = new FdLife(pidfd, "ChildProcess (pidfd)", false);
        this.cleanable = CLEANER.register(this, this.pidfd);
    }

    /** The child's process id. */
    public long pid() {
        return pid;
    }

    /** Whether the child is still running (or ended but not yet reaped: this call reaps it then). */
    public boolean isAlive() throws IOException {
        return exitStatus().isEmpty();
    }

    /**
     * How the child ended, if it has: reaps it without waiting (waitpid(2) with WNOHANG).
     *
     * @return empty while it runs
     */
    public Optional<ExitStatus> exitStatus() throws IOException {
        return Optional.ofNullable(tryReap());
    }

    /**
     * Waits until the child ends, reaps it and returns how it ended. Returns at once if it was
     * reaped already. Compound: waits on the pidfd in the poller, then waitpid(2).
     *
     * @throws InterruptedException if the thread is interrupted while waiting (the child is not
     *                              touched, and a later call may wait again)
     * @throws java.nio.channels.ClosedChannelException if this handle was closed before the child was reaped
     */
    public ExitStatus waitFor() throws IOException, InterruptedException {
        return await(0).orElseThrow();
    }

    /**
     * As {@link #waitFor()}, for at most {@code timeout}.
     *
     * @return how the child ended, or empty if it still runs after {@code timeout}
     * @throws IllegalArgumentException if the timeout is negative
     */
    public Optional<ExitStatus> waitFor(Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(timeout, "waitFor: timeout is null");
        if (timeout.isNegative()) throw new IllegalArgumentException("waitFor: negative timeout " + timeout);
        long nanos = timeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        return await(deadline == 0 ? 1 : deadline);
    }

    private Optional<ExitStatus> await(long deadline) throws IOException, InterruptedException {
        ExitStatus done = status;
        if (done != null) return Optional.of(done);
        if (!pidfd.tryAcquire()) throw closedHandle();
        try {
            for (;;) {
                // The token before the check: an exit after it makes the wait return at once.
                int token = Poller.token(pidfd, POLLIN);
                done = tryReap();
                if (done != null) return Optional.of(done);
                if (Thread.interrupted()) throw new InterruptedException("waitFor(" + this + ")");
                int r = Poller.await(pidfd, POLLIN, token, deadline);
                if (r == Poller.INTERRUPTED) {
                    Thread.interrupted();
                    throw new InterruptedException("waitFor(" + this + ")");
                }
                if (r == Poller.TIMED_OUT) {
                    return Optional.ofNullable(tryReap());
                }
                if (pidfd.isClosed() && status == null) throw closedHandle();
            }
        } finally {
            pidfd.release();
            Reference.reachabilityFence(this);
        }
    }

    /** Reaps the child if it has ended; its status, or null while it runs. */
    private synchronized ExitStatus tryReap() throws IOException {
        ExitStatus done = status;
        if (done != null) return done;
        int[] wait = new int[1];
        for (;;) {
            int r = Spawning.waitpid(pid, WNOHANG, wait);
            if (r == 0) return null;
            if (r == pid) {
                done = ExitStatus.fromWaitStatus(wait[0]);
                status = done;
                return done;
            }
            // ECHILD: something else in this process reaped it (a waitpid(-1), or SIGCHLD ignored).
            if (r != -EINTR) throw Errors.of("waitpid", -r, pid + " " + program);
        }
    }

    /**
     * Sends {@code signal} (a Linux signal number, signal(7): 15 SIGTERM, 9 SIGKILL, ...) to the
     * child, pidfd_send_signal(2).
     *
     * @return true if sent, false if the child has already ended (ESRCH) or been reaped
     * @throws IllegalArgumentException if the number is not positive
     */
    public boolean kill(int signal) throws IOException {
        if (signal <= 0) throw new IllegalArgumentException("kill: signal " + signal + " is not a signal number");
        if (status != null) return false;
        if (!pidfd.tryAcquire()) throw closedHandle();
        try {
            int r = Spawning.pidfdSendSignal(pidfd.fd, signal);
            if (r == -ESRCH) return false;
            if (r < 0) throw Errors.of("pidfd_send_signal", -r, pid + " " + program);
            return true;
        } finally {
            pidfd.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Sends {@code signal} to the child's whole process group, kill(2) with {@code -pid}: the child
     * and everything it started that stayed in its group (a shell's pipeline, a server's workers).
     * Only for a child started as a group leader, with {@link Spawn#processGroup processGroup(0)}
     * or {@link Spawn#newSession()}.
     *
     * <p>Sent only while the child is not yet reaped: until then the child (running or a zombie)
     * holds its pid, so the group id cannot name anyone else's group. The reaping calls wait for
     * this one.
     *
     * @return true if sent, false if the child was reaped already, or nobody is left in the group
     * @throws IllegalStateException    if the child does not lead its own group
     * @throws IllegalArgumentException if the number is not positive
     */
    public synchronized boolean killGroup(int signal) throws IOException {
        if (signal <= 0) throw new IllegalArgumentException("killGroup: signal " + signal + " is not a signal number");
        if (!leadsGroup) {
            throw new IllegalStateException("killGroup(" + pid + " " + program + "): the child was not started leading"
                    + " its own process group (Spawn.processGroup(0) or Spawn.newSession())");
        }
        if (status != null) return false; // reaped: the group id is no longer held by our child
        int r = Spawning.kill(-pid, signal);
        if (r == -ESRCH) return false;
        if (r < 0) throw Errors.of("kill", -r, "process group " + pid + " (" + program + ")");
        return true;
    }

    /** Asks the child to end: SIGTERM. Returns false if it had already ended. */
    public boolean destroy() throws IOException {
        return kill(SIGTERM);
    }

    /** Kills the child: SIGKILL. Returns false if it had already ended. */
    public boolean destroyForcibly() throws IOException {
        return kill(SIGKILL);
    }

    /** Closes the pidfd (idempotent). Neither kills nor reaps the child. */
    @Override
    public void close() {
        pidfd.close();
        cleanable.clean();
    }

    private java.nio.channels.ClosedChannelException closedHandle() {
        return new Errors.Closed("ChildProcess(" + pid + " " + program + "): this handle is closed");
    }

    /** {@code ChildProcess[1234 python3 running]}, or with how it ended. */
    @Override
    public String toString() {
        ExitStatus s = status;
        return "ChildProcess[" + pid + " " + program + " " + (s == null ? "running" : s) + "]";
    }
}
