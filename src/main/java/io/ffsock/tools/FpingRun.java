package io.ffsock.tools;

import io.ffsock.icmp.PingOptions;
import io.ffsock.icmp.PingResult;
import io.ffsock.icmp.Pinger;
import io.ffsock.icmp.PingerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of {@code ffsock fping} once its command line is valid: resolves the targets, refuses
 * broadcast and multicast ones, probes through one {@link Pinger}, and prints what fping prints.
 */
final class FpingRun {
    /** One target as fping keeps it: the name shown, the address, what came back. */
    private static final class Host {
        final String display;
        final InetAddress address;
        String refused;
        int sent, recv;
        long total, min, max;
        long[] resp; // count mode: RTT in ns, or a negative RESP_*
        Host(String display, InetAddress address) {
            this.display = display;
            this.address = address;
        }
    }

    private static final long RESP_WAITING = -1, RESP_ERROR = -3, RESP_TIMEOUT = -4;

    private final FpingCommand.Settings s;
    private final PrintStream out, err;
    private final boolean countMode;
    private final boolean verbose, perRecv, alive, unreach;
    private final List<Host> hosts = new ArrayList<>();
    private int width;
    private int noAddress, numAlive;
    private long timeouts, echosSent, replies, otherIcmp;
    private long gMin, gMax, gSum;
    private Pinger pinger;
    private PingOptions options;
    private CountDownLatch pending;

    FpingRun(FpingCommand.Settings s, PrintStream out, PrintStream err) {
        this.s = s;
        this.out = out;
        this.err = err;
        this.countMode = s.count > 0;
        boolean v = !s.quiet && !s.alive && !s.unreach && s.minReachable == 0;
        this.perRecv = countMode && v;
        this.verbose = !countMode && v;
        this.alive = !countMode && s.alive;
        this.unreach = !countMode && s.unreach;
    }

