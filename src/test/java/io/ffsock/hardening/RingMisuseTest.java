package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.uring.BufferGroup;
import io.ffsock.uring.Completion;
import io.ffsock.uring.Ring;
import io.ffsock.uring.RingBuffer;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The io_uring ring under wrong use: closed rings, bad sizes, more operations than the CQ holds,
 * buffers freed in flight, sockets closed in flight (from this thread and another), the ring
 * closed with operations in flight, wrong threads and a random mix. The outcome is always a clear
 * exception or a delivered completion, never a lost completion, a leaked fd or a crash.
 */
@ExtendWith(FdLeakCheck.class)
class RingMisuseTest {
    private static final int ECANCELED = 125;
    private static final Completion IGNORE = (op, res, flags) -> {};

    private static void waitFor(Ring ring, int[] counter, int want) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (counter[0] < want) {
            ring.submitAndWait(1, Duration.ofMillis(100));
            if (System.nanoTime() > deadline) throw new AssertionError("only " + counter[0] + " of " + want + " completions");
        }
    }

    @Test
    void badSizesAreRefusedBeforeAnySyscall() {
        for (int bad : new int[] {0, -1, 3, 1000, 65536}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ring.open(bad));
            assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Ring.open(8, 4));
        assertThrows(IllegalArgumentException.class, () -> Ring.open(8, 24));
    }

    @Test
    void aClosedRingRefusesEverythingClearly() throws IOException {
        Ring ring = Ring.open(4);
        RingBuffer b = ring.allocate(16);
        ring.close();
        ring.close(); // idempotent
        assertTrue(ring.isClosed());
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            ClosedChannelException e = assertThrows(ClosedChannelException.class, () -> ring.recv(p.first(), b, 0, 16, 0, IGNORE));
            assertTrue(e.getMessage().contains("io_uring"), e.getMessage());
            assertThrows(ClosedChannelException.class, ring::submit);
            assertThrows(ClosedChannelException.class, () -> ring.submitAndWait(1));
            assertThrows(ClosedChannelException.class, () -> ring.timeout(Duration.ZERO, IGNORE));
            assertThrows(ClosedChannelException.class, () -> ring.allocate(8));
            assertThrows(IllegalStateException.class, () -> b.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0),
                    "the buffer's memory is gone with the ring: an exception, not a read of freed memory");
            // the sockets are the caller's, still open
            p.first().send(new byte[] {1});
            assertEquals(1, p.second().recv(new byte[4]));
        }
    }

    @Test
    void moreOperationsThanTheQueuesHoldAreAllCompleted() throws IOException {
        try (Ring ring = Ring.open(2); SocketPair p = Socket.pair(SocketType.DGRAM)) {
            assertEquals(4, ring.capacity());
            RingBuffer out = ring.allocate(8);
            RingBuffer in = ring.allocate(8);
            int[] done = new int[1];
            int[] bytes = new int[1];
            Completion count = (op, res, flags) -> {
                done[0]++;
                if (res > 0) bytes[0] += res;
            };
            for (int i = 0; i < 1000; i++) {
                ring.send(p.first(), out, 0, 8, 0, count);
                ring.recv(p.second(), in, 0, 8, 0, count);
            }
            waitFor(ring, done, 2000);
            assertEquals(2000, done[0]);
            assertEquals(16000, bytes[0]);
            assertEquals(0, ring.inFlight());
        }
    }

    @Test
    void multishotCompletionsBeyondTheCqAreKeptByTheKernelAndDelivered() throws IOException {
        try (Ring ring = Ring.open(1, 2); SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            BufferGroup g = ring.bufferGroup(7, 256, 16);
            List<Integer> seen = new ArrayList<>();
            int[] done = new int[1];
            int[] rearmed = {0};
            Completion[] self = new Completion[1];
            self[0] = (op, res, flags) -> {
                done[0]++;
                if (res > 0) {
                    int bid = Ring.bufferId(flags);
                    seen.add((int) g.segment(bid, res).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                    g.recycle(bid);
                }
                if (!Ring.hasMore(flags) && res > 0) { // ended by the kernel because the CQ was full: arm it again
                    rearmed[0]++;
                    try {
                        ring.recvMultishot(p.second(), g, self[0]);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
            ring.recvMultishot(p.second(), g, self[0]);
            ring.submit();
            for (int i = 0; i < 100; i++) p.first().send(new byte[] {(byte) i});
            // The CQ has 2 entries and 100 completions are posted before any is read: IORING_SQ_CQ_OVERFLOW.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.size() < 100 && System.nanoTime() < deadline) ring.submitAndWait(1, Duration.ofMillis(100));
            List<Integer> want = new ArrayList<>();
            for (int i = 0; i < 100; i++) want.add(i);
            assertEquals(want, seen, "every message, in order (" + rearmed[0] + " re-arms)");
        }
    }

    @Test
    void aBufferInFlightCannotBeFreed() throws IOException {
        try (Ring ring = Ring.open(4); SocketPair p = Socket.pair(SocketType.STREAM)) {
            RingBuffer in = ring.allocate(16);
            int[] done = new int[1];
            long op = ring.recv(p.second(), in, 0, 16, 0, (o, r, f) -> done[0] = r);
            ring.submit();
            IllegalStateException e = assertThrows(IllegalStateException.class, in::close);
            assertTrue(e.getMessage().contains("in flight"), e.getMessage());
            assertTrue(ring.cancel(op));
            while (ring.isLive(op)) ring.submitAndWait(1, Duration.ofMillis(100));
            assertEquals(-ECANCELED, done[0]);
            in.close();
            in.close();
            assertThrows(IllegalStateException.class, () -> ring.recv(p.second(), in, 0, 16, 0, IGNORE));
            assertThrows(IndexOutOfBoundsException.class, () -> ring.send(p.first(), ring.allocate(8), 4, 8, 0, IGNORE));
        }
    }

    @Test
    void closingASocketWithARecvInFlightEndsTheRecvThenReleasesTheFd() throws IOException {
        try (Ring ring = Ring.open(4)) {
            SocketPair p = Socket.pair(SocketType.STREAM);
            RingBuffer in = ring.allocate(16);
            int[] result = {Integer.MIN_VALUE};
            long op = ring.recv(p.second(), in, 0, 16, 0, (o, r, f) -> result[0] = r);
            ring.submit();
            int fd = p.second().fdNumber();
            String inode = link(fd);
            p.second().close();
            assertEquals(inode, link(fd), "the ring's recv still holds the fd");
            assertThrows(ClosedChannelException.class, () -> ring.recv(p.second(), in, 0, 16, 0, IGNORE));
            while (ring.isLive(op)) ring.submitAndWait(1, Duration.ofMillis(100));
            assertEquals(0, result[0], "shutdown by close: end of stream");
            assertFalse(inode.equals(link(fd)), "released after the completion");
            p.first().close();
        }
    }

    /** What /proc/self/fd/N names (socket:[inode]), or "" if nothing: a reused number names another inode. */
    private static String link(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void closeRaceFromAnotherThread() throws Exception {
        try (Ring ring = Ring.open(8)) {
            RingBuffer in = ring.allocate(64);
            for (int round = 0; round < 200; round++) {
                SocketPair p = Socket.pair(round % 2 == 0 ? SocketType.STREAM : SocketType.SEQPACKET);
                int[] done = {0};
                long op = ring.recv(p.second(), in, 0, 64, 0, (o, r, f) -> done[0]++);
                if (round % 3 == 0) ring.submit(); // sometimes the close comes before the submit
                CountDownLatch go = new CountDownLatch(1);
                Thread closer = Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    p.second().close();
                    p.first().close();
                });
                go.countDown();
                closer.join();
                while (ring.isLive(op)) ring.submitAndWait(1, Duration.ofMillis(100));
                assertEquals(1, done[0]);
            }
        }
    }

    @Test
    void closingTheRingWithOperationsInFlightDeliversThemAndKeepsTheSockets() throws IOException {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            Ring ring = Ring.open(8);
            RingBuffer in = ring.allocate(16);
            List<Integer> results = new ArrayList<>();
            Completion log = (op, r, f) -> results.add(r);
            ring.recv(p.second(), in, 0, 16, 0, log);
            ring.poll(p.first(), Ring.POLL_IN, true, log);
            ring.timeout(Duration.ofSeconds(30), log);
            ring.submit();
            ring.recv(p.first(), in, 0, 16, 0, log); // queued, not yet submitted
            ring.close();
            assertEquals(List.of(-ECANCELED, -ECANCELED, -ECANCELED, -ECANCELED), results);
            p.first().send(new byte[] {9});
            assertEquals(1, p.second().recv(new byte[4]));
        }
    }

    @Test
    void anotherThreadIsRefused() throws Exception {
        try (Ring ring = Ring.open(4); SocketPair p = Socket.pair(SocketType.STREAM)) {
            RingBuffer in = ring.allocate(8);
            AtomicReference<Throwable> got = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    ring.recv(p.first(), in, 0, 8, 0, IGNORE);
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            t.join();
            assertTrue(got.get() instanceof WrongThreadException, String.valueOf(got.get()));
            assertEquals(0, ring.inFlight());
        }
    }

    @Test
    void linkWithoutAnOperationIsRefused() throws IOException {
        try (Ring ring = Ring.open(4)) {
            assertThrows(IllegalStateException.class, ring::link);
            assertThrows(IllegalStateException.class, () -> ring.linkTimeout(Duration.ofMillis(1), IGNORE));
            assertThrows(IllegalArgumentException.class, () -> ring.timeout(Duration.ofMillis(-1), IGNORE));
        }
    }

    /** Random operations, closes and cancels: only the documented exceptions, every completion delivered. */
    @Test
    void randomMix() throws IOException {
        Random random = new Random(18);
        for (int run = 0; run < 20; run++) {
            Ring ring = Ring.open(128); // room for every operation: a full ring of idle receives would wait (back-pressure)
            List<SocketPair> pairs = new ArrayList<>();
            List<RingBuffer> bufs = new ArrayList<>();
            List<Long> ops = new ArrayList<>();
            int[] delivered = {0};
            int[] submitted = {0};
            Completion count = (op, r, f) -> delivered[0]++;
            try {
                for (int step = 0; step < 200; step++) {
                    if (pairs.isEmpty() || random.nextInt(10) == 0) {
                        pairs.add(Socket.pair(random.nextBoolean() ? SocketType.STREAM : SocketType.DGRAM));
                    }
                    if (bufs.isEmpty() || random.nextInt(10) == 0) bufs.add(ring.allocate(1 + random.nextInt(64)));
                    SocketPair p = pairs.get(random.nextInt(pairs.size()));
                    RingBuffer b = bufs.get(random.nextInt(bufs.size()));
                    Socket s = random.nextBoolean() ? p.first() : p.second();
                    int at = random.nextInt(80) - 8;
                    int len = random.nextInt(80) - 8;
                    try {
                        switch (random.nextInt(9)) {
                            case 0 -> { ops.add(ring.recv(s, b, at, len, 0, count)); submitted[0]++; }
                            case 1 -> { ops.add(ring.send(s, b, at, len, 0, count)); submitted[0]++; }
                            case 2 -> { if (!ops.isEmpty()) ring.cancel(ops.get(random.nextInt(ops.size()))); }
                            case 3 -> s.close();
                            case 4 -> b.close();
                            case 5 -> ring.submitAndWait(0);
                            case 6 -> { ops.add(ring.timeout(Duration.ofNanos(random.nextInt(1_000_000)), count)); submitted[0]++; }
                            case 7 -> { ops.add(ring.poll(s, Ring.POLL_IN | Ring.POLL_OUT, random.nextBoolean(), count)); submitted[0]++; }
                            default -> ring.complete();
                        }
                    } catch (ClosedChannelException | IndexOutOfBoundsException | IllegalStateException expected) {
                        // a closed socket or buffer, a bad range: refused before the kernel saw it
                    }
                }
            } finally {
                ring.close();
                for (SocketPair p : pairs) p.close();
            }
            // every submitted operation got exactly its last completion (multishot polls may add more)
            assertTrue(delivered[0] >= submitted[0], delivered[0] + " < " + submitted[0]);
        }
    }
}
