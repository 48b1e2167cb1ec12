package io.ffsock.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * ffsock's benchmark driver (run it with {@code bench/run [quick|full]}): runs every workload for
 * every implementation that can do it, each end in its own process (C, or a JVM running
 * {@link Peer}), interleaved (the implementation order rotates every round) and repeated, and
 * prints one table of medians with ratios to C and to the JDK, the targets, and the machine.
 *
 * <p>Options: {@code quick} or {@code full} (default full); {@code --rounds=N},
 * {@code --warm=SECONDS}, {@code --measure=SECONDS}, {@code --only=W1,W4b} (workload ids),
 * {@code --impls=c,ffsock} to narrow a run while debugging (naming {@code ffm-bare} adds that
 * floor, plain FFM downcalls, to W1, W2, W4 and W5). {@code --java=PATH} and
 * {@code --native=DIR} are set by bench/run.
 */
public final class Bench {
    /** A workload: id, what it is, the C/Java mode, its unit, which pinnings, which implementations. */
    record Workload(String id, String title, String mode, String unit, List<String> pins, List<String> impls) {}

    record Cell(Workload w, String pin, String impl) {
        String key() {
            return w.id + "|" + pin + "|" + impl;
        }
    }

    static final String PINNED = "pinned";
    static final String UNPINNED = "unpinned";
    /**
     * The receiving (server) process on CPU 0, the sending (client) process on CPU 1. W3 runs so:
     * unpinned, its 0.2 s of measured copying was bimodal here (the C pair too: 3 or 6 GiB/s,
     * as the scheduler placed the two processes), which made the median a coin toss.
     */
    static final String SPLIT = "split";
    static final String SINGLE = "-";

    /** W7-1k/W7-10k servers: C liburing (the limit), ffsock's Ring, virtual threads, Netty's two transports. */
    static final List<String> MANY_IMPLS = List.of("c-liburing", "ffsock-uring", "ffsock-loop-epoll", "ffsock-loop-uring", "ffsock", "jdk",
            "netty-epoll", "netty-uring");

    /** {@code bench/run uring}: the io_uring workloads and the rows they are compared with. */
    static final List<String> URING_WORKLOADS = List.of("W1", "W2", "W4", "W6", "W7-1k", "W7-10k");
    static final List<String> URING_IMPLS = List.of("c", "c-liburing", "ffsock", "ffsock-uring", "ffsock-loop-epoll", "ffsock-loop-uring",
            "jdk", "netty-epoll", "netty-uring");

    static final List<Workload> WORKLOADS = List.of(
            new Workload("W1", "ping-pong 64 B, AF_UNIX stream", "pp-stream", "round trips/s",
                    List.of(PINNED, UNPINNED), List.of("c", "c-mt", "ffsock", "ffsock-heap", "ffsock-uring", "c-liburing", "jdk", "junixsocket", "jnr")),
            new Workload("W2", "ping-pong 64 B, AF_UNIX seqpacket", "pp-seqpacket", "round trips/s",
                    List.of(PINNED, UNPINNED), List.of("c", "c-mt", "ffsock", "ffsock-heap", "ffsock-uring", "c-liburing")),
            new Workload("W3", "stream one way, 64 KiB writes", "stream", "GiB/s",
                    List.of(SPLIT), List.of("c", "ffsock", "ffsock-heap", "jdk", "junixsocket", "jnr",
                            "ffsock-stream", "jdk-stream", "jdk-heap")),
            new Workload("W4", "datagrams 64 B one way, send/recv", "dgram", "msgs/s",
                    List.of(UNPINNED), List.of("c", "ffsock", "ffsock-heap", "ffsock-uring", "c-liburing", "junixsocket", "jnr")),
            new Workload("W4b", "datagrams 64 B one way, sendmmsg/recvmmsg x32", "dgram-batch", "msgs/s",
                    List.of(UNPINNED), List.of("c", "ffsock")),
            new Workload("W5", "ICMP echo, raw IP_HDRINCL, loopback", "icmp", "round trips/s",
                    List.of(SINGLE), List.of("c", "ffsock")),
            // Virtual threads: Java only, no C row; ffsock with native segments against the JDK.
            new Workload("W7", "virtual-thread echo 64 B, 1,000 AF_UNIX stream connections", "vt-echo", "round trips/s",
                    List.of(UNPINNED), List.of("ffsock", "jdk")),
            // Many connections, one C load generator (bench_many client) for every server: only the
            // server differs. TCP loopback, which every peer does. See ManyServer.
            new Workload("W7-1k", "echo 64 B, 1,000 TCP loopback connections", "many-echo", "round trips/s",
                    List.of(SPLIT), MANY_IMPLS),
            new Workload("W7-10k", "echo 64 B, 10,000 TCP loopback connections", "many-echo", "round trips/s",
                    List.of(SPLIT), MANY_IMPLS));

