package io.ffsock.testing;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The harnesses themselves, checked with the JDK's own UNIX SocketChannel (not ffsock): each
 * server answers on its socket and, once closed, leaves no process and no directory behind.
 */
class RealServersTest {
    @Test
    void postgresStartsAnswersAndIsGoneAfterClose() throws Exception {
        Path dir;
        long pid;
        try (PostgresCluster pg = PostgresCluster.start(false)) {
            dir = pg.directory();
            pid = pg.pid();
            assertTrue(pid > 0, pg.log());
            assertTrue(Files.exists(pg.socketPath()), pg.log());
            assertEquals("15", pg.psql("SHOW server_version_num").trim().substring(0, 2), pg.log());
            assertEquals("", pg.psql("SHOW listen_addresses").trim());
            assertEquals("t", pg.psql("SELECT count(*) = 1 FROM pg_database WHERE datname = 'db'").trim());
            // The postmaster runs as nobody, never as root.
            assertTrue(Files.readString(Path.of("/proc/" + pid + "/status")).contains("Uid:\t65534\t"));
        }
        assertFalse(RealServers.alive(pid), "postmaster " + pid + " still running");
        assertFalse(Files.exists(dir), dir + " left behind");
    }

    @Test
    void nginxServesItsFilesAndIsGoneAfterClose() throws Exception {
        Path dir;
        String response;
        NginxServer nginx = NginxServer.start();
        try {
            dir = nginx.socketPath().getParent();
            response = get(nginx.socketPath(), "/one");
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response + nginx.output());
            assertTrue(response.contains("\r\nX-Connection-Requests: 1\r\n"), response);
            assertTrue(response.endsWith("\r\n\r\nx"), response);
            String chunked = get(nginx.socketPath(), "/chunked?n=3&size=2");
            assertTrue(chunked.contains("\r\nTransfer-Encoding: chunked\r\n"), chunked + nginx.output());
            assertTrue(chunked.endsWith("2\r\naa\r\n2\r\nbb\r\n2\r\ncc\r\n0\r\n\r\n"), chunked);
        } finally {
            nginx.close();
        }
        assertFalse(Files.exists(dir), dir + " left behind");
        // No nginx or upstream of this test's directory remains.
        try (var all = ProcessHandle.allProcesses()) {
            assertTrue(all.noneMatch(p -> p.info().arguments()
                    .map(a -> String.join(" ", a).contains(dir.toString())).orElse(false)));
        }
    }

    /** One HTTP/1.1 request with Connection: close over the JDK's UNIX channel; the raw response. */
    private static String get(Path socket, String target) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
