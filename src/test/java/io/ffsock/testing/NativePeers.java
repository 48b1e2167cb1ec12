package io.ffsock.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The C programs of {@code native-tests/}, built once per JVM and started as independent peers.
 *
 * <p>{@link #build()} runs {@code make -C native-tests OUT=target/native-tests} (under a file lock,
 * so parallel test JVMs do not race) and fails with the compiler's output if that fails. Every
 * other method builds first if needed.
 *
 * <pre>{@code
 * String address = NativePeers.abstractAddress("echo");      // "@ffsock-test-<pid>-<n>-echo"
 * try (NativePeers.Peer peer = NativePeers.start("seqpacket_echo", address)) {
 *     // connect to peer.address() ...
 * }                                                          // SIGTERM, wait, socket file removed
 * }</pre>
 *
 * <p>Peer programs (see {@code native-tests/peer.h}): {@code seqpacket_echo}, {@code dgram_echo},
 * {@code stream_echo}, each taking one address argument, a filesystem path or {@code @name} for
 * the abstract name {@code "\0name"}. The probe {@code conformance} is run with
 * {@link #binary(String)} instead.
 */
public final class NativePeers {
    private NativePeers() {}

    /** How long {@link #start} waits for a peer's {@code READY} line. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    /** How long {@link Peer#close()} waits for a peer to exit after SIGTERM before killing it. */
    public static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);
    /** sizeof(sun_path): a path socket address must be shorter (room for the NUL). */
    private static final int SUN_PATH = 108;

    private static final AtomicLong COUNTER = new AtomicLong();
    private static boolean built;
    private static Path socketDir;

    /** The Maven project directory: surefire's {@code basedir}, else the working directory. */
    public static Path projectDir() {
        String basedir = System.getProperty("basedir");
        return (basedir != null ? Path.of(basedir) : Path.of("")).toAbsolutePath();
    }

    /** {@code native-tests/}, the C sources. */
    public static Path sourceDir() {
        return projectDir().resolve("native-tests");
    }

    /** {@code target/native-tests/}, where the programs are built. */
    public static Path outputDir() {
        return projectDir().resolve("target").resolve("native-tests");
    }

    /**
     * Builds all native test programs unless this JVM already did. make decides what is out of
     * date. Throws {@link AssertionError} with make's and the compiler's output on failure.
     */
    public static synchronized void build() {
        if (built) {
            return;
        }
        Path out = outputDir();
        String output;
        int status;
        try {
            Files.createDirectories(out);
            try (FileChannel lockFile = FileChannel.open(out.resolve(".build.lock"),
                            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                Process make = new ProcessBuilder("make", "-C", sourceDir().toString(), "OUT=" + out)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                CompletableFuture<String> text = readAll(make);
                if (!make.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    make.destroyForcibly().waitFor();
                    throw new AssertionError("building native-tests took longer than " + BUILD_TIMEOUT
                            + ":\n" + text.getNow(""));
                }
                status = make.exitValue();
                output = text.get(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run make for native-tests (are make and gcc installed?): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building native-tests", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("cannot read make's output", e);
        }
        if (status != 0) {
            throw new AssertionError("building native-tests failed: make -C " + sourceDir() + " OUT=" + out
                    + " exited with " + status + ":\n" + output);
        }
        built = true;
    }

    /** The built program {@code name} (e.g. {@code "conformance"}), building first if needed. */
    public static Path binary(String name) {
        build();
        Path binary = outputDir().resolve(name);
        if (name.contains("/") || !Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw new IllegalArgumentException("no native test program '" + name + "' in " + outputDir());
        }
        return binary;
    }

    /**
     * Runs program {@code name} with {@code args} to completion and returns its stdout; fails with
     * its stderr if it exits with a status other than 0 or runs longer than {@code timeout}.
     */
    public static String run(Duration timeout, String name, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary(name).toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            CompletableFuture<String> stdout = readAll(process.getInputStream(), name + "-stdout");
            CompletableFuture<String> stderr = readAll(process.getErrorStream(), name + "-stderr");
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(command + " took longer than " + timeout + "; stderr:\n" + stderr.getNow(""));
            }
            String out = stdout.get(10, TimeUnit.SECONDS);
            String err = stderr.get(10, TimeUnit.SECONDS);
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited with " + process.exitValue() + "; stderr:\n" + err);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("cannot read the output of " + command, e);
        }
    }

    /**
     * Starts peer program {@code name} with {@code args} (normally just the address) and waits at
     * most {@link #READY_TIMEOUT} for its {@code READY <address>} line. The peer's stderr goes to
     * {@code target/native-tests/logs/<name>-<n>.stderr} and is quoted in failures.
     */
    public static Peer start(String name, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary(name).toString());
        command.addAll(List.of(args));
        long n = COUNTER.incrementAndGet();
        Path log = outputDir().resolve("logs").resolve(name + "-" + ProcessHandle.current().pid() + "-" + n + ".stderr");
        Process process;
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command)
                    .redirectError(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Peer peer = new Peer(name, command, process, log);
        String address;
        try {
            address = peer.ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            peer.kill();
            String why = e instanceof TimeoutException ? "printed no READY line within " + READY_TIMEOUT
                    : e instanceof ExecutionException ee ? ee.getCause().getMessage() : "interrupted";
            throw new AssertionError(command + " " + why + "; exit status "
                    + (process.isAlive() ? "(running)" : process.exitValue()) + "; stderr:\n" + peer.stderr());
        }
        peer.address = address;
        return peer;
    }

    /**
     * A fresh abstract address {@code "@ffsock-test-<pid>-<n>-<stem>"} (the peer binds
     * {@code "\0ffsock-test-..."}), unique in this network namespace while this JVM lives.
     */
    public static String abstractAddress(String stem) {
        return "@ffsock-test-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-" + stem;
    }

    /**
     * A fresh, not yet existing socket path in a per-JVM temporary directory under
     * {@code java.io.tmpdir}, short enough for sun_path.
     */
    public static synchronized Path socketPath(String stem) {
        try {
            if (socketDir == null) {
                socketDir = Files.createTempDirectory("ffsock-test-");
                socketDir.toFile().deleteOnExit(); // removed if empty at exit; peers unlink their sockets
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path path = socketDir.resolve(COUNTER.incrementAndGet() + "-" + stem + ".sock");
        if (path.toString().getBytes(StandardCharsets.UTF_8).length >= SUN_PATH) {
            throw new IllegalArgumentException("socket path too long for sun_path: " + path);
        }
        return path;
    }

    private static CompletableFuture<String> readAll(Process process) {
        return readAll(process.getInputStream(), "make-output");
    }

    private static CompletableFuture<String> readAll(java.io.InputStream in, String threadName) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(threadName).start(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** A running peer program. {@link #close()} ends it with SIGTERM and cleans up. */
    public static final class Peer implements AutoCloseable {
        private final String name;
        private final List<String> command;
        private final Process process;
        private final Path log;
        private final CompletableFuture<String> ready = new CompletableFuture<>();
        private final List<String> extraOutput = new ArrayList<>();
        private volatile String address;
        private boolean closed;

        private Peer(String name, List<String> command, Process process, Path log) {
            this.name = name;
            this.command = List.copyOf(command);
            this.process = process;
            this.log = log;
            Thread.ofPlatform().daemon().name(name + "-" + process.pid() + "-stdout").start(this::readStdout);
        }

        /** Reads the READY line, then drains stdout (the contract says nothing else comes). */
        private void readStdout() {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (!ready.isDone()) {
                        if (line.startsWith("READY ")) {
                            ready.complete(line.substring("READY ".length()));
                        } else {
                            ready.completeExceptionally(new IllegalStateException(
                                    "printed '" + line + "' instead of a READY line"));
                        }
                    } else {
                        synchronized (extraOutput) {
                            extraOutput.add(line);
                        }
                    }
                }
                ready.completeExceptionally(new IllegalStateException("exited before printing READY"));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        }

        /** The program name, e.g. {@code "seqpacket_echo"}. */
        public String name() {
            return name;
        }

        /** The address from the READY line: a path, or {@code @name} for an abstract name. */
        public String address() {
            return address;
        }

        /** The socket path if the address is a filesystem path. */
        public Optional<Path> path() {
            return address == null || address.startsWith("@") ? Optional.empty() : Optional.of(Path.of(address));
        }

        public Process process() {
            return process;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** What the peer wrote to stderr so far. */
        public String stderr() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }

        private void kill() {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            try {
                process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Sends SIGTERM, waits up to {@link #EXIT_TIMEOUT} (then SIGKILL), removes the socket file
         * if the peer left it, and kills any child process still alive. Throws
         * {@link AssertionError} with the peer's stderr if it had died or exits with a status
         * other than 0, since a peer that failed may have made a test pass or fail for the wrong
         * reason. Idempotent.
         */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            boolean diedEarly = !process.isAlive();
            List<ProcessHandle> descendants = process.descendants().toList();
            boolean killed = false;
            try {
                process.destroy(); // SIGTERM
                if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    killed = true;
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            } finally {
                descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
                path().ifPresent(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            List<String> extra;
            synchronized (extraOutput) {
                extra = List.copyOf(extraOutput);
            }
            String problem = killed ? "did not exit within " + EXIT_TIMEOUT + " of SIGTERM"
                    : diedEarly ? "had already exited with " + process.exitValue() + " before close"
                    : process.exitValue() != 0 ? "exited with " + process.exitValue() + " on SIGTERM"
                    : !extra.isEmpty() ? "wrote more than the READY line to stdout: " + extra
                    : null;
            if (problem != null) {
                throw new AssertionError(command + " " + problem + "; stderr:\n" + stderr());
            }
        }

        @Override
        public String toString() {
            return name + "[pid " + process.pid() + ", " + address + "]";
        }
    }
}
