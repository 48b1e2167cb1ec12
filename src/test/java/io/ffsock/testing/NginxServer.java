package io.ffsock.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's {@code nginx} package) with its own configuration in a temp directory,
 * listening only on unix sockets there, started by a test and always stopped by it. Both nginx
 * and its python3 upstream run as {@code nobody}.
 *
 * <p>{@link #socketPath()} serves, with HTTP/1.1 keep-alive (up to 100,000 requests on one
 * connection, 60 s idle):
 * <ul>
 *   <li>{@code /empty} (0 bytes), {@code /one} (1 byte, {@code x}), {@code /big} ({@link #BIG_SIZE}
 *       bytes, byte i is {@code i % 251}): static files;</li>
 *   <li>{@code POST /echo}: the request body back (through the upstream);</li>
 *   <li>{@code GET /chunked?n=K&size=S}: K pieces of S bytes, sent chunked;</li>
 * </ul>
 * and every response carries {@code X-Connection} (nginx's {@code $connection}, a serial number
 * per client connection) and {@code X-Connection-Requests} ({@code $connection_requests}), which
 * show whether a client reused a connection. {@link #idleSocketPath()} serves the same files but
 * closes a connection after {@link #IDLE_TIMEOUT_SECONDS} s without a request.
 */
public final class NginxServer implements AutoCloseable {
    /** Size of {@code /big}: 10 MiB. */
    public static final int BIG_SIZE = 10 * 1024 * 1024;
    /** keepalive_timeout of {@link #idleSocketPath()}. */
    public static final int IDLE_TIMEOUT_SECONDS = 1;

    private final Path dir;
    private Process nginx;
    private Process upstream;

    private NginxServer(Path dir) {
        this.dir = dir;
    }

    /** The content of {@code /big}. */
    public static byte[] bigContent() {
        byte[] b = new byte[BIG_SIZE];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i % 251);
        return b;
    }

    /** Writes the configuration and files, starts the upstream and nginx, waits until both answer. */
    public static NginxServer start() throws IOException, InterruptedException {
        NginxServer s = new NginxServer(RealServers.ownedTempDir("nginx"));
        try {
            s.init();
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void init() throws IOException, InterruptedException {
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.write(www.resolve("empty"), new byte[0]);
        Files.write(www.resolve("one"), new byte[] {'x'});
        Files.write(www.resolve("big"), bigContent());
        for (String t : new String[] {"tmp", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"}) {
            Files.createDirectories(dir.resolve(t));
        }
        try (var all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) RealServers.chown(p);
        }
        Path script = dir.resolve("http_upstream.py");
        try (InputStream in = NginxServer.class.getResourceAsStream("http_upstream.py")) {
            Files.copy(in, script);
        }
        Files.writeString(dir.resolve("nginx.conf"), config());

        upstream = new ProcessBuilder(RealServers.asNobody("/usr/bin/python3", script.toString(), upstreamSocket().toString()))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String ready = new BufferedReader(new InputStreamReader(upstream.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"ready".equals(ready)) {
            throw new IOException("python3 http_upstream.py did not start: " + ready);
        }
        // Keep draining its output so it never blocks on a full pipe.
        Thread.ofVirtual().start(() -> {
            try { upstream.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()); } catch (IOException ignored) { }
        });

        nginx = new ProcessBuilder(RealServers.asNobody("/usr/sbin/nginx", "-p", dir.toString(),
                "-c", dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString()))
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(socketPath()) && Files.exists(idleSocketPath()))) {
            if (!nginx.isAlive()) {
                throw new IOException("nginx exited " + nginx.exitValue() + ": " + output());
            }
            if (System.nanoTime() > deadline) throw new IOException("nginx did not listen in 30 s: " + output());
            Thread.sleep(20);
        }
    }

    private String config() {
        String headers = """
                    add_header X-Connection $connection always;
                    add_header X-Connection-Requests $connection_requests always;
                """;
        return """
                # ffsock test nginx: everything in %1$s, nothing outside
                daemon off;
                master_process on;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log notice;
                events { worker_connections 512; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    default_type application/octet-stream;
                    client_max_body_size 64m;
                    keepalive_requests 100000;
                    sendfile on;
                    server {
                        listen unix:%1$s/nginx.sock;
                        keepalive_timeout 60s;
                        root %1$s/www;
                %2$s
                        location = /echo { proxy_pass http://unix:%1$s/upstream.sock; }
                        location = /chunked { proxy_pass http://unix:%1$s/upstream.sock; proxy_buffering off; }
                    }
                    server {
                        listen unix:%1$s/idle.sock;
                        keepalive_timeout %3$ds;
                        root %1$s/www;
                %2$s
                    }
                }
                """.formatted(dir, headers, IDLE_TIMEOUT_SECONDS);
    }

    private Path upstreamSocket() {
        return dir.resolve("upstream.sock");
    }

    /** The main server's socket (60 s keep-alive). */
    public Path socketPath() {
        return dir.resolve("nginx.sock");
    }

    /** The socket of the server that closes idle connections after {@link #IDLE_TIMEOUT_SECONDS} s. */
    public Path idleSocketPath() {
        return dir.resolve("idle.sock");
    }

    /** nginx's own output and its error log, for a failing test's message. */
    public String output() {
        StringBuilder b = new StringBuilder();
        for (String f : new String[] {"nginx.out", "error.log"}) {
            try {
                b.append(f).append(": ").append(Files.readString(dir.resolve(f))).append('\n');
            } catch (IOException e) {
                b.append(f).append(": (none)\n");
            }
        }
        return b.toString();
    }

    /** Stops nginx (SIGTERM to the master: fast shutdown) and the upstream, then removes the directory. */
    @Override
    public void close() throws InterruptedException {
        try {
            for (Process p : new Process[] {nginx, upstream}) {
                if (p == null) continue;
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            RealServers.deleteTree(dir);
        }
    }
}
