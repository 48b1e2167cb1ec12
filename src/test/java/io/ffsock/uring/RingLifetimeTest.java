package io.ffsock.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.testing.FdLeakCheck;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A ring that is never closed, and buffers given back while a ring closes. */
@ExtendWith(FdLeakCheck.class)
class RingLifetimeTest {

    /** fd number -> readlink of /proc/self/fd. */
    private static TreeMap<Integer, String> fds() throws IOException {
        TreeMap<Integer, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    m.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException gone) { // the fd of the listing itself
                }
            }
        }
        return m;
    }

    private static List<Integer> added(TreeMap<Integer, String> before, TreeMap<Integer, String> after, String kind) {
        List<Integer> out = new ArrayList<>();
        after.forEach((fd, link) -> {
            if (link.contains(kind) && !link.equals(before.get(fd))) out.add(fd);
        });
        return out;
    }

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
        TreeMap<Integer, String> start = fds();
        SocketPair p = Socket.pair(SocketType.SEQPACKET);
        TreeMap<Integer, String> withPair = fds();
        List<Integer> pairFds = added(start, withPair, "socket:");
        assertEquals(2, pairFds.size(), "the pair's fds: " + pairFds);
        Ring[] holder = new Ring[1];
        WeakReference<Ring> ref = ringWithRecvInFlight(p.second(), holder);
        List<Integer> ringFds = added(withPair, fds(), "io_uring");
        assertEquals(1, ringFds.size(), "the ring's fd");

        // The recv holds p.second(): closing the pair closes p.first()'s fd and shuts p.second()
        // down, but its fd stays until the operation lets go.
        p.close();
        TreeMap<Integer, String> closed = fds();
        long stillOpen = pairFds.stream().filter(fd -> withPair.get(fd).equals(closed.get(fd))).count();
        assertEquals(1, stillOpen, "the held end's fd stays open while the ring lives: " + closed);

        holder[0] = null; // now only the Cleaner can end the recv
        long deadline = System.nanoTime() + 20_000_000_000L;
        TreeMap<Integer, String> now = closed;
        while ((ref.get() != null || sameLink(now, withPair, pairFds)
                || "io_uring".equals(kind(now.get(ringFds.get(0))))) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            now = fds();
        }
        assertNull(ref.get(), "the ring is unreachable");
        assertTrue(!"io_uring".equals(kind(now.get(ringFds.get(0)))), "the Cleaner closed the ring fd: " + now);
        assertTrue(!sameLink(now, withPair, pairFds), "the held socket fd was let go, and closed: " + now);
    }

    private static boolean sameLink(TreeMap<Integer, String> now, TreeMap<Integer, String> then, List<Integer> fds) {
        for (int fd : fds) if (then.get(fd).equals(now.get(fd))) return true;
        return false;
    }

    private static String kind(String link) {
        return link != null && link.contains("io_uring") ? "io_uring" : link;
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
