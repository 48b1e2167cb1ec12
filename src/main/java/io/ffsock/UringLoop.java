package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.Syscalls;
import io.ffsock.internal.sys.Uring;
import io.ffsock.internal.sys.UringProbe;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@link EventLoop}'s io_uring(7) backend: readiness from IORING_OP_POLL_ADD requests.
 *
 * <p><b>Who submits.</b> A poll request belongs to the task that submitted it: its completion
 * work runs on that thread, and the kernel cancels it when that thread exits. So only the polling
 * thread fills and submits poll requests: register and modify record the change (a dirty list)
 * and the next poll submits all of them in its one io_uring_enter(2). A change made by another
 * thread while a poll waits wakes it through the wake-up eventfd (below) to submit the change and wait
 * again. A request the kernel cancels because its thread exited comes back with -ECANCELED and is
 * submitted again.
 *
 * <p><b>Waking.</b> An eventfd ({@link Epoll#wakeFd}) with a multishot poll of its own.
 * {@link #wakeup} writes to it once per poll (a flag says a wake-up is pending), and so never
 * touches the submission queue from another thread; a NOP or IORING_OP_MSG_RING would have to
 * (MSG_RING also needs a ring of the waker's). It is read back when its completion arrives.
 *
 * <p><b>Ownership.</b> A registration holds its socket's {@link FdLife} while a request for it is
 * in flight (queued or submitted, until its last completion), so the fd number stays the socket's
 * as long as the kernel may use it; closing the socket meanwhile shuts it down (which completes the
 * request) and the last completion's release closes the fd. {@link #close} removes every request,
 * waits for their completions, lets go of the sockets, then unmaps and closes the ring.
 *
 * <p>Everything but the wait itself runs under {@link #lock}.
 */
final class UringLoop implements EventLoop.Impl {
    private static final long WAKE_UD = Long.MIN_VALUE | 1;     // the wake-up eventfd's poll
    private static final long INTERNAL_UD = Long.MIN_VALUE;     // POLL_REMOVE requests: their own completions are ignored
    private static final int ALWAYS = EPOLLHUP | EPOLLERR;      // epoll reports these unasked; io_uring only if asked
    private static final int SQ_ENTRIES = 256;
    private static final long DRAIN_NANOS = 2_000_000_000L;     // the longest unregister or close waits for the kernel
    private static final VarHandle WAKE;

    static {
        try {
            WAKE = MethodHandles.lookup().findVarHandle(UringLoop.class, "wakeRequested", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One fd number's registration; reused for the next socket with that number. */
    private static final class Reg {
        final int fd;
        Socket socket;        // null when idle
        FdLife held;          // the socket's life while inFlight > 0
        boolean registered;
        int events;           // poll(2) bits asked for, HANGUP and ERROR included
        EventLoop.Trigger trigger;
        boolean armed;        // the request armedUd is in flight and counts
        long armedUd;
        int gen;
        boolean wantArm;      // submit a request at the next prepare
        boolean removeArmed;  // remove the armed request at the next prepare
        int inFlight;         // requests queued or submitted whose last completion has not arrived
        boolean dirty;
        Reg nextDirty;
        boolean pending;
        int pendingBits;
        Reg nextPending;

        Reg(int fd) {
            this.fd = fd;
        }
    }

    private final FdLife life; // the ring fd, with the wake-up eventfd as companion
    private final Uring.Ring ring;
    private final int wake; // an eventfd, Epoll.wakeFd
    private final boolean skipSuccess;
    private final Object lock = new Object();
    private final Reg[] reported; // LEVEL registrations the last poll returned: armed again by the next
    private int reportedCount;
    private Reg[] regs = new Reg[64]; // by fd number
    private Reg dirtyHead;
    private Reg pendingHead, pendingTail;
    private boolean wakeArmed;
    private boolean polling;
    private Thread poller;
    private boolean kicked;
    private volatile boolean closed;
    private boolean tornDown;
    private int waiters;
    @SuppressWarnings("unused") // through WAKE
    private volatile int wakeRequested;
    /** io_uring_enter(2) calls made, for tests that check the batching (written by the caller of enter, read after). */
    volatile long enters;

    private UringLoop(Uring.Ring ring, int wake, int maxEvents) {
        this.ring = ring;
        this.life = new FdLife(ring.fd, "EventLoop", false, wake);
        this.wake = wake;
        this.reported = new Reg[maxEvents];
        this.skipSuccess = (ring.features & IORING_FEAT_CQE_SKIP) != 0;
    }

    /** Why the loop cannot run on io_uring here, or null if it can. */
    static String unavailableReason() {
        String why = UringProbe.unavailableReason();
        if (why != null) return why;
        if (!UringProbe.supports(IORING_OP_POLL_ADD) || !UringProbe.supports(IORING_OP_POLL_REMOVE)) {
            return "io_uring: this kernel lacks IORING_OP_POLL_ADD or IORING_OP_POLL_REMOVE (IORING_REGISTER_PROBE)";
        }
        int f = UringProbe.features();
        if ((f & IORING_FEAT_NODROP) == 0) {
            return "io_uring: this kernel lacks IORING_FEAT_NODROP (Linux 5.5), which keeps completions that do not fit";
        }
        if ((f & IORING_FEAT_EXT_ARG) == 0) {
            return "io_uring: this kernel lacks IORING_FEAT_EXT_ARG (Linux 5.11), which poll timeouts need";
        }
        if ((f & IORING_FEAT_RSRC_TAGS) == 0) {
            // Multishot poll has no feature bit of its own; IORING_FEAT_RSRC_TAGS came in the same release.
            return "io_uring: this kernel lacks multishot poll (Linux 5.13; IORING_FEAT_RSRC_TAGS of the same release is missing)";
        }
        return null;
    }

    /** The exception for an explicit io_uring loop that cannot be had: the errno of io_uring_setup, or ENOSYS. */
    static SyscallException unavailable(String why) {
        int errno = UringProbe.setupErrno();
        if (errno == 0) errno = ENOSYS; // set up fine, but something the loop needs is missing (or disabled by property)
        return new SyscallException("io_uring_setup", new Errno(errno), "EventLoop.open(IO_URING): " + why);
    }

    /** io_uring_setup(2), mmap(2) of the rings, eventfd(2) for wake-ups. */
    static UringLoop open(int maxEvents) throws IOException {
        int cq = Math.max(1024, Integer.highestOneBit(Math.min(maxEvents, 1 << 15) * 2 - 1) << 1);
        cq = Math.min(cq, 2 * Uring.MAX_ENTRIES);
        Uring.Ring[] out = new Uring.Ring[1];
        int r = Uring.Ring.open(SQ_ENTRIES, cq, 0, out);
        if (r < 0) {
            throw new SyscallException("io_uring_setup", new Errno(-r), "EventLoop.open(IO_URING): io_uring_setup: "
                    + Syscalls.errnoName(-r) + " (" + Syscalls.errnoDescription(-r) + ")");
        }
        int wake = Epoll.wakeFd();
        if (wake < 0) {
            out[0].close();
            throw Errors.of("eventfd", -wake, null);
        }
        return new UringLoop(out[0], wake, maxEvents);
    }

    // ---- registrations -----------------------------------------------------------------------------

    @Override
    public void control(int op, Socket socket, int interest, EventLoop.Trigger trigger) throws IOException {
        String call = op == EPOLL_CTL_ADD ? "IORING_OP_POLL_ADD" : "IORING_OP_POLL_REMOVE";
        FdLife s = socket.life();
        if (!life.tryAcquire()) throw Errors.closed(call, null, "event loop");
        try {
            if (!s.tryAcquire()) {
                if (op == EPOLL_CTL_DEL) {
                    synchronized (lock) { // epoll drops a closed fd itself; so do we, and say closed as epoll does
                        Reg r = s.fd < regs.length ? regs[s.fd] : null;
                        if (r != null && r.socket == socket && r.registered && !closed) drop(r);
                    }
                }
                throw Errors.closed(call, socket);
            }
            try {
                synchronized (lock) {
                    if (closed) throw Errors.closed(call, null, "event loop");
                    Reg r = reg(s.fd);
                    if (op == EPOLL_CTL_ADD) {
                        if (r.registered) {
                            if (r.socket == socket) throw Errors.of(call, EEXIST, socket);
                            drop(r); // a closed socket that had this number: epoll would have dropped it
                        }
                        r.socket = socket;
                        r.registered = true;
                        r.pendingBits = 0;
                    } else if (!r.registered || r.socket != socket) {
                        throw Errors.of(call, ENOENT, socket);
                    }
                    if (op == EPOLL_CTL_DEL) {
                        drop(r);
                        awaitRelease(r, socket);
                        return;
                    }
                    r.events = interest | ALWAYS;
                    r.trigger = trigger;
                    r.pendingBits = 0; // a new interest: what was seen before is asked again
                    if (r.armed) r.removeArmed = true;
                    r.wantArm = true;
                    markDirty(r);
                    kick();
                }
            } finally {
                s.release();
            }
        } finally {
            life.release();
        }
    }

    private Reg reg(int fd) {
        if (fd >= regs.length) regs = java.util.Arrays.copyOf(regs, Math.max(fd + 1, regs.length * 2));
        Reg r = regs[fd];
        if (r == null) regs[fd] = r = new Reg(fd);
        return r;
    }

    /** Ends a registration: its request (if armed) is removed by the next prepare. */
    private void drop(Reg r) {
        r.registered = false;
        r.wantArm = false;
        r.pendingBits = 0;
        if (r.armed) {
            r.removeArmed = true;
            markDirty(r);
        }
        if (r.inFlight == 0) r.socket = null;
    }

    private void markDirty(Reg r) {
        if (r.dirty) return;
        r.dirty = true;
        r.nextDirty = dirtyHead;
        dirtyHead = r;
    }

    /** A change while another thread waits: wake it so that it submits the change. */
    private void kick() {
        if (polling && poller != Thread.currentThread() && !kicked) {
            kicked = true;
            Epoll.wake(wake);
        }
    }

    /**
     * Waits until the kernel has let go of {@code socket}'s requests (unregister), driving the ring
     * itself when no poll is in progress, else waking the poller to do it. Bounded: should the
     * kernel not answer in time, the hold ends with the loop's next poll.
     */
    private void awaitRelease(Reg r, Socket socket) throws IOException {
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (r.inFlight > 0 && r.socket == socket && !r.registered && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            if (!polling) {
                if (r.removeArmed) {
                    queueRemove(r.armedUd);
                    r.armed = false;
                    r.removeArmed = false;
                }
                ring.flush();
                int e = enterTimed(queued(), 1, Math.min(left, 10_000_000L));
                if (e < 0 && e != -ETIME && e != -EINTR && e != -EBUSY && e != -EAGAIN) {
                    throw Errors.of("io_uring_enter", -e, "event loop");
                }
                consume();
            } else {
                kick();
                waiters++;
                try {
                    lock.wait(Math.max(1, Math.min(left / 1_000_000, 10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } finally {
                    waiters--;
                }
            }
        }
    }

    // ---- submitting ----------------------------------------------------------------------------------

    private int enter(int toSubmit, int minComplete, int flags) {
        enters++;
        return ring.enter(toSubmit, minComplete, flags);
    }

    private int enterTimed(int toSubmit, int minComplete, long nanos) {
        enters++;
        return ring.enterTimed(toSubmit, minComplete, nanos);
    }

    /** SQEs published but not yet consumed by the kernel. */
    private int queued() {
        return ring.sqEntries - ring.sqSpace();
    }

    /** A free SQE; if the queue is full, what is in it is submitted first (by the calling thread). */
    private int sqe() throws IOException {
        int i = ring.nextSqe();
        while (i < 0) {
            ring.flush();
            int e = enter(queued(), 0, 0);
            if (e == -EBUSY || e == -EAGAIN) {
                enter(0, 1, IORING_ENTER_GETEVENTS); // completions must be reaped first
                consume();
            } else if (e < 0 && e != -EINTR) {
                throw Errors.of("io_uring_enter", -e, "event loop");
            }
            i = ring.nextSqe();
        }
        return i;
    }

    private void queueRemove(long ud) throws IOException {
        int i = sqe();
        ring.prep(i, IORING_OP_POLL_REMOVE, -1, ud, 0, 0, INTERNAL_UD);
        if (skipSuccess) ring.sqeFlags(i, IOSQE_CQE_SKIP_SUCCESS);
    }

    /** Queues a poll request for {@code r}; drops the registration if its socket was closed meanwhile. */
    private void arm(Reg r) throws IOException {
        if (r.inFlight == 0) {
            FdLife s = r.socket.life();
            if (!s.tryAcquire()) {
                drop(r);
                return;
            }
            r.held = s;
        }
        int i = sqe();
        r.gen = (r.gen + 1) & 0x7fffffff;
        long ud = (long) r.gen << 32 | r.fd;
        ring.prep(i, IORING_OP_POLL_ADD, r.fd, 0, r.trigger == EventLoop.Trigger.EDGE ? IORING_POLL_ADD_MULTI : 0, 0, ud);
        ring.opFlags(i, r.events);
        r.armed = true;
        r.armedUd = ud;
        r.inFlight++;
    }

    /** The changes since the last poll, as SQEs: removals, new requests, LEVEL requests to renew. */
    private void prepare() throws IOException {
        if (!wakeArmed) {
            int i = sqe();
            ring.prep(i, IORING_OP_POLL_ADD, wake, 0, IORING_POLL_ADD_MULTI, 0, WAKE_UD);
            ring.opFlags(i, POLLIN);
            wakeArmed = true;
        }
        while (dirtyHead != null) {
            Reg r = dirtyHead;
            dirtyHead = r.nextDirty;
            r.nextDirty = null;
            r.dirty = false;
            if (r.removeArmed) {
                if (r.armed) queueRemove(r.armedUd);
                r.armed = false;
                r.removeArmed = false;
            }
            if (r.registered && r.wantArm && !r.armed) arm(r);
            r.wantArm = false;
        }
        for (int k = 0; k < reportedCount; k++) {
            Reg r = reported[k];
            reported[k] = null;
            if (r.registered && r.trigger == EventLoop.Trigger.LEVEL && !r.armed && !r.pending) arm(r);
        }
        reportedCount = 0;
    }

    // ---- completing ----------------------------------------------------------------------------------

    /** Reads every completion there into the registrations' pending bits. */
    private void consume() throws IOException {
        boolean woken = false;
        for (;;) {
            int n = ring.cqReady();
            if (n == 0) {
                if ((ring.sqFlags() & IORING_SQ_CQ_OVERFLOW) == 0) break;
                int e = enter(0, 0, IORING_ENTER_GETEVENTS); // the kernel holds more: fetch them
                if (e < 0 && e != -EINTR && e != -EBUSY && e != -EAGAIN) throw Errors.of("io_uring_enter", -e, "event loop");
                if (ring.cqReady() == 0) break;
                continue;
            }
            for (int k = 0; k < n; k++) {
                long ud = ring.cqeUserData(k);
                if (ud == INTERNAL_UD) continue;
                int res = ring.cqeRes(k);
                boolean last = (ring.cqeFlags(k) & IORING_CQE_F_MORE) == 0;
                if (ud == WAKE_UD) {
                    woken = true;
                    if (last) wakeArmed = false;
                    continue;
                }
                complete(ud, res, last);
            }
            ring.cqAdvance(n);
        }
        if (woken) Epoll.drain(wake);
    }

    private void complete(long ud, int res, boolean last) {
        int fd = (int) ud;
        Reg r = fd >= 0 && fd < regs.length ? regs[fd] : null;
        if (r == null) return;
        boolean current = r.armed && r.armedUd == ud;
        if (current) {
            if (last) r.armed = false;
            if (r.registered) {
                if (res > 0) {
                    addPending(r, res);
                } else if (res < 0 && res != -ECANCELED) {
                    addPending(r, EPOLLERR); // the kernel refused the request: report it, do not retry
                }
                // A multishot the kernel ended (no room in the CQ), or a request cancelled because
                // the thread that submitted it exited: submit it again. (A refused one is not: it
                // would be refused again.)
                if (last && (res == -ECANCELED || (res >= 0 && r.trigger == EventLoop.Trigger.EDGE))) {
                    r.wantArm = true;
                    markDirty(r);
                }
            }
        }
        if (last && --r.inFlight == 0) {
            FdLife s = r.held;
            r.held = null;
            if (!r.registered) r.socket = null;
            s.release(); // the socket's fd closes here if it was closed meanwhile
        }
    }

    private void addPending(Reg r, int bits) {
        r.pendingBits |= bits;
        if (r.pending) return;
        r.pending = true;
        r.nextPending = null;
        if (pendingTail == null) pendingHead = r;
        else pendingTail.nextPending = r;
        pendingTail = r;
    }

    /** Moves pending registrations into {@code ready}, at most its length; the rest wait for the next poll. */
    private int collect(EventLoop.Ready[] ready) {
        int k = 0;
        while (k < ready.length && pendingHead != null) {
            Reg r = pendingHead;
            pendingHead = r.nextPending;
            if (pendingHead == null) pendingTail = null;
            r.nextPending = null;
            r.pending = false;
            int bits = r.pendingBits;
            r.pendingBits = 0;
            if (!r.registered || bits == 0) continue;
            if (r.socket.isClosed()) { // skipped, as epoll skips it; its request goes
                drop(r);
                continue;
            }
            EventLoop.Ready out = ready[k++];
            out.socket = r.socket;
            out.bits = bits;
            if (r.trigger == EventLoop.Trigger.LEVEL) reported[reportedCount++] = r;
        }
        return k;
    }

    // ---- polling ---------------------------------------------------------------------------------------

    @Override
    public int poll(long nanos, EventLoop.Ready[] ready, Interruption.Waking interruptor) throws IOException {
        if (!life.tryAcquire()) throw Errors.closed("io_uring_enter", null, "event loop");
        try {
            long deadline = nanos <= 0 ? 0 : Math.max(1, System.nanoTime() + nanos);
            boolean parks = nanos != 0 && Readiness.parks();
            Thread me = Thread.currentThread();
            for (boolean first = true;; first = false) {
                int toSubmit;
                boolean wait;
                synchronized (lock) {
                    if (closed) {
                        throw first ? Errors.closed("io_uring_enter", null, "event loop")
                                : Errors.closedDuringCall("io_uring_enter", "event loop");
                    }
                    if (polling) throw new IllegalStateException("EventLoop.poll: " + poller + " is polling this loop; one thread polls at a time");
                    prepare();
                    ring.flush();
                    toSubmit = queued();
                    polling = true;
                    poller = me;
                    kicked = false;
                    wait = nanos != 0 && pendingHead == null && ring.cqReady() == 0
                            && (ring.sqFlags() & IORING_SQ_CQ_OVERFLOW) == 0 && (int) WAKE.getVolatile(this) == 0;
                }
                int e = 0;
                try {
                    if (!wait) {
                        if (toSubmit > 0 || ring.cqReady() == 0) e = enter(toSubmit, 0, IORING_ENTER_GETEVENTS);
                    } else if (parks) {
                        int token = Readiness.token(life, POLLIN);
                        e = enter(toSubmit, 0, IORING_ENTER_GETEVENTS);
                        if (ring.cqReady() == 0 && (int) WAKE.getVolatile(this) == 0) {
                            Readiness.await(life, POLLIN, token, deadline);
                        }
                    } else {
                        interruptor.enter();
                        try {
                            if (nanos < 0) {
                                e = enter(toSubmit, 1, IORING_ENTER_GETEVENTS);
                            } else {
                                e = enterTimed(toSubmit, 1, Math.max(0, deadline - System.nanoTime()));
                            }
                        } finally {
                            interruptor.exit();
                        }
                    }
                } finally {
                    synchronized (lock) {
                        polling = false;
                        poller = null;
                        if (closed) {
                            teardown();
                        } else {
                            consume();
                        }
                        if (waiters > 0) lock.notifyAll();
                    }
                }
                if (e < 0 && e != -ETIME && e != -EINTR && e != -EBUSY && e != -EAGAIN) {
                    throw Errors.of("io_uring_enter", -e, "event loop");
                }
                int k;
                synchronized (lock) {
                    if (closed) throw Errors.closedDuringCall("io_uring_enter", "event loop");
                    k = collect(ready);
                }
                boolean woken = (int) WAKE.getAndSet(this, 0) != 0;
                if (k > 0 || woken || nanos == 0 || me.isInterrupted()
                        || (deadline != 0 && deadline - System.nanoTime() <= 0)) {
                    return k;
                }
                // Nothing for the caller (a change to submit, a removal, a request to renew): wait on.
            }
        } finally {
            life.release();
        }
    }

    @Override
    public void wakeup() {
        if (!life.tryAcquire()) return;
        try {
            if (WAKE.compareAndSet(this, 0, 1)) Epoll.wake(wake);
        } finally {
            life.release();
        }
    }

    // ---- closing -------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (!life.tryAcquire()) return; // already closed
        try {
            synchronized (lock) {
                if (closed) return;
                closed = true;
                if (polling) {
                    Epoll.wake(wake); // the poller tears down on its way out
                } else {
                    teardown();
                }
            }
        } finally {
            life.release();
        }
    }

    /**
     * Removes every request, waits (bounded) for their last completions, lets go of every socket,
     * unmaps the ring and closes its fd (at once, or when the last call using it leaves).
     */
    private void teardown() {
        if (tornDown) return;
        tornDown = true;
        try {
            for (Reg r : regs) {
                if (r == null) continue;
                r.registered = false;
                if (r.armed) {
                    queueRemove(r.armedUd);
                    r.armed = false;
                }
            }
            if (wakeArmed) queueRemove(WAKE_UD);
            ring.flush();
            long deadline = System.nanoTime() + DRAIN_NANOS;
            while (inFlight() > 0 || wakeArmed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                int e = enterTimed(queued(), 1, Math.min(left, 10_000_000L));
                if (e < 0 && e != -ETIME && e != -EINTR && e != -EBUSY && e != -EAGAIN) break;
                consume();
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the kernel lets go of whatever is left when the ring fd closes
        } finally {
            for (Reg r : regs) {
                if (r == null) continue;
                if (r.held != null) r.held.release(); // the kernel holds the file itself until its ring goes
                r.held = null;
                r.socket = null;
                r.inFlight = 0;
            }
            java.util.Arrays.fill(regs, null);
            java.util.Arrays.fill(reported, null);
            pendingHead = pendingTail = null;
            dirtyHead = null;
            ring.unmap();
            life.close();
        }
    }

    private int inFlight() {
        int n = 0;
        for (Reg r : regs) if (r != null) n += r.inFlight;
        return n;
    }

    @Override
    public boolean isClosed() {
        return life.isClosed() || closed;
    }

    @Override
    public Runnable cleanup() {
        return this::close;
    }

    @Override
    public String toString() {
        return "EventLoop[io_uring, ring fd=" + ring.fd + (isClosed() ? " closed" : "") + "]";
    }
}
