package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.PinnedCarriers;
import java.io.ByteArrayOutputStream;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Spawn} and {@link ChildProcess} against real children: python3, sh, coreutils. */
@ExtendWith(FdLeakCheck.class)
class SpawnTest {

    /** Runs the child with its stdout on a pipe; returns what it wrote, after reaping it with exit 0. */
    private static String output(Spawn spawn) throws Exception {
        OwnedFd[] pipe = OwnedFd.pipe();
        try (OwnedFd in = pipe[0]) {
            ChildProcess child;
            try (OwnedFd out = pipe[1]) {
                child = spawn.stdout(out).start();
            } // our copy of the write end closed: EOF once the child's is closed
            try (child) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                byte[] b = new byte[4096];
                for (int n; (n = in.read(b, 0, b.length)) > 0; ) all.write(b, 0, n);
                ExitStatus status = child.waitFor();
                String text = all.toString(StandardCharsets.UTF_8);
                assertEquals(new ExitStatus(0, 0), status, "child output:\n" + text);
                return text;
            }
        }
    }

    private static String target(FdOwner fd) {
        String t = io.ffsock.testing.Fds.target(fd.fdNumber());
        assertNotNull(t);
        return t;
    }

    /** Starts python3 running {@code body} with {@code s}, the socket it finds at fd 3. */
    private static ChildProcess pythonWithSocketAt3(Socket socket, String body) throws Exception {
        String script = "import socket\ns = socket.socket(fileno=3)\n" + body;
        return Spawn.command("python3", "-c", script).fd(3, socket).start();
    }

    @Test
    void pythonChildEchoesOverTheSocketItFindsAtFd3() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().setTimeout(Duration.ofSeconds(10));
            try (ChildProcess child = pythonWithSocketAt3(p.second(),
                    "data = s.recv(100)\n"
                    + "s.sendall(b'echo:' + data)\n")) {
                p.first().sendAll("hello".getBytes(StandardCharsets.US_ASCII));
                byte[] b = new byte[64];
                int got = 0;
                for (int n; got < 10 && (n = p.first().recv(b, got, b.length - got)) > 0; ) got += n;
                assertEquals("echo:hello", new String(b, 0, got, StandardCharsets.US_ASCII));
                assertEquals(new ExitStatus(0, 0), child.waitFor());
            }
            assertFalse(p.second().isInheritable(), "the source keeps its FD_CLOEXEC");
        }
    }

    @Test
    void seqpacketEndKeepsMessageBoundariesInAPythonChild() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            p.first().setTimeout(Duration.ofSeconds(10));
            try (ChildProcess child = pythonWithSocketAt3(p.second(),
                    "assert s.type == socket.SOCK_SEQPACKET, s.type\n"
                    + "while True:\n"
                    + "    m = s.recv(1000)\n"
                    + "    if not m: break\n"
                    + "    s.send(b'<' + m + b'>')\n")) {
                p.first().send("a".getBytes(StandardCharsets.US_ASCII));
                p.first().send("bb".getBytes(StandardCharsets.US_ASCII));
                byte[] b = new byte[64];
                int n1 = p.first().recv(b);
                assertEquals("<a>", new String(b, 0, n1, StandardCharsets.US_ASCII));
                int n2 = p.first().recv(b);
                assertEquals("<bb>", new String(b, 0, n2, StandardCharsets.US_ASCII));
                p.first().shutdown(Shutdown.WRITE);
                assertEquals(new ExitStatus(0, 0), child.waitFor());
            }
        }
    }

    /**
     * The child lists /proc/self/fd: exactly 0, 1, 2 and the mapped numbers, each the same open
     * socket as the parent's source, even with an inheritable (non-CLOEXEC) socket in the parent
     * (the JVM itself holds jar files open without FD_CLOEXEC too),
     * a socket mapped onto its own number, and two sources swapped.
     */
    @Test
    void childSeesOnlyStdioAndTheMappedFds() throws Exception {
        assertTrue(Spawn.useCloseFrom, "glibc here has posix_spawn_file_actions_addclosefrom_np");
        childSeesOnlyStdioAndTheMappedFdsCheck();
    }

    /** The same where the libc lacks addclosefrom_np: the fds /proc/self/fd lists are closed one by one. */
    @Test
    void childSeesOnlyStdioAndTheMappedFdsWithoutCloseFrom() throws Exception {
        Spawn.useCloseFrom = false;
        try {
            childSeesOnlyStdioAndTheMappedFdsCheck();
        } finally {
            Spawn.useCloseFrom = true;
        }
    }

    private void childSeesOnlyStdioAndTheMappedFdsCheck() throws Exception {
        try (SocketPair a = Socket.pair(SocketType.STREAM); SocketPair b = Socket.pair(SocketType.DGRAM);
             SocketPair leaky = Socket.pair(SocketType.STREAM)) {
            leaky.first().setInheritable(true); // would leak into a plain posix_spawn child
            int x = a.first().fdNumber();
            int y = b.first().fdNumber();
            int own = a.second().fdNumber();
            int high = Math.max(Math.max(x, y), own) + 5;
            String script = "import os\n"
                    + "for n in sorted(int(f) for f in os.listdir('/proc/self/fd')):\n"
                    + "    try:\n"
                    + "        print(n, os.readlink('/proc/self/fd/%d' % n))\n"
                    + "    except FileNotFoundError:\n"
                    + "        pass  # the fd listdir used, closed by now\n";
            Spawn spawn = Spawn.command("python3", "-c", script)
                    .fd(y, a.first())    // swapped: a at b's number ...
                    .fd(x, b.first())    // ... and b at a's
                    .fd(own, a.second()) // onto its own number: FD_CLOEXEC must still be cleared
                    .fd(high, b.second());
            Map<Integer, String> seen = new TreeMap<>();
            for (String line : output(spawn).split("\n")) {
                if (line.isEmpty()) continue;
                String[] f = line.split(" ", 2);
                seen.put(Integer.parseInt(f[0]), f[1]);
            }
            assertEquals(List.of(0, 1, 2, x, y, own, high).stream().sorted().toList(), new ArrayList<>(seen.keySet()),
                    "child fds: " + seen);
            assertEquals(target(a.first()), seen.get(y));
            assertEquals(target(b.first()), seen.get(x));
            assertEquals(target(a.second()), seen.get(own));
            assertEquals(target(b.second()), seen.get(high));
            assertTrue(seen.get(1).startsWith("pipe:"), "stdout redirected to our pipe: " + seen.get(1));
            assertEquals(io.ffsock.testing.Fds.target(0), seen.get(0), "stdin inherited");
            leaky.first().setInheritable(false);
        }
    }

    @Test
    void stdinAndStderrCanBeRedirected() throws Exception {
        OwnedFd[] input = OwnedFd.pipe();
        OwnedFd[] errors = OwnedFd.pipe();
        try (OwnedFd inRead = input[0]; OwnedFd inWrite = input[1]; OwnedFd errRead = errors[0]; OwnedFd errWrite = errors[1]) {
            byte[] msg = "to stderr\n".getBytes(StandardCharsets.US_ASCII);
            inWrite.write(msg, 0, msg.length);
            inWrite.close();
            try (ChildProcess child = Spawn.command("sh", "-c", "cat >&2").stdin(inRead).stderr(errWrite).start()) {
                errWrite.close();
                byte[] b = new byte[64];
                int n = errRead.read(b, 0, b.length);
                assertEquals("to stderr\n", new String(b, 0, n, StandardCharsets.US_ASCII));
                assertEquals(new ExitStatus(0, 0), child.waitFor());
            }
        }
    }

    @Test
    void environmentIsInheritedAndCanBeChanged() throws Exception {
        Spawn spawn = Spawn.command("sh", "-c", "printf '%s|%s|%s' \"$PATH\" \"$FFSOCK_TEST\" \"${HOME-unset}\"");
        spawn.environment().put("FFSOCK_TEST", "yes it is");
        spawn.environment().remove("HOME");
        assertEquals(System.getenv("PATH") + "|yes it is|unset", output(spawn));
    }

    @Test
    void workingDirectory() throws Exception {
        Path dir = Files.createTempDirectory("ffsock-spawn").toRealPath();
        try {
            assertEquals(dir + "\n", output(Spawn.command("pwd").directory(dir)));
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void exitCodesAndSignals() throws Exception {
        try (ChildProcess child = Spawn.command("sh", "-c", "exit 7").start()) {
            ExitStatus s = child.waitFor();
            assertEquals(new ExitStatus(7, 0), s);
            assertTrue(s.exited());
            assertFalse(s.success());
            assertEquals("exit 7", s.toString());
            assertFalse(child.kill(15), "no signal to a reaped child");
            assertEquals(Optional.of(s), child.exitStatus());
            assertFalse(child.isAlive());
        }
        try (ChildProcess child = Spawn.command("sleep", "30").start()) {
            assertTrue(child.isAlive());
            assertTrue(child.destroy());
            ExitStatus s = child.waitFor();
            assertEquals(new ExitStatus(-1, 15), s);
            assertEquals("killed by SIGTERM", s.toString());
        }
        try (ChildProcess child = Spawn.command("sh", "-c", "kill -USR1 $$; sleep 5").start()) {
            assertEquals(new ExitStatus(-1, 10), child.waitFor());
        }
    }

    @Test
    void waitForWithATimeout() throws Exception {
        try (ChildProcess child = Spawn.command("sleep", "30").start()) {
            long t0 = System.nanoTime();
            assertEquals(Optional.empty(), child.waitFor(Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200));
            assertEquals(Optional.empty(), child.waitFor(Duration.ZERO));
            assertTrue(child.destroyForcibly());
            assertEquals(Optional.of(new ExitStatus(-1, 9)), child.waitFor(Duration.ofSeconds(10)));
            assertThrows(IllegalArgumentException.class, () -> child.waitFor(Duration.ofMillis(-1)));
        }
    }

    @Test
    void noZombieAfterWaitFor() throws Exception {
        try (ChildProcess child = Spawn.command("true").start()) {
            Path stat = Path.of("/proc/" + child.pid() + "/stat");
            // Not reaped yet: once it has exited it is a zombie ('Z' after the "(comm)" field).
            char state = 0;
            for (int i = 0; i < 500 && state != 'Z'; i++) {
                String s = Files.readString(stat);
                state = s.charAt(s.lastIndexOf(')') + 2);
                if (state != 'Z') Thread.sleep(10);
            }
            assertEquals('Z', state, "the exited, unreaped child");
            assertEquals(new ExitStatus(0, 0), child.waitFor());
            assertFalse(Files.exists(stat), "reaped: /proc/" + child.pid() + " is gone");
        }
    }

    @Test
    void interruptEndsAWaitAndLeavesTheChildAlone() throws Exception {
        try (ChildProcess child = Spawn.command("sleep", "30").start()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    child.waitFor();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            started.await();
            Thread.sleep(100);
            waiter.interrupt();
            waiter.join(5000);
            assertFalse(waiter.isAlive());
            assertInstanceOf(InterruptedException.class, thrown.get());
            assertTrue(child.isAlive());
            child.destroyForcibly();
            assertEquals(new ExitStatus(-1, 9), child.waitFor());
        }
    }

    /** More waiting virtual threads than carriers, none pinned: another virtual thread still runs. */
    @Test
    void waitForOnVirtualThreadsHoldsNoCarrier() throws Exception {
        int n = 4 * Runtime.getRuntime().availableProcessors();
        List<ChildProcess> children = new ArrayList<>();
        List<CompletableFuture<ExitStatus>> results = new ArrayList<>();
        try (PinnedCarriers pinned = PinnedCarriers.start()) {
            try {
                for (int i = 0; i < n; i++) {
                    ChildProcess c = Spawn.command("sleep", "30").start();
                    children.add(c);
                    CompletableFuture<ExitStatus> f = new CompletableFuture<>();
                    results.add(f);
                    Thread.ofVirtual().start(() -> {
                        try {
                            f.complete(c.waitFor());
                        } catch (Throwable t) {
                            f.completeExceptionally(t);
                        }
                    });
                }
                Thread.sleep(200);
                CompletableFuture<String> other = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> other.complete("ran"));
                assertEquals("ran", other.get(5, TimeUnit.SECONDS));
                for (CompletableFuture<ExitStatus> f : results) assertFalse(f.isDone());
                for (ChildProcess c : children) assertTrue(c.destroy());
                for (CompletableFuture<ExitStatus> f : results) {
                    assertEquals(new ExitStatus(-1, 15), f.get(10, TimeUnit.SECONDS));
                }
            } finally {
                for (ChildProcess c : children) {
                    c.destroyForcibly();
                    c.waitFor();
                    c.close();
                }
            }
            assertEquals(List.of(), pinned.stop());
        }
    }

    @Test
    void missingProgramNamesTheCallErrnoAndProgram() {
        SyscallException e = assertThrows(SyscallException.class,
                () -> Spawn.command("ffsock-no-such-program", "x").start());
        assertEquals("posix_spawnp(ffsock-no-such-program): ENOENT (No such file or directory)", e.getMessage());
        assertEquals("ENOENT", e.errno().symbol());
    }

    @Test
    void badInputIsRejectedBeforeAnySystemCall() throws Exception {
        assertThrows(NullPointerException.class, () -> Spawn.command((String) null));
        assertThrows(NullPointerException.class, () -> Spawn.command("ls", (String) null));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command(""));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command("ls", "a\0b"));
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            Spawn s = Spawn.command("true");
            assertThrows(IllegalArgumentException.class, () -> s.fd(-1, p.first()));
            assertThrows(NullPointerException.class, () -> s.fd(3, null));
            s.fd(3, p.first());
            IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> s.fd(3, p.second()));
            assertEquals("fd: child fd 3 is already given", dup.getMessage());
            p.second().close();
            assertThrows(IllegalArgumentException.class, () -> s.fd(4, p.second()));

            Spawn bad = Spawn.command("true");
            bad.environment().put("A=B", "c");
            assertThrows(IllegalArgumentException.class, bad::start);

            // Closed after it was given: start() refuses before spawning anything.
            Spawn late = Spawn.command("true").fd(3, p.first());
            p.first().close();
            ClosedChannelException e = assertThrows(ClosedChannelException.class, late::start);
            assertTrue(e.getMessage().startsWith("spawn(true)(fd "), e.getMessage());
            assertTrue(e.getMessage().endsWith(" for child fd 3): fd is closed"), e.getMessage());
        }
    }

    @Test
    void closedHandleRefusesToWaitOrSignal() throws Exception {
        ChildProcess child = Spawn.command("sleep", "30").start();
        long pid = child.pid();
        assertTrue(child.destroyForcibly());
        assertEquals(new ExitStatus(-1, 9), child.waitFor());
        child.close();
        child.close();
        assertEquals(new ExitStatus(-1, 9), child.waitFor(), "the status is kept");
        assertTrue(child.toString().contains(pid + " sleep killed by SIGKILL"), child.toString());

        ChildProcess running = Spawn.command("sleep", "30").start();
        try {
            running.destroyForcibly();
        } finally {
            running.close();
        }
        assertThrows(ClosedChannelException.class, running::waitFor);
        assertThrows(ClosedChannelException.class, () -> running.kill(9));
        // Reap it here (an independent waitpid) so the test leaves no zombie.
        io.ffsock.internal.sys.Spawning.waitpid((int) running.pid(), 0, new int[1]);
    }

    /** "pid pgrp sid parent-pgrp parent-sid" as the child (python3) sees them. */
    private static final String IDS = "import os; p = os.getppid(); "
            + "print(os.getpid(), os.getpgrp(), os.getsid(0), os.getpgid(p), os.getsid(p))";

    private static long[] ids(Spawn spawn) throws Exception {
        String[] f = output(spawn).trim().split(" ");
        assertEquals(5, f.length, String.join(" ", f));
        long[] v = new long[5];
        for (int i = 0; i < 5; i++) v[i] = Long.parseLong(f[i]);
        return v;
    }

    @Test
    void processGroupAndSessionAreWhatWasAskedFor() throws Exception {
        long[] plain = ids(Spawn.command("python3", "-c", IDS));
        assertEquals(plain[3], plain[1], "by default the child stays in our process group");
        assertEquals(plain[4], plain[2], "and in our session");
        assertNotEquals(plain[0], plain[1]);

        long[] own = ids(Spawn.command("python3", "-c", IDS).processGroup(0));
        assertEquals(own[0], own[1], "processGroup(0): a new group led by the child");
        assertEquals(own[4], own[2], "in our session still");

        long[] session = ids(Spawn.command("python3", "-c", IDS).newSession());
        assertEquals(session[0], session[1], "newSession: the child leads a new group");
        assertEquals(session[0], session[2], "and a new session");
        assertNotEquals(session[4], session[2]);

        try (ChildProcess leader = Spawn.command("sleep", "30").processGroup(0).start()) {
            try {
                long[] joined = ids(Spawn.command("python3", "-c", IDS).processGroup((int) leader.pid()));
                assertEquals(leader.pid(), joined[1], "processGroup(pgid) joins that group");
            } finally {
                leader.destroyForcibly();
                leader.waitFor();
            }
        }

        assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").processGroup(-1));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").newSession().processGroup(0));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").processGroup(0).newSession());
        SyscallException e = assertThrows(SyscallException.class,
                () -> Spawn.command("true").processGroup(Integer.MAX_VALUE).start().close());
        assertTrue(e.getMessage().contains("EPERM") || e.getMessage().contains("ESRCH"), e.getMessage());
    }

    @Test
    void killGroupReachesWhatTheChildStarted() throws Exception {
        OwnedFd[] pipe = OwnedFd.pipe();
        try (OwnedFd in = pipe[0]) {
            ChildProcess child;
            try (OwnedFd out = pipe[1]) {
                child = Spawn.command("sh", "-c", "sleep 30 & echo $!; wait").processGroup(0).stdout(out).start();
            }
            try (child) {
                byte[] b = new byte[64];
                int n = in.read(b, 0, b.length);
                long grandchild = Long.parseLong(new String(b, 0, n, StandardCharsets.US_ASCII).trim());
                Path stat = Path.of("/proc/" + grandchild + "/stat");
                assertTrue(Files.exists(stat), "the grandchild runs");

                assertTrue(child.killGroup(15));
                assertEquals(new ExitStatus(-1, 15), child.waitFor());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                // Gone, or a zombie waiting for whoever inherited it: either way SIGTERM reached it.
                while (Files.exists(stat) && !Files.readString(stat).replaceFirst(".*\\) ", "").startsWith("Z")) {
                    assertTrue(System.nanoTime() < deadline, "the grandchild still runs after the group's SIGTERM");
                    Thread.sleep(10);
                }
                assertFalse(child.killGroup(15), "reaped: the group id is no longer ours to signal");
            }
        }
        try (ChildProcess plain = Spawn.command("sleep", "30").start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> plain.killGroup(15));
            assertTrue(e.getMessage().contains("not started leading its own process group"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> plain.killGroup(0));
            plain.destroyForcibly();
            plain.waitFor();
        }
    }
}
