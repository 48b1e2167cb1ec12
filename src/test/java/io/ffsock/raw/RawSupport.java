package io.ffsock.raw;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.Datagram;
import io.ffsock.Socket;
import io.ffsock.testing.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Shared helpers for the raw-socket tests: namespaces, bounded receive loops, child JVMs as nobody. */
final class RawSupport {
    private RawSupport() {}

    private static String netnsReason;
    private static boolean probed;

    /** Skips the test (with the reason) where network namespaces cannot be created; runs as root here. */
    static synchronized void assumeNetns() {
        if (!probed) {
            netnsReason = Netns.unavailableReason();
            probed = true;
        }
        assumeTrue(netnsReason == null, netnsReason);
    }

    /** Skips the test when {@code tool} is not on PATH (CI installs it; so does this machine). */
    static void assumeTool(String tool) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) found = true;
        }
        assumeTrue(found, tool + " is not on PATH (apt-get install tcpdump tshark)");
    }

    /**
     * Everything {@code s} receives within {@code window} (each datagram up to 65535 bytes),
     * stopping early once {@code stop} matches one. Never waits longer than the window.
     */
    static List<Datagram> receiveFor(Socket s, Duration window, Predicate<Datagram> stop) throws IOException {
        List<Datagram> got = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return got;
            s.setTimeout(Duration.ofNanos(Math.max(left, 1_000_000)));
            try {
                Datagram d = s.recvFrom(65535);
                got.add(d);
                if (stop.test(d)) return got;
            } catch (SocketTimeoutException e) {
                return got;
            }
        }
    }

    static List<Datagram> receiveFor(Socket s, Duration window) throws IOException {
        return receiveFor(s, window, d -> false);
    }

    // ---- child JVMs ------------------------------------------------------------------------------

    private static Path childClasspath;

    /**
     * A classpath with ffsock's classes and this package's {@link ChildMain}, in a directory tree
     * any user may read (nobody must be able to load it; target/ may not be world-readable
     * elsewhere). Deleted when this JVM exits.
     */
    static synchronized Path childClasspath() throws IOException {
        if (childClasspath != null) return childClasspath;
        Path dir = Files.createTempDirectory("ffsock-raw-child",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        copyTree(location(Socket.class), dir);
        Path testClasses = location(ChildMain.class);
        Path pkg = testClasses.resolve("io/ffsock/raw");
        Path target = dir.resolve("io/ffsock/raw");
        Files.createDirectories(target);
        try (var files = Files.list(pkg)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("ChildMain")).toList()) {
                Files.copy(p, target.resolve(p.getFileName()));
            }
        }
        makeReadable(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        childClasspath = dir;
        return dir;
    }

    /**
     * The command line that runs {@link ChildMain} with {@code args} as user and group nobody
     * (65534, no supplementary groups): setpriv, then this JVM's java binary.
     */
    static List<String> asNobody(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1",
                "-cp", childClasspath().toString(), ChildMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs a command, 60 s at most, and collects its exit status and output. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ffsock-raw", ".out");
        Path err = Files.createTempFile("ffsock-raw", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException(String.join(" ", command) + ": timed out\n" + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void makeReadable(Path root) throws IOException {
        try (var all = Files.walk(root)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void deleteTree(Path root) {
        try (var all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