    /**
     * "ffm-bare": the loops with one plain FFM downcall per call and nothing else (BareFfmTransport,
     * IcmpPing bare), the floor for any FFM library. Only when --impls names it: it answers how
     * much of a gap to C is ffsock's own, which the default table does not need to repeat.
     */
    static final String BARE = "ffm-bare";
    static final List<String> BARE_WORKLOADS = List.of("W1", "W2", "W4", "W5");

    static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xms64m", "-Xmx256m");

    private final String javaBin;
    private final Path nativeDir;
    private final String classpath;
    private final Path work;
    private final double warm;
    private final double measure;
    private final double streamMiB;
    /**
     * W7's warm-up and measured seconds: longer than the others (1,000 threads to get going, and
     * more code for the JIT: ffsock's client spends about a quarter of a 1 s warm-up compiling).
     */
    private final double vtWarm;
    private final double vtMeasure;
    private final Map<String, List<Double>> results = new LinkedHashMap<>();
    /** CPU nanoseconds of the measuring thread per operation (per MiB for W3; W7: the whole client process). */
    private final Map<String, List<Double>> cpu = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    /** W7-1k/W7-10k: the server's system calls, and io_uring_enter calls, per round trip (perf stat). */
    private final Map<String, List<Double>> syscalls = new LinkedHashMap<>();
    private final Map<String, List<Double>> enters = new LinkedHashMap<>();
    /** The round being run: each cell's figures are kept at their round's index (null: no figure). */
    private int round;

    Bench(String java, Path nativeDir, double warm, double measure, double streamMiB,
          double vtWarm, double vtMeasure) throws IOException {
        this.javaBin = java;
        this.nativeDir = nativeDir;
        this.classpath = System.getProperty("java.class.path");
        this.work = Files.createTempDirectory("ffsock-bench");
        this.warm = warm;
        this.measure = measure;
        this.streamMiB = streamMiB;
        this.vtWarm = vtWarm;
        this.vtMeasure = vtMeasure;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean uring = false;
        Integer rounds = null;
        Double warm = null;
        Double measure = null;
        List<String> only = null;
        List<String> impls = null;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path nativeDir = Path.of("target/bench-native");
        for (String a : args) {
            if (a.equals("quick")) quick = true;
            else if (a.equals("uring")) {
                uring = true;
                only = URING_WORKLOADS;
                impls = URING_IMPLS;
            }
            else if (a.equals("full")) quick = false;
            else if (a.startsWith("--rounds=")) rounds = Integer.parseInt(value(a));
            else if (a.startsWith("--warm=")) warm = Double.parseDouble(value(a));
            else if (a.startsWith("--measure=")) measure = Double.parseDouble(value(a));
            else if (a.startsWith("--only=")) only = Arrays.asList(value(a).split(","));
            else if (a.startsWith("--impls=")) impls = Arrays.asList(value(a).split(","));
            else if (a.startsWith("--java=")) java = value(a);
            else if (a.startsWith("--native=")) nativeDir = Path.of(value(a));
            else throw new IllegalArgumentException("unknown argument " + a + " (quick|full|uring, --rounds=N, --warm=S,"
                        + " --measure=S, --only=W1,W2,..., --impls=c,ffsock,...)");
        }
        // quick: about 2 minutes; full: about 20 (2 cores, 56 cells a round, two JVM starts a cell; W7-1k and W7-10k are half of it).
        // uring: 3 rounds, and longer ping-pong/datagram windows: a ring's path has more code for
        // the JIT than a plain call's, and with 0.6 s of warm-up the pinned ring ping-pong often
        // measured its own compilation (0.24-0.49 x C; 0.88 x C after 3 s).
        int r = rounds != null ? rounds : quick ? 2 : uring ? 3 : 5;
        Bench b = new Bench(java, nativeDir,
                warm != null ? warm : uring ? (quick ? 2.0 : 3.0) : quick ? 0.6 : 1.2,
                measure != null ? measure : uring ? (quick ? 1.0 : 2.0) : quick ? 0.5 : 1.5,
                quick ? 256 : 1024,
                warm != null ? warm : quick ? 1.5 : 2.0,
                measure != null ? measure : quick ? 2.0 : 3.0);
        b.run(r, only, impls, quick);
    }

    private static String value(String arg) {
        return arg.substring(arg.indexOf('=') + 1);
    }

