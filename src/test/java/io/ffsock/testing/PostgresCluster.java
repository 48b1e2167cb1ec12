package io.ffsock.testing;

import java.io.IOException;
import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real PostgreSQL cluster (Debian's {@code postgresql} package) that a test creates in a temp
 * directory and always removes: {@code initdb} and {@code pg_ctl} run as {@code nobody}, the
 * server listens on a unix socket in that directory and, when asked, on a TCP loopback port.
 *
 * <p>Authentication on the unix socket is {@code peer} with a user map: the OS user root (who runs
 * the tests) may log in as the role {@link #ROLE} only, nobody as the superuser {@link #SUPERUSER}
 * (used to set up). The role {@link #OTHER_ROLE} exists but no OS user maps to it, so a test can
 * see peer authentication refuse. TCP (loopback only) uses {@code trust}. The benchmark's cluster
 * ({@link #startForBenchmark()}) trusts the unix socket too, so that both paths authenticate alike.
 */
public final class PostgresCluster implements AutoCloseable {
    /** The bootstrap superuser (initdb -U); only nobody maps to it. */
    public static final String SUPERUSER = "ffadmin";
    /** The role root maps to; owner of {@link #DATABASE}. */
    public static final String ROLE = "app";
    /** A role no OS user maps to. */
    public static final String OTHER_ROLE = "other";
    /** The database the tests use. */
    public static final String DATABASE = "db";

    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean tcp;
    private final boolean trustLocal;
    private boolean started;

    private PostgresCluster(Path dir, int port, boolean tcp, boolean trustLocal) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.tcp = tcp;
        this.trustLocal = trustLocal;
    }

    /**
     * Creates and starts a cluster; on any failure what was started is stopped and the directory
     * removed before the exception leaves.
     *
     * @param tcp also listen on 127.0.0.1:{@link #port()} (otherwise {@code listen_addresses=''})
     */
    public static PostgresCluster start(boolean tcp) throws IOException, InterruptedException {
        return start(new PostgresCluster(RealServers.ownedTempDir("pg"), freePort(), tcp, false));
    }

    /**
     * Creates and starts the benchmark's cluster: the unix socket and 127.0.0.1:{@link #port()},
     * both with {@code trust} (no peer lookup on the unix socket), so that a connection costs the
     * server the same whichever way it comes. Cleans up on failure as {@link #start(boolean)}.
     */
    public static PostgresCluster startForBenchmark() throws IOException, InterruptedException {
        return start(new PostgresCluster(RealServers.ownedTempDir("pgbench"), freePort(), true, true));
    }

    private static PostgresCluster start(PostgresCluster c) throws IOException, InterruptedException {
        try {
            c.init();
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static int freePort() throws IOException {
        // The port names the socket file (.s.PGSQL.<port>) and, with tcp, is bound on 127.0.0.1;
        // the kernel's choice keeps parallel runs apart. (Not java.net.ServerSocket: its first use
        // makes the JDK open a socketpair it keeps for good, which FdLeakCheck would count.)
        try (Socket s = Socket.open(Family.INET, SocketType.STREAM)) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress) s.localAddress()).getPort();
        }
    }

    private void init() throws IOException, InterruptedException {
        RealServers.run(RealServers.asNobody(RealServers.postgresBinary("initdb").toString(),
                "-D", data.toString(), "-U", SUPERUSER, "-A", "peer", "--no-sync",
                "-E", "UTF8", "--locale=C"), dir);
        String tcpLine = tcp ? "host all all 127.0.0.1/32 trust\n" : "";
        String localLine = trustLocal ? "local all all trust\n" : "local all all peer map=ffsock\n";
        write(data.resolve("pg_hba.conf"), localLine + tcpLine);
        write(data.resolve("pg_ident.conf"),
                "ffsock nobody " + SUPERUSER + "\n" + "ffsock root " + ROLE + "\n");
        Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
                "",
                "# ffsock test cluster",
                "port = " + port,
                "listen_addresses = '" + (tcp ? "127.0.0.1" : "") + "'",
                "unix_socket_directories = '" + dir + "'",
                "max_connections = 100",
                "shared_buffers = 16MB",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "logging_collector = off",
                ""), java.nio.file.StandardOpenOption.APPEND);
        RealServers.run(RealServers.asNobody(RealServers.postgresBinary("pg_ctl").toString(),
                "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "start"), dir);
        started = true;
        psql("CREATE ROLE " + ROLE + " LOGIN");
        psql("CREATE ROLE " + OTHER_ROLE + " LOGIN");
        psql("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        RealServers.chown(file);
    }

    /** Runs one SQL statement as the superuser through psql (as nobody, over the unix socket). */
    public String psql(String sql) throws IOException, InterruptedException {
        return RealServers.run(RealServers.asNobody(RealServers.postgresBinary("psql").toString(),
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir.toString(), "-p", Integer.toString(port),
                "-U", SUPERUSER, "-d", "postgres", "-c", sql), dir);
    }

    /** The server's unix socket: {@code <dir>/.s.PGSQL.<port>}. */
    public Path socketPath() {
        return dir.resolve(".s.PGSQL." + port);
    }

    /** The port (the socket's name; the TCP port when started with tcp). */
    public int port() {
        return port;
    }

    /** The directory that holds the socket, the data directory and the server log. */
    public Path directory() {
        return dir;
    }

    /** The server's log so far, for a failing test's message. */
    public String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    /** The postmaster's pid, from postmaster.pid, or -1. */
    public long pid() {
        try {
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
            return Long.parseLong(lines.get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Stops the server (fast shutdown: open sessions are ended) and removes the directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (started) {
                long pid = pid();
                try {
                    RealServers.run(RealServers.asNobody(RealServers.postgresBinary("pg_ctl").toString(),
                            "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"), dir);
                } finally {
                    // pg_ctl returns once postmaster.pid is gone, a moment before the process has
                    // exited; if it could not stop the server at all, do not leave one behind.
                    if (pid > 0 && !RealServers.awaitExit(pid, 10_000)) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                        RealServers.awaitExit(pid, 10_000);
                    }
                }
                started = false;
            }
        } finally {
            RealServers.deleteTree(dir);
        }
    }
}
