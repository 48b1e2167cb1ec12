package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Socket;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.SocketKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sendAll holds the socket's write lock: 8 threads each sending 1 MiB of its own byte value at
 * once arrive as exactly 8 contiguous runs of 1 MiB (without the lock, 65 to 198 runs).
 */
@ExtendWith(FdLeakCheck.class)
class ConcurrentWritersTest {
    private static final int WRITERS = 8;
    private static final int SIZE = 1 << 20;

    enum Kind { BYTES, HEAP_BUFFER, DIRECT_BUFFER, SEGMENT }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "TCP4"})
    void eightPlatformWritersArriveAsEightRuns(SocketKind socketKind) throws Exception {
        for (Kind k : Kind.values()) {
            try (SocketKind.Connected c = socketKind.connected()) {
                assertEquals(WRITERS, runs(c, k, false), k + " on " + socketKind);
            }
        }
    }

    @Test
    void eightVirtualWritersArriveAsEightRuns() throws Exception {
        try (SocketKind.Connected c = SocketKind.UNIX_STREAM.connected()) {
            assertEquals(WRITERS, runs(c, Kind.BYTES, true));
        }
    }

    /** Starts the writers, reads everything, returns how many runs of one byte value came. */
    private static int runs(SocketKind.Connected c, Kind kind, boolean virtual) throws Exception {
        // small buffers: every sendAll needs many send(2) calls, so writers would interleave
        c.client().setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
        c.server().setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            byte value = (byte) (w + 1);
            Runnable r = () -> {
                byte[] data = new byte[SIZE];
                Arrays.fill(data, value);
                try (Arena arena = Arena.ofShared()) {
                    start.await();
                    switch (kind) {
                        case BYTES -> c.client().sendAll(data);
                        case HEAP_BUFFER -> c.client().sendAll(ByteBuffer.wrap(data));
                        case DIRECT_BUFFER -> c.client().sendAll(ByteBuffer.allocateDirect(SIZE).put(data).flip());
                        case SEGMENT -> c.client().sendAll(arena.allocate(SIZE).copyFrom(MemorySegment.ofArray(data)));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            };
            writers.add(virtual ? Thread.ofVirtual().start(r) : Thread.ofPlatform().start(r));
        }
        start.countDown();
        byte[] all = new byte[WRITERS * SIZE];
        int got = 0;
        c.server().setTimeout(Duration.ofSeconds(30));
        while (got < all.length) {
            int n = c.server().recv(all, got, Math.min(64 * 1024, all.length - got));
            assertTrue(n > 0, "stream ended after " + got + " bytes");
            got += n;
        }
        for (Thread t : writers) t.join();
        if (failure.get() != null) throw new AssertionError("a writer failed", failure.get());
        int runs = 1;
        int[] perValue = new int[WRITERS + 1];
        perValue[all[0]]++;
        for (int i = 1; i < all.length; i++) {
            if (all[i] != all[i - 1]) {
                runs++;
                perValue[all[i]]++;
            }
        }
        for (int v = 1; v <= WRITERS; v++) assertTrue(perValue[v] >= 1, "value " + v + " never arrived");
        return runs;
    }

    /** A writer waiting for the lock gives up at its timeout, having sent nothing. */
    @Test
    void waitingForTheLockCountsAgainstTheTimeout() throws Exception {
        try (SocketKind.Connected c = SocketKind.UNIX_STREAM.connected()) {
            c.client().setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
            // the holder blocks: nobody reads, and its data is far more than the buffers hold
            Thread holder = Thread.ofPlatform().start(() -> {
                try {
                    c.client().sendAll(new byte[4 << 20]);
                } catch (Exception expected) {
                    // closed at the end of the test
                }
            });
            waitForBlocked(c.server());
            Socket s = c.client();
            s.setTimeout(Duration.ofMillis(100));
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> s.sendAll(new byte[10]));
            assertEquals(0, e.bytesTransferred);
            assertTrue(e.getMessage().startsWith("sendall("), e.getMessage());
            c.client().close();
            holder.join();
        }
    }

    /** An interrupt ends the wait for the lock as it ends a blocked call: the socket is closed. */
    @Test
    void anInterruptEndsTheWaitForTheLock() throws Exception {
        try (SocketKind.Connected c = SocketKind.UNIX_STREAM.connected()) {
            c.client().setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
            Thread holder = Thread.ofPlatform().start(() -> {
                try {
                    c.client().sendAll(new byte[4 << 20]);
                } catch (Exception expected) {
                    // the socket is closed by the interrupt below
                }
            });
            waitForBlocked(c.server());
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    c.client().sendAll(new byte[10]);
                } catch (Throwable t) {
                    seen.set(t);
                    if (!Thread.currentThread().isInterrupted()) seen.set(new AssertionError("interrupt status lost", t));
                }
            });
            long until = System.nanoTime() + 10_000_000_000L;
            while (waiter.getState() != Thread.State.WAITING) { // parked on the lock, not in send(2)
                if (System.nanoTime() > until) {
                    c.client().close();
                    fail("the second writer never waited for the write lock: " + waiter.getState());
                }
                Thread.sleep(1);
            }
            waiter.interrupt();
            waiter.join();
            holder.join();
            assertInstanceOf(ClosedByInterruptException.class, seen.get());
            assertTrue(c.client().isClosed());
        }
    }

    /** The holder's first byte has arrived: it is inside sendAll, holding the lock, and 4 MiB cannot fit. */
    private static void waitForBlocked(Socket reader) throws Exception {
        reader.setTimeout(Duration.ofSeconds(10));
        assertEquals(1, reader.recv(new byte[1]));
    }
}