    void run(int rounds, List<String> only, List<String> implFilter, boolean quick) throws Exception {
        long start = System.nanoTime();
        String loadBefore = loadAverage();
        List<List<Cell>> groups = new ArrayList<>();
        for (Workload w : WORKLOADS) {
            if (only != null && !only.contains(w.id)) continue;
            for (String pin : w.pins) {
                List<Cell> g = new ArrayList<>();
                List<String> impls = new ArrayList<>(w.impls);
                if (BARE_WORKLOADS.contains(w.id)) impls.add(BARE);
                for (String impl : impls) {
                    boolean asked = implFilter == null ? !impl.equals(BARE) : implFilter.contains(impl);
                    if (asked) g.add(new Cell(w, pin, impl));
                }
                if (!g.isEmpty()) groups.add(g);
            }
        }
        int cells = groups.stream().mapToInt(List::size).sum();
        System.out.printf("ffsock benchmark, %s mode: %d rounds x %d cells (warm-up %.1f s, measured %.1f s; stream"
                + " measured %.0f MiB; W7 %.1f+%.1f s)%n", quick ? "quick" : "full", rounds, cells, warm, measure, streamMiB, vtWarm, vtMeasure);
        for (int round = 0; round < rounds; round++) {
            this.round = round;
            System.out.printf("round %d/%d%n", round + 1, rounds);
            for (List<Cell> g : groups) {
                // Interleaved: each round starts the group at the next implementation.
                for (int i = 0; i < g.size(); i++) {
                    Cell c = g.get((i + round) % g.size());
                    if (failures.containsKey(c.key())) continue;
                    runCell(c);
                }
            }
        }
        Map<String, double[]> alloc = (only == null || only.contains("W6")) ? allocation() : Map.of();
        String loadAfter = loadAverage();
        report(groups, alloc, rounds, quick, loadBefore, loadAfter, (System.nanoTime() - start) / 1e9);
        deleteTree(work);
    }

    // ---- one measurement ---------------------------------------------------------------------

    private void runCell(Cell c) throws Exception {
        String mode = c.w.mode;
        if (mode.equals("many-echo")) {
            runMany(c);
            return;
        }
        // The server (and W5's one process) on CPU 0 when pinned or split; the client joins it
        // when pinned and takes CPU 1 when split.
        List<String> prefix = c.pin.equals(PINNED) || c.pin.equals(SPLIT) ? List.of("taskset", "-c", "0") : List.of();
        List<String> clientPrefix = c.pin.equals(SPLIT) ? List.of("taskset", "-c", "1") : prefix;
        boolean vt = mode.equals("vt-echo");
        String a = vt ? fmt(vtWarm) : fmt(warm);
        String b = mode.equals("stream") ? fmt(streamMiB) : vt ? fmt(vtMeasure) : fmt(measure);
        double limit = (vt ? vtWarm + vtMeasure : warm + measure) + 30 + (mode.equals("stream") ? streamMiB / 100 : 0);
        String label = c.w.id + " " + c.pin + " " + c.impl;
        Double value;
        Double cpuPerOp = null;
        String stalls = null; // W4 ring receivers: missed wake-ups they recovered from
        if (mode.equals("icmp")) {
            List<String> cmd = new ArrayList<>(prefix);
            if (c.impl.equals("c")) cmd.add(nativeDir.resolve("bench_icmp").toString());
            else cmd.addAll(javaCommand("io.ffsock.bench.IcmpPing"));
            cmd.add(a);
            cmd.add(b);
            if (c.impl.equals(BARE)) cmd.add("bare");
            Child p = Child.start(cmd, label);
            p.await(limit);
            value = p.result(0);
            cpuPerOp = p.result(1);
            if (value == null) fail(c, p.describe());
        } else {
            Path sock = work.resolve("s" + System.nanoTime() % 100000 + ".sock");
            Child server = Child.start(command(prefix, c.impl, mode, "server", sock, a, b), label + " server");
            Child client = null;
            try {
                if (!server.awaitReady(20)) {
                    fail(c, "server not ready: " + server.describe());
                    return;
                }
                client = Child.start(command(clientPrefix, c.impl, mode, "client", sock, a, b), label + " client");
                // The client measures ping-pongs (W7 too); the server (receiver) measures one-way traffic.
                Child measurer = mode.startsWith("pp-") || vt ? client : server;
                Child other = measurer == client ? server : client;
                measurer.await(limit);
                other.await(5);
                value = measurer.result(0);
                cpuPerOp = measurer.result(1);
                stalls = measurer.line("STALLS ");
                if (value == null) fail(c, "no result: " + measurer.describe() + " / " + other.describe());
            } finally {
                server.kill();
                if (client != null) client.kill();
                Files.deleteIfExists(sock);
            }
        }
        if (value != null) {
            if (mode.equals("stream")) value /= 1 << 30;
            record(results, c.key(), value);
            if (cpuPerOp != null) record(cpu, c.key(), cpuPerOp);
            System.out.printf("  %-28s %s  (cpu %s ns/op)%s%n", label, human(value), cpuPerOp == null ? "?" : String.format("%.0f", cpuPerOp),
                    stalls == null ? "" : ", " + stalls + " missed wake-up(s) re-armed after 20 ms");
        }
    }

