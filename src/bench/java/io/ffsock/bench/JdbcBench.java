package io.ffsock.bench;

import io.ffsock.testing.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The JDBC workload (run it with {@code bench/run jdbc}): the PostgreSQL JDBC driver, unchanged,
 * against a real PostgreSQL this driver starts in a temp directory ({@link PostgresCluster}:
 * {@code initdb} and {@code pg_ctl} as nobody, a unix socket in that directory and 127.0.0.1 on a
 * free port, {@code trust} on both) and always stops. Three ways to the server: ffsock's
 * {@code UnixSocketFactory}, junixsocket's {@code AFUNIXSocketFactory$FactoryArg} (both named in
 * the JDBC URL with socketFactoryArg = the socket's path) and pgjdbc's own TCP socket to
 * loopback. Two workloads: prepared {@code SELECT 1} round trips on one connection, and
 * connection open+close. Each cell is a child JVM ({@link JdbcBenchChild}); the order of the
 * three rotates every round; the table gives medians over rounds and the medians of the
 * per-round ratios ffsock / TCP and ffsock / junixsocket. Needs root (the server runs as nobody).
 *
 * <p>Options: {@code quick} (2 rounds, 1 + 1.5 s), {@code --rounds=N} (default 5),
 * {@code --warm=SECONDS} (2), {@code --measure=SECONDS} (3), {@code --only=select} or {@code connect},
 * {@code --java=PATH} (set by bench/run).
 */
