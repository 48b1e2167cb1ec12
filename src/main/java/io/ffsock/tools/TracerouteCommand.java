package io.ffsock.tools;

import static io.ffsock.tools.NetSupport.text;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.IcmpFilter;
import io.ffsock.LinuxSocketOptions;
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
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ffsock traceroute [-4|-6] [-m MAXHOPS] [-q QUERIES] [-w WAIT] [-f FIRST] [-I|-U] [-n] [-i IFACE] [-s ADDRESS] HOST}:
 * the route to an IPv4 or IPv6 host, hop by hop, printed as Debian's traceroute prints it.
 */
public final class TracerouteCommand implements Command {
    private static final ArgParser PARSER = new ArgParser()
            .option('m', "max-hops", "MAXHOPS", "the largest TTL probed (30)")
            .option('q', "queries", "QUERIES", "probes per hop (3)")
            .option('w', "wait", "SECONDS", "how long to wait for a hop's answers (5)")
            .option('f', "first", "FIRST", "the TTL to start from (1)")
            .flag('I', "icmp", "probe with ICMP echo requests (the default): a raw socket, or a ping socket\n"
                    + "without CAP_NET_RAW")
            .flag('U', "udp", "probe with UDP datagrams to ports 33434, 33435... (no privilege needed)")
            .flag('n', "numeric", "print addresses only, no reverse DNS lookup")
            .option('i', "interface", "IFACE", "send from interface IFACE (bound to it, SO_BINDTODEVICE; its address the\n"
                    + "kernel prefers for HOST)")
            .option('s', "source", "ADDRESS", "send from ADDRESS, an address of this host")
            .flag('4', "ipv4", "trace over IPv4 only")
            .flag('6', "ipv6", "trace over IPv6 only");

    /**
     * IP header, ICMP or UDP header, 32 data bytes: Debian traceroute's defaults of 60 bytes over
     * IPv4 and 80 over IPv6 (whose header is 40 bytes).
     */
    private static final int DATA_LENGTH = 32;
    private static final int FIRST_PORT = 33434;

    @Override
    public String name() {
        return "traceroute";
    }

    @Override
    public String summary() {
        return "print the route to an IPv4 or IPv6 host (ICMP echo or UDP probes), like traceroute";
    }

    @Override
    public String usage() {
        return """
                Usage: ffsock traceroute [OPTIONS] HOST
                Print the routers on the way to HOST: probes go out with TTL (IPv6: hop limit) 1, 2,
                3...; each router where a probe's TTL runs out answers with ICMP time exceeded, and the
                output names it with the round-trip time of each probe, '*' for a probe not answered
                in time. Stops at the hop where HOST itself answers (echo reply, or port unreachable
                for UDP), or where a router reports it unreachable (!H host, !N network, !P protocol,
                !X prohibited, !F fragmentation needed, !S source route failed, !<code> other; over
                IPv6: !N no route, !X administratively prohibited, !H address unreachable or beyond
                scope, !F-<mtu> packet too big).

                IPv4 or IPv6: -4 or -6 says which; without them an IPv4 address of HOST is used if
                it has one, else its IPv6 address (an IPv6 literal such as fd00:2::2 is IPv6).

                Options:
                """ + PARSER.optionsHelp() + """

                With -U the answers are read back from the socket's error queue (IP_RECVERR,
                IPV6_RECVERR). -i and -s are traceroute's (-I is ICMP there, as here): the source
                address for -i is the one the kernel prefers on IFACE for HOST (rtnetlink
                RTM_GETROUTE, as 'ip route get HOST oif IFACE'); -s with -i sends from ADDRESS out
                of IFACE.
                Exit status: 0 when the route was printed, 2 on an error (unknown host, missing
                privilege, bad usage).

                Examples:
                  ffsock traceroute -n 10.2.0.2
                  ffsock traceroute -6 -n fd00:2::2
                  ffsock traceroute -U -q 1 -w 1 example.org
                  ffsock traceroute -n -i eth1 10.2.0.2
                """;
    }

