package io.ffsock.net;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.JdkSocketsWarmUp;
import io.ffsock.testing.NginxServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every HTTP client library must get right through {@link UnixSocketFactory} against a real
 * nginx on a unix socket; one subclass per library ({@link OkHttpTest}, {@link ApacheHttpClientTest})
 * says how that library makes a request, nothing else.
 */
@ExtendWith({JdkSocketsWarmUp.class, FdLeakCheck.class})
abstract class HttpClientContract {
    static NginxServer nginx;

    /** One response: status, the two connection headers nginx adds, Transfer-Encoding, the body. */
    record Reply(int status, long connection, long connectionRequests, String transferEncoding, byte[] body) {}

    /** A client of this library whose connections go to {@code socket}; closed after the test. */
    interface Client extends AutoCloseable {
        Reply get(String path) throws Exception;

        /** POST to path; {@code chunked}: with no Content-Length (Transfer-Encoding: chunked). */
        Reply post(String path, byte[] body, boolean chunked) throws Exception;

        /** How many connections the library's pool holds now (open, idle or in use). */
        int pooledConnections();
    }

    abstract Client client(Path socket) throws Exception;

    @BeforeAll
    static void startServer() throws Exception {
        nginx = NginxServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (nginx != null) nginx.close();
    }

    @Test
    void getsStaticBodiesOfZeroOneAndTenMegabytes() throws Exception {
        try (Client c = client(nginx.socketPath())) {
            Reply empty = c.get("/empty");
            assertEquals(200, empty.status(), nginx.output());
            assertEquals(0, empty.body().length);
            Reply one = c.get("/one");
            assertArrayEquals(new byte[] {'x'}, one.body());
            Reply big = c.get("/big");
            assertEquals(NginxServer.BIG_SIZE, big.body().length);
            assertTrue(Arrays.equals(NginxServer.bigContent(), big.body()), "10 MiB body differs");
            Reply missing = c.get("/no-such-file");
            assertEquals(404, missing.status());
        }
    }

    @Test
    void postsBodiesOfZeroOneAndTenMegabytesAndGetsThemBack() throws Exception {
        byte[] big = new byte[10 * 1024 * 1024];
        new Random(15).nextBytes(big);
        try (Client c = client(nginx.socketPath())) {
            for (byte[] body : new byte[][] {new byte[0], {42}, big}) {
                Reply r = c.post("/echo", body, false);
                assertEquals(200, r.status(), nginx.output());
                assertEquals(body.length, r.body().length);
                assertTrue(Arrays.equals(body, r.body()), body.length + "-byte echo differs");
            }
            // A request body of unknown length goes chunked; nginx reassembles it for the upstream.
            Reply r = c.post("/echo", big, true);
            assertEquals(200, r.status(), nginx.output());
            assertTrue(Arrays.equals(big, r.body()), "chunked 10 MiB echo differs");
        }
    }

    @Test
    void readsChunkedResponses() throws Exception {
        try (Client c = client(nginx.socketPath())) {
            Reply r = c.get("/chunked?n=40&size=5000");
            assertEquals(200, r.status(), nginx.output());
            assertEquals("chunked", r.transferEncoding());
            assertEquals(200_000, r.body().length);
            for (int i = 0; i < 40; i++) {
                assertEquals('a' + i % 26, r.body()[i * 5000], "piece " + i);
                assertEquals('a' + i % 26, r.body()[i * 5000 + 4999], "piece " + i);
            }
            Reply none = c.get("/chunked?n=0&size=1");
            assertEquals(0, none.body().length);
        }
    }

    @Test
    void reusesOneConnectionForAThousandRequests() throws Exception {
        try (Client c = client(nginx.socketPath())) {
            Reply first = c.get("/one");
            for (int i = 2; i <= 1000; i++) {
                Reply r = c.get(i % 2 == 0 ? "/one" : "/empty");
                assertEquals(200, r.status());
                // nginx numbers its connections; the same number and a count that grows by one
                // each time mean every request travelled on the first connection.
                assertEquals(first.connection(), r.connection(), "request " + i + " on another connection");
                assertEquals(first.connectionRequests() + i - 1, r.connectionRequests(), "request " + i);
            }
            assertEquals(1, c.pooledConnections());
        }
    }

    @Test
    void recoversWhenTheServerClosesAnIdleConnection() throws Exception {
        try (Client c = client(nginx.idleSocketPath())) {
            Reply before = c.get("/one");
            assertEquals(200, before.status(), nginx.output());
            // Longer than nginx's keepalive_timeout: nginx closes the pooled connection.
            Thread.sleep(NginxServer.IDLE_TIMEOUT_SECONDS * 1000L + 1500);
            Reply after = c.get("/one");
            assertEquals(200, after.status());
            assertArrayEquals(new byte[] {'x'}, after.body());
            assertNotEquals(before.connection(), after.connection(), "the closed connection was not replaced");
            assertEquals(1, after.connectionRequests());
        }
    }

    static long header(String value) {
        assertNotNull(value, "nginx's X-Connection headers missing");
        return Long.parseLong(value.trim());
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
