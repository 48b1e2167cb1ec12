package io.ffsock;

import static io.ffsock.internal.sys.Const.SHUT_RDWR;

import io.ffsock.internal.sys.Syscalls;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The life of one owned fd: a closed flag in the top bit and the number of calls in flight below.
 *
 * <p>A call acquires before it uses the number and releases after; close marks the fd closed and
 * either closes it at once (nothing in flight) or wakes the calls in flight, and the last of them
 * to leave closes it. So the number is never used after close(2), when another open may reuse it.
 * Kept apart from its owner so that a {@link java.lang.ref.Cleaner} can close the fd of an owner
 * that became unreachable without keeping the owner reachable.
 *
 * <p>Every live FdLife is in a process-wide registry of owned fd numbers, so that adopting a
 * number some ffsock object already owns is refused (two owners would close it twice, the second
 * time destroying whatever the kernel had reused the number for). A new fd from the kernel
 * replaces any entry under its number: the kernel only hands out numbers that are free. An entry
 * leaves the registry after close(2) (conditionally: the number may already be someone else's),
 * and one whose close(2) has run no longer blocks an adoption.
 */
final class FdLife implements Runnable {
    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
    }

    private static final int CLOSED = 1 << 30;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdLife.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** fd number to its owner, for {@link #adopted}; see the class comment. */
    private static final ConcurrentHashMap<Integer, FdLife> OWNED = new ConcurrentHashMap<>();

    final int fd;
    /** What owns the fd, for the message of a refused adoption: "Socket", "OwnedFd", ... */
    private final String owner;
    /** Set once close(2) has run: the number is no longer this owner's. */
    private volatile boolean released;
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
        this(fd, wakeWithShutdown ? "Socket" : "OwnedFd", wakeWithShutdown, new int[0]);
    }

    /** A fd the kernel has just created (so its number is free): registered under its number. */
    FdLife(int fd, String owner, boolean wakeWithShutdown, int... companions) {
        this(fd, owner, wakeWithShutdown, companions, true);
        OWNED.put(fd, this);
        for (int c : companions) OWNED.put(c, this);
    }

    private FdLife(int fd, String owner, boolean wakeWithShutdown, int[] companions, boolean unregistered) {
        this.fd = fd;
        this.owner = owner;
        this.wakeWithShutdown = wakeWithShutdown;
        this.companions = companions;
    }

    /**
     * The life of an fd number this process already has open (inherited, passed by native code),
     * registered atomically: refused if a live ffsock object owns the number.
     *
     * @param call  the adopting call, for the message
     * @param socket     whether a Socket will own it (else an OwnedFd)
     * @param from       the owner the fd moves from (already detached), or null
     * @param kernelView what the kernel says the fd is, for the message, or null
     * @throws IllegalStateException if another live ffsock object owns {@code fd}
     */
    static FdLife adopted(int fd, String call, boolean socket, FdLife from, String kernelView) {
        FdLife life = new FdLife(fd, socket ? "Socket" : "OwnedFd", socket, new int[0], true);
        for (;;) {
            FdLife old = OWNED.putIfAbsent(fd, life);
            if (old == null) return life;
            if (old == from || old.released) {
                if (OWNED.replace(fd, old, life)) return life;
                continue; // it changed under us: look again
            }
            throw new IllegalStateException(call + "(fd " + fd + "): fd " + fd + " is already owned by a live ffsock "
                    + old.owner + (kernelView == null ? "" : " (" + kernelView + ")")
                    + "; an fd may have only one owner, or it would be closed twice. Use that object, or close it first"
                    + (old.isClosed() ? " (it is closing now)" : ""));
        }
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
        released = true;
        OWNED.remove(fd, this);
        for (int c : companions) OWNED.remove(c, this);
    }

    /** Takes back an {@link #adopted} registration when the adoption failed; the fd stays open. */
    void unregister() {
        OWNED.remove(fd, this);
    }

    /** Closes a {@link #detach detached} fd whose new owner could not be made. */
    void closeDetached() {
        Syscalls.close(fd);
        released = true;
        OWNED.remove(fd, this);
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
     * Gives up ownership without closing: the fd number is the caller's from now on, who must
     * register it again with {@link #adopted} and this life as {@code from} (until then the number
     * stays registered to this life, so no one else can adopt it in between).
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
