package io.ffsock.uring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.SocketKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The completion API against the kernel: every operation on real sockets, results as the kernel gives them. */
@ExtendWith(FdLeakCheck.class)
class RingTest {
    private static final int ECANCELED = 125;
    private static final int ETIME = 62;
    private static final int ENOENT = 2;

    /** Records every completion. */
    static final class Log implements Completion {
        final List<long[]> got = new ArrayList<>();

        @Override
        public void complete(long op, int result, int flags) {
            got.add(new long[] {op, result, flags});
        }

        int result(long op) {
            for (long[] g : got) if (g[0] == op) return (int) g[1];
            throw new AssertionError("no completion for op " + Long.toHexString(op) + " in " + got.size());
        }

        int flags(long op) {
            for (long[] g : got) if (g[0] == op) return (int) g[2];
            throw new AssertionError("no completion for op " + op);
        }
    }

    static void waitFor(Ring ring, int completions) throws IOException {
        int seen = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (seen < completions) {
            seen += ring.submitAndWait(1, Duration.ofMillis(100));
            if (System.nanoTime() > deadline) throw new AssertionError("only " + seen + " of " + completions + " completions in 10 s");
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "UNIX_DGRAM", "UNIX_SEQPACKET", "TCP4", "UDP4", "TCP6"})
    void sendAndRecvCarryTheBytes(SocketKind kind) throws IOException {
        try (Ring ring = Ring.open(8); SocketKind.Connected c = kind.connected()) {
            RingBuffer out = ring.allocate(64);
            RingBuffer in = ring.allocate(64);
            out.put(0, bytes("hello ring"), 0, 10);
            Log log = new Log();
            long r = ring.recv(c.server(), in, 0, 64, 0, log);
            long s = ring.send(c.client(), out, 0, 10, 0, log);
            assertEquals(2, ring.inFlight());
            waitFor(ring, 2);
            assertEquals(10, log.result(s));
            assertEquals(10, log.result(r));
            byte[] got = new byte[10];
            in.get(0, got, 0, 10);
            assertEquals("hello ring", new String(got, StandardCharsets.UTF_8));
            assertEquals(0, ring.inFlight());
        }
    }

    @Test
    void timeoutCompletesWithEtime() throws IOException {
        try (Ring ring = Ring.open(4)) {
            Log log = new Log();
            long t = ring.timeout(Duration.ofMillis(20), log);
            waitFor(ring, 1);
            assertEquals(-ETIME, log.result(t));
        }
    }

