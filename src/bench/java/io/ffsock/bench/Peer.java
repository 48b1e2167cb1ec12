package io.ffsock.bench;

import java.io.IOException;

/**
 * One end of an AF_UNIX benchmark, in its own JVM: {@code Peer IMPL MODE ROLE PATH A B}, the same
 * protocol as bench/native/bench_unix.c (read its header for MODE, ROLE, A and B). The server
 * prints READY once bound; the measuring side prints {@code RESULT <per second>}.
 *
 * <p>The loops below are the same for every implementation and mirror the C loops: a clock read
 * every 256 round trips or 64 datagrams, the same message sizes, the same stopping rules.
 *
 * <p>{@code vt-echo} (W7) is Java only: {@value #CONNS} connections, one virtual thread each at
 * both ends, each doing the 64-byte ping-pong above; A and B are the warm-up and measured seconds.
 */
public final class Peer {
    private static final int MSG = 64;
    private static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: Peer ffsock|ffsock-heap|ffsock-stream|ffsock-uring|jdk|jdk-heap|jdk-stream|junixsocket|jnr MODE server|client PATH A B");
            System.exit(2);
        }
        String mode = args[1];
        boolean server = args[2].equals("server");
        String path = args[3];
        double a = Double.parseDouble(args[4]);
        double b = Double.parseDouble(args[5]);
        Runnable ready = () -> {
            System.out.println("READY");
            System.out.flush();
        };
        if (args[0].equals("ffsock-uring")) { // W1, W2, W4 through io_uring (UringPeer)
            UringPeer.run(mode, server, path, a, b, ready);
            System.exit(0);
        }
        Transport t = transport(args[0]);
        switch (mode) {
            case "pp-stream", "pp-seqpacket" -> {
                boolean seq = mode.equals("pp-seqpacket");
                try (Transport.Conn c = server ? t.accept(path, seq, ready) : t.connect(path, seq)) {
                    if (server) ppServer(c, seq); else result(ppClient(c, seq, a, b));
                }
            }
            case "stream" -> {
                long measure = (long) (b * 1048576);
                try (Transport.Conn c = server ? t.accept(path, false, ready) : t.connect(path, false)) {
                    if (server) result(streamReceiver(c, a, measure)); else streamSender(c);
                }
            }
            case "dgram", "dgram-batch" -> {
                boolean batch = mode.equals("dgram-batch");
                try (Transport.Dgram d = server ? t.bindDgram(path, ready) : t.connectDgram(path)) {
                    if (server) result(dgramReceiver(d, a, b, batch)); else dgramSender(d, batch);
                }
                if (server) java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(path));
            }
            case "vt-echo" -> {
                if (server) vtEchoServer(t, path, ready); else result(vtEchoClient(t, path, a, b));
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        System.exit(0); // junixsocket/jnr may leave non-daemon threads behind
    }

    static Transport transport(String impl) {
        return switch (impl) {
            case "ffsock" -> new FfsockTransport(false);
            case "ffsock-heap" -> new FfsockTransport(true);
            case "jdk" -> new JdkTransport(false);
            case "jdk-heap" -> new JdkTransport(true);
            case "ffsock-stream" -> new StreamViewTransport(false);
            case "jdk-stream" -> new StreamViewTransport(true);
            case "junixsocket" -> new JunixsocketTransport();
            case "jnr" -> new JnrTransport();
            case "ffm-bare" -> new BareFfmTransport();
            default -> throw new IllegalArgumentException("unknown implementation " + impl);
        };
    }

    /**
     * The measured rate, the measuring thread's CPU nanoseconds per operation and (from
     * {@link #timed}; NaN elsewhere) the bytes it allocated per operation.
     */
    record Rate(double perSecond, double cpuNanosPerOp, double bytesPerOp) {
        Rate(double perSecond, double cpuNanosPerOp) {
            this(perSecond, cpuNanosPerOp, Double.NaN);
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU time of the calling thread, in nanoseconds. */
    static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    static void result(Rate r) {
        System.out.printf(java.util.Locale.ROOT, "RESULT %.1f %.1f%n", r.perSecond, r.cpuNanosPerOp);
        System.out.flush();
    }

    /** Reads exactly {@code n} bytes (a stream may deliver fewer per call); false at end of stream. */
    private static boolean recvFull(Transport.Conn c, int n, boolean message) throws IOException {
        if (message) return c.recv(n) > 0;
        int got = 0;
        while (got < n) {
            int r = c.recv(n - got);
            if (r == 0) return false;
            got += r;
        }
        return true;
    }

    private static void sendFull(Transport.Conn c, int n) throws IOException {
        int put = 0;
        while (put < n) put += c.send(n - put);
    }

    static void ppServer(Transport.Conn c, boolean message) throws IOException {
        try {
            while (recvFull(c, MSG, message)) sendFull(c, MSG);
        } catch (IOException e) {
            // the client measured and left
        }
    }

    /** W7: connections per run; each is an fd in each process. */
    static final int CONNS = 1000;

    /** Fails early, with a clear message, if this process may not open the W7 fds. */
    private static void checkFdLimit() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            long max = u.getMaxFileDescriptorCount();
            long open = u.getOpenFileDescriptorCount();
            if (max - open < CONNS + 16) {
                throw new IllegalStateException("W7 needs " + CONNS + " fds; the limit is " + max + " with " + open + " open");
            }
        }
    }

    /**
     * W7 server: accepts {@value #CONNS} connections on a virtual thread and echoes each on a
     * virtual thread of its own; exits once every connection has ended (the client left).
     */
    static void vtEchoServer(Transport t, String path, Runnable ready) throws Exception {
        checkFdLimit();
        Thread[] echoes = new Thread[CONNS];
        try (Transport.Listener l = t.listen(path, CONNS + 24, MSG)) {
            ready.run();
            Thread acceptor = Thread.ofVirtual().name("accept").start(() -> {
                try {
                    for (int i = 0; i < CONNS; i++) {
                        Transport.Conn c = l.accept();
                        echoes[i] = Thread.ofVirtual().start(() -> {
                            try (c) {
                                ppServer(c, false);
                            } catch (IOException e) {
                                // closing after the client left
                            }
                        });
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            acceptor.join();
        }
        for (Thread e : echoes) if (e != null) e.join();
    }

    /**
     * W7 client: opens {@value #CONNS} connections, starts a virtual thread on each doing 64-byte
     * round trips, and after {@code warm} seconds counts every thread's round trips for
     * {@code measure} seconds. CPU per operation is the whole process's (all threads) here.
     */
    static Rate vtEchoClient(Transport t, String path, double warm, double measure) throws Exception {
        checkFdLimit();
        final int stride = 16; // a counter per 128 bytes: no two threads write one cache line
        java.util.concurrent.atomic.AtomicLongArray counts = new java.util.concurrent.atomic.AtomicLongArray(CONNS * stride);
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Transport.Conn[] conns = new Transport.Conn[CONNS];
        for (int i = 0; i < CONNS; i++) conns[i] = t.connect(path, MSG);
        for (int i = 0; i < CONNS; i++) {
            Transport.Conn c = conns[i];
            int slot = i * stride;
            Thread.ofVirtual().start(() -> {
                try {
                    for (long n = 1; ; n++) {
                        sendFull(c, MSG);
                        if (!recvFull(c, MSG, false)) throw new IOException("server left");
                        counts.setRelease(slot, n);
                    }
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                }
            });
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        Thread.sleep((long) (warm * 1000));
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long n0 = sum(counts, stride);
        Thread.sleep((long) (measure * 1000));
        long n1 = sum(counts, stride);
        long t1 = System.nanoTime();
        long c1 = os.getProcessCpuTime();
        if (failed.get() != null) throw new IOException("a W7 connection failed", failed.get());
        long n = n1 - n0;
        return new Rate(n / ((t1 - t0) / 1e9), (double) (c1 - c0) / n);
    }

    private static long sum(java.util.concurrent.atomic.AtomicLongArray counts, int stride) {
        long s = 0;
        for (int i = 0; i < counts.length(); i += stride) s += counts.getAcquire(i);
        return s;
    }

    /** One step of a measured loop: does some operations and returns how many (bytes for W3). */
    interface Step {
        long run() throws IOException;
    }

    /**
     * Runs {@code step} for {@code warm} seconds, then measures it for {@code measure} seconds.
     * Both phases call the same {@link #loop}, and the hot code sits in the step, a method the JIT
     * compiles normally during the warm-up: a single loop with a "now measuring" branch taken
     * once made C2's OSR code hit an uncommon trap at the start of the measured window, which
     * then ran for a few hundred milliseconds in the interpreter and C1 (seen with
     * -XX:+PrintCompilation), charging JIT time to every Java implementation.
     */
    static Rate timed(double warm, double measure, Step step) throws IOException {
        loop(step, System.nanoTime() + (long) (warm * 1e9));
        long a0 = THREADS.getCurrentThreadAllocatedBytes();
        long c0 = cpu();
        long t0 = System.nanoTime();
        long n = loop(step, t0 + (long) (measure * 1e9));
        long t = System.nanoTime();
        long c = cpu();
        long a = THREADS.getCurrentThreadAllocatedBytes();
        return new Rate(n / ((t - t0) / 1e9), (double) (c - c0) / n, (double) (a - a0) / n);
    }

    /** Runs steps until {@code deadline} (a nanoTime value); returns the operations done. */
    private static long loop(Step step, long deadline) throws IOException {
        long n = 0;
        do {
            n += step.run();
        } while (System.nanoTime() - deadline < 0);
        return n;
    }

    static Rate ppClient(Transport.Conn c, boolean message, double warm, double measure) throws IOException {
        return timed(warm, measure, () -> {
            for (int i = 0; i < 256; i++) {
                sendFull(c, MSG);
                if (!recvFull(c, MSG, message)) throw new IOException("server left");
            }
            return 256;
        });
    }

    /** Receives for {@code warm} seconds, then measures {@code measureBytes} (at least); bytes per second. */
    static Rate streamReceiver(Transport.Conn c, double warm, long measureBytes) throws IOException {
        Step mib = () -> { // about 1 MiB per step: 16 full reads, more when the stream splits them
            long got = 0;
            while (got < 1 << 20) {
                int r = c.recv(CHUNK);
                if (r == 0) throw new IOException("sender left early");
                got += r;
            }
            return got;
        };
        loop(mib, System.nanoTime() + (long) (warm * 1e9));
        long c0 = cpu();
        long t0 = System.nanoTime();
        long n = 0;
        while (n < measureBytes) n += mib.run();
        long t = System.nanoTime();
        return new Rate(n / ((t - t0) / 1e9), (cpu() - c0) / (n / 1048576.0));
    }

    /** Sends 64 KiB at a time until the receiver leaves. */
    static void streamSender(Transport.Conn c) {
        try {
            for (;;) c.send(CHUNK);
        } catch (IOException e) {
            // the receiver has what it needs and left
        }
    }

    static Rate dgramReceiver(Transport.Dgram d, double warm, double measure, boolean batch) throws IOException {
        return timed(warm, measure, batch
                ? () -> {
                    long got = 0;
                    while (got < 64) {
                        int r = d.recvBatch32();
                        if (r <= 0) throw new IOException("recvmmsg returned " + r);
                        got += r;
                    }
                    return got;
                }
                : () -> {
                    for (int i = 0; i < 64; i++) {
                        if (d.recv64() != MSG) throw new IOException("short or failed datagram receive");
                    }
                    return 64;
                });
    }

    static void dgramSender(Transport.Dgram d, boolean batch) {
        try {
            if (batch) {
                for (;;) d.sendBatch32();
            } else {
                for (;;) d.send64();
            }
        } catch (IOException e) {
            // ECONNREFUSED: the receiver has measured and left
        }
    }
}
