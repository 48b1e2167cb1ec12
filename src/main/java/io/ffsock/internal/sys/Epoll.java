package io.ffsock.internal.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * epoll(7): epoll_create1(2), epoll_ctl(2), epoll_wait(2), and the array of struct epoll_event
 * that epoll_wait fills.
 *
 * <p>Same conventions as {@link Syscalls}: the C result or {@code -errno}, errno captured at the
 * call. epoll_wait blocks, so its handle is never {@link java.lang.foreign.Linker.Option#critical
 * critical}; the event array is native memory the caller allocates once, an {@link Events}.
 */
public final class Epoll {
    private Epoll() {}

    private static final MethodHandle EPOLL_CREATE1 = Syscalls.errnoHandle("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CTL = Syscalls.errnoHandle("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle EPOLL_WAIT = Syscalls.errnoHandle("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);

    private static final long SIZE = Structs.EPOLL_EVENT.byteSize();
    private static final long EVENTS = Structs.EPOLL_EVENT.byteOffset(PathElement.groupElement("events"));
    private static final long DATA = Structs.EPOLL_EVENT.byteOffset(PathElement.groupElement("data"));
    /** {@code data} is at offset 4 on x86_64: read it without an alignment check. */
    private static final ValueLayout.OfLong DATA_LAYOUT = ValueLayout.JAVA_LONG_UNALIGNED;

    /** epoll_create1(2) with EPOLL_CLOEXEC; returns the new epoll fd or -errno. */
    public static int epollCreate1() {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            int r = (int) EPOLL_CREATE1.invokeExact(s.errno, Const.EPOLL_CLOEXEC);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /**
     * epoll_ctl(2): {@code op} is EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL; {@code events}
     * and {@code data} fill the struct epoll_event (ignored by DEL). Returns 0 or -errno.
     */
    public static int epollCtl(int epfd, int op, int fd, int events, long data) {
        Syscalls.Scratch s = Syscalls.scratch();
        MemorySegment e = s.value;
        e.set(JAVA_INT, EVENTS, events);
        e.set(DATA_LAYOUT, DATA, data);
        try {
            int r = (int) EPOLL_CTL.invokeExact(s.errno, epfd, op, fd, e);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /**
     * epoll_wait(2) into {@code events}; returns how many events were
     * stored, 0 on timeout, or -errno (EINTR included: the caller decides whether to retry).
     *
     * @param timeoutMillis -1 waits for ever, 0 returns at once
     */
    static int epollWait(int epfd, MemorySegment events, int timeoutMillis) {
        Syscalls.Scratch s = Syscalls.scratch();
        int max = (int) Math.min(Integer.MAX_VALUE, events.byteSize() / SIZE);
        try {
            int r = (int) EPOLL_WAIT.invokeExact(s.errno, epfd, events, max, timeoutMillis);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /**
     * An array of struct epoll_event in native memory (freed by the GC), filled by
     * {@link #await}: one per thread that waits, reused for every wait.
     */
    public static final class Events {
        private final MemorySegment array;

        public Events(int capacity) {
            array = Arena.ofAuto().allocate(SIZE * capacity, 8);
        }

        /** epoll_wait(2) into this array; see {@link Epoll#epollWait}. */
        public int await(int epfd, int timeoutMillis) {
            return epollWait(epfd, array, timeoutMillis);
        }

        /** The {@code events} bits of the {@code i}th event. */
        public int events(int i) {
            return array.get(JAVA_INT, i * SIZE + EVENTS);
        }

        /** The {@code data} of the {@code i}th event. */
        public long data(int i) {
            return array.get(DATA_LAYOUT, i * SIZE + DATA);
        }
    }

    /** The 8-byte 1 that {@link #wake} adds to an eventfd's counter; never written after this. */
    private static final MemorySegment ONE = Arena.global().allocate(JAVA_LONG);

    static {
        ONE.set(JAVA_LONG, 0, 1L);
    }

    /** Where {@link #drain} reads a counter to; never read. */
    private static final MemorySegment DRAINED = Arena.global().allocate(JAVA_LONG);

    /**
     * A wake-up fd: eventfd(2), non-blocking and close-on-exec, readable while {@link #wake} has
     * been called since the last {@link #drain}. Returns the fd or -errno. (Not a pipe: a write to
     * an eventfd never raises SIGPIPE, so it needs no signal blocking around it, and one fd
     * serves both ends.)
     */
    public static int wakeFd() {
        return Syscalls.eventfd(0, Const.EFD_NONBLOCK | Const.EFD_CLOEXEC);
    }

    /** Makes a {@link #wakeFd} readable: one write(2) of 1 to its counter. */
    public static void wake(int wakeFd) {
        Syscalls.write(wakeFd, ONE);
    }

    /** Makes a {@link #wakeFd} unreadable again: one read(2), which resets its counter. */
    public static void drain(int wakeFd) {
        Syscalls.read(wakeFd, DRAINED); // however many wake() calls there were: one wake-up stands for all
    }
}
