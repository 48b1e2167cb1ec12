package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.JdkChannelsWarmUp;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Socket as a ByteChannel, ScatteringByteChannel and GatheringByteChannel, against the kernel and
 * the JDK's own UNIX SocketChannel as the independent peer: -1 at end of stream, 0 when
 * non-blocking, blocking writes that write everything, partial non-blocking writes, scatter and
 * gather, and the java.io line protocol through Channels.newReader/newWriter.
 */
@ExtendWith({JdkChannelsWarmUp.class, FdLeakCheck.class})
class ChannelViewTest {
    private static final java.util.concurrent.atomic.AtomicInteger COUNTER = new java.util.concurrent.atomic.AtomicInteger();

    /** A JDK UNIX listener at a fresh path, and an ffsock client connected to it. */
    private record JdkPeer(Path dir, ServerSocketChannel listener, Socket client, SocketChannel server) implements AutoCloseable {
        static JdkPeer open() throws IOException {
            Path dir = Files.createTempDirectory("ffsock-chan-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
            UnixDomainSocketAddress at = UnixDomainSocketAddress.of(dir.resolve("s"));
            ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            Socket c = null;
            try {
                l.bind(at);
                c = Socket.open(Family.UNIX, SocketType.STREAM);
                c.connect(at);
                return new JdkPeer(dir, l, c, l.accept());
            } catch (IOException | RuntimeException e) {
                if (c != null) c.close();
                l.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
            Files.deleteIfExists(dir.resolve("s"));
            Files.deleteIfExists(dir);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    @Test
    void readGivesTheBytesThenZeroWhenNonBlockingThenMinusOneAtEndOfStream() throws Exception {
        try (JdkPeer p = JdkPeer.open()) {
            p.server().write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer dst = ByteBuffer.allocate(16);
            assertEquals(5, p.client().read(dst));
            assertEquals(5, dst.position());
            assertEquals("hello", new String(dst.array(), 0, 5, StandardCharsets.US_ASCII));
            assertEquals(0, p.client().read(ByteBuffer.allocate(0)), "no room: 0 without a call");
            p.client().setTimeout(Duration.ZERO);
            assertEquals(0, p.client().read(dst), "non-blocking, nothing queued");
            p.server().shutdownOutput();
            assertEquals(-1, p.client().read(dst), "end of stream");
            p.client().setTimeout(null);
            assertEquals(-1, p.client().read(ByteBuffer.allocateDirect(8)), "end of stream, direct buffer");
            assertTrue(p.client().isOpen());
        }
        Socket s = Socket.open(Family.UNIX, SocketType.STREAM);
        s.close();
        assertFalse(s.isOpen());
        assertThrows(ClosedChannelException.class, () -> s.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> s.write(ByteBuffer.allocate(1)));
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aBlockingWriteWritesEverythingAsTheJdkChannelDoes(boolean virtual) throws Exception {
        byte[] data = random(8 << 20); // far more than the socket buffers hold
        try (JdkPeer p = JdkPeer.open()) {
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try {
                    ByteBuffer all = ByteBuffer.allocate(data.length);
                    while (all.hasRemaining()) {
                        if (p.server().read(all) < 0) break;
                    }
                    return all.array();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer src = ByteBuffer.wrap(data);
            int[] n = new int[1];
            Thread t = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                try {
                    n[0] = p.client().write(src);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            t.join(60_000);
            assertFalse(t.isAlive());
            assertEquals(data.length, n[0]);
            assertFalse(src.hasRemaining());
            assertArrayEquals(data, got.get(60, TimeUnit.SECONDS));
        }
        // the JDK's own blocking channel writes everything too: the contract we match
        try (JdkPeer p = JdkPeer.open()) {
            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
                long total = 0;
                byte[] buf = new byte[65536];
                try {
                    int r;
                    while ((r = p.client().recv(buf)) > 0) total += r;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                return total;
            });
            assertEquals(data.length, p.server().write(ByteBuffer.wrap(data)));
            p.server().shutdownOutput();
            assertEquals(data.length, drained.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aNonBlockingWriteIsPartialThenZeroAndNothingIsLost() throws Exception {
        try (JdkPeer p = JdkPeer.open()) {
            p.client().setTimeout(Duration.ZERO);
            byte[] data = random(8 << 20);
            ByteBuffer src = ByteBuffer.wrap(data);
            int first = p.client().write(src);
            assertTrue(first > 0 && first < data.length, "partial: " + first);
            assertEquals(first, src.position());
            assertEquals(0, p.client().write(src), "buffer full: 0");
            assertEquals(first, src.position());
            p.client().shutdown(Shutdown.WRITE);
            ByteBuffer got = ByteBuffer.allocate(data.length);
            while (p.server().read(got) >= 0) {
                // drain to end of stream
            }
            assertEquals(first, got.position());
            assertArrayEquals(Arrays.copyOf(data, first), Arrays.copyOf(got.array(), first));
        }
    }

    @Test
    void scatterAndGatherKeepTheOrderAcrossHeapAndDirectBuffers() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            ByteBuffer[] srcs = {ByteBuffer.wrap("ab".getBytes(StandardCharsets.US_ASCII)), ByteBuffer.allocate(0),
                    ByteBuffer.allocateDirect(3).put("cde".getBytes(StandardCharsets.US_ASCII)).flip(),
                    ByteBuffer.wrap("fgh".getBytes(StandardCharsets.US_ASCII))};
            assertEquals(8, p.first().write(srcs));
            for (ByteBuffer b : srcs) assertFalse(b.hasRemaining());
            ByteBuffer a = ByteBuffer.allocateDirect(3);
            ByteBuffer b = ByteBuffer.allocate(10);
            assertEquals(8, p.second().read(new ByteBuffer[] {a, b}));
            assertEquals(3, a.position());
            assertEquals(5, b.position());
            byte[] first = new byte[3];
            a.flip().get(first);
            assertEquals("abc", new String(first, StandardCharsets.US_ASCII));
            assertEquals("defgh", new String(b.array(), 0, 5, StandardCharsets.US_ASCII));
            // offset/length select the buffers
            ByteBuffer skip = ByteBuffer.wrap(new byte[] {'X'});
            ByteBuffer take = ByteBuffer.wrap(new byte[] {'Y'});
            assertEquals(1, p.first().write(new ByteBuffer[] {skip, take}, 1, 1));
            assertTrue(skip.hasRemaining());
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, p.second().read(new ByteBuffer[] {ByteBuffer.allocate(4), one}, 1, 1));
            assertEquals('Y', one.get(0));
            p.first().shutdown(Shutdown.WRITE);
            assertEquals(-1, p.second().read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
            p.second().setTimeout(Duration.ZERO);
            assertEquals(-1, p.second().read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
            assertThrows(IndexOutOfBoundsException.class, () -> p.second().read(new ByteBuffer[1], 1, 1));
            assertThrows(NullPointerException.class, () -> p.second().write((ByteBuffer[]) null));
        }
    }

    @Test
    void aGatheringBlockingWriteOfManyBuffersWritesThemAll() throws Exception {
        try (JdkPeer p = JdkPeer.open()) {
            ByteBuffer[] srcs = new ByteBuffer[200]; // more than one sendmsg takes (64)
            byte[] all = random(200 * 40_000);
            for (int i = 0; i < srcs.length; i++) srcs[i] = ByteBuffer.wrap(all, i * 40_000, 40_000);
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try {
                    ByteBuffer b = ByteBuffer.allocate(all.length);
                    while (b.hasRemaining() && p.server().read(b) >= 0) {
                        // read all
                    }
                    return b.array();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(all.length, p.client().write(srcs));
            assertArrayEquals(all, got.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void afterShutdownReadIsEndOfStreamAndWriteIsRefusedWithAMessage() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().send(new byte[] {1, 2, 3});
            p.second().shutdown(Shutdown.READ);
            assertTrue(p.second().isInputShutdown());
            assertFalse(p.second().isOutputShutdown());
            // bytes that were queued are discarded from the reader's view, as java.net.Socket says
            assertEquals(-1, p.second().read(ByteBuffer.allocate(8)));
            p.first().shutdown(Shutdown.WRITE);
            assertTrue(p.first().isOutputShutdown());
            ClosedChannelException e = assertThrows(ClosedChannelException.class, () -> p.first().write(ByteBuffer.allocate(1)));
            assertTrue(e.getMessage().contains("shut down"), e.getMessage());
            assertThrows(ClosedChannelException.class, () -> p.first().write(new ByteBuffer[] {ByteBuffer.allocate(1)}));
        }
    }

    @Test
    void linesThroughChannelsNewReaderAndNewWriterBothWays() throws Exception {
        try (JdkPeer p = JdkPeer.open()) {
            BufferedWriter ffOut = new BufferedWriter(Channels.newWriter(p.client(), StandardCharsets.UTF_8));
            BufferedReader jdkIn = new BufferedReader(Channels.newReader(p.server(), StandardCharsets.UTF_8));
            BufferedWriter jdkOut = new BufferedWriter(Channels.newWriter(p.server(), StandardCharsets.UTF_8));
            BufferedReader ffIn = new BufferedReader(Channels.newReader(p.client(), StandardCharsets.UTF_8));
            for (int i = 0; i < 500; i++) {
                ffOut.write("line " + i + " ünïcödé\n");
                ffOut.flush();
                String l = jdkIn.readLine();
                assertEquals("line " + i + " ünïcödé", l);
                jdkOut.write("echo " + l + "\n");
                jdkOut.flush();
                assertEquals("echo " + l, ffIn.readLine());
            }
            p.server().shutdownOutput();
            assertNull(ffIn.readLine(), "end of stream");
        }
    }
}
