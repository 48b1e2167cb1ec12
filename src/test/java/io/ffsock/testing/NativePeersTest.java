package io.ffsock.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The native peers work on their own: checked with clients that are not ffsock — the JDK's
 * SocketChannel for stream_echo, Python's socket module for seqpacket_echo and dgram_echo — so
 * that a failing ffsock test against these peers points at ffsock.
 */
class NativePeersTest {

    @Test
    void streamEchoOverPath() throws Exception {
        Path path = NativePeers.socketPath("stream");
        try (NativePeers.Peer peer = NativePeers.start("stream_echo", path.toString())) {
            assertEquals(path.toString(), peer.address());
            assertTrue(Files.exists(path), "socket file while listening");
            byte[] big = new byte[3 << 20];
            new Random(42).nextBytes(big);
            // Sequential clients, then two at once: the accept loop serves them all.
            assertArrayEquals(big, streamRoundTrip(path, big));
            assertArrayEquals(new byte[0], streamRoundTrip(path, new byte[0]));
            try (SocketChannel first = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                writeFully(second, "second".getBytes(StandardCharsets.US_ASCII));
                writeFully(first, "first".getBytes(StandardCharsets.US_ASCII));
                assertEquals("second", new String(readExactly(second, 6), StandardCharsets.US_ASCII));
                assertEquals("first", new String(readExactly(first, 5), StandardCharsets.US_ASCII));
            }
            assertArrayEquals("again".getBytes(StandardCharsets.US_ASCII),
                    streamRoundTrip(path, "again".getBytes(StandardCharsets.US_ASCII)));
        }
        assertFalse(Files.exists(path), "stream_echo unlinks its socket on SIGTERM");
    }

    @Test
    void seqpacketEchoOverPathAndAbstractName() throws Exception {
        Path path = NativePeers.socketPath("seqpacket");
        for (String address : List.of(path.toString(), NativePeers.abstractAddress("seqpacket"))) {
            try (NativePeers.Peer peer = NativePeers.start("seqpacket_echo", address)) {
                assertEquals("OK", python(SEQPACKET_CLIENT, peer.address()));
            }
        }
        assertFalse(Files.exists(path), "seqpacket_echo unlinks its socket on SIGTERM");
    }

    @Test
    void dgramEchoOverPathAndAbstractName() throws Exception {
        Path path = NativePeers.socketPath("dgram");
        for (String address : List.of(path.toString(), NativePeers.abstractAddress("dgram"))) {
            try (NativePeers.Peer peer = NativePeers.start("dgram_echo", address)) {
                assertEquals("OK", python(DGRAM_CLIENT, peer.address()));
            }
        }
        assertFalse(Files.exists(path), "dgram_echo unlinks its socket on SIGTERM");
    }

    @Test
    void peerThatCannotBindFailsWithItsError() {
        Path path = NativePeers.socketPath("taken");
        try (NativePeers.Peer first = NativePeers.start("dgram_echo", path.toString())) {
            AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> NativePeers.start("dgram_echo", path.toString()));
            assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
            assertTrue(Files.exists(path), "the second peer must not remove the first one's socket");
        }
    }

    // ----- stream helpers (JDK SocketChannel) -----

    private static byte[] streamRoundTrip(Path path, byte[] data) throws Exception {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            // Write from another thread: the echo comes back while we are still sending.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    writeFully(channel, data);
                    channel.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            byte[] echoed = readToEnd(channel);
            writer.get(30, TimeUnit.SECONDS);
            return echoed;
        }
    }

    private static void writeFully(SocketChannel channel, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static byte[] readExactly(SocketChannel channel, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("EOF after " + buffer.position() + " of " + n + " bytes");
            }
        }
        return buffer.array();
    }

    private static byte[] readToEnd(SocketChannel channel) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return out.toByteArray();
    }

    // ----- Python clients -----

    /** Turns the peer address argument into Python's AF_UNIX address (abstract: leading NUL). */
    private static final String PY_PRELUDE = """
            import socket, sys
            arg = sys.argv[1]
            addr = '\\0' + arg[1:] if arg.startswith('@') else arg
            """;

    /**
     * Three clients one after another (the accept loop goes on after each leaves); message
     * boundaries kept, zero-length messages echoed. With SO_PASSCRED every received message
     * carries SCM_CREDENTIALS and EOF carries nothing, so the client can tell the echo of an empty
     * message (sent just before shutting down its side) from the server closing.
     */
    private static final String SEQPACKET_CLIENT = PY_PRELUDE + """
            msgs = [b'', b'x', b'', bytes(range(256)) * 200, b'end', b'']
            creds = socket.CMSG_SPACE(12)
            for client in range(3):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                s.settimeout(10)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
                s.connect(addr)
                for m in msgs:
                    assert s.send(m) == len(m)
                    data, anc, flags, _ = s.recvmsg(1 << 20, creds)
                    assert data == m, ('client', client, 'sent', len(m), 'got', len(data))
                    assert anc, 'a message carries credentials'
                    assert not flags & socket.MSG_TRUNC
                # Several queued before reading: boundaries kept.
                for m in msgs:
                    s.send(m)
                for m in msgs:
                    data, anc, flags, _ = s.recvmsg(1 << 20, creds)
                    assert data == m and anc, ('queued', len(m), len(data))
                s.send(b'')
                s.shutdown(socket.SHUT_WR)
                data, anc, flags, _ = s.recvmsg(16, creds)
                assert data == b'' and anc, 'echo of the empty message sent before shutdown'
                data, anc, flags, _ = s.recvmsg(16, creds)
                assert data == b'' and not anc, 'then end of file'
                s.close()
            print('OK')
            """;

    /** An autobound client; zero-length and 64 KiB datagrams; replies come from the server's address. */
    private static final String DGRAM_CLIENT = PY_PRELUDE + """
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.settimeout(10)
            s.bind('')
            assert s.getsockname() not in ('', b''), 'autobind'
            expected = (addr, addr.encode())
            for m in [b'', b'a', b'', bytes(range(256)) * 256, b'z' * 65535, b'']:
                assert s.sendto(m, addr) == len(m)
                data, sender = s.recvfrom(1 << 17)
                assert data == m, ('sent', len(m), 'got', len(data))
                assert sender in expected, sender
            for i in range(5):
                s.sendto(bytes([i]) * i, addr)
            for i in range(5):
                assert s.recv(16) == bytes([i]) * i
            print('OK')
            """;

    /** Runs {@code python3 -c script arg}; skips if there is no python3, fails with its stderr. */
    private static String python(String script, String arg) throws Exception {
        assumeTrue(hasPython(), "python3 is not installed: the independent client for this peer");
        Process process = new ProcessBuilder("python3", "-c", script, arg)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        byte[] stdout = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("python client did not finish within 60 s");
        }
        String err = new String(stderr.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), () -> "python client failed:\n" + err);
        return new String(stdout, StandardCharsets.UTF_8).strip();
    }

    private static Boolean pythonPresent;

    private static synchronized boolean hasPython() {
        if (pythonPresent == null) {
            List<String> command = new ArrayList<>(List.of("python3", "-c", "import socket; socket.SOCK_SEQPACKET"));
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                pythonPresent = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                pythonPresent = false;
            }
        }
        return pythonPresent;
    }
}
