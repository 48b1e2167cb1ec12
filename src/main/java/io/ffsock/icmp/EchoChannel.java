package io.ffsock.icmp;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.IcmpFilter;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.MsgFlag;
import io.ffsock.Protocol;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.packet.InternetChecksum;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One ICMP socket of a {@link Pinger} (a family, DF or not) and its receiver thread: sends the
 * echo requests the scheduler hands it and matches what comes back to its sequence slots.
 */
final class EchoChannel {
    private static final int EAGAIN = 11;
    private static final int EMSGSIZE = 90;
    private static final int SOL_IPV6 = 41;
    private static final int IPV6_TCLASS = 67;
    private static final Set<MsgFlag> ERRQUEUE_NOW = EnumSet.of(MsgFlag.ERRQUEUE, MsgFlag.DONTWAIT);

    enum State { IDLE, IN_FLIGHT, ANSWERED, TIMED_OUT }

    /** One sequence number's state; reused when the sequence wraps. Guarded by the pinger's lock. */
    static final class Slot {
        final EchoChannel channel;
        final int sequence;
        State state = State.IDLE;
        Pinger.Request request;
        long generation;
        long sentRealtime;
        int attempt;
        int payloadSize;

        Slot(EchoChannel channel, int sequence) {
            this.channel = channel;
            this.sequence = sequence;
        }
    }

    private final Pinger pinger;
    private final boolean v6;
    final boolean raw;
    private final Socket socket;
    private final int ident;
    private final int siblingIdent;
    private final long cookie;
    private final boolean broadcast;
    private final Slot[] slots = new Slot[65536];
    private int nextSequence = 1;
    int inFlight;
    private final byte[] out = new byte[8 + PingOptions.MAX_PAYLOAD];
    private final ByteBuffer in = ByteBuffer.allocate(65536 + 64);
    private final List<ByteBuffer> inList = List.of(in);
    private final ByteBuffer errors = ByteBuffer.allocate(65536 + 64);
    private final List<ByteBuffer> errorsList = List.of(errors);
    private final Thread receiver;

    private EchoChannel(Pinger pinger, Socket socket, boolean raw, boolean v6, boolean df, long cookie, boolean broadcast) {
        this.pinger = pinger;
        this.socket = socket;
        this.raw = raw;
        this.v6 = v6;
        this.cookie = cookie;
        this.broadcast = broadcast;
        // A raw socket sees every process's ICMP: its own identifier tells ours apart. A ping
        // socket's identifier is its port, set by the kernel; it only sees its own.
        // The DF socket of the same family differs in the top bit: each raw socket sees the
        // other's replies too and passes over them without counting them as foreign.
        int base = new java.util.Random(cookie ^ (v6 ? 6 : 4)).nextInt(0x8000);
        this.ident = df ? base | 0x8000 : base;
        this.siblingIdent = ident ^ 0x8000;
        for (int i = 0; i < slots.length; i++) slots[i] = new Slot(this, i);
        this.receiver = Thread.ofPlatform().daemon().name("ffsock-pinger-rx" + (v6 ? "6" : "4")).unstarted(this::receive);
    }

