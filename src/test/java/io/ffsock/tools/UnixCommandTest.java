package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ffsock unix} run as a real process, as a user runs it. */
class UnixCommandTest {
    @TempDir
    Path dir;

    private final List<CliProcess> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(CliProcess::close);
    }

    private CliProcess start(String... args) throws IOException {
        CliProcess p = CliProcess.start(args);
        started.add(p);
        return p;
    }

    private CliProcess run(String... args) throws Exception {
        CliProcess p = CliProcess.run(args);
        started.add(p);
        return p;
    }

    /** A path in the temp dir, or a fresh abstract name. */
    private String address(String kind) {
        return kind.equals("path") ? dir.resolve("s.sock").toString() : "@ffsock-test-" + UUID.randomUUID();
    }

    /** Starts {@code ffsock unix listen -v -t TYPE ADDR} and waits until it says it is listening. */
    private CliProcess listen(String type, String addr) throws Exception {
        CliProcess l = start("unix", "listen", "-v", "-t", type, addr);
        l.awaitStderrContains("listening on " + addr);
        if (!addr.startsWith("@")) assertTrue(Files.exists(Path.of(addr)), "socket file " + addr);
        return l;
    }

    private static void assertOneLine(String stderr, String expected) {
        assertEquals(expected + "\n", stderr, "stderr");
    }

    // ---- help and usage --------------------------------------------------------------------------

    @Test
    void helpListsTheCommands() throws Exception {
        for (String flag : List.of("--help", "-h")) {
            CliProcess p = run(flag);
            assertEquals(0, p.awaitExit());
            assertTrue(p.stdout().startsWith("Usage: ffsock COMMAND"), p.stdout());
            assertTrue(p.stdout().contains("\n  unix "), p.stdout());
            assertEquals("", p.stderr());
        }
    }

    @Test
    void noArgumentsPrintsUsageOnStderrWithStatus2() throws Exception {
        CliProcess p = run();
        assertEquals(2, p.awaitExit());
        assertEquals("", p.stdout());
        assertTrue(p.stderr().startsWith("Usage: ffsock COMMAND"), p.stderr());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "unix --help", "unix -h", "help unix", "unix listen --help", "unix connect -t dgram -h"})
    void unixHelp(String args) throws Exception {
        CliProcess p = run(args.split(" "));
        assertEquals(0, p.awaitExit(), p.stderr());
        String help = p.stdout();
        assertTrue(help.startsWith("Usage: ffsock unix listen  [OPTIONS] ADDR\n       ffsock unix connect [OPTIONS] ADDR\n"), help);
        for (String s : List.of("-t, --type TYPE", "stream (default), dgram or seqpacket", "@NAME", "-h, --help",
                "Exit status", "empty message")) {
            assertTrue(help.contains(s), s + " in\n" + help);
        }
        assertEquals("", p.stderr());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "unix -x listen /tmp/a.sock        | ffsock unix: unknown option -x (try 'ffsock unix --help')",
            "unix listen --bogus /tmp/a.sock   | ffsock unix: unknown option --bogus (try 'ffsock unix --help')",
            "unix listen -t bogus /tmp/a.sock  | ffsock unix: unknown type 'bogus': stream, dgram or seqpacket (try 'ffsock unix --help')",
            "unix connect --type=raw @x        | ffsock unix: unknown type 'raw': stream, dgram or seqpacket (try 'ffsock unix --help')",
            "unix listen                       | ffsock unix: missing ADDR (a path or @name) (try 'ffsock unix --help')",
            "unix connect -t dgram             | ffsock unix: missing ADDR (a path or @name) (try 'ffsock unix --help')",
            "unix                              | ffsock unix: missing mode: listen or connect (try 'ffsock unix --help')",
            "unix accept /tmp/a.sock           | ffsock unix: unknown mode 'accept': listen or connect (try 'ffsock unix --help')",
            "unix listen /tmp/a.sock extra     | ffsock unix: unexpected argument 'extra' (try 'ffsock unix --help')",
            "unix listen /tmp/a.sock -t        | ffsock unix: option -t needs a value (TYPE) (try 'ffsock unix --help')",
            "unix connect -w soon @x           | ffsock unix: bad --wait 'soon': seconds, e.g. 0.5 (try 'ffsock unix --help')",
            "frob                              | ffsock: unknown command 'frob' (try 'ffsock --help')",
            "--frob                            | ffsock: unknown option --frob (try 'ffsock --help')"})
    void badUsageIsOneLineAndStatus2(String args, String message) throws Exception {
        CliProcess p = run(args.trim().split(" +"));
        assertEquals(2, p.awaitExit());
        assertOneLine(p.stderr(), message);
        assertEquals("", p.stdout());
    }

    @Test
    void pathTooLongForSunPathIsBadUsage() throws Exception {
        CliProcess p = run("unix", "connect", "/tmp/" + "x".repeat(200));
        assertEquals(2, p.awaitExit());
        assertTrue(p.stderr().startsWith("ffsock unix: AF_UNIX path is 205 bytes, sun_path holds at most 107"), p.stderr());
        assertEquals(1, p.stderr().lines().count(), p.stderr());
    }

    // ---- connection failures: status 1 ----------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"stream", "dgram", "seqpacket"})
    void connectingToAMissingPathFailsWithStatus1(String type) throws Exception {
        String path = dir.resolve("missing.sock").toString();
        CliProcess p = run("unix", "connect", "-t", type, path);
        assertEquals(1, p.awaitExit());
        assertOneLine(p.stderr(), "ffsock: connect(" + path + "): ENOENT (No such file or directory)");
        assertEquals("", p.stdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stream", "dgram", "seqpacket"})
    void connectingToAnAbstractNameNobodyHoldsIsRefusedWithStatus1(String type) throws Exception {
        String name = "@ffsock-test-nobody-" + UUID.randomUUID();
        CliProcess p = run("unix", "connect", "-t", type, name);
        assertEquals(1, p.awaitExit());
        assertOneLine(p.stderr(), "ffsock: connect(" + name + "): ECONNREFUSED (Connection refused)");
    }

    @Test
    void listeningOnAnAddressInUseFailsWithStatus1AndLeavesTheOtherSocketAlone() throws Exception {
        String path = dir.resolve("busy.sock").toString();
        CliProcess first = listen("stream", path);
        CliProcess second = run("unix", "listen", path);
        assertEquals(1, second.awaitExit());
        assertOneLine(second.stderr(), "ffsock: bind(" + path + "): EADDRINUSE (Address already in use)");
        assertTrue(Files.exists(Path.of(path)), "the first listener's socket file is still there");
        assertTrue(first.isAlive());

        String name = "@ffsock-test-busy-" + UUID.randomUUID();
        CliProcess abs = listen("seqpacket", name);
        CliProcess abs2 = run("unix", "listen", "-t", "seqpacket", name);
        assertEquals(1, abs2.awaitExit());
        assertOneLine(abs2.stderr(), "ffsock: bind(" + name + "): EADDRINUSE (Address already in use)");
        assertTrue(abs.isAlive());
    }

    @Test
    void unlinkRemovesAStaleSocketFileButNotAnOrdinaryFile() throws Exception {
        String path = dir.resolve("stale.sock").toString();
        CliProcess first = listen("stream", path);
        first.close(); // SIGKILL: no chance to remove its file
        assertTrue(Files.exists(Path.of(path)));
        CliProcess again = start("unix", "listen", "-v", "-u", path);
        again.awaitStderrContains("listening on " + path);

        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "keep me");
        CliProcess refused = run("unix", "listen", "-u", plain.toString());
        assertEquals(1, refused.awaitExit());
        assertOneLine(refused.stderr(), "ffsock: " + plain + " exists and is not a socket; not removing it");
        assertEquals("keep me", Files.readString(plain));
    }

    // ---- exchanges -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({"stream,path", "stream,abstract", "seqpacket,path", "seqpacket,abstract"})
    void connectionLinesBothWaysThenBothExit0(String type, String kind) throws Exception {
        String addr = address(kind);
        CliProcess l = listen(type, addr);
        CliProcess c = start("unix", "connect", "-v", "-t", type, addr);
        c.awaitStderrContains("connected to " + addr);

        // Empty lines are empty messages on seqpacket; on a stream they are just the bytes "\n".
        c.write("hello\n\nworld\n");
        l.awaitStdout("hello\n\nworld\n");
        l.write("réponse\n\n");
        c.awaitStdout("réponse\n\n");

        // The client's stdin ends: it shuts down writing, the listener sees the end and leaves, then
        // the client sees the listener close.
        c.closeStdin();
        assertEquals(0, l.awaitExit(), l.stderr());
        assertEquals(0, c.awaitExit(), c.stderr());
        assertTrue(l.stderr().contains("peer closed"), l.stderr());
        if (kind.equals("path")) assertFalse(Files.exists(Path.of(addr)), "listen removed " + addr);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stream", "seqpacket"})
    void afterStdinEofTheListenerKeepsPrintingUntilThePeerCloses(String type) throws Exception {
        String addr = address("path");
        CliProcess l = listen(type, addr);
        CliProcess c = start("unix", "connect", "-v", "-t", type, addr);
        c.awaitStderrContains("connected to");
        l.awaitStderrContains("connection from");

        l.write("bye\n");
        l.closeStdin(); // shutdown(SHUT_WR): the client reads "bye" then the end
        c.awaitStdout("bye\n");
        c.awaitStderrContains("peer closed");
        assertTrue(l.isAlive());

        c.write("still\nhere\n\n"); // the last one, an empty seqpacket message, just before closing
        c.closeStdin();
        assertEquals(0, c.awaitExit(), c.stderr());
        assertEquals(0, l.awaitExit(), l.stderr());
        assertEquals("still\nhere\n\n", l.stdout());
        assertFalse(Files.exists(Path.of(addr)));
    }

    @Test
    void seqpacketKeepsMessageBoundariesAndEmptyMessages() throws Exception {
        String addr = address("abstract");
        CliProcess l = listen("seqpacket", addr);
        CliProcess c = start("unix", "connect", "-t", "seqpacket", addr);
        // Many lines in one write: each still arrives as its own message, empties included.
        c.write("a\n\n\nbb\n\nccc\n\n");
        l.awaitStdout("a\n\n\nbb\n\nccc\n\n");
        c.closeStdin();
        assertEquals(0, l.awaitExit(), l.stderr());
        assertEquals(0, c.awaitExit(), c.stderr());
        assertEquals("a\n\n\nbb\n\nccc\n\n", l.stdout());
    }

    @Test
    void seqpacketEmptyMessageFromAnUnnamedPeerIsAMessage() throws Exception {
        String addr = address("abstract");
        CliProcess l = listen("seqpacket", addr);
        // Not bound: its messages carry no address, so the listener must peek to tell "" from a hang-up.
        try (Socket s = Socket.open(Family.UNIX, SocketType.SEQPACKET)) {
            s.setTimeout(CliProcess.WAIT);
            s.connect(UnixAddress.parse(addr));
            s.send("a".getBytes(StandardCharsets.UTF_8));
            s.send(new byte[0]);
            l.awaitStdout("a\n\n");
            Thread.sleep(300);
            assertTrue(l.isAlive(), "an empty message is not the end of the session");
            s.send("b".getBytes(StandardCharsets.UTF_8));
            s.send(new byte[0]);
            s.send("c".getBytes(StandardCharsets.UTF_8));
            l.awaitStdout("a\n\nb\n\nc\n");
        }
        assertEquals(0, l.awaitExit(), l.stderr());
        assertTrue(l.stderr().contains("peer closed"), l.stderr());
    }

    @ParameterizedTest(name = "dgram over {0}")
    @ValueSource(strings = {"path", "abstract"})
    void dgramLinesBothWays(String kind) throws Exception {
        String addr = address(kind);
        CliProcess l = listen("dgram", addr);
        // A reply line typed before any datagram arrived waits for the first sender.
        l.write("early\n");
        CliProcess c = start("unix", "connect", "-v", "-t", "dgram", "-w", "30", addr);
        c.awaitStderrContains("connected to " + addr);

        c.write("ping\n\npong\n");
        l.awaitStdout("ping\n\npong\n");
        c.awaitStdout("early\n");
        l.write("answer\n\n");
        c.awaitStdout("early\nanswer\n\n");

        c.closeStdin(); // exits after --wait; 30 s is too long to wait for: stop it
        assertTrue(c.isAlive());
        CliProcess c2 = start("unix", "connect", "-t", "dgram", "-w", "0.2", addr);
        c2.write("second client\n");
        c2.closeStdin();
        l.awaitStdout("ping\n\npong\nsecond client\n");
        assertEquals(0, c2.awaitExit(), c2.stderr());

        // A dgram listener runs until it is stopped; SIGTERM still removes its socket file.
        assertTrue(l.isAlive());
        assertEquals(143, l.terminate());
        if (kind.equals("path")) assertFalse(Files.exists(Path.of(addr)), "listen removed " + addr);
    }

    @Test
    void streamCarriesBytesAsTheyCome() throws Exception {
        String addr = address("abstract");
        CliProcess l = listen("stream", addr);
        CliProcess c = start("unix", "connect", addr);
        c.write("no newline yet");
        l.awaitStdout("no newline yet");
        c.write(" -- now\n");
        l.awaitStdout("no newline yet -- now\n");
        c.closeStdin();
        assertEquals(0, l.awaitExit());
        assertEquals(0, c.awaitExit());
    }

    @Test
    void connectWhoseStdinIsAlreadyClosedStillDeliversItsLines() throws Exception {
        String addr = address("path");
        CliProcess l = listen("seqpacket", addr);
        CliProcess c = start("unix", "connect", "-t", "seqpacket", addr);
        c.write("one\ntwo");   // the last line has no newline: still one message
        c.closeStdin();
        assertEquals(0, l.awaitExit(), l.stderr());
        assertEquals(0, c.awaitExit(), c.stderr());
        assertEquals("one\ntwo\n", l.stdout());
    }
}
