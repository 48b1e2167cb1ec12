package io.ffsock.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.internal.sys.Const;
import io.ffsock.testing.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Which kernel task a ring belongs to: a platform thread's ring is single-issuer and cooperative
 * (the kernel finishes completions when that thread next enters it); a virtual thread's ring must
 * go on working as the virtual thread moves between carrier threads.
 */
@ExtendWith(FdLeakCheck.class)
class RingThreadTest {

    @Test
    void aPlatformThreadsRingIsSingleIssuerAndCooperative() throws Exception {
        try (Ring ring = Ring.open(8)) {
            int f = ring.setupFlags();
            assertEquals(Const.IORING_SETUP_SINGLE_ISSUER, f & Const.IORING_SETUP_SINGLE_ISSUER);
            assertEquals(Const.IORING_SETUP_COOP_TASKRUN, f & Const.IORING_SETUP_COOP_TASKRUN);
            assertEquals(Const.IORING_SETUP_TASKRUN_FLAG, f & Const.IORING_SETUP_TASKRUN_FLAG);
        }
    }

    @Test
    void aDeferredRingIsSingleIssuerAndDeferred() throws Exception {
        try (Ring ring = Ring.open(8, 0, Ring.TaskRun.DEFERRED)) {
            int f = ring.setupFlags();
            assertEquals(Const.IORING_SETUP_SINGLE_ISSUER, f & Const.IORING_SETUP_SINGLE_ISSUER);
            assertEquals(Const.IORING_SETUP_DEFER_TASKRUN, f & Const.IORING_SETUP_DEFER_TASKRUN);
            assertEquals(0, f & Const.IORING_SETUP_COOP_TASKRUN);
        }
    }

    /**
     * Completion work a cooperative or deferred ring leaves to its thread is fetched by
     * {@link Ring#complete()} alone: a recv whose data arrives while the thread spins in Java
     * completes without a wait (a deferred ring's work runs only when the thread asks for it).
     */
    @ParameterizedTest
    @EnumSource(Ring.TaskRun.class)
    void completeAloneFetchesTheCompletionWorkLeftForThisThread(Ring.TaskRun taskRun) throws Exception {
        try (Ring ring = Ring.open(8, 0, taskRun); SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            RingBuffer in = ring.allocate(16);
            int[] got = {Integer.MIN_VALUE};
            ring.recv(p.second(), in, 0, 16, 0, (op, n, flags) -> got[0] = n);
            ring.submit();
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    p.first().send("ping".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            sender.join();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (got[0] == Integer.MIN_VALUE && System.nanoTime() < deadline) ring.complete();
            assertEquals(4, got[0]);
        }
    }

    @Test
    void aVirtualThreadsRingWorksOnEveryCarrierItLandsOn() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Set<String> carriers = new HashSet<>();
        int[] rounds = {0};
        Thread vt = Thread.ofVirtual().start(() -> {
            try (Ring ring = Ring.open(8); SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
                assertEquals(0, ring.setupFlags() & (Const.IORING_SETUP_SINGLE_ISSUER | Const.IORING_SETUP_COOP_TASKRUN));
                RingBuffer out = ring.allocate(8);
                RingBuffer in = ring.allocate(8);
                out.put(0, "pingpong".getBytes(StandardCharsets.US_ASCII), 0, 8);
                int[] results = new int[2];
                long deadline = System.nanoTime() + 20_000_000_000L;
                // Park between round trips until the thread has run on two carriers, and some more.
                while ((carriers.size() < 2 || rounds[0] < 50) && System.nanoTime() < deadline) {
                    results[0] = results[1] = Integer.MIN_VALUE;
                    ring.send(p.first(), out, 0, 8, 0, (op, n, flags) -> results[0] = n);
                    ring.recv(p.second(), in, 0, 8, 0, (op, n, flags) -> results[1] = n);
                    int delivered = 0;
                    while (delivered < 2) delivered += ring.submitAndWait(2 - delivered, Duration.ofSeconds(5));
                    assertEquals(8, results[0]);
                    assertEquals(8, results[1]);
                    String name = Thread.currentThread().toString(); // VirtualThread[#n]/runnable@CARRIER
                    carriers.add(name.substring(name.indexOf('@') + 1));
                    rounds[0]++;
                    Thread.sleep(1);
                }
                // and one operation left in flight for close() to cancel, from whichever carrier
                long op = ring.recv(p.second(), in, 0, 8, 0, (o, n, flags) -> results[1] = n);
                ring.submit();
                Thread.sleep(1);
                ring.close();
                assertFalse(ring.isLive(op));
                assertEquals(-Const.ECANCELED, results[1]);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        // Keep the carriers busy now and then, so that the parked virtual thread resumes elsewhere.
        Thread[] load = new Thread[2];
        for (int i = 0; i < load.length; i++) {
            load[i] = Thread.ofVirtual().start(() -> {
                while (vt.isAlive()) {
                    long end = System.nanoTime() + 300_000;
                    while (System.nanoTime() < end) Thread.onSpinWait();
                    try {
                        Thread.sleep(1); // not Thread.yield(): a yielding carrier may run the yielder again and starve the rest
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        assertTrue(vt.join(Duration.ofSeconds(60)), "the virtual thread's ring hung");
        for (Thread t : load) t.join();
        assertNull(failure.get(), () -> "failed: " + failure.get());
        assertTrue(carriers.size() >= 2, "ran on one carrier only: " + carriers);
    }
}
