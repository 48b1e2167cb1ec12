package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.MsgFlag;
import io.ffsock.OwnedFd;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.Family;
import io.ffsock.SyscallException;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Close racing a blocked call, many times, while another thread reopens fds as fast as it can.
 *
 * <p>Each round: a worker thread starts a blocking call (accept, recv, send on a full buffer,
 * recvmsg) on a socket with no timeout; the test thread closes the socket at once, after a random
 * pause, or after a random longer pause (then the call is in the kernel or in its readiness wait).
 * The call must end in {@link ClosedChannelException}: its subtype
 * {@link AsynchronousCloseException} if the close came during the call, the plain one if it came
 * before; never another error, never a return, and within 5 s.
 *
 * <p>Meanwhile a reopener thread takes every fd number the kernel frees: it opens socketpairs
 * with a marker datagram in flight and pipes with a marker byte, and checks each before closing
 * it: the marker still there and nothing else (no byte of the racing send landed, no racing recv
 * took the marker, no racing accept or recv touched them — those would also have failed the call
 * with ENOTSOCK/EINVAL). That is the proof that an fd number is never used after close.
 *
 * <p>Rounds per call: 10,000 in every build (it takes a few seconds per call here);
 * {@code -Dffsock.closeRace.rounds=N} changes it.
 */
@ExtendWith(FdLeakCheck.class)
class CloseRaceTest {
    private static final int ROUNDS = Integer.getInteger("ffsock.closeRace.rounds", 10_000);
    private static final long WAKE_LIMIT_MS = 5_000;
    private static final byte[] MARKER = "ffsock-marker".getBytes();

    enum Call {
        ACCEPT("accept"), RECV("recv"), SEND("send"), RECVMSG("recvmsg");

        final String name;

