package io.ffsock.msg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves an fd open: compares {@code /proc/self/fd} before and after each test.
 * An fd that appeared during the test and is still open at its end is a leak, unless the JDK opened
 * it to keep (a jar, /dev/urandom). Fds closed by another thread (a child's pipe readers) may close a
 * little late, so the check waits up to a second; it never runs the GC, so an fd only a Cleaner
 * would have closed is reported.
 */
public final class NoFdLeaks implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoFdLeaks.class);

    /** fd number to what it points at (readlink), e.g. {@code socket:[1234]}. */
    public static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // the fd the listing itself used, closed by now
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    /** The fds in {@code now} that were not in {@code before} (same number and target), jars excepted. */
    public static Map<Integer, String> added(Map<Integer, String> before, Map<Integer, String> now) {
        Map<Integer, String> added = new TreeMap<>();
        now.forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && !ignored(target)) added.put(fd, target);
        });
        return added;
    }

    private static final String SELF_FD_DIR = "/proc/" + ProcessHandle.current().pid() + "/fd";

    /**
     * Opened once by the JDK and kept: jars (class loading), the random devices (SecureRandom);
     * and the directory stream of the listing itself.
     */
    private static boolean ignored(String target) {
        return target.endsWith(".jar") || target.equals("/dev/random") || target.equals("/dev/urandom")
                || target.equals(SELF_FD_DIR);
    }

    /**
     * Waits up to 1 s for the fds open now to be no more than {@code before}; returns what is
     * left over (empty: no leak). The GC is not run: an fd that only a Cleaner would close was
     * not closed by the code under test, and counts as leaked.
     */
    public static Map<Integer, String> leakedSince(Map<Integer, String> before) {
        Map<Integer, String> added = added(before, openFds());
        long end = System.nanoTime() + 1_000_000_000L;
        while (!added.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            added = added(before, openFds());
        }
        return added;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("before", openFds());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterEach(ExtensionContext context) {
        Map<Integer, String> before = (Map<Integer, String>) context.getStore(NS).get("before");
        if (context.getExecutionException().isPresent()) return; // the test's own failure says more
        Map<Integer, String> leaked = leakedSince(before);
        if (!leaked.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left fds open: " + leaked);
        }
    }
}