    int execute(InputStream in) throws FpingCommand.Invalid {
        long start = System.nanoTime();
        collect(in);
        if (hosts.isEmpty()) return noAddress > 0 ? FpingCommand.UNKNOWN_ADDRESS : FpingCommand.SOME_UNREACHABLE;
        refuseBroadcasts();
        PingerConfig config = config();
        long timeoutNanos = (long) (timeoutMs() * 1e6);
        options = PingOptions.defaults().withTimeout(Duration.ofNanos(Math.max(timeoutNanos, 1_000_000)))
                .withRetries(countMode ? 0 : s.retries).withBackoff(s.backoff).withPayloadSize(s.size)
                .withTtl(s.ttl).withTos(s.tos).withDontFragment(s.dontFragment);
        // Ctrl-C (SIGINT, SIGTERM) ends the run as fping's does: the summary of what came back, its status.
        Thread hook = new Thread(() -> Runtime.getRuntime().halt(finish(System.nanoTime() - start)), "ffsock-fping-summary");
        try (Pinger p = Pinger.open(config)) {
            pinger = p;
            if (hosts.stream().anyMatch(h -> h.refused == null && h.address instanceof Inet6Address)) p.socketKind(true);
            if (hosts.stream().anyMatch(h -> h.refused == null && h.address instanceof Inet4Address)) p.socketKind(false);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                probe();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs: it prints the summary and ends the process
                }
            }
        } catch (IOException e) {
            throw new FpingCommand.Invalid(e.getMessage(), false, FpingCommand.SYSTEM_ERROR);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FpingCommand.Invalid("interrupted", false, FpingCommand.SYSTEM_ERROR);
        }
        return finish(System.nanoTime() - start);
    }

    private double timeoutMs() {
        if (s.timeoutGiven || !countMode) return s.timeoutMs;
        return Math.min(s.periodMs, 2000);
    }

    /** Reads, generates and resolves the targets; unknown names are reported and skipped. */
    private void collect(InputStream in) throws FpingCommand.Invalid {
        if (s.generate) {
            for (long v : FpingTargets.generate(s.targets)) {
                InetAddress a = FpingTargets.address(v);
                add(NetSupport.text(a), a);
            }
            return;
        }
        List<String> names = s.targets;
        if (names.isEmpty()) {
            String file = s.file == null ? "-" : s.file;
            try {
                BufferedReader r = file.equals("-")
                        ? new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1))
                        : Files.newBufferedReader(Path.of(file), StandardCharsets.ISO_8859_1);
                try (r) {
                    names = FpingTargets.readTargets(r, file.equals("-") ? "stdin" : file);
                }
            } catch (NoSuchFileException e) {
                throw new FpingCommand.Invalid("fopen " + file + ": No such file or directory", false, FpingCommand.SYSTEM_ERROR);
            } catch (AccessDeniedException e) {
                throw new FpingCommand.Invalid("fopen " + file + ": Permission denied", false, FpingCommand.SYSTEM_ERROR);
            } catch (IOException e) {
                throw new FpingCommand.Invalid("read " + file + ": " + e.getMessage(), false, FpingCommand.SYSTEM_ERROR);
            }
        }
        for (String name : names) {
            InetAddress a;
            try {
                a = NetSupport.resolve(name, s.family);
            } catch (NetSupport.ToolException e) {
                noAddress++;
                if (!s.quiet) err.println(e.getMessage());
                continue;
            }
            add(s.byAddress ? NetSupport.text(a) : name, a);
        }
        err.flush();
    }

    private void add(String display, InetAddress a) {
        Host h = new Host(display, a);
        if (countMode) h.resp = new long[s.count];
        hosts.add(h);
        width = Math.max(width, display.length());
    }

    /** Broadcast and multicast targets get nothing: reported per target, counted unreachable. */
    private void refuseBroadcasts() {
        Map<InetAddress, String> broadcasts = null;
        for (Host h : hosts) {
            InetAddress a = h.address;
            if (a.isMulticastAddress()) h.refused = "a multicast address";
            else if (a instanceof Inet4Address && NetSupport.text(a).equals("255.255.255.255")) h.refused = "the limited broadcast address";
            else if (a instanceof Inet4Address) {
                if (broadcasts == null) broadcasts = FpingTargets.localBroadcasts();
                String nif = broadcasts.get(a);
                if (nif != null) h.refused = "the broadcast address of " + nif;
            }
            if (h.refused != null && !s.quiet) err.println(h.display + ": not pinged: " + h.refused);
        }
        err.flush();
    }

    private PingerConfig config() throws FpingCommand.Invalid {
        PingerConfig c = PingerConfig.defaults()
                .withSendInterval(Duration.ofNanos((long) (s.intervalMs * 1e6)))
                .withPerTargetInterval(countMode ? Duration.ofNanos((long) (s.periodMs * 1e6)) : Duration.ZERO);
        if (s.source != null) c = c.withSource(s.source);
        if (s.iface != null) {
            // fping binds the sockets to the device; the source is the one the kernel picks there.
            Set<Boolean> families = new HashSet<>();
            for (Host h : hosts) {
                boolean v6 = h.address instanceof Inet6Address;
                if (h.refused != null || !families.add(v6)) continue;
                SourceSelection sel;
                try {
                    sel = SourceSelection.resolve(s.iface, h.address);
                } catch (NetSupport.ToolException e) {
                    throw new FpingCommand.Invalid(e.getMessage(), false);
                }
                if (!SourceSelection.isAddress(s.iface)) c = c.withInterface(sel.interfaceName());
                if (s.source == null) c = c.withSource(sel.source());
            }
        }
        return c;
    }

    private void probe() throws InterruptedException {
        List<Host> live = hosts.stream().filter(h -> h.refused == null).toList();
        if (countMode) {
            pending = new CountDownLatch(live.size() * s.count);
            for (int i = 0; i < s.count; i++) {
                for (Host h : live) {
                    int index = i;
                    h.resp[index] = RESP_WAITING;
                    pinger.ping(h.address, options).whenComplete((r, x) -> counted(h, index, r, x));
                }
            }
        } else {
            pending = new CountDownLatch(live.size());
            for (Host h : live) send(h, 0);
        }
        pending.await();
    }

    /** Default mode: a request of up to (retries + 1 - used) attempts, the first waiting timeout x backoff^used. */
    private void send(Host h, int used) {
        PingOptions o = options.withRetries(s.retries - used).withTimeout(Duration.ofNanos(options.attemptTimeoutNanos(used)));
        pinger.ping(h.address, o).whenComplete((r, x) -> answered(h, used, r, x));
    }

    private void answered(Host h, int used, PingResult r, Throwable x) {
        boolean done = true;
        try {
            synchronized (this) {
                switch (r) {
                    case PingResult.Reply reply -> {
                        int attempt = used + reply.attempt();
                        echosSent += reply.attempt() + 1;
                        timeouts += reply.attempt();
                        h.sent = attempt + 1;
                        reply(h, reply.rttNanos());
                        if (h.recv == 1) {
                            numAlive++;
                            if (verbose || alive) {
                                out.println(h.display + (verbose ? " is alive" : "")
                                        + (s.elapsed ? " (" + tm(reply.rttNanos()) + " ms)" : ""));
                                out.flush();
                            }
                        }
                    }
                    case PingResult.Timeout t -> {
                        echosSent += t.attempts();
                        timeouts += t.attempts();
                        h.sent = used + t.attempts();
                    }
                    case PingResult.IcmpError e -> {
                        // fping waits out the attempt the error answered, then retries.
                        int attempt = used + e.attempt();
                        echosSent += e.attempt() + 1;
                        timeouts += e.attempt() + 1;
                        otherIcmp++;
                        h.sent = attempt + 1;
                        warn(icmpText(e) + " from " + NetSupport.text(e.router()) + " for ICMP Echo sent to " + h.display);
                        if (attempt < s.retries) {
                            done = false;
                            CompletableFuture.delayedExecutor(options.attemptTimeoutNanos(attempt), TimeUnit.NANOSECONDS)
                                    .execute(() -> send(h, attempt + 1));
                        }
                    }
                    case PingResult.Failed f -> {
                        echosSent++;
                        h.sent++;
                        if (verbose) warn(h.display + ": error while sending ping: " + errnoText(f.message()));
                    }
                    case null -> warn(h.display + ": " + (x == null ? "no result" : x.getMessage()));
                }
            }
        } finally {
            // a callback that failed still ends its request: the run never waits forever
            if (done) pending.countDown();
        }
    }

    /** Count mode: request {@code index} of {@code h} ended. */
    private void counted(Host h, int index, PingResult r, Throwable x) {
        try {
            synchronized (this) {
                echosSent++;
                h.sent++;
                switch (r) {
                    case PingResult.Reply reply -> {
                        reply(h, reply.rttNanos());
                        h.resp[index] = reply.rttNanos();
                        if (h.recv == 1) numAlive++;
                        if (perRecv) {
                            out.println(stamp() + pad(h.display) + " : [" + index + "], " + reply.bytes() + " bytes, "
                                    + tm(reply.rttNanos()) + " ms (" + tm(h.total / h.recv) + " avg, " + loss(h) + "% loss)");
                            out.flush();
                        }
                    }
                    case PingResult.Failed f -> h.resp[index] = RESP_ERROR;
                    case null -> {
                        h.resp[index] = RESP_ERROR;
                        warn(h.display + ": " + (x == null ? "no result" : x.getMessage()));
                    }
                    default -> {
                        if (r instanceof PingResult.IcmpError e) {
                            otherIcmp++;
                            warn(icmpText(e) + " from " + NetSupport.text(e.router()) + " for ICMP Echo sent to " + h.display);
                        }
                        timeouts++;
                        h.resp[index] = RESP_TIMEOUT;
                        if (perRecv) {
                            out.println(stamp() + pad(h.display) + " : [" + index + "], timed out ("
                                    + (h.recv > 0 ? tm(h.total / h.recv) : "NaN") + " avg, " + loss(h) + "% loss)");
                            out.flush();
                        }
                    }
                }
            }
        } finally {
            pending.countDown();
        }
    }

    private void reply(Host h, long rtt) {
        h.recv++;
        h.total += rtt;
        h.min = h.recv == 1 ? rtt : Math.min(h.min, rtt);
        h.max = Math.max(h.max, rtt);
        replies++;
        gMin = replies == 1 ? rtt : Math.min(gMin, rtt);
        gMax = Math.max(gMax, rtt);
        gSum += rtt;
    }

    /**
     * Duplicate replies: fping counts them as received too. (Late ones are left out: the
     * Pinger's late counter also holds ICMP errors that came after their request ended.)
     */
    private long strays() {
        Set<InetAddress> seen = new HashSet<>();
        long n = 0;
        for (Host h : hosts) {
            if (h.refused == null && seen.add(h.address)) n += pinger.statistics(h.address).duplicates();
        }
        return n;
    }

    private int status = -1;

    /** Prints the end of the run once (the end and Ctrl-C may race); returns the exit status. */
    private synchronized int finish(long elapsedNanos) {
        if (status < 0) status = report(elapsedNanos);
        return status;
    }

    private int report(long elapsedNanos) {
        long received = replies + (pinger == null ? 0 : strays());
        int unreachable = 0;
        for (Host h : hosts) {
            if (h.recv > 0) continue;
            unreachable++;
            if (verbose || unreach) out.println(h.display + (verbose ? " is unreachable" : ""));
        }
        out.flush();
        if (countMode) {
            StringBuilder b = new StringBuilder();
            if (perRecv) b.append('\n');
            for (Host h : hosts) {
                b.append(pad(h.display)).append(" :");
                if (s.vcount) {
                    for (int j = 0; j < h.sent; j++) b.append(' ').append(h.resp[j] >= 0 ? tm(h.resp[j]) : "-");
                } else {
                    b.append(" xmt/rcv/%loss = ").append(h.sent).append('/').append(h.recv).append('/').append(loss(h)).append('%');
                    if (h.recv > 0) {
                        b.append(", min/avg/max = ").append(tm(h.min)).append('/').append(tm(h.total / h.recv)).append('/').append(tm(h.max));
                    }
                }
                b.append('\n');
            }
            err.print(b);
        }
        if (s.stats) {
            StringBuilder b = new StringBuilder("\n");
            b.append(String.format(Locale.ROOT, " %7d targets\n %7d alive\n %7d unreachable\n %7d unknown addresses\n\n",
                    hosts.size(), numAlive, unreachable, noAddress));
            b.append(String.format(Locale.ROOT, " %7d timeouts (waiting for response)\n %7d ICMP Echos sent\n"
                    + " %7d ICMP Echo Replies received\n %7d other ICMP received\n\n", timeouts, echosSent, received, otherIcmp));
            b.append(' ').append(tm(replies == 0 ? 0 : gMin)).append(" ms (min round trip time)\n");
            b.append(' ').append(tm(replies == 0 ? 0 : gSum / replies)).append(" ms (avg round trip time)\n");
            b.append(' ').append(tm(replies == 0 ? 0 : gMax)).append(" ms (max round trip time)\n");
            b.append(String.format(Locale.ROOT, " %12.3f sec (elapsed real time)\n\n", elapsedNanos / 1e9));
            err.print(b);
        }
        err.flush();
        if (s.minReachable > 0) {
            int reachable = hosts.size() - unreachable;
            boolean enough = reachable >= s.minReachable;
            out.println((enough ? "Enough" : "Not enough") + " hosts reachable (required: " + s.minReachable + ", reachable: "
                    + reachable + ")");
            out.flush();
            return enough ? FpingCommand.ALL_ALIVE : FpingCommand.SOME_UNREACHABLE;
        }
        if (noAddress > 0) return FpingCommand.UNKNOWN_ADDRESS;
        return numAlive != hosts.size() ? FpingCommand.SOME_UNREACHABLE : FpingCommand.ALL_ALIVE;
    }

    private static int loss(Host h) {
        return h.sent == 0 ? 0 : (h.sent - h.recv) * 100 / h.sent;
    }

    private String pad(String name) {
        return name.length() >= width ? name : name + " ".repeat(width - name.length());
    }

    private String stamp() {
        if (!s.timestamp) return "";
        Instant now = Instant.now();
        return String.format(Locale.ROOT, "[%.5f] ", now.getEpochSecond() + now.getNano() / 1e9);
    }

    /** fping's print_warning: stderr, unless -q. */
    private void warn(String line) {
        if (s.quiet) return;
        err.println(line);
        err.flush();
    }


    /** The errno text of a Pinger failure such as {@code sendto(...): EACCES (Permission denied)}. */
    static String errnoText(String message) {
        Matcher m = Pattern.compile("\\(([^()]+)\\)\\s*$").matcher(message);
        return m.find() ? m.group(1) : message;
    }

    private static final String[] UNREACHABLE = {
            "ICMP Network Unreachable", "ICMP Host Unreachable", "ICMP Protocol Unreachable", "ICMP Port Unreachable",
            "ICMP Unreachable (Fragmentation Needed)", "ICMP Unreachable (Source Route Failed)",
            "ICMP Unreachable (Destination Network Unknown)", "ICMP Unreachable (Destination Host Unknown)",
            "ICMP Unreachable (Source Host Isolated)", "ICMP Unreachable (Communication with Network Prohibited)",
            "ICMP Unreachable (Communication with Host Prohibited)", "ICMP Unreachable (Network Unreachable For Type Of Service)",
            "ICMP Unreachable (Host Unreachable For Type Of Service)", "ICMP Unreachable (Communication Administratively Prohibited)",
            "ICMP Unreachable (Host Precedence Violation)", "ICMP Unreachable (Precedence cutoff in effect)"};

    /** How fping names an ICMP error that answered one of its requests. */
    static String icmpText(PingResult.IcmpError e) {
        if (e.target() instanceof Inet6Address) {
            return switch (e.kind()) {
                case UNREACHABLE -> "ICMPv6 Destination Unreachable (code " + e.code() + ")";
                case TIME_EXCEEDED -> "ICMPv6 Time Exceeded";
                case FRAGMENTATION_NEEDED -> "ICMPv6 Packet Too Big (mtu " + e.mtu() + ")";
                case PARAMETER_PROBLEM -> "ICMPv6 Parameter Problem";
                case OTHER -> "ICMPv6 " + e.type();
            };
        }
        return switch (e.type()) {
            case 3 -> e.code() < UNREACHABLE.length ? UNREACHABLE[e.code()] : "ICMP Unreachable (Invalid Code)";
            case 4 -> "ICMP Source Quench";
            case 5 -> "ICMP Redirect";
            case 11 -> "ICMP Time Exceeded";
            case 12 -> "ICMP Parameter Problem";
            default -> "ICMP " + e.type();
        };
    }

    /** Nanoseconds as fping prints milliseconds: 3 significant decimals below 1 ms, fewer as it grows. */
    static String tm(long ns) {
        double t = ns / 1e6;
        if (t < 0) return String.format(Locale.ROOT, "%.2g", t);
        if (t < 1) return fixed(t, 3);
        if (t < 10) return fixed(t, 2);
        if (t < 100) return fixed(t, 1);
        if (t < 1_000_000) return fixed(t, 0);
        return String.format(Locale.ROOT, "%.3e", t);
    }

    /**
     * C's {@code %.Nf}: the double's exact binary value rounded half to even. (Java's own
     * {@code %.Nf} rounds the shortest decimal form half up: 1.0005 ms would print 1.001 where C
     * prints 1.000.)
     */
    private static String fixed(double t, int decimals) {
        return new java.math.BigDecimal(t).setScale(decimals, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }
}
