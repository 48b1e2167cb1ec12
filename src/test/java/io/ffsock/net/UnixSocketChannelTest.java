package io.ffsock.net;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The blocking SocketChannel over ffsock, against the JDK's own UNIX channels as the peer. */
@ExtendWith(FdLeakCheck.class)
class UnixSocketChannelTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static UnixAddress uniqueAbstract() {
        return UnixAddress.abstractName("ffsock-channel-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    }

    /** A listening ffsock socket, a UnixSocketChannel connected to it, and the accepted end. */
    private record Pair(Socket listener, UnixSocketChannel channel, Socket accepted) implements AutoCloseable {
        static Pair open() throws Exception {
            Socket l = Socket.open(Family.UNIX, SocketType.STREAM);
            UnixAddress a = uniqueAbstract();
            l.bind(a);
            l.listen();
            UnixSocketChannel c = UnixSocketChannel.open(a);
            return new Pair(l, c, l.accept());
        }

        @Override
        public void close() throws Exception {
            channel.close();
            accepted.close();
            listener.close();
        }
    }

    @Test
    void readWriteScatterGatherAndEndOfStream() throws Exception {
        try (Pair p = Pair.open()) {
            assertTrue(p.channel.isConnected());
            assertTrue(p.channel.isBlocking());
            assertEquals(5, p.channel.write(ByteBuffer.wrap("hello".getBytes())));
            byte[] b = new byte[5];
            p.accepted.recv(b);
            assertEquals("hello", new String(b));

            ByteBuffer[] out = {ByteBuffer.wrap("ab".getBytes()), ByteBuffer.allocate(0), ByteBuffer.wrap("cde".getBytes())};
            assertEquals(5, p.channel.write(out));
            byte[] got = new byte[5];
            int n = 0;
            while (n < 5) n += p.accepted.recv(got, n, 5 - n);
            assertEquals("abcde", new String(got));

            p.accepted.sendAll("xyz12".getBytes());
            ByteBuffer x = ByteBuffer.allocate(3);
            ByteBuffer y = ByteBuffer.allocateDirect(2);
            long r = 0;
            while (r < 5) r += p.channel.read(new ByteBuffer[] {x, y});
            assertEquals("xyz", new String(x.array(), StandardCharsets.US_ASCII));
            assertEquals('1', y.get(0));

            p.accepted.shutdown(io.ffsock.Shutdown.WRITE);
            assertEquals(-1, p.channel.read(ByteBuffer.allocate(4)));
            assertEquals(-1, p.channel.read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
            assertEquals(0, p.channel.read(ByteBuffer.allocate(0)));
        }
    }

    @Test
    void bigWriteIsWrittenWhole() throws Exception {
        try (Pair p = Pair.open()) {
            byte[] data = new byte[4 << 20];
            for (int i = 0; i < data.length; i++) data[i] = (byte) i;
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] all = new byte[data.length];
                    int n = 0;
                    while (n < all.length) n += p.accepted.recv(all, n, all.length - n);
                    return all;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(data.length, p.channel.write(ByteBuffer.wrap(data)));
            assertArrayEquals(data, reader.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void addressesOptionsAndShutdown() throws Exception {
        try (Pair p = Pair.open()) {
            assertEquals(p.listener.localAddress(), p.channel.getRemoteAddress());
            assertEquals(UnixAddress.unnamed(), p.channel.getLocalAddress());
            p.channel.setOption(StandardSocketOptions.SO_SNDBUF, 65536);
            assertEquals(2 * 65536, p.channel.getOption(StandardSocketOptions.SO_SNDBUF), "the kernel doubles it");
            assertTrue(p.channel.supportedOptions().contains(StandardSocketOptions.SO_RCVBUF));
            assertThrows(UnsupportedOperationException.class, () -> p.channel.getOption(StandardSocketOptions.TCP_NODELAY));
            assertEquals(p.channel.ffsockSocket().peerCredentials().uid(), io.ffsock.Credentials.ofThisProcess().uid());
            p.channel.shutdownOutput();
            assertEquals(0, p.accepted.recv(new byte[1]), "the peer reads end of stream");
            p.channel.shutdownInput();
            assertEquals(-1, p.channel.read(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void connectsToAJdkUnixDomainSocketAddressOnAPath() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ffsock-channel-");
        java.nio.file.Path path = dir.resolve("s");
        try (Socket server = Socket.open(Family.UNIX, SocketType.STREAM)) {
            server.bind(UnixAddress.path(path));
            server.listen();
            try (UnixSocketChannel c = UnixSocketChannel.open(UnixDomainSocketAddress.of(path));
                 Socket peer = server.accept()) {
                assertEquals(UnixAddress.path(path), c.getRemoteAddress());
                c.write(ByteBuffer.wrap("ping".getBytes()));
                byte[] b = new byte[4];
                int n = 0;
                while (n < 4) n += peer.recv(b, n, 4 - n);
                assertEquals("ping", new String(b));
            }
        } finally {
            java.nio.file.Files.deleteIfExists(path);
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void nonBlockingAndSelectorsAreRefusedClearly() throws Exception {
        try (Pair p = Pair.open(); Selector selector = Selector.open()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> p.channel.configureBlocking(false));
            assertTrue(e.getMessage().contains("blocking only"), e.getMessage());
            assertTrue(p.channel.isBlocking());
            assertThrows(IllegalBlockingModeException.class, () -> p.channel.register(selector, SelectionKey.OP_READ));
            assertThrows(UnsupportedOperationException.class, p.channel::socket);
            p.channel.configureBlocking(true); // the mode it has: allowed
        }
    }

    @Test
    void unconnectedAndClosedStates() throws Exception {
        try (UnixSocketChannel c = UnixSocketChannel.open()) {
            assertFalse(c.isConnected());
            assertNull(c.getRemoteAddress());
            assertThrows(NotYetConnectedException.class, () -> c.read(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, () -> c.write(ByteBuffer.allocate(1)));
            var e = assertThrows(java.io.IOException.class, () -> c.connect(uniqueAbstract()));
            assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
            assertThrows(java.nio.channels.UnsupportedAddressTypeException.class,
                    () -> c.connect(new java.net.InetSocketAddress("127.0.0.1", 1)));
        }
        UnixSocketChannel c = UnixSocketChannel.open();
        c.close();
        c.close();
        assertTrue(c.ffsockSocket().isClosed());
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> c.getLocalAddress());
        try (Socket s = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            assertThrows(IllegalArgumentException.class, () -> UnixSocketChannel.of(s));
        }
    }

    @Test
    void closeWakesABlockedReaderAndInterruptClosesTheChannel() throws Exception {
        try (Pair p = Pair.open()) {
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    p.channel.read(ByteBuffer.allocate(1));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(200);
            p.channel.close();
            assertInstanceOf(AsynchronousCloseException.class, blocked.get(10, TimeUnit.SECONDS));
        }
        try (Pair p = Pair.open()) {
            Throwable[] seen = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    p.channel.read(ByteBuffer.allocate(1));
                } catch (Throwable e) {
                    seen[0] = e;
                }
            });
            t.start();
            Thread.sleep(200);
            t.interrupt();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertInstanceOf(ClosedByInterruptException.class, seen[0]);
            assertFalse(p.channel.isOpen());
            assertTrue(p.channel.ffsockSocket().isClosed());
        }
    }
}
