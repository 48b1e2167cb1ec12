package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.ControlTruncatedException;
import io.ffsock.Socket;
import io.ffsock.SyscallException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ffsock at the fd limit (issue 20, items 3 and 4), in a child JVM ({@link FdLimitChild}) started
 * under {@code prlimit --nofile=256} with its classes loaded from target/classes and
 * target/test-classes, as an IDE or {@code mvn exec} runs them: there the JVM cannot open a class
 * file once the fd table is full, so any class an error path needs must be loaded already.
 * python3 peers send the fds.
 */
class FdLimitTest {
    private static final int LIMIT = 256;
    private static final Map<String, String[]> RESULTS = new LinkedHashMap<>();
    private static String output;

    @BeforeAll
    static void runChild() throws Exception {
        assumeTrue(onPath("prlimit"), "prlimit (util-linux) is not installed");
        assumeTrue(onPath("python3"), "python3 is not installed");
        Path classes = Path.of(Socket.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(FdLimitChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // The point of the test: classes from directories (from a jar, the jar's fd is open already)
        assertTrue(Files.isDirectory(classes) && Files.isDirectory(testClasses), classes + " " + testClasses);
        List<String> command = new ArrayList<>(List.of("prlimit", "--nofile=" + LIMIT,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes + ":" + testClasses,
                FdLimitChild.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = child.getInputStream().readAllBytes();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not end");
        output = new String(out, StandardCharsets.UTF_8);
        System.out.print(output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("DONE"), output);
        for (String line : output.split("\n")) {
            if (line.startsWith("RESULT ")) {
                String[] parts = line.substring("RESULT ".length()).split("\\|", -1);
                RESULTS.put(parts[0], parts);
            }
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    /** The outcome recorded under {@code key}, asserted to be an exception of {@code type}. */
    private static String[] failure(String key, Class<?> type) throws ClassNotFoundException {
        String[] r = RESULTS.get(key);
        assertTrue(r != null, "no result for " + key + " in\n" + output);
        assertTrue(!r[1].equals("none"), key + " did not fail: " + String.join("|", r));
        assertTrue(type.isAssignableFrom(Class.forName(r[1])), key + ": " + String.join("|", r));
        return r;
    }

    /** {@code call} is a regular expression: the accept names a listener whose name holds the pid. */
    private static void assertEmfile(String key, String call) throws ClassNotFoundException {
        String message = failure(key, SyscallException.class)[2];
        assertTrue(message.matches(call + ": EMFILE \\(Too many open files\\): this process's fd table is full,"
                + " RLIMIT_NOFILE soft limit " + LIMIT + "; close fds or raise the limit .*"), key + ": " + message);
    }

    @Test
    void theFirstErrorAtTheLimitIsEmfileNamingTheCallAndTheLimit() throws Exception {
        assertEmfile("socket", "socket\\(AF_UNIX, SOCK_DGRAM, 0\\)");
    }

    @Test
    void laterErrorsAtTheLimitWorkToo() throws Exception {
        assertEmfile("socket-again", "socket\\(AF_UNIX, SOCK_DGRAM, 0\\)");
        assertEmfile("pipe", "pipe2");
        assertEmfile("socketpair", "socketpair\\(AF_UNIX, SOCK_STREAM\\)");
        assertEmfile("accept", "accept\\(@ffsock-fdlimit-\\d+\\)");
    }

    @Test
    void errorsThatNeedNoFdAreTheUsualOnesAtTheLimit() throws Exception {
        assertTrue(failure("connect", ConnectException.class)[2].contains(": ECONNREFUSED (Connection refused)"));
        assertTrue(failure("bind", BindException.class)[2].contains(": EADDRINUSE (Address already in use)"));
        assertTrue(failure("timeout", SocketTimeoutException.class)[2].contains("timed out after 50 ms"));
        assertEquals("send: socket is closed", failure("closed", ClosedChannelException.class)[2]);
    }

    /** fds that arrive when no fd number is free: the limit is named, not the control space. */
    @Test
    void fdsTheKernelCouldNotInstallAreBlamedOnTheFdLimit() throws Exception {
        int[] arrived = {0, 3, 5};
        String[] keys = {"recvmsg-full", "recvmsg-partial", "recvmsg-tight"};
        for (int i = 0; i < keys.length; i++) {
            String[] r = failure(keys[i], ControlTruncatedException.class);
            assertTrue(r[2].contains("had room for them: the kernel could not install them because this process's"
                    + " fd table is full (EMFILE, RLIMIT_NOFILE soft limit " + LIMIT + ")"), keys[i] + ": " + r[2]);
            assertTrue(r[2].contains("ffsock the " + arrived[i] + " that arrived"), keys[i] + ": " + r[2]);
            assertEquals("fdLimitReached=true fdsClosed=" + arrived[i], r[3], keys[i]);
        }
    }

    /** At the limit, but the control buffer is what stopped the kernel: that is what is said. */
    @Test
    void aControlBufferTooSmallIsStillSaidToBeTooSmallAtTheLimit() throws Exception {
        String[] r = failure("recvmsg-space", ControlTruncatedException.class);
        assertTrue(r[2].contains("control data truncated (MSG_CTRUNC) in a control buffer of 40 bytes; the 6 fds"
                + " that arrived were closed"), r[2]);
        assertEquals("fdLimitReached=false fdsClosed=6", r[3]);
    }
}
