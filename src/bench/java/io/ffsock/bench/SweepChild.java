package io.ffsock.bench;

import io.ffsock.icmp.PingOptions;
import io.ffsock.icmp.PingResult;
import io.ffsock.icmp.PingStatistics;
import io.ffsock.icmp.Pinger;
import io.ffsock.icmp.PingerConfig;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code SweepChild TARGETS_FILE INTERVAL_US RETRIES TIMEOUT_MS BACKOFF SWEEPS}: the Pinger's side
 * of {@link SweepBench}, one JVM. Sweeps the targets SWEEPS times the way fping does without
 * {@code -c} (each target until it answers or its retries are spent), one pinger per sweep, and
 * prints for each {@code SWEEP <n> <wall ns> <process CPU ns> <alive> <echo requests sent>}: wall
 * from opening the pinger to the last result, CPU of the whole process (every thread: the
 * pinger's, JIT, GC) over the same span.
 */
public final class SweepChild {
    public static void main(String[] args) throws Exception {
        List<InetAddress> targets = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.isBlank()) targets.add(InetAddress.getByName(line.strip()));
        }
        long intervalMicros = Long.parseLong(args[1]);
        int retries = Integer.parseInt(args[2]);
        long timeoutMs = Long.parseLong(args[3]);
        double backoff = Double.parseDouble(args[4]);
        int sweeps = Integer.parseInt(args[5]);
        // fping without -c: the global interval -i between any two requests, no per-target period
        // (a retry goes when its timeout ends), -t for the first timeout, -B for the backoff.
        PingerConfig config = PingerConfig.defaults().withSocketKind(PingerConfig.SocketKind.RAW)
                .withSendInterval(Duration.ofNanos(intervalMicros * 1000)).withPerTargetInterval(Duration.ZERO);
        PingOptions options = PingOptions.defaults().withTimeout(Duration.ofMillis(timeoutMs)).withRetries(retries).withBackoff(backoff);
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int n = 1; n <= sweeps; n++) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            int alive = 0;
            long sent = 0;
            try (Pinger pinger = Pinger.open(config)) {
                List<CompletableFuture<PingResult>> all = new ArrayList<>(targets.size());
                for (InetAddress t : targets) all.add(pinger.ping(t, options));
                // One wait for the whole sweep, as a poller would: waiting on each future in turn
                // would wake this thread once per result.
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
                for (CompletableFuture<PingResult> f : all) if (f.join().alive()) alive++;
                long wall = System.nanoTime() - t0;
                long cpu = os.getProcessCpuTime() - cpu0;
                for (PingStatistics s : pinger.statistics()) sent += s.sent();
                System.out.println("SWEEP " + n + " " + wall + " " + cpu + " " + alive + " " + sent);
            }
        }
    }
}