    @Test
    void multishotAcceptAndConnectOverTcp() throws IOException {
        try (Ring ring = Ring.open(16); Socket listener = Socket.open(Family.INET, SocketType.STREAM)) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            listener.listen();
            List<Socket> accepted = new ArrayList<>();
            List<Boolean> more = new ArrayList<>();
            long acc = ring.acceptMultishot(listener, (op, s, failure, m) -> {
                if (s != null) accepted.add(s);
                more.add(m);
            });
            Log log = new Log();
            Socket[] clients = new Socket[3];
            long[] ops = new long[3];
            for (int i = 0; i < 3; i++) {
                clients[i] = Socket.open(Family.INET, SocketType.STREAM);
                ops[i] = ring.connect(clients[i], listener.localAddress(), log);
            }
            waitFor(ring, 6);
            for (long op : ops) assertEquals(0, log.result(op));
            assertEquals(3, accepted.size());
            assertTrue(more.stream().allMatch(m -> m), "multishot accept keeps going: " + more);
            assertTrue(ring.isLive(acc));
            for (Socket s : accepted) {
                assertEquals(Family.INET, s.family());
                assertNotNull(s.remoteAddress());
            }
            assertTrue(ring.cancel(acc));
            waitFor(ring, 1);
            assertFalse(ring.isLive(acc));
            assertEquals(List.of(true, true, true, false), more);
            for (Socket s : accepted) s.close();
            for (Socket s : clients) s.close();
        }
    }

    @Test
    void multishotRecvWithProvidedBuffers() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            BufferGroup g = ring.bufferGroup(1, 4, 32);
            List<String> got = new ArrayList<>();
            List<Integer> results = new ArrayList<>();
            long op = ring.recvMultishot(p.second(), g, (o, n, flags) -> {
                results.add(n);
                int bid = Ring.bufferId(flags);
                if (n > 0) {
                    byte[] b = new byte[n];
                    g.get(bid, b, 0, n);
                    got.add(new String(b, StandardCharsets.UTF_8));
                    g.recycle(bid);
                }
            });
            ring.submit();
            for (int i = 0; i < 10; i++) { // 10 messages through 4 buffers: each is recycled in the callback
                p.first().send(bytes("message " + i));
                waitFor(ring, 1);
            }
            List<String> want = new ArrayList<>();
            for (int i = 0; i < 10; i++) want.add("message " + i);
            assertEquals(want, got);
            assertTrue(ring.isLive(op), "the multishot receive goes on");
            p.first().close(); // end of stream ends it
            waitFor(ring, 1);
            assertEquals(0, results.get(results.size() - 1));
            assertFalse(ring.isLive(op));
        }
    }

    @Test
    void multishotRecvEndsWithEnobufsWhenTheGroupRunsDry() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            BufferGroup g = ring.bufferGroup(2, 2, 16);
            Log log = new Log();
            long op = ring.recvMultishot(p.second(), g, log);
            ring.submit();
            for (int i = 0; i < 3; i++) p.first().send(bytes("m" + i));
            waitFor(ring, 3);
            assertEquals(2, log.got.get(0)[1]);
            assertEquals(2, log.got.get(1)[1]);
            assertEquals(-105, log.got.get(2)[1], "ENOBUFS once both buffers are taken"); // ENOBUFS
            assertFalse(ring.isLive(op));
        }
    }

    @Test
    void sendMsgAndRecvMsgGiveTheSender() throws IOException {
        try (Ring ring = Ring.open(8); Socket a = Socket.open(Family.INET, SocketType.DGRAM);
             Socket b = Socket.open(Family.INET, SocketType.DGRAM)) {
            a.bind(new InetSocketAddress("127.0.0.1", 0));
            b.bind(new InetSocketAddress("127.0.0.1", 0));
            RingBuffer out = ring.allocate(16);
            RingBuffer in = ring.allocate(4);
            out.put(0, bytes("datagram"), 0, 8);
            SocketAddress[] from = new SocketAddress[1];
            int[] msgFlags = new int[1];
            int[] n = new int[1];
            long r = ring.recvMsg(b, in, 0, 4, (op, res, f) -> {
                n[0] = res;
                from[0] = ring.sender(op);
                msgFlags[0] = ring.messageFlags(op);
            });
            Log log = new Log();
            long s = ring.sendMsg(a, out, 0, 8, b.localAddress(), log);
            waitFor(ring, 2);
            assertEquals(8, log.result(s));
            assertEquals(4, n[0], "truncated to the buffer");
            assertEquals(a.localAddress(), from[0]);
            assertEquals(0x20, msgFlags[0] & 0x20, "MSG_TRUNC");
            assertFalse(ring.isLive(r));
        }
    }

    @Test
    void readWriteAndFixedBuffers() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair p = Socket.pair(SocketType.STREAM)) {
            RingBuffer out = ring.allocate(4096);
            RingBuffer in = ring.allocate(4096);
            ring.registerBuffers(out, in);
            assertTrue(out.isRegistered());
            out.put(0, bytes("fixed"), 0, 5);
            Log log = new Log();
            long w = ring.write(p.first(), out, 0, 5, -1, log);
            long rd = ring.read(p.second(), in, 0, 4096, -1, log);
            waitFor(ring, 2);
            assertEquals(5, log.result(w));
            assertEquals(5, log.result(rd));
            byte[] b = new byte[5];
            in.get(0, b, 0, 5);
            assertArrayEquals(bytes("fixed"), b);
            IllegalStateException e = assertThrows(IllegalStateException.class, in::close);
            assertTrue(e.getMessage().contains("registered"), e.getMessage());
        }
    }

    @Test
    void registeredFilesAreUsedAndReleased() throws IOException {
        SocketPair p = Socket.pair(SocketType.STREAM);
        try (Ring ring = Ring.open(8)) {
            ring.registerFile(p.first());
            ring.registerFile(p.second());
            RingBuffer out = ring.allocate(8);
            RingBuffer in = ring.allocate(8);
            out.put(0, bytes("reg"), 0, 3);
            Log log = new Log();
            long r = ring.recv(p.second(), in, 0, 8, 0, log);
            long s = ring.send(p.first(), out, 0, 3, 0, log);
            waitFor(ring, 2);
            assertEquals(3, log.result(s));
            assertEquals(3, log.result(r));
            ring.unregisterFile(p.second());
            // Still registered: closing the socket waits for the ring to let go of the fd.
            int fd = p.first().fdNumber();
            p.first().close();
            assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/fd/" + fd)), "held by the ring");
        }
        p.second().close();
    }

    @Test
    void pollReportsReadable() throws IOException {
        try (Ring ring = Ring.open(4); SocketPair p = Socket.pair(SocketType.STREAM)) {
            Log log = new Log();
            long op = ring.poll(p.second(), Ring.POLL_IN, false, log);
            ring.submit();
            assertEquals(0, ring.complete());
            p.first().send(bytes("x"));
            waitFor(ring, 1);
            assertEquals(Ring.POLL_IN, log.result(op) & Ring.POLL_IN);
        }
    }

    @Test
    void cancelEndsAPendingRecvAndRefusesAFinishedOne() throws IOException {
        try (Ring ring = Ring.open(4); SocketPair p = Socket.pair(SocketType.STREAM)) {
            RingBuffer in = ring.allocate(16);
            Log log = new Log();
            long op = ring.recv(p.second(), in, 0, 16, 0, log);
            ring.submit();
            assertTrue(ring.cancel(op));
            waitFor(ring, 1);
            assertEquals(-ECANCELED, log.result(op));
            assertFalse(ring.cancel(op), "already completed: nothing to cancel");
            assertFalse(ring.cancel(12345L));
            IOException e = ring.exception(op, -ECANCELED);
            assertEquals(ECANCELED, ((SyscallError) e).errno().value());
        }
    }

    @Test
    void linkTimeoutBoundsARecv() throws IOException {
        try (Ring ring = Ring.open(4); SocketPair p = Socket.pair(SocketType.STREAM)) {
            RingBuffer in = ring.allocate(16);
            Log log = new Log();
            long op = ring.recv(p.second(), in, 0, 16, 0, log);
            long t = ring.linkTimeout(Duration.ofMillis(30), log);
            waitFor(ring, 2);
            assertEquals(-ECANCELED, log.result(op));
            assertEquals(-ETIME, log.result(t));
        }
    }

    @Test
    void linkedSendThenRecvIsOnePingPong() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair p = Socket.pair(SocketType.STREAM)) {
            RingBuffer out = ring.allocate(8);
            RingBuffer in = ring.allocate(8);
            out.put(0, bytes("ping"), 0, 4);
            Thread echo = Thread.ofPlatform().start(() -> {
                try {
                    byte[] b = new byte[8];
                    int n = p.second().recv(b);
                    p.second().send(b, 0, n);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Log log = new Log();
            long s = ring.send(p.first(), out, 0, 4, 0, log);
            ring.link();
            long r = ring.recv(p.first(), in, 0, 8, 0, log);
            waitFor(ring, 2);
            assertEquals(4, log.result(s));
            assertEquals(4, log.result(r));
            try {
                echo.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void closeThroughTheRingTakesTheFd() throws IOException {
        try (Ring ring = Ring.open(4)) {
            SocketPair p = Socket.pair(SocketType.STREAM);
            int fd = p.first().fdNumber();
            Log log = new Log();
            long op = ring.close(p.first(), log);
            assertTrue(p.first().isClosed());
            waitFor(ring, 1);
            assertEquals(0, log.result(op));
            assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/fd/" + fd)));
            p.second().close();
        }
    }

    /** Steady state allocates nothing per operation: measured with ThreadMXBean over a send+recv loop. */
    @Test
    void steadyStateSendRecvAllocatesNothing() throws IOException {
        java.util.function.LongSupplier allocated = io.ffsock.testing.ThreadAllocation.counter();
        try (Ring ring = Ring.open(8); SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            RingBuffer out = ring.allocate(64);
            RingBuffer in = ring.allocate(64);
            int[] done = {0};
            Completion count = (op, r, f) -> done[0]++;
            long perOp = Long.MAX_VALUE;
            for (int round = 0; round < 10 && perOp > 0; round++) { // the first rounds warm up the JIT (a rare branch first taken late recompiles)
                long before = allocated.getAsLong();
                for (int k = 0; k < 20_000; k++) {
                    ring.send(p.first(), out, 0, 32, 0, count);
                    ring.recv(p.second(), in, 0, 64, 0, count);
                    ring.submitAndWait(2);
                }
                perOp = (allocated.getAsLong() - before) / 40_000;
            }
            assertEquals(0, perOp, "bytes allocated per operation");
        }
    }
}
