package io.ffsock.bench;

import io.ffsock.icmp.PingOptions;
import io.ffsock.icmp.PingResult;
import io.ffsock.icmp.PingStatistics;
import io.ffsock.icmp.Pinger;
import io.ffsock.icmp.PingerConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
 * pinger's, JIT, GC) over the same span, from clock_gettime(CLOCK_PROCESS_CPUTIME_ID) (the
 * OperatingSystemMXBean's process CPU time counts in 10 ms ticks here, too coarse for 0.1 s).
 */
public final class SweepChild {
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MemorySegment TIMESPEC = Arena.global().allocate(16, 8);

    /** CPU time of the whole process (every thread) in nanoseconds. */
    static long processCpuNanos() throws Throwable {
        int r = (int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, TIMESPEC);
        if (r != 0) throw new IllegalStateException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        return TIMESPEC.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + TIMESPEC.get(ValueLayout.JAVA_LONG, 8);
    }

    public static void main(String[] args) throws Throwable {
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
        for (int n = 1; n <= sweeps; n++) {
            long cpu0 = processCpuNanos();
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
                long cpu = processCpuNanos() - cpu0;
                for (PingStatistics s : pinger.statistics()) sent += s.sent();
                System.out.println("SWEEP " + n + " " + wall + " " + cpu + " " + alive + " " + sent);
            }
        }
    }
}
