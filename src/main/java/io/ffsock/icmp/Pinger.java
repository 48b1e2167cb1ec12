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
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private final Map<InetAddress, Target> targets = new HashMap<>();
    private final EchoChannel[] channels = new EchoChannel[4]; // [v6][df]
    private final Thread scheduler;
    private long order;
    private long lastSendNanos;
    private boolean closed;
    private volatile PingObserver observer;
    // counted under lock
    long foreign, duplicates, late, corrupted;

    private Pinger(PingerConfig config) throws IOException {
        this.config = config;
        this.cookie = new java.security.SecureRandom().nextLong();
        // Opening IPv4 now makes a missing privilege fail here, at open, not at the first ping.
        channel(false, false);
        this.lastSendNanos = System.nanoTime() - config.sendInterval().toNanos();
        this.scheduler = Thread.ofPlatform().daemon().name("ffsock-pinger-scheduler").start(this::schedule);
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
     * first or its socket cannot be opened.
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
        lock.lock();
        try {
            if (closed) {
                result.completeExceptionally(new IllegalStateException("the pinger is closed"));
                return result;
            }
            Target t = targets.computeIfAbsent(target, Target::new);
            Request r = new Request(t, options, ch, result);
            push(new Task(System.nanoTime(), r, null, 0));
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            Target t = targets.get(target);
            return t == null ? new PingStatistics(target, 0, 0, 0, 0, 0, 0, 0, 0) : t.statistics();
        } finally {
            lock.unlock();
        }
    }

    /** Statistics of every target pinged so far, in the order they were first pinged. */
    public List<PingStatistics> statistics() {
        lock.lock();
        try {
            List<PingStatistics> all = new ArrayList<>();
            targets.values().stream().sorted((a, b) -> Long.compare(a.serial, b.serial)).forEach(t -> all.add(t.statistics()));
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** What came in that answered nothing. */
    public PingCounters counters() {
        lock.lock();
        try {
            return new PingCounters(foreign, duplicates, late, corrupted);
        } finally {
            lock.unlock();
        }
    }

    /** Requests queued or in flight. */
    public int pending() {
        lock.lock();
        try {
            int n = 0;
            for (Task t : tasks) if (t.slot == null) n++;
            for (EchoChannel c : channels) if (c != null) n += c.inFlight;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the threads and closes the sockets; requests not yet answered complete exceptionally.
     * Idempotent.
     */
    @Override
    public void close() {
        List<CompletableFuture<PingResult>> abandoned = new ArrayList<>();
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            for (Task t : tasks) if (t.slot == null) abandoned.add(t.request.result);
            tasks.clear();
            for (EchoChannel c : channels) if (c != null) c.abandonAll(abandoned);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            if (closed) throw new IOException("the pinger is closed");
            if (channels[i] == null) channels[i] = EchoChannel.open(this, config, v6, df, cookie);
            return channels[i];
        } finally {
            lock.unlock();
        }
    }

    ReentrantLock lock() {
        return lock;
    }

    /** A send of {@code request} (slot null) or the timeout of one attempt (slot set), due at {@code at}. */
    static final class Task implements Comparable<Task> {
        final long at;
        final Request request;
        final EchoChannel.Slot slot;
        final long generation;
        long order;

        Task(long at, Request request, EchoChannel.Slot slot, long generation) {
            this.at = at;
            this.request = request;
            this.slot = slot;
            this.generation = generation;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** Called with the lock held. */
    void push(Task t) {
        t.order = order++;
        tasks.add(t);
        changed.signal();
    }

    /** One request: its target, options, channel, result, and how many attempts it has made. */
    static final class Request {
        final Target target;
        final PingOptions options;
        final EchoChannel channel;
        final CompletableFuture<PingResult> result;
        int attempts;

        Request(Target target, PingOptions options, EchoChannel channel, CompletableFuture<PingResult> result) {
            this.target = target;
            this.options = options;
            this.channel = channel;
            this.result = result;
        }
    }

    private static long serials;

    /** Per-target state and statistics; guarded by the pinger's lock. */
    final class Target {
        final InetAddress address;
        final long serial = serials++;
        final java.net.InetSocketAddress socketAddress;
        long lastSend = Long.MIN_VALUE;
        long sent, received, dups, errors;
        long min = Long.MAX_VALUE, max, sum;
        double sum2;

        Target(InetAddress address) {
            this.address = address;
            this.socketAddress = new java.net.InetSocketAddress(address, 0);
        }

        /** When the next request to this target may go, given the per-target interval. */
        long nextAllowed() {
            return lastSend == Long.MIN_VALUE ? Long.MIN_VALUE : lastSend + config.perTargetInterval().toNanos();
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

    /** The scheduler thread: sends what is due (within the rate limits) and times out attempts. */
    private void schedule() {
        for (;;) {
            Task due;
            lock.lock();
            try {
                for (;;) {
                    if (closed) return;
                    Task head = tasks.peek();
                    long now = System.nanoTime();
                    long wait;
                    if (head == null) wait = Long.MAX_VALUE;
                    else if (head.slot != null) wait = head.at - now;
                    else {
                        // A send: the global rate limit and the target's interval both hold it back.
                        long allowed = Math.max(head.at, Math.max(lastSendNanos + config.sendInterval().toNanos(),
                                head.request.target.nextAllowed()));
                        wait = allowed - now;
                    }
                    if (wait <= 0) {
                        due = tasks.poll();
                        break;
                    }
                    try {
                        if (wait == Long.MAX_VALUE) changed.await();
                        else changed.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (due.slot != null) {
                    PingResult r = due.slot.channel.timeout(due.slot, due.generation);
                    if (r != null) complete(due.request, r);
                    continue;
                }
                long now = System.nanoTime();
                lastSendNanos = now;
                due.request.target.lastSend = now;
            } finally {
                lock.unlock();
            }
            due.request.channel.send(due.request);
        }
    }

    /**
     * An attempt timed out (called with the lock held): retry while retries are left, else the
     * request ends with a Timeout.
     */
    PingResult attemptTimedOut(Request r) {
        if (r.attempts <= r.options.retries()) {
            push(new Task(System.nanoTime(), r, null, 0));
            return null;
        }
        return new PingResult.Timeout(r.target.address, r.attempts);
    }

    /** Completes off the lock when possible: callers pass the lock-free path. */
    void complete(Request r, PingResult result) {
        // Completing runs dependent stages on this thread; done with the lock held they could
        // deadlock on a callback that pings again, so release it for the call.
        boolean held = lock.isHeldByCurrentThread();
        if (held) lock.unlock();
        try {
            r.result.complete(result);
        } finally {
            if (held) lock.lock();
        }
    }

    /** Tells the observer, if any, off the lock (called with it held or not), before the future completes. */
    void observed(int sequence, PingResult result, boolean duplicate) {
        PingObserver o = observer;
        if (o == null) return;
        boolean held = lock.isHeldByCurrentThread();
        if (held) lock.unlock();
        try {
            if (result instanceof PingResult.Reply r) o.reply(sequence, r, duplicate);
            else o.error(sequence, result);
        } finally {
            if (held) lock.lock();
        }
    }

    /** Now on the realtime clock in nanoseconds, to compare with SO_TIMESTAMPNS stamps. */
    static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