    /**
     * Opens the socket: raw if allowed (and asked for), else the ping socket; neither gives an
     * IOException that says what would allow one.
     */
    static EchoChannel open(Pinger pinger, PingerConfig config, boolean v6, boolean df, long cookie) throws IOException {
        Family family = v6 ? Family.INET6 : Family.INET;
        Protocol protocol = v6 ? Protocol.ICMPV6 : Protocol.ICMP;
        Socket s = null;
        boolean raw = false;
        IOException rawFailure = null;
        IOException dgramFailure = null;
        if (config.socketKind() != PingerConfig.SocketKind.DGRAM) {
            try {
                s = Socket.open(family, SocketType.RAW, protocol);
                raw = true;
            } catch (IOException e) {
                rawFailure = e;
            }
        }
        if (s == null && config.socketKind() != PingerConfig.SocketKind.RAW) {
            try {
                s = Socket.open(family, SocketType.DGRAM, protocol);
            } catch (IOException e) {
                dgramFailure = e;
            }
        }
        if (s == null) {
            StringBuilder m = new StringBuilder("no ICMP socket for the pinger: ");
            if (rawFailure != null) m.append(rawFailure.getMessage());
            if (rawFailure != null && dgramFailure != null) m.append("; ");
            if (dgramFailure != null) m.append(dgramFailure.getMessage());
            m.append(". A raw socket needs CAP_NET_RAW; a ping socket needs the process's group within"
                    + " net.ipv4.ping_group_range (now ").append(pingGroupRange()).append(")");
            IOException e = new IOException(m.toString(), rawFailure != null ? rawFailure : dgramFailure);
            if (rawFailure != null && dgramFailure != null) e.addSuppressed(dgramFailure);
            throw e;
        }
        try {
            s.setOption(LinuxSocketOptions.SO_TIMESTAMPNS, true);
            if (v6) {
                s.setOption(LinuxSocketOptions.IPV6_RECVHOPLIMIT, true);
                if (raw) s.setOption(LinuxSocketOptions.ICMP6_FILTER, IcmpFilter.passingOnly(1, 2, 3, 4, 129));
                else s.setOption(LinuxSocketOptions.IPV6_RECVERR, true);
                if (df) s.setOption(LinuxSocketOptions.IPV6_MTU_DISCOVER, 2);
            } else {
                if (raw) s.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(0, 3, 4, 5, 11, 12));
                else {
                    s.setOption(LinuxSocketOptions.IP_RECVERR, true);
                    s.setOption(LinuxSocketOptions.IP_RECVTTL, true);
                }
                if (df) s.setOption(LinuxSocketOptions.IP_MTU_DISCOVER, 2);
            }
            if (config.broadcast()) s.setOption(StandardSocketOptions.SO_BROADCAST, true);
            // Thousands of replies can arrive in a burst; the kernel caps this at net.core.rmem_max.
            s.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            if (config.interfaceName() != null) s.setOption(LinuxSocketOptions.SO_BINDTODEVICE, config.interfaceName());
            InetAddress source = v6 ? config.source6() : config.source4();
            if (source != null) s.bind(new InetSocketAddress(source, 0));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        EchoChannel c = new EchoChannel(pinger, s, raw, v6, df, cookie, config.broadcast());
        c.receiver.start();
        return c;
    }

