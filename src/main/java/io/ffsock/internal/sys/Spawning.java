package io.ffsock.internal.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * Starting and reaping child processes: posix_spawnp(3) with its file actions and attributes,
 * waitpid(2), and the pidfd calls (pidfd_open(2), pidfd_send_signal(2), through syscall(2) so that
 * no glibc newer than the rest of ffsock needs is required).
 *
 * <p>A class of its own, so that these symbols are linked only by a program that starts
 * processes. The posix_spawn family returns an error number instead of setting errno; the other
 * calls return {@code -errno} like {@link Syscalls}.
 */
public final class Spawning {
    private Spawning() {}

    private static final Linker LINKER = Linker.nativeLinker();

    private static final MethodHandle POSIX_SPAWNP = Syscalls.plainHandle("posix_spawnp",
            JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle FILE_ACTIONS_INIT = Syscalls.plainHandle("posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
    private static final MethodHandle FILE_ACTIONS_DESTROY = Syscalls.plainHandle("posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
    private static final MethodHandle FILE_ACTIONS_ADDDUP2 = Syscalls.plainHandle("posix_spawn_file_actions_adddup2",
            JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle FILE_ACTIONS_ADDCLOSE = Syscalls.plainHandle("posix_spawn_file_actions_addclose",
            JAVA_INT, ADDRESS, JAVA_INT);
    /** glibc 2.34 and later. */
    private static final Optional<MethodHandle> FILE_ACTIONS_ADDCLOSEFROM_NP = optional(
            "posix_spawn_file_actions_addclosefrom_np", JAVA_INT, ADDRESS, JAVA_INT);
    /** glibc 2.29 and later. */
    private static final Optional<MethodHandle> FILE_ACTIONS_ADDCHDIR_NP = optional(
            "posix_spawn_file_actions_addchdir_np", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SPAWNATTR_INIT = Syscalls.plainHandle("posix_spawnattr_init", JAVA_INT, ADDRESS);
    private static final MethodHandle SPAWNATTR_DESTROY = Syscalls.plainHandle("posix_spawnattr_destroy", JAVA_INT, ADDRESS);
    private static final MethodHandle SPAWNATTR_SETFLAGS = Syscalls.plainHandle("posix_spawnattr_setflags",
            JAVA_INT, ADDRESS, JAVA_SHORT);
    private static final MethodHandle SPAWNATTR_SETPGROUP = Syscalls.plainHandle("posix_spawnattr_setpgroup",
            JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SPAWNATTR_SETSIGMASK = Syscalls.plainHandle("posix_spawnattr_setsigmask",
            JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SPAWNATTR_SETSIGDEFAULT = Syscalls.plainHandle("posix_spawnattr_setsigdefault",
            JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SIGEMPTYSET = Syscalls.plainHandle("sigemptyset", JAVA_INT, ADDRESS);
    private static final MethodHandle SIGFILLSET = Syscalls.plainHandle("sigfillset", JAVA_INT, ADDRESS);
    private static final MethodHandle WAITPID = Syscalls.errnoHandle("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle KILL = Syscalls.errnoHandle("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SIGABBREV_NP = Syscalls.plainHandle("sigabbrev_np", ADDRESS, JAVA_INT);
    // syscall is variadic; every argument after the number is passed as a long, as the kernel takes it.
    private static final MethodHandle SYSCALL_2 = LINKER.downcallHandle(Syscalls.symbol("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_4 = LINKER.downcallHandle(Syscalls.symbol("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));

    private static Optional<MethodHandle> optional(String name, java.lang.foreign.MemoryLayout result,
                                                   java.lang.foreign.MemoryLayout... args) {
        return LINKER.defaultLookup().find(name)
                .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(result, args)));
    }

    /** Whether this libc has posix_spawn_file_actions_addchdir_np (glibc 2.29+). */
    public static boolean hasChdir() {
        return FILE_ACTIONS_ADDCHDIR_NP.isPresent();
    }

    /** Whether this libc has posix_spawn_file_actions_addclosefrom_np (glibc 2.34+). */
    public static boolean hasCloseFrom() {
        return FILE_ACTIONS_ADDCLOSEFROM_NP.isPresent();
    }

    /**
     * What {@link #posixSpawnp} did: the child's pid, or the call that failed and its error number.
     *
     * @param pid        the child's pid (0 on failure)
     * @param failedCall the posix_spawn* function that failed, or null
     * @param error      its error number, or 0
     */
    public record Spawned(int pid, String failedCall, int error) {}

    /**
     * posix_spawnp(3) of {@code file} with {@code argv} and {@code envp}. The child's file actions,
     * in this order: dup2(dupFrom[i], dupTo[i]) for each i; close(n) for each n in {@code close}
     * (an fd that is not open is no error); closefrom({@code closeFrom}) unless it is negative
     * (glibc 2.34+ only; see {@link #hasCloseFrom()}); chdir({@code directory}) unless null (throws
     * {@link UnsupportedOperationException} where the libc lacks addchdir_np). Attributes: an empty
     * signal mask and every signal's disposition reset to the default (POSIX_SPAWN_SETSIGMASK |
     * POSIX_SPAWN_SETSIGDEF), so the child does not inherit the calling thread's mask or an
     * ignored signal; {@code extraFlags} adds POSIX_SPAWN_SETSID or POSIX_SPAWN_SETPGROUP (then
     * into {@code processGroup}, 0 for a new group led by the child). All the memory (attributes, file actions, argv and envp as NULL-terminated
     * arrays of C strings) is allocated for the call and freed after it; attributes and file
     * actions are always destroyed.
     */
    public static Spawned posixSpawnp(String file, List<String> argv, List<String> envp,
                                      int[] dupFrom, int[] dupTo, int[] close, int closeFrom, String directory,
                                      int extraFlags, int processGroup) {
        if (directory != null && FILE_ACTIONS_ADDCHDIR_NP.isEmpty()) {
            throw new UnsupportedOperationException(
                    "posix_spawn_file_actions_addchdir_np: not in this libc (glibc 2.29 or later has it)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(Structs.POSIX_SPAWN_FILE_ACTIONS_T);
            MemorySegment attr = arena.allocate(Structs.POSIX_SPAWNATTR_T);
            MemorySegment signals = arena.allocate(Structs.SIGSET_T);
            MemorySegment pid = arena.allocate(JAVA_INT);
            int e = (int) FILE_ACTIONS_INIT.invokeExact(actions);
            if (e != 0) return new Spawned(0, "posix_spawn_file_actions_init", e);
            try {
                e = (int) SPAWNATTR_INIT.invokeExact(attr);
                if (e != 0) return new Spawned(0, "posix_spawnattr_init", e);
                try {
                    for (int i = 0; i < dupFrom.length; i++) {
                        e = (int) FILE_ACTIONS_ADDDUP2.invokeExact(actions, dupFrom[i], dupTo[i]);
                        if (e != 0) return new Spawned(0, "posix_spawn_file_actions_adddup2", e);
                    }
                    for (int fd : close) {
                        e = (int) FILE_ACTIONS_ADDCLOSE.invokeExact(actions, fd);
                        if (e != 0) return new Spawned(0, "posix_spawn_file_actions_addclose", e);
                    }
                    if (closeFrom >= 0) {
                        if (FILE_ACTIONS_ADDCLOSEFROM_NP.isEmpty()) {
                            throw new UnsupportedOperationException("posix_spawn_file_actions_addclosefrom_np:"
                                    + " not in this libc (glibc 2.34 or later has it)");
                        }
                        e = (int) FILE_ACTIONS_ADDCLOSEFROM_NP.get().invokeExact(actions, closeFrom);
                        if (e != 0) return new Spawned(0, "posix_spawn_file_actions_addclosefrom_np", e);
                    }
                    if (directory != null) {
                        e = (int) FILE_ACTIONS_ADDCHDIR_NP.get().invokeExact(actions, arena.allocateFrom(directory));
                        if (e != 0) return new Spawned(0, "posix_spawn_file_actions_addchdir_np", e);
                    }
                    e = (int) SIGEMPTYSET.invokeExact(signals);
                    if (e == 0) e = (int) SPAWNATTR_SETSIGMASK.invokeExact(attr, signals);
                    if (e == 0) e = (int) SIGFILLSET.invokeExact(signals);
                    if (e == 0) e = (int) SPAWNATTR_SETSIGDEFAULT.invokeExact(attr, signals);
                    if (e == 0 && (extraFlags & Const.POSIX_SPAWN_SETPGROUP) != 0) {
                        e = (int) SPAWNATTR_SETPGROUP.invokeExact(attr, processGroup);
                    }
                    if (e == 0) e = (int) SPAWNATTR_SETFLAGS.invokeExact(attr,
                            (short) (Const.POSIX_SPAWN_SETSIGMASK | Const.POSIX_SPAWN_SETSIGDEF | extraFlags));
                    if (e != 0) return new Spawned(0, "posix_spawnattr_set*", e);
                    e = (int) POSIX_SPAWNP.invokeExact(pid, arena.allocateFrom(file), actions, attr,
                            strings(arena, argv), strings(arena, envp));
                    if (e != 0) return new Spawned(0, "posix_spawnp", e);
                    return new Spawned(pid.get(JAVA_INT, 0), null, 0);
                } finally {
                    int ignored = (int) SPAWNATTR_DESTROY.invokeExact(attr);
                }
            } finally {
                int ignored = (int) FILE_ACTIONS_DESTROY.invokeExact(actions);
            }
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** A NULL-terminated array of C strings (the arena zeroes the last slot). */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        return array;
    }

    /**
     * waitpid(2) for {@code pid} with {@code options}; returns the pid reaped (its wait status in
     * {@code status[0]}), 0 (WNOHANG and still running) or -errno.
     */
    public static int waitpid(int pid, int options, int[] status) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            int r = (int) WAITPID.invokeExact(s.errno, pid, s.value, options);
            if (r < 0) return -s.errno();
            if (r > 0) status[0] = s.value.get(JAVA_INT, 0);
            return r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** kill(2). */
    public static int kill(int pid, int signal) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            int r = (int) KILL.invokeExact(s.errno, pid, signal);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** pidfd_open(2) with no flags: an fd for the process, FD_CLOEXEC set, or -errno. */
    public static int pidfdOpen(int pid) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            long r = (long) SYSCALL_2.invokeExact(s.errno, (long) Const.SYS_pidfd_open, (long) pid, 0L);
            return r < 0 ? -s.errno() : (int) r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** pidfd_send_signal(2) with no siginfo and no flags. */
    public static int pidfdSendSignal(int pidfd, int signal) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            long r = (long) SYSCALL_4.invokeExact(s.errno, (long) Const.SYS_pidfd_send_signal, (long) pidfd,
                    (long) signal, 0L, 0L);
            return r < 0 ? -s.errno() : (int) r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** The signal's abbreviation without "SIG" (glibc's sigabbrev_np), e.g. {@code TERM}, or null. */
    public static String signalAbbreviation(int signal) {
        try {
            MemorySegment p = (MemorySegment) SIGABBREV_NP.invokeExact(signal);
            return p.equals(MemorySegment.NULL) ? null : p.reinterpret(32).getString(0);
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }
}