        Call(String name) {
            this.name = name;
        }
    }

    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }

    /** The socket the call blocks on, the call, and the other sockets of the round. */
    private record Round(Socket target, Op op, List<Socket> others) {}

    private static Round setUp(Call c) throws IOException {
        switch (c) {
            case ACCEPT -> {
                Socket l = Socket.open(Family.UNIX, SocketType.STREAM);
                l.bind(UnixAddress.unnamed());
                l.listen(1);
                return new Round(l, () -> l.accept().close(), List.of());
            }
            case RECV -> {
                SocketPair p = Socket.pair(SocketType.STREAM);
                byte[] b = new byte[64];
                return new Round(p.first(), () -> p.first().recv(b), List.of(p.second()));
            }
            case SEND -> {
                SocketPair p = Socket.pair(SocketType.STREAM);
                p.first().setOption(StandardSocketOptions.SO_SNDBUF, 4096);
                p.second().setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                byte[] chunk = new byte[4096];
                for (;;) {
                    try {
                        p.first().send(chunk, 0, chunk.length, Set.of(MsgFlag.DONTWAIT));
                    } catch (SyscallException full) {
                        break;
                    }
                }
                return new Round(p.first(), () -> p.first().send(chunk), List.of(p.second()));
            }
            case RECVMSG -> {
                SocketPair p = Socket.pair(SocketType.DGRAM);
                ByteBuffer b = ByteBuffer.allocate(64);
                return new Round(p.first(), () -> {
                    try (ReceivedMessage m = p.first().recvMsg(b)) {
                        m.length();
                    }
                }, List.of(p.second()));
            }
            default -> throw new AssertionError(c);
        }
    }

    /** Opens and checks fds in a loop; every anomaly is recorded. */
    private static final class Reopener implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<String> anomalies = new CopyOnWriteArrayList<>();
        final AtomicLong opened = new AtomicLong();
        final SplittableRandom random = new SplittableRandom(42);

        @Override
        public void run() {
            byte[] b = new byte[64];
            while (!stop.get()) {
                try {
                    SocketPair p = Socket.pair(SocketType.DGRAM);
                    OwnedFd[] pipe = OwnedFd.pipe();
                    try {
                        p.first().send(MARKER);
                        pipe[1].write(MARKER, 0, 1);
                        opened.addAndGet(4);
                        if (random.nextBoolean()) LockSupport.parkNanos(random.nextInt(50_000));
                        p.first().setTimeout(Duration.ZERO);
                        p.second().setTimeout(Duration.ZERO);
                        int n = p.second().recv(b);
                        if (n != MARKER.length || !Arrays.equals(b, 0, n, MARKER, 0, n)) {
                            anomalies.add("socketpair fds " + p.first().fdNumber() + "/" + p.second().fdNumber()
                                    + ": marker changed: " + new String(b, 0, n));
                        }
                        expectEmpty(p.second(), "fd " + p.second().fdNumber() + " received extra data");
                        expectEmpty(p.first(), "fd " + p.first().fdNumber() + " received data");
                        int r = pipe[0].read(b, 0, 1);
                        if (r != 1 || b[0] != MARKER[0]) anomalies.add("pipe fd " + pipe[0].fdNumber() + ": marker gone");
                    } finally {
                        p.close();
                        pipe[0].close();
                        pipe[1].close();
                    }
                } catch (IOException e) {
                    anomalies.add("reopener: " + e);
                }
            }
        }

        private void expectEmpty(Socket s, String what) {
            try {
                byte[] b = new byte[64];
                int n = s.recv(b);
                anomalies.add(what + ": " + n + " bytes");
            } catch (SyscallException e) {
                if (e.errno().value() != 11) anomalies.add(what + ": " + e);
            } catch (IOException e) {
                anomalies.add(what + ": " + e);
            }
        }
    }

    /** Runs the calls handed to it, one at a time, and hands back what each threw. */
    private static final class Worker implements Runnable {
        final BlockingQueue<Op> calls = new ArrayBlockingQueue<>(1);
        final BlockingQueue<Throwable> results = new ArrayBlockingQueue<>(1);
        static final Op STOP = () -> { };

        @Override
        public void run() {
            try {
                for (;;) {
                    Op op = calls.take();
                    if (op == STOP) return;
                    Throwable t;
                    try {
                        op.run();
                        t = new AssertionError("the call returned instead of blocking");
                    } catch (Throwable e) {
                        t = e;
                    }
                    results.put(t);
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Call.class)
    void closeWhileBlockedNeverUsesAReusedFd(Call c) throws Exception {
        Reopener reopener = new Reopener();
        Thread reopenerThread = Thread.ofPlatform().name("reopener").start(reopener);
        Worker worker = new Worker();
        Thread workerThread = Thread.ofPlatform().name("close-race-" + c.name).start(worker);
        SplittableRandom random = new SplittableRandom(c.ordinal());
        int async = 0;
        int before = 0;
        List<String> odd = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < ROUNDS && odd.size() < 10; i++) {
                Round round = setUp(c);
                try {
                    worker.calls.put(round.op());
                    switch (random.nextInt(3)) {
                        case 0 -> { } // at once: usually before the call has started
                        case 1 -> LockSupport.parkNanos(random.nextInt(100_000));
                        default -> LockSupport.parkNanos(100_000 + random.nextInt(1_000_000));
                    }
                    round.target().close();
                    Throwable t = worker.results.poll(WAKE_LIMIT_MS, TimeUnit.MILLISECONDS);
                    if (t == null) {
                        odd.add("round " + i + ": still blocked " + WAKE_LIMIT_MS + " ms after close");
                        for (Socket s : round.others()) s.close();
                        t = worker.results.poll(WAKE_LIMIT_MS, TimeUnit.MILLISECONDS);
                        if (t == null) throw new AssertionError("round " + i + ": the call never woke");
                    } else if (t instanceof AsynchronousCloseException) {
                        async++;
                        if (!t.getMessage().startsWith(c.name)) odd.add("round " + i + ": message " + t.getMessage());
                    } else if (t instanceof ClosedChannelException) {
                        before++;
                        if (!t.getMessage().startsWith(c.name)) odd.add("round " + i + ": message " + t.getMessage());
                    } else {
                        odd.add("round " + i + ": " + t);
                    }
                } finally {
                    round.target().close();
                    for (Socket s : round.others()) s.close();
                }
            }
        } finally {
            worker.calls.put(Worker.STOP);
            workerThread.join();
            reopener.stop.set(true);
            reopenerThread.join();
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("CloseRaceTest %s: %d rounds in %d ms: %d woken by close during the call"
                        + " (AsynchronousCloseException), %d closed before it (ClosedChannelException);"
                        + " reopener opened %d fds, %d anomalies%n",
                c.name, ROUNDS, ms, async, before, reopener.opened.get(), reopener.anomalies.size());
        assertEquals(List.of(), odd, "every round ends in ClosedChannelException or AsynchronousCloseException");
        assertEquals(List.of(), reopener.anomalies, "a reopened fd was touched by a closed socket's call");
        assertTrue(async > ROUNDS / 10, "too few rounds closed during the call (" + async + "); the race was not exercised");
    }
}