    private static String pingGroupRange() {
        try {
            // Files.readString gives only "1" of "1\t0" here: the sysctl file reports size 0.
            try (var in = new java.io.FileInputStream("/proc/sys/net/ipv4/ping_group_range")) {
                return "'" + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip().replace('\t', ' ') + "'";
            }
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    // ---- sending (scheduler thread) -------------------------------------------------------

    /** Sends one attempt of {@code r}; called by the scheduler thread without the lock. */
    void send(Pinger.Request r) {
        Slot slot;
        long generation;
        PingOptions o = r.options;
        pinger.lock().lock();
        try {
            slot = freeSlot();
            if (slot == null) {
                // 65,535 requests in flight on this socket: try again when one is done.
                pinger.push(new Pinger.Task(System.nanoTime() + 1_000_000, r, null, 0));
                return;
            }
            slot.state = State.IN_FLIGHT;
            slot.request = r;
            slot.generation++;
            slot.attempt = r.attempts++;
            slot.payloadSize = o.payloadSize();
            slot.sentRealtime = Pinger.realtimeNanos();
            generation = slot.generation;
            inFlight++;
            r.target.sent++;
            pinger.push(new Pinger.Task(System.nanoTime() + o.attemptTimeoutNanos(slot.attempt), r, slot, generation));
        } finally {
            pinger.lock().unlock();
        }
        int length = build(slot.sequence, o.payloadSize(), slot.sentRealtime);
        String failure = null;
        for (int tries = 0; tries < 2; tries++) {
            try {
                transmit(r, length);
                failure = null;
                break;
            } catch (IOException e) {
                failure = e.getMessage();
                // On a ping socket an ICMP error queued earlier fails this send (ip(7)): read
                // the queue, then send once more.
                if (raw || !(e instanceof SyscallError)) break;
                drainErrors();
            }
        }
        if (failure != null) {
            pinger.lock().lock();
            try {
                if (slot.generation != generation || slot.state != State.IN_FLIGHT) return;
                slot.state = State.IDLE;
                inFlight--;
                pinger.complete(r, new PingResult.Failed(r.target.address, failure));
            } finally {
                pinger.lock().unlock();
            }
        }
    }

    private Slot freeSlot() {
        for (int i = 0; i < 65535; i++) {
            int seq = nextSequence;
            nextSequence = nextSequence == 65535 ? 1 : nextSequence + 1;
            if (slots[seq].state != State.IN_FLIGHT) return slots[seq];
        }
        return null;
    }

    /** Writes the echo request into {@code out}: header, cookie, send time, then bytes 16, 17, ... */
    private int build(int sequence, int payload, long sentRealtime) {
        byte[] b = out;
        b[0] = (byte) (v6 ? 128 : 8);
        b[1] = 0;
        b[2] = 0;
        b[3] = 0;
        b[4] = (byte) (ident >>> 8);
        b[5] = (byte) ident;
        b[6] = (byte) (sequence >>> 8);
        b[7] = (byte) sequence;
        if (payload >= PingOptions.COOKIE_BYTES) {
            putLong(b, 8, cookie);
            putLong(b, 16, sentRealtime);
            for (int i = PingOptions.COOKIE_BYTES; i < payload; i++) b[8 + i] = (byte) i;
        } else {
            for (int i = 0; i < payload; i++) b[8 + i] = (byte) i;
        }
        int length = 8 + payload;
        // The kernel computes the ICMPv6 checksum, and the ping socket's; a raw IPv4 one is ours.
        if (!v6 && raw) {
            int sum = InternetChecksum.checksum(b, 0, length);
            b[2] = (byte) (sum >>> 8);
            b[3] = (byte) sum;
        }
        return length;
    }

    private void transmit(Pinger.Request r, int length) throws IOException {
        PingOptions o = r.options;
        if (o.ttl() == 0 && o.tos() < 0) {
            socket.sendTo(out, 0, length, r.target.socketAddress);
            return;
        }
        List<ControlMessage> control = new java.util.ArrayList<>(2);
        if (o.ttl() > 0) control.add(v6 ? new ControlMessage.HopLimit(o.ttl()) : new ControlMessage.Ttl(o.ttl()));
        if (o.tos() >= 0) {
            if (v6) {
                byte[] tclass = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(o.tos()).array();
                control.add(new ControlMessage.Raw(SOL_IPV6, IPV6_TCLASS, tclass));
            } else {
                control.add(new ControlMessage.Tos(o.tos()));
            }
        }
        socket.sendMsg(List.of(ByteBuffer.wrap(out, 0, length)), control, Set.of(), r.target.socketAddress);
    }

    /** An attempt's timeout is due (lock held): the result to complete with, or null. */
    PingResult timeout(Slot slot, long generation) {
        if (slot.generation != generation || slot.state != State.IN_FLIGHT) return null;
        slot.state = State.TIMED_OUT;
        inFlight--;
        return pinger.attemptTimedOut(slot.request);
    }

    /** At close (lock held): the futures of every attempt in flight. */
    void abandonAll(List<CompletableFuture<PingResult>> into) {
        for (Slot s : slots) {
            if (s.state == State.IN_FLIGHT) {
                s.state = State.IDLE;
                into.add(s.request.result);
            }
        }
        inFlight = 0;
    }

    void close() {
        socket.close();
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- receiving (receiver thread) ------------------------------------------------------

    private void receive() {
        while (!socket.isClosed()) {
            in.clear();
            long stamp = 0;
            int ttl = -1;
            InetAddress from = null;
            try (ReceivedMessage m = socket.recvMsg(inList, 256, Set.of())) {
                for (ControlMessage c : m.control()) {
                    if (c instanceof ControlMessage.Timestamp t) stamp = t.epochNanos();
                    else if (c instanceof ControlMessage.Ttl t) ttl = t.ttl();
                    else if (c instanceof ControlMessage.HopLimit h) ttl = h.hopLimit();
                }
                if (m.sender() instanceof InetSocketAddress a) from = a.getAddress();
            } catch (IOException e) {
                if (socket.isClosed()) return;
                // A pending ICMP error fails the receive on a ping socket: read the error queue.
                if (!raw && e instanceof SyscallError) drainErrors();
                continue;
            } catch (RuntimeException e) {
                if (socket.isClosed()) return;
                continue;
            }
            if (stamp == 0) stamp = Pinger.realtimeNanos();
            try {
                if (v6) packet6(in.array(), in.position(), from, ttl, stamp);
                else if (raw) packet4Raw(in.array(), in.position(), stamp);
                else reply(u16(in.array(), 6), in.array(), 8, in.position() - 8, from, ttl, stamp, in.position());
            } catch (RuntimeException malformed) {
                countCorrupted();
            }
        }
    }

    /** A raw IPv4 packet: its IP header, then ICMP. */
    private void packet4Raw(byte[] b, int length, long stamp) {
        if (length < 20) return;
        int ihl = (b[0] & 0x0f) * 4;
        if (length < ihl + 8) return;
        InetAddress from = address(b, 12, 16);
        int ttl = b[8] & 0xff;
        int type = b[ihl] & 0xff;
        int code = b[ihl + 1] & 0xff;
        if (type == 0) {
            if (u16(b, ihl + 4) == siblingIdent) return;
            if (u16(b, ihl + 4) != ident) {
                countForeign();
                return;
            }
            // The kernel hands raw sockets ICMP before checking its checksum.
            if (InternetChecksum.checksum(b, ihl, length - ihl) != 0) {
                countCorrupted();
                return;
            }
            reply(u16(b, ihl + 6), b, ihl + 8, length - ihl - 8, from, ttl, stamp, length - ihl);
            return;
        }
        // An error: the quoted IP header and the first 8 bytes of our echo request.
        int q = ihl + 8;
        if (length < q + 20) return;
        int qihl = (b[q] & 0x0f) * 4;
        if (length < q + qihl + 8 || (b[q + 9] & 0xff) != 1) return;
        int e = q + qihl;
        if ((b[e] & 0xff) != 8 || u16(b, e + 4) != ident) return; // someone else's
        InetAddress quotedTarget = address(b, q + 16, q + 20);
        PingResult.Kind kind = switch (type) {
            case 3 -> code == 4 ? PingResult.Kind.FRAGMENTATION_NEEDED : PingResult.Kind.UNREACHABLE;
            case 11 -> PingResult.Kind.TIME_EXCEEDED;
            case 12 -> PingResult.Kind.PARAMETER_PROBLEM;
            default -> PingResult.Kind.OTHER;
        };
        int mtu = type == 3 && code == 4 ? u16(b, ihl + 6) : 0;
        error(u16(b, e + 6), quotedTarget, from, kind, type, code, mtu);
    }

    /** ICMPv6 from a raw or ping socket: no IPv6 header in front. */
    private void packet6(byte[] b, int length, InetAddress from, int hops, long stamp) {
        if (length < 8) return;
        int type = b[0] & 0xff;
        int code = b[1] & 0xff;
        if (type == 129) {
            if (raw && u16(b, 4) == siblingIdent) return;
            if (raw && u16(b, 4) != ident) {
                countForeign();
                return;
            }
            reply(u16(b, 6), b, 8, length - 8, from, hops, stamp, length);
            return;
        }
        if (!raw || type > 4) return;
        // The invoking packet: its IPv6 header (40 bytes), then our echo request.
        int q = 8;
        if (length < q + 40 + 8 || (b[q + 6] & 0xff) != 58) return;
        int e = q + 40;
        if ((b[e] & 0xff) != 128 || u16(b, e + 4) != ident) return;
        InetAddress quotedTarget = address(b, q + 24, q + 40);
        PingResult.Kind kind = switch (type) {
            case 1 -> PingResult.Kind.UNREACHABLE;
            case 2 -> PingResult.Kind.FRAGMENTATION_NEEDED;
            case 3 -> PingResult.Kind.TIME_EXCEEDED;
            default -> PingResult.Kind.PARAMETER_PROBLEM;
        };
        int mtu = type == 2 ? (int) Math.min(Integer.MAX_VALUE, u32(b, 4)) : 0;
        error(u16(b, e + 6), quotedTarget, from, kind, type, code, mtu);
    }

    /** Reads the ping socket's error queue (IP_RECVERR) until it is empty. */
    private void drainErrors() {
        for (;;) {
            errors.clear();
            ControlMessage.ExtendedError x = null;
            try (ReceivedMessage m = socket.recvMsg(errorsList, 512, ERRQUEUE_NOW)) {
                for (ControlMessage c : m.control()) if (c instanceof ControlMessage.ExtendedError e) x = e;
            } catch (IOException e) {
                return; // EAGAIN: empty (or closed)
            }
            if (x == null || errors.position() < 8) continue;
            int seq = u16(errors.array(), 6);
            if (x.origin() == ControlMessage.ExtendedError.ORIGIN_LOCAL) {
                localError(seq, x.errno().value() == EMSGSIZE
                        ? "local error: message too long, mtu=" + x.info()
                        : "local error: " + x.errno().description());
                continue;
            }
            boolean icmp6 = x.origin() == ControlMessage.ExtendedError.ORIGIN_ICMP6;
            int type = x.type();
            int code = x.code();
            PingResult.Kind kind;
            if (icmp6) {
                kind = switch (type) {
                    case 1 -> PingResult.Kind.UNREACHABLE;
                    case 2 -> PingResult.Kind.FRAGMENTATION_NEEDED;
                    case 3 -> PingResult.Kind.TIME_EXCEEDED;
                    case 4 -> PingResult.Kind.PARAMETER_PROBLEM;
                    default -> PingResult.Kind.OTHER;
                };
            } else {
                kind = switch (type) {
                    case 3 -> code == 4 ? PingResult.Kind.FRAGMENTATION_NEEDED : PingResult.Kind.UNREACHABLE;
                    case 11 -> PingResult.Kind.TIME_EXCEEDED;
                    case 12 -> PingResult.Kind.PARAMETER_PROBLEM;
                    default -> PingResult.Kind.OTHER;
                };
            }
            int mtu = kind == PingResult.Kind.FRAGMENTATION_NEEDED ? x.info() : 0;
            error(seq, null, x.offender() == null ? null : x.offender().getAddress(), kind, type, code, mtu);
        }
    }

    // ---- matching (receiver thread, under the pinger's lock) ------------------------------

    private void reply(int seq, byte[] b, int off, int payload, InetAddress from, int ttl, long stamp, int bytes) {
        pinger.lock().lock();
        try {
            Slot s = slots[seq];
            if (s.state == State.IDLE || s.request == null) {
                pinger.foreign++;
                return;
            }
            Pinger.Target t = s.request.target;
            if (from != null && !from.equals(t.address) && !broadcast) {
                pinger.foreign++;
                return;
            }
            if (payload >= PingOptions.COOKIE_BYTES && s.payloadSize >= PingOptions.COOKIE_BYTES) {
                if (getLong(b, off) != cookie) {
                    // Another process's request with our identifier (raw), or a mangled one.
                    if (raw) pinger.foreign++;
                    else pinger.corrupted++;
                    return;
                }
                if (getLong(b, off + 8) != s.sentRealtime) {
                    pinger.late++; // an earlier request with this sequence number
                    return;
                }
            }
            if (payload != s.payloadSize || !patternHolds(b, off, payload)) {
                pinger.corrupted++;
                return;
            }
            switch (s.state) {
                case IN_FLIGHT -> {
                    s.state = State.ANSWERED;
                    inFlight--;
                    long rtt = Math.max(0, stamp - s.sentRealtime);
                    t.reply(rtt);
                    PingResult.Reply r = new PingResult.Reply(t.address, rtt, ttl, bytes, s.attempt);
                    Pinger.Request answered = s.request; // the slot may be reused while the observer runs
                    pinger.observed(seq, r, false);
                    pinger.complete(answered, r);
                }
                case ANSWERED -> {
                    pinger.duplicates++;
                    t.dups++;
                    pinger.observed(seq, new PingResult.Reply(t.address, Math.max(0, stamp - s.sentRealtime), ttl, bytes, s.attempt), true);
                }
                default -> pinger.late++;
            }
        } finally {
            pinger.lock().unlock();
        }
    }

    private static boolean patternHolds(byte[] b, int off, int payload) {
        int from = payload >= PingOptions.COOKIE_BYTES ? PingOptions.COOKIE_BYTES : 0;
        for (int i = from; i < payload; i++) if (b[off + i] != (byte) i) return false;
        return true;
    }

    /** An ICMP error about request {@code seq}; {@code quotedTarget} null when the kernel matched it (ping socket). */
    private void error(int seq, InetAddress quotedTarget, InetAddress router, PingResult.Kind kind, int type, int code, int mtu) {
        pinger.lock().lock();
        try {
            Slot s = slots[seq];
            if (s.state != State.IN_FLIGHT || (quotedTarget != null && !quotedTarget.equals(s.request.target.address))) {
                pinger.late++;
                return;
            }
            s.state = State.ANSWERED;
            inFlight--;
            Pinger.Target t = s.request.target;
            t.errors++;
            PingResult.IcmpError e = new PingResult.IcmpError(t.address, router == null ? t.address : router,
                    kind, type, code, mtu, s.attempt);
            Pinger.Request answered = s.request; // the slot may be reused while the observer runs
            pinger.observed(seq, e, false);
            pinger.complete(answered, e);
        } finally {
            pinger.lock().unlock();
        }
    }

    private void localError(int seq, String message) {
        pinger.lock().lock();
        try {
            Slot s = slots[seq];
            if (s.state != State.IN_FLIGHT) return;
            s.state = State.ANSWERED;
            inFlight--;
            PingResult.Failed f = new PingResult.Failed(s.request.target.address, message);
            Pinger.Request answered = s.request; // the slot may be reused while the observer runs
            pinger.observed(seq, f, false);
            pinger.complete(answered, f);
        } finally {
            pinger.lock().unlock();
        }
    }

    private void countForeign() {
        countStray(false);
    }

    private void countCorrupted() {
        countStray(true);
    }

    private void countStray(boolean corrupted) {
        pinger.lock().lock();
        try {
            if (corrupted) pinger.corrupted++;
            else pinger.foreign++;
        } finally {
            pinger.lock().unlock();
        }
    }

    private static InetAddress address(byte[] b, int from, int to) {
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, from, to));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes
        }
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    private static long u32(byte[] b, int off) {
        return (long) u16(b, off) << 16 | u16(b, off + 2);
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (b[off + i] & 0xff);
        return v;
    }
}