    private record Options(String host, int family, int maxHops, int queries, long waitNanos, int first, boolean udp,
                           boolean numeric, String device, String source) {}

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err, InputStream in) throws UsageException {
        ArgParser.Parsed p = PARSER.parse(args);
        if (p.help()) {
            out.print(usage());
            return Main.OK;
        }
        List<String> pos = p.positionals();
        if (pos.isEmpty()) throw new UsageException("missing HOST");
        if (pos.size() > 1) throw new UsageException("unexpected argument '" + pos.get(1) + "'");
        if (p.flag("icmp") && p.flag("udp")) throw new UsageException("-I and -U exclude each other");
        if (p.flag("ipv4") && p.flag("ipv6")) throw new UsageException("-4 and -6 exclude each other");
        int maxHops = NetSupport.intOption(p, "max-hops", 30, 1, 255);
        Options o = new Options(pos.get(0), p.flag("ipv4") ? 4 : p.flag("ipv6") ? 6 : 0, maxHops,
                NetSupport.intOption(p, "queries", 3, 1, 10),
                NetSupport.secondsOption(p, "wait", 5, 0.01, 3600),
                NetSupport.intOption(p, "first", 1, 1, 255),
                p.flag("udp"), p.flag("numeric"), p.value("interface").orElse(null), p.value("source").orElse(null));
        if (o.device != null && SourceSelection.isAddress(o.device)) {
            throw new UsageException("-i takes an interface name, not '" + o.device + "' (an address goes with -s)");
        }
        if (o.source != null && !SourceSelection.isAddress(o.source)) {
            throw new UsageException("bad -s '" + o.source + "': an address of this host, e.g. 10.0.0.1 (an interface goes with -i)");
        }
        if (o.first > o.maxHops) throw new UsageException("first hop " + o.first + " is beyond --max-hops " + o.maxHops);
        if (o.host.isEmpty()) throw new UsageException("HOST is empty");
        try {
            InetAddress target = NetSupport.resolve(o.host, o.family);
            return new Tracer(o, target, source(o, target), out).run();
        } catch (NetSupport.ToolException | IOException e) {
            err.println("ffsock traceroute: " + e.getMessage());
            return NetSupport.ERROR;
        }
    }

    /** Where -i and -s say the probes leave from (the interface of -i, the address of -s), or null without them. */
    private static SourceSelection source(Options o, InetAddress target) throws NetSupport.ToolException {
        if (o.source == null) return o.device == null ? null : SourceSelection.resolve(o.device, target);
        SourceSelection address = SourceSelection.resolve(o.source, target);
        if (o.device == null) return address;
        // both: ADDRESS out of IFACE, which need not have an address of its own
        LocalInterfaces.Interface device = LocalInterfaces.byName(o.device);
        return new SourceSelection(address.source(), device.name(), device.index());
    }

    /** One probe: when it went, and what answered it. */
    private static final class Probe {
        long sentAt;
        long answeredAt;
        InetAddress from;
        String mark = "";
        boolean done; // the destination answered, or a router said it is unreachable
    }

    /** One run. */
    private static final class Tracer {
        private final Options o;
        private final InetAddress target;
        private final SourceSelection from; // -i / -s, or null
        private final boolean v6;
        private final PrintStream out;
        private final int ident = (int) (ProcessHandle.current().pid() & 0xffff);
        private final ByteBuffer buffer = ByteBuffer.allocate(4096);
        private Socket socket;
        private boolean raw; // raw ICMP: answers arrive as packets; else through IP_RECVERR
        private Probe[] probes; // by probe number (sequence - 1, or port - 33434)
        private int sent;

        Tracer(Options o, InetAddress target, SourceSelection from, PrintStream out) {
            this.o = o;
            this.target = target;
            this.from = from;
            this.v6 = target instanceof Inet6Address;
            this.out = out;
        }

        int run() throws IOException, NetSupport.ToolException {
            open();
            try (Socket s = socket) {
                int packetLength = (v6 ? Ipv6Header.LENGTH : Ipv4Header.MIN_LENGTH) + 8 + DATA_LENGTH;
                out.println("traceroute to " + o.host + " (" + text(target) + "), " + o.maxHops + " hops max, "
                        + packetLength + " byte packets");
                out.flush();
                probes = new Probe[(o.maxHops - o.first + 1) * o.queries];
                NetSupport.warmUp(v6);
                for (int ttl = o.first; ttl <= o.maxHops; ttl++) {
                    int firstProbe = sent;
                    for (int q = 0; q < o.queries; q++) send(s, ttl);
                    long deadline = System.nanoTime() + o.waitNanos;
                    while (!answered(firstProbe)) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) break;
                        receive(s, left);
                    }
                    boolean done = print(ttl, firstProbe);
                    if (done) break;
                }
                return Main.OK;
            }
        }

        private void open() throws IOException, NetSupport.ToolException {
            Family family = v6 ? Family.INET6 : Family.INET;
            Protocol icmp = v6 ? Protocol.ICMPV6 : Protocol.ICMP;
            if (o.udp) {
                socket = Socket.open(family, SocketType.DGRAM, Protocol.UDP);
                raw = false;
            } else {
                try {
                    socket = Socket.open(family, SocketType.RAW, icmp);
                    raw = true;
                } catch (IOException rawRefused) {
                    try {
                        socket = Socket.open(family, SocketType.DGRAM, icmp);
                    } catch (IOException pingRefused) {
                        throw rawRefused; // its message says what is missing for both
                    }
                    raw = false;
                }
            }
            try {
                if (v6) {
                    // echo reply, and the errors that end or answer a probe: unreachable, too big, time exceeded
                    if (raw) socket.setOption(LinuxSocketOptions.ICMP6_FILTER, IcmpFilter.passingOnly(1, 2, 3, 129));
                    else socket.setOption(LinuxSocketOptions.IPV6_RECVERR, true);
                } else if (raw) {
                    socket.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(0, 3, 11));
                } else {
                    socket.setOption(LinuxSocketOptions.IP_RECVERR, true);
                }
                if (from != null) LocalInterfaces.bindSource(socket, from, o.device != null);
            } catch (IOException | NetSupport.ToolException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        private void send(Socket s, int ttl) throws IOException {
            if (!raw) drainErrors(s);
            int n = sent++;
            Probe p = new Probe();
            probes[n] = p;
            s.setOption(v6 ? LinuxSocketOptions.IPV6_UNICAST_HOPS : LinuxSocketOptions.IP_TTL, ttl);
            byte[] data = new byte[DATA_LENGTH];
            for (int i = 0; i < data.length; i++) data[i] = (byte) (0x40 + i);
            byte[] packet;
            InetSocketAddress to;
            if (o.udp) {
                packet = data;
                to = new InetSocketAddress(target, FIRST_PORT + n);
            } else {
                // over IPv6 the kernel computes the checksum (raw(7): always on for ICMPv6)
                packet = v6 ? Icmpv6Echo.request(ident, n + 1, data).toBytes() : IcmpEcho.request(ident, n + 1, data).toBytes();
                to = new InetSocketAddress(target, 0);
            }
            p.sentAt = System.nanoTime();
            try {
                s.sendTo(packet, to);
            } catch (IOException e) {
                if (!(e instanceof SyscallError)) throw e;
                if (!raw) drainErrors(s);
                p.mark = "!" + ((SyscallError) e).errno().symbol();
            }
        }

        private boolean answered(int firstProbe) {
            for (int i = firstProbe; i < sent; i++) if (probes[i].from == null && probes[i].mark.isEmpty()) return false;
            return true;
        }

        private void receive(Socket s, long waitNanos) throws IOException {
            if (!raw) drainErrors(s);
            ReceivedMessage m = NetSupport.receiveOrDrain(s, buffer, waitNanos, raw, this::drainErrors);
            if (m == null) return;
            long now = System.nanoTime();
            byte[] b = Arrays.copyOf(buffer.array(), buffer.position());
            try {
                if (raw && v6 && m.sender() instanceof InetSocketAddress from) parseRaw6(b, from.getAddress(), now);
                else if (raw && !v6) parseRaw(b, now);
                else if (!o.udp && m.sender() instanceof InetSocketAddress from) parsePingSocket(b, from.getAddress(), now);
            } catch (MalformedPacketException | IndexOutOfBoundsException stray) {
                // not ours
            }
        }

        private void parseRaw(byte[] b, long now) {
            Ipv4Header h = Ipv4Header.parse(b);
            int off = h.headerLength();
            IcmpMessage icmp = IcmpMessage.parse(b, off, b.length - off);
            switch (icmp) {
                case IcmpEcho e when e.reply() && e.identifier() == ident && h.source().equals(target) ->
                        answer(e.sequence() - 1, h.source(), now, 0, 0, 0, true);
                case IcmpTimeExceeded t -> quoted(t.quote(), h.source(), now, 11, t.code());
                case IcmpDestinationUnreachable u -> quoted(u.quote(), h.source(), now, 3, u.code());
                default -> { }
            }
        }

        /** A raw ICMPv6 socket delivers no IPv6 header: the sender comes from recvmsg. */
        private void parseRaw6(byte[] b, InetAddress from, long now) {
            switch (Icmpv6Message.parse(b, 0, b.length)) {
                case Icmpv6Echo e when e.reply() && e.identifier() == ident && from.equals(target) ->
                        answer(e.sequence() - 1, from, now, 0, 0, 0, true);
                case Icmpv6TimeExceeded t -> quoted6(t.quote(), from, now, Icmpv6Message.TYPE_TIME_EXCEEDED, t.code(), 0);
                case Icmpv6DestinationUnreachable u ->
                        quoted6(u.quote(), from, now, Icmpv6Message.TYPE_DESTINATION_UNREACHABLE, u.code(), 0);
                case Icmpv6PacketTooBig t -> quoted6(t.quote(), from, now, Icmpv6Message.TYPE_PACKET_TOO_BIG, 0, t.mtu());
                default -> { }
            }
        }

        /** Matches an ICMPv6 error to a probe: the quote must be our echo request to the target. */
        private void quoted6(QuotedIpv6Packet q, InetAddress from, long now, int type, int code, long info) {
            Ipv6Header h = q.header().orElse(null);
            byte[] p = q.payload();
            if (h == null || h.nextHeader() != Ipv6Header.NEXT_HEADER_ICMPV6 || !h.destination().equals(target) || p.length < 8) return;
            if ((p[0] & 0xff) != Icmpv6Message.TYPE_ECHO_REQUEST || u16(p, 4) != ident) return;
            answer(u16(p, 6) - 1, from, now, type, code, info, false);
        }

        private void quoted(QuotedDatagram q, InetAddress from, long now, int type, int code) {
            Ipv4Header h = q.header().orElse(null);
            byte[] p = q.payload();
            if (h == null || h.protocol() != Ipv4Header.PROTOCOL_ICMP || !h.destination().equals(target) || p.length < 8) return;
            if ((p[0] & 0xff) != IcmpMessage.TYPE_ECHO_REQUEST || u16(p, 4) != ident) return;
            answer(u16(p, 6) - 1, from, now, type, code, 0, false);
        }

        private void parsePingSocket(byte[] b, InetAddress from, long now) {
            if (v6) {
                if (Icmpv6Message.parse(b, 0, b.length) instanceof Icmpv6Echo e && e.reply()) {
                    answer(e.sequence() - 1, from, now, 0, 0, 0, true);
                }
            } else if (IcmpMessage.parse(b, 0, b.length) instanceof IcmpEcho e && e.reply()) {
                answer(e.sequence() - 1, from, now, 0, 0, 0, true);
            }
        }

        /** Reads the error queue (IP_RECVERR, IPV6_RECVERR) of a UDP or ping socket until it is empty. */
        private void drainErrors(Socket s) throws IOException {
            for (;;) {
                ByteBuffer b = ByteBuffer.allocate(512);
                ReceivedMessage m = NetSupport.nextQueuedError(s, b);
                if (m == null) return;
                long now = System.nanoTime();
                for (ControlMessage c : m.control()) {
                    int icmpOrigin = v6 ? ControlMessage.ExtendedError.ORIGIN_ICMP6 : ControlMessage.ExtendedError.ORIGIN_ICMP;
                    if (!(c instanceof ControlMessage.ExtendedError x) || x.origin() != icmpOrigin) continue;
                    int n;
                    if (o.udp) {
                        // msg_name is the probe's original destination: its port numbers the probe
                        if (!(m.sender() instanceof InetSocketAddress dst)) continue;
                        n = dst.getPort() - FIRST_PORT;
                    } else {
                        if (b.position() < 8) continue;
                        n = u16(b.array(), 6) - 1; // our echo request as sent: its sequence
                    }
                    InetAddress from = x.offender() == null ? null : x.offender().getAddress();
                    answer(n, from, now, x.type(), x.code(), Integer.toUnsignedLong(x.info()), false);
                }
            }
        }

        /**
         * Records what answered probe {@code n}: an echo reply ({@code reply}), or an ICMP(v6)
         * error of {@code type} and {@code code}; {@code info} is the MTU of a packet too big.
         */
        private void answer(int n, InetAddress from, long now, int type, int code, long info, boolean reply) {
            if (n < 0 || n >= sent || from == null) return;
            Probe p = probes[n];
            if (p.from != null) return; // a duplicate
            p.from = from;
            p.answeredAt = now;
            if (reply) {
                p.done = true;
            } else if (v6) {
                mark6(p, type, code, info);
            } else if (type == 3) {
                p.done = true;
                boolean fromTarget = from.equals(target);
                p.mark = switch (code) {
                    case 0, 6 -> "!N";
                    case 1, 7 -> "!H";
                    case 2 -> fromTarget ? "" : "!P";
                    case 3 -> fromTarget ? "" : "!P";
                    case 4 -> "!F";
                    case 5 -> "!S";
                    case 9, 10, 13 -> "!X";
                    case 14 -> "!V";
                    case 15 -> "!C";
                    default -> "!<" + code + ">";
                };
            }
        }

        /**
         * The mark Debian's traceroute prints for an ICMPv6 error: unreachable codes 0 no route !N,
         * 1 prohibited !X, 2 beyond scope and 3 address unreachable !H, 4 port unreachable none
         * (the destination answered), others !&lt;code&gt;; packet too big !F-&lt;mtu&gt;. Both
         * end the trace; time exceeded does not.
         */
        private static void mark6(Probe p, int type, int code, long mtu) {
            if (type == Icmpv6Message.TYPE_DESTINATION_UNREACHABLE) {
                p.done = true;
                p.mark = switch (code) {
                    case Icmpv6DestinationUnreachable.NO_ROUTE -> "!N";
                    case Icmpv6DestinationUnreachable.ADMINISTRATIVELY_PROHIBITED -> "!X";
                    case Icmpv6DestinationUnreachable.BEYOND_SCOPE, Icmpv6DestinationUnreachable.ADDRESS_UNREACHABLE -> "!H";
                    case Icmpv6DestinationUnreachable.PORT_UNREACHABLE -> "";
                    default -> "!<" + code + ">";
                };
            } else if (type == Icmpv6Message.TYPE_PACKET_TOO_BIG) {
                p.done = true;
                p.mark = "!F-" + mtu;
            }
        }

        /** Prints one hop's line as Debian's traceroute does; returns whether to stop. */
        private boolean print(int ttl, int firstProbe) {
            StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "%2d ", ttl));
            boolean done = false;
            InetAddress last = null;
            for (int i = firstProbe; i < sent; i++) {
                Probe p = probes[i];
                if (p.from == null) {
                    line.append(" *");
                } else {
                    if (!p.from.equals(last)) line.append(' ').append(name(p.from));
                    last = p.from;
                    line.append(String.format(java.util.Locale.ROOT, "  %.3f ms", (p.answeredAt - p.sentAt) / 1e6));
                    done |= p.done;
                }
                if (!p.mark.isEmpty()) line.append(' ').append(p.mark);
            }
            out.println(line);
            out.flush();
            return done;
        }

        private String name(InetAddress a) {
            if (o.numeric) return text(a);
            String host = a.getCanonicalHostName();
            return host + " (" + text(a) + ")";
        }

        private static int u16(byte[] b, int off) {
            return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
        }
    }
}
