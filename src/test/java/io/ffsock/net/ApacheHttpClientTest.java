package io.ffsock.net;

import java.nio.file.Path;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.DetachedSocketFactory;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;

/**
 * Apache HttpClient 5 (classic), unchanged, to nginx on a unix socket: its connection operator
 * takes a {@code DetachedSocketFactory}, here {@code proxy -> new UnixSocketFactory(path).createSocket()}.
 */
class ApacheHttpClientTest extends HttpClientContract {
    @Override
    Client client(Path socket) {
        UnixSocketFactory factory = new UnixSocketFactory(socket.toString());
        DetachedSocketFactory sockets = proxy -> factory.createSocket();
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(
                new DefaultHttpClientConnectionOperator(sockets, null, null,
                        RegistryBuilder.<TlsSocketStrategy>create().build()),
                PoolConcurrencyPolicy.STRICT, PoolReusePolicy.LIFO, TimeValue.NEG_ONE_MILLISECOND, null);
        // HttpClient's default SocketConfig: it sets TCP_KEEPIDLE/INTERVAL/COUNT on every socket,
        // which UnixSocket accepts without effect.
        CloseableHttpClient http = HttpClients.custom().setConnectionManager(pool).build();
        return new Client() {
            @Override
            public Reply get(String path) throws Exception {
                return call(new HttpGet("http://localhost" + path));
            }

            @Override
            public Reply post(String path, byte[] body, boolean chunked) throws Exception {
                HttpPost post = new HttpPost("http://localhost" + path);
                post.setEntity(chunked
                        ? new InputStreamEntity(new java.io.ByteArrayInputStream(body), -1, ContentType.APPLICATION_OCTET_STREAM)
                        : new ByteArrayEntity(body, ContentType.APPLICATION_OCTET_STREAM));
                return call(post);
            }

            private Reply call(ClassicHttpRequest request) throws Exception {
                return http.execute(request, r -> {
                    byte[] body = r.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(r.getEntity());
                    Header te = r.getFirstHeader("Transfer-Encoding");
                    return new Reply(r.getCode(), header(r.getFirstHeader("X-Connection").getValue()),
                            header(r.getFirstHeader("X-Connection-Requests").getValue()),
                            te == null ? null : te.getValue(), body);
                });
            }

            @Override
            public int pooledConnections() {
                var s = pool.getTotalStats();
                return s.getAvailable() + s.getLeased();
            }

            @Override
            public void close() throws Exception {
                http.close();
            }
        };
    }
}