    /** W7-1k, W7-10k: a server of {@code c.impl} on CPU 0, the C load generator on CPU 1. */
    private void runMany(Cell c) throws Exception {
        int conns = c.w.id.equals("W7-10k") ? 10_000 : 1_000;
        String label = c.w.id + " " + c.pin + " " + c.impl;
        List<String> serverCmd = new ArrayList<>(List.of("taskset", "-c", "0"));
        if (c.impl.equals("c-liburing")) {
            serverCmd.addAll(List.of(nativeDir.resolve("bench_many").toString(), "server"));
        } else {
            serverCmd.addAll(javaCommand("io.ffsock.bench.ManyServer"));
            serverCmd.add(c.impl);
        }
        serverCmd.add(Integer.toString(conns));
        Child server = Child.start(serverCmd, label + " server");
        Child client = null;
        try {
            if (!server.awaitReady(30)) {
                fail(c, "server not ready: " + server.describe());
                return;
            }
            String port = server.line("PORT ");
            long pid = server.process.pid();
            // When the client starts measuring: the server's CPU time so far, and perf counting
            // its system calls for most of the window. When it stops: the CPU time again.
            double[] cpuAt = new double[4]; // cpu0, t0, cpu1, t1 (ns)
            Process[] perf = new Process[1];
            List<String> clientCmd = List.of("taskset", "-c", "1", nativeDir.resolve("bench_many").toString(), "client",
                    port, Integer.toString(conns), fmt(vtWarm), fmt(vtMeasure));
            client = Child.start(clientCmd, label + " client", line -> {
                if (line.equals("MEASURING")) {
                    cpuAt[0] = processCpuNanos(pid);
                    cpuAt[1] = System.nanoTime();
                    perf[0] = startPerf(pid, vtMeasure * 0.8);
                } else if (line.startsWith("RESULT ")) {
                    cpuAt[2] = processCpuNanos(pid);
                    cpuAt[3] = System.nanoTime();
                }
            });
            client.await(vtWarm + vtMeasure + 60);
            Double value = client.result(0);
            if (value == null) {
                fail(c, "no result: " + client.describe() + " / " + server.describe());
                return;
            }
            server.await(10);
            record(results, c.key(), value);
            double ops = value * (cpuAt[3] - cpuAt[1]) / 1e9;
            Double cpuPerOp = cpuAt[3] > cpuAt[1] && cpuAt[0] >= 0 && cpuAt[2] >= 0 ? (cpuAt[2] - cpuAt[0]) / ops : null;
            if (cpuPerOp != null) record(cpu, c.key(), cpuPerOp);
            long[] counts = perf[0] == null ? null : perfCounts(perf[0]);
            String sys = "";
            if (counts != null) {
                double perfOps = value * vtMeasure * 0.8;
                record(syscalls, c.key(), counts[0] / perfOps);
                record(enters, c.key(), counts[1] / perfOps);
                sys = String.format(", server %.2f syscalls/op, %.3f io_uring_enter/op", counts[0] / perfOps, counts[1] / perfOps);
            }
            System.out.printf("  %-28s %s  (server cpu %s ns/op%s)%n", label, human(value),
                    cpuPerOp == null ? "?" : String.format("%.0f", cpuPerOp), sys);
        } finally {
            if (client != null) client.kill();
            server.kill();
        }
    }

