package io.ffsock.internal.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

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

    /** Contents never read: a byte to write to a wake-up pipe, and room to drain one into. */
    private static final MemorySegment WAKE_BYTES = Arena.global().allocate(64);

    /**
     * Writes one byte to the write end of a non-blocking wake-up pipe, write(2) with SIGPIPE
     * blocked ({@link Syscalls#writeNoSignal}): should the read end be closed first, this fails
     * with EPIPE instead of raising SIGPIPE, which ends a process where it is at its default action.
     */
    public static void wake(int pipeWriteEnd) {
        Syscalls.writeNoSignal(pipeWriteEnd, WAKE_BYTES.asSlice(0, 1));
    }

    /** Reads a non-blocking wake-up pipe until it is empty, read(2). */
    public static void drain(int pipeReadEnd) {
        while (Syscalls.read(pipeReadEnd, WAKE_BYTES) > 0) {
            // each wake() wrote a byte; one wake-up stands for all of them
        }
    }
}
