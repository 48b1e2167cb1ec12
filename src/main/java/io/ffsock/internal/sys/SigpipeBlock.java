package io.ffsock.internal.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * SIGPIPE blocked in the calling thread while something that may raise it runs: a write(2) to a
 * pipe or FIFO whose read end is closed raises SIGPIPE at the writing thread (pipe(7)), and where
 * SIGPIPE is at its default action (an embedder may have reset the JVM's handler) that ends the
 * process. Sockets do not need this: send(2) takes MSG_NOSIGNAL.
 *
 * <p>{@link #block} blocks SIGPIPE, pthread_sigmask(3), keeping the old mask, and notes whether a
 * SIGPIPE was pending already, sigpending(2). After a call that failed with EPIPE,
 * {@link #takeRaised} takes the SIGPIPE it raised and left pending, sigtimedwait(2) with a zero
 * timeout, unless one was pending before (that one is someone else's and stays: signals of one
 * kind do not queue). {@link #restore} puts the old mask back. All on one OS thread; an object per
 * thread (or per io_uring ring, which is single-thread).
 */
public final class SigpipeBlock {
    private static final MethodHandle PTHREAD_SIGMASK = Syscalls.plainHandle("pthread_sigmask", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SIGPENDING = Syscalls.plainHandle("sigpending", JAVA_INT, ADDRESS);
    private static final MethodHandle SIGISMEMBER = Syscalls.plainHandle("sigismember", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SIGTIMEDWAIT = Syscalls.plainHandle("sigtimedwait", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    /** {SIGPIPE} and a zero timeout: read-only, shared. */
    private static final MemorySegment SIGPIPE_SET = sigpipeSet();
    private static final MemorySegment ZERO_TIMEOUT = Arena.global().allocate(Structs.TIMESPEC);

    private final MemorySegment old;
    private final MemorySegment pending;
    private boolean pendingBefore;

    /** Native memory for two signal sets, freed with this object. */
    public SigpipeBlock() {
        Arena arena = Arena.ofAuto();
        old = arena.allocate(Structs.SIGSET_T);
        pending = arena.allocate(Structs.SIGSET_T);
    }

    private static MemorySegment sigpipeSet() {
        MemorySegment set = Arena.global().allocate(Structs.SIGSET_T);
        try {
            int r = (int) Syscalls.plainHandle("sigemptyset", JAVA_INT, ADDRESS).invokeExact(set);
            if (r == 0) r = (int) Syscalls.plainHandle("sigaddset", JAVA_INT, ADDRESS, JAVA_INT).invokeExact(set, Const.SIGPIPE);
            if (r != 0) throw new AssertionError("sigemptyset/sigaddset(SIGPIPE) failed");
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
        return set;
    }

    /** Blocks SIGPIPE in the calling thread; returns 0, or the error number pthread_sigmask gave. */
    public int block() {
        try {
            int e = (int) PTHREAD_SIGMASK.invokeExact(Const.SIG_BLOCK, SIGPIPE_SET, old);
            if (e != 0) return e;
            pendingBefore = (int) SIGPENDING.invokeExact(pending) == 0
                    && (int) SIGISMEMBER.invokeExact(pending, Const.SIGPIPE) == 1;
            return 0;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** After EPIPE: takes the SIGPIPE the failed call left pending, unless one was pending before. */
    public void takeRaised() {
        if (pendingBefore) return;
        try {
            int taken = (int) SIGTIMEDWAIT.invokeExact(SIGPIPE_SET, MemorySegment.NULL, ZERO_TIMEOUT);
            assert taken == Const.SIGPIPE || taken == -1 : taken; // -1: EAGAIN, none was raised here
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** Puts back the signal mask {@link #block} found. */
    public void restore() {
        try {
            int e = (int) PTHREAD_SIGMASK.invokeExact(Const.SIG_SETMASK, old, MemorySegment.NULL);
            assert e == 0 : e;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }
}