    /** CPU time of every thread of process {@code pid} so far, from /proc/PID/task/TID/schedstat (ns), or -1. */
    static double processCpuNanos(long pid) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            double sum = 0;
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    sum += Double.parseDouble(Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * perf stat counting {@code pid}'s system calls (raw_syscalls:sys_enter) and io_uring_enter
     * calls for {@code seconds}; null if perf cannot be started.
     */
    static Process startPerf(long pid, double seconds) {
        try {
            // --per-thread: without it, perf counted only a sliver of a JVM's threads here.
            return new ProcessBuilder("perf", "stat", "--per-thread", "-x", ",", "-e", "raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter",
                    "-p", Long.toString(pid), "--", "sleep", fmt(seconds)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null;
        }
    }

    /** The two counts of a {@link #startPerf} run, or null if it did not give them. */
    static long[] perfCounts(Process perf) {
        try {
            if (!perf.waitFor(30, TimeUnit.SECONDS)) {
                perf.destroyForcibly();
                return null;
            }
            long[] out = new long[2];
            boolean[] seen = new boolean[2];
            // One line per thread and event: THREAD-TID,COUNT,,EVENT,...
            for (String line : new String(perf.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split(",");
                if (f.length < 4 || !f[1].matches("\\d+")) continue;
                int i = f[3].equals("raw_syscalls:sys_enter") ? 0 : f[3].equals("syscalls:sys_enter_io_uring_enter") ? 1 : -1;
                if (i < 0) continue;
                out[i] += Long.parseLong(f[1]);
                seen[i] = true;
            }
            return seen[0] && seen[1] ? out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private void fail(Cell c, String why) {
        failures.put(c.key(), why);
        System.out.printf("  %-28s FAILED: %s%n", c.w.id + " " + c.pin + " " + c.impl, why);
    }

    private List<String> command(List<String> prefix, String impl, String mode, String role, Path sock, String a, String b) {
        List<String> cmd = new ArrayList<>(prefix);
        if (impl.equals("c")) cmd.add(nativeDir.resolve("bench_unix").toString());
        else if (impl.equals("c-mt")) cmd.addAll(List.of("env", "BENCH_IDLE_THREAD=1", nativeDir.resolve("bench_unix").toString()));
        else if (impl.equals("c-liburing")) cmd.add(nativeDir.resolve("bench_many").toString()); // W1, W2, W4 through liburing
        else {
            cmd.addAll(javaCommand("io.ffsock.bench.Peer"));
            cmd.add(impl);
        }
        cmd.addAll(List.of(mode, role, sock.toString(), a, b));
        return cmd;
    }

    private List<String> javaCommand(String main) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(main);
        return cmd;
    }

    private Map<String, double[]> allocation() throws Exception {
        System.out.println("W6 allocation");
        List<String> cmd = javaCommand("io.ffsock.bench.Alloc");
        Child p = Child.start(cmd, "W6");
        p.await(120);
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String line : p.lines) {
            if (!line.startsWith("ALLOC ")) continue;
            String[] f = line.substring(6).split("\\|");
            out.put(f[0], new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
        }
        if (out.isEmpty()) System.out.println("  W6 FAILED: " + p.describe());
        return out;
    }

    // ---- the table ----------------------------------------------------------------------------

    private void report(List<List<Cell>> groups, Map<String, double[]> alloc, int rounds, boolean quick,
                        String loadBefore, String loadAfter, double seconds) throws IOException {
        StringBuilder t = new StringBuilder();
        t.append(String.format("%n## ffsock benchmark (%s mode, %d rounds: figures are medians of rounds, ratios medians of"
                + " the ratios within each round)%n%n", quick ? "quick" : "full", rounds));
        t.append("| workload | pinning | implementation | median | unit | x C | x JDK | min..max | CPU ns/op | CPU x C |\n");
        t.append("|---|---|---|---:|---|---:|---:|---|---:|---:|\n");
        for (List<Cell> g : groups) {
            Cell first = g.get(0);
            String cKey = first.w.id + "|" + first.pin + "|" + (first.w.mode.equals("many-echo") ? "c-liburing" : "c");
            String jdkKey = first.w.id + "|" + first.pin + "|jdk";
            for (Cell c : g) {
                Double m = median(c.key());
                List<Double> all = results.get(c.key());
                String range = all == null ? "" : human(all.stream().filter(java.util.Objects::nonNull).mapToDouble(d -> d).min().orElse(0))
                        + ".." + human(all.stream().filter(java.util.Objects::nonNull).mapToDouble(d -> d).max().orElse(0));
                String fig = m == null ? "failed" : human(m);
                Double myCpu = median(cpu, c.key());
                t.append(String.format("| %s %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", c.w.id, c.w.title, c.pin, c.impl,
                        fig, c.w.unit, ratio(pairedRatio(results, c.key(), cKey)), ratio(pairedRatio(results, c.key(), jdkKey)), range,
                        myCpu == null ? "" : String.format("%.0f", myCpu), ratio(pairedRatio(cpu, c.key(), cKey))));
            }
        }
        for (Map.Entry<String, double[]> e : alloc.entrySet()) {
            t.append(String.format("| W6 allocation: %s | - | ffsock | %.0f / %.0f | B per call (send / recv) | | | | | |%n",
                    e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        t.append(serverCosts(groups));
        t.append(String.format("%nPinned: both processes on CPU 0 (taskset -c 0). Unpinned: the scheduler's choice. Split: receiver on CPU 0, sender on CPU 1."
                + "%nEvery end is its own process of the same implementation (C<->C, ffsock<->ffsock, JDK<->JDK ...);"
                + "%nping-pongs are measured by the client, one-way traffic by the receiver. W5 is one process (the kernel answers)."
                + "%nffsock = native MemorySegment buffers; ffsock-heap = byte[]; JDK, junixsocket, jnr = their channels with direct ByteBuffers."
                + "%nW3 also: ffsock-stream = Socket.inputStream()/outputStream() with a byte[]; jdk-stream = Channels.newInputStream/"
                + "%nnewOutputStream over the JDK's UNIX SocketChannel, byte[]; jdk-heap = that SocketChannel with heap ByteBuffers."
                + "%nc-mt = the C program with one more thread that only sleeps: a multithreaded process (every JVM is one) pays"
                + "%nfor each fd lookup in the kernel (fdget takes a reference on the file), a single-threaded one does not."
                + "%nffm-bare (only when asked for): the same loops with one plain FFM downcall per call, the floor for any FFM library."
                + "%nW7: 1,000 connections, a virtual thread per connection in both processes, each connection doing 64-byte"
                + "%nround trips; the rate is the sum over all connections. ffsock = blocking io.ffsock.Socket with native"
                + "%nMemorySegment buffers; JDK = blocking SocketChannel/ServerSocketChannel, direct ByteBuffers. No C row:"
                + "%nthe workload measures virtual threads, so ffsock is compared with the JDK only."
                + "%nW7-1k, W7-10k: 1,000 / 10,000 TCP loopback connections (127.0.0.1), each with one 64-byte message in"
                + "%nflight; one load generator for every server (bench_many client: C, its own io_uring, on CPU 1), the"
                + "%nserver on CPU 0; x C = x the C liburing server (c-liburing). ffsock-uring = one thread, one io.ffsock.uring"
                + "%nRing (multishot accept, multishot recv over provided buffers, send); ffsock-loop-epoll, ffsock-loop-uring ="
                + "%none thread, one io.ffsock.EventLoop on that backend (LEVEL, a read and a write per ready connection);"
                + "%nffsock, jdk = a virtual thread per"
                + "%nconnection; netty-epoll, netty-uring = Netty 4.2.18 native transports, one event-loop thread."
                + "%nTheir CPU ns/op is the server process's (every thread, /proc/PID/task/*/schedstat) per round trip."
                + "%nffsock-uring in W1, W2: a linked send+recv per round trip, one io_uring_enter (c-liburing: the same in C"
                + "%nwith liburing); in W4: a multishot recv over provided buffers (receiver), ffsock's plain send (sender);"
                + "%nc-liburing in W4: the same receiver in C, C's plain send. Rings are set up as ffsock's Ring does on a"
                + "%nplatform thread: SUBMIT_ALL, SINGLE_ISSUER, COOP_TASKRUN, TASKRUN_FLAG."
                + "%nCPU ns/op: CPU time of the measuring thread per operation (per MiB for W3) while measuring; it"
                + "%nexcludes waiting, so it shows per-call overhead even on a busy machine (lower is better; CPU x C = this / C)."
                + "%nFor W7 it is the CPU time of the whole client process (every thread) per round trip."
                + "%nJVMs: %s%n", String.join(" ", JVM_FLAGS)));
        t.append(targets(alloc));
        t.append(String.format("%nMachine: %s%n", machine()));
        t.append(String.format("Load average before/after: %s / %s; took %.0f s%n", loadBefore, loadAfter, seconds));
        if (!failures.isEmpty()) {
            t.append("\nFailed cells:\n");
            failures.forEach((k, v) -> t.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        System.out.print(t);
        Path out = Path.of("target", "bench-" + (quick ? "quick" : "full") + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, t.toString());
        System.out.println("(written to " + out + ")");
    }

    /** W7-1k/W7-10k: what each server spends per round trip (CPU, system calls), the "why" behind its rate. */
    private String serverCosts(List<List<Cell>> groups) {
        StringBuilder t = new StringBuilder();
        for (List<Cell> g : groups) {
            if (!g.get(0).w.mode.equals("many-echo")) continue;
            if (t.isEmpty()) {
                t.append("\nServer cost per round trip (medians; syscalls and io_uring_enter counted by perf stat -e"
                        + " raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter -p SERVER over 80% of the window):\n\n");
                t.append("| workload | server | round trips/s | CPU ns/op | syscalls/op | of which io_uring_enter |\n|---|---|---:|---:|---:|---:|\n");
            }
            for (Cell c : g) {
                Double m = median(c.key());
                Double cp = median(cpu, c.key());
                Double sc = median(syscalls, c.key());
                Double en = median(enters, c.key());
                t.append(String.format("| %s | %s | %s | %s | %s | %s |%n", c.w.id, c.impl, m == null ? "failed" : human(m),
                        cp == null ? "?" : String.format("%.0f", cp), sc == null ? "?" : String.format("%.3f", sc),
                        en == null ? "?" : String.format("%.3f", en)));
            }
        }
        return t.toString();
    }

    private String targets(Map<String, double[]> alloc) {
        StringBuilder t = new StringBuilder("\nTargets (ffsock and ffsock-heap):\n");
        for (String impl : List.of("ffsock", "ffsock-heap")) {
            for (Workload w : WORKLOADS) {
                for (String pin : w.pins) {
                    String k = w.id + "|" + pin + "|";
                    if (median(k + impl) == null) continue;
                    String me = k + impl;
                    String where = w.id + (pin.equals(SINGLE) ? "" : " " + pin) + " " + impl;
                    switch (w.id) {
                        case "W1", "W2", "W3", "W4" -> check(t, where, me, k + "c", 0.97, "C");
                        case "W4b" -> check(t, where, me, k + "c", 0.95, "C");
                        case "W5" -> check(t, where, me, k + "c", 0.95, "C");
                        default -> { }
                    }
                    if (w.id.equals("W1") || w.id.equals("W3")) check(t, where, me, k + "jdk", 1.03, "JDK");
                    if (w.id.equals("W7")) check(t, where, me, k + "jdk", 1.00, "JDK");
                    if (!w.id.equals("W5") && !w.id.equals("W7")) {
                        check(t, where, me, k + "junixsocket", 1.08, "junixsocket");
                        check(t, where, me, k + "jnr", 1.5, "jnr");
                    }
                }
            }
        }
        // Issue 15: ffsock's java.io stream views against the JDK's channel streams and heap buffers.
        for (String jdk : List.of("jdk-stream", "jdk-heap")) {
            check(t, "W3 split ffsock-stream", "W3|split|ffsock-stream", "W3|split|" + jdk, 0.95, jdk);
        }
        // io_uring (issue 18): the ring against C's plain system calls, and the many-connection servers.
        for (Workload w : WORKLOADS) {
            for (String pin : w.pins) {
                String k = w.id + "|" + pin + "|";
                String me = k + "ffsock-uring";
                if (median(me) == null) continue;
                String where = w.id + (pin.equals(SINGLE) ? "" : " " + pin) + " ffsock-uring";
                switch (w.id) {
                    case "W1", "W2", "W4" -> {
                        check(t, where, me, k + "c", w.id.equals("W4") ? 1.2 : 1.0, "C");
                        // Not a target: what io_uring itself gives the same loop (C with liburing).
                        Double floor = pairedRatio(results, k + "c-liburing", k + "c");
                        Double own = pairedRatio(results, me, k + "c-liburing");
                        if (floor != null && own != null) {
                            t.append(String.format("  info %-28s %.3f x c-liburing (c-liburing itself %.3f x C)%n", where, own, floor));
                        }
                    }
                    case "W7-1k", "W7-10k" -> {
                        check(t, where, me, k + "jdk", 1.3, "JDK");
                        check(t, where, me, k + "netty-uring", 1.0, "Netty io_uring");
                        check(t, where, me, k + "netty-epoll", 1.1, "Netty epoll");
                        check(t, where, me, k + "c-liburing", 0.9, "C liburing");
                    }
                    default -> { }
                }
            }
        }
        // Not a target: how much of a gap to C is ffsock's own, where the floor was measured.
        for (Workload w : WORKLOADS) {
            for (String pin : w.pins) {
                String k = w.id + "|" + pin + "|";
                Double own = pairedRatio(results, k + "ffsock", k + BARE);
                Double floor = pairedRatio(results, k + BARE, k + "c");
                if (own == null) continue;
                t.append(String.format("  info %-28s %.3f x ffm-bare (ffm-bare itself %.3f x C)%n",
                        w.id + (pin.equals(SINGLE) ? "" : " " + pin) + " ffsock", own, floor == null ? Double.NaN : floor));
            }
        }
        if (!alloc.isEmpty()) {
            boolean zero = alloc.values().stream().allMatch(v -> v[0] < 0.5 && v[1] < 0.5);
            t.append(String.format("  %-4s W6 ffsock allocates 0 B per call in every case: %s%n", zero ? "ok" : "MISS", zero ? "yes" : "no"));
        }
        return t.toString();
    }

    private void check(StringBuilder t, String where, String me, String other, double want, String name) {
        Double r = pairedRatio(results, me, other);
        if (r == null) return;
        double x = r;
        t.append(String.format("  %-4s %-28s %.3f x %s (target >= %.2f)%n", x >= want ? "ok" : "MISS", where, x, name, want));
    }

    private void record(Map<String, List<Double>> to, String key, double value) {
        List<Double> v = to.computeIfAbsent(key, k -> new ArrayList<>());
        while (v.size() < round) v.add(null);
        v.add(value);
    }

    private Double median(String key) {
        return median(results, key);
    }

    private static Double median(Map<String, List<Double>> from, String key) {
        List<Double> v = from.get(key);
        return v == null ? null : median(v.stream().filter(java.util.Objects::nonNull).mapToDouble(d -> d).toArray());
    }

    static Double median(double[] values) {
        if (values.length == 0) return null;
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * The median over rounds of {@code a}'s figure divided by {@code b}'s in the same round. The
     * cells of one round run within seconds of each other, and this shared VM's speed drifts over
     * minutes, so a ratio within a round is steadier than a ratio of two medians.
     */
    private static Double pairedRatio(Map<String, List<Double>> from, String a, String b) {
        List<Double> x = from.get(a);
        List<Double> y = from.get(b);
        if (x == null || y == null) return null;
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            if (x.get(i) != null && y.get(i) != null) r.add(x.get(i) / y.get(i));
        }
        return median(r.stream().mapToDouble(d -> d).toArray());
    }

    private static String ratio(Double r) {
        return r == null ? "" : String.format("%.2f", r);
    }

    static String human(double v) {
        if (v >= 1e6) return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        if (v >= 1e4) return String.format(Locale.ROOT, "%.1f k", v / 1e3);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }

    // ---- the machine ---------------------------------------------------------------------------

    private String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            // leave "?"
        }
        String kernel = read("/proc/sys/kernel/osrelease");
        String gcc = firstLine(List.of("gcc", "--version"));
        String jdk = firstLine(List.of(javaBin, "-XshowSettings:properties", "-version"), "java.runtime.version");
        return String.format("nproc %d; CPU %s; kernel %s; JDK %s; %s", Runtime.getRuntime().availableProcessors(), cpu,
                kernel, jdk, gcc);
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String loadAverage() {
        String l = read("/proc/loadavg");
        String[] f = l.split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : l;
    }

    private static String firstLine(List<String> cmd) {
        return firstLine(cmd, null);
    }

    /** The first output line of {@code cmd} (containing {@code marker}, if given), trimmed. */
    private static String firstLine(List<String> cmd, String marker) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String found = "?";
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (found.equals("?") && (marker == null || line.contains(marker))) {
                        found = marker == null ? line.trim() : line.substring(line.indexOf('=') + 1).trim();
                    }
                }
            }
            p.waitFor(10, TimeUnit.SECONDS);
            return found;
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- child processes ----------------------------------------------------------------------

    /** A process this driver started: its stdout lines (READY, RESULT) and the tail of stderr. */
    static final class Child {
        final String label;
        final Process process;
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        final StringBuffer err = new StringBuffer();
        final CountDownLatch ready = new CountDownLatch(1);
        final Thread out;
        final Thread errThread;

        private Child(String label, Process process, java.util.function.Consumer<String> watcher) {
            this.label = label;
            this.process = process;
            out = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = process.inputReader(StandardCharsets.UTF_8)) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (watcher != null) watcher.accept(line);
                        lines.add(line);
                        if (line.equals("READY")) ready.countDown();
                    }
                } catch (IOException e) {
                    // process gone
                }
                ready.countDown();
            });
            errThread = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = process.errorReader(StandardCharsets.UTF_8)) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("WARNING:")) continue;
                        if (err.length() < 4000) err.append(line).append('\n');
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
        }

