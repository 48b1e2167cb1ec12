package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.AbstractList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * An epoll(7) instance, typed: for programs that run their own event loop over non-blocking
 * sockets instead of a thread per connection.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.open(); Socket server = Socket.open(Family.UNIX, SocketType.STREAM)) {
 *     server.bind(UnixAddress.abstractName("echo"));
 *     server.listen();
 *     server.setBlocking(false);
 *     loop.register(server, Set.of(EventLoop.Event.READ));
 *     byte[] buf = new byte[4096];
 *     for (;;) {
 *         for (EventLoop.Ready r : loop.poll(null)) {          // epoll_wait(2), no timeout
 *             if (r.socket() == server) {
 *                 Socket c = server.accept();
 *                 c.setBlocking(false);
 *                 loop.register(c, Set.of(EventLoop.Event.READ));
 *             } else if (r.isReadable()) {
 *                 int n = r.socket().recv(buf);
 *                 if (n == 0) { loop.unregister(r.socket()); r.socket().close(); }
 *                 else r.socket().sendAll(buf, 0, n);
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Events.</b> Interest is a set of {@link Event#READ}, {@link Event#WRITE} and
 * {@link Event#PEER_CLOSED}; {@link Event#HANGUP} and {@link Event#ERROR} are always reported
 * (the kernel does). Each registration is {@link Trigger#LEVEL level}-triggered unless asked
 * otherwise. The data word of each struct epoll_event is the socket's fd number, mapped back
 * to the {@link Socket} here.
 *
 * <p><b>Threads.</b> One thread polls at a time; {@link #register}, {@link #modify},
 * {@link #unregister}, {@link #wakeup} and {@link #close} may be called from any thread. On a
 * virtual thread, {@link #poll} parks (the epoll fd itself waits in ffsock's poller) instead of
 * holding its carrier in epoll_wait.
 *
 * <p><b>Interrupt and close.</b> As with a {@link java.nio.channels.Selector}: interrupting the
 * polling thread makes {@code poll} return at once (perhaps with no events) and leaves the
 * interrupt status set; {@link #wakeup()} does the same without an interrupt; {@link #close()}
 * wakes a poll in progress, which then throws {@link java.nio.channels.AsynchronousCloseException}.
 *
 * <p><b>Closing a socket.</b> Unregister a socket before closing it. If you do not, the kernel
 * still drops it from the epoll set when its fd is closed (epoll(7)), but the loop keeps a
 * reference to the Socket until its fd number is registered again or the loop is closed; events
 * still reported for a closed socket (its fd was passed to another process, which keeps the open
 * file alive) are skipped.
 *
 * <p>Allocation-free in steady state: {@link #poll} fills and returns the same list of the same
 * {@link Ready} objects each time (valid until the next poll); iterate it by index, or with
 * for-each (the JIT usually removes the iterator).
 */
public final class EventLoop implements AutoCloseable {
    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
    }

    private static final Cleaner CLEANER = Cleaner.create();
    private static final long WAKE = -1L;

    /** What a registration asks for, and what {@link Ready} reports. */
    public enum Event {
        /** Data (or a connection, or end of stream) to receive: EPOLLIN. */
        READ(EPOLLIN),
        /** Room to send: EPOLLOUT. */
        WRITE(EPOLLOUT),
        /** The peer shut down its sending side (or closed): EPOLLRDHUP. */
        PEER_CLOSED(EPOLLRDHUP),
        /** Both directions are shut down, or the connection is gone: EPOLLHUP (always reported). */
        HANGUP(EPOLLHUP),
        /** An error is pending (SO_ERROR, the error queue): EPOLLERR (always reported). */
        ERROR(EPOLLERR);

        private final int bit;

        Event(int bit) {
            this.bit = bit;
        }

        static int bits(Set<Event> events) {
            int b = 0;
            for (Event e : events) b |= e.bit;
            return b;
        }
    }

    /** How a registration reports readiness, epoll(7). */
    public enum Trigger {
        /** Reported by every poll for as long as it holds (poll(2) semantics). */
        LEVEL(0),
        /** Reported when it changes (EPOLLET): read or write until EAGAIN before waiting again. */
        EDGE(EPOLLET),
        /** Reported once (EPOLLONESHOT), then disarmed until {@link #modify} arms it again. */
        ONESHOT(EPOLLONESHOT);

        private final int bit;

        Trigger(int bit) {
            this.bit = bit;
        }
    }

    /** One ready socket in the list {@link #poll} returns; reused by the next poll. */
    public static final class Ready {
        private Socket socket;
        private int bits;

        private Ready() {}

        /** The socket this event is for. */
        public Socket socket() {
            return socket;
        }

        /** Whether {@code event} was reported. */
        public boolean is(Event event) {
            return (bits & event.bit) != 0;
        }

        /** {@link Event#READ}: a recv or accept will not block. */
        public boolean isReadable() {
            return is(Event.READ);
        }

        /** {@link Event#WRITE}: a send will not block. */
        public boolean isWritable() {
            return is(Event.WRITE);
        }

        /** The events reported, as a new set. */
        public Set<Event> events() {
            EnumSet<Event> s = EnumSet.noneOf(Event.class);
            for (Event e : Event.values()) if (is(e)) s.add(e);
            return s;
        }

        /** The raw epoll event bits (EPOLLIN, EPOLLOUT ...), for what the enum does not name. */
        public int epollEvents() {
            return bits;
        }

        @Override
        public String toString() {
            return socket + " " + events();
        }
    }

    private final FdLife life;
    private final int wakeRead;
    private final int wakeWrite;
    private final Epoll.Events events;
    private final Ready[] ready;
    private final ReadyList readyList = new ReadyList();
    private final Interruption.Waking interruptor = new Interruption.Waking(this::wakeup);
    private final Object lock = new Object();
    private Socket[] sockets = new Socket[64]; // by fd number; guarded by lock
    private int readyCount;

    private EventLoop(int epfd, int wakeRead, int wakeWrite, int maxEvents) {
        this.life = new FdLife(epfd, "EventLoop", false, wakeRead, wakeWrite);
        this.wakeRead = wakeRead;
        this.wakeWrite = wakeWrite;
        this.events = new Epoll.Events(maxEvents);
        this.ready = new Ready[maxEvents];
        for (int i = 0; i < maxEvents; i++) ready[i] = new Ready();
        CLEANER.register(this, life);
    }

    /** Opens an event loop that reports up to 256 ready sockets per poll, epoll_create1(2). */
    public static EventLoop open() throws IOException {
        return open(256);
    }

    /**
     * Opens an event loop that reports up to {@code maxEvents} ready sockets per poll (more stay
     * pending for the next poll), epoll_create1(2) with EPOLL_CLOEXEC.
     */
    public static EventLoop open(int maxEvents) throws IOException {
        if (maxEvents < 1 || maxEvents > 1 << 20) {
            throw new IllegalArgumentException("maxEvents " + maxEvents + " is not in 1..1048576");
        }
        int ep = Epoll.epollCreate1();
        if (ep < 0) throw Errors.of("epoll_create1", -ep, null);
        int[] wake = new int[2];
        int r = Syscalls.pipe2(wake, O_NONBLOCK | O_CLOEXEC);
        if (r < 0) {
            Syscalls.close(ep);
            throw Errors.of("pipe2", -r, null);
        }
        r = Epoll.epollCtl(ep, EPOLL_CTL_ADD, wake[0], EPOLLIN, WAKE);
        if (r < 0) {
            Syscalls.close(ep);
            Syscalls.close(wake[0]);
            Syscalls.close(wake[1]);
            throw Errors.of("epoll_ctl(EPOLL_CTL_ADD)", -r, "wake-up pipe");
        }
        return new EventLoop(ep, wake[0], wake[1], maxEvents);
    }

    /** Adds {@code socket}, level-triggered, with interest in {@code interest}, epoll_ctl(2) EPOLL_CTL_ADD. */
    public void register(Socket socket, Set<Event> interest) throws IOException {
        register(socket, interest, Trigger.LEVEL);
    }

    /**
     * Adds {@code socket} with interest in {@code interest}, reported as {@code trigger} says,
     * epoll_ctl(2) EPOLL_CTL_ADD.
     *
     * @throws SyscallException EEXIST if it is already registered
     */
    public void register(Socket socket, Set<Event> interest, Trigger trigger) throws IOException {
        control(EPOLL_CTL_ADD, socket, interest, trigger);
    }

    /** Changes a registered socket's interest, level-triggered, epoll_ctl(2) EPOLL_CTL_MOD. */
    public void modify(Socket socket, Set<Event> interest) throws IOException {
        modify(socket, interest, Trigger.LEVEL);
    }

    /**
     * Changes a registered socket's interest and trigger, epoll_ctl(2) EPOLL_CTL_MOD; this is also
     * how a {@link Trigger#ONESHOT} registration is armed again.
     *
     * @throws SyscallException ENOENT if it is not registered
     */
    public void modify(Socket socket, Set<Event> interest, Trigger trigger) throws IOException {
        control(EPOLL_CTL_MOD, socket, interest, trigger);
    }

    /**
     * Removes a registered socket, epoll_ctl(2) EPOLL_CTL_DEL. Events already returned by a poll
     * still name it.
     *
     * @throws SyscallException ENOENT if it is not registered
     */
    public void unregister(Socket socket) throws IOException {
        control(EPOLL_CTL_DEL, socket, Set.of(), Trigger.LEVEL);
    }

    private void control(int op, Socket socket, Set<Event> interest, Trigger trigger) throws IOException {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(interest, "interest");
        Objects.requireNonNull(trigger, "trigger");
        String call = switch (op) {
            case EPOLL_CTL_ADD -> "epoll_ctl(EPOLL_CTL_ADD)";
            case EPOLL_CTL_MOD -> "epoll_ctl(EPOLL_CTL_MOD)";
            default -> "epoll_ctl(EPOLL_CTL_DEL)";
        };
        if (!life.tryAcquire()) throw Errors.closed(call, null, "event loop");
        try {
            FdLife s = socket.life();
            if (!s.tryAcquire()) throw Errors.closed(call, socket);
            try {
                int fd = s.fd;
                synchronized (lock) {
                    int r = Epoll.epollCtl(life.fd, op, fd, Event.bits(interest) | trigger.bit, fd);
                    if (r < 0) throw Errors.of(call, -r, socket);
                    if (op == EPOLL_CTL_DEL) {
                        if (fd < sockets.length && sockets[fd] == socket) sockets[fd] = null;
                    } else {
                        if (fd >= sockets.length) sockets = java.util.Arrays.copyOf(sockets, Math.max(fd + 1, sockets.length * 2));
                        sockets[fd] = socket;
                    }
                }
            } finally {
                s.release();
            }
        } finally {
            life.release();
        }
    }

    /**
     * Waits for registered sockets to become ready, epoll_wait(2), and returns them: at most
     * {@code maxEvents}, none if the timeout passed, {@link #wakeup()} was called or the thread
     * was interrupted. The list and its {@link Ready} objects are reused by the next poll.
     *
     * @param timeout how long to wait: {@code null} for ever, {@link Duration#ZERO} not at all;
     *                waits are in whole milliseconds, rounded up
     * @throws java.nio.channels.AsynchronousCloseException if the loop was closed during the wait
     * @throws java.nio.channels.ClosedChannelException if it was closed before
     */
    public List<Ready> poll(Duration timeout) throws IOException {
        long nanos = -1;
        if (timeout != null) {
            if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout " + timeout);
            try {
                nanos = timeout.toNanos();
            } catch (ArithmeticException e) {
                nanos = -1; // longer than 292 years: for ever
            }
        }
        if (!life.tryAcquire()) throw Errors.closed("epoll_wait", null, "event loop");
        try {
            long deadline = nanos <= 0 ? 0 : Math.max(1, System.nanoTime() + nanos);
            int n;
            if (nanos != 0 && Readiness.parks()) {
                n = awaitParked(deadline);
            } else {
                interruptor.enter();
                try {
                    n = awaitInKernel(nanos, deadline);
                } finally {
                    interruptor.exit();
                }
            }
            if (life.isClosed()) throw Errors.closedDuringCall("epoll_wait", "event loop");
            collect(n);
            return readyList;
        } finally {
            life.release();
        }
    }

    /** A virtual thread: epoll_wait without waiting, and park in the poller between tries. */
    private int awaitParked(long deadline) throws IOException {
        for (;;) {
            int token = Readiness.token(life, POLLIN);
            int n = events.await(life.fd, 0);
            if (n != 0 && n != -EINTR) return check(n);
            if (life.isClosed()) return 0;
            if (Readiness.await(life, POLLIN, token, deadline) != Readiness.READY) return 0;
        }
    }

    /** A platform thread: epoll_wait blocks, woken by events, wakeup, interrupt or close. */
    private int awaitInKernel(long nanos, long deadline) throws IOException {
        for (;;) {
            int millis;
            if (nanos < 0) {
                millis = -1;
            } else if (nanos == 0) {
                millis = 0;
            } else {
                long left = deadline - System.nanoTime();
                millis = left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
            }
            int n = events.await(life.fd, millis);
            if (n != -EINTR) return check(n);
            if (Thread.currentThread().isInterrupted() || life.isClosed()) return 0;
        }
    }

    private int check(int n) throws IOException {
        if (n < 0) throw Errors.of("epoll_wait", -n, "event loop");
        return n;
    }

    /** Turns the kernel's events into Ready objects, dropping wake-ups and closed sockets. */
    private void collect(int n) {
        int k = 0;
        synchronized (lock) {
            for (int i = 0; i < n; i++) {
                long data = events.data(i);
                if (data == WAKE) {
                    drainWakeups();
                    continue;
                }
                int fd = (int) data;
                Socket s = fd >= 0 && fd < sockets.length ? sockets[fd] : null;
                if (s == null || s.isClosed()) continue;
                Ready r = ready[k++];
                r.socket = s;
                r.bits = events.events(i);
            }
        }
        for (int i = k; i < readyCount; i++) ready[i].socket = null; // let go of the rest
        readyCount = k;
    }

    private void drainWakeups() {
        Epoll.drain(wakeRead);
    }

    /**
     * Makes a poll in progress (or the next one, if none is) return at once, as
     * {@link java.nio.channels.Selector#wakeup()}. Safe from any thread; a no-op once closed.
     */
    public void wakeup() {
        if (!life.tryAcquire()) return;
        try {
            Epoll.wake(wakeWrite);
        } finally {
            life.release();
        }
    }

    /**
     * Closes the epoll fd, close(2). Idempotent; a poll in progress wakes and throws
     * {@link java.nio.channels.AsynchronousCloseException}. The registered sockets stay open.
     */
    @Override
    public void close() {
        if (!life.tryAcquire()) return; // already closed
        try {
            life.close(); // our own hold keeps the fds open until release, so the wake-up below lands
            Epoll.wake(wakeWrite);
        } finally {
            life.release();
        }
        synchronized (lock) {
            java.util.Arrays.fill(sockets, null);
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return life.isClosed();
    }

    @Override
    public String toString() {
        return "EventLoop[epfd=" + life.fd + (life.isClosed() ? " closed" : "") + "]";
    }

    private final class ReadyList extends AbstractList<Ready> implements RandomAccess {
        @Override
        public Ready get(int index) {
            Objects.checkIndex(index, readyCount);
            return ready[index];
        }

        @Override
        public int size() {
            return readyCount;
        }
    }
}
