package io.ffsock.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ffsock.Family;
import io.ffsock.Shutdown;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AF_UNIX stream interop with independent implementations: jnr-unixsocket and the JDK's own
 * {@link SocketChannel} (with {@link UnixDomainSocketAddress}) talk to ffsock, as clients of an
 * ffsock echo server, and the JDK also as a server for an ffsock client. Bytes are checked exactly.
 */
class StreamPeersInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** Own threads: the common pool may have a single worker, too few for a server and a sender. */
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        pool.shutdownNow();
    }

    private static List<byte[]> messages() {
        List<byte[]> m = new ArrayList<>();
        m.add("first".getBytes(StandardCharsets.UTF_8));
        m.add(new byte[] {0, 1, 2, (byte) 0xff, 0, '\n'});
        byte[] big = new byte[300_000]; // larger than a socket buffer: needs several reads and writes
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 13 + i / 256);
        m.add(big);
        m.add("last one\n".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /**
     * An ffsock stream server bound to {@code path} that accepts one connection and echoes it until
     * the client ends its side; completes with the number of bytes echoed.
     */
    private CompletableFuture<Long> ffsockEchoServer(Socket server) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket c = server.accept()) {
                c.setTimeout(TIMEOUT);
                byte[] buf = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = c.recv(buf)) > 0) {
                    c.sendAll(buf, 0, n);
                    total += n;
                }
                return total;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, pool);
    }

    private static Socket listening(Path path) throws IOException {
        Socket server = Socket.open(Family.UNIX, SocketType.STREAM);
        server.setTimeout(TIMEOUT);
        server.bind(UnixAddress.path(path));
        server.listen(1);
        return server;
    }

    /** Reads exactly {@code length} bytes from a blocking channel. */
    private static byte[] readFully(java.nio.channels.ReadableByteChannel ch, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new IOException("EOF after " + b.position() + " of " + length + " bytes");
        }
        return b.array();
    }

    private static void writeFully(java.nio.channels.WritableByteChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) ch.write(b);
    }

    @Test
    void jnrUnixSocketClientOfAnFfsockServer() throws Exception {
        Path path = dir.resolve("jnr.sock");
        try (Socket server = listening(path)) {
            CompletableFuture<Long> echoed = ffsockEchoServer(server);
            long sent = 0;
            try (UnixSocketChannel ch = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
                for (byte[] m : messages()) {
                    writeFully(ch, m);
                    assertArrayEquals(m, readFully(ch, m.length), "echo of a " + m.length + "-byte message");
                    sent += m.length;
                }
                ch.shutdownOutput();
                assertEquals(-1, ch.read(ByteBuffer.allocate(1)), "EOF once the ffsock side closed");
            }
            assertEquals(sent, echoed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void jdkSocketChannelClientOfAnFfsockServer() throws Exception {
        Path path = dir.resolve("jdk-client.sock");
        try (Socket server = listening(path)) {
            CompletableFuture<Long> echoed = ffsockEchoServer(server);
            long sent = 0;
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                assertEquals(UnixDomainSocketAddress.of(path), ch.getRemoteAddress());
                for (byte[] m : messages()) {
                    writeFully(ch, m);
                    assertArrayEquals(m, readFully(ch, m.length), "echo of a " + m.length + "-byte message");
                    sent += m.length;
                }
                ch.shutdownOutput();
                assertEquals(-1, ch.read(ByteBuffer.allocate(1)), "EOF once the ffsock side closed");
            }
            assertEquals(sent, echoed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void ffsockClientOfAJdkServerSocketChannel() throws Exception {
        Path path = dir.resolve("jdk-server.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            // The JDK server echoes until EOF, then closes.
            CompletableFuture<Long> echoed = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(1 << 16);
                    long total = 0;
                    while (c.read(b) > 0) {
                        b.flip();
                        total += b.remaining();
                        while (b.hasRemaining()) c.write(b);
                        b.clear();
                    }
                    return total;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, pool);
            long sent = 0;
            try (Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
                s.setTimeout(TIMEOUT);
                s.connect(UnixAddress.path(path));
                assertEquals(UnixAddress.path(path), s.remoteAddress());
                byte[] buf = new byte[1 << 16];
                for (byte[] m : messages()) {
                    // Send and receive at once: a 300 kB echo does not fit the socket buffers.
                    CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
                        try {
                            s.sendAll(m);
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    }, pool);
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    while (got.size() < m.length) {
                        int n = s.recv(buf, 0, Math.min(buf.length, m.length - got.size()));
                        if (n == 0) throw new IOException("EOF after " + got.size() + " of " + m.length + " bytes");
                        got.write(buf, 0, n);
                    }
                    send.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    assertArrayEquals(m, got.toByteArray(), "echo of a " + m.length + "-byte message");
                    sent += m.length;
                }
                s.shutdown(Shutdown.WRITE);
                assertEquals(0, s.recv(buf), "EOF once the JDK side closed");
            }
            assertEquals(sent, echoed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
