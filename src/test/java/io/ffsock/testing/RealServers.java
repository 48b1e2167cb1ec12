package io.ffsock.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@link PostgresCluster} and {@link NginxServer} share: running a program as the
 * unprivileged user {@code nobody} (the tests run as root, and PostgreSQL refuses to run as root),
 * a temp directory that user owns, and removing it all again.
 */
final class RealServers {
    /** {@code nobody}/{@code nogroup}: present on every Debian system, owns nothing of its own. */
    static final int UID = 65534;
    static final int GID = 65534;

    private RealServers() {}

    /** A fresh temp directory, unique to this process and call, owned by {@link #UID}. */
    static Path ownedTempDir(String tag) throws IOException {
        Path dir = Files.createTempDirectory("ffsock-" + tag + "-" + ProcessHandle.current().pid() + "-");
        chown(dir);
        return dir;
    }

    static void chown(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", UID);
        Files.setAttribute(p, "unix:gid", GID);
    }

    /** The command prefixed so that it runs as nobody (setpriv, util-linux), with no groups or capabilities. */
    static List<String> asNobody(String... command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + UID, "--regid=" + GID,
                "--clear-groups", "--inh-caps=-all", "--"));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** Runs a command to its end (at most 60 s); its output, or an IOException with that output if it failed. */
    static String run(List<String> command, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ffsock-cmd-", ".out");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException(String.join(" ", command) + ": did not finish in 60 s: " + Files.readString(out));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The newest file matching {@code /usr/lib/postgresql/<version>/bin/<name>}, the Debian layout. */
    static Path postgresBinary(String name) throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IOException("PostgreSQL server programs not found under " + root
                    + " (Debian package postgresql; ./run-tests installs it)");
        }
        try (var versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .sorted((a, b) -> Integer.compare(Integer.parseInt(b.getFileName().toString()),
                            Integer.parseInt(a.getFileName().toString())))
                    .map(v -> v.resolve("bin").resolve(name)).filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new IOException("no " + name + " under " + root + "/*/bin"));
        }
    }

    /** Removes a directory tree; what cannot be removed is left (a test must not fail in its clean-up). */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // Best effort: a leftover file in /tmp is no reason to fail the test that used it.
        }
    }

    /** Waits up to {@code millis} for a process that is not our child to exit; whether it did. */
    static boolean awaitExit(long pid, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (alive(pid)) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** Whether a process with this pid exists and has not exited (a zombie counts as exited). */
    static boolean alive(long pid) {
        try {
            // State letter after "(comm) ": Z is a zombie, exited but not yet reaped by init.
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