        static Child start(List<String> cmd, String label) throws IOException {
            return new Child(label, new ProcessBuilder(cmd).start(), null);
        }

        /** As {@link #start(List, String)}, with {@code watcher} called on each stdout line as it comes. */
        static Child start(List<String> cmd, String label, java.util.function.Consumer<String> watcher) throws IOException {
            return new Child(label, new ProcessBuilder(cmd).start(), watcher);
        }

        /** The rest of the first stdout line that starts with {@code prefix}, or null. */
        String line(String prefix) {
            synchronized (lines) {
                for (String l : lines) if (l.startsWith(prefix)) return l.substring(prefix.length()).trim();
            }
            return null;
        }

        boolean awaitReady(double seconds) throws InterruptedException {
            return ready.await((long) (seconds * 1000), TimeUnit.MILLISECONDS) && lines.contains("READY");
        }

        void await(double seconds) throws InterruptedException {
            if (process.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS)) out.join(2000);
        }

        /** Field {@code i} of the RESULT line (0: the rate, 1: CPU ns per operation), or null. */
        Double result(int i) {
            synchronized (lines) {
                for (String l : lines) {
                    if (!l.startsWith("RESULT ")) continue;
                    String[] f = l.substring(7).trim().split(" ");
                    return i < f.length ? Double.parseDouble(f[i]) : null;
                }
            }
            return null;
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            }
        }

        String describe() {
            String state = process.isAlive() ? "still running" : "exit " + process.exitValue();
            String e = err.toString().trim();
            if (e.length() > 400) e = e.substring(e.length() - 400);
            return label + " " + state + (e.isEmpty() ? "" : ": " + e.replace('\n', ' '));
        }
    }
}
