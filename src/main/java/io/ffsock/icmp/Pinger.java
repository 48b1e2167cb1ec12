package io.ffsock.icmp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Pings many targets at once. One socket per address family (and a second one only for requests
 * that ask for DF) serves every target: a raw ICMP socket when the process has CAP_NET_RAW, else the
 * unprivileged ping socket, chosen when the pinger opens. Requests are queued and sent by one
 * scheduler thread at most one per {@link PingerConfig#sendInterval()}, and to one target at most
 * one per {@link PingerConfig#perTargetInterval()}; one receiver thread per socket matches what
 * comes back by identifier, sequence, a per-pinger cookie and the send time in the payload.
 *
 * <p>Results arrive as {@link CompletableFuture}s, completed on the receiver or scheduler thread
 * (keep callbacks short, or use the {@code ...Async} stages); {@link #pingAndWait} blocks, and
 * parks rather than pins when called from a virtual thread. This is a compound helper over
 * socket(2), sendto(2)/sendmsg(2) and recvmsg(2), icmp(7) and raw(7).
 *
 * <p><b>Allocation.</b> A request costs the caller's thread two objects, made in {@link #ping}:
 * the future it returns and one internal request record (plus, the first time a target is pinged,
 * that target's statistics). Sending, retrying, timing out, receiving and matching then allocate
 * nothing on the pinger's threads, however many targets are in flight, except the
 * {@link PingResult} each request ends with (and an ICMP error's router address). A request's TTL
 * and TOS are socket options, set by one setsockopt(2) when they differ from the last request's.
 *
 * <pre>{@code
 * try (Pinger pinger = Pinger.open()) {
 *     List<CompletableFuture<PingResult>> all = hosts.stream().map(h -> pinger.ping(h)).toList();
 *     for (var f : all) System.out.println(f.join());
 * }
 * }</pre>
 */
public final class Pinger implements AutoCloseable {
    private final PingerConfig config;
    private final long cookie;
    /** Guards everything below, the channels' slots and the targets' statistics. */
    private final Object lock = new Object();
    private final RequestQueue queue = new RequestQueue();
    private final Map<InetAddress, Target> targets = new HashMap<>();
    private final EchoChannel[] channels = new EchoChannel[4]; // [v6][df]
    private final Thread scheduler;
    private final long sendIntervalNanos;
    private final long perTargetIntervalNanos;
    private long order;
    private long lastSendNanos;
    private boolean closed;
    private volatile PingObserver observer;
    private long serials;
    // counted under lock
    long foreign, duplicates, late, corrupted;

    private Pinger(PingerConfig config) throws IOException {
        this.config = config;
        this.cookie = new java.security.SecureRandom().nextLong();
        this.sendIntervalNanos = config.sendInterval().toNanos();
        this.perTargetIntervalNanos = config.perTargetInterval().toNanos();
        this.scheduler = Thread.ofPlatform().daemon().name("ffsock-pinger-scheduler").unstarted(this::schedule);
        // Opening IPv4 now makes a missing privilege fail here, at open, not at the first ping.
        channel(false, false);
        this.lastSendNanos = System.nanoTime() - sendIntervalNanos;
        scheduler.start();
    }

    /** A pinger with {@link PingerConfig#defaults()}. */
    public static Pinger open() throws IOException {
        return open(PingerConfig.defaults());
    }

    /**
     * Opens the IPv4 socket (IPv6 and DF sockets open at their first request) and starts the
     * scheduler. Fails with an {@link IOException} naming CAP_NET_RAW and
     * net.ipv4.ping_group_range when neither socket is allowed.
     */
    public static Pinger open(PingerConfig config) throws IOException {
        return new Pinger(Objects.requireNonNull(config, "config"));
    }

    /** The configuration. */
    public PingerConfig config() {
        return config;
    }

    /** Which socket serves this family ({@code false}: IPv4): RAW or DGRAM; opens it if needed. */
    public PingerConfig.SocketKind socketKind(boolean ipv6) throws IOException {
        return channel(ipv6, false).raw ? PingerConfig.SocketKind.RAW : PingerConfig.SocketKind.DGRAM;
    }

    /** {@link #ping(InetAddress, PingOptions)} with {@link PingOptions#defaults()}. */
    public CompletableFuture<PingResult> ping(InetAddress target) {
        return ping(target, PingOptions.defaults());
    }

    /**
     * Queues one request: up to 1 + retries echo requests to {@code target}, each waiting longer by
     * the backoff factor. The future completes with the first reply or ICMP error that matches, or
     * a {@link PingResult.Timeout} after the last attempt; exceptionally only if the pinger is closed
     * first or its socket cannot be opened. Completing or cancelling the future yourself stops the
     * attempts not yet sent.
     */
    public CompletableFuture<PingResult> ping(InetAddress target, PingOptions options) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        CompletableFuture<PingResult> result = new CompletableFuture<>();
        EchoChannel ch;
        try {
            ch = channel(target instanceof Inet6Address, options.dontFragment());
        } catch (IOException e) {
            result.completeExceptionally(e);
            return result;
        }
        synchronized (lock) {
            if (closed) {
                result.completeExceptionally(new IllegalStateException("the pinger is closed"));
                return result;
            }
            Target t = targets.get(target);
            if (t == null) {
                t = new Target(target, serials++);
                targets.put(target, t);
            }
            push(new Request(t, options, ch, result), System.nanoTime(), null);
        }
        LockSupport.unpark(scheduler);
        return result;
    }

    /** {@link #ping(InetAddress, PingOptions)}, also calling {@code listener} with the result. */
    public CompletableFuture<PingResult> ping(InetAddress target, PingOptions options, Consumer<? super PingResult> listener) {
        CompletableFuture<PingResult> f = ping(target, options);
        f.thenAccept(listener);
        return f;
    }

    /** Pings and waits for the result: the blocking convenience. Interruptible. */
    public PingResult pingAndWait(InetAddress target, PingOptions options) throws IOException, InterruptedException {
        try {
            return ping(target, options).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        }
    }

    /**
     * Sets the observer that sees every reply and error as it is matched, with its sequence
     * number, duplicates included; null removes it.
     */
    public void observe(PingObserver o) {
        observer = o;
    }

    /** Statistics for {@code target}, zeros if it was never pinged. */
    public PingStatistics statistics(InetAddress target) {
        synchronized (lock) {
            Target t = targets.get(target);
            return t == null ? new PingStatistics(target, 0, 0, 0, 0, 0, 0, 0, 0) : t.statistics();
        }
    }

    /** Statistics of every target pinged so far, in the order they were first pinged. */
    public List<PingStatistics> statistics() {
        synchronized (lock) {
            List<PingStatistics> all = new ArrayList<>();
            targets.values().stream().sorted((a, b) -> Long.compare(a.serial, b.serial)).forEach(t -> all.add(t.statistics()));
            return all;
        }
    }

    /** What came in that answered nothing. */
    public PingCounters counters() {
        synchronized (lock) {
            return new PingCounters(foreign, duplicates, late, corrupted);
        }
    }

    /** Requests queued or in flight. */
    public int pending() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /**
     * Stops the threads and closes the sockets; requests not yet answered complete exceptionally.
     * Idempotent.
     */
    @Override
    public void close() {
        List<CompletableFuture<PingResult>> abandoned = new ArrayList<>();
        synchronized (lock) {
            if (closed) return;
            closed = true;
            for (Request r; (r = queue.poll()) != null; ) abandoned.add(r.result);
            for (EchoChannel c : channels) if (c != null) c.abandonAll();
        }
        LockSupport.unpark(scheduler);
        for (EchoChannel c : channels) if (c != null) c.close();
        try {
            scheduler.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IllegalStateException why = new IllegalStateException("the pinger was closed before an answer came");
        for (CompletableFuture<PingResult> f : abandoned) f.completeExceptionally(why);
    }

    // ---- inside ---------------------------------------------------------------------------

    private EchoChannel channel(boolean v6, boolean df) throws IOException {
        int i = (v6 ? 2 : 0) + (df ? 1 : 0);
        synchronized (lock) {
            if (closed) throw new IOException("the pinger is closed");
            if (channels[i] == null) channels[i] = EchoChannel.open(this, config, v6, df, cookie);
            return channels[i];
        }
    }

    Object lock() {
        return lock;
    }

    /** Attempts sent and not yet answered or timed out, over every socket (for tests). */
    int inFlight() {
        synchronized (lock) {
            int n = 0;
            for (EchoChannel c : channels) if (c != null) n += c.inFlight;
            return n;
        }
    }

    /** The pinger's own threads: the scheduler and each open channel's receiver (for tests). */
    List<Thread> threads() {
        synchronized (lock) {
            List<Thread> all = new ArrayList<>();
            all.add(scheduler);
            for (EchoChannel c : channels) if (c != null) all.add(c.receiver());
            return all;
        }
    }

    /**
     * Puts {@code r} in the schedule at {@code at}: a send when {@code slot} is null, else the
     * timeout of the attempt in that slot. Called with the lock held; a request is in the
     * schedule at most once, so {@link #pending()} is the schedule's size.
     */
    void push(Request r, long at, EchoChannel.Slot slot) {
        r.at = at;
        r.slot = slot;
        r.order = order++;
        queue.add(r);
    }

    /** Takes {@code r} out of the schedule (its attempt was answered). Lock held. */
    void unschedule(Request r) {
        queue.remove(r);
        r.slot = null;
    }

    /**
     * One request: its target, options, channel and result, how many attempts it has made, and
     * its place in the schedule. The same object serves every attempt, so retries allocate nothing.
     */
    static final class Request {
        final Target target;
        final PingOptions options;
        final EchoChannel channel;
        final CompletableFuture<PingResult> result;
        int attempts;
        /** When it is due: the next send, or the timeout of the attempt in {@link #slot}. */
        long at;
        /** Ties of {@link #at} go in the order they were scheduled. */
        long order;
        /** The attempt in flight, or null while waiting to be sent. */
        EchoChannel.Slot slot;
        /** Index in the {@link RequestQueue}, -1 when not in it. */
        int index = -1;

        Request(Target target, PingOptions options, EchoChannel channel, CompletableFuture<PingResult> result) {
            this.target = target;
            this.options = options;
            this.channel = channel;
            this.result = result;
        }
    }

    /** Per-target state and statistics; guarded by the pinger's lock. */
    final class Target {
        final InetAddress address;
        /** The address in network order, to match a reply's source without making an object. */
        final byte[] addressBytes;
        final long serial;
        final java.net.InetSocketAddress socketAddress;
        long lastSend = Long.MIN_VALUE;
        long sent, received, dups, errors;
        long min = Long.MAX_VALUE, max, sum;
        double sum2;

        Target(InetAddress address, long serial) {
            this.address = address;
            this.addressBytes = address.getAddress();
            this.serial = serial;
            this.socketAddress = new java.net.InetSocketAddress(address, 0);
        }

        /** When the next request to this target may go, given the per-target interval. */
        long nextAllowed() {
            return lastSend == Long.MIN_VALUE ? Long.MIN_VALUE : lastSend + perTargetIntervalNanos;
        }

        void reply(long rtt) {
            received++;
            min = Math.min(min, rtt);
            max = Math.max(max, rtt);
            sum += rtt;
            sum2 += (double) rtt * rtt;
        }

        PingStatistics statistics() {
            if (received == 0) return new PingStatistics(address, sent, 0, dups, errors, 0, 0, 0, 0);
            long avg = sum / received;
            double var = sum2 / received - (double) avg * avg;
            return new PingStatistics(address, sent, received, dups, errors, min, avg, max, (long) Math.sqrt(Math.max(var, 0)));
        }
    }

    /**
     * The scheduler thread: sends what is due (within the rate limits) and times out attempts.
     * It waits by parking (woken by {@link #ping}), which allocates nothing, where a Condition's
     * await would make a node each time.
     */
    private void schedule() {
        while (step()) {
            // each step is a method of its own for C2; see EchoChannel.receiveOne
        }
    }

    /** Sends or times out what is due, else parks until it is; false once the pinger is closed. */
    private boolean step() {
        Request send = null;
        EchoChannel.Slot slot = null;
        long generation = 0;
        Request ended = null;
        PingResult result = null;
        long wait;
        synchronized (lock) {
            if (closed) return false;
            Request head = queue.peek();
            long now = System.nanoTime();
            if (head == null) {
                wait = Long.MAX_VALUE;
            } else if (head.slot != null) {
                wait = head.at - now;
                if (wait <= 0) {
                    queue.poll();
                    result = head.channel.timeout(head);
                    if (result != null) ended = head;
                }
            } else {
                // A send: the global rate limit and the target's interval both hold it back.
                long allowed = Math.max(head.at, Math.max(lastSendNanos + sendIntervalNanos, head.target.nextAllowed()));
                wait = allowed - now;
                if (wait <= 0) {
                    queue.poll();
                    if (!head.result.isDone()) { // not cancelled or completed by its owner
                        slot = head.channel.claim(head, now);
                        if (slot != null) {
                            lastSendNanos = now;
                            head.target.lastSend = now;
                            send = head;
                            generation = slot.generation;
                        }
                    }
                }
            }
        }
        if (ended != null) {
            ended.result.complete(result);
        } else if (send != null) {
            send.channel.transmit(send, slot, generation);
        } else if (wait > 0) {
            if (wait == Long.MAX_VALUE) LockSupport.park(this);
            else LockSupport.parkNanos(this, wait);
        }
        return true;
    }

    /**
     * An attempt timed out (lock held; the request is out of the schedule): retry while retries
     * are left, else the request ends with a Timeout.
     */
    PingResult attemptTimedOut(Request r) {
        if (r.attempts <= r.options.retries()) {
            push(r, System.nanoTime(), null);
            return null;
        }
        return new PingResult.Timeout(r.target.address, r.attempts);
    }

    /** How often {@link #realtimeNanos()} reads the wall clock again; in between it counts with nanoTime. */
    private static final long CLOCK_RESYNC_NANOS = 100_000_000L;
    private static volatile long[] clockBase = clockBase();

    /**
     * Pairs a wall-clock reading with the nanoTime of the same moment: the wall clock is read
     * between two nanoTime readings and paired with their midpoint. A thread preempted between the
     * readings (milliseconds on a busy machine) would shift every RTT by that much, so a pair whose
     * readings lie more than 20 us apart is read again (a few tries, then the tightest one is kept).
     */
    private static long[] clockBase() {
        long[] best = null;
        long bestSpan = Long.MAX_VALUE;
        for (int i = 0; i < 8 && bestSpan > 20_000; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < bestSpan) {
                bestSpan = after - before;
                best = new long[] {now.getEpochSecond() * 1_000_000_000L + now.getNano(), before + (after - before) / 2};
            }
        }
        return best;
    }

    /** Whether an observer is set (so a duplicate's Reply is worth making). */
    boolean observed() {
        return observer != null;
    }

    /** Tells the observer, if any: called off the lock, before the request's future completes. */
    void observed(int sequence, PingResult result, boolean duplicate) {
        PingObserver o = observer;
        if (o == null) return;
        if (result instanceof PingResult.Reply r) o.reply(sequence, r, duplicate);
        else o.error(sequence, result);
    }

    /**
     * Now on the realtime clock in nanoseconds, to compare with SO_TIMESTAMPNS stamps. Instant.now()
     * makes an object (C2 does not always remove it), so the wall clock is read every 100 ms and
     * nanoTime counts from there: an NTP slew of even 500 ppm moves it by at most 50 us.
     */
    static long realtimeNanos() {
        long nano = System.nanoTime();
        long[] base = clockBase;
        if (nano - base[1] > CLOCK_RESYNC_NANOS) clockBase = base = clockBase();
        return base[0] + (nano - base[1]);
    }
}