public final class JdbcBench {
    static final List<String> IMPLS = List.of("ffsock", "tcp", "junixsocket");
    static final List<String> WORKLOADS = List.of("select", "connect");

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Integer rounds = null;
        Double warm = null;
        Double measure = null;
        List<String> only = WORKLOADS;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String a : args) {
            if (a.equals("quick")) quick = true;
            else if (a.startsWith("--rounds=")) rounds = Integer.parseInt(a.substring(9));
            else if (a.startsWith("--warm=")) warm = Double.parseDouble(a.substring(7));
            else if (a.startsWith("--measure=")) measure = Double.parseDouble(a.substring(10));
            else if (a.startsWith("--only=")) only = List.of(a.substring(7).split(","));
            else if (a.startsWith("--java=")) java = a.substring(7);
            else if (!a.equals("jdbc")) {
                throw new IllegalArgumentException("JdbcBench: unknown option " + a
                        + " (quick, --rounds=N, --warm=S, --measure=S, --only=select,connect)");
            }
        }
        if (!WORKLOADS.containsAll(only)) throw new IllegalArgumentException("JdbcBench: --only takes select and/or connect");
        new JdbcBench(java, rounds != null ? rounds : quick ? 2 : 5, warm != null ? warm : quick ? 1 : 2,
                measure != null ? measure : quick ? 1.5 : 3, only).run();
    }

    private final String java;
    private final int rounds;
    private final double warm;
    private final double measure;
    private final List<String> workloads;
    /** workload|impl -> the figure of each round (null where the cell failed). */
    private final Map<String, List<Double>> rates = new LinkedHashMap<>();
    private final Map<String, List<Double>> cpu = new LinkedHashMap<>();
    private final Map<String, List<Double>> alloc = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    /** The cell's child JVM while it runs, for the shutdown hook. */
    private volatile Bench.Child running;

    private JdbcBench(String java, int rounds, double warm, double measure, List<String> workloads) {
        this.java = java;
        this.workloads = workloads;
        this.rounds = rounds;
        this.warm = warm;
        this.measure = measure;
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        ServerGuard server = new ServerGuard(PostgresCluster.startForBenchmark());
        // Ctrl-C or a kill ends the JVM without the finally below: the hook ends the running cell
        // and stops the server then.
        Thread hook = new Thread(() -> {
            Bench.Child c = running;
            if (c != null) c.process.destroyForcibly();
            server.close();
        }, "stop PostgreSQL");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            PostgresCluster pg = server.cluster;
            System.out.printf(Locale.ROOT, "JdbcBench: %d rounds, %.1f s warm + %.1f s measured per cell; PostgreSQL at %s and 127.0.0.1:%d%n",
                    rounds, warm, measure, pg.socketPath(), pg.port());
            for (int r = 0; r < rounds; r++) {
                for (String w : workloads) {
                    for (int i = 0; i < IMPLS.size(); i++) {
                        String impl = IMPLS.get((i + r) % IMPLS.size());
                        String target = impl.equals("tcp") ? Integer.toString(pg.port()) : pg.socketPath().toString();
                        cell(r, w, impl, target);
                    }
                }
            }
        } finally {
            server.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        report(loadBefore, (System.nanoTime() - start) / 1e9);
    }

    /** Runs one child JVM and records its figures at round {@code r}. */
    private void cell(int r, String workload, String impl, String target) throws Exception {
        String key = workload + "|" + impl;
        String label = workload + " " + impl;
        if (failures.containsKey(key)) return;
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(Bench.JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JdbcBenchChild.class.getName(),
                impl, workload, target, String.format(Locale.ROOT, "%.3f", warm), String.format(Locale.ROOT, "%.3f", measure)));
        Bench.Child p = Bench.Child.start(cmd, label);
        running = p;
        try {
            p.await(warm + measure + 60);
            Double rate = p.result(0);
            if (rate == null) {
                failures.put(key, p.describe());
                System.out.printf("  round %d %-22s FAILED: %s%n", r + 1, label, p.describe());
                return;
            }
            put(rates, key, r, rate);
            Double cpuNanos = p.result(1);
            Double bytes = p.result(2);
            put(cpu, key, r, cpuNanos);
            put(alloc, key, r, bytes);
            System.out.printf(Locale.ROOT, "  round %d %-22s %10.0f /s  (client: cpu %s us/op, %s B/op)%n", r + 1, label, rate,
                    fmt(cpuNanos == null ? null : cpuNanos / 1000, "%.1f"), fmt(bytes, "%.0f"));
        } finally {
            p.kill();
            running = null;
        }
    }

    private static void put(Map<String, List<Double>> to, String key, int round, Double v) {
        List<Double> l = to.computeIfAbsent(key, k -> new ArrayList<>());
        while (l.size() < round) l.add(null);
        l.add(v);
    }

    private static Double median(List<Double> xs) {
        if (xs == null) return null;
        return Bench.median(xs.stream().filter(Objects::nonNull).mapToDouble(d -> d).toArray());
    }

    /** The median over rounds of a's figure divided by b's in the same round (cells seconds apart). */
    private Double ratio(String a, String b) {
        List<Double> x = rates.get(a);
        List<Double> y = rates.get(b);
        if (x == null || y == null) return null;
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            if (x.get(i) != null && y.get(i) != null) r.add(x.get(i) / y.get(i));
        }
        return median(r);
    }

    private static String fmt(Double d, String format) {
        return d == null ? "" : String.format(Locale.ROOT, format, d);
    }

    private void report(String loadBefore, double seconds) throws Exception {
        StringBuilder t = new StringBuilder();
        t.append(String.format("%n## ffsock JDBC benchmark (%d rounds: figures are medians of rounds, ratios medians of the"
                + " ratios within each round)%n%n", rounds));
        t.append("| workload | pgjdbc over | median | unit | ffsock / this | min..max | client CPU us/op | client B/op |\n");
        t.append("|---|---|---:|---|---:|---|---:|---:|\n");
        for (String w : workloads) {
            String title = w.equals("select") ? "prepared SELECT 1, one connection" : "connection open+close";
            String unit = w.equals("select") ? "queries/s" : "connections/s";
            for (String impl : IMPLS) {
                String key = w + "|" + impl;
                List<Double> all = rates.getOrDefault(key, List.of()).stream().filter(Objects::nonNull).toList();
                Double m = median(rates.get(key));
                String range = all.isEmpty() ? "" : Bench.human(all.stream().mapToDouble(d -> d).min().orElse(0))
                        + ".." + Bench.human(all.stream().mapToDouble(d -> d).max().orElse(0));
                Double c = median(cpu.get(key));
                t.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s |%n", title, name(impl), m == null ? "failed" : Bench.human(m),
                        unit, fmt(ratio(w + "|ffsock", key), "%.2f"), range, fmt(c == null ? null : c / 1000, "%.1f"),
                        fmt(median(alloc.get(key)), "%.0f")));
            }
        }
        t.append(String.format("%nffsock = socketFactory=io.ffsock.net.UnixSocketFactory; junixsocket = socketFactory="
                + "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg (2.10.1); both socketFactoryArg=<the server's socket>."
                + "%nTCP = pgjdbc's own socket to 127.0.0.1. sslmode=disable and gssEncMode=disable on every path; the server"
                + "%ntrusts both the unix socket and loopback TCP. Every cell is a child JVM (%s);"
                + "%nclient CPU and B/op: that JVM's measuring thread, CPU time and bytes allocated per operation (the server is not in it).%n",
                String.join(" ", Bench.JVM_FLAGS)));
        t.append("\nTargets (issue 15):\n");
        check(t, "select", "tcp", 1.2);
        check(t, "select", "junixsocket", 1.0);
        if (workloads.contains("connect")) { // no target in the issue: for the record
            t.append(String.format(Locale.ROOT, "  info connect ffsock / TCP %s, ffsock / junixsocket %s%n",
                    fmt(ratio("connect|ffsock", "connect|tcp"), "%.3f"), fmt(ratio("connect|ffsock", "connect|junixsocket"), "%.3f")));
        }
        t.append(String.format("%ncores: %d; load average before/after: %s / %s; took %.0f s (the machine may be shared:"
                + " compare ratios, not rates)%n", Runtime.getRuntime().availableProcessors(), loadBefore,
                Files.readString(Path.of("/proc/loadavg")).trim(), seconds));
        if (!failures.isEmpty()) {
            t.append("\nFailed cells:\n");
            failures.forEach((k, v) -> t.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        System.out.print(t);
        Path out = Path.of("target", "bench-jdbc.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, t.toString());
        System.out.println("(written to " + out + ")");
    }

    private static String name(String impl) {
        return switch (impl) {
            case "ffsock" -> "ffsock UnixSocketFactory";
            case "junixsocket" -> "junixsocket AFUNIXSocketFactory$FactoryArg";
            default -> "TCP loopback";
        };
    }

    private void check(StringBuilder t, String workload, String other, double want) {
        Double r = ratio(workload + "|ffsock", workload + "|" + other);
        if (r == null) return;
        t.append(String.format(Locale.ROOT, "  %-4s %s ffsock / %s %.3f (target >= %.2f)%n", r >= want ? "ok" : "MISS",
                workload, other.equals("tcp") ? "TCP" : other, r, want));
    }

    /** Stops the server once, from the finally or from the shutdown hook, whichever comes first. */
    private static final class ServerGuard {
        final PostgresCluster cluster;
        private boolean closed;

        ServerGuard(PostgresCluster cluster) {
            this.cluster = cluster;
        }

        synchronized void close() {
            if (closed) return;
            closed = true;
            try {
                cluster.close();
            } catch (Exception e) {
                System.err.println("JdbcBench: stopping PostgreSQL in " + cluster.directory() + " failed: " + e);
            }
        }
    }
}
