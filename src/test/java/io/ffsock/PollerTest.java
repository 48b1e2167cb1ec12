package io.ffsock;

import static io.ffsock.internal.sys.Const.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blocking calls on virtual and platform threads: they wait without holding a carrier, wake on
 * interrupt (closing the socket: ClosedByInterruptException) and on close from another thread
 * (AsynchronousCloseException), honour timeouts, and the poller thread ends when idle.
 */
class PollerTest {
    private static final long PROMPT_MS = 2_000; // generous: the machine is shared; typical is < 1 ms

    private static ThreadFactory threads(boolean virtual) {
        return virtual ? Thread.ofVirtual().factory() : Thread.ofPlatform().daemon().factory();
    }

    /** Runs {@code body} on a new thread; the future completes with what it threw (or null). */
    private static CompletableFuture<Throwable> onThread(boolean virtual, AtomicReference<Thread> thread, Body body) {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        Thread t = threads(virtual).newThread(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable e) {
                done.complete(e);
            }
        });
        thread.set(t);
        t.start();
        return done;
    }

    interface Body {
        void run() throws Exception;
    }

    /** Waits until {@code t} is parked or blocked (in the kernel a platform thread shows RUNNABLE). */
    private static void awaitBlocked(Thread t, boolean virtual) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) return;
            if (!virtual && s == Thread.State.RUNNABLE) {
                Thread.sleep(100); // in recv(2) or poll(2): the JVM cannot tell; give it time to get there
                return;
            }
            Thread.sleep(1);
        }
        fail("thread never blocked: " + t.getState());
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void interruptClosesTheSocketAndThrowsClosedByInterrupt(boolean virtual) throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            AtomicReference<Thread> t = new AtomicReference<>();
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            CompletableFuture<Throwable> r = onThread(virtual, t, () -> {
                try {
                    p.first().recv(new byte[8]);
                } finally {
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            awaitBlocked(t.get(), virtual);
            long t0 = System.nanoTime();
            t.get().interrupt();
            Throwable e = r.get(PROMPT_MS, TimeUnit.MILLISECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertInstanceOf(ClosedByInterruptException.class, e, String.valueOf(e));
            assertTrue(e.getMessage().startsWith("recv"), e.getMessage());
            assertTrue(stillInterrupted.get(), "interrupt status kept");
            assertTrue(p.first().isClosed(), "an interrupt closes the socket, as InterruptibleChannel");
            System.out.println("interrupt woke " + (virtual ? "virtual" : "platform") + " recv in " + ms + " ms");
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void interruptWakesAcceptAndConnectWaits(boolean virtual) throws Exception {
        try (Socket server = Socket.open(Family.UNIX, SocketType.STREAM)) {
            server.bind(UnixAddress.unnamed());
            server.listen();
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Throwable> r = onThread(virtual, t, server::accept);
            awaitBlocked(t.get(), virtual);
            t.get().interrupt();
            assertInstanceOf(ClosedByInterruptException.class, r.get(PROMPT_MS, TimeUnit.MILLISECONDS));
            assertTrue(server.isClosed());
        }
    }

    @Test
    void alreadyInterruptedThreadClosesOnABlockingCallButNotOnANonBlockingOne() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.second().setBlocking(false);
            Thread.currentThread().interrupt();
            try {
                SyscallException e = assertThrows(SyscallException.class, () -> p.second().recv(new byte[1]));
                assertEquals(EAGAIN, e.errno().value());
                assertFalse(p.second().isClosed(), "a non-blocking call is not interruptible");
                assertThrows(ClosedByInterruptException.class, () -> p.first().recv(new byte[1]));
                assertTrue(p.first().isClosed());
            } finally {
                assertTrue(Thread.interrupted());
            }
        }
    }

    @Test
    void anInterruptedThreadClosesTheSocketEvenWhenTheCallWouldNotWait() throws Exception {
        // Data is queued and there is room to send, so neither call would wait (the quick try
        // without the interrupt hook would succeed); a blocking call on an interrupted thread
        // must still close the socket, as the JDK's InterruptibleChannel does.
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.second().send(new byte[] {1});
            Thread.currentThread().interrupt();
            try {
                assertThrows(ClosedByInterruptException.class, () -> p.first().recv(new byte[1]));
                assertTrue(p.first().isClosed());
            } finally {
                assertTrue(Thread.interrupted());
            }
            Thread.currentThread().interrupt();
            try {
                assertThrows(ClosedByInterruptException.class, () -> p.second().send(new byte[] {2}));
                assertTrue(p.second().isClosed());
            } finally {
                assertTrue(Thread.interrupted());
            }
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aBlockingStreamSendThatOnlyPartlyFitsLosesAndRepeatsNothing(boolean virtual) throws Exception {
        // The first try of a blocking send goes without waiting and the socket takes only part.
        // On a platform thread the rest then waits for room and goes too, as a blocking send(2)
        // does: one call sends every byte. On a virtual thread a send returns once some bytes
        // went, as the JDK's SocketChannel does there; a loop of sends delivers them all in order.
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4096);
            byte[] big = new byte[1 << 20];
            for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
            AtomicReference<Thread> t = new AtomicReference<>();
            List<Integer> calls = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Throwable> r = onThread(virtual, t, () -> {
                int off = 0;
                while (off < big.length) {
                    int n = p.first().send(big, off, big.length - off);
                    calls.add(n);
                    off += n;
                }
            });
            byte[] got = new byte[big.length];
            int n = 0;
            Thread.sleep(50); // let the sender fill the buffer and wait for room
            while (n < got.length) {
                int k = p.second().recv(got, n, Math.min(4096, got.length - n));
                assertTrue(k > 0);
                n += k;
            }
            assertNull(r.get(10, TimeUnit.SECONDS));
            assertArrayEquals(big, got);
            if (!virtual) assertEquals(List.of(big.length), calls, "one blocking send took it all");
        }
    }

    @Test
    void recvWithWaitAllWaitsForTheWholeLengthEvenWithSomeDataQueued() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.second().send(new byte[] {1, 2});
            AtomicReference<Thread> t = new AtomicReference<>();
            byte[] got = new byte[4];
            int[] n = new int[1];
            CompletableFuture<Throwable> r = onThread(false, t,
                    () -> n[0] = p.first().recv(got, 0, 4, java.util.Set.of(MsgFlag.WAITALL)));
            awaitBlocked(t.get(), false);
            Thread.sleep(50);
            assertFalse(r.isDone(), "MSG_WAITALL returned with 2 of 4 bytes");
            p.second().send(new byte[] {3, 4});
            assertNull(r.get(PROMPT_MS, TimeUnit.MILLISECONDS));
            assertEquals(4, n[0]);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, got);
        }
    }

    @Test
    void closeWakesEveryWaiterVirtualAndPlatform() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            List<CompletableFuture<Throwable>> results = new ArrayList<>();
            List<Thread> started = new ArrayList<>();
            for (boolean virtual : new boolean[] {true, false, true, false}) {
                AtomicReference<Thread> t = new AtomicReference<>();
                results.add(onThread(virtual, t, () -> p.first().recv(new byte[8])));
                awaitBlocked(t.get(), virtual);
                started.add(t.get());
            }
            long t0 = System.nanoTime();
            p.first().close();
            for (CompletableFuture<Throwable> r : results) {
                assertInstanceOf(AsynchronousCloseException.class, r.get(PROMPT_MS, TimeUnit.MILLISECONDS));
            }
            System.out.println("close woke 4 waiters in " + (System.nanoTime() - t0) / 1000 + " us");
            for (Thread t : started) assertFalse(t.isInterrupted());
            assertThrows(ClosedChannelException.class, () -> p.first().recv(new byte[1]));
        }
    }

    @Test
    void closeWakesAParkedWaiterEvenWithoutAnyFdEvent() throws Exception {
        // An fd whose close does no shutdown(2), so the kernel reports nothing: only the poller's
        // own wake-up on close can end the wait.
        int[] fds = new int[2];
        assertEquals(0, Syscalls.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds));
        FdLife life = new FdLife(fds[0], false);
        try {
            AtomicReference<Thread> t = new AtomicReference<>();
            AtomicReference<Integer> result = new AtomicReference<>();
            CompletableFuture<Throwable> r = onThread(true, t, () -> {
                assertTrue(life.tryAcquire());
                try {
                    result.set(Readiness.await(life, POLLIN, Readiness.token(life, POLLIN), 0));
                } finally {
                    life.release();
                }
            });
            awaitBlocked(t.get(), true);
            life.close();
            assertNull(r.get(PROMPT_MS, TimeUnit.MILLISECONDS));
            assertEquals(Readiness.READY, result.get());
        } finally {
            Syscalls.close(fds[1]);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void timeoutsAreHonouredToTheMillisecond(boolean virtual) throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            p.first().setTimeout(Duration.ofMillis(50));
            long[] took = new long[5];
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Throwable> r = onThread(virtual, t, () -> {
                for (int i = 0; i < took.length; i++) {
                    long t0 = System.nanoTime();
                    assertThrows(SocketTimeoutException.class, () -> p.first().recv(new byte[8]));
                    took[i] = System.nanoTime() - t0;
                }
            });
            assertNull(r.get(10, TimeUnit.SECONDS));
            long[] ms = Arrays.stream(took).map(n -> n / 1000).sorted().toArray();
            System.out.println((virtual ? "virtual" : "platform") + " 50 ms timeouts took (us) " + Arrays.toString(ms));
            assertTrue(ms[0] >= 50_000, "never early: " + Arrays.toString(ms));
            assertTrue(ms[ms.length / 2] < 55_000, "median within 5 ms: " + Arrays.toString(ms));
            assertFalse(p.first().isClosed());
        }
    }

    @Test
    void virtualAcceptAndConnectLeaveTheTimeoutAloneButSetONonBlock() throws Exception {
        try (Socket server = Socket.open(Family.UNIX, SocketType.STREAM);
             Socket client = Socket.open(Family.UNIX, SocketType.STREAM)) {
            server.bind(UnixAddress.unnamed());
            server.listen();
            assertFalse(Fds.isNonBlocking(server.fdNumber()));
            AtomicReference<Socket> accepted = new AtomicReference<>();
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Throwable> a = onThread(true, t, () -> accepted.set(server.accept()));
            CompletableFuture<Throwable> c = onThread(true, new AtomicReference<>(), () -> client.connect(server.localAddress()));
            assertNull(c.get(5, TimeUnit.SECONDS));
            assertNull(a.get(5, TimeUnit.SECONDS));
            try (Socket s = accepted.get()) {
                assertTrue(server.isBlocking());
                assertTrue(server.getTimeout().isEmpty());
                assertTrue(Fds.isNonBlocking(server.fdNumber()), "kernel flag set for the virtual thread");
                assertTrue(Fds.isNonBlocking(client.fdNumber()));
                assertFalse(Fds.isNonBlocking(s.fdNumber()), "accepted sockets start blocking");
                // setTimeout(null) keeps the kernel flag; blocking semantics on a platform thread still hold.
                server.setTimeout(null);
                assertTrue(Fds.isNonBlocking(server.fdNumber()));
                s.send(new byte[] {7});
                byte[] b = new byte[1];
                assertEquals(1, client.recv(b)); // platform thread, O_NONBLOCK fd: waits in poll(2)
                assertEquals(7, b[0]);
                AtomicReference<Thread> w = new AtomicReference<>();
                CompletableFuture<Throwable> late = onThread(false, w, () -> client.recv(b));
                awaitBlocked(w.get(), false);
                s.send(new byte[] {8});
                assertNull(late.get(5, TimeUnit.SECONDS));
                assertEquals(8, b[0]);
            }
        }
    }

    @Test
    void platformOnlySocketsKeepABlockingFd() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().send(new byte[] {1});
            assertEquals(1, p.second().recv(new byte[1]));
            assertFalse(Fds.isNonBlocking(p.first().fdNumber()));
            assertFalse(Fds.isNonBlocking(p.second().fdNumber()));
        }
    }

    @Test
    void pollerThreadEndsWhenNoSocketIsRegistered() throws Exception {
        long saved = Poller.idleNanos;
        Poller.idleNanos = TimeUnit.MILLISECONDS.toNanos(200);
        try {
            try (SocketPair p = Socket.pair(SocketType.STREAM)) {
                CompletableFuture<Throwable> r = onThread(true, new AtomicReference<>(), () -> p.first().recv(new byte[1]));
                Thread.sleep(50);
                p.second().send(new byte[] {1});
                assertNull(r.get(5, TimeUnit.SECONDS));
                assertEquals(2, Poller.threads().size(), "a virtual thread waited: the poller runs");
                assertTrue(p.first().life().registration != null);
            }
            Thread poller = Poller.threads().isEmpty() ? null : Poller.threads().get(0);
            Thread vpoller = Poller.threads().isEmpty() ? null : Poller.threads().get(1);
            if (poller != null) {
                // Sockets other tests left to the Cleaner may still be registered: collect them.
                for (int i = 0; i < 20 && poller.isAlive(); i++) {
                    System.gc();
                    poller.join(250);
                }
                assertFalse(poller.isAlive(), "the master thread ends once nothing is registered");
                vpoller.join(1000);
                assertFalse(vpoller.isAlive(), "and so does the virtual poller thread");
            }
            assertEquals(java.util.List.of(), Poller.threads());
            // ... and a new wait starts a new one.
            try (SocketPair p = Socket.pair(SocketType.STREAM)) {
                CompletableFuture<Throwable> r = onThread(true, new AtomicReference<>(), () -> p.first().recv(new byte[1]));
                Thread.sleep(50);
                p.second().send(new byte[] {1});
                assertNull(r.get(5, TimeUnit.SECONDS));
                assertEquals(2, Poller.threads().size());
            }
        } finally {
            Poller.idleNanos = saved;
        }
    }

    @Test
    void manyWaitersOnOneSocketAllGetTheirTurn() throws Exception {
        // Several virtual threads receive on one datagram socket; each message wakes someone.
        try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
            int n = 50;
            List<CompletableFuture<Throwable>> rs = new ArrayList<>();
            for (int i = 0; i < n; i++) rs.add(onThread(true, new AtomicReference<>(), () -> p.first().recv(new byte[4])));
            Thread.sleep(100);
            for (int i = 0; i < n; i++) {
                for (;;) {
                    try {
                        p.second().send(new byte[] {(byte) i});
                        break;
                    } catch (IOException e) {
                        Thread.sleep(1); // queue full (max_dgram_qlen): the receivers catch up
                    }
                }
            }
            for (CompletableFuture<Throwable> r : rs) assertNull(r.get(5, TimeUnit.SECONDS));
        }
    }

    /** Waits (at most 5 s) until the poller has counted an event on {@code life} since {@code token}. */
    private static void awaitCounted(FdLife life, int events, int token) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Readiness.token(life, events) == token) {
            assertTrue(System.nanoTime() < end, "the poller never counted the event");
            Thread.sleep(1);
        }
    }

    @Test
    void anEventBetweenTheSystemCallAndTheParkIsNotLost() throws Exception {
        // The race the event counts close: the call's EAGAIN, then the peer's data (and its one
        // edge-triggered event, dispatched to nobody), then the wait. The wait must not park.
        int[] fds = new int[2];
        assertEquals(0, Syscalls.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds));
        FdLife life = new FdLife(fds[0]);
        try {
            AtomicReference<Integer> result = new AtomicReference<>();
            // First wait registers the fd with the poller; it times out (nothing sent).
            assertNull(onThread(true, new AtomicReference<>(), () -> {
                assertTrue(life.tryAcquire());
                try {
                    result.set(Readiness.await(life, POLLIN, Readiness.token(life, POLLIN), System.nanoTime() + 20_000_000));
                } finally {
                    life.release();
                }
            }).get(PROMPT_MS, TimeUnit.MILLISECONDS));
            assertEquals(Readiness.TIMED_OUT, result.get());

            int before = Readiness.token(life, POLLIN); // "read before the system call"
            assertEquals(1, Syscalls.write(fds[1], new byte[] {1}, 0, 1));
            awaitCounted(life, POLLIN, before); // the event came and went while no one waited
            assertNull(onThread(true, new AtomicReference<>(), () -> {
                assertTrue(life.tryAcquire());
                try {
                    // A deadline an hour away: only the counted event can end this wait.
                    result.set(Readiness.await(life, POLLIN, before, System.nanoTime() + TimeUnit.HOURS.toNanos(1)));
                } finally {
                    life.release();
                }
            }).get(PROMPT_MS, TimeUnit.MILLISECONDS));
            assertEquals(Readiness.READY, result.get());

            // With a token read after that event, the same wait parks until the timeout.
            int after = Readiness.token(life, POLLIN);
            assertNull(onThread(true, new AtomicReference<>(), () -> {
                assertTrue(life.tryAcquire());
                try {
                    result.set(Readiness.await(life, POLLIN, after, System.nanoTime() + 20_000_000));
                } finally {
                    life.release();
                }
            }).get(PROMPT_MS, TimeUnit.MILLISECONDS));
            assertEquals(Readiness.TIMED_OUT, result.get());
        } finally {
            life.close();
            Syscalls.close(fds[1]);
        }
    }

    @Test
    void twoVirtualReadersOfOneStreamBothWakeForData() throws Exception {
        // The first waiter takes the registration's read slot, the second goes to the locked list:
        // both must be woken by events, not only the one in the slot.
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            AtomicReference<Thread> a = new AtomicReference<>();
            AtomicReference<Thread> b = new AtomicReference<>();
            byte[] ga = new byte[1];
            byte[] gb = new byte[1];
            CompletableFuture<Throwable> ra = onThread(true, a, () -> assertEquals(1, p.first().recv(ga)));
            awaitBlocked(a.get(), true);
            CompletableFuture<Throwable> rb = onThread(true, b, () -> assertEquals(1, p.first().recv(gb)));
            awaitBlocked(b.get(), true);
            p.second().send(new byte[] {7});
            CompletableFuture.anyOf(ra, rb).get(PROMPT_MS, TimeUnit.MILLISECONDS);
            p.second().send(new byte[] {8});
            assertNull(ra.get(PROMPT_MS, TimeUnit.MILLISECONDS));
            assertNull(rb.get(PROMPT_MS, TimeUnit.MILLISECONDS));
            assertEquals(15, ga[0] + gb[0], "each reader got one of the two bytes");
        }
    }
}
