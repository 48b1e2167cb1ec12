package io.ffsock.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ICMP sweep workload ({@code bench/run sweep}): a /22 (1,022 targets, half of them
 * answering) swept at the same rate, retries, timeout and backoff by Debian's fping (C) and by
 * ffsock's {@link io.ffsock.icmp.Pinger}; wall time and CPU seconds per echo request, side by side.
 *
 * <p><b>Topology</b>, made here and removed at the end (root needed): a near namespace that runs
 * the sweepers, a veth pair to a far namespace, 10.78.0.0/22 routed to the far one. There
 * 10.78.0.0/23 is a local route (the kernel answers every address in it, as if 512 addresses were
 * assigned) and 10.78.2.0/23 a blackhole (silence: those targets time out and are retried).
 *
 * <p><b>Runs</b>, interleaved in every round with the order rotating: fping ({@code -a -s -i I -r R
 * -t T -B B -f FILE}) under {@code cputime} (wait4's rusage of the whole process); a JVM running
 * one Pinger sweep ({@link SweepChild}) under {@code cputime}, the whole process as a command line
 * would pay it, JVM start-up and JIT included; and a JVM running three sweeps, of which the
 * first (cold) and the third (warm: the code compiled, as in a monitoring daemon that sweeps every
 * minute) are timed inside the process from opening the pinger to the last result.
 *
 * <p>Options: {@code --rounds=N} (5), {@code --interval-ms=I} (1), {@code --retries=R} (1),
 * {@code --timeout-ms=T} (500), {@code --backoff=B} (1.5), {@code --java=PATH}, {@code --native=DIR}
 * (set by bench/run). Writes {@code target/bench-sweep.md}.
 */
public final class SweepBench {
    private static final Pattern CPUTIME = Pattern.compile("CPUTIME (\\d+) (\\d+) (\\d+) (\\d+)");
    private static final Pattern FPING_SENT = Pattern.compile("(\\d+) ICMP Echos sent");
    private static final Pattern SWEEP = Pattern.compile("SWEEP (\\d+) (\\d+) (\\d+) (\\d+) (\\d+)");
    static final List<String> RUNS = List.of("fping (C), whole process", "Pinger, whole JVM process (1 sweep)",
            "Pinger, in-process, cold (1st sweep)", "Pinger, in-process, warm (3rd sweep)");

    /** One measurement: wall and CPU seconds, echo requests sent, targets alive. */
    record Cell(double wall, double cpu, long sent, long alive) {
        double cpuPerProbeMicros() {
            return cpu * 1e6 / sent;
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        int intervalMs = 1;
        int retries = 1;
        int timeoutMs = 500;
        String backoff = "1.5";
        String java = ProcessHandle.current().info().command().orElse("java");
        String nativeDir = "target/bench-native";
        for (String a : args) {
            if (a.startsWith("--rounds=")) rounds = Integer.parseInt(a.substring(9));
            else if (a.startsWith("--interval-ms=")) intervalMs = Integer.parseInt(a.substring(14));
            else if (a.startsWith("--retries=")) retries = Integer.parseInt(a.substring(10));
            else if (a.startsWith("--timeout-ms=")) timeoutMs = Integer.parseInt(a.substring(13));
            else if (a.startsWith("--backoff=")) backoff = a.substring(10);
            else if (a.startsWith("--java=")) java = a.substring(7);
            else if (a.startsWith("--native=")) nativeDir = a.substring(9);
            else if (!a.equals("sweep")) throw new IllegalArgumentException("SweepBench: unknown option " + a);
        }
        String cputime = Path.of(nativeDir, "cputime").toAbsolutePath().toString();
        long pid = ProcessHandle.current().pid();
        String near = "ffsw-n-" + pid;
        String far = "ffsw-f-" + pid;
        String vethNear = "swn" + pid % 10_000_000;
        String vethFar = "swf" + pid % 10_000_000;
        Path targets = Files.createTempFile("ffsock-sweep-", ".txt");
        StringBuilder list = new StringBuilder();
        for (int i = 1; i < 1023; i++) list.append("10.78.").append(i >> 8).append('.').append(i & 0xff).append('\n');
        Files.writeString(targets, list);
        String cp = "target/classes:target/test-classes";
        Map<String, List<Cell>> cells = new LinkedHashMap<>();
        Map<String, List<double[]>> ratios = new LinkedHashMap<>(); // [wall ratio, CPU/probe ratio] per round
        for (String r : RUNS) {
            cells.put(r, new ArrayList<>());
            ratios.put(r, new ArrayList<>());
        }
        try {
            sh("ip", "netns", "add", near);
            sh("ip", "netns", "add", far);
            sh("ip", "link", "add", vethNear, "type", "veth", "peer", "name", vethFar);
            sh("ip", "link", "set", vethNear, "netns", near);
            sh("ip", "link", "set", vethFar, "netns", far);
            sh("ip", "-n", near, "addr", "add", "192.168.78.1/30", "dev", vethNear);
            sh("ip", "-n", far, "addr", "add", "192.168.78.2/30", "dev", vethFar);
            for (String ns : List.of(near, far)) sh("ip", "-n", ns, "link", "set", "lo", "up");
            sh("ip", "-n", near, "link", "set", vethNear, "up");
            sh("ip", "-n", far, "link", "set", vethFar, "up");
            sh("ip", "-n", near, "route", "add", "10.78.0.0/22", "via", "192.168.78.2");
            sh("ip", "-n", far, "route", "add", "local", "10.78.0.0/23", "dev", "lo");
            sh("ip", "-n", far, "route", "add", "blackhole", "10.78.2.0/23");
            System.out.printf(Locale.ROOT, "SweepBench: 1,022 targets (10.78.0.0/22, 511 answer), -i %d ms, -r %d, -t %d ms, -B %s; %d rounds%n",
                    intervalMs, retries, timeoutMs, backoff, rounds);
            List<String> fping = List.of(cputime, "ip", "netns", "exec", near, "fping", "-a", "-s", "-i", String.valueOf(intervalMs),
                    "-r", String.valueOf(retries), "-t", String.valueOf(timeoutMs), "-B", backoff, "-f", targets.toString());
            List<String> child = List.of(cputime, "ip", "netns", "exec", near, java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", cp, SweepChild.class.getName(), targets.toString(), String.valueOf(intervalMs * 1000L),
                    String.valueOf(retries), String.valueOf(timeoutMs), backoff);
            for (int round = 0; round < rounds; round++) {
                Map<String, Cell> got = new LinkedHashMap<>();
                for (int k = 0; k < 3; k++) {
                    switch ((k + round) % 3) {
                        case 0 -> got.put(RUNS.get(0), runFping(fping));
                        case 1 -> {
                            Run r = run(concat(child, "1"));
                            Matcher m = expect(SWEEP, r.out, r);
                            got.put(RUNS.get(1), new Cell(r.wall, r.cpu, Long.parseLong(m.group(5)), Long.parseLong(m.group(4))));
                            got.put(RUNS.get(2), sweepCell(m));
                        }
                        default -> {
                            Run r = run(concat(child, "3"));
                            Matcher m = SWEEP.matcher(r.out);
                            Cell last = null;
                            while (m.find()) last = sweepCell(m);
                            if (last == null) throw new IOException("no SWEEP line: " + r);
                            got.put(RUNS.get(3), last);
                        }
                    }
                }
                Cell base = got.get(RUNS.get(0));
                for (String name : RUNS) {
                    Cell c = got.get(name);
                    cells.get(name).add(c);
                    ratios.get(name).add(new double[] {c.wall / base.wall, c.cpuPerProbeMicros() / base.cpuPerProbeMicros()});
                    System.out.printf(Locale.ROOT, "  round %d  %-38s wall %6.3f s  CPU %6.3f s  %5d probes  %7.1f us/probe  alive %d%n",
                            round + 1, name, c.wall, c.cpu, c.sent, c.cpuPerProbeMicros(), c.alive);
                }
            }
        } finally {
            for (String ns : List.of(near, far)) {
                try {
                    sh("ip", "netns", "del", ns);
                } catch (IOException e) {
                    System.err.println("SweepBench: " + e.getMessage());
                }
            }
            Files.deleteIfExists(targets);
        }
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "Sweep of 10.78.0.0/22 (1,022 targets, 511 answering): -i %d ms, -r %d, -t %d ms, -B %s;"
                + " median of %d rounds, ratios the median of per-round ratios to fping%n%n", intervalMs, retries, timeoutMs, backoff, rounds));
        t.append("| run | wall s | CPU s | echo requests | CPU us/request | alive | wall / fping | CPU per request / fping |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String name : RUNS) {
            List<Cell> cs = cells.get(name);
            t.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.0f | %.1f | %.0f | %.2f | %.2f |%n", name,
                    median(cs.stream().mapToDouble(Cell::wall).toArray()), median(cs.stream().mapToDouble(Cell::cpu).toArray()),
                    median(cs.stream().mapToDouble(c -> c.sent).toArray()), median(cs.stream().mapToDouble(Cell::cpuPerProbeMicros).toArray()),
                    median(cs.stream().mapToDouble(c -> c.alive).toArray()),
                    median(ratios.get(name).stream().mapToDouble(r -> r[0]).toArray()),
                    median(ratios.get(name).stream().mapToDouble(r -> r[1]).toArray())));
        }
        System.out.println();
        System.out.print(t);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/bench-sweep.md"), t);
        System.out.println("\n(written to target/bench-sweep.md)");
    }

    private static Cell sweepCell(Matcher m) {
        return new Cell(Long.parseLong(m.group(2)) / 1e9, Long.parseLong(m.group(3)) / 1e9, Long.parseLong(m.group(5)), Long.parseLong(m.group(4)));
    }

    private static Cell runFping(List<String> command) throws Exception {
        Run r = run(command);
        // fping exits 1 when some targets are unreachable, as half of them are here.
        if (r.exit != 1 && r.exit != 0) throw new IOException("fping failed: " + r);
        Matcher sent = expect(FPING_SENT, r.err, r);
        long alive = r.out.lines().filter(l -> !l.isBlank()).count();
        return new Cell(r.wall, r.cpu, Long.parseLong(sent.group(1)), alive);
    }

    record Run(int exit, String out, String err, double wall, double cpu) {}

    private static Run run(List<String> command) throws Exception {
        Path out = Files.createTempFile("ffsock-sweep", ".out");
        Path err = Files.createTempFile("ffsock-sweep", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            String o = Files.readString(out);
            String e = Files.readString(err);
            Matcher m = CPUTIME.matcher(e);
            if (!m.find()) throw new IOException("no CPUTIME line from " + command + ": " + e);
            return new Run(Integer.parseInt(m.group(4)), o, e, Long.parseLong(m.group(1)) / 1e9,
                    (Long.parseLong(m.group(2)) + Long.parseLong(m.group(3))) / 1e9);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Matcher expect(Pattern p, String text, Run r) throws IOException {
        Matcher m = p.matcher(text);
        if (!m.find()) throw new IOException("expected " + p + " in the output of " + r);
        return m;
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }

    private static void sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + ": " + out.strip());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
