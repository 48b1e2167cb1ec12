package io.ffsock.net;

import java.nio.file.Path;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

/** OkHttp 5, unchanged, to nginx on a unix socket: {@code OkHttpClient.Builder.socketFactory(new UnixSocketFactory(path))}. */
class OkHttpTest extends HttpClientContract {
    private static final MediaType OCTETS = MediaType.get("application/octet-stream");

    @Override
    Client client(Path socket) {
        OkHttpClient http = new OkHttpClient.Builder()
                .socketFactory(new UnixSocketFactory(socket.toString()))
                .build();
        return new Client() {
            @Override
            public Reply get(String path) throws Exception {
                return call(new Request.Builder().url("http://localhost" + path).build());
            }

            @Override
            public Reply post(String path, byte[] body, boolean chunked) throws Exception {
                RequestBody rb = chunked ? new RequestBody() {
                    @Override
                    public MediaType contentType() {
                        return OCTETS;
                    }

                    @Override
                    public long contentLength() {
                        return -1;   // unknown: OkHttp sends it chunked
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws java.io.IOException {
                        for (int off = 0; off < body.length; off += 65536) {
                            sink.write(body, off, Math.min(65536, body.length - off));
                            sink.flush();
                        }
                    }
                } : RequestBody.create(body, OCTETS);
                return call(new Request.Builder().url("http://localhost" + path).post(rb).build());
            }

            private Reply call(Request request) throws Exception {
                try (Response r = http.newCall(request).execute()) {
                    byte[] body = r.body().bytes();
                    return new Reply(r.code(), header(r.header("X-Connection")),
                            header(r.header("X-Connection-Requests")), r.header("Transfer-Encoding"), body);
                }
            }

            @Override
            public int pooledConnections() {
                return http.connectionPool().connectionCount();
            }

            @Override
            public void close() {
                http.dispatcher().executorService().shutdown();
                http.connectionPool().evictAll();
            }
        };
    }
}
