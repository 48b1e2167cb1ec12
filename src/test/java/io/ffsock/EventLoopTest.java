package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.EventLoop.Event;
import io.ffsock.EventLoop.Ready;
import io.ffsock.EventLoop.Trigger;
import io.ffsock.testing.Fds;
import io.ffsock.testing.PinnedCarriers;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Every test runs on both backends: epoll and io_uring. */
class EventLoopTest {
    private static final Duration SHORT = Duration.ofMillis(20);

    /** A loop on {@code backend}; io_uring is skipped (with the reason) only where the kernel refuses it. */
    static EventLoop open(EventLoop.Backend backend, int maxEvents) throws Exception {
        if (backend == EventLoop.Backend.IO_URING) {
            String why = UringLoop.unavailableReason();
            Assumptions.assumeTrue(why == null, () -> "io_uring unavailable: " + why);
        }
        EventLoop loop = EventLoop.open(backend, maxEvents);
        assertEquals(backend, loop.backend());
        return loop;
    }

    static EventLoop open(EventLoop.Backend backend) throws Exception {
        return open(backend, 256);
    }

    @ParameterizedTest
    @EnumSource(names = {"EPOLL", "IO_URING"})
    void reportsReadAndWriteReadinessWithTheSocket(EventLoop.Backend backend) throws Exception {
        try (EventLoop loop = open(backend); SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().setBlocking(false);
            loop.register(p.first(), Set.of(Event.READ));
            assertEquals(0, loop.poll(Duration.ZERO).size());
            p.second().send(new byte[] {42});
            List<Ready> ready = loop.poll(Duration.ofSeconds(5));
            assertEquals(1, ready.size());
            assertSame(p.first(), ready.get(0).socket());
            assertTrue(ready.get(0).isReadable());
            assertFalse(ready.get(0).isWritable());
            assertEquals(EnumSet.of(Event.READ), ready.get(0).events());
            // Level-triggered: reported again until read.
            assertEquals(1, loop.poll(Duration.ZERO).size());
            assertEquals(1, p.first().recv(new byte[4]));
            assertEquals(0, loop.poll(Duration.ZERO).size());

            loop.modify(p.first(), Set.of(Event.READ, Event.WRITE));
            ready = loop.poll(Duration.ZERO);
            assertEquals(1, ready.size());
            assertTrue(ready.get(0).isWritable());
            loop.unregister(p.first());
            assertEquals(0, loop.poll(Duration.ZERO).size());
            SyscallException e = assertThrows(SyscallException.class, () -> loop.unregister(p.first()));
            assertEquals("ENOENT", e.errno().symbol());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"EPOLL", "IO_URING"})
    void peerCloseIsReportedAndTheListIsReused(EventLoop.Backend backend) throws Exception {
        try (EventLoop loop = open(backend, 4); SocketPair p = Socket.pair(SocketType.STREAM)) {
            loop.register(p.first(), Set.of(Event.PEER_CLOSED));
            List<Ready> first = loop.poll(Duration.ZERO);
            p.second().close();
            List<Ready> ready = loop.poll(Duration.ofSeconds(5));
            assertSame(first, ready, "one list, refilled by each poll");
            assertEquals(1, ready.size());
            assertTrue(ready.get(0).is(Event.PEER_CLOSED), ready.get(0).toString());
            assertTrue(ready.get(0).is(Event.HANGUP), "both directions gone: EPOLLHUP, always reported");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"EPOLL", "IO_URING"})
    void oneshotIsReportedOnceUntilModified(EventLoop.Backend backend) throws Exception {
        try (EventLoop loop = open(backend); SocketPair p = Socket.pair(SocketType.DGRAM)) {
            loop.register(p.first(), Set.of(Event.READ), Trigger.ONESHOT);
            p.second().send(new byte[] {1});
            assertEquals(1, loop.poll(SHORT).size());
            assertEquals(0, loop.poll(SHORT).size(), "disarmed");
            loop.modify(p.first(), Set.of(Event.READ), Trigger.ONESHOT);
            assertEquals(1, loop.poll(SHORT).size(), "armed again, still readable");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"EPOLL", "IO_URING"})
    void edgeTriggeredReportsChangesOnly(EventLoop.Backend backend) throws Exception {
        try (EventLoop loop = open(backend); SocketPair p = Socket.pair(SocketType.DGRAM)) {
            loop.register(p.first(), Set.of(Event.READ), Trigger.EDGE);
            p.second().send(new byte[] {1});
            assertEquals(1, loop.poll(SHORT).size());
            assertEquals(0, loop.poll(SHORT).size(), "no new edge");
            p.second().send(new byte[] {2});
            assertEquals(1, loop.poll(SHORT).size());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"EPOLL", "IO_URING"})
    void manySocketsAtOnce(EventLoop.Backend backend) throws Exception {
        try (EventLoop loop = open(backend, 8)) {
            SocketPair[] pairs = new SocketPair[20];
            try {
                for (int i = 0; i < pairs.length; i++) {
                    pairs[i] = Socket.pair(SocketType.SEQPACKET);
                    loop.register(pairs[i].first(), Set.of(Event.READ));
                    pairs[i].second().send(new byte[] {(byte) i});
                }
                // maxEvents 8: the rest stay pending for the next polls.
                int seen = 0;
                for (int round = 0; round < 3; round++) {
                    List<Ready> ready = loop.poll(SHORT);
                    assertTrue(ready.size() <= 8);
                    for (Ready r : ready) {
                        byte[] b = new byte[1];
                        assertEquals(1, r.socket().recv(b));
                        seen++;
                    }
                }
                assertEquals(pairs.length, seen);
            } finally {
                for (SocketPair p : pairs) if (p != null) p.close();
            }
        }
    }

