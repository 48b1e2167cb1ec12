package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.AbstractList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * A typed readiness loop over epoll(7) or io_uring(7): for programs that run their own event loop
 * over non-blocking sockets instead of a thread per connection.
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
 * <p><b>Backends.</b> {@link Backend#EPOLL} is an epoll instance; {@link Backend#IO_URING} is an
 * io_uring instance whose poll requests (IORING_OP_POLL_ADD) give the same readiness, with every
 * change made between two polls handed to the kernel by the next poll's one io_uring_enter(2);
 * {@link Backend#AUTO} takes io_uring where this process may use it and epoll otherwise, and logs
 * why (System.Logger {@code io.ffsock.EventLoop}, INFO). {@link #open()} uses the system property
 * {@code ffsock.eventloop.backend} ({@code epoll}, {@code io_uring} or {@code auto}), epoll if
 * unset. Both backends report the same events for the same sockets; where io_uring differs
 * (closing a registered socket, the threads that submit) {@link Backend#IO_URING} says so.
 *
 * <p><b>Events.</b> Interest is a set of {@link Event#READ}, {@link Event#WRITE} and
 * {@link Event#PEER_CLOSED}; {@link Event#HANGUP} and {@link Event#ERROR} are always reported
 * (the kernel does). Each registration is {@link Trigger#LEVEL level}-triggered unless asked
 * otherwise.
 *
 * <p><b>Threads.</b> One thread polls at a time; {@link #register}, {@link #modify},
 * {@link #unregister}, {@link #wakeup} and {@link #close} may be called from any thread. On a
 * virtual thread, {@link #poll} parks (the loop's fd itself waits in ffsock's poller) instead of
 * holding its carrier in the kernel.
 *
 * <p><b>Interrupt and close.</b> As with a {@link java.nio.channels.Selector}: interrupting the
 * polling thread makes {@code poll} return at once (perhaps with no events) and leaves the
 * interrupt status set; {@link #wakeup()} does the same without an interrupt; {@link #close()}
 * wakes a poll in progress, which then throws {@link java.nio.channels.AsynchronousCloseException}.
 * Closing the loop closes none of the registered sockets.
 *
 * <p><b>Closing a socket.</b> Unregister a socket before closing it. If you do not, epoll drops it
 * from its set when its fd is closed (epoll(7)); the loop keeps a reference to the Socket until
 * its fd number is registered again or the loop is closed, and events still reported for a
 * closed socket (its fd was passed to another process, which keeps the open file alive) are
 * skipped. For io_uring see {@link Backend#IO_URING}.
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
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    /** The system property that chooses the backend of {@link #open()} and {@link #open(int)}. */
    static final String BACKEND_PROPERTY = "ffsock.eventloop.backend";

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

        final int bit;

        Trigger(int bit) {
            this.bit = bit;
        }
    }

    /**
     * Which kernel interface a loop waits with.
     */
    public enum Backend {
        /** io_uring if this process may use it (see {@link #IO_URING}), else epoll, with a log line saying why. */
        AUTO,
        /** epoll(7): epoll_ctl(2) per change, epoll_wait(2) per poll. */
        EPOLL,
        /**
         * io_uring(7), Linux 5.13 or later (multishot poll), set up with io_uring_setup(2); refused
         * with the reason ({@code kernel.io_uring_disabled}, a seccomp filter, an old kernel, a
         * missing opcode) and its errno when this process cannot use it.
         *
         * <p>How it matches epoll: a {@link Trigger#LEVEL} registration is a one-shot
         * IORING_OP_POLL_ADD that the next poll submits again for every socket it reported, so a
         * socket that is still ready is reported again at once, as epoll does; {@link Trigger#EDGE}
         * is a multishot poll (IORING_POLL_ADD_MULTI), which reports every wake-up of the socket
         * (the readiness seen by each, merged if several arrive between two polls);
         * {@link Trigger#ONESHOT} is a one-shot poll that only {@link #modify} submits again. HANGUP
         * and ERROR are added to every request, as epoll adds them. {@link #modify} removes the
         * request (IORING_OP_POLL_REMOVE) and adds a new one; register and modify take effect at
         * the next poll, all of them in that poll's one io_uring_enter(2) (or at once, if another
         * thread is polling: it is woken to submit them).
         *
         * <p>How it differs: a poll request holds its socket's fd (as an operation of a
         * {@link io.ffsock.uring ring} does), so {@link #unregister} waits until the kernel has
         * dropped the request (usually one io_uring_enter(2), a few microseconds). A registered
         * socket closed without unregistering is shut down (shutdown(2), as a socket closed while
         * a call uses it) and its fd is closed once the loop's next poll has removed the
         * request; its events are skipped. Requests belong to the thread that submitted them (the
         * polling thread): a request the kernel cancels (-ECANCELED) when that thread ends is
         * submitted again by the next poll.
         */
        IO_URING;

        static Backend fromProperty() {
            String v = System.getProperty(BACKEND_PROPERTY);
            if (v == null || v.isBlank()) return EPOLL;
            return switch (v.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
                case "epoll" -> EPOLL;
                case "io_uring", "iouring", "uring" -> IO_URING;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("system property " + BACKEND_PROPERTY + "=" + v
                        + ": expected epoll, io_uring or auto");
            };
        }
    }

    /** One ready socket in the list {@link #poll} returns; reused by the next poll. */
    public static final class Ready {
        Socket socket;
        int bits;

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

        /** The raw epoll event bits (EPOLLIN, EPOLLOUT ...), for what the enum does not name; the same poll(2) bits under io_uring. */
        public int epollEvents() {
            return bits;
        }

        @Override
        public String toString() {
            return socket + " " + events();
        }
    }

    /** What a backend does; the loop around it checks arguments and keeps the ready list. */
    interface Impl {
        /** Adds, changes or removes a registration ({@code op} is EPOLL_CTL_ADD, _MOD or _DEL). */
        void control(int op, Socket socket, int events, Trigger trigger) throws IOException;

        /**
         * Waits ({@code nanos} < 0 for ever, 0 not at all) and fills {@code ready} from index 0;
         * returns how many.
         */
        int poll(long nanos, Ready[] ready, Interruption.Waking interruptor) throws IOException;

        void wakeup();

        void close();

        boolean isClosed();

        /** What the Cleaner runs once the loop is unreachable; must not refer to the loop. */
        Runnable cleanup();
    }

    private final Impl impl;
    private final Backend backend;
    private final Ready[] ready;
    private final ReadyList readyList = new ReadyList();
    private final Interruption.Waking interruptor = new Interruption.Waking(this::wakeup);
    private int readyCount;

    private EventLoop(Impl impl, Backend backend, int maxEvents) {
        this.impl = impl;
        this.backend = backend;
        this.ready = new Ready[maxEvents];
        for (int i = 0; i < maxEvents; i++) ready[i] = new Ready();
        CLEANER.register(this, impl.cleanup());
    }

    /**
     * Opens an event loop that reports up to 256 ready sockets per poll, on the backend the system
     * property {@code ffsock.eventloop.backend} names ({@code epoll}, {@code io_uring} or
     * {@code auto}; epoll if unset).
     */
    public static EventLoop open() throws IOException {
        return open(256);
    }

    /**
     * Opens an event loop that reports up to {@code maxEvents} ready sockets per poll (more stay
     * pending for the next poll), on the backend the system property
     * {@code ffsock.eventloop.backend} names (epoll if unset); epoll_create1(2) with EPOLL_CLOEXEC.
     *
     * @throws IllegalArgumentException if the property names no backend, or {@code maxEvents} is
     *         not in 1..1048576
     */
    public static EventLoop open(int maxEvents) throws IOException {
        return open(Backend.fromProperty(), maxEvents);
    }

    /** {@link #open(Backend, int)} with up to 256 ready sockets per poll. */
    public static EventLoop open(Backend backend) throws IOException {
        return open(backend, 256);
    }

    /**
     * Opens an event loop on {@code backend} that reports up to {@code maxEvents} ready sockets per
     * poll: epoll_create1(2), or io_uring_setup(2) and mmap(2).
     *
     * @throws SyscallException for {@link Backend#IO_URING} where this process cannot use io_uring:
     *         the message says why and {@link SyscallError#errno()} is io_uring_setup's errno
     *         (EPERM, ENOSYS ...), or ENOSYS for a kernel without an opcode or feature the loop needs
     */
    public static EventLoop open(Backend backend, int maxEvents) throws IOException {
        Objects.requireNonNull(backend, "backend");
        if (maxEvents < 1 || maxEvents > 1 << 20) {
            throw new IllegalArgumentException("maxEvents " + maxEvents + " is not in 1..1048576");
        }
        if (backend == Backend.EPOLL) return new EventLoop(EpollLoop.open(maxEvents), Backend.EPOLL, maxEvents);
        String why = UringLoop.unavailableReason();
        if (why == null) {
            try {
                return new EventLoop(UringLoop.open(maxEvents), Backend.IO_URING, maxEvents);
            } catch (SyscallException e) {
                if (backend == Backend.IO_URING) throw e;
                why = e.getMessage();
            }
        } else if (backend == Backend.IO_URING) {
            throw UringLoop.unavailable(why);
        }
        LOG.log(System.Logger.Level.INFO, "EventLoop: io_uring unavailable, using epoll: " + why);
        return new EventLoop(EpollLoop.open(maxEvents), Backend.EPOLL, maxEvents);
    }

    /** The backend's implementation, for tests. */
    Impl impl() {
        return impl;
    }

    /** The backend this loop runs on: {@link Backend#EPOLL} or {@link Backend#IO_URING}, never AUTO. */
    public Backend backend() {
        return backend;
    }

    /** Adds {@code socket}, level-triggered, with interest in {@code interest}, epoll_ctl(2) EPOLL_CTL_ADD. */
    public void register(Socket socket, Set<Event> interest) throws IOException {
        register(socket, interest, Trigger.LEVEL);
    }

    /**
     * Adds {@code socket} with interest in {@code interest}, reported as {@code trigger} says,
     * epoll_ctl(2) EPOLL_CTL_ADD (io_uring: IORING_OP_POLL_ADD, submitted by the next poll).
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
     * Changes a registered socket's interest and trigger, epoll_ctl(2) EPOLL_CTL_MOD (io_uring:
     * IORING_OP_POLL_REMOVE and IORING_OP_POLL_ADD); this is also how a {@link Trigger#ONESHOT}
     * registration is armed again.
     *
     * @throws SyscallException ENOENT if it is not registered
     */
    public void modify(Socket socket, Set<Event> interest, Trigger trigger) throws IOException {
        control(EPOLL_CTL_MOD, socket, interest, trigger);
    }

    /**
     * Removes a registered socket, epoll_ctl(2) EPOLL_CTL_DEL (io_uring: IORING_OP_POLL_REMOVE,
     * waiting until the kernel has let go of the socket). Events already returned by a poll still
     * name it.
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
        impl.control(op, socket, Event.bits(interest), trigger);
    }

    /**
     * Waits for registered sockets to become ready, epoll_wait(2) or io_uring_enter(2), and returns
     * them: at most {@code maxEvents}, none if the timeout passed, {@link #wakeup()} was called or
     * the thread was interrupted. The list and its {@link Ready} objects are reused by the next poll.
     *
     * @param timeout how long to wait: {@code null} for ever, {@link Duration#ZERO} not at all;
     *                epoll waits in whole milliseconds, rounded up
     * @throws java.nio.channels.AsynchronousCloseException if the loop was closed during the wait
     * @throws java.nio.channels.ClosedChannelException if it was closed before
     * @throws IllegalStateException (io_uring) if another thread is polling this loop
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
        int n = impl.poll(nanos, ready, interruptor);
        for (int i = n; i < readyCount; i++) ready[i].socket = null; // let go of the rest
        readyCount = n;
        return readyList;
    }

    /**
     * Makes a poll in progress (or the next one, if none is) return at once, as
     * {@link java.nio.channels.Selector#wakeup()}. Safe from any thread; a no-op once closed.
     */
    public void wakeup() {
        impl.wakeup();
    }

    /**
     * Closes the loop: close(2) of the epoll fd, or (io_uring) removal of every poll request, then
     * munmap(2) and close(2) of the ring. Idempotent; a poll in progress wakes and throws
     * {@link java.nio.channels.AsynchronousCloseException}. The registered sockets stay open.
     */
    @Override
    public void close() {
        impl.close();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return impl.isClosed();
    }

    @Override
    public String toString() {
        return impl.toString();
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
