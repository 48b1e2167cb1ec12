package io.ffsock.bench;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * W6: bytes the calling thread allocates per ffsock call in steady state, from
 * {@code ThreadMXBean.getCurrentThreadAllocatedBytes()} around groups of calls after a warm-up
 * long enough for C2. 64-byte messages over AF_UNIX: send/recv on a stream socket pair,
 * sendTo/recvFrom between two bound datagram sockets. Prints {@code ALLOC <case> <send> <recv>}.
 */
public final class Alloc {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int GROUP = 8;

    interface Op {
        void run() throws IOException;
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("ffsock-alloc");
        Map<String, double[]> out = new LinkedHashMap<>();
        byte[] array = new byte[64];
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        ByteBuffer heapBuf = ByteBuffer.allocate(64);
        MemorySegment seg = Arena.ofAuto().allocate(64);
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            Socket a = p.first();
            Socket b = p.second();
            out.put("send/recv byte[] (blocking)", measure(iterations, () -> a.send(array, 0, 64), () -> b.recv(array, 0, 64)));
            out.put("send/recv direct ByteBuffer", measure(iterations, () -> a.send(direct.clear()), () -> b.recv(direct.clear())));
            out.put("send/recv heap ByteBuffer", measure(iterations, () -> a.send(heapBuf.clear()), () -> b.recv(heapBuf.clear())));
            out.put("send/recv MemorySegment", measure(iterations, () -> a.send(seg), () -> b.recv(seg)));
            // issue 15's views: java.net-style streams (byte[] path, single bytes) and the ByteChannel
            java.io.OutputStream os = a.outputStream();
            java.io.InputStream is = b.inputStream();
            out.put("outputStream/inputStream byte[]", measure(iterations, () -> os.write(array, 0, 64), () -> is.read(array, 0, 64)));
            out.put("outputStream/inputStream single byte", measure(iterations, () -> os.write(7), () -> is.read()));
            // A buffered reader or writer moves along its array: a new offset on every call.
            byte[] wide = new byte[4096 + 64];
            int[] at = {0, 0};
            out.put("outputStream/inputStream byte[], a new window each call", measure(iterations,
                    () -> os.write(wide, at[0] = (at[0] + 61) % 4096, 64), () -> is.read(wide, at[1] = (at[1] + 37) % 4096, 64)));
            out.put("write/read ByteChannel, direct", measure(iterations, () -> a.write(direct.clear()), () -> b.read(direct.clear())));
            b.setReadTimeout(Duration.ofSeconds(30));
            out.put("inputStream byte[] with a read timeout", measure(iterations, () -> os.write(array, 0, 64), () -> is.read(array, 0, 64)));
            b.setReadTimeout(null);
            a.setTimeout(Duration.ZERO);
            b.setTimeout(Duration.ZERO);
            out.put("send/recv byte[] (non-blocking)", measure(iterations, () -> a.send(array, 0, 64), () -> b.recv(array, 0, 64)));
        }
        UnixAddress pa = UnixAddress.path(dir.resolve("a").toString());
        UnixAddress pb = UnixAddress.path(dir.resolve("b").toString());
        try (Socket a = Socket.open(Family.UNIX, SocketType.DGRAM); Socket b = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            a.bind(pa);
            b.bind(pb);
            out.put("sendTo/recvFrom byte[]", measure(iterations, () -> a.sendTo(array, 0, 64, pb), () -> b.recvFrom(array, 0, 64)));
            out.put("sendTo/recvFrom direct ByteBuffer", measure(iterations, () -> a.sendTo(direct.clear(), pb), () -> b.recvFrom(direct.clear())));
            out.put("sendTo/recvFrom MemorySegment", measure(iterations, () -> a.sendTo(seg, pb), () -> b.recvFrom(seg)));
        } finally {
            Files.deleteIfExists(dir.resolve("a"));
            Files.deleteIfExists(dir.resolve("b"));
            Files.deleteIfExists(dir);
        }
        ringCases(iterations, out);
        for (Map.Entry<String, double[]> e : out.entrySet()) {
            System.out.printf("ALLOC %s|%.1f|%.1f%n", e.getKey(), e.getValue()[0], e.getValue()[1]);
        }
    }

    /** The last result a ring completion gave (the ring runs callbacks on this thread). */
    private static final class LastResult implements io.ffsock.uring.Completion {
        int result;
        int flags;

        @Override
        public void complete(long op, int result, int flags) {
            this.result = result;
            this.flags = flags;
        }
    }

    /**
     * io.ffsock.uring, 64-byte messages on an AF_UNIX stream socket pair: a send and a recv each
     * through the ring (one io_uring_enter each), a linked send+recv round (one enter; counted in
     * the send column, per pair), and a multishot recv over provided buffers with the buffer
     * recycled (the data sent with a plain ffsock send, counted in the send column).
     */
    static void ringCases(int iterations, Map<String, double[]> out) throws IOException {
        if (!io.ffsock.uring.UringSupport.isAvailable()) {
            System.err.println("io_uring unavailable, no ring cases: " + io.ffsock.uring.UringSupport.unavailableReason());
            return;
        }
        try (SocketPair p = Socket.pair(SocketType.STREAM); io.ffsock.uring.Ring ring = io.ffsock.uring.Ring.open(64)) {
            Socket a = p.first();
            Socket b = p.second();
            io.ffsock.uring.RingBuffer o = ring.allocate(64);
            io.ffsock.uring.RingBuffer i = ring.allocate(64);
            LastResult done = new LastResult();
            out.put("io_uring Ring send / Ring recv", measure(iterations,
                    () -> { ring.send(a, o, 0, 64, 0, done); ring.submitAndWait(1); check(done, 64); },
                    () -> { ring.recv(b, i, 0, 64, 0, done); ring.submitAndWait(1); check(done, 64); }));
            out.put("io_uring linked send+recv (per pair) / -", measure(iterations,
                    () -> {
                        ring.send(a, o, 0, 64, 0, done);
                        ring.link();
                        ring.recv(b, i, 0, 64, 0, done);
                        ring.submitAndWait(2);
                        check(done, 64);
                    },
                    () -> { }));
        }
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET); io.ffsock.uring.Ring ring = io.ffsock.uring.Ring.open(64)) {
            io.ffsock.uring.BufferGroup g = ring.bufferGroup(1, 16, 128);
            MemorySegment seg = Arena.ofAuto().allocate(64);
            long[] got = new long[1];
            int[] failed = new int[1];
            ring.recvMultishot(p.second(), g, (op, result, flags) -> {
                if (result == 64) {
                    got[0]++;
                    g.recycle(io.ffsock.uring.Ring.bufferId(flags));
                } else {
                    failed[0] = result;
                }
                if (!io.ffsock.uring.Ring.hasMore(flags) && failed[0] == 0) failed[0] = Integer.MIN_VALUE;
            });
            ring.submit();
            long[] taken = new long[1];
            Op reap = () -> { // takes one datagram's completion, waiting for it if it has not come yet
                long want = ++taken[0];
                while (got[0] < want) {
                    if (failed[0] != 0) throw new IOException("multishot recv ended: " + failed[0]);
                    if (ring.complete() == 0) ring.submitAndWait(1);
                }
            };
            out.put("ffsock send / io_uring multishot recv + recycle", measure(iterations, () -> p.first().send(seg), reap));
        }
    }

    private static void check(LastResult r, int want) throws IOException {
        if (r.result != want) throw new IOException("io_uring operation gave " + r.result + ", not " + want);
    }

    /** Bytes per send and per recv over the last half of the iterations (the first half warms up). */
    static double[] measure(int iterations, Op send, Op recv) throws IOException {
        long sendBytes = 0;
        long recvBytes = 0;
        long calls = 0;
        for (int i = 0; i < iterations; i++) {
            long a0 = THREADS.getCurrentThreadAllocatedBytes();
            for (int k = 0; k < GROUP; k++) send.run();
            long a1 = THREADS.getCurrentThreadAllocatedBytes();
            for (int k = 0; k < GROUP; k++) recv.run();
            long a2 = THREADS.getCurrentThreadAllocatedBytes();
            if (i >= iterations / 2) {
                sendBytes += a1 - a0;
                recvBytes += a2 - a1;
                calls += GROUP;
            }
        }
        return new double[] {(double) sendBytes / calls, (double) recvBytes / calls};
    }
}
