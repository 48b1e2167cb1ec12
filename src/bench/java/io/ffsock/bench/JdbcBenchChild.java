package io.ffsock.bench;

import io.ffsock.testing.PostgresCluster;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One cell of {@link JdbcBench}, in a JVM of its own: {@code JdbcBenchChild IMPL WORKLOAD TARGET
 * WARM MEASURE}. IMPL is how pgjdbc reaches the server: {@code ffsock} (socketFactory
 * {@code io.ffsock.net.UnixSocketFactory}), {@code junixsocket} (socketFactory
 * {@code org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg}), both with socketFactoryArg =
 * TARGET, the server's socket path; or {@code tcp}, pgjdbc's own socket to 127.0.0.1:TARGET.
 * WORKLOAD is {@code select} (one connection, a prepared {@code SELECT 1} executed and its row
 * read, back to back) or {@code connect} (a connection opened and closed, back to back). Prints
 * {@code RESULT <per second> <CPU ns per operation> <bytes allocated per operation>} (of the measuring thread).
 */
public final class JdbcBenchChild {
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: JdbcBenchChild ffsock|junixsocket|tcp select|connect PATH-OR-PORT WARM MEASURE");
            System.exit(2);
        }
        String url = url(args[0], args[2]);
        double warm = Double.parseDouble(args[3]);
        double measure = Double.parseDouble(args[4]);
        org.postgresql.Driver driver = new org.postgresql.Driver();
        Properties props = new Properties();
        props.setProperty("user", PostgresCluster.ROLE);
        // Nothing but the transport differs: no SSL or GSS negotiation round trip on any path.
        props.setProperty("sslmode", "disable");
        props.setProperty("gssEncMode", "disable");
        Peer.Rate r = switch (args[1]) {
            case "select" -> select(driver, url, props, warm, measure);
            case "connect" -> connect(driver, url, props, warm, measure);
            default -> throw new IllegalArgumentException("unknown workload " + args[1]);
        };
        System.out.printf(java.util.Locale.ROOT, "RESULT %.1f %.1f %.1f%n", r.perSecond(), r.cpuNanosPerOp(), r.bytesPerOp());
        System.exit(0); // junixsocket may leave non-daemon threads behind
    }

    static String url(String impl, String target) {
        String db = "/" + PostgresCluster.DATABASE;
        return switch (impl) {
            case "ffsock" -> "jdbc:postgresql://localhost" + db
                    + "?socketFactory=io.ffsock.net.UnixSocketFactory&socketFactoryArg=" + target;
            case "junixsocket" -> "jdbc:postgresql://localhost" + db
                    + "?socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg&socketFactoryArg=" + target;
            case "tcp" -> "jdbc:postgresql://127.0.0.1:" + target + db;
            default -> throw new IllegalArgumentException("unknown implementation " + impl);
        };
    }

    private static Connection open(org.postgresql.Driver driver, String url, Properties props) throws IOException {
        try {
            Connection c = driver.connect(url, props);
            if (c == null) throw new IOException("pgjdbc does not accept the URL " + url);
            return c;
        } catch (SQLException e) {
            throw new IOException("connect " + url + ": " + e.getMessage(), e);
        }
    }

    /** Prepared SELECT 1 round trips on one connection, 64 a step. */
    static Peer.Rate select(org.postgresql.Driver driver, String url, Properties props, double warm, double measure)
            throws Exception {
        try (Connection c = open(driver, url, props); PreparedStatement ps = c.prepareStatement("SELECT 1")) {
            return Peer.timed(warm, measure, () -> {
                try {
                    for (int i = 0; i < 64; i++) {
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next() || rs.getInt(1) != 1) throw new IOException("SELECT 1 did not return 1");
                        }
                    }
                } catch (SQLException e) {
                    throw new IOException("SELECT 1: " + e.getMessage(), e);
                }
                return 64;
            });
        }
    }

    /** Connections opened (startup, authentication, the driver's set-up) and closed, 4 a step. */
    static Peer.Rate connect(org.postgresql.Driver driver, String url, Properties props, double warm, double measure)
            throws IOException {
        return Peer.timed(warm, measure, () -> {
            for (int i = 0; i < 4; i++) {
                try (Connection c = open(driver, url, props)) {
                    if (c.isClosed()) throw new IOException("a fresh connection is closed");
                } catch (SQLException e) {
                    throw new IOException("close: " + e.getMessage(), e);
                }
            }
            return 4;
        });
    }
}
