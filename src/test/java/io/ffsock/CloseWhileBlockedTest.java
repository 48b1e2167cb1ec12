package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import io.ffsock.testing.SocketKind;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * close() from another thread wakes a thread blocked on the socket with
 * AsynchronousCloseException, promptly, and leaks no fd; then the same races 200 times with the
 * close landing at random moments (before, during or just after the call starts).
 */
@ExtendWith(FdLeakCheck.class)
class CloseWhileBlockedTest {
    private static final long WAKE_LIMIT_MS = 10_000;
    private static final int ROUNDS = 200;

    /** What a case sets up: the socket to close, the blocking call, and sockets to close after. */
    record Setup(Socket target, Op op, List<Socket> others) {}

    @FunctionalInterface
    interface Op {
        void run(Socket s) throws Exception;
    }

    enum Case {
        ACCEPT_UNIX_STREAM("accept", false),
        ACCEPT_TCP("accept", false),
        RECV_UNIX_STREAM("recv", false),
        RECV_TCP("recv", false),
        RECV_SEQPACKET("recv", false),
        RECVFROM_UNIX_DGRAM_UNCONNECTED("recvfrom", false),
        RECVFROM_UDP_UNCONNECTED("recvfrom", false),
        SEND_FULL_STREAM("send", false),
        RECV_UNIX_STREAM_VIRTUAL_THREAD("recv", true),
        ACCEPT_UNIX_STREAM_VIRTUAL_THREAD("accept", true);

        final String call;
        final boolean virtual;

        Case(String call, boolean virtual) {
            this.call = call;
            this.virtual = virtual;
        }

        Setup setUp() throws Exception {
            return switch (this) {
                case ACCEPT_UNIX_STREAM, ACCEPT_UNIX_STREAM_VIRTUAL_THREAD -> listener(SocketKind.UNIX_STREAM);
                case ACCEPT_TCP -> listener(SocketKind.TCP4);
                case RECV_UNIX_STREAM, RECV_UNIX_STREAM_VIRTUAL_THREAD -> pairRecv(SocketType.STREAM);
                case RECV_SEQPACKET -> pairRecv(SocketType.SEQPACKET);
                case RECV_TCP -> {
                    SocketKind.Connected c = SocketKind.TCP4.connected();
                    yield new Setup(c.server(), s -> s.recv(new byte[64]), List.of(c.client()));
                }
                case RECVFROM_UNIX_DGRAM_UNCONNECTED -> unconnected(SocketKind.UNIX_DGRAM);
                case RECVFROM_UDP_UNCONNECTED -> unconnected(SocketKind.UDP4);
                case SEND_FULL_STREAM -> fullSender();
            };
        }

        private static Setup listener(SocketKind kind) throws Exception {
            Socket l = kind.open();
            l.bind(kind.bindAddress());
            l.listen();
            return new Setup(l, s -> s.accept().close(), List.of());
        }

        private static Setup pairRecv(SocketType type) throws Exception {
            SocketPair p = Socket.pair(type);
            return new Setup(p.first(), s -> s.recv(new byte[64]), List.of(p.second()));
        }

        private static Setup unconnected(SocketKind kind) throws Exception {
            Socket s = kind.open();
            s.bind(kind.bindAddress());
            return new Setup(s, x -> x.recvFrom(64), List.of());
        }

        /** A stream socketpair whose sender's buffer is full, so the next send blocks. */
        private static Setup fullSender() throws Exception {
            SocketPair p = Socket.pair(SocketType.STREAM);
            p.first().setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            byte[] chunk = new byte[4096];
            for (;;) {
                try {
                    p.first().send(chunk, 0, chunk.length, Set.of(MsgFlag.DONTWAIT));
                } catch (SyscallException e) {
                    assertEquals(11, e.errno().value(), e.getMessage());
                    break;
                }
            }
            byte[] big = new byte[65536];
            return new Setup(p.first(), s -> s.send(big), List.of(p.second()));
        }
    }

    /** A thread running one blocking call; keeps what it threw. */
    private static final class Blocked {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread thread;

        Blocked(Setup setup, boolean virtual) {
            Runnable r = () -> {
                try {
                    setup.op().run(setup.target());
                    thrown.set(new AssertionError("the call returned instead of blocking"));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            };
            thread = virtual ? Thread.ofVirtual().name("blocked").start(r) : Thread.ofPlatform().name("blocked").start(r);
        }

        /** Waits until the thread is inside ffsock's system-call layer (or waiting for readiness). */
        void awaitInsideTheCall() throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end) {
                for (StackTraceElement f : thread.getStackTrace()) {
                    String c = f.getClassName();
                    if (c.equals("io.ffsock.internal.sys.Syscalls") || c.equals("io.ffsock.Readiness")) return;
                }
                if (!thread.isAlive()) fail("the call ended before blocking: " + thrown.get());
                Thread.sleep(1);
            }
            fail("the thread never reached the system call");
        }

        Throwable join() throws InterruptedException {
            thread.join(WAKE_LIMIT_MS);
            assertFalse(thread.isAlive(), "still blocked " + WAKE_LIMIT_MS + " ms after close");
            return thrown.get();
        }
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void closeWakesTheBlockedCallWithAsynchronousCloseException(Case c) throws Exception {
        Map<Integer, String> before = Fds.snapshot();
        Setup setup = c.setUp();
        try {
            Blocked b = new Blocked(setup, c.virtual);
            b.awaitInsideTheCall();
            Thread.sleep(50); // from the Java frames into the kernel (or poll)
            assertTrue(b.thread.isAlive(), "the call did not block: " + b.thrown.get());
            long t0 = System.nanoTime();
            setup.target().close();
            Throwable t = b.join();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertInstanceOf(AsynchronousCloseException.class, t, "woke after " + ms + " ms with " + t);
            assertTrue(t.getMessage().startsWith(c.call), t.getMessage());
            assertTrue(t.getMessage().endsWith(": socket closed by another thread during the call"), t.getMessage());
            assertTrue(setup.target().isClosed());
        } finally {
            setup.target().close();
            for (Socket s : setup.others()) s.close();
        }
        assertEquals(List.of(), Fds.newSockets(before, Fds.snapshot()), "fds left after the case");
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void closeRacingTheCall200Times(Case c) throws Exception {
        Map<Integer, String> before = Fds.snapshot();
        int async = 0;
        List<String> odd = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            Setup setup = c.setUp();
            try {
                Blocked b = new Blocked(setup, c.virtual);
                // close before the call starts, while it enters, or while it waits in the kernel
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(0, 1_000_000));
                setup.target().close();
                Throwable t = b.join();
                if (t instanceof AsynchronousCloseException) {
                    async++;
                } else if (!(t instanceof ClosedChannelException)) {
                    odd.add("round " + i + ": " + t);
                }
            } finally {
                setup.target().close();
                for (Socket s : setup.others()) s.close();
            }
        }
        assertEquals(List.of(), odd, "every round must end in ClosedChannelException (or its async subtype)");
        assertTrue(async > 0, "no round closed during the call; the race was not exercised");
        assertEquals(List.of(), Fds.newSockets(before, Fds.snapshot()), "fds left after " + ROUNDS + " rounds");
    }
}
