package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Blocking calls on virtual threads: data arrives, and many concurrent waits all complete. */
@ExtendWith(FdLeakCheck.class)
class VirtualThreadTest {

    @Test
    void blockingRecvOnAVirtualThreadGetsDataSentLater() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            assertTrue(p.second().isBlocking());
            AtomicReference<Object> got = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread v = Thread.ofVirtual().start(() -> {
                try {
                    started.countDown();
                    got.set(new String(p.second().recv(32), StandardCharsets.US_ASCII));
                } catch (Throwable t) {
                    got.set(t);
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Thread.sleep(200); // the virtual thread is waiting by now
            assertNull(got.get(), "recv returned before anything was sent");
            p.first().send("late".getBytes(StandardCharsets.US_ASCII));
            v.join(10_000);
            assertFalse(v.isAlive());
            assertEquals("late", got.get());
        }
    }

    @Test
    void aVirtualThreadBlockedInAcceptGetsTheConnection() throws Exception {
        try (Socket listener = Socket.open(Family.UNIX, SocketType.SEQPACKET);
             Socket client = Socket.open(Family.UNIX, SocketType.SEQPACKET)) {
            listener.bind(io.ffsock.testing.SocketKind.uniqueAbstractName());
            listener.listen();
            try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<byte[]> f = vts.submit(() -> {
                    try (Socket s = listener.accept()) {
                        return s.recv(16);
                    }
                });
                Thread.sleep(100);
                client.connect(listener.localAddress());
                client.send(new byte[] {1, 2, 3});
                assertArrayEquals(new byte[] {1, 2, 3}, f.get(10, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * 100 echo servers wait in recv on virtual threads while 100 clients, also virtual, send and
     * wait for the echo. With more waiters than carrier threads this only completes if a blocked
     * call parks its virtual thread instead of holding the carrier (DESIGN.md, virtual threads).
     */
    @Test
    void hundredVirtualThreadEchoRoundTripsComplete() throws Exception {
        int n = 100;
        List<SocketPair> pairs = new ArrayList<>();
        ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < n; i++) pairs.add(Socket.pair(i % 2 == 0 ? SocketType.STREAM : SocketType.SEQPACKET));
            List<Future<?>> servers = new ArrayList<>();
            for (SocketPair p : pairs) {
                servers.add(vts.submit(() -> {
                    byte[] b = p.second().recv(64);
                    p.second().send(b);
                    return null;
                }));
            }
            Thread.sleep(100); // let the servers block first, so they hold whatever they hold
            List<Future<String>> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SocketPair p = pairs.get(i);
                String msg = "echo-" + i;
                clients.add(vts.submit(() -> {
                    p.first().send(msg.getBytes(StandardCharsets.US_ASCII));
                    return new String(p.first().recv(64), StandardCharsets.US_ASCII);
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int i = 0; i < n; i++) {
                long left = Math.max(1, deadline - System.nanoTime());
                try {
                    assertEquals("echo-" + i, clients.get(i).get(left, TimeUnit.NANOSECONDS), "client " + i);
                } catch (java.util.concurrent.TimeoutException e) {
                    long done = clients.stream().filter(Future::isDone).count();
                    fail("only " + done + " of " + n + " echo round trips completed in 20 s: blocked calls hold"
                            + " their carrier threads (" + Runtime.getRuntime().availableProcessors() + " here)");
                }
                servers.get(i).get(10, TimeUnit.SECONDS);
            }
        } finally {
            // close first: it wakes every thread still blocked, so the executor can then finish
            for (SocketPair p : pairs) p.close();
            vts.shutdownNow();
            assertTrue(vts.awaitTermination(10, TimeUnit.SECONDS), "virtual threads still blocked after close");
        }
    }

    @Test
    void hundredVirtualThreadsEachDoingAPairRoundTrip() throws Exception {
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int id = i;
                all.add(vts.submit(() -> {
                    try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
                        byte[] msg = {(byte) id, 1, 2};
                        p.first().send(msg);
                        byte[] got = p.second().recv(8);
                        p.second().send(got);
                        byte[] back = p.first().recv(8);
                        assertArrayEquals(msg, back);
                        return (int) back[0];
                    }
                }));
            }
            for (int i = 0; i < 100; i++) assertEquals(i, all.get(i).get(30, TimeUnit.SECONDS));
        }
    }
}
