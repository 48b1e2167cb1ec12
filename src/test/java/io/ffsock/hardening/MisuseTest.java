package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.ControlMessage;
import io.ffsock.Credentials;
import io.ffsock.EventLoop;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.MessageBatch;
import io.ffsock.MsgFlag;
import io.ffsock.OwnedFd;
import io.ffsock.ReceivedMessage;
import io.ffsock.Shutdown;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Misuse that must not crash the JVM: seeded random sequences of calls on sockets, fds, buffers
 * and arenas in every wrong order and with every wrong argument (use after close, double close,
 * accept on a datagram socket, send unconnected, listen or bind twice, negative and huge lengths,
 * read-only, heap, direct, zero-length and closed-arena buffers, nulls, read-only options,
 * closing from another thread in the middle of a call, timeouts changed in between).
 *
 * <p>Only documented exceptions may come out: {@link IOException} (a {@link SyscallError} names
 * its call and errno), {@link IllegalArgumentException}, {@link IndexOutOfBoundsException},
 * {@link NullPointerException}, {@link UnsupportedOperationException} and
 * {@link IllegalStateException} (closed arenas, a full batch). Anything else fails with the seed
 * and the calls of the sequence. At the end every socket is closed and no socket fd is left
 * ({@link FdLeakCheck}; also compared here, and every pipe fd the test opened is checked closed).
 *
 * <p>The seed is printed; {@code -Dffsock.misuse.seed=N} replays the same call sequences (the
 * moments the closer thread strikes are timing, not seed). {@code -Dffsock.long=true} runs 5,000
 * sequences of 200 calls instead of 400 of 100.
 */
@ExtendWith(FdLeakCheck.class)
class MisuseTest {
    private static final boolean LONG = Boolean.getBoolean("ffsock.long");
    private static final int SEQUENCES = Integer.getInteger("ffsock.misuse.sequences", LONG ? 5000 : 400);
    private static final int OPS = Integer.getInteger("ffsock.misuse.ops", LONG ? 200 : 100);
    private static final AtomicLong NAMES = new AtomicLong();

    /** What one sequence works on. */
    private static final class World {
        final Random r;
        final List<Socket> sockets = new CopyOnWriteArrayList<>();
        final List<OwnedFd> files = new ArrayList<>();
        final List<Integer> fileNumbers = new ArrayList<>();
        final Set<String> fileTargets = new java.util.HashSet<>();
        final List<String> log = new ArrayList<>();
        final List<SocketAddress> names = new ArrayList<>();
        final Path dir;
        Arena arena = Arena.ofConfined();
        final List<MemorySegment> deadSegments = new ArrayList<>();
        MessageBatch batch = new MessageBatch(4, 256);
        EventLoop loop;

