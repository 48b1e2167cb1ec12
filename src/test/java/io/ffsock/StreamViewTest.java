package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Socket.inputStream()/outputStream() with java.net.Socket's stream contract, and the read and
 * write timeouts (SO_TIMEOUT semantics: the socket stays usable, no byte is lost), on platform
 * and virtual threads, against the kernel (socketpair and a listener).
 */
@ExtendWith(FdLeakCheck.class)
class StreamViewTest {

    private static Thread start(boolean virtual, Runnable r) {
        return (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(r);
    }

    @Test
    void streamsGiveTheBytesAvailableFromFionreadAndMinusOneAtEndOfStream() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            InputStream in = p.second().inputStream();
            OutputStream out = p.first().outputStream();
            assertSame(in, p.second().inputStream());
            assertSame(out, p.first().outputStream());
            assertEquals(0, in.available());
            out.write(new byte[] {10, 20, 30, 40, 50});
            out.write(-1); // write(int) takes the low 8 bits
            out.flush();
            assertEquals(6, in.available());
            assertEquals(6, p.second().bytesAvailable());
            assertEquals(10, in.read());
            byte[] b = new byte[8];
            assertEquals(0, in.read(b, 0, 0));
            assertEquals(5, in.read(b, 1, 7));
            assertArrayEquals(new byte[] {0, 20, 30, 40, 50, -1, 0, 0}, b);
            p.first().shutdown(Shutdown.WRITE);
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(b));
            assertEquals(0, in.available());
            assertThrows(IndexOutOfBoundsException.class, () -> in.read(b, 5, 4));
            assertThrows(NullPointerException.class, () -> in.read(null, 0, 1));
        }
    }

    @Test
    void closingAStreamClosesTheSocketAndLaterCallsSaySocketException() throws Exception {
        SocketPair p = Socket.pair(SocketType.STREAM);
        try {
            InputStream in = p.second().inputStream();
            in.close();
            assertTrue(p.second().isClosed());
            in.close(); // idempotent
            SocketException e = assertThrows(SocketException.class, in::read);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(SocketException.class, in::available);
            OutputStream out = p.first().outputStream();
            out.close();
            assertTrue(p.first().isClosed());
            e = assertThrows(SocketException.class, () -> out.write(1));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        } finally {
            p.close();
        }
    }

    @Test
    void afterShutdownInputReadsAreEndOfStreamAndAfterShutdownOutputWritesThrow() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().outputStream().write(new byte[] {1, 2, 3});
            p.second().shutdown(Shutdown.READ);
            assertEquals(-1, p.second().inputStream().read(), "java.net.Socket: -1 after shutdownInput");
            assertEquals(0, p.second().inputStream().available());
            p.second().shutdown(Shutdown.WRITE);
            SocketException e = assertThrows(SocketException.class, () -> p.second().outputStream().write(new byte[4]));
            assertTrue(e.getMessage().contains("output is shut down"), e.getMessage());
            // the peer sees the end of stream of what we shut down
            assertEquals(-1, p.first().inputStream().read());
        }
    }

    @Test
    void aNonBlockingSocketRefusesTheStreams() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().setTimeout(Duration.ZERO);
            assertThrows(IllegalBlockingModeException.class, () -> p.first().inputStream().read());
            assertThrows(IllegalBlockingModeException.class, () -> p.first().outputStream().write(1));
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aReadTimeoutThrowsAndTheNextReadGetsEveryByte(boolean virtual) throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.second().setReadTimeout(Duration.ofMillis(100));
            assertEquals(Duration.ofMillis(100), p.second().getReadTimeout().orElseThrow());
            assertTrue(p.second().getTimeout().isEmpty(), "the socket timeout is untouched");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            byte[] got = new byte[3];
            Thread t = start(virtual, () -> {
                try {
                    InputStream in = p.second().inputStream();
                    for (int i = 0; i < 3; i++) {
                        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, in::read);
                        assertTrue(e.getMessage().contains("timed out after 100 ms"), e.getMessage());
                        assertThrows(SocketTimeoutException.class, () -> p.second().recv(new byte[1]));
                        assertThrows(SocketTimeoutException.class, () -> p.second().read(java.nio.ByteBuffer.allocate(1)));
                    }
                    p.first().outputStream().write(new byte[] {7, 8, 9});
                    int n = 0;
                    while (n < 3) n += in.read(got, n, 3 - n);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.join(30_000);
            assertFalse(t.isAlive());
            if (failure.get() != null) throw new AssertionError(failure.get());
            assertArrayEquals(new byte[] {7, 8, 9}, got);
            assertFalse(p.second().isClosed());
            // writes are not bound by the read timeout: a write waits for a slow reader
            p.second().setReadTimeout(null);
            assertTrue(p.second().getReadTimeout().isEmpty());
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aWriteTimeoutSaysHowManyBytesWentAndTheReaderGetsExactlyThose(boolean virtual) throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().setWriteTimeout(Duration.ofMillis(200));
            byte[] data = new byte[16 << 20];
            ThreadLocalRandom.current().nextBytes(data);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = start(virtual, () -> {
                try {
                    p.first().outputStream().write(data);
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            t.join(30_000);
            assertFalse(t.isAlive());
            SocketTimeoutException e = assertInstanceOf(SocketTimeoutException.class, thrown.get());
            int sent = e.bytesTransferred;
            assertTrue(sent > 0 && sent < data.length, "sent " + sent);
            // no read timeout on the other side, and reads are not bound by a write timeout
            p.first().shutdown(Shutdown.WRITE);
            byte[] got = p.second().inputStream().readAllBytes();
            assertEquals(sent, got.length);
            assertArrayEquals(Arrays.copyOf(data, sent), got);
        }
    }

    @Test
    void theReadTimeoutWinsOverTheSocketTimeoutAndNonBlockingWinsOverBoth() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.second().setTimeout(Duration.ofSeconds(30));
            p.second().setReadTimeout(Duration.ofMillis(50));
            long t0 = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> p.second().recv(new byte[1]));
            assertTrue(e.getMessage().contains("50 ms"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "the read timeout, not the socket's");
            p.second().setTimeout(Duration.ZERO);
            assertEquals(0, p.second().read(java.nio.ByteBuffer.allocate(1)), "non-blocking wins");
            SyscallException again = assertThrows(SyscallException.class, () -> p.second().recv(new byte[1]));
            assertEquals("EAGAIN", again.errno().symbol());
        }
    }

    @Test
    void anAcceptWithAReadTimeoutTimesOutAndThenAccepts() throws Exception {
        try (Socket l = Socket.open(Family.UNIX, SocketType.STREAM); Socket c = Socket.open(Family.UNIX, SocketType.STREAM)) {
            l.bind(io.ffsock.testing.SocketKind.uniqueAbstractName());
            l.listen();
            l.setReadTimeout(Duration.ofMillis(100));
            assertThrows(SocketTimeoutException.class, l::accept);
            c.connect(l.localAddress());
            try (Socket s = l.accept()) {
                assertTrue(s.isOpen());
            }
        }
    }

    @Test
    void connectWithATimeoutTimesOutOnAFullBacklogAndSucceedsOnceThereIsRoom() throws Exception {
        try (Socket l = Socket.open(Family.UNIX, SocketType.STREAM)) {
            l.bind(io.ffsock.testing.SocketKind.uniqueAbstractName());
            l.listen(0);
            java.util.List<Socket> filling = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    Socket s = Socket.open(Family.UNIX, SocketType.STREAM);
                    filling.add(s);
                    s.setTimeout(Duration.ZERO);
                    if (s.connectEx(l.localAddress()) != 0) break; // EAGAIN: the backlog is full
                }
                try (Socket late = Socket.open(Family.UNIX, SocketType.STREAM)) {
                    SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                            () -> late.connect(l.localAddress(), Duration.ofMillis(200)));
                    assertTrue(e.getMessage().startsWith("connect(@"), e.getMessage());
                    assertTrue(late.isOpen());
                    assertEquals(0, io.ffsock.testing.IndependentLibc.statusFlags(late.fdNumber())
                            & io.ffsock.testing.IndependentLibc.O_NONBLOCK);
                }
                CompletableFuture<Void> room = CompletableFuture.runAsync(() -> {
                    try {
                        Thread.sleep(100);
                        l.accept().close();
                    } catch (Exception x) {
                        throw new RuntimeException(x);
                    }
                });
                try (Socket late = Socket.open(Family.UNIX, SocketType.STREAM)) {
                    late.connect(l.localAddress(), Duration.ofSeconds(20));
                    assertNotNull(late.remoteAddress());
                    // a platform thread's timed connect leaves the fd blocking, as it found it
                    assertEquals(0, io.ffsock.testing.IndependentLibc.statusFlags(late.fdNumber())
                            & io.ffsock.testing.IndependentLibc.O_NONBLOCK);
                }
                room.get(20, TimeUnit.SECONDS);
            } finally {
                filling.forEach(Socket::close);
            }
        }
    }

    @Test
    void badTimeoutsAreRefusedBeforeAnyCall() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.first().setReadTimeout(Duration.ZERO));
            assertTrue(e.getMessage().startsWith("setReadTimeout: timeout must be positive"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> p.first().setReadTimeout(Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class, () -> p.first().setWriteTimeout(Duration.ofSeconds(-5)));
            assertThrows(IllegalArgumentException.class,
                    () -> p.first().connect(UnixAddress.abstractName("x"), Duration.ofMillis(-1)));
        }
        Socket closed = Socket.open(Family.UNIX, SocketType.STREAM);
        closed.close();
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> closed.setReadTimeout(Duration.ofSeconds(1)));
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> closed.setWriteTimeout(Duration.ofSeconds(1)));
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aReaderAndAWriterThreadOnEachEndAtOnceMoveEveryByteBothWays(boolean virtual) throws Exception {
        int size = 4 << 20;
        byte[] aToB = new byte[size];
        byte[] bToA = new byte[size];
        ThreadLocalRandom.current().nextBytes(aToB);
        ThreadLocalRandom.current().nextBytes(bToA);
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            byte[] gotB = new byte[size];
            byte[] gotA = new byte[size];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] ts = {
                start(virtual, () -> run(failure, () -> write(p.first().outputStream(), aToB))),
                start(virtual, () -> run(failure, () -> write(p.second().outputStream(), bToA))),
                start(virtual, () -> run(failure, () -> readFully(p.second().inputStream(), gotB))),
                start(virtual, () -> run(failure, () -> readFully(p.first().inputStream(), gotA))),
            };
            for (Thread t : ts) t.join(60_000);
            for (Thread t : ts) assertFalse(t.isAlive());
            if (failure.get() != null) throw new AssertionError(failure.get());
            assertArrayEquals(aToB, gotB);
            assertArrayEquals(bToA, gotA);
        }
    }

    private interface Io {
        void run() throws Exception;
    }

    private static void run(AtomicReference<Throwable> failure, Io io) {
        try {
            io.run();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Writes in uneven slices, single bytes among them, as a real protocol does. */
    private static void write(OutputStream out, byte[] data) throws Exception {
        int at = 0;
        int step = 1;
        while (at < data.length) {
            if (step % 7 == 0) {
                out.write(data[at++]);
            } else {
                int n = Math.min(data.length - at, step * 977);
                out.write(data, at, n);
                at += n;
            }
            step++;
        }
    }

    private static void readFully(InputStream in, byte[] into) throws Exception {
        int at = 0;
        while (at < into.length) {
            int n = (at % 3 == 0) ? in.read(into, at, Math.min(1000, into.length - at)) : in.read();
            if (n < 0) throw new AssertionError("end of stream at " + at);
            if (at % 3 == 0) {
                at += n;
            } else {
                into[at++] = (byte) n;
            }
        }
    }

    @Test
    void aLineProtocolThroughBufferedReaderAndPrintWriter() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            Thread echo = Thread.ofVirtual().start(() -> run(new AtomicReference<>(), () -> {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.second().inputStream(), StandardCharsets.UTF_8));
                PrintWriter w = new PrintWriter(new OutputStreamWriter(p.second().outputStream(), StandardCharsets.UTF_8), true);
                String l;
                while ((l = r.readLine()) != null) w.println(l.toUpperCase(java.util.Locale.ROOT));
                p.second().shutdown(Shutdown.WRITE);
            }));
            BufferedReader r = new BufferedReader(new InputStreamReader(p.first().inputStream(), StandardCharsets.UTF_8));
            PrintWriter w = new PrintWriter(new OutputStreamWriter(p.first().outputStream(), StandardCharsets.UTF_8), true);
            for (int i = 0; i < 300; i++) {
                w.println("hello " + i);
                assertEquals("HELLO " + i, r.readLine());
            }
            p.first().shutdown(Shutdown.WRITE);
            assertNull(r.readLine());
            echo.join(10_000);
            assertFalse(echo.isAlive());
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aReadBlockedInTheStreamWakesWithSocketExceptionOnCloseAndOnInterrupt(boolean virtual) throws Exception {
        for (boolean interrupt : new boolean[] {false, true}) {
            try (SocketPair p = Socket.pair(SocketType.STREAM)) {
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread t = start(virtual, () -> {
                    try {
                        p.second().inputStream().read(new byte[8]);
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                });
                Thread.sleep(200); // let it block
                if (interrupt) {
                    t.interrupt();
                } else {
                    p.second().close();
                }
                t.join(10_000);
                assertFalse(t.isAlive());
                // as java.net.Socket's stream: a SocketException, and an interrupt closes the socket
                SocketException e = assertInstanceOf(SocketException.class, thrown.get());
                assertTrue(e.getMessage().contains(interrupt ? "interrupted" : "closed"), e.getMessage());
                assertTrue(p.second().isClosed());
            }
        }
    }

    /**
     * A buffered reader refills at a new offset after every partial read, and a writer's slices
     * vary: the byte[] path of the streams allocates nothing whatever the window (no heap segment
     * is made for a call that may block), and every byte lands where it was asked to.
     */
    @Test
    void readsAndWritesAtEveryWindowOfAnArrayAllocateNothingAndLandInPlace() throws Exception {
        java.util.function.LongSupplier allocated = io.ffsock.testing.ThreadAllocation.counter();
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            OutputStream out = p.first().outputStream();
            InputStream in = p.second().inputStream();
            byte[] src = new byte[8192];
            byte[] dst = new byte[8192];
            ThreadLocalRandom.current().nextBytes(src);
            long perOp = Long.MAX_VALUE;
            for (int round = 0; round < 6 && perOp > 0; round++) { // the first rounds warm up the JIT
                long before = allocated.getAsLong();
                for (int i = 0; i < 20_000; i++) {
                    int n = 1 + i % 61;
                    int from = (i * 31) % (src.length - n);
                    int to = (i * 17) % (dst.length - n);
                    out.write(src, from, n);
                    int got = 0;
                    while (got < n) got += in.read(dst, to + got, n - got);
                    if (!Arrays.equals(src, from, from + n, dst, to, to + n)) {
                        fail("bytes " + from + ".." + (from + n) + " did not land at " + to);
                    }
                }
                perOp = (allocated.getAsLong() - before) / 40_000;
            }
            assertEquals(0, perOp, "bytes allocated per stream read or write");
        }
    }
}