    /**
     * A loop wakes up through one eventfd (not a pipe, whose write could raise SIGPIPE and needs
     * two fds): opening it adds its epoll or ring fd and an eventfd, many wake-ups before a poll
     * end that poll and the next one waits again, and closing it closes both fds.
     */
    @ParameterizedTest
    @EnumSource(names = {"EPOLL", "IO_URING"})
    void wakeUpsGoThroughOneEventfd(EventLoop.Backend backend) throws Exception {
        java.util.Map<Integer, String> before = Fds.snapshot();
        EventLoop loop = open(backend);
        java.util.Map<Integer, String> added = Fds.added(before, Fds.snapshot());
        String own = backend == EventLoop.Backend.EPOLL ? "anon_inode:[eventpoll]" : "anon_inode:[io_uring]";
        assertEquals(List.of("anon_inode:[eventfd]", own), added.values().stream().sorted().toList());
        try {
            for (int i = 0; i < 1000; i++) loop.wakeup();
            assertEquals(0, loop.poll(Duration.ofSeconds(5)).size());
            long t0 = System.nanoTime();
            assertEquals(0, loop.poll(Duration.ofMillis(100)).size());
            assertTrue(System.nanoTime() - t0 >= 90_000_000L, "the 1000 wake-ups ended one poll only");
        } finally {
            loop.close();
        }
        java.util.Map<Integer, String> closed = Fds.snapshot();
        added.forEach((fd, target) -> assertNotEquals(target, closed.get(fd), "fd " + fd + " is still open after close"));
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @CsvSource({"EPOLL, true", "EPOLL, false", "IO_URING, true", "IO_URING, false"})
    void wakeupInterruptAndCloseEndAWait(EventLoop.Backend backend, boolean virtual) throws Exception {
        try (EventLoop loop = open(backend); SocketPair p = Socket.pair(SocketType.STREAM)) {
            loop.register(p.first(), Set.of(Event.READ));
            // wakeup
            CompletableFuture<Object> r = run(virtual, () -> loop.poll(null).size());
            Thread.sleep(50);
            loop.wakeup();
            assertEquals(0, r.get(2, TimeUnit.SECONDS));
            // interrupt: returns early, status kept, loop still open
            CompletableFuture<Object> i = run(virtual, () -> {
                int n = loop.poll(Duration.ofSeconds(30)).size();
                return n + " " + Thread.currentThread().isInterrupted();
            });
            Thread.sleep(50);
            interruptRunner();
            assertEquals("0 true", i.get(2, TimeUnit.SECONDS));
            assertFalse(loop.isClosed());
            // close
            CompletableFuture<Object> c = run(virtual, () -> loop.poll(null));
            Thread.sleep(50);
            loop.close();
            assertInstanceOf(AsynchronousCloseException.class, c.get(2, TimeUnit.SECONDS));
            assertEquals((backend == EventLoop.Backend.EPOLL ? "epoll_wait" : "io_uring_enter") + ": event loop is closed",
                    assertThrows(ClosedChannelException.class, () -> loop.poll(Duration.ZERO)).getMessage());
            loop.close(); // idempotent
            assertFalse(p.first().isClosed(), "closing the loop leaves the sockets open");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"EPOLL", "IO_URING"})
    void aVirtualThreadPollingParksWithoutPinning(EventLoop.Backend backend) throws Exception {
        try (EventLoop loop = open(backend); SocketPair p = Socket.pair(SocketType.STREAM)) {
            loop.register(p.first(), Set.of(Event.READ));
            assertEquals(0, loop.poll(Duration.ZERO).size()); // classes loaded
            PinnedCarriers pinned = PinnedCarriers.start();
            CompletableFuture<Object> r = run(true, () -> loop.poll(Duration.ofSeconds(5)).size());
            Thread.sleep(100);
            p.second().send(new byte[] {1});
            assertEquals(1, r.get(5, TimeUnit.SECONDS));
            p.first().recv(new byte[1]);
            CompletableFuture<Object> t = run(true, () -> {
                long t0 = System.nanoTime();
                loop.poll(Duration.ofMillis(30));
                return (System.nanoTime() - t0) / 1_000_000;
            });
            long ms = (Long) t.get(5, TimeUnit.SECONDS);
            assertTrue(ms >= 29 && ms < 200, ms + " ms"); // 0 events: the timeout passed
            assertEquals(List.of(), pinned.stop());
        }
    }

    private Thread runner;

    private void interruptRunner() {
        runner.interrupt();
    }

    interface Body {
        Object run() throws Exception;
    }

    /** Runs {@code body} on a new thread: completes with its result, or the exception it threw. */
    private CompletableFuture<Object> run(boolean virtual, Body body) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                f.complete(body.run());
            } catch (Throwable e) {
                f.complete(e);
            }
        };
        runner = virtual ? Thread.ofVirtual().start(task) : Thread.ofPlatform().daemon().start(task);
        return f;
    }
}
