package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Parks the virtual threads whose socket call would block, and unparks them when epoll says the
 * socket is ready.
 *
 * <p><b>Threads.</b> The sockets' epoll set is read by a virtual thread, {@code ffsock-poller},
 * with epoll_wait timeout 0: while there is traffic it takes a batch of events, unparks their
 * waiters and yields, running between the threads it woke on the same carriers, so a busy
 * process wakes no OS thread for a socket event. When a poll finds nothing it re-arms its epoll
 * fd, EPOLLONESHOT, in a second epoll set watched by a platform thread,
 * {@code ffsock-poller-master}, blocked in epoll_wait, and parks; the master unparks it at the
 * next event. (The JDK's own poller for virtual threads has the same shape.)
 *
 * <p><b>Registration.</b> A socket's fd joins the epoll set the first time a thread waits on it
 * here, edge-triggered for EPOLLIN | EPOLLRDHUP (EPOLLOUT is added the first time a thread waits
 * to write), and stays until {@link FdLife} takes it out just before close(2). Edge-triggered, so
 * at most two epoll_ctl per socket rather than one per wait, and a registered socket nobody waits
 * on costs one cheap event per state change at most. An edge may come between the call's EAGAIN
 * and the waiter's parking; the per-direction event counts of {@link Registration} catch it
 * without a lock or a poll(2). Wake-ups may be spurious: the woken call retries its system call,
 * and waits again on EAGAIN.
 *
 * <p><b>Close.</b> {@link FdLife#close()} shuts the socket down (which epoll reports) and also
 * unparks every waiter of the fd itself, so a waiter wakes even where shutdown(2) gives no event.
 *
 * <p><b>Life.</b> The thread starts with the first registration and ends once no fd has been
 * registered for {@link #idleNanos} (0.5 s); the next registration starts a new one. It is a daemon
 * thread: it never holds the JVM up at exit.
 */
final class Poller {
    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
    }

    /** Results of {@link #await}. */
    static final int READY = 0;
    static final int TIMED_OUT = 1;
    static final int INTERRUPTED = 2;

    /**
     * What a socket is first registered for. EPOLLOUT is added only once a thread waits to write:
     * edge-triggered EPOLLOUT fires each time the peer drains what we sent, which in a
     * request/response exchange would wake the poller for nothing after every message.
     */
    private static final int EVENTS = EPOLLIN | EPOLLRDHUP | EPOLLET;
    private static final long WAKE = -1L;
    private static final long SOCKETS = -2L;
    private static final int MAX_EVENTS = 256;

    /** How long the thread lingers with nothing registered; tests shorten it. */
    static volatile long idleNanos = TimeUnit.MILLISECONDS.toNanos(500);

    private static final Object LOCK = new Object();
    /** The running poller, or null. Guarded by LOCK, as are every poller's table and count. */
    private static Poller current;
    private static int nextId;

    /** The sockets, edge-triggered; read by {@link #poller}. */
    private final int epfd;
    /** {@link #epfd} (EPOLLONESHOT, armed when the poller parks) and the wake-up eventfd. */
    private final int masterEpfd;
    /** An eventfd ({@link Epoll#wakeFd}): writing to it wakes the master (to start its idle clock). */
    private final int wake;
    private final Thread master;
    private final Thread poller;
    private volatile boolean stopping;
    /** Registrations by fd number, read by the poller thread without the lock; written under it. */
    private volatile AtomicReferenceArray<Registration> table = new AtomicReferenceArray<>(1024);
    private int registered;

    /**
     * One fd in the epoll set, and the threads waiting on it.
     *
     * <p>Each direction has an event count, bumped by the poller thread (its only writer) for
     * every event that direction cares about, and a slot for the thread waiting on it; a second
     * waiter in the same direction (two threads reading one socket) goes to a locked list. A
     * waiter reads the count before its system call ({@link #token}); after EAGAIN it takes its
     * slot and parks only while the count is unchanged. The poller bumps the count and then looks
     * at the slot; the waiter takes the slot and then looks at the count (all volatile), so either
     * the poller sees the waiter or the waiter sees the new count: no event is lost, with no lock
     * and no extra system call on the way to park.
     */
    static final class Registration {
        final Poller poller;
        final int fd;
        final int id;
        private volatile int readEvents;
        private volatile int writeEvents;
        private volatile Thread reader;
        private volatile Thread writer;
        /** Waiters that found their slot taken, guarded by this; counted in {@link #crowd}. */
        private final java.util.ArrayList<Thread> moreReaders = new java.util.ArrayList<>(0);
        private final java.util.ArrayList<Thread> moreWriters = new java.util.ArrayList<>(0);
        private volatile int crowd;
        private volatile boolean watchesWrites;

        private static final java.lang.invoke.VarHandle READER;
        private static final java.lang.invoke.VarHandle WRITER;

        static {
            try {
                var l = java.lang.invoke.MethodHandles.lookup();
                READER = l.findVarHandle(Registration.class, "reader", Thread.class);
                WRITER = l.findVarHandle(Registration.class, "writer", Thread.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private Registration(Poller poller, int fd, int id) {
            this.poller = poller;
            this.fd = fd;
            this.id = id;
        }

        /** Whether a wait for {@code events} (poll(2) bits) is a wait to read (or for an error). */
        private static boolean reads(int events) {
            return (events & (POLLIN | POLLERR | POLLPRI)) != 0;
        }

        /** The event count a wait for {@code events} watches. */
        int count(int events) {
            return reads(events) ? readEvents : writeEvents;
        }

        private void enqueue(Thread t, boolean read) {
            if ((read ? READER : WRITER).compareAndSet(this, null, t)) return;
            synchronized (this) {
                (read ? moreReaders : moreWriters).add(t);
                crowd++;
            }
        }

        private void dequeue(Thread t, boolean read) {
            if ((read ? READER : WRITER).compareAndSet(this, t, null)) return;
            synchronized (this) {
                if ((read ? moreReaders : moreWriters).remove(t)) crowd--;
            }
        }

        /** Called by the poller thread only: counts the event and unparks who waits for it. */
        void signal(int events) {
            boolean read = (events & (POLLIN | POLLERR | POLLHUP | POLLPRI)) != 0;
            boolean write = (events & (POLLOUT | POLLERR | POLLHUP)) != 0;
            if (read) readEvents++;
            if (write) writeEvents++;
            if (read) unpark(reader);
            if (write) unpark(writer);
            if (crowd > 0) {
                synchronized (this) {
                    if (read) moreReaders.forEach(LockSupport::unpark);
                    if (write) moreWriters.forEach(LockSupport::unpark);
                }
            }
        }

        /** Unparks every waiter: the fd is being closed (each sees it closed and returns). */
        void wakeAll() {
            unpark(reader);
            unpark(writer);
            synchronized (this) {
                moreReaders.forEach(LockSupport::unpark);
                moreWriters.forEach(LockSupport::unpark);
            }
        }

        private static void unpark(Thread t) {
            if (t != null) LockSupport.unpark(t);
        }
    }

    private Poller() throws IOException {
        int ep = Epoll.epollCreate1();
        if (ep < 0) throw Errors.of("epoll_create1", -ep, null);
        int mep = Epoll.epollCreate1();
        if (mep < 0) {
            Syscalls.close(ep);
            throw Errors.of("epoll_create1", -mep, null);
        }
        int w = Epoll.wakeFd();
        if (w < 0) {
            Syscalls.close(ep);
            Syscalls.close(mep);
            throw Errors.of("eventfd", -w, null);
        }
        epfd = ep;
        masterEpfd = mep;
        wake = w;
        int r = Epoll.epollCtl(mep, EPOLL_CTL_ADD, wake, EPOLLIN, WAKE);
        if (r >= 0) r = Epoll.epollCtl(mep, EPOLL_CTL_ADD, ep, EPOLLIN | EPOLLONESHOT, SOCKETS);
        if (r < 0) {
            closeFds();
            throw Errors.of("epoll_ctl(EPOLL_CTL_ADD)", -r, "poller");
        }
        master = Thread.ofPlatform().name("ffsock-poller-master").daemon().unstarted(this::runMaster);
        poller = Thread.ofVirtual().name("ffsock-poller").unstarted(this::runPoller);
    }

    private void closeFds() {
        Syscalls.close(epfd);
        Syscalls.close(masterEpfd);
        Syscalls.close(wake);
    }

    /** The running poller's threads, master first, or an empty list (for tests). */
    static java.util.List<Thread> threads() {
        synchronized (LOCK) {
            return current == null ? java.util.List.of() : java.util.List.of(current.master, current.poller);
        }
    }

    /**
     * The event count to pass to {@link #await}, read before the system call whose EAGAIN leads
     * there: an event after this read wakes the wait even if it comes before the wait begins.
     */
    static int token(FdLife life, int events) {
        Registration r = life.registration;
        return r == null ? 0 : r.count(events); // a registration made later starts at 0
    }

    /**
     * Waits until {@code life}'s fd reports one of {@code events} (poll(2) bits; errors and
     * hang-ups always count) after {@code token} was read, the fd is closed, {@code deadline}
     * passes (a nanoTime; 0: never), or the thread is interrupted (its interrupt status is left set).
     *
     * @return {@link #READY}, {@link #TIMED_OUT} or {@link #INTERRUPTED}
     */
    static int await(FdLife life, int events, int token, long deadline) throws IOException {
        Registration r = register(life);
        // EPOLL_CTL_MOD reports the fd at once if it is writable already: no edge is missed.
        if ((events & POLLOUT) != 0 && !r.watchesWrites) watchWrites(r);
        boolean read = Registration.reads(events);
        Thread me = Thread.currentThread();
        r.enqueue(me, read);
        try {
            for (;;) {
                if (r.count(events) != token || life.isClosed()) return READY;
                if (me.isInterrupted()) return INTERRUPTED;
                if (deadline == 0) {
                    LockSupport.park(r);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return TIMED_OUT;
                    LockSupport.parkNanos(r, left);
                }
            }
        } finally {
            r.dequeue(me, read);
        }
    }

    /** Adds the fd to the epoll set, once; the caller holds it acquired, so the number is valid. */
    private static Registration register(FdLife life) throws IOException {
        Registration r = life.registration;
        if (r != null) return r;
        synchronized (LOCK) {
            r = life.registration;
            if (r != null) return r;
            Poller p = current;
            if (p == null) {
                p = new Poller();
                current = p;
                p.poller.start();
                p.master.start();
            }
            int id = ++nextId & Integer.MAX_VALUE;
            r = new Registration(p, life.fd, id);
            p.put(r);
            p.registered++;
            int e = Epoll.epollCtl(p.epfd, EPOLL_CTL_ADD, life.fd, EVENTS, key(r));
            if (e < 0) {
                p.remove(r);
                if (--p.registered == 0) p.wakeUp();
                throw Errors.of("epoll_ctl(EPOLL_CTL_ADD)", -e, "fd " + life.fd);
            }
            life.registration = r;
            return r;
        }
    }

    /** Adds EPOLLOUT to a registration, once (the caller holds the fd acquired). */
    private static void watchWrites(Registration r) throws IOException {
        synchronized (r) {
            if (r.watchesWrites) return;
            int e = Epoll.epollCtl(r.poller.epfd, EPOLL_CTL_MOD, r.fd, EVENTS | EPOLLOUT, key(r));
            if (e < 0) throw Errors.of("epoll_ctl(EPOLL_CTL_MOD)", -e, "fd " + r.fd);
            r.watchesWrites = true;
        }
    }

    /** Takes the fd out of the epoll set; called just before close(2), with no call in flight. */
    static void deregister(Registration r) {
        Poller p = r.poller;
        Epoll.epollCtl(p.epfd, EPOLL_CTL_DEL, r.fd, 0, 0);
        synchronized (LOCK) {
            p.remove(r);
            if (--p.registered == 0) p.wakeUp();
        }
    }

    /** The event's data: the fd, and the registration's id so a stale event finds no one. */
    private static long key(Registration r) {
        return ((long) r.id << 32) | (r.fd & 0xFFFFFFFFL);
    }

    private void put(Registration r) {
        AtomicReferenceArray<Registration> t = table;
        if (r.fd >= t.length()) {
            AtomicReferenceArray<Registration> bigger = new AtomicReferenceArray<>(Math.max(t.length() * 2, r.fd + 1));
            for (int i = 0; i < t.length(); i++) bigger.setPlain(i, t.getPlain(i));
            table = t = bigger;
        }
        t.set(r.fd, r);
    }

    private void remove(Registration r) {
        AtomicReferenceArray<Registration> t = table;
        if (r.fd < t.length()) t.compareAndSet(r.fd, r, null);
    }

    private void wakeUp() {
        Epoll.wake(wake);
    }

    /**
     * The virtual thread: takes the sockets' events without waiting and unparks their waiters;
     * when there are none, arms the master and parks.
     */
    private void runPoller() {
        Epoll.Events events = new Epoll.Events(MAX_EVENTS);
        while (!stopping) {
            int n = events.await(epfd, 0);
            if (n > 0) {
                dispatch(events, n);
                Thread.yield(); // let the threads just woken run before the next poll
                continue;
            }
            // Nothing ready: have the master unpark us at the next event. EPOLL_CTL_MOD re-checks
            // readiness, so an event that came since the poll above is not missed.
            Epoll.epollCtl(masterEpfd, EPOLL_CTL_MOD, epfd, EPOLLIN | EPOLLONESHOT, SOCKETS);
            if (!stopping) LockSupport.park(this);
        }
    }

    private void dispatch(Epoll.Events events, int n) {
        AtomicReferenceArray<Registration> t = table;
        for (int i = 0; i < n; i++) {
            long data = events.data(i);
            int fd = (int) data;
            Registration r = fd >= 0 && fd < t.length() ? t.get(fd) : null;
            if (r != null && r.id == (int) (data >>> 32)) r.signal(pollBits(events.events(i)));
        }
    }

    /**
     * The platform thread: waits in the kernel for the sockets' epoll fd to have events and
     * unparks the poller; ends both threads once nothing has been registered for a while.
     */
    private void runMaster() {
        try {
            Epoll.Events events = new Epoll.Events(4);
            long idleSince = 0;
            for (;;) {
                int timeout;
                synchronized (LOCK) {
                    if (registered > 0) {
                        idleSince = 0;
                        timeout = -1;
                    } else {
                        long now = System.nanoTime();
                        if (idleSince == 0) idleSince = now;
                        long left = idleNanos - (now - idleSince);
                        if (left <= 0) {
                            current = null;
                            break;
                        }
                        timeout = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
                    }
                }
                int n = events.await(masterEpfd, timeout);
                for (int i = 0; i < n; i++) {
                    if (events.data(i) == SOCKETS) {
                        LockSupport.unpark(poller);
                    } else {
                        Epoll.drain(wake); // the wake-up only restarts the idle clock above
                    }
                }
            }
            stopping = true;
            LockSupport.unpark(poller);
            boolean interrupted = false;
            for (;;) {
                try {
                    poller.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        } finally {
            closeFds();
        }
    }

    /** epoll bits as poll(2) bits (the same values), a peer's half-close counting as readable. */
    private static int pollBits(int epollEvents) {
        int bits = epollEvents & (POLLIN | POLLOUT | POLLERR | POLLHUP);
        if ((epollEvents & EPOLLRDHUP) != 0) bits |= POLLIN;
        return bits;
    }
}
