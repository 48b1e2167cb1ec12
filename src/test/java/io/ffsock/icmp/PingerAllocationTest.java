package io.ffsock.icmp;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.testing.Netns;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Pinger's probe path allocates nothing in steady state, on a raw socket and on the ping
 * socket: over thousands of probes to 200
 * loopback addresses (127.0.0.0/8 all answer on lo; a new namespace keeps other ICMP away), the
 * pinger's own threads — the scheduler (send, retry, timeout) and the receiver (recvmsg,
 * matching, statistics) — allocate no more than the {@link PingResult.Reply} each request ends
 * with, measured with ThreadMXBean as W6 does. The caller's thread allocates the future and the
 * request record in {@link Pinger#ping}: that is reported, and bounded.
 */
class PingerAllocationTest {
    private static final int TARGETS = 200;
    /** C2 reaches its final code for the send and receive paths after about 40,000 probes here. */
    private static final int MAX_WARM_ROUNDS = 1500;
    private static final int MEASURED_ROUNDS = 50;

    @ParameterizedTest
    @EnumSource(value = PingerConfig.SocketKind.class, names = {"RAW", "DGRAM"})
    void steadyStateProbesAllocateNothingBeyondTheirResults(PingerConfig.SocketKind kind) throws Exception {
        String why = Netns.unavailableReason();
        assumeTrue(why == null, why);
        Netns ns = Netns.create("palloc");
        try {
            ns.sysctl("net.ipv4.ping_group_range", "0 2147483647"); // the ping socket, for DGRAM
            long[] out = ns.call(() -> measure(kind));
            long probes = (long) MEASURED_ROUNDS * TARGETS;
            long pingerBytes = out[0];
            long replyBytes = out[1];
            long callerBytes = out[2];
            double perProbe = (double) (pingerBytes - probes * replyBytes) / probes;
            System.out.printf(kind + " pinger threads: %d B over %d probes, %d B a Reply: %.3f B/probe beyond the result;"
                    + " caller: %.1f B/request (future + request)%n", pingerBytes, probes, replyBytes, perProbe,
                    (double) callerBytes / probes);
            assertTrue(Math.abs(perProbe) < 1.0, "the probe path allocates " + perProbe + " B/probe beyond its result ("
                    + pingerBytes + " B over " + probes + " probes, " + replyBytes + " B a Reply)");
            assertTrue(callerBytes / probes <= 160, "ping() allocates " + callerBytes / probes + " B a request");
        } finally {
            ns.close();
        }
    }

    /** [bytes the pinger's threads allocated, bytes of one Reply, bytes the caller allocated] over the measured rounds. */
    private static long[] measure(PingerConfig.SocketKind kind) throws Exception {
        Allocation mx = new Allocation();
        List<InetAddress> targets = new ArrayList<>();
        for (int i = 1; i <= TARGETS; i++) targets.add(InetAddress.getByAddress(new byte[] {127, 0, (byte) (i >> 8), (byte) i}));
        PingerConfig config = PingerConfig.defaults().withSocketKind(kind)
                .withSendInterval(Duration.ZERO).withPerTargetInterval(Duration.ZERO);
        // A TTL and TOS of their own: set once as socket options, then sends as plain as the defaults'.
        PingOptions options = PingOptions.defaults().withTimeout(Duration.ofSeconds(5)).withRetries(0).withTtl(64).withTos(0x10);
        try (Pinger pinger = Pinger.open(config)) {
            assertEquals(kind, pinger.socketKind(false));
            @SuppressWarnings("unchecked")
            CompletableFuture<PingResult>[] futures = new CompletableFuture[TARGETS];
            List<Thread> threads = pinger.threads();
            // Warm up until three rounds in a row allocate no more than their results (or give up
            // and measure anyway): the measured rounds then see the compiled code.
            long reply = replyBytes(mx, targets.get(0));
            int warm = 0;
            for (int clean = 0; warm < MAX_WARM_ROUNDS && clean < 3; warm++) {
                long b = mx.of(threads);
                roundOf(pinger, targets, options, futures);
                clean = mx.of(threads) - b <= (long) TARGETS * reply ? clean + 1 : 0;
            }
            System.out.println("warm-up: " + warm + " rounds of " + TARGETS + " probes");
            long before = mx.of(threads);
            long callerBefore = mx.current();
            long callerInPing = 0;
            for (int round = 0; round < MEASURED_ROUNDS; round++) {
                long c0 = mx.current();
                for (int i = 0; i < TARGETS; i++) futures[i] = pinger.ping(targets.get(i), options);
                callerInPing += mx.current() - c0;
                awaitAll(futures);
            }
            long pingerBytes = mx.of(threads) - before;
            assertTrue(mx.current() - callerBefore >= callerInPing);
            for (CompletableFuture<PingResult> f : futures) assertInstanceOf(PingResult.Reply.class, f.join());
            return new long[] {pingerBytes, reply, callerInPing};
        }
    }

    private static void roundOf(Pinger p, List<InetAddress> targets, PingOptions o, CompletableFuture<PingResult>[] futures)
            throws Exception {
        for (int i = 0; i < targets.size(); i++) futures[i] = p.ping(targets.get(i), o);
        awaitAll(futures);
        for (CompletableFuture<PingResult> f : futures) assertInstanceOf(PingResult.Reply.class, f.join(), "127/8 answers on lo");
    }

    private static void awaitAll(CompletableFuture<PingResult>[] futures) throws Exception {
        for (CompletableFuture<PingResult> f : futures) f.get(30, TimeUnit.SECONDS);
    }

    /** The size of one Reply on this JVM, measured the same way. */
    private static long replyBytes(Allocation mx, InetAddress a) throws ReflectiveOperationException {
        Object[] keep = new Object[10_000];
        long t0 = mx.current();
        long overhead = mx.current() - t0; // the reflective call itself allocates
        long before = mx.current();
        for (int i = 0; i < keep.length; i++) keep[i] = new PingResult.Reply(a, i, 64, 64, 0);
        long bytes = mx.current() - before - overhead;
        assertNotNull(keep[keep.length - 1]);
        return bytes / keep.length;
    }

    /** com.sun.management.ThreadMXBean, reached by reflection (the test module does not read jdk.management). */
    static final class Allocation {
        private final Object mx;
        private final java.lang.reflect.Method ofThread;
        private final java.lang.reflect.Method current;

        Allocation() throws ReflectiveOperationException {
            mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            ofThread = type.getMethod("getThreadAllocatedBytes", long.class);
            current = type.getMethod("getCurrentThreadAllocatedBytes");
        }

        long of(List<Thread> threads) throws ReflectiveOperationException {
            long sum = 0;
            for (Thread t : threads) sum += (long) ofThread.invoke(mx, t.threadId());
            return sum;
        }

        long current() throws ReflectiveOperationException {
            return (long) current.invoke(mx);
        }
    }
}
