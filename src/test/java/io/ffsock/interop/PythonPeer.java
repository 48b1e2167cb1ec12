package io.ffsock.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Python 3 program (an inline script, {@code python3 -c}) as the other side of an exchange. It
 * talks through its stdout, one line at a time ({@code READY}, {@code GOT <hex>}...); every wait is
 * bounded and {@link #close()} kills it. Python is required: if python3 cannot be started the test
 * fails, saying so; it is never skipped.
 */
final class PythonPeer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private PythonPeer(String script, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(args);
        try {
            process = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new AssertionError("the interop tests need python3 on PATH (they are not skipped without it): "
                    + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to close
        }
        Thread.ofPlatform().daemon().name("python-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) lines.add(line);
            } catch (IOException ignored) {
                // the process went away
            } finally {
                lines.add(EOF);
            }
        });
        Thread.ofPlatform().daemon().name("python-stderr").start(() -> {
            try {
                process.getErrorStream().transferTo(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        synchronized (stderr) {
                            stderr.write(b);
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        synchronized (stderr) {
                            stderr.write(b, off, len);
                        }
                    }
                });
            } catch (IOException ignored) {
                // the process went away
            }
        });
    }

    static PythonPeer start(String script, String... args) {
        return new PythonPeer(script, List.of(args));
    }

    /** The next line of the program's stdout; fails after {@link #WAIT} or at its end. */
    String line() throws InterruptedException {
        String l = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (l == null) fail("python3: no line within " + WAIT.toSeconds() + " s; stderr: " + stderr());
        if (l == EOF) {
            lines.add(EOF);
            fail("python3 ended its output early; stderr: " + stderr());
        }
        return l;
    }

    /** Asserts that the next stdout line is exactly {@code expected}. */
    void expect(String expected) throws InterruptedException {
        String l = line();
        assertEquals(expected, l, () -> "python3 said something else; stderr: " + stderr());
    }

    /** Waits for the program to exit; asserts status 0. */
    void assertExitsCleanly() throws InterruptedException {
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) fail("python3 did not exit; stderr: " + stderr());
        assertEquals(0, process.exitValue(), () -> "python3 exit status; stderr: " + stderr());
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
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
