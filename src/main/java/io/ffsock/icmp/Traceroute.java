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
import io.ffsock.packet.IcmpDestinationUnreachable;
import io.ffsock.packet.IcmpEcho;
import io.ffsock.packet.IcmpMessage;
import io.ffsock.packet.IcmpTimeExceeded;
import io.ffsock.packet.Icmpv6DestinationUnreachable;
import io.ffsock.packet.Icmpv6Echo;
import io.ffsock.packet.Icmpv6Message;
import io.ffsock.packet.Icmpv6PacketTooBig;
import io.ffsock.packet.Icmpv6TimeExceeded;
import io.ffsock.packet.Ipv4Header;
import io.ffsock.packet.Ipv6Header;
import io.ffsock.packet.MalformedPacketException;
import io.ffsock.packet.QuotedDatagram;
import io.ffsock.packet.QuotedIpv6Packet;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One trace of the route to a destination, as Debian's traceroute does it: probes with TTL (IPv6:
 * hop limit) {@code first..max}, several per hop, up to {@link TracerouteConfig#simultaneous()}
 * of them in flight at once (its {@code -N}), each answered by ICMP time exceeded from a router on
 * the way, or by the destination (echo reply, port unreachable), or not at all within the wait.
 * Hops are handed to the listener in TTL order as soon as each is complete; the trace ends at the
 * first hop that reached the destination or was reported unreachable, or at the max TTL.
 *
 * <p>Probes are ICMP echo requests ({@link TracerouteConfig.Method#ICMP}: a raw socket, or the
 * ping socket without CAP_NET_RAW) or UDP datagrams to ports 33434 and up (no privilege). A raw
 * socket matches errors to probes by the datagram they quote; ping and UDP sockets read them from
 * their error queue (IP_RECVERR). Round-trip times run from just before sendto(2) to the kernel's
 * receive timestamp (SO_TIMESTAMPNS). This is a compound helper over socket(2), sendto(2) and
 * recvmsg(2); see raw(7), icmp(7), udp(7) and ip(7).
 *
 * <pre>{@code
 * try (Traceroute t = Traceroute.open(destination, TracerouteConfig.defaults())) {
 *     TraceResult r = t.run(hop -> System.out.println(hop));
 * }
 * }</pre>
 *
 * <p>A {@code Traceroute} runs once; open another for another trace. Open it, then {@link #run}
 * (blocking, in the caller's thread) or {@link #start} (in a virtual thread of its own).
 */
public final class Traceroute implements AutoCloseable {
    private static final Set<MsgFlag> ERRQUEUE_NOW = EnumSet.of(MsgFlag.ERRQUEUE, MsgFlag.DONTWAIT);
    private static final int EAGAIN = 11;

    private final InetAddress destination;
    private final InetSocketAddress echoTarget;
    private final TracerouteConfig config;
    private final boolean v6;
    private final boolean udp;
    private final Socket socket;
    private final boolean raw;
    private final int ident;
    private final byte[] data;
    private final ByteBuffer in = ByteBuffer.allocate(65536 + 64);
    private final List<ByteBuffer> inList = List.of(in);
    private final ByteBuffer queued = ByteBuffer.allocate(65536 + 64);
    private final List<ByteBuffer> queuedList = List.of(queued);
    private final AtomicBoolean used = new AtomicBoolean();
    private Probe[] probes;
    private int sent;
    private int limit;

    /** One probe: when it went, and what came of it (null while in flight). */
    private static final class Probe {
        final int ttl;
        final long sentNanos;
        final long sentRealtime;
        TraceProbe result;

        Probe(int ttl, long sentNanos, long sentRealtime) {
            this.ttl = ttl;
            this.sentNanos = sentNanos;
            this.sentRealtime = sentRealtime;
        }
    }

    private Traceroute(InetAddress destination, TracerouteConfig config, Socket socket, boolean raw) {
        this.destination = destination;
        this.echoTarget = new InetSocketAddress(destination, 0);
        this.config = config;
        this.v6 = destination instanceof Inet6Address;
        this.udp = config.method() == TracerouteConfig.Method.UDP;
        this.socket = socket;
        this.raw = raw;
        // A raw socket sees every process's ICMP: a random identifier tells this trace's apart.
        this.ident = new java.security.SecureRandom().nextInt(0x10000);
        this.data = new byte[config.dataLength()];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (0x40 + i);
    }

    /**
     * Opens the socket the trace will use, so that a missing privilege, a source address that is
     * not local or an unknown interface fails here, before anything is sent.
     *
     * @throws IOException if no socket of the kind asked for can be opened or set up; for ICMP
     *                     without CAP_NET_RAW nor a ping socket, the message says what allows one
     */
    public static Traceroute open(InetAddress destination, TracerouteConfig config) throws IOException {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(config, "config");
        boolean v6 = destination instanceof Inet6Address;
        Family family = v6 ? Family.INET6 : Family.INET;
        Protocol icmp = v6 ? Protocol.ICMPV6 : Protocol.ICMP;
        Socket s = null;
        boolean raw = false;
        if (config.method() == TracerouteConfig.Method.UDP) {
            s = Socket.open(family, SocketType.DGRAM, Protocol.UDP);
        } else {
            IOException rawRefused = null;
            if (config.socketKind() != PingerConfig.SocketKind.DGRAM) {
                try {
                    s = Socket.open(family, SocketType.RAW, icmp);
                    raw = true;
                } catch (IOException e) {
                    if (config.socketKind() == PingerConfig.SocketKind.RAW) throw e;
                    rawRefused = e;
                }
            }
            if (s == null) {
                try {
                    s = Socket.open(family, SocketType.DGRAM, icmp);
                } catch (IOException pingRefused) {
                    if (rawRefused == null) throw pingRefused;
                    rawRefused.addSuppressed(pingRefused);
                    throw rawRefused; // its message names both ways in
                }
            }
        }
        try {
            s.setOption(LinuxSocketOptions.SO_TIMESTAMPNS, true);
            if (v6) {
                // echo reply, and the errors that end or answer a probe: unreachable, too big, time exceeded
                if (raw) s.setOption(LinuxSocketOptions.ICMP6_FILTER, IcmpFilter.passingOnly(1, 2, 3, 129));
                else s.setOption(LinuxSocketOptions.IPV6_RECVERR, true);
            } else if (raw) {
                s.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(0, 3, 11));
            } else {
                s.setOption(LinuxSocketOptions.IP_RECVERR, true);
            }
            if (config.interfaceName() != null) s.setOption(LinuxSocketOptions.SO_BINDTODEVICE, config.interfaceName());
            InetAddress source = v6 ? config.source6() : config.source4();
            if (source != null) s.bind(new InetSocketAddress(source, 0));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return new Traceroute(destination, config, s, raw);
    }

    /**
     * Opens a trace and runs it in a virtual thread: the future completes with the result, or
     * exceptionally if the socket cannot be opened or a receive fails.
     */
    public static CompletableFuture<TraceResult> trace(InetAddress destination, TracerouteConfig config) {
        return trace(destination, config, hop -> { });
    }

    /** {@link #trace(InetAddress, TracerouteConfig)}, handing each hop to {@code listener} as it completes. */
    public static CompletableFuture<TraceResult> trace(InetAddress destination, TracerouteConfig config,
                                                       Consumer<? super TraceHop> listener) {
        try {
            return open(destination, config).start(listener);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Opens a trace and runs it in the calling thread: the blocking convenience. */
    public static TraceResult traceAndWait(InetAddress destination, TracerouteConfig config)
            throws IOException, InterruptedException {
        try (Traceroute t = open(destination, config)) {
            return t.run(hop -> { });
        }
    }

    /** The destination. */
    public InetAddress destination() {
        return destination;
    }

    /** The configuration. */
    public TracerouteConfig config() {
        return config;
    }

    /** Which socket carries the probes: RAW (ICMP with CAP_NET_RAW) or DGRAM (ping socket, or UDP). */
    public PingerConfig.SocketKind socketKind() {
        return raw ? PingerConfig.SocketKind.RAW : PingerConfig.SocketKind.DGRAM;
    }

    /** The size of each probe on the wire: IP header (20, IPv6 40), ICMP or UDP header (8) and the data. */
    public int packetLength() {
        return (v6 ? Ipv6Header.LENGTH : Ipv4Header.MIN_LENGTH) + 8 + config.dataLength();
    }

    /**
     * Runs the trace in a new virtual thread and closes the socket when it ends. Cancelling the
     * future stops the trace at its next step.
     *
     * @throws IllegalStateException if this trace was already run or started
     */
    public CompletableFuture<TraceResult> start(Consumer<? super TraceHop> listener) {
        Objects.requireNonNull(listener, "listener");
        if (!used.compareAndSet(false, true)) throw new IllegalStateException("this trace has already run");
        CompletableFuture<TraceResult> result = new CompletableFuture<>();
        Thread.ofVirtual().name("ffsock-traceroute").start(() -> {
            try (this) {
                result.complete(loop(listener, result));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Runs the trace in the calling thread, calling {@code listener} with each hop in TTL order
     * as soon as it is complete; returns every hop. Interruptible. Does not close the socket.
     *
     * @throws IOException if a send or receive fails for a reason other than an ICMP error
     * @throws IllegalStateException if this trace was already run or started
     */
    public TraceResult run(Consumer<? super TraceHop> listener) throws IOException, InterruptedException {
        Objects.requireNonNull(listener, "listener");
        if (!used.compareAndSet(false, true)) throw new IllegalStateException("this trace has already run");
        return loop(listener, null);
    }

    /** Closes the socket. Idempotent. */
    @Override
    public void close() {
        socket.close();
    }

    // ---- the probe loop -------------------------------------------------------------------

    private TraceResult loop(Consumer<? super TraceHop> listener, CompletableFuture<?> cancel)
            throws IOException, InterruptedException {
        int first = config.firstTtl();
        int q = config.probesPerHop();
        int hopCount = config.maxTtl() - first + 1;
        long waitNanos = config.probeWait().toNanos();
        probes = new Probe[hopCount * q];
        limit = probes.length;
        List<TraceHop> hops = new ArrayList<>();
        int nextHop = 0;
        int oldestPending = 0;
        warmUp();
        for (;;) {
            if (Thread.interrupted()) throw new InterruptedException("traceroute interrupted");
            if (cancel != null && cancel.isDone()) return new TraceResult(destination, hops);
            int inFlight = 0;
            for (int n = oldestPending; n < sent; n++) if (probes[n].result == null) inFlight++;
            while (sent < limit && inFlight < config.simultaneous()) {
                if (send(first + sent / q)) inFlight++;
            }
            long now = System.nanoTime();
            long nextDeadline = Long.MAX_VALUE;
            for (int n = oldestPending; n < sent; n++) {
                Probe p = probes[n];
                if (p.result != null) continue;
                long due = p.sentNanos + waitNanos;
                if (due - now <= 0) p.result = new TraceProbe.Timeout(p.ttl);
                else nextDeadline = Math.min(nextDeadline, due);
            }
            while (oldestPending < sent && probes[oldestPending].result != null) oldestPending++;
            // Hand over every complete hop, in order.
            while (nextHop * q < limit) {
                int base = nextHop * q;
                if (base + q > sent) break;
                List<TraceProbe> these = new ArrayList<>(q);
                for (int i = base; i < base + q && probes[i].result != null; i++) these.add(probes[i].result);
                if (these.size() < q) break;
                TraceHop hop = new TraceHop(first + nextHop, these);
                hops.add(hop);
                listener.accept(hop);
                nextHop++;
                if (hop.endsTrace()) return new TraceResult(destination, hops);
            }
            if (nextHop * q >= limit) return new TraceResult(destination, hops);
            if (nextDeadline == Long.MAX_VALUE) continue; // more to send
            receive(nextDeadline - System.nanoTime());
        }
    }

    /** Sends probe number {@code sent}; returns whether it is in flight (false: the send failed). */
    private boolean send(int ttl) throws IOException {
        if (!raw) drainErrors(); // a queued error would fail this send (ip(7))
        int n = sent++;
        socket.setOption(v6 ? LinuxSocketOptions.IPV6_UNICAST_HOPS : LinuxSocketOptions.IP_TTL, ttl);
        byte[] packet;
        InetSocketAddress to;
        if (udp) {
            packet = data;
            to = new InetSocketAddress(destination, config.port() + n);
        } else {
            // The kernel computes the ICMPv6 checksum (raw(7)) and the ping socket's.
            packet = v6 ? Icmpv6Echo.request(ident, n + 1, data).toBytes() : IcmpEcho.request(ident, n + 1, data).toBytes();
            to = echoTarget;
        }
        Probe p = new Probe(ttl, System.nanoTime(), Pinger.realtimeNanos());
        probes[n] = p;
        try {
            socket.sendTo(packet, to);
            return true;
        } catch (IOException e) {
            if (!(e instanceof SyscallError se)) throw e;
            if (!raw) drainErrors();
            p.result = new TraceProbe.Failed(ttl, se.errno().symbol(), e.getMessage());
            return false;
        }
    }

    /** Runs the receive path once, so that the first round trip does not include loading it. */
    private void warmUp() {
        try (ReceivedMessage m = socket.recvMsg(inList, 256, EnumSet.of(MsgFlag.DONTWAIT))) {
            m.control();
        } catch (IOException | RuntimeException expected) {
            // EAGAIN: nothing queued yet
        }
        try {
            byte[] echo = v6 ? Icmpv6Echo.request(1, 1, new byte[8]).toReply().toBytes()
                    : IcmpEcho.request(1, 1, new byte[8]).toReply().toBytes();
            if (v6) Icmpv6Message.parse(echo, 0, echo.length);
            else IcmpMessage.parse(echo, 0, echo.length);
        } catch (RuntimeException ignored) {
            // only a warm-up
        }
    }

    private void receive(long waitNanos) throws IOException {
        if (!raw) drainErrors();
        socket.setTimeout(Duration.ofNanos(Math.max(waitNanos, 1000)));
        in.clear();
        long stamp = 0;
        InetAddress from = null;
        try (ReceivedMessage m = socket.recvMsg(inList, 256, Set.of())) {
            stamp = stamp(m);
            if (m.sender() instanceof InetSocketAddress a) from = a.getAddress();
        } catch (SocketTimeoutException e) {
            return;
        } catch (IOException e) {
            // On a ping or UDP socket a pending ICMP error fails the receive (IP_RECVERR): read the queue.
            if (!raw && e instanceof SyscallError) {
                drainErrors();
                return;
            }
            throw e;
        }
        byte[] b = Arrays.copyOf(in.array(), in.position());
        try {
            if (raw && v6) parseRaw6(b, from, stamp);
            else if (raw) parseRaw4(b, stamp);
            else if (!udp && from != null) parsePingSocket(b, from, stamp);
        } catch (MalformedPacketException | IndexOutOfBoundsException stray) {
            // not ours
        }
    }

    private static long stamp(ReceivedMessage m) {
        for (ControlMessage c : m.control()) if (c instanceof ControlMessage.Timestamp t) return t.epochNanos();
        return Pinger.realtimeNanos();
    }

    private void parseRaw4(byte[] b, long stamp) {
        Ipv4Header h = Ipv4Header.parse(b);
        int off = h.headerLength();
        IcmpMessage icmp = IcmpMessage.parse(b, off, b.length - off);
        switch (icmp) {
            case IcmpEcho e when e.reply() && e.identifier() == ident && h.source().equals(destination) ->
                    answer(e.sequence() - 1, h.source(), stamp, 0, 0, 0, true);
            case IcmpTimeExceeded t -> quoted4(t.quote(), h.source(), stamp, 11, t.code(), 0);
            case IcmpDestinationUnreachable u -> quoted4(u.quote(), h.source(), stamp, 3, u.code(), u.nextHopMtu());
            default -> { }
        }
    }

    /** An ICMPv4 error is ours if it quotes our echo request to the destination. */
    private void quoted4(QuotedDatagram q, InetAddress from, long stamp, int type, int code, int mtu) {
        Ipv4Header h = q.header().orElse(null);
        byte[] p = q.payload();
        if (h == null || h.protocol() != Ipv4Header.PROTOCOL_ICMP || !h.destination().equals(destination) || p.length < 8) return;
        if ((p[0] & 0xff) != IcmpMessage.TYPE_ECHO_REQUEST || u16(p, 4) != ident) return;
        answer(u16(p, 6) - 1, from, stamp, type, code, mtu, false);
    }

    /** A raw ICMPv6 socket delivers no IPv6 header: the sender comes from recvmsg. */
    private void parseRaw6(byte[] b, InetAddress from, long stamp) {
        if (from == null) return;
        switch (Icmpv6Message.parse(b, 0, b.length)) {
            case Icmpv6Echo e when e.reply() && e.identifier() == ident && from.equals(destination) ->
                    answer(e.sequence() - 1, from, stamp, Icmpv6Message.TYPE_ECHO_REPLY, 0, 0, true);
            case Icmpv6TimeExceeded t -> quoted6(t.quote(), from, stamp, Icmpv6Message.TYPE_TIME_EXCEEDED, t.code(), 0);
            case Icmpv6DestinationUnreachable u ->
                    quoted6(u.quote(), from, stamp, Icmpv6Message.TYPE_DESTINATION_UNREACHABLE, u.code(), 0);
            case Icmpv6PacketTooBig t ->
                    quoted6(t.quote(), from, stamp, Icmpv6Message.TYPE_PACKET_TOO_BIG, 0, (int) Math.min(Integer.MAX_VALUE, t.mtu()));
            default -> { }
        }
    }

    /** An ICMPv6 error is ours if the invoking packet is our echo request to the destination. */
    private void quoted6(QuotedIpv6Packet q, InetAddress from, long stamp, int type, int code, int mtu) {
        Ipv6Header h = q.header().orElse(null);
        byte[] p = q.payload();
        if (h == null || h.nextHeader() != Ipv6Header.NEXT_HEADER_ICMPV6 || !h.destination().equals(destination) || p.length < 8) return;
        if ((p[0] & 0xff) != Icmpv6Message.TYPE_ECHO_REQUEST || u16(p, 4) != ident) return;
        answer(u16(p, 6) - 1, from, stamp, type, code, mtu, false);
    }

    /** A ping socket delivers only its own echo replies, without an IP header. */
    private void parsePingSocket(byte[] b, InetAddress from, long stamp) {
        if (v6) {
            if (Icmpv6Message.parse(b, 0, b.length) instanceof Icmpv6Echo e && e.reply()) {
                answer(e.sequence() - 1, from, stamp, Icmpv6Message.TYPE_ECHO_REPLY, 0, 0, true);
            }
        } else if (IcmpMessage.parse(b, 0, b.length) instanceof IcmpEcho e && e.reply()) {
            answer(e.sequence() - 1, from, stamp, 0, 0, 0, true);
        }
    }

    /** Reads the error queue (IP_RECVERR, IPV6_RECVERR) of a UDP or ping socket until it is empty. */
    private void drainErrors() throws IOException {
        for (;;) {
            queued.clear();
            ControlMessage.ExtendedError x = null;
            long stamp;
            InetSocketAddress original = null;
            try (ReceivedMessage m = socket.recvMsg(queuedList, 512, ERRQUEUE_NOW)) {
                for (ControlMessage c : m.control()) if (c instanceof ControlMessage.ExtendedError e) x = e;
                stamp = stamp(m);
                if (m.sender() instanceof InetSocketAddress a) original = a;
            } catch (IOException e) {
                if (e instanceof SyscallError se && se.errno().value() == EAGAIN) return;
                throw e;
            }
            int icmpOrigin = v6 ? ControlMessage.ExtendedError.ORIGIN_ICMP6 : ControlMessage.ExtendedError.ORIGIN_ICMP;
            if (x == null || x.origin() != icmpOrigin || x.offender() == null) continue;
            int n;
            if (udp) {
                // msg_name is the probe's original destination: its port numbers the probe
                if (original == null) continue;
                n = original.getPort() - config.port();
            } else {
                if (queued.position() < 8) continue;
                n = u16(queued.array(), 6) - 1; // our echo request as sent: its sequence
            }
            answer(n, x.offender().getAddress(), stamp, x.type(), x.code(), x.info(), false);
        }
    }

    /**
     * Records what answered probe {@code n}: an echo reply ({@code reply}), or an ICMP(v6) error
     * of {@code type} and {@code code}; {@code mtu} for a packet too big. The first answer wins.
     */
    private void answer(int n, InetAddress from, long stamp, int type, int code, int mtu, boolean reply) {
        if (n < 0 || n >= sent || from == null) return;
        Probe p = probes[n];
        if (p.result != null) return; // a duplicate, or late
        long rtt = Math.max(0, stamp - p.sentRealtime);
        TraceProbe.Kind kind;
        boolean reached;
        if (reply) {
            kind = TraceProbe.Kind.REPLY;
            reached = true;
        } else if (v6) {
            kind = switch (type) {
                case Icmpv6Message.TYPE_TIME_EXCEEDED -> TraceProbe.Kind.TIME_EXCEEDED;
                case Icmpv6Message.TYPE_PACKET_TOO_BIG -> TraceProbe.Kind.PACKET_TOO_BIG;
                default -> TraceProbe.Kind.UNREACHABLE;
            };
            reached = type == Icmpv6Message.TYPE_DESTINATION_UNREACHABLE && code == Icmpv6DestinationUnreachable.PORT_UNREACHABLE
                    && from.equals(destination);
        } else {
            kind = type == 11 ? TraceProbe.Kind.TIME_EXCEEDED
                    : code == 4 ? TraceProbe.Kind.PACKET_TOO_BIG : TraceProbe.Kind.UNREACHABLE;
            reached = type == 3 && (code == 2 || code == 3) && from.equals(destination);
        }
        TraceProbe.Answer a = new TraceProbe.Answer(p.ttl, from, rtt, kind, type, code,
                kind == TraceProbe.Kind.PACKET_TOO_BIG ? mtu : 0, reached);
        p.result = a;
        if (a.endsTrace()) {
            // Nothing beyond this hop is sent; what is already out is ignored.
            int end = (p.ttl - config.firstTtl() + 1) * config.probesPerHop();
            if (end < limit) limit = Math.max(end, 0);
        }
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }
}