        World(long seed, Path dir) {
            this.r = new Random(seed);
            this.dir = dir;
            long n = NAMES.incrementAndGet();
            String stem = "ffsock-misuse-" + ProcessHandle.current().pid() + "-" + n;
            names.add(UnixAddress.abstractName(stem + "-a"));
            names.add(UnixAddress.abstractName(stem + "-b"));
            names.add(UnixAddress.path(dir.resolve("a.sock")));
            names.add(UnixAddress.path(dir.resolve("b.sock")));
            names.add(UnixAddress.unnamed());
            names.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            names.add(new InetSocketAddress("::1", 0));
            names.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1)); // nobody listens
        }

        Socket socket() {
            return sockets.isEmpty() ? null : sockets.get(r.nextInt(sockets.size()));
        }

        /** A timeout that never blocks for long: the sequence must not hang. */
        void tame(Socket s) {
            try {
                s.setTimeout(r.nextBoolean() ? Duration.ZERO : Duration.ofMillis(1 + r.nextInt(3)));
            } catch (IOException | IllegalStateException closedMeanwhile) {
                // the closer thread may have closed it
            }
        }

        void add(Socket s) {
            tame(s);
            sockets.add(s);
        }

        void closeAll() {
            for (Socket s : sockets) s.close();
            for (OwnedFd f : files) f.close();
            arena.close();
            batch.close();
            if (loop != null) loop.close();
        }
    }

    private final Map<String, Integer> outcomes = new TreeMap<>();
    private long calls;

    @Test
    void randomCallSequencesThrowOnlyDocumentedExceptions() throws Exception {
        long seed = Long.getLong("ffsock.misuse.seed", System.nanoTime());
        System.out.println("MisuseTest: seed " + seed + " (-Dffsock.misuse.seed=" + seed + " replays), "
                + SEQUENCES + " sequences of " + OPS + " calls");
        Map<Integer, String> before = Fds.snapshot();
        Path dir = Files.createTempDirectory("ffsock-misuse-");
        long started = System.nanoTime();
        try {
            for (int i = 0; i < SEQUENCES; i++) {
                runSequence(seed, i, dir);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) Files.deleteIfExists(p);
            }
            Files.delete(dir);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.println("MisuseTest: " + SEQUENCES + " sequences, " + calls + " calls (" + OPS
                + " per sequence) in " + ms + " ms; outcomes " + outcomes);
        List<Integer> leaked = Fds.newSockets(before, Fds.snapshot());
        for (int i = 0; i < 30 && !leaked.isEmpty(); i++) {
            System.gc();
            Thread.sleep(100);
            leaked = Fds.newSockets(before, Fds.snapshot());
        }
        assertEquals(List.of(), leaked, "socket fds left open");
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("AsyncClosed")) || SEQUENCES < 50,
                "the closer thread never struck mid-call: " + outcomes);
    }

    private void runSequence(long seed, int index, Path dir) throws Exception {
        long sequenceSeed = seed * 31 + index;
        World w = new World(sequenceSeed, dir);
        AtomicReference<String> current = new AtomicReference<>();
        // Closes a random socket at a random moment, often while the main thread is inside a call.
        Thread closer = null;
        if (w.r.nextInt(3) == 0) {
            long closerSeed = w.r.nextLong();
            closer = Thread.ofPlatform().name("misuse-closer").start(() -> {
                Random cr = new Random(closerSeed);
                try {
                    for (int k = 0; k < 20 && !Thread.currentThread().isInterrupted(); k++) {
                        Thread.sleep(0, cr.nextInt(999_999));
                        List<Socket> s = w.sockets;
                        if (!s.isEmpty()) s.get(cr.nextInt(s.size())).close();
                    }
                } catch (InterruptedException | IndexOutOfBoundsException e) {
                    // done
                }
            });
        }
        // A call that blocks longer than this is a hang: close everything to free it, and fail.
        AtomicReference<String> hung = new AtomicReference<>();
        Thread watchdog = Thread.ofPlatform().daemon().name("misuse-watchdog").start(() -> {
            try {
                String seen = null;
                for (;;) {
                    Thread.sleep(10_000);
                    String now = current.get();
                    if (now != null && now == seen) {
                        hung.set(now);
                        for (Socket s : w.sockets) s.close();
                    }
                    seen = now;
                }
            } catch (InterruptedException done) {
                // sequence over
            }
        });
        try {
            for (int op = 0; op < OPS; op++) {
                int which = w.r.nextInt(OPERATIONS);
                String name = "#" + op + " op " + which;
                current.set(new String(name));
                w.log.add(name);
                calls++;
                try {
                    String d = operation(w, which);
                    w.log.set(w.log.size() - 1, name + " " + d + " -> ok");
                    count("ok");
                } catch (Throwable t) {
                    w.log.set(w.log.size() - 1, name + " -> " + t);
                    if (!documented(t)) {
                        throw new AssertionError("seed " + seed + " sequence " + index + ": undocumented " + t
                                + "\ncalls:\n  " + String.join("\n  ", w.log), t);
                    }
                    count(t instanceof java.nio.channels.AsynchronousCloseException ? "AsyncClosed"
                            : t.getClass().getSimpleName());
                }
                if (hung.get() != null) {
                    throw new AssertionError("seed " + seed + " sequence " + index + ": call blocked for 10 s: "
                            + hung.get() + "\ncalls:\n  " + String.join("\n  ", w.log));
                }
            }
        } finally {
            current.set(null);
            watchdog.interrupt();
            if (closer != null) {
                closer.interrupt();
                closer.join();
            }
            w.closeAll();
            watchdog.join();
            for (int fd : w.fileNumbers) {
                // Our pipes are closed: the number is free or names something else now.
                String t = Fds.target(fd);
                assertTrue(t == null || !t.startsWith("pipe:") || !w.fileTargets.contains(t),
                        "pipe fd " + fd + " still open after the sequence: " + t);
            }
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) Files.deleteIfExists(p);
            }
        }
    }

    private void count(String key) {
        outcomes.merge(key, 1, Integer::sum);
    }

    /** The exceptions the API documents for bad calls. */
    private static boolean documented(Throwable t) {
        if (t instanceof IOException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) return false;
            if (e instanceof SyscallError s) {
                // names the call and the errno symbol
                return e.getMessage().startsWith(s.call()) && e.getMessage().contains(s.errno().symbol());
            }
            return true;
        }
        return t instanceof IllegalArgumentException || t instanceof IndexOutOfBoundsException
                || t instanceof NullPointerException || t instanceof UnsupportedOperationException
                || t instanceof IllegalStateException;
    }

    private static final int OPERATIONS = 36;

    private static final List<SocketOption<?>> OPTIONS = List.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_LINGER,
            StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.IP_MULTICAST_TTL, LinuxSocketOptions.SO_TYPE,
            LinuxSocketOptions.SO_ERROR, LinuxSocketOptions.SO_ACCEPTCONN, LinuxSocketOptions.SO_PASSCRED,
            LinuxSocketOptions.SO_RCVTIMEO, LinuxSocketOptions.SO_BINDTODEVICE, LinuxSocketOptions.IP_TTL,
            LinuxSocketOptions.IPV6_V6ONLY, LinuxSocketOptions.SO_RCVLOWAT, LinuxSocketOptions.IP_OPTIONS,
            LinuxSocketOptions.ICMP_FILTER);

    /** One call (or a few) chosen by {@code which}; returns a short description for the log. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String operation(World w, int which) throws Exception {
        Random r = w.r;
        Socket s = w.socket();
        switch (which) {
            case 0, 1 -> {
                Family f = pick(r, Family.UNIX, Family.UNIX, Family.INET, Family.INET6);
                SocketType t = pick(r, SocketType.STREAM, SocketType.DGRAM, SocketType.SEQPACKET);
                if (w.sockets.size() < 8) w.add(Socket.open(f, t));
                return "open " + f + " " + t;
            }
            case 2 -> {
                SocketType t = pick(r, SocketType.STREAM, SocketType.DGRAM, SocketType.SEQPACKET, SocketType.RAW);
                if (w.sockets.size() < 8) {
                    SocketPair p = Socket.pair(t);
                    w.add(p.first());
                    w.add(p.second());
                }
                return "pair " + t;
            }
            case 3 -> {
                if (s != null) s.close();
                return "close " + s;
            }
            case 4 -> {
                if (s != null) {
                    s.close();
                    s.close();
                }
                return "close twice " + s;
            }
            case 5, 6 -> {
                SocketAddress a = w.names.get(r.nextInt(w.names.size()));
                if (s != null) s.bind(a);
                return "bind " + s + " " + a;
            }
            case 7 -> {
                int backlog = pick(r, 0, 1, 5, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
                if (s != null) s.listen(backlog);
                return "listen " + s + " " + backlog;
            }
            case 8 -> {
                if (s != null) {
                    Socket a = s.accept();
                    w.add(a);
                }
                return "accept " + s;
            }
            case 9 -> {
                SocketAddress a = target(w);
                if (s != null) {
                    if (r.nextBoolean()) s.connect(a);
                    else s.connectEx(a);
                }
                return "connect " + s + " " + a;
            }
            case 10, 11 -> {
                if (s != null) return "send " + s + " " + send(w, s, null);
                return "send none";
            }
            case 12 -> {
                SocketAddress a = target(w);
                if (s != null) return "sendto " + s + " " + send(w, s, a);
                return "sendto none";
            }
            case 13, 14 -> {
                if (s != null) return "recv " + s + " " + recv(w, s);
                return "recv none";
            }
            case 15 -> {
                if (s != null) return "sendmsg " + s + " " + sendMsg(w, s);
                return "sendmsg none";
            }
            case 16 -> {
                if (s != null) return "recvmsg " + s + " " + recvMsg(w, s);
                return "recvmsg none";
            }
            case 17 -> {
                Duration d = pick(r, Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(3), Duration.ofNanos(1),
                        Duration.ofSeconds(-1), Duration.ofNanos(-1));
                if (s != null) {
                    if (r.nextInt(4) == 0) s.setBlocking(false);
                    else s.setTimeout(d);
                    s.getTimeout();
                    s.isBlocking();
                }
                return "timeout " + s + " " + d;
            }
            case 18 -> {
                Shutdown h = pick(r, Shutdown.READ, Shutdown.WRITE, Shutdown.BOTH);
                if (s != null) s.shutdown(r.nextInt(8) == 0 ? null : h);
                return "shutdown " + s + " " + h;
            }
            case 19 -> {
                if (s != null) {
                    s.toString();
                    s.isClosed();
                    s.family();
                    switch (r.nextInt(4)) {
                        case 0 -> s.localAddress();
                        case 1 -> s.remoteAddress();
                        case 2 -> s.peerCredentials();
                        default -> s.peerPidFd().close();
                    }
                }
                return "addresses " + s;
            }
            case 20, 21 -> {
                SocketOption o = OPTIONS.get(r.nextInt(OPTIONS.size()));
                if (s != null && o != null) {
                    if (r.nextBoolean()) {
                        s.getOption(o);
                    } else {
                        s.setOption(o, optionValue(r, o));
                    }
                }
                return "option " + s + " " + o;
            }
            case 22 -> {
                if (w.files.size() < 6) {
                    OwnedFd[] p = OwnedFd.pipe();
                    for (OwnedFd f : p) {
                        w.files.add(f);
                        w.fileNumbers.add(f.fdNumber());
                        w.fileTargets.add(Fds.target(f.fdNumber()));
                    }
                }
                return "pipe";
            }
            case 23 -> {
                if (!w.files.isEmpty()) {
                    OwnedFd f = w.files.get(r.nextInt(w.files.size()));
                    byte[] b = new byte[r.nextInt(64)];
                    int off = r.nextInt(4) == 0 ? -1 : 0;
                    int len = r.nextInt(4) == 0 ? b.length + 1 : b.length;
                    switch (r.nextInt(5)) {
                        case 0 -> f.close();
                        case 1 -> f.write(b, off, len);
                        case 2 -> f.toSocket().close();
                        case 3 -> f.setInheritable(r.nextBoolean());
                        default -> f.isSocket();
                    }
                    return "fd " + f;
                }
                return "fd none";
            }
            case 24 -> {
                // Arenas: a segment of an arena that is then closed stays around to be misused.
                if (r.nextBoolean()) {
                    w.deadSegments.add(w.arena.allocate(64));
                    w.arena.close();
                    w.arena = Arena.ofConfined();
                }
                return "arena closed";
            }
            case 25 -> {
                if (s != null) {
                    if (r.nextBoolean()) {
                        s.sendBatch(w.batch, r.nextInt(3) - 1);
                    } else {
                        int n = s.recvBatch(w.batch.collectSenders(r.nextBoolean()));
                        if (n > 0) w.batch.sender(r.nextInt(n)); // throws IllegalStateException without senders
                    }
                }
                return "batch " + s;
            }
            case 26 -> {
                int len = pick(r, 0, 10, 300, -1);
                if (r.nextInt(6) == 0) {
                    w.batch.close();
                    w.batch = new MessageBatch(4, 256);
                }
                if (r.nextBoolean()) w.batch.clear();
                w.batch.add(new byte[Math.max(0, len)], 0, len, r.nextBoolean() ? null : target(w), pick(r, Family.UNIX, Family.INET, null));
                return "batch add " + len;
            }
            case 27 -> {
                // Adopting: only numbers that cannot be the JVM's (never close a random fd of the JVM).
                Socket.adopt(pick(r, -1, Integer.MIN_VALUE));
                return "adopt";
            }
            case 28 -> {
                if (s != null) {
                    byte[] b = new byte[r.nextInt(3000)];
                    if (r.nextBoolean()) s.sendAll(b);
                    else s.sendAll(ByteBuffer.wrap(b).asReadOnlyBuffer());
                }
                return "sendAll " + s;
            }
            case 29 -> {
                if (s != null) {
                    int n = pick(r, 0, 1, 100, 65536, -1);
                    if (r.nextBoolean()) s.recv(n);
                    else s.recvFrom(n);
                }
                return "recv(n) " + s;
            }
            case 30 -> {
                if (s != null) {
                    InetAddress g = InetAddress.getByName(pick(r, "224.0.0.251", "ff02::fb", "127.0.0.1"));
                    if (r.nextBoolean()) s.joinGroup(g, null);
                    else s.leaveGroup(g, null);
                }
                return "group " + s;
            }
            case 31 -> {
                if (s != null) {
                    s.setInheritable(r.nextBoolean());
                    s.isInheritable();
                }
                return "inheritable " + s;
            }
            case 32, 33 -> {
                // An EventLoop on either backend: registered, modified, polled and closed in any order.
                if (w.loop == null || r.nextInt(10) == 0) {
                    if (w.loop != null) w.loop.close();
                    w.loop = EventLoop.open(pick(r, EventLoop.Backend.EPOLL, EventLoop.Backend.IO_URING),
                            r.nextInt(4) == 0 ? 1 : 64);
                }
                EventLoop loop = w.loop;
                Set<EventLoop.Event> interest = r.nextInt(10) == 0 ? null : EnumSet.noneOf(EventLoop.Event.class);
                if (interest != null) for (EventLoop.Event e : EventLoop.Event.values()) if (r.nextBoolean()) interest.add(e);
                EventLoop.Trigger trigger = pick(r, EventLoop.Trigger.LEVEL, EventLoop.Trigger.EDGE, EventLoop.Trigger.ONESHOT);
                switch (r.nextInt(7)) {
                    case 0, 1 -> loop.register(s, interest, trigger);
                    case 2 -> loop.modify(s, interest, trigger);
                    case 3 -> loop.unregister(s);
                    case 4 -> loop.wakeup();
                    case 5 -> loop.close();
                    default -> {
                        for (EventLoop.Ready ready : loop.poll(pick(r, Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(-1)))) {
                            ready.toString();
                            ready.events();
                        }
                    }
                }
                return "eventloop " + s + " " + interest + " " + trigger;
            }
            default -> {
                // The rest: a socket that is closed at once and then used (use after close).
                if (s != null) {
                    s.close();
                    return "use after close " + s + " " + recv(w, s);
                }
                return "none";
            }
        }
    }

    private static SocketAddress target(World w) throws IOException {
        Random r = w.r;
        if (r.nextInt(3) == 0 && !w.sockets.isEmpty()) {
            try {
                return w.socket().localAddress();
            } catch (IOException closed) {
                return null;
            }
        }
        if (r.nextInt(10) == 0) return null;
        return w.names.get(r.nextInt(w.names.size()));
    }

    private static Object optionValue(Random r, SocketOption<?> o) {
        if (r.nextInt(10) == 0) return null;
        Class<?> t = o.type();
        if (t == Integer.class) return pick(r, 0, 1, -1, 4096, Integer.MAX_VALUE, Integer.MIN_VALUE);
        if (t == Boolean.class) return r.nextBoolean();
        if (t == Duration.class) return pick(r, Duration.ZERO, Duration.ofMillis(1), Duration.ofSeconds(-1));
        if (t == String.class) return pick(r, "", "lo", "nonexistent0", "x".repeat(40), "a\0b");
        if (t == byte[].class) return new byte[r.nextInt(50)];
        return null; // any other type: a null value
    }

    private static final Set<MsgFlag> SAFE_FLAGS = EnumSet.of(MsgFlag.PEEK, MsgFlag.DONTWAIT, MsgFlag.TRUNC,
            MsgFlag.OOB, MsgFlag.ERRQUEUE, MsgFlag.WAITALL, MsgFlag.EOR, MsgFlag.DONTROUTE, MsgFlag.CTRUNC);

    private static Set<MsgFlag> flags(Random r) {
        EnumSet<MsgFlag> f = EnumSet.noneOf(MsgFlag.class);
        if (r.nextInt(3) != 0) return f;
        for (MsgFlag m : SAFE_FLAGS) if (r.nextInt(5) == 0) f.add(m);
        return f;
    }

    /** A buffer of some kind, for sending (read-only allowed) or receiving. */
    private static Object buffer(World w, boolean forSend) {
        Random r = w.r;
        int size = r.nextInt(20) == 0 ? 256 * 1024 : r.nextInt(600);
        return switch (r.nextInt(12)) {
            case 0 -> new byte[size];
            case 1 -> ByteBuffer.allocate(size);
            case 2 -> ByteBuffer.allocateDirect(size);
            case 3 -> ByteBuffer.allocate(size).asReadOnlyBuffer();
            case 4 -> w.arena.allocate(Math.max(1, size));
            case 5 -> w.deadSegments.isEmpty() ? MemorySegment.ofArray(new byte[size]) : w.deadSegments.get(0);
            case 6 -> MemorySegment.ofArray(new byte[size]);
            case 7 -> MemorySegment.ofArray(new byte[size]).asReadOnly();
            case 8 -> new byte[0];
            case 9 -> MemorySegment.ofArray(new long[Math.max(1, size / 8)]); // heap segment of longs
            case 10 -> ByteBuffer.allocateDirect(size).slice(size / 2, size - size / 2);
            default -> null;
        };
    }

    private static String send(World w, Socket s, SocketAddress to) throws IOException {
        Random r = w.r;
        Object b = buffer(w, true);
        Set<MsgFlag> flags = flags(w.r);
        switch (b) {
            case byte[] a -> {
                int off = r.nextInt(8) == 0 ? pick(r, -1, a.length + 1, Integer.MAX_VALUE) : 0;
                int len = r.nextInt(8) == 0 ? pick(r, -1, a.length + 1, Integer.MAX_VALUE, Integer.MIN_VALUE) : a.length - Math.max(0, Math.min(off, a.length));
                if (to == null) s.send(a, off, len, flags);
                else s.sendTo(a, off, len, flags, to);
                return "byte[" + a.length + "] off " + off + " len " + len;
            }
            case ByteBuffer bb -> {
                if (to == null) s.send(bb, flags);
                else s.sendTo(bb, to);
                return bb.toString();
            }
            case MemorySegment m -> {
                if (to == null) s.send(m, flags);
                else s.sendTo(m, to);
                return m.toString();
            }
            case null -> {
                if (to == null) s.send((ByteBuffer) null);
                else s.sendTo((MemorySegment) null, to);
                return "null";
            }
            default -> throw new AssertionError(b);
        }
    }

    private static String recv(World w, Socket s) throws IOException {
        Random r = w.r;
        Object b = buffer(w, false);
        Set<MsgFlag> flags = flags(w.r);
        boolean from = r.nextBoolean();
        switch (b) {
            case byte[] a -> {
                int off = r.nextInt(8) == 0 ? pick(r, -1, a.length + 1) : 0;
                int len = r.nextInt(8) == 0 ? pick(r, -1, a.length + 1, Integer.MAX_VALUE) : a.length - Math.max(0, Math.min(off, a.length));
                if (from) s.recvFrom(a, off, len, flags);
                else s.recv(a, off, len, flags);
                return "byte[" + a.length + "] off " + off + " len " + len;
            }
            case ByteBuffer bb -> {
                if (from) s.recvFrom(bb);
                else s.recv(bb, flags);
                return bb.toString();
            }
            case MemorySegment m -> {
                if (from) s.recvFrom(m);
                else s.recv(m, flags);
                return m.toString();
            }
            case null -> {
                if (from) s.recvFrom((MemorySegment) null);
                else s.recv((byte[]) null);
                return "null";
            }
            default -> throw new AssertionError(b);
        }
    }

    private static List<ByteBuffer> buffers(World w, boolean forSend) {
        Random r = w.r;
        int n = r.nextInt(10) == 0 ? 65 + r.nextInt(3) : r.nextInt(4);
        List<ByteBuffer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object b = buffer(w, forSend);
            l.add(b instanceof ByteBuffer bb ? bb : ByteBuffer.allocate(r.nextInt(100)));
        }
        return l;
    }

    private static String sendMsg(World w, Socket s) throws IOException {
        Random r = w.r;
        List<ControlMessage> control = new ArrayList<>();
        switch (r.nextInt(6)) {
            case 0 -> {
                List<io.ffsock.FdOwner> fds = new ArrayList<>();
                int n = r.nextInt(10) == 0 ? 254 : 1 + r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    if (!w.files.isEmpty() && r.nextBoolean()) fds.add(w.files.get(r.nextInt(w.files.size())));
                    else if (!w.sockets.isEmpty()) fds.add(w.socket());
                }
                if (r.nextInt(10) == 0) fds.clear();
                control.add(new ControlMessage.Rights(fds));
            }
            case 1 -> control.add(ControlMessage.credentials(r.nextBoolean() ? Credentials.ofThisProcess()
                    : new Credentials(1, 0, 0)));
            case 2 -> control.add(new ControlMessage.Ttl(pick(r, 1, 64, 255, 256, -1)));
            case 3 -> control.add(new ControlMessage.Raw(r.nextInt(300), r.nextInt(100), new byte[r.nextInt(40)]));
            default -> { }
        }
        long n = s.sendMsg(buffers(w, true), control, flags(r), r.nextInt(4) == 0 ? target(w) : null);
        return n + " bytes " + control;
    }

    private static String recvMsg(World w, Socket s) throws IOException {
        Random r = w.r;
        int space = pick(w.r, 0, 16, 24, 2048, -1, 2 << 20, Socket.DEFAULT_CONTROL_SPACE);
        List<ByteBuffer> bufs = buffers(w, false);
        try (ReceivedMessage m = s.recvMsg(bufs, space, flags(r))) {
            m.toString();
            m.flags();
            m.credentials();
            return m.length() + " bytes " + m.fds().size() + " fds";
        }
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }
}
