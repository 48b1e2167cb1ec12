package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ffsock} command run as a separate process, the way a user runs it: the current JVM,
 * {@code --enable-native-access=ALL-UNNAMED}, the compiled classes, main class
 * {@code io.ffsock.tools.Main}. Its stdout and stderr are collected as they come; every wait is
 * bounded. Close it to kill the process if it is still running.
 */
final class CliProcess implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<String> args;
    private final Process process;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread outPump;
    private final Thread errPump;

    private CliProcess(List<String> args) throws IOException {
        this(args, javaCommand(args.toArray(String[]::new)));
    }

    private CliProcess(List<String> args, List<String> command) throws IOException {
        this.args = args;
        this.process = new ProcessBuilder(command).start();
        this.outPump = pump(process.getInputStream(), stdout, "stdout");
        this.errPump = pump(process.getErrorStream(), stderr, "stderr");
    }

    /** The command line that runs {@code ffsock ARGS...}: this JVM, the compiled classes, Main. */
    static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(classes().toString());
        cmd.add("io.ffsock.tools.Main");
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Starts {@code PREFIX... java ... Main ARGS...}: the command run through a wrapper such as
     * {@code ip netns exec NAME} (see {@code Netns.inside}) or {@code setpriv ...}.
     */
    static CliProcess startWrapped(java.util.function.UnaryOperator<List<String>> wrap, String... args) throws IOException {
        return new CliProcess(List.of(args), wrap.apply(javaCommand(args)));
    }

    /** As {@link #startWrapped}, with stdin closed, waiting for the exit. */
    static CliProcess runWrapped(java.util.function.UnaryOperator<List<String>> wrap, String... args) throws Exception {
        CliProcess p = startWrapped(wrap, args);
        p.closeStdin();
        p.awaitExit();
        return p;
    }

    /** The process id (of the JVM: {@code ip netns exec} and {@code setpriv} exec it). */
    long pid() {
        return process.pid();
    }

    /** Starts {@code ffsock ARGS...}. */
    static CliProcess start(String... args) throws IOException {
        return new CliProcess(List.of(args));
    }

    /** Runs {@code ffsock ARGS...} with stdin closed at once, and waits for it to exit. */
    static CliProcess run(String... args) throws Exception {
        CliProcess p = start(args);
        p.closeStdin();
        p.awaitExit();
        return p;
    }

    /** target/classes: where io.ffsock.tools.Main was loaded from. */
    private static Path classes() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Thread pump(InputStream from, ByteArrayOutputStream to, String name) {
        Thread t = Thread.ofPlatform().daemon().name("ffsock-" + name).start(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = from.read(buf)) > 0) {
                    synchronized (to) {
                        to.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            }
        });
        return t;
    }

    /** Writes to the process's stdin and flushes. */
    void write(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    String stdout() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until stdout is exactly {@code expected}; fails with both streams after {@link #WAIT}. */
    void awaitStdout(String expected) throws InterruptedException {
        await("stdout to be " + show(expected), () -> stdout().equals(expected) || stdout().length() > expected.length());
        if (!stdout().equals(expected)) fail(describe("stdout to be " + show(expected)));
    }

    /** Waits until stderr contains {@code text}. */
    void awaitStderrContains(String text) throws InterruptedException {
        await("stderr to contain " + show(text), () -> stderr().contains(text));
    }

    /** Waits for the process to exit; returns its status. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) fail(describe("exit"));
        outPump.join(WAIT.toMillis());
        errPump.join(WAIT.toMillis());
        return process.exitValue();
    }

    /** Sends SIGTERM and waits for the exit; returns its status. */
    int terminate() throws InterruptedException {
        process.destroy();
        return awaitExit();
    }

    private void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail(describe(what));
            if (!process.isAlive()) {
                outPump.join(2000);
                errPump.join(2000);
                if (done.getAsBoolean()) return;
                fail(describe(what) + " (it exited with " + process.exitValue() + ")");
            }
            Thread.sleep(10);
        }
    }

    String describe(String waitedFor) {
        return "ffsock " + String.join(" ", args) + ": waited " + WAIT.toSeconds() + " s for " + waitedFor
                + "\n--- stdout: " + show(stdout()) + "\n--- stderr: " + stderr();
    }

    static String show(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
