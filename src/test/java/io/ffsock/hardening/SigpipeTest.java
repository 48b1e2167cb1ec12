package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Socket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No ffsock write raises SIGPIPE (issue 20, item 6). A child JVM ({@link SigpipeChild}) sets
 * SIGPIPE to its default action, as an embedder that resets the JVM's handler leaves it, and writes
 * to a socket whose peer closed and a pipe whose reader closed through every write path: each must
 * fail with EPIPE, and the child must live to the end. There, as a control, a plain write(2) to a
 * closed pipe must kill it with SIGPIPE (exit status 141): proof that SIGPIPE was at its default
 * action all along and that ffsock left the thread's signal mask as it found it.
 */
class SigpipeTest {
    private static final Map<String, String[]> RESULTS = new LinkedHashMap<>();
    private static final List<String> TRIED = new ArrayList<>();
    private static String output;
    private static int exitStatus;

    @BeforeAll
    static void runChild() throws Exception {
        Path classes = Path.of(Socket.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(SigpipeChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes + ":" + testClasses,
                SigpipeChild.class.getName(), "control");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = child.getInputStream().readAllBytes();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not end");
        output = new String(out, StandardCharsets.UTF_8);
        System.out.print(output);
        exitStatus = child.exitValue();
        for (String line : output.split("\n")) {
            if (line.startsWith("TRY ")) TRIED.add(line.substring(4));
            if (line.startsWith("RESULT ")) {
                String[] parts = line.substring("RESULT ".length()).split("\\|", -1);
                RESULTS.put(parts[0], parts);
            }
        }
    }

    @Test
    void theChildRanWithSigpipeAtItsDefaultActionAndOnlyThePlainWriteKilledIt() {
        assertTrue(output.contains("now SIG_DFL"), output);
        assertEquals("control write(2)", TRIED.getLast(), "the last path tried before the child ended\n" + output);
        assertEquals(128 + 13, exitStatus, "killed by SIGPIPE at the plain write(2), not before\n" + output);
        assertEquals(TRIED.size() - 1, RESULTS.size(), "every ffsock path came back\n" + output);
    }

    /** The outcome of {@code path}: an IOException whose message names {@code call} and EPIPE. */
    private static void assertEpipe(String path, String call) throws ClassNotFoundException {
        String[] r = RESULTS.get(path);
        assertTrue(r != null, "no result for " + path + "\n" + output);
        assertTrue(!r[1].equals("none") && IOException.class.isAssignableFrom(Class.forName(r[1])), String.join("|", r));
        assertTrue(r[2].startsWith(call) && r[2].contains(": EPIPE (Broken pipe)"), path + ": " + r[2]);
    }

    @Test
    void ownedFdWritesFailWithEpipe() throws Exception {
        assertEpipe("OwnedFd.write socket", "send(fd ");
        assertEpipe("OwnedFd.write pipe", "write(fd ");
        assertEpipe("OwnedFd.write pipe twice", "write(fd ");
        assertEpipe("OwnedFd.write pipe, virtual thread", "write(fd ");
    }

    @Test
    void socketSendsAndTheirViewsFailWithEpipe() throws Exception {
        assertEpipe("Socket.send", "send(");
        assertEpipe("Socket.send ByteBuffer", "send(");
        assertEpipe("Socket.send direct ByteBuffer", "send(");
        assertEpipe("Socket.sendAll", "send(");
        assertEpipe("Socket.sendAll MemorySegment", "send(");
        assertEpipe("Socket.sendMsg", "sendmsg(");
        assertEpipe("Socket.sendMsg with fds", "sendmsg(");
        assertEpipe("Socket.outputStream", "send(");
        assertEpipe("UnixSocketChannel.write", "send(");
    }

    @Test
    void ringWritesFailWithEpipe() throws Exception {
        assertEpipe("Ring.send", "io_uring send(Socket[");
        assertEpipe("Ring.write socket", "io_uring send(Socket[");
        assertEpipe("Ring.write pipe", "io_uring write(OwnedFd[");
        assertEpipe("Ring.write pipe, reader closes while it waits", "io_uring write(OwnedFd[");
    }
}
