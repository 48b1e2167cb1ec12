package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Spawning;
import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Starts a child process that receives chosen fds at chosen numbers, posix_spawnp(3): what the
 * JDK's {@link ProcessBuilder} cannot do, since it closes every fd above 2 in the child.
 *
 * <pre>{@code
 * try (ChildProcess child = Spawn.command("python3", "server.py")
 *         .fd(3, socket)              // the socket is fd 3 in the child
 *         .start()) {
 *     ExitStatus how = child.waitFor();
 * }
 * }</pre>
 *
 * <p><b>Which fds the child gets.</b> Exactly 0, 1 and 2 (inherited from this process unless
 * redirected with {@link #stdin}, {@link #stdout}, {@link #stderr}) and those given to
 * {@link #fd}: the child's file actions close every other fd (posix_spawn_file_actions_addclose
 * and addclosefrom_np), so an fd opened without FD_CLOEXEC does not leak either. This matters: the
 * JVM itself keeps jar files and lib/modules open without FD_CLOEXEC. On a libc without
 * addclosefrom_np (glibc before 2.34) the fds listed in /proc/self/fd just before the spawn are
 * closed one by one instead, which misses an fd another thread opens without FD_CLOEXEC meanwhile.
 * The sources are first duplicated to fresh CLOEXEC fds above every target number, so any
 * mapping works (fd 3 to 4 and 4 to 3, or a socket onto its own number, which dup2 alone would
 * leave close-on-exec) and the sources' own FD_CLOEXEC flags are not touched.
 *
 * <p><b>Environment and signals.</b> The child gets this process's environment
 * ({@link System#getenv()}) unless {@link #environment()} is changed; an empty signal mask; and
 * every signal at its default disposition (none ignored). The program is looked up in this
 * process's PATH when it has no slash (posix_spawnp).
 *
 * <p><b>Cost.</b> {@link #start()} is compound: one fcntl(F_DUPFD_CLOEXEC) and one close per
 * mapped fd, posix_spawnp, then pidfd_open(2). posix_spawnp returns once the child has called
 * exec, so a virtual thread holds its carrier for that long (typically well under a millisecond).
 * A builder is not thread-safe; it may be started more than once.
 */
public final class Spawn {
    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
    }

    private final List<String> argv;
    private final Map<String, String> environment = new HashMap<>(System.getenv());
    /** Child fd number to source, in number order. */
    private final TreeMap<Integer, FdOwner> fds = new TreeMap<>();
    private Path directory;
    private List<String> activationNames;
    /** -1: this process's group; 0: a new group led by the child; > 0: that group. */
    private int processGroup = -1;
    private boolean newSession;

    private Spawn(List<String> argv) {
        this.argv = argv;
    }

    /**
     * A builder for {@code program} with {@code args}; the program is also the child's argv[0].
     *
     * @throws IllegalArgumentException if the program is empty, or any string holds a NUL byte
     * @throws NullPointerException     if the program or an argument is null
     */
    public static Spawn command(String program, String... args) {
        Objects.requireNonNull(program, "command: program is null");
        Objects.requireNonNull(args, "command: args is null");
        List<String> all = new ArrayList<>(args.length + 1);
        all.add(program);
        all.addAll(java.util.Arrays.asList(args));
        return command(all);
    }

    /**
     * A builder for {@code argv}: argv[0] is the program, the rest its arguments.
     *
     * @throws IllegalArgumentException if argv or the program is empty, or a string holds a NUL byte
     * @throws NullPointerException     if argv or any element is null
     */
    public static Spawn command(List<String> argv) {
        Objects.requireNonNull(argv, "command: argv is null");
        if (argv.isEmpty()) throw new IllegalArgumentException("command: argv is empty");
        for (int i = 0; i < argv.size(); i++) {
            String a = Objects.requireNonNull(argv.get(i), "command: argv[" + i + "] is null");
            if (a.indexOf('\0') >= 0) throw new IllegalArgumentException("command: argv[" + i + "] holds a NUL byte");
        }
        if (argv.get(0).isEmpty()) throw new IllegalArgumentException("command: the program name is empty");
        return new Spawn(List.copyOf(argv));
    }

    /**
     * The child's environment, to change in place; at first a copy of {@link System#getenv()}.
     * Checked at {@link #start()}: names non-empty and without '=', no NUL bytes.
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The child's working directory (posix_spawn_file_actions_addchdir_np, glibc 2.29+). A
     * relative program path is then resolved from this directory.
     *
     * @throws UnsupportedOperationException if this libc has no addchdir_np
     */
    public Spawn directory(Path directory) {
        Objects.requireNonNull(directory, "directory: path is null");
        if (!Spawning.hasChdir()) {
            throw new UnsupportedOperationException("directory: this libc has no posix_spawn_file_actions_addchdir_np"
                    + " (glibc 2.29 or later has it)");
        }
        if (directory.toString().indexOf('\0') >= 0) throw new IllegalArgumentException("directory: path holds a NUL byte");
        this.directory = directory;
        return this;
    }

    /**
     * Puts the child in process group {@code pgid} (posix_spawnattr_setpgroup): 0 makes a new
     * group led by the child (its pgid is its pid), so that a signal to the group reaches it and
     * everything it starts, and a terminal's job control leaves it alone; a positive number joins
     * that existing group of this session. By default the child stays in this process's group.
     *
     * @throws IllegalArgumentException if {@code pgid} is negative, or {@link #newSession()} was asked for
     */
    public Spawn processGroup(int pgid) {
        if (pgid < 0) throw new IllegalArgumentException("processGroup: negative pgid " + pgid);
        if (newSession) throw new IllegalArgumentException("processGroup: the child already gets a new session (and group)");
        this.processGroup = pgid;
        return this;
    }

    /**
     * Starts the child in a new session (setsid(2), POSIX_SPAWN_SETSID): it leads the session and
     * a new process group, and has no controlling terminal, as a daemon does.
     *
     * @throws IllegalArgumentException if {@link #processGroup} was asked for (a new session is a
     *                                  new group; joining another one is not possible from there)
     */
    public Spawn newSession() {
        if (processGroup >= 0) throw new IllegalArgumentException("newSession: a process group was already given");
        this.newSession = true;
        return this;
    }

    /**
     * Makes {@code source} (a {@link Socket} or an {@link OwnedFd}) fd number {@code childFd} in the
     * child, with FD_CLOEXEC clear there. 0, 1 and 2 replace the standard streams. The source stays
     * open and owned here; the child gets its own fd for the same open file description. The same
     * source may be given at several numbers.
     *
     * @throws IllegalArgumentException if the number is negative or already given, or the source
     *                                  is closed
     */
    public Spawn fd(int childFd, FdOwner source) {
        Objects.requireNonNull(source, "fd: source is null");
        if (childFd < 0) throw new IllegalArgumentException("fd: negative child fd " + childFd);
        if (fds.containsKey(childFd)) throw new IllegalArgumentException("fd: child fd " + childFd + " is already given");
        if (OwnedFd.lifeOf(source).isClosed()) throw new IllegalArgumentException("fd(" + childFd + "): " + source + " is closed");
        fds.put(childFd, source);
        return this;
    }

    /** The child's standard input: {@code fd(0, source)}. */
    public Spawn stdin(FdOwner source) {
        return fd(0, source);
    }

    /** The child's standard output: {@code fd(1, source)}. */
    public Spawn stdout(FdOwner source) {
        return fd(1, source);
    }

    /** The child's standard error: {@code fd(2, source)}. */
    public Spawn stderr(FdOwner source) {
        return fd(2, source);
    }

    /**
     * Starts the child the way systemd starts a socket-activated service (sd_listen_fds(3)): the
     * sockets at fds 3, 4, ..., {@code LISTEN_FDS} their count, {@code LISTEN_FDNAMES} their names
     * joined by ':', and {@code LISTEN_PID} the child's own pid.
     *
     * <p>The parent cannot know that pid before the child exists, so the child is {@code /bin/sh}
     * running {@code LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"} with the program and its
     * arguments: exec keeps the shell's pid, so LISTEN_PID is exactly the program's pid and
     * {@link ChildProcess#pid()}. Two consequences: the shell looks the program up in the
     * <em>child's</em> PATH, and a program that cannot be found or run makes the child exit with
     * 127 or 126 (the shell's codes, its message on the child's stderr) instead of failing start().
     *
     * @throws IllegalArgumentException if activation was already asked for, a name holds ':' or
     *                                  is empty, a socket is closed, or one of the numbers is already given
     */
    public Spawn socketActivation(List<SystemdSockets.Named> sockets) {
        Objects.requireNonNull(sockets, "socketActivation: sockets is null");
        if (activationNames != null) throw new IllegalArgumentException("socketActivation: already set");
        List<String> names = new ArrayList<>(sockets.size());
        for (SystemdSockets.Named n : sockets) {
            Objects.requireNonNull(n, "socketActivation: a socket is null");
            if (n.name().isEmpty() || n.name().indexOf(':') >= 0 || n.name().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("socketActivation: bad name '" + n.name() + "' (empty, or holds ':' or NUL)");
            }
            if (fds.containsKey(SystemdSockets.FIRST_FD + names.size())) {
                throw new IllegalArgumentException("socketActivation: child fd " + (SystemdSockets.FIRST_FD + names.size())
                        + " is already given");
            }
            names.add(n.name());
        }
        for (int i = 0; i < sockets.size(); i++) fd(SystemdSockets.FIRST_FD + i, sockets.get(i).socket());
        activationNames = List.copyOf(names);
        return this;
    }

    /**
     * Starts the child. Everything is checked before the first system call.
     *
     * @throws SyscallException  naming the call, errno and program, e.g.
     *                           {@code posix_spawnp(nosuchprog): ENOENT (No such file or directory)}
     * @throws java.nio.channels.ClosedChannelException if a source was closed after {@link #fd}
     * @throws IllegalArgumentException if the environment holds a bad name or value
     */
    public ChildProcess start() throws IOException {
        List<String> envp = environmentStrings();
        String program = argv.get(0);
        String file = program;
        List<String> args = argv;
        if (activationNames != null) {
            envp.add("LISTEN_FDS=" + activationNames.size());
            envp.add("LISTEN_FDNAMES=" + String.join(":", activationNames));
            file = "/bin/sh";
            args = new ArrayList<>(argv.size() + 3);
            args.addAll(List.of("/bin/sh", "-c", "LISTEN_PID=$$; export LISTEN_PID; exec \"$0\" \"$@\""));
            args.addAll(argv);
        }

        int n = fds.size();
        int[] targets = new int[n];
        FdLife[] sources = new FdLife[n];
        int i = 0;
        for (Map.Entry<Integer, FdOwner> e : fds.entrySet()) {
            targets[i] = e.getKey();
            sources[i++] = OwnedFd.lifeOf(e.getValue());
        }
        int highest = n == 0 ? 2 : Math.max(2, targets[n - 1]);
        int[] temps = new int[n];
        java.util.Arrays.fill(temps, -1);
        int acquired = 0;
        try {
            for (; acquired < n; acquired++) {
                if (!sources[acquired].tryAcquire()) {
                    throw Errors.closed("spawn(" + program + ")", "fd " + sources[acquired].fd + " for child fd " + targets[acquired],
                            "fd");
                }
            }
            for (int k = 0; k < n; k++) {
                int r = Syscalls.fcntl(sources[k].fd, F_DUPFD_CLOEXEC, highest + 1);
                if (r < 0) throw Errors.of("fcntl(F_DUPFD_CLOEXEC)", -r, "fd " + sources[k].fd + " for " + program);
                temps[k] = r;
            }
            boolean closeFrom = useCloseFrom;
            int[] close = closeFrom ? unusedBelow(targets, highest) : openFdsExcept(targets);
            Spawning.Spawned s = Spawning.posixSpawnp(file, args, envp, temps, targets,
                    close, closeFrom ? highest + 1 : -1, directory == null ? null : directory.toString(),
                    newSession ? POSIX_SPAWN_SETSID : processGroup >= 0 ? POSIX_SPAWN_SETPGROUP : 0, Math.max(processGroup, 0));
            if (s.failedCall() != null) throw Errors.of(s.failedCall(), s.error(), program);
            return own(s.pid(), program, newSession || processGroup == 0);
        } finally {
            for (int t : temps) if (t >= 0) Syscalls.close(t);
            for (int k = 0; k < acquired; k++) sources[k].release();
        }
    }

    /** The fd numbers from 3 to {@code highest} that no mapping targets: the child closes them. */
    private static int[] unusedBelow(int[] targets, int highest) {
        java.util.BitSet used = new java.util.BitSet();
        for (int t : targets) used.set(t);
        return java.util.stream.IntStream.rangeClosed(3, highest).filter(x -> !used.get(x)).toArray();
    }

    /**
     * Whether the child's other fds are closed with posix_spawn_file_actions_addclosefrom_np
     * (glibc 2.34+). Without it, every fd /proc/self/fd lists just before the spawn gets a close
     * action instead; an fd another thread opens without FD_CLOEXEC after that listing could then
     * still reach the child. Tests switch it off to exercise that path.
     */
    static volatile boolean useCloseFrom = Spawning.hasCloseFrom();

    /** Every fd from 3 up that this process has open, except {@code targets}: the child closes them. */
    private static int[] openFdsExcept(int[] targets) throws IOException {
        java.util.BitSet skip = new java.util.BitSet();
        for (int t : targets) skip.set(t);
        List<Integer> open = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> dir = java.nio.file.Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : dir) {
                int fd = Integer.parseInt(p.getFileName().toString());
                if (fd > 2 && !skip.get(fd)) open.add(fd);
            }
        }
        return open.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The pidfd for a child just started; if none can be had, the child is killed and reaped. */
    private static ChildProcess own(int pid, String program, boolean leadsGroup) throws IOException {
        int pidfd = Spawning.pidfdOpen(pid);
        if (pidfd >= 0) return new ChildProcess(pid, pidfd, program, leadsGroup);
        Spawning.kill(pid, SIGKILL);
        int[] status = new int[1];
        while (Spawning.waitpid(pid, 0, status) == -EINTR) {
            // retry: the child must not be left a zombie
        }
        throw Errors.of("pidfd_open", -pidfd, pid + " " + program + ", which was killed");
    }

    private List<String> environmentStrings() {
        List<String> envp = new ArrayList<>(environment.size() + 2);
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String k = Objects.requireNonNull(e.getKey(), "environment: a name is null");
            String v = Objects.requireNonNull(e.getValue(), "environment: the value of " + k + " is null");
            if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment: bad name '" + k + "' (empty, or holds '=' or NUL)");
            }
            if (v.indexOf('\0') >= 0) throw new IllegalArgumentException("environment: the value of " + k + " holds a NUL byte");
            if (activationNames != null && k.startsWith("LISTEN_")) continue; // set by socketActivation
            envp.add(k + "=" + v);
        }
        return envp;
    }
}
