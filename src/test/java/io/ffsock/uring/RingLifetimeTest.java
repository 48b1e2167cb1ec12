package io.ffsock.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A ring that is never closed, and buffers given back while a ring closes. */
@ExtendWith(FdLeakCheck.class)
class RingLifetimeTest {

    /** Opens a ring with a recv in flight on {@code socket}; the ring is only in {@code holder[0]}. */
    private static WeakReference<Ring> ringWithRecvInFlight(Socket socket, Ring[] holder) throws IOException {
        Ring ring = Ring.open(8);
        RingBuffer in = ring.allocate(64);
        ring.recv(socket, in, 0, 64, 0, (op, n, flags) -> { });
        ring.submit();
        holder[0] = ring;
        return new WeakReference<>(ring);
    }

    @Test
    void anUnreachableRingIsClosedByTheCleanerAndLetsGoOfTheSocketItsOperationHeld() throws Exception {
        Map<Integer, String> start = Fds.snapshot();
        SocketPair p = Socket.pair(SocketType.SEQPACKET);
        Map<Integer, String> withPair = Fds.snapshot();
        List<Integer> pairFds = Fds.newSockets(start, withPair);
        assertEquals(2, pairFds.size(), "the pair's fds: " + pairFds);
        Ring[] holder = new Ring[1];
        WeakReference<Ring> ref = ringWithRecvInFlight(p.second(), holder);
        Map<Integer, String> withRing = Fds.snapshot();
        Map<Integer, String> ringFd = Fds.added(withPair, withRing);
        assertEquals(List.of("anon_inode:[io_uring]"), List.copyOf(ringFd.values()), "the ring's fd");

        // The recv holds p.second(): closing the pair closes p.first()'s fd and shuts p.second()
        // down, but its fd stays until the operation lets go.
        p.close();
        Map<Integer, String> closed = Fds.snapshot();
        long stillOpen = pairFds.stream().filter(fd -> withPair.get(fd).equals(closed.get(fd))).count();
        assertEquals(1, stillOpen, "the held end's fd stays open while the ring lives: " + closed);

        holder[0] = null; // now only the Cleaner can end the recv
        List<Integer> watched = new ArrayList<>(pairFds);
        watched.addAll(ringFd.keySet());
        long deadline = System.nanoTime() + 20_000_000_000L;
        Map<Integer, String> now = closed;
        while ((ref.get() != null || anyStillOpen(withRing, now, watched)) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            now = Fds.snapshot();
        }
        assertNull(ref.get(), "the ring is unreachable");
        assertFalse(anyStillOpen(withRing, now, ringFd.keySet()), "the Cleaner closed the ring fd: " + now);
        assertFalse(anyStillOpen(withRing, now, pairFds), "the held socket fd was let go, and closed: " + now);
    }

    /** Whether one of {@code fds} still names in {@code now} what it named in {@code then}. */
    private static boolean anyStillOpen(Map<Integer, String> then, Map<Integer, String> now, Collection<Integer> fds) {
        for (int fd : fds) if (then.get(fd).equals(now.get(fd))) return true;
        return false;
    }

    @Test
    void recycleWhileTheRingClosesDoesNothingAndAfterwardsIsRefused() throws Exception {
        BufferGroup[] group = new BufferGroup[1];
        List<String> seen = new ArrayList<>();
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            Ring ring = Ring.open(8);
            try {
                BufferGroup g = ring.bufferGroup(3, 4, 32);
                group[0] = g;
                ring.recvMultishot(p.second(), g, (op, n, flags) -> {
                    if (n > 0) {
                        byte[] b = new byte[n];
                        g.get(Ring.bufferId(flags), b, 0, n); // the memory lives until close() has delivered all
                        seen.add(new String(b, java.nio.charset.StandardCharsets.US_ASCII) + (ring.isClosed() ? " during close" : ""));
                        g.recycle(Ring.bufferId(flags));
                    }
                });
                ring.submit();
                p.first().send("late".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                // Let the kernel post the completion; nobody reaps it before close().
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (ring.completionsReady() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
                assertEquals(1, ring.completionsReady());
            } finally {
                ring.close(); // delivers "late": its recycle must not throw out of close()
            }
            assertEquals(List.of("late during close"), seen);
            assertThrows(IllegalStateException.class, () -> group[0].recycle(0));
        }
    }

}
