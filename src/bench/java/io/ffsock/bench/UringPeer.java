package io.ffsock.bench;

import io.ffsock.Socket;
import io.ffsock.uring.BufferGroup;
import io.ffsock.uring.Completion;
import io.ffsock.uring.Ring;
import io.ffsock.uring.RingBuffer;
import java.io.IOException;

/**
 * The "ffsock-uring" implementation of W1, W2 and W4 ({@code Peer ffsock-uring MODE ROLE PATH A B},
 * the protocol of {@link Peer}): both ends drive their socket through an {@link io.ffsock.uring.Ring}.
 *
 * <ul>
 * <li>pp-stream, pp-seqpacket (W1, W2): each round trip is a send linked to a recv
 *     (IOSQE_IO_LINK; the server: a recv linked to a send) handed to the kernel and waited for
 *     in one io_uring_enter(2), where C makes two system calls. A stream recv carries
 *     MSG_WAITALL, so the kernel finishes a short read itself. The ring is
 *     {@link Ring.TaskRun#DEFERRED}: the recv's completion work runs in that wait.
 * <li>dgram (W4): the receiver runs one multishot recv over a provided-buffer ring (each
 *     completion one datagram, its buffer recycled at once; re-armed when the kernel ends it),
 *     waiting in io_uring_enter for the next batch; the sender is ffsock's plain blocking send
 *     (see below why not the ring's).
 * </ul>
 */
final class UringPeer {
    private static final int MSG = 64;
    private static final int MSG_WAITALL = 0x100;
    private static final int ENOBUFS = 105;

    private UringPeer() {}

    static void run(String mode, boolean server, String path, double a, double b, Runnable ready) throws Exception {
        switch (mode) {
            case "pp-stream", "pp-seqpacket" -> {
                boolean seq = mode.equals("pp-seqpacket");
                try (Socket s = server ? FfsockTransport.acceptOne(path, seq, ready) : FfsockTransport.connectTo(path, seq);
                     PingPong p = new PingPong(s, seq)) {
                    if (server) p.serve(); else Peer.result(Peer.timed(a, b, p::clientStep));
                }
            }
            case "dgram" -> {
                if (server) {
                    try (Socket s = FfsockTransport.boundDgram(path, ready); Receiver r = new Receiver(s)) {
                        Peer.result(Peer.timed(a, b, r::step));
                        if (r.stalls > 0) System.out.println("STALLS " + r.stalls);
                    }
                    java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(path));
                } else {
                    // W4 measures the receiver. A ring sender (32 sends per io_uring_enter) reached
                    // only about 4,000 datagrams/s here: past the receiver's queue of 10
                    // (net.unix.max_dgram_qlen) each send waits in the ring's poll for room, a
                    // wake-up per datagram. ffsock's blocking send, as in the ffsock row, feeds it.
                    try (Transport.Dgram d = new FfsockTransport(false).connectDgram(path)) {
                        Peer.dgramSender(d, false);
                    }
                }
            }
            default -> throw new IllegalArgumentException("ffsock-uring does not do " + mode);
        }
    }

    /** W1/W2 through the ring: one linked pair and one io_uring_enter per round trip. */
    static final class PingPong implements Completion, AutoCloseable {
        final Ring ring;
        final Socket socket;
        final RingBuffer out;
        final RingBuffer in;
        final int recvFlags;
        int sendResult;
        int recvResult;
        long recvOp;

        PingPong(Socket socket, boolean message) throws IOException {
            this.ring = Ring.open(8, 0, Ring.TaskRun.DEFERRED); // one request and its answer at a time
            this.socket = socket;
            this.out = ring.allocate(MSG);
            this.in = ring.allocate(MSG);
            this.recvFlags = message ? 0 : MSG_WAITALL;
        }

        @Override
        public void complete(long op, int result, int flags) {
            if (op == recvOp) recvResult = result; else sendResult = result;
        }

        long clientStep() throws IOException {
            for (int i = 0; i < 256; i++) {
                ring.send(socket, out, 0, MSG, 0, this);
                ring.link();
                recvOp = ring.recv(socket, in, 0, MSG, recvFlags, this);
                ring.submitAndWait(2);
                if (sendResult != MSG || recvResult != MSG) {
                    throw new IOException("round trip: send " + sendResult + ", recv " + recvResult);
                }
            }
            return 256;
        }

        void serve() throws IOException {
            for (;;) {
                recvOp = ring.recv(socket, in, 0, MSG, recvFlags, this);
                ring.link();
                ring.send(socket, in, 0, MSG, 0, this);
                ring.submitAndWait(2);
                if (recvResult != MSG || sendResult != MSG) return; // the client measured and left (send: -ECANCELED)
            }
        }

        @Override
        public void close() {
            ring.close();
        }
    }

    /**
     * W4 receiver: a multishot recv over provided buffers.
     *
     * <p>On this kernel (6.18) an armed multishot recv on an AF_UNIX datagram socket now and then
     * misses its wake-up while the sender waits for room in the full queue: both then sleep for
     * ever (seen in C with liburing too, about once in 30 runs of a few seconds). The receiver
     * therefore waits at most {@link #STALL}; a wait that ends with nothing, with the sender known
     * to be sending, counts a stall and cancels the recv, whose end re-arms it.
     */
    static final class Receiver implements Completion, AutoCloseable {
        static final java.time.Duration STALL = java.time.Duration.ofMillis(20);
        static final int ECANCELED = 125;
        final Ring ring;
        final Socket socket;
        final BufferGroup group;
        long received;
        boolean armed;
        long op;
        int failure;
        int stalls;

        Receiver(Socket socket) throws IOException {
            // 512 buffers and a CQ of 1024: a full pass of completions always fits.
            this.ring = Ring.open(256, 1024);
            this.socket = socket;
            this.group = ring.bufferGroup(1, 512, 128);
        }

        @Override
        public void complete(long op, int result, int flags) {
            if (result > 0) {
                if (result != MSG) failure = -1;
                received++;
                group.recycle(Ring.bufferId(flags)); // a no-op for a datagram that came during close
            } else if (result != -ENOBUFS && result != -ECANCELED) {
                failure = result;
            }
            if (!Ring.hasMore(flags)) armed = false;
        }

        long step() throws IOException {
            long before = received;
            while (received - before < 64) {
                if (!armed) {
                    op = ring.recvMultishot(socket, group, this);
                    armed = true;
                }
                if (ring.submitAndWait(1, STALL) == 0 && armed && received > 0) {
                    stalls++;
                    ring.cancel(op);
                }
                if (failure != 0) throw new IOException("multishot recv: " + failure);
            }
            return received - before;
        }

        @Override
        public void close() {
            ring.close();
        }
    }
}
