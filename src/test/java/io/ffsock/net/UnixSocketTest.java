package io.ffsock.net;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Credentials;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.JdkChannelsWarmUp;
import io.ffsock.testing.SocketKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * UnixSocket and UnixServerSocket as java.net.Socket/ServerSocket, with the JDK's own UNIX
 * channels as the independent peer on the other side, and each other.
 */
@ExtendWith({JdkChannelsWarmUp.class, FdLeakCheck.class})
class UnixSocketTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private Path dir;

    @BeforeEach
    void dir() throws IOException {
        dir = Files.createTempDirectory("ffsock-net-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    }

    @AfterEach
    void clean() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void aUnixSocketTalksToTheJdksUnixServerChannelThroughItsStreams() throws Exception {
        UnixDomainSocketAddress at = UnixDomainSocketAddress.of(dir.resolve("s"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(at);
            try (UnixSocket s = new UnixSocket()) {
                assertFalse(s.isConnected());
                assertFalse(s.isBound());
                assertNull(s.getRemoteSocketAddress());
                s.connect(at, 5000);
                assertTrue(s.isConnected());
                assertTrue(s.isBound());
                assertEquals(UnixAddress.path(at.getPath()), s.getRemoteSocketAddress());
                assertEquals(UnixAddress.unnamed(), s.getLocalSocketAddress());
                assertNull(s.getInetAddress());
                assertEquals(0, s.getPort());
                assertEquals(-1, s.getLocalPort());
                assertTrue(s.getLocalAddress().isAnyLocalAddress());
                assertNull(s.getChannel());
                try (SocketChannel peer = server.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
                    ByteBuffer b = ByteBuffer.allocate(5);
                    while (b.hasRemaining()) peer.read(b);
                    assertEquals("ping\n", new String(b.array(), StandardCharsets.US_ASCII));
                    peer.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
                    InputStream in = s.getInputStream();
                    byte[] got = new byte[4];
                    int n = 0;
                    while (n < 4) n += in.read(got, n, 4 - n);
                    assertEquals("pong", new String(got, StandardCharsets.US_ASCII));
                    // the peer's credentials: this very process
                    Credentials c = s.peerCredentials();
                    assertEquals(ProcessHandle.current().pid(), c.pid());
                    peer.shutdownOutput();
                    assertEquals(-1, in.read());
                }
            }
        }
    }

    @Test
    void theJdksUnixChannelTalksToAUnixServerSocket() throws Exception {
        UnixDomainSocketAddress at = UnixDomainSocketAddress.of(dir.resolve("srv"));
        try (UnixServerSocket server = new UnixServerSocket(at)) {
            assertTrue(server.isBound());
            assertEquals(UnixAddress.path(at.getPath()), server.getLocalSocketAddress());
            assertNull(server.getInetAddress());
            assertEquals(-1, server.getLocalPort());
            try (SocketChannel client = SocketChannel.open(at); UnixSocket accepted = server.accept()) {
                assertTrue(accepted.isConnected());
                client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                assertEquals(3, accepted.getInputStream().readNBytes(3).length);
                accepted.getOutputStream().write(new byte[] {9});
                ByteBuffer one = ByteBuffer.allocate(1);
                assertEquals(1, client.read(one));
                assertEquals(9, one.get(0));
                assertEquals(ProcessHandle.current().pid(), accepted.peerCredentials().pid());
            }
        }
        assertTrue(Files.exists(at.getPath()), "the socket file stays after close, as with the JDK");
    }

    @Test
    void abstractNamesWorkBothWaysAndNullBindAutobinds() throws Exception {
        UnixAddress name = SocketKind.uniqueAbstractName();
        try (UnixServerSocket server = new UnixServerSocket(name, 10); UnixSocket client = new UnixSocket(name);
             UnixSocket accepted = server.accept()) {
            assertEquals(name, server.getLocalSocketAddress());
            assertEquals(name, client.getRemoteSocketAddress());
            client.getOutputStream().write(42);
            assertEquals(42, accepted.getInputStream().read());
        }
        try (UnixServerSocket auto = new UnixServerSocket()) {
            assertFalse(auto.isBound());
            auto.bind(null);
            UnixAddress a = (UnixAddress) auto.getLocalSocketAddress();
            assertEquals(UnixAddress.Kind.ABSTRACT, a.kind());
            try (UnixSocket c = new UnixSocket(a); UnixSocket s = auto.accept()) {
                assertTrue(s.isConnected());
            }
        }
    }

    @Test
    void soTimeoutOnReadThrowsAndLosesNothingAsOkHttpsHealthCheckNeeds() throws Exception {
        try (var pair = Socket.pair(SocketType.STREAM); UnixSocket a = new UnixSocket(pair.first());
             UnixSocket b = new UnixSocket(pair.second())) {
            assertEquals(0, b.getSoTimeout());
            // OkHttp's isHealthy: soTimeout = 1, read, restore
            b.setSoTimeout(1);
            assertEquals(1, b.getSoTimeout());
            assertThrows(SocketTimeoutException.class, () -> b.getInputStream().read());
            b.setSoTimeout(0);
            a.getOutputStream().write(new byte[] {5, 6});
            b.setSoTimeout(200);
            assertEquals(5, b.getInputStream().read());
            assertEquals(6, b.getInputStream().read());
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> b.getInputStream().read(new byte[8]));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertFalse(b.isClosed());
            a.getOutputStream().write(7);
            assertEquals(7, b.getInputStream().read());
        }
    }

    @Test
    void soTimeoutBoundsAcceptAndCloseWakesABlockedAccept() throws Exception {
        try (UnixServerSocket server = new UnixServerSocket(SocketKind.uniqueAbstractName())) {
            server.setSoTimeout(100);
            assertEquals(100, server.getSoTimeout());
            assertThrows(SocketTimeoutException.class, server::accept);
            server.setSoTimeout(0);
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    server.accept().close();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(200);
            server.close();
            Throwable t = blocked.get(10, TimeUnit.SECONDS);
            assertInstanceOf(SocketException.class, t);
            assertTrue(server.isClosed());
            assertThrows(SocketException.class, server::accept);
        }
    }

    @Test
    void shutdownsAreVisibleThroughTheStreamsAndTheFlags() throws Exception {
        try (var pair = Socket.pair(SocketType.STREAM); UnixSocket a = new UnixSocket(pair.first());
             UnixSocket b = new UnixSocket(pair.second())) {
            InputStream in = b.getInputStream();
            a.getOutputStream().write(new byte[] {1, 2, 3});
            b.shutdownInput();
            assertTrue(b.isInputShutdown());
            assertFalse(b.isOutputShutdown());
            assertEquals(-1, in.read());
            assertEquals(0, in.available());
            assertThrows(SocketException.class, b::getInputStream);
            assertThrows(SocketException.class, b::shutdownInput);
            OutputStream out = a.getOutputStream();
            a.shutdownOutput();
            assertTrue(a.isOutputShutdown());
            SocketException e = assertThrows(SocketException.class, () -> out.write(1));
            assertTrue(e.getMessage().contains("output is shut down"), e.getMessage());
            assertThrows(SocketException.class, a::getOutputStream);
            assertThrows(SocketException.class, a::shutdownOutput);
            // the other directions still work
            b.getOutputStream().write(8);
            assertEquals(8, a.getInputStream().read());
        }
    }

    @Test
    void bufferSizesAreRealAndTcpOptionsAreAcceptedWithoutEffect() throws Exception {
        try (var pair = Socket.pair(SocketType.STREAM); UnixSocket a = new UnixSocket(pair.first())) {
            a.setReceiveBufferSize(100_000);
            assertEquals(pair.first().getOption(StandardSocketOptions.SO_RCVBUF), a.getReceiveBufferSize());
            assertTrue(a.getReceiveBufferSize() >= 100_000);
            a.setSendBufferSize(70_000);
            assertEquals(pair.first().getOption(StandardSocketOptions.SO_SNDBUF), a.getSendBufferSize());
            a.setOption(StandardSocketOptions.SO_SNDBUF, 80_000);
            assertEquals(a.getSendBufferSize(), a.getOption(StandardSocketOptions.SO_SNDBUF));
            a.setTcpNoDelay(true);
            assertTrue(a.getTcpNoDelay());
            a.setKeepAlive(true);
            assertTrue(a.getKeepAlive());
            assertEquals(-1, a.getSoLinger());
            a.setSoLinger(true, 5);
            assertEquals(5, a.getSoLinger());
            a.setSoLinger(false, 0);
            assertEquals(-1, a.getSoLinger());
            a.setOOBInline(true);
            assertTrue(a.getOOBInline());
            a.setTrafficClass(0x10);
            assertEquals(0x10, a.getTrafficClass());
            a.setReuseAddress(true);
            assertTrue(a.getReuseAddress());
            a.setPerformancePreferences(1, 2, 3);
            a.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertEquals(false, a.getOption(StandardSocketOptions.TCP_NODELAY));
            a.setOption(StandardSocketOptions.SO_LINGER, 3);
            assertEquals(3, a.getOption(StandardSocketOptions.SO_LINGER));
            assertTrue(a.supportedOptions().contains(StandardSocketOptions.SO_RCVBUF));
            // jdk.net's keep-alive tuning, which Apache HttpClient 5 sets on every socket
            assertEquals(0, a.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE));
            a.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 60);
            a.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 10);
            a.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 5);
            assertEquals(60, a.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE));
            assertEquals(10, a.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL));
            assertEquals(5, a.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT));
            assertThrows(IllegalArgumentException.class, () -> a.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, -1));
            assertThrows(UnsupportedOperationException.class, () -> a.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1));
            assertThrows(UnsupportedOperationException.class, () -> a.getOption(StandardSocketOptions.SO_BROADCAST));
            SocketException e = assertThrows(SocketException.class, () -> a.sendUrgentData(1));
            assertTrue(e.getMessage().contains("AF_UNIX"), e.getMessage());
            // the data path is unaffected
            a.getOutputStream().write(3);
            assertEquals(3, pair.second().recv(1)[0]);
        }
    }

    @Test
    void aStreamCloseClosesTheUnixSocket() throws Exception {
        try (var pair = Socket.pair(SocketType.STREAM); UnixSocket a = new UnixSocket(pair.first())) {
            a.getInputStream().close();
            assertTrue(a.isClosed());
            assertTrue(pair.first().isClosed());
            assertTrue(a.isConnected(), "closing keeps the connected state, as java.net.Socket");
            assertThrows(SocketException.class, a::getOutputStream);
        }
    }

    @Test
    void manyVirtualThreadsTalkLinesThroughUnixSockets() throws Exception {
        UnixAddress name = SocketKind.uniqueAbstractName();
        int clients = 100;
        try (UnixServerSocket server = new UnixServerSocket(name, clients);
             var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Void> acceptor = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < clients; i++) {
                        UnixSocket s = server.accept();
                        exec.submit(() -> {
                            try (s; BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                                PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                                String l;
                                while ((l = r.readLine()) != null) w.println("re: " + l);
                            }
                            return null;
                        });
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, exec);
            java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(exec.submit(() -> {
                    try (UnixSocket s = new UnixSocket()) {
                        s.connect(name, 10_000);
                        s.setSoTimeout(20_000);
                        BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                        int ok = 0;
                        for (int j = 0; j < 20; j++) {
                            w.println(id + "/" + j);
                            if (("re: " + id + "/" + j).equals(r.readLine())) ok++;
                        }
                        return ok;
                    }
                }));
            }
            for (var f : results) assertEquals(20, f.get(60, TimeUnit.SECONDS));
            acceptor.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMissingPathIsAConnectExceptionNamingThePathAndTheSocketIsClosed() throws Exception {
        Path missing = dir.resolve("nobody-here");
        UnixSocket s = new UnixSocket();
        ConnectException e = assertThrows(ConnectException.class, () -> s.connect(UnixDomainSocketAddress.of(missing), 1000));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
        assertTrue(s.isClosed(), "a failed connect closes the socket");
        Files.writeString(dir.resolve("plain-file"), "x");
        UnixSocket t = new UnixSocket();
        e = assertThrows(ConnectException.class, () -> t.connect(UnixDomainSocketAddress.of(dir.resolve("plain-file"))));
        assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
        assertTrue(t.isClosed());
    }
}
