package io.ffsock.msg;

import io.ffsock.testing.NativePeers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer process of these tests (a native-tests program or a python3 script), possibly run as
 * another user. Its stdout is read line by line as it comes; {@link #awaitLine} waits for one.
 * {@link #close()} kills it if it is still running and closes its pipes, so no fd is left.
 */
final class Child implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 20;
    /** The user and group the tests run peers as when they must be someone else. */
    static final int NOBODY = 65534;

    private static final String EOF = "\u0000EOF";
    private final List<String> command;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final CompletableFuture<String> stderr = new CompletableFuture<>();

    private Child(List<String> command) {
        this.command = List.copyOf(command);
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command + ": " + e, e);
        }
        Thread.ofPlatform().daemon().name("child-" + process.pid() + "-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                lines.add("(stdout: " + e + ")");
            } finally {
                lines.add(EOF);
            }
        });
        Thread.ofPlatform().daemon().name("child-" + process.pid() + "-stderr").start(() -> {
            try (var in = process.getErrorStream()) {
                stderr.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                stderr.complete("(stderr: " + e + ")");
            }
        });
    }

    /** Starts {@code command}. */
    static Child start(String... command) {
        return new Child(List.of(command));
    }

    /** Starts the native-tests program {@code name} (built first if needed). */
    static Child nativePeer(String name, String... args) {
        List<String> c = new ArrayList<>();
        c.add(NativePeers.binary(name).toString());
        c.addAll(List.of(args));
        return new Child(c);
    }

    /** Starts the native-tests program {@code name} as uid/gid 65534 with no groups (setpriv). */
    static Child nativePeerAsNobody(String name, String... args) {
        List<String> c = new ArrayList<>(asNobody());
        Path binary = NativePeers.binary(name);
        c.add(binary.toString());
        c.addAll(List.of(args));
        return new Child(c);
    }

    /** Starts {@code python3 -c script args...}. */
    static Child python(String script, String... args) {
        List<String> c = new ArrayList<>(List.of(python3(), "-c", script));
        c.addAll(List.of(args));
        return new Child(c);
    }

    /** Starts {@code python3 -c script args...} as uid/gid 65534 with no groups (setpriv). */
    static Child pythonAsNobody(String script, String... args) {
        List<String> c = new ArrayList<>(asNobody());
        c.addAll(List.of(python3(), "-c", script));
        c.addAll(List.of(args));
        return new Child(c);
    }

    private static List<String> asNobody() {
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            throw new AssertionError("these tests run peers as nobody with /usr/bin/setpriv (util-linux): not installed");
        }
        return List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups");
    }

    /**
     * A python3 that any user may run (a pyenv shim under /root is not): /usr/bin/python3 or
     * /usr/local/bin/python3. Fails (never skips) without one: python is the independent peer here.
     */
    static String python3() {
        for (String p : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            if (Files.isExecutable(Path.of(p))) return p;
        }
        throw new AssertionError("python3 is needed as an independent peer (socket.send_fds/recv_fds):"
                + " install it at /usr/bin/python3 (apt-get install python3)");
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the next stdout line that starts with {@code prefix} (earlier lines are kept). */
    String awaitLine(String prefix) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        try {
            for (;;) {
                String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) throw new AssertionError(command + ": no line '" + prefix + "...' within "
                        + TIMEOUT_SECONDS + " s; stdout so far " + seen + "; stderr:\n" + stderrNow());
                if (line.equals(EOF)) {
                    lines.add(EOF);
                    throw new AssertionError(command + " ended without printing '" + prefix + "...'; stdout " + seen
                            + "; exit " + exitStatus() + "; stderr:\n" + stderrNow());
                }
                seen.add(line);
                if (line.startsWith(prefix)) return line;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for the process to exit, asserts status 0, and returns every stdout line it printed. */
    List<String> finish() {
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(command + " still running after " + TIMEOUT_SECONDS + " s; stdout " + seen
                        + "; stderr:\n" + stderrNow());
            }
            for (;;) {
                String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (line == null || line.equals(EOF)) break;
                seen.add(line);
            }
            lines.add(EOF);
            String err = stderr.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited with " + process.exitValue() + "; stdout " + seen + "; stderr:\n" + err);
            }
            return List.copyOf(seen);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private String exitStatus() {
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? "(running)" : String.valueOf(process.exitValue());
    }

    private String stderrNow() {
        try {
            return stderr.get(process.isAlive() ? 0 : 2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "(not yet read)";
        }
    }

    /** Kills the process if it still runs, waits for it, and closes its pipes. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        try {
            process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            stderr.get(TIMEOUT_SECONDS, TimeUnit.SECONDS); // the reader thread closed stderr
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            // the stdout reader closes stdout when it reaches EOF
            while (!lines.contains(EOF) && System.nanoTime() < end) Thread.sleep(5);
            process.getOutputStream().close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }
}
