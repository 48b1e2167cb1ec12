package io.ffsock.icmp;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.IcmpFilter;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.MessageInfo;
import io.ffsock.MsgFlag;
import io.ffsock.Protocol;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.packet.InternetChecksum;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.EnumSet;
import java.util.Set;

/**
 * One ICMP socket of a {@link Pinger} (a family, DF or not) and its receiver thread: sends the
 * echo requests the scheduler hands it and matches what comes back to its sequence slots.
 */
final class EchoChannel {
    private static final int EMSGSIZE = 90;
    private static final Set<MsgFlag> ERRQUEUE_NOW = EnumSet.of(MsgFlag.ERRQUEUE, MsgFlag.DONTWAIT);

    enum State { IDLE, IN_FLIGHT, ANSWERED, TIMED_OUT }

    /** One sequence number's state; reused when the sequence wraps. Guarded by the pinger's lock. */
    static final class Slot {
        final int sequence;
        State state = State.IDLE;
        Pinger.Request request;
        long generation;
        long sentRealtime;
        int attempt;
        int payloadSize;

        Slot(int sequence) {
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
    // The TTL and TOS the socket sends with now, in PingOptions' terms (0 and -1: the defaults).
    private int socketTtl = 0;
    private int socketTos = -1;
    // The receiver thread's: what a receive fills in, reused for every packet (it allocates nothing).
    private final byte[] in = new byte[65536 + 64];
    private final MessageInfo inInfo = new MessageInfo();
    private final byte[] from = new byte[16];
    // The error queue is read by the receiver and, before a send, by the scheduler: each its own.
    private final byte[] rxErrors = new byte[576];
    private final MessageInfo rxErrorInfo = new MessageInfo();
    private final byte[] txErrors = new byte[576];
    private final MessageInfo txErrorInfo = new MessageInfo();
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
        for (int i = 0; i < slots.length; i++) slots[i] = new Slot(i);
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

    Thread receiver() {
        return receiver;
    }

    /**
     * Takes a free sequence slot for the next attempt of {@code r} and schedules its timeout
     * (lock held, scheduler thread); null when 65,535 attempts are in flight on this socket, and
     * then {@code r} is scheduled again a millisecond later.
     */
    Slot claim(Pinger.Request r, long now) {
        PingOptions o = r.options;
        Slot slot = freeSlot();
        if (slot == null) {
            pinger.push(r, now + 1_000_000, null);
            return null;
        }
        slot.state = State.IN_FLIGHT;
        slot.request = r;
        slot.generation++;
        slot.attempt = r.attempts++;
        slot.payloadSize = o.payloadSize();
        slot.sentRealtime = Pinger.realtimeNanos();
        inFlight++;
        r.target.sent++;
        pinger.push(r, now + o.attemptTimeoutNanos(slot.attempt), slot);
        return slot;
    }

    /** Sends the attempt {@link #claim} prepared; scheduler thread, without the lock. */
    void transmit(Pinger.Request r, Slot slot, long generation) {
        PingOptions o = r.options;
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
                drainErrors(txErrors, txErrorInfo);
            }
        }
        if (failure != null) {
            PingResult result;
            synchronized (pinger.lock()) {
                if (slot.generation != generation || slot.state != State.IN_FLIGHT) return;
                slot.state = State.IDLE;
                inFlight--;
                pinger.unschedule(r);
                result = new PingResult.Failed(r.target.address, failure);
            }
            r.result.complete(result);
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

    /**
     * Sends with the request's TTL and TOS. The scheduler is this socket's only sender, so they are
     * socket options set when they change (one setsockopt for a run of requests that share them,
     * none for the defaults) and every send stays a sendto(2) that allocates nothing, where
     * sendmsg(2) would need a control-message list per send.
     */
    private void transmit(Pinger.Request r, int length) throws IOException {
        PingOptions o = r.options;
        if (o.ttl() != socketTtl) {
            // -1 restores the route's default (ip(7), ipv6(7)); PingOptions says 0 for it.
            socket.setOption(v6 ? LinuxSocketOptions.IPV6_UNICAST_HOPS : LinuxSocketOptions.IP_TTL, o.ttl() == 0 ? -1 : o.ttl());
            socketTtl = o.ttl();
        }
        if (o.tos() != socketTos) {
            // IPV6_TCLASS takes -1 for the default; IPv4's default TOS is 0.
            socket.setOption(StandardSocketOptions.IP_TOS, o.tos() >= 0 ? o.tos() : v6 ? -1 : 0);
            socketTos = o.tos();
        }
        socket.sendTo(out, 0, length, r.target.socketAddress);
    }

    /**
     * The timeout of {@code r}'s attempt is due (lock held; the scheduler took it out of the
     * schedule): the result to complete with, or null when it is sent again.
     */
    PingResult timeout(Pinger.Request r) {
        Slot slot = r.slot;
        r.slot = null;
        if (slot.state != State.IN_FLIGHT || slot.request != r) return null;
        slot.state = State.TIMED_OUT;
        inFlight--;
        return pinger.attemptTimedOut(r);
    }

    /** At close (lock held): no attempt is in flight any more (the pinger completes their futures). */
    void abandonAll() {
        for (Slot s : slots) if (s.state == State.IN_FLIGHT) s.state = State.IDLE;
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
        while (!socket.isClosed()) receiveOne();
    }

    /**
     * Receives and matches one packet. A method of its own, not the body of the loop above: C2
     * then compiles it as a unit with the whole recvmsg path inlined, where escape analysis
     * removes the objects the foreign call makes (an OSR compile of the loop runs out of inlining
     * budget first, and each packet then cost 40 bytes).
     */
    private void receiveOne() {
        MessageInfo info = inInfo;
        int n;
        try {
            n = socket.recvMsg(in, 0, in.length, info, Set.of());
        } catch (IOException e) {
            if (socket.isClosed()) return;
            // A pending ICMP error fails the receive on a ping socket: read the error queue.
            if (!raw && e instanceof SyscallError) drainErrors(rxErrors, rxErrorInfo);
            return;
        } catch (RuntimeException e) {
            return;
        }
        long stamp = info.hasTimestamp() ? info.timestampNanos() : Pinger.realtimeNanos();
        int fromLength = info.copySenderAddress(from);
        n = Math.min(n, in.length);
        try {
            if (v6) packet6(in, n, from, fromLength, info.ttl(), stamp);
            else if (raw) packet4Raw(in, n, stamp);
            else if (n >= 8) reply(u16(in, 6), in, 8, n - 8, from, 0, fromLength, info.ttl(), stamp, n);
        } catch (RuntimeException malformed) {
            countCorrupted();
        }
    }

    /** A raw IPv4 packet: its IP header, then ICMP. */
    private void packet4Raw(byte[] b, int length, long stamp) {
        if (length < 20) return;
        int ihl = (b[0] & 0x0f) * 4;
        if (length < ihl + 8) return;
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
            reply(u16(b, ihl + 6), b, ihl + 8, length - ihl - 8, b, 12, 4, ttl, stamp, length - ihl);
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
        error(u16(b, e + 6), quotedTarget, address(b, 12, 16), kind, type, code, mtu);
    }

    /** ICMPv6 from a raw or ping socket: no IPv6 header in front. */
    private void packet6(byte[] b, int length, byte[] from, int fromLength, int hops, long stamp) {
        if (length < 8) return;
        int type = b[0] & 0xff;
        int code = b[1] & 0xff;
        if (type == 129) {
            if (raw && u16(b, 4) == siblingIdent) return;
            if (raw && u16(b, 4) != ident) {
                countForeign();
                return;
            }
            reply(u16(b, 6), b, 8, length - 8, from, 0, fromLength, hops, stamp, length);
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
        error(u16(b, e + 6), quotedTarget, fromLength == 16 ? address(from, 0, 16) : null, kind, type, code, mtu);
    }

    /**
     * Reads the ping socket's error queue (IP_RECVERR) until it is empty, into the calling
     * thread's own buffer and holder (the receiver and the scheduler both come here).
     */
    private void drainErrors(byte[] buffer, MessageInfo x) {
        for (;;) {
            int n;
            try {
                n = socket.recvMsg(buffer, 0, buffer.length, x, ERRQUEUE_NOW);
            } catch (IOException e) {
                return; // EAGAIN: empty (or closed)
            }
            if (!x.hasError() || n < 8) continue;
            int seq = u16(buffer, 6);
            if (x.errorOrigin() == ControlMessage.ExtendedError.ORIGIN_LOCAL) {
                localError(seq, x.errorErrno() == EMSGSIZE
                        ? "local error: message too long, mtu=" + x.errorInfo()
                        : "local error: " + new io.ffsock.Errno(x.errorErrno()).description());
                continue;
            }
            boolean icmp6 = x.errorOrigin() == ControlMessage.ExtendedError.ORIGIN_ICMP6;
            int type = x.errorType();
            int code = x.errorCode();
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
            int mtu = kind == PingResult.Kind.FRAGMENTATION_NEEDED ? x.errorInfo() : 0;
            error(seq, null, x.errorOffender(), kind, type, code, mtu);
        }
    }

    // ---- matching (receiver thread, under the pinger's lock) ------------------------------

    /**
     * An echo reply for sequence {@code seq}; its source address is {@code src[srcOff, srcOff+srcLength)}
     * (length 0: unknown). Matches under the lock and completes the request after it.
     */
    private void reply(int seq, byte[] b, int off, int payload, byte[] src, int srcOff, int srcLength, int ttl, long stamp, int bytes) {
        Pinger.Request done = null;
        PingResult result = null;
        PingResult.Reply duplicate = null;
        synchronized (pinger.lock()) {
            Slot s = slots[seq];
            if (s.state == State.IDLE || s.request == null) {
                pinger.foreign++;
                return;
            }
            Pinger.Target t = s.request.target;
            if (srcLength != 0 && !broadcast && !java.util.Arrays.equals(src, srcOff, srcOff + srcLength, t.addressBytes, 0, t.addressBytes.length)) {
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
                    done = s.request;
                    pinger.unschedule(done);
                    result = new PingResult.Reply(t.address, rtt, ttl, bytes, s.attempt);
                }
                case ANSWERED -> {
                    pinger.duplicates++;
                    t.dups++;
                    if (pinger.observed()) duplicate = new PingResult.Reply(t.address, Math.max(0, stamp - s.sentRealtime), ttl, bytes, s.attempt);
                }
                default -> pinger.late++;
            }
        }
        if (duplicate != null) pinger.observed(seq, duplicate, true);
        if (done != null) {
            pinger.observed(seq, result, false);
            done.result.complete(result);
        }
    }

    private static boolean patternHolds(byte[] b, int off, int payload) {
        int from = payload >= PingOptions.COOKIE_BYTES ? PingOptions.COOKIE_BYTES : 0;
        for (int i = from; i < payload; i++) if (b[off + i] != (byte) i) return false;
        return true;
    }

    /** An ICMP error about request {@code seq}; {@code quotedTarget} null when the kernel matched it (ping socket). */
    private void error(int seq, InetAddress quotedTarget, InetAddress router, PingResult.Kind kind, int type, int code, int mtu) {
        Pinger.Request done;
        PingResult result;
        synchronized (pinger.lock()) {
            Slot s = slots[seq];
            if (s.state != State.IN_FLIGHT || (quotedTarget != null && !quotedTarget.equals(s.request.target.address))) {
                pinger.late++;
                return;
            }
            s.state = State.ANSWERED;
            inFlight--;
            done = s.request;
            pinger.unschedule(done);
            Pinger.Target t = done.target;
            t.errors++;
            result = new PingResult.IcmpError(t.address, router == null ? t.address : router, kind, type, code, mtu, s.attempt);
        }
        pinger.observed(seq, result, false);
        done.result.complete(result);
    }

    private void localError(int seq, String message) {
        Pinger.Request done;
        synchronized (pinger.lock()) {
            Slot s = slots[seq];
            if (s.state != State.IN_FLIGHT) return;
            s.state = State.ANSWERED;
            inFlight--;
            done = s.request;
            pinger.unschedule(done);
        }
        PingResult.Failed failed = new PingResult.Failed(done.target.address, message);
        pinger.observed(seq, failed, false);
        done.result.complete(failed);
    }

    private void countForeign() {
        countStray(false);
    }

    private void countCorrupted() {
        countStray(true);
    }

    private void countStray(boolean corrupted) {
        synchronized (pinger.lock()) {
            if (corrupted) pinger.corrupted++;
            else pinger.foreign++;
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
