package io.ffsock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The D-Bus workload (run it with {@code bench/run dbus}): dbus-java method-call round trips per
 * second, through a dbus-daemon this driver starts and peer to peer, for three dbus-java unix
 * transports: ffsock's, dbus-java-transport-junixsocket and dbus-java-transport-jnr-unixsocket,
 * all on one dbus-java version. dbus-java refuses two transports for one bus type, so each cell is
 * a child JVM ({@link DbusBenchChild}) whose class path holds one of them; the order of the
 * transports rotates every round, and the table gives medians over rounds and the median of the
 * per-round ratios to ffsock.
 *
 * <p>Options: {@code --rounds=N} (default 5), {@code --warm=SECONDS} (2), {@code --measure=SECONDS}
 * (3), {@code --java=PATH} (set by bench/run).
 */
public final class DbusBench {
    static final List<String> TRANSPORTS = List.of("ffsock", "junixsocket", "jnr-unixsocket");
    static final List<String> MODES = List.of("bus", "p2p");

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        double warm = 2;
        double measure = 3;
        String java = ProcessHandle.current().info().command().orElse("java");
        for (String a : args) {
            if (a.startsWith("--rounds=")) rounds = Integer.parseInt(a.substring(9));
            else if (a.startsWith("--warm=")) warm = Double.parseDouble(a.substring(7));
            else if (a.startsWith("--measure=")) measure = Double.parseDouble(a.substring(10));
            else if (a.startsWith("--java=")) java = a.substring(7);
            else if (!a.equals("dbus")) throw new IllegalArgumentException("DbusBench: unknown option " + a);
        }
        List<String> all = new ArrayList<>(List.of("target/test-classes"));
        all.addAll(Arrays.asList(Files.readString(Path.of("target/bench.classpath")).trim().split(":")));
        Path dir = Files.createTempDirectory("ffsock-dbusbench-");
        io.ffsock.dbus.DbusDaemon daemon = new io.ffsock.dbus.DbusDaemon();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        try {
            String busAddress = daemon.address;
            System.out.printf("DbusBench: %d rounds, %.0f s warm + %.0f s measured per cell; dbus-daemon at %s%n",
                    rounds, warm, measure, busAddress);
            for (int r = 0; r < rounds; r++) {
                for (String mode : MODES) {
                    Map<String, Double> round = new LinkedHashMap<>();
                    for (int i = 0; i < TRANSPORTS.size(); i++) {
                        String t = TRANSPORTS.get((i + r) % TRANSPORTS.size());
                        String address = mode.equals("bus") ? busAddress
                                : "unix:path=" + dir.resolve("p2p-" + t + "-" + r);
                        double rate = cell(java, classPath(all, t), mode, address, warm, measure);
                        round.put(t, rate);
                        rates.computeIfAbsent(mode + "|" + t, k -> new ArrayList<>()).add(rate);
                        System.out.printf(Locale.ROOT, "  round %d %-4s %-15s %10.0f calls/s%n", r + 1, mode, t, rate);
                    }
                    for (String t : TRANSPORTS) {
                        ratios.computeIfAbsent(mode + "|" + t, k -> new ArrayList<>()).add(round.get("ffsock") / round.get(t));
                    }
                }
            }
        } finally {
            daemon.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        StringBuilder t = new StringBuilder();
        t.append("| mode | transport | calls/s (median) | ffsock / this (median of per-round ratios) |\n");
        t.append("|---|---|---:|---:|\n");
        for (String mode : MODES) {
            for (String tr : TRANSPORTS) {
                t.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f |%n", mode.equals("bus") ? "through dbus-daemon" : "peer to peer",
                        tr, median(rates.get(mode + "|" + tr)), median(ratios.get(mode + "|" + tr))));
            }
        }
        t.append(String.format("%ncores: %d; load average at the end: %s (the machine may be shared: compare ratios, not rates)%n",
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim()));
        System.out.println();
        System.out.print(t);
        Files.writeString(Path.of("target/bench-dbus.md"), t);
    }

    /** The bench class path with exactly one dbus-java unix transport (ffsock's is target/classes). */
    static String classPath(List<String> all, String transport) {
        List<String> cp = new ArrayList<>();
        if (transport.equals("ffsock")) cp.add("target/classes");
        for (String e : all) {
            boolean junix = e.contains("dbus-java-transport-junixsocket");
            boolean jnr = e.contains("dbus-java-transport-jnr-unixsocket");
            if (junix && !transport.equals("junixsocket")) continue;
            if (jnr && !transport.equals("jnr-unixsocket")) continue;
            cp.add(e);
        }
        return cp.stream().collect(Collectors.joining(":"));
    }

    static double cell(String java, String cp, String mode, String address, double warm, double measure)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, DbusBenchChild.class.getName(),
                mode, address, String.valueOf(warm), String.valueOf(measure)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("DbusBench cell " + mode + " failed: " + out);
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("rate ")) return Double.parseDouble(line.substring(5).trim());
        }
        throw new IOException("DbusBench cell " + mode + " printed no rate: " + out);
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
