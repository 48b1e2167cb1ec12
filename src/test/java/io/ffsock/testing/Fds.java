package io.ffsock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The process's open file descriptors as /proc/self/fd shows them: an independent view of which
 * fds exist, used to find the fd of a socket ffsock just opened (ffsock never hands out fd numbers)
 * and to check that none leaks.
 */
public final class Fds {
    private Fds() {}

    private static final Path PROC_FD = Path.of("/proc/self/fd");
    /** What the listing's own fd links to (the directory), left out of snapshots. */
    private static final String LISTING = "/proc/" + ProcessHandle.current().pid() + "/fd";

    /**
     * A snapshot: fd number to readlink target ({@code socket:[12345]}, {@code pipe:[..]}, a path),
     * without the fd that reads the directory.
     */
    public static Map<Integer, String> snapshot() {
        Map<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC_FD)) {
            for (Path p : dir) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.equals(LISTING)) fds.put(Integer.parseInt(p.getFileName().toString()), target);
                } catch (NoSuchFileException e) {
                    // closed while we listed (the directory stream's own fd, or another thread's)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    /** Only the socket entries of a snapshot. */
    public static Map<Integer, String> sockets(Map<Integer, String> snapshot) {
        Map<Integer, String> s = new TreeMap<>();
        snapshot.forEach((fd, target) -> {
            if (target.startsWith("socket:")) s.put(fd, target);
        });
        return s;
    }

    /** The entries of {@code after} that are not in {@code before} (same number and same target). */
    public static Map<Integer, String> added(Map<Integer, String> before, Map<Integer, String> after) {
        Map<Integer, String> fresh = new TreeMap<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd))) fresh.put(fd, target);
        });
        return fresh;
    }

    /** The socket fds in {@code after} that are not in {@code before} (same number and same inode). */
    public static List<Integer> newSockets(Map<Integer, String> before, Map<Integer, String> after) {
        return new ArrayList<>(sockets(added(before, after)).keySet());
    }

    /** Something that opens sockets (an ffsock call) and may throw. */
    @FunctionalInterface
    public interface Opener<T> {
        T open() throws Exception;
    }

    /** What an {@link Opener} returned and the socket fds that appeared while it ran. */
    public record Opened<T>(T value, List<Integer> fds) {
        /** The single new fd; fails if the opener made none or several. */
        public int fd() {
            if (fds.size() != 1) throw new AssertionError("expected exactly one new socket fd, got " + fds);
            return fds.get(0);
        }
    }

    /**
     * Runs {@code opener} and reports the socket fds it created, by diffing /proc/self/fd.
     * Call it from a test thread while no other thread opens sockets.
     */
    public static <T> Opened<T> opening(Opener<T> opener) throws Exception {
        Map<Integer, String> before = snapshot();
        T value = opener.open();
        return new Opened<>(value, newSockets(before, snapshot()));
    }

    /** Whether {@code fd} is currently open and is a socket. */
    public static boolean isOpenSocket(int fd) {
        try {
            return Files.readSymbolicLink(PROC_FD.resolve(Integer.toString(fd))).toString().startsWith("socket:");
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The readlink target of {@code fd}, or null if it is not open. */
    public static String target(int fd) {
        try {
            return Files.readSymbolicLink(PROC_FD.resolve(Integer.toString(fd))).toString();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
