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
 * critical}; the event array is native memory the caller allocates once with {@link #allocate}.
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
     * epoll_wait(2) into {@code events} (from {@link #allocate}); returns how many events were
     * stored, 0 on timeout, or -errno (EINTR included: the caller decides whether to retry).
     *
     * @param timeoutMillis -1 waits for ever, 0 returns at once
     */
    public static int epollWait(int epfd, MemorySegment events, int timeoutMillis) {
        Syscalls.Scratch s = Syscalls.scratch();
        int max = (int) Math.min(Integer.MAX_VALUE, events.byteSize() / SIZE);
        try {
            int r = (int) EPOLL_WAIT.invokeExact(s.errno, epfd, events, max, timeoutMillis);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** Native memory for {@code count} struct epoll_event, freed with {@code arena}. */
    public static MemorySegment allocate(Arena arena, int count) {
        return arena.allocate(SIZE * count, 8);
    }

    /** The {@code events} bits of the {@code i}th struct epoll_event in {@code array}. */
    public static int events(MemorySegment array, int i) {
        return array.get(JAVA_INT, i * SIZE + EVENTS);
    }

    /** The {@code data} of the {@code i}th struct epoll_event in {@code array}. */
    public static long data(MemorySegment array, int i) {
        return array.get(DATA_LAYOUT, i * SIZE + DATA);
    }
}
