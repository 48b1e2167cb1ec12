package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link EventLoop.Backend#AUTO} and {@link EventLoop.Backend#IO_URING} where io_uring is refused
 * for real: a child JVM runs under a seccomp filter (native-tests/deny_io_uring.py, as a container
 * runtime installs one) that makes io_uring_setup(2) fail. AUTO must run on epoll and log why;
 * IO_URING must throw with the errno. The same child without the filter runs on io_uring, so the
 * test can tell the two apart.
 */
class EventLoopFallbackTest {
    private static final Path SCRIPT = Path.of("native-tests", "deny_io_uring.py");

    private record Child(int exit, String out, String err) {
        String value(String key) {
            for (String line : out.split("\n")) if (line.startsWith(key + "=")) return line.substring(key.length() + 1);
            return null;
        }
    }

    private static Child run(List<String> prefix, String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EventLoopFallbackMain.class.getName());
        Path out = Files.createTempFile("ffsock-fallback-", ".out");
        Path err = Files.createTempFile("ffsock-fallback-", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("child JVM hung: " + cmd);
            }
            return new Child(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static List<String> python() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT);
        return List.of("python3", SCRIPT.toString());
    }

    @ParameterizedTest(name = "io_uring_setup fails with {1}")
    @CsvSource({"1, EPERM, a seccomp filter or security policy refuses io_uring", "38, ENOSYS, this kernel has no io_uring"})
    void underASeccompFilterAutoFallsBackToEpollAndExplicitThrows(int errno, String symbol, String explanation) throws Exception {
        List<String> prefix = new ArrayList<>(python());
        prefix.add(Integer.toString(errno));
        Child c = run(prefix);
        assertEquals(0, c.exit(), "child exit; stdout:\n" + c.out() + "\nstderr:\n" + c.err());
        assertEquals("EPOLL", c.value("auto"), c.out());
        assertEquals("1", c.value("ready"), "the fallback loop works: " + c.out());
        String log = "EventLoop: io_uring unavailable, using epoll: io_uring_setup: " + symbol;
        assertTrue(c.err().contains(log) && c.err().contains(explanation), "the log line names the reason:\n" + c.err());
        assertEquals(symbol, c.value("explicit.errno"), c.out());
        String message = c.value("explicit.message");
        assertTrue(message.startsWith("EventLoop.open(IO_URING): io_uring_setup: " + symbol) && message.contains(explanation),
                message);
    }

    @Test
    void withoutTheFilterTheSameChildRunsOnIoUring() throws Exception {
        String why = UringLoop.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "io_uring unavailable here: " + why);
        Child c = run(List.of());
        assertEquals(0, c.exit(), c.err());
        assertEquals("IO_URING", c.value("auto"), c.out());
        assertEquals("1", c.value("ready"), c.out());
        assertEquals("IO_URING", c.value("explicit"), c.out());
        assertFalse(c.err().contains("io_uring unavailable"), c.err());
    }

    @Test
    void theDisablePropertyMakesAutoUseEpollAndSaysSo() throws Exception {
        Child c = run(List.of(), "-Dffsock.uring.disable=testing the epoll path");
        assertEquals(0, c.exit(), c.err());
        assertEquals("EPOLL", c.value("auto"), c.out());
        assertTrue(c.err().contains("EventLoop: io_uring unavailable, using epoll: io_uring disabled by the system property"
                + " ffsock.uring.disable (testing the epoll path)"), c.err());
        assertTrue(c.value("explicit.message").contains("ffsock.uring.disable"), c.out());
    }
}
