package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.EventLoop.Backend;
import io.ffsock.EventLoop.Event;
import io.ffsock.EventLoop.Ready;
import io.ffsock.EventLoop.Trigger;
import io.ffsock.testing.FdLeakCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What only the io_uring backend has: the changes made between two polls reach the kernel in the
 * poll's one io_uring_enter(2) (counted by the backend), and one thread polls at a time.
 */
@ExtendWith(FdLeakCheck.class)
class UringEventLoopTest {
    private static final Duration LONG = Duration.ofSeconds(5);

    private static long enters(EventLoop loop) {
        return ((UringLoop) loop.impl()).enters;
    }

    @Test
    void fortyRegistrationsAndTheWaitAreOneIoUringEnter() throws Exception {
        List<SocketPair> pairs = new ArrayList<>();
        try (EventLoop loop = EventLoopTest.open(Backend.IO_URING, 64)) {
            for (int i = 0; i < 40; i++) {
                SocketPair p = Socket.pair(SocketType.SEQPACKET);
                pairs.add(p);
                p.second().send(new byte[] {(byte) i});
                loop.register(p.first(), Set.of(Event.READ));
            }
            long before = enters(loop);
            assertEquals(40, loop.poll(LONG).size());
            assertEquals(1, enters(loop) - before, "40 POLL_ADDs, the wake-up eventfd's poll and the wait: one io_uring_enter");
            for (SocketPair p : pairs) loop.modify(p.first(), Set.of(Event.WRITE));
            before = enters(loop);
            List<Ready> ready = loop.poll(LONG);
            assertEquals(40, ready.size());
            for (Ready r : ready) assertEquals(Set.of(Event.WRITE), r.events());
            assertEquals(1, enters(loop) - before, "40 POLL_REMOVEs, 40 POLL_ADDs and the wait: one io_uring_enter");
        } finally {
            for (SocketPair p : pairs) p.close();
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"LEVEL", "EDGE"})
    void aBusyLoopMakesAtMostOneIoUringEnterPerPoll(Trigger trigger) throws Exception {
        try (EventLoop loop = EventLoopTest.open(Backend.IO_URING); SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            p.first().setBlocking(false);
            loop.register(p.first(), Set.of(Event.READ), trigger);
            byte[] b = new byte[1];
            long before = enters(loop);
            for (int k = 0; k < 1000; k++) {
                p.second().send(b);
                assertEquals(1, loop.poll(LONG).size());
                p.first().recv(b);
            }
            long perThousand = enters(loop) - before;
            assertTrue(perThousand <= 1000, perThousand + " io_uring_enter calls for 1000 polls");
        }
    }

    @Test
    void oneThreadPollsAtATime() throws Exception {
        try (EventLoop loop = EventLoopTest.open(Backend.IO_URING)) {
            CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
                try {
                    return loop.poll(Duration.ofSeconds(30)).size();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            Thread.sleep(100);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.poll(Duration.ZERO));
            assertTrue(e.getMessage().contains("one thread polls at a time"), e.getMessage());
            loop.wakeup();
            assertEquals(0, other.get(5, TimeUnit.SECONDS));
            assertEquals(0, loop.poll(Duration.ZERO).size(), "usable again once the other poll is over");
        }
    }
}
