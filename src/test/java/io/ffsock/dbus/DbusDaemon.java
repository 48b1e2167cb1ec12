package io.ffsock.dbus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private dbus-daemon (Debian's {@code /usr/bin/dbus-daemon}) for one test class: its own
 * session-style config and socket in a fresh temp directory (named with the pid and a counter),
 * started on construction, stopped and removed by {@link #close()}. DbusBench uses it too.
 */
public final class DbusDaemon implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/dbus-daemon");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final Path dir;
    final Path socket;
    public final String address;
    private final Process process;

    public DbusDaemon() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("ffsock-dbus-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-");
        socket = dir.resolve("bus");
        Path config = dir.resolve("bus.conf");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """.formatted(socket));
        process = new ProcessBuilder(BINARY.toString(), "--config-file=" + config, "--nofork", "--nopidfile", "--print-address=1")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("unix:")) {
                throw new IOException("dbus-daemon did not print its address: " + line + " (exit " + waitExit() + ")");
            }
            address = line.trim();
            Thread drain = new Thread(() -> out.lines().forEach(l -> System.err.println("dbus-daemon: " + l)), "dbus-daemon output");
            drain.setDaemon(true);
            drain.start();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private String waitExit() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    long pid() {
        return process.pid();
    }

    /** Kills the daemon now (SIGKILL), as a crash would: for tests of a bus that dies mid-call. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // the directory is in the temp dir; a leftover there harms nothing
        }
    }
}
