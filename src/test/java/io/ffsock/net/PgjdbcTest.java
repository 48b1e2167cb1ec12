package io.ffsock.net;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.JdkSocketsWarmUp;
import io.ffsock.testing.PostgresCluster;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The PostgreSQL JDBC driver, unchanged, talking to a real PostgreSQL 15 over its unix socket
 * through {@link UnixSocketFactory}, named in the JDBC URL as a user would type it.
 */
@ExtendWith({JdkSocketsWarmUp.class, FdLeakCheck.class})
class PgjdbcTest {
    private static PostgresCluster pg;

    @BeforeAll
    static void startServer() throws Exception {
        pg = PostgresCluster.start(false);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) pg.close();
    }

    /** The URL form the issue promises: host and port are what the driver passes; the path decides. */
    static String url(String socketPath) {
        return "jdbc:postgresql://localhost/" + PostgresCluster.DATABASE
                + "?socketFactory=io.ffsock.net.UnixSocketFactory&socketFactoryArg=" + socketPath;
    }

    private static Connection connect(String user) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        return DriverManager.getConnection(url(pg.socketPath().toString()), p);
    }

    @Test
    void queriesRunAsTheMappedRoleOverTheUnixSocket() throws Exception {
        try (Connection c = connect(PostgresCluster.ROLE); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT current_user, current_database(), 6 * 7")) {
                assertTrue(rs.next());
                assertEquals(PostgresCluster.ROLE, rs.getString(1));
                assertEquals(PostgresCluster.DATABASE, rs.getString(2));
                assertEquals(42, rs.getInt(3));
            }
            // The server's own view: no client address (a unix-socket session), port -1.
            try (ResultSet rs = st.executeQuery(
                    "SELECT client_addr IS NULL, client_port FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1));
                assertEquals(-1, rs.getInt(2));
            }
            // A prepared statement round trip (extended protocol) with parameters.
            try (var ps = c.prepareStatement("SELECT ?::int + ?::int, upper(?)")) {
                ps.setInt(1, 40);
                ps.setInt(2, 2);
                ps.setString(3, "ffsock");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(42, rs.getInt(1));
                    assertEquals("FFSOCK", rs.getString(2));
                }
            }
        }
    }

    @Test
    void peerAuthenticationLetsRootInOnlyAsItsMappedRole() throws Exception {
        // root is mapped to "app" only: the kernel's SO_PEERCRED on our socket says uid 0.
        SQLException other = assertThrows(SQLException.class, () -> connect(PostgresCluster.OTHER_ROLE).close());
        assertTrue(other.getMessage().contains("Peer authentication failed for user \"" + PostgresCluster.OTHER_ROLE + "\""),
                other.getMessage());
        SQLException admin = assertThrows(SQLException.class, () -> connect(PostgresCluster.SUPERUSER).close());
        assertTrue(admin.getMessage().contains("Peer authentication failed"), admin.getMessage());
        assertTrue(pg.log().contains("no match in usermap \"ffsock\" for user \"" + PostgresCluster.OTHER_ROLE
                + "\" authenticated as \"root\""), pg.log());
        try (Connection c = connect(PostgresCluster.ROLE)) {
            assertTrue(c.isValid(5));
        }
    }

    @Test
    void aMultiMegabyteResultArrivesWhole() throws Exception {
        try (Connection c = connect(PostgresCluster.ROLE); Statement st = c.createStatement()) {
            long rows = 0, sum = 0, chars = 0;
            // 100,000 rows of an int and a 32-character md5: about 5 MB on the wire.
            try (ResultSet rs = st.executeQuery("SELECT i, md5(i::text) FROM generate_series(1, 100000) i ORDER BY i")) {
                while (rs.next()) {
                    rows++;
                    sum += rs.getInt(1);
                    String md5 = rs.getString(2);
                    chars += md5.length();
                    if (rows == 1) assertEquals("c4ca4238a0b923820dcc509a6f75849b", md5);   // md5("1")
                }
            }
            assertEquals(100_000, rows);
            assertEquals(100_000L * 100_001 / 2, sum);
            assertEquals(3_200_000, chars);
            // And one 8 MB value in a single row, compared with the server's own length and digest.
            try (ResultSet rs = st.executeQuery(
                    "SELECT v, length(v), md5(v) FROM (SELECT repeat('ffsock!!', 1024 * 1024) AS v) t")) {
                assertTrue(rs.next());
                String v = rs.getString(1);
                assertEquals(8 * 1024 * 1024, v.length());
                assertEquals(rs.getInt(2), v.length());
                assertEquals(rs.getString(3), md5Hex(v));
            }
        }
    }

    @Test
    void copyInAndOutThroughCopyManager() throws Exception {
        try (Connection c = connect(PostgresCluster.ROLE); Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE t (id int, name text)");
            StringBuilder in = new StringBuilder();
            for (int i = 0; i < 50_000; i++) in.append(i).append('\t').append("row-").append(i).append('\n');
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            assertEquals(50_000, copy.copyIn("COPY t FROM STDIN", new StringReader(in.toString())));
            try (ResultSet rs = st.executeQuery("SELECT count(*), sum(id), max(name) FROM t")) {
                assertTrue(rs.next());
                assertEquals(50_000, rs.getLong(1));
                assertEquals(49_999L * 50_000 / 2, rs.getLong(2));
                assertEquals("row-9999", rs.getString(3));
            }
            StringWriter out = new StringWriter();
            assertEquals(50_000, copy.copyOut("COPY (SELECT * FROM t ORDER BY id) TO STDOUT", out));
            assertEquals(in.toString(), out.toString());
        }
    }

    @Test
    void networkTimeoutEndsALongQueryWithSocketTimeoutException() throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (Connection c = connect(PostgresCluster.ROLE); Statement st = c.createStatement()) {
            c.setNetworkTimeout(ex, 500);
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> st.execute("SELECT pg_sleep(30)"));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertNotNull(cause(e, SocketTimeoutException.class), e.toString());
            // Not a timing test: only that the read timeout ended the wait, not the 30 s sleep.
            assertTrue(ms < 20_000, ms + " ms");
            // pgjdbc closes a connection after an I/O error; a new one works at once.
            assertTrue(c.isClosed());
        } finally {
            ex.shutdownNow();
        }
        try (Connection c = connect(PostgresCluster.ROLE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
        }
    }

    @Test
    void fiftyConnectionsInParallelFromVirtualThreads() throws Exception {
        int n = 50;
        CountDownLatch allOpen = new CountDownLatch(n);
        CountDownLatch counted = new CountDownLatch(1);
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                results.add(vt.submit(() -> {
                    try (Connection c = connect(PostgresCluster.ROLE); Statement st = c.createStatement()) {
                        int pid = 0;
                        for (int q = 0; q < 20; q++) {
                            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), " + k + " + " + q)) {
                                rs.next();
                                pid = rs.getInt(1);
                                assertEquals(k + q, rs.getInt(2));
                            }
                        }
                        allOpen.countDown();
                        // Hold the connection until the server has been asked how many are open.
                        assertTrue(counted.await(60, TimeUnit.SECONDS));
                        return pid;
                    }
                }));
            }
            assertTrue(allOpen.await(120, TimeUnit.SECONDS), "not all 50 connections opened and queried");
            // The server's own count, asked from outside (psql as the superuser), while all 50 are open.
            String sessions = pg.psql("SELECT count(*) FROM pg_stat_activity WHERE usename = '"
                    + PostgresCluster.ROLE + "' AND backend_type = 'client backend'"
                    // the timeout test's backend may still be in its pg_sleep, its client gone
                    + " AND query NOT LIKE '%pg_sleep(30)%'").trim();
            counted.countDown();
            Set<Integer> pids = new HashSet<>();
            for (Future<Integer> f : results) pids.add(f.get(60, TimeUnit.SECONDS));
            assertEquals(n, pids.size(), "50 distinct server backends");
            assertEquals(Integer.toString(n), sessions, "sessions of " + PostgresCluster.ROLE + " open at once");
        }
    }

    @Test
    void aWrongSocketPathFailsAtOnceNamingThePath() {
        String missing = pg.directory().resolve("no-such.sock").toString();
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url(missing),
                PostgresCluster.ROLE, null).close());
        Throwable cause = cause(e, ConnectException.class);
        assertNotNull(cause, e.toString());
        assertTrue(cause.getMessage().contains(missing), cause.getMessage());
        assertTrue(cause.getMessage().contains("ENOENT"), cause.getMessage());
    }

    /** The first throwable of the type in the cause chain of t, or null. */
    static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    private static String md5Hex(String s) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d);
    }
}
