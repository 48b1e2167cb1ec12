package io.ffsock.tools;

import static io.ffsock.tools.NetSupport.text;

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
import io.ffsock.packet.IcmpParameterProblem;
import io.ffsock.packet.IcmpRedirect;
import io.ffsock.packet.IcmpTimeExceeded;
import io.ffsock.packet.Icmpv6DestinationUnreachable;
import io.ffsock.packet.Icmpv6Echo;
import io.ffsock.packet.Icmpv6Message;
import io.ffsock.packet.Icmpv6PacketTooBig;
import io.ffsock.packet.Icmpv6ParameterProblem;
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
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;

/**
 * {@code ffsock ping [-c COUNT] [-i INTERVAL] [-s SIZE] [-t TTL] [-W WAIT] [-I IFACE|ADDRESS] [-4|-6] [--raw|--dgram] HOST}:
 * ICMP echo over IPv4 or IPv6, printing what iputils' ping prints.
 */
public final class PingCommand implements Command {
    private static final ArgParser PARSER = new ArgParser()
            .option('c', "count", "COUNT", "stop after sending COUNT requests (and waiting for their replies)")
            .option('i', "interval", "SECONDS", "wait SECONDS between requests (1)")
            .option('s', "size", "SIZE", "SIZE data bytes in each request (56: 64 ICMP bytes)")
            .option('t', "ttl", "TTL", "IP time to live / IPv6 hop limit of the requests")
            .option('W', "timeout", "SECONDS", "with -c: after the last request, wait at most SECONDS for replies (10)")
            .option('I', "interface", "IFACE|ADDRESS", "send from interface IFACE (bound to it, SO_BINDTODEVICE; its\n"
                    + "address the kernel prefers for HOST) or from the local ADDRESS")
            .flag('4', "ipv4", "use IPv4 only")
            .flag('6', "ipv6", "use IPv6 only")
            .flag((char) 0, "raw", "use a raw ICMP socket (needs CAP_NET_RAW)")
            .flag((char) 0, "dgram", "use an unprivileged ping socket (SOCK_DGRAM, net.ipv4.ping_group_range)");

    private static final int EAGAIN = 11;

    @Override
    public String name() {
        return "ping";
    }

    @Override
    public String summary() {
        return "send ICMP echo requests (IPv4 or IPv6) and report the replies, like iputils ping";
    }

    @Override
    public String usage() {
        return """
                Usage: ffsock ping [OPTIONS] HOST
                Send ICMP echo requests to HOST and print each reply, each ICMP error that answers a
                request (time exceeded, unreachable...), and a summary at the end or on Ctrl-C, in
                the shape of iputils' ping.

                Options:
                """ + PARSER.optionsHelp() + """

                Socket: like iputils, a ping socket (SOCK_DGRAM + IPPROTO_ICMP, no privilege where
                net.ipv4.ping_group_range allows the group) when the kernel allows it, else a raw
                socket (CAP_NET_RAW). Replies are matched by identifier and sequence; errors by the
                request quoted in them (raw) or through IP_RECVERR (ping socket). Duplicates are
                shown with (DUP!) and, like stray ICMP, not counted as received.

                -I: an interface name binds the socket to it (SO_BINDTODEVICE) and to its address
                that the kernel prefers for HOST (rtnetlink RTM_GETROUTE, as 'ip route get HOST oif
                IFACE'); an address binds the socket to that address, which must be local.

                Exit status: 0 if any reply came, 1 if none, 2 on an error (unknown host, missing
                privilege, bad usage).

                Examples:
                  ffsock ping -c 3 127.0.0.1
                  ffsock ping -6 -c 2 ::1
                  ffsock ping -c 1 -t 1 --raw 10.2.0.2
                  ffsock ping -c 2 -I eth1 10.2.0.2
                """;
    }

    private enum Mode { AUTO, RAW, DGRAM }

    private record Options(String host, int count, long intervalNanos, int size, int ttl, long waitNanos,
                           int family, Mode mode, String source) {}

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err, InputStream in) throws UsageException {
        ArgParser.Parsed p = PARSER.parse(args);
        if (p.help()) {
            out.print(usage());
            return Main.OK;
        }
        Options o = options(p);
        try {
            InetAddress target = NetSupport.resolve(o.host, o.family);
            SourceSelection from = o.source == null ? null : SourceSelection.resolve(o.source, target);
            return new Pinger(o, target, from, out).run();
        } catch (NetSupport.ToolException e) {
            err.println("ffsock ping: " + e.getMessage());
            return NetSupport.ERROR;
        } catch (IOException e) {
            err.println("ffsock ping: " + e.getMessage());
            return NetSupport.ERROR;
        }
    }

    private static Options options(ArgParser.Parsed p) throws UsageException {
        List<String> pos = p.positionals();
        if (pos.isEmpty()) throw new UsageException("missing HOST");
        if (pos.size() > 1) throw new UsageException("unexpected argument '" + pos.get(1) + "'");
        if (p.flag("ipv4") && p.flag("ipv6")) throw new UsageException("-4 and -6 exclude each other");
        if (p.flag("raw") && p.flag("dgram")) throw new UsageException("--raw and --dgram exclude each other");
        int family = p.flag("ipv4") ? 4 : p.flag("ipv6") ? 6 : 0;
        String host = pos.get(0);
        if (host.isEmpty()) throw new UsageException("HOST is empty");
        Mode mode = p.flag("raw") ? Mode.RAW : p.flag("dgram") ? Mode.DGRAM : Mode.AUTO;
        return new Options(host,
                NetSupport.intOption(p, "count", 0, 1, Integer.MAX_VALUE),
                NetSupport.secondsOption(p, "interval", 1, 0.001, 3600),
                NetSupport.intOption(p, "size", 56, 0, 65507),
                NetSupport.intOption(p, "ttl", -1, 1, 255),
                NetSupport.secondsOption(p, "timeout", 10, 0.001, 1e6),
                family, mode, p.value("interface").orElse(null));
    }

    /** One run: the socket, what was sent, what came back. */
    private static final class Pinger {
        private final Options o;
        private final InetAddress target;
        private final SourceSelection from; // -I, or null
        private final boolean v6;
        private final PrintStream out;
        private final Object printLock = new Object();
        private final int ident = (int) (ProcessHandle.current().pid() & 0xffff);
        private final long[] sentAt = new long[65536];
        private final BitSet answered = new BitSet(65536);
        private final ByteBuffer buffer = ByteBuffer.allocate(65536 + 60);
        private Socket socket;
        private boolean raw;
        private long start;
        private long lastSend;
        private volatile long transmitted;
        private long received, duplicates, errors;
        private long tsum, tsum2, tmin = Long.MAX_VALUE, tmax;
        private boolean summarized;

        Pinger(Options o, InetAddress target, SourceSelection from, PrintStream out) {
            this.o = o;
            this.target = target;
            this.from = from;
            this.v6 = target instanceof Inet6Address;
            this.out = out;
        }

        int run() throws IOException, NetSupport.ToolException {
            open();
            Thread hook = new Thread(this::interrupted, "ffsock-ping-summary");
            Runtime.getRuntime().addShutdownHook(hook);
            try (Socket s = socket) {
                synchronized (printLock) {
                    // with -I, iputils names the source and the interface ("" for an address)
                    String source = from == null ? "" : "from " + text(from.source()) + " "
                            + (SourceSelection.isAddress(o.source) ? "" : from.interfaceName()) + ": ";
                    if (v6) out.println("PING " + o.host + "(" + text(target) + ") " + source + o.size + " data bytes");
                    else out.println("PING " + o.host + " (" + text(target) + ") " + source + o.size + "(" + (o.size + 28)
                            + ") bytes of data.");
                    out.flush();
                }
                loop(s);
                return summary();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it prints the summary and ends the process
                }
            }
        }

        /** SIGINT/SIGTERM: print the summary as iputils does on Ctrl-C and end with its status. */
        private void interrupted() {
            int status = summary();
            Runtime.getRuntime().halt(status);
        }

        private void open() throws IOException, NetSupport.ToolException {
            Family family = v6 ? Family.INET6 : Family.INET;
            Protocol protocol = v6 ? Protocol.ICMPV6 : Protocol.ICMP;
            if (o.mode != Mode.RAW) {
                try {
                    socket = Socket.open(family, SocketType.DGRAM, protocol);
                    raw = false;
                } catch (IOException e) {
                    if (o.mode == Mode.DGRAM) throw e;
                }
            }
            if (socket == null) {
                socket = Socket.open(family, SocketType.RAW, protocol);
                raw = true;
            }
            try {
                if (v6) {
                    socket.setOption(LinuxSocketOptions.IPV6_RECVHOPLIMIT, true);
                    if (o.ttl > 0) socket.setOption(LinuxSocketOptions.IPV6_UNICAST_HOPS, o.ttl);
                    if (raw) socket.setOption(LinuxSocketOptions.ICMP6_FILTER, IcmpFilter.passingOnly(1, 2, 3, 4, 129));
                    else socket.setOption(LinuxSocketOptions.IPV6_RECVERR, true);
                } else {
                    if (o.ttl > 0) socket.setOption(LinuxSocketOptions.IP_TTL, o.ttl);
                    if (raw) socket.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(0, 3, 4, 5, 11, 12));
                    else {
                        socket.setOption(LinuxSocketOptions.IP_RECVERR, true);
                        socket.setOption(LinuxSocketOptions.IP_RECVTTL, true);
                    }
                }
                if (from != null) LocalInterfaces.bindSource(socket, from, !SourceSelection.isAddress(o.source));
            } catch (IOException | NetSupport.ToolException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        /**
         * Runs the receive and parse paths once before the first request, so that the first
         * round trip does not include loading and linking them.
         */
        private void warmUp(Socket s) {
            try {
                s.recvMsg(List.of(ByteBuffer.allocate(64)), 256, EnumSet.of(MsgFlag.DONTWAIT));
            } catch (IOException | RuntimeException expected) {
                // EAGAIN: nothing queued yet
            }
            NetSupport.warmUp(v6);
            byte[] echo = v6 ? Icmpv6Echo.request(1, 1, new byte[8]).toReply().toBytes()
                    : IcmpEcho.request(1, 1, new byte[8]).toReply().toBytes();
            if (v6) Icmpv6Message.parse(echo, 0, echo.length);
            else IcmpMessage.parse(echo, 0, echo.length);
            NetSupport.pingTime(1234);
        }

        private void loop(Socket s) throws IOException {
            warmUp(s);
            start = System.nanoTime();
            long nextSend = start;
            for (;;) {
                long now = System.nanoTime();
                boolean more = o.count == 0 || transmitted < o.count;
                if (more && now - nextSend >= 0) {
                    send(s);
                    nextSend += o.intervalNanos;
                    if (nextSend - now < 0) nextSend = now; // a late send does not start a burst
                    continue;
                }
                if (o.count > 0 && received + errors >= o.count) return;
                long deadline = more ? nextSend : lastSend + o.waitNanos;
                if (deadline - now <= 0) return;
                receive(s, deadline - now);
            }
        }

        private void send(Socket s) throws IOException {
            if (!raw) drainErrors(s); // a queued error would fail this send (ip(7))
            int seq = (int) ((transmitted + 1) & 0xffff);
            byte[] data = new byte[o.size];
            for (int i = 0; i < data.length; i++) data[i] = (byte) i;
            byte[] packet = v6 ? Icmpv6Echo.request(ident, seq, data).toBytes() : IcmpEcho.request(ident, seq, data).toBytes();
            long now = System.nanoTime();
            sentAt[seq] = now;
            answered.clear(seq);
            try {
                s.sendTo(packet, new InetSocketAddress(target, 0));
            } catch (IOException e) {
                if (!(e instanceof SyscallError se) || se.errno().value() == EAGAIN) throw e;
                // An error about an earlier request (or a local one) made this send fail: report it.
                if (!raw) drainErrors(s);
                else {
                    synchronized (printLock) {
                        out.println("ping: sendmsg: " + se.errno().description());
                    }
                }
            }
            transmitted++;
            lastSend = now;
        }

        private void receive(Socket s, long waitNanos) throws IOException {
            ReceivedMessage m = NetSupport.receiveOrDrain(s, buffer, waitNanos, raw, this::drainErrors);
            if (m == null) return;
            long now = System.nanoTime();
            byte[] b = Arrays.copyOf(buffer.array(), buffer.position());
            InetAddress from = m.sender() instanceof InetSocketAddress a ? a.getAddress() : null;
            int hops = -1;
            for (ControlMessage c : m.control()) {
                if (c instanceof ControlMessage.Ttl t) hops = t.ttl();
                if (c instanceof ControlMessage.HopLimit h) hops = h.hopLimit();
            }
            try {
                if (v6) parse6(b, from, hops, now);
                else parse4(b, from, hops, now);
            } catch (MalformedPacketException | IndexOutOfBoundsException stray) {
                // not ours, or not well formed: ignored like iputils ignores stray ICMP
            }
        }

        private void parse4(byte[] b, InetAddress from, int ttl, long now) {
            int off = 0;
            if (raw) {
                Ipv4Header h = Ipv4Header.parse(b);
                off = h.headerLength();
                ttl = h.ttl();
                from = h.source();
            }
            IcmpMessage icmp = IcmpMessage.parse(b, off, b.length - off);
            switch (icmp) {
                case IcmpEcho e when e.reply() && (!raw || e.identifier() == ident) ->
                        reply(e.sequence(), b.length - off, from, ttl, now);
                case IcmpTimeExceeded t when raw -> quotedError(t.quote(), from, icmp.type(), t.code(), 0);
                case IcmpDestinationUnreachable u when raw -> quotedError(u.quote(), from, icmp.type(), u.code(), u.nextHopMtu());
                case IcmpParameterProblem pp when raw -> quotedError(pp.quote(), from, icmp.type(), pp.code(), (long) pp.pointer() << 24);
                case IcmpRedirect r when raw -> quotedError(r.quote(), from, icmp.type(), r.code(), 0);
                default -> { }
            }
        }

        /** An ICMPv4 error on the raw socket: ours if it quotes our echo request to the target. */
        private void quotedError(QuotedDatagram q, InetAddress from, int type, int code, long info) {
            Ipv4Header h = q.header().orElse(null);
            byte[] p = q.payload();
            if (h == null || h.protocol() != Ipv4Header.PROTOCOL_ICMP || !h.destination().equals(target) || p.length < 8) return;
            if ((p[0] & 0xff) != IcmpMessage.TYPE_ECHO_REQUEST || u16(p, 4) != ident) return;
            error(u16(p, 6), from, NetSupport.icmpv4Text(type, code, info), type != 5 && type != 4);
        }

        private void parse6(byte[] b, InetAddress from, int hops, long now) {
            Icmpv6Message icmp = Icmpv6Message.parse(b, 0, b.length);
            switch (icmp) {
                case Icmpv6Echo e when e.reply() && (!raw || e.identifier() == ident) -> reply(e.sequence(), b.length, from, hops, now);
                case Icmpv6TimeExceeded t when raw -> invokingError(t.quote(), from, 3, t.code(), 0);
                case Icmpv6DestinationUnreachable u when raw -> invokingError(u.quote(), from, 1, u.code(), 0);
                case Icmpv6PacketTooBig t when raw -> invokingError(t.quote(), from, 2, 0, t.mtu());
                case Icmpv6ParameterProblem pp when raw -> invokingError(pp.quote(), from, 4, pp.code(), pp.pointer());
                default -> { }
            }
        }

        /** An ICMPv6 error on the raw socket: the invoking packet is our IPv6 header and echo request. */
        private void invokingError(QuotedIpv6Packet q, InetAddress from, int type, int code, long info) {
            Ipv6Header h = q.header().orElse(null);
            byte[] p = q.payload();
            if (h == null || h.nextHeader() != Ipv6Header.NEXT_HEADER_ICMPV6 || !h.destination().equals(target) || p.length < 8) return;
            if ((p[0] & 0xff) != Icmpv6Message.TYPE_ECHO_REQUEST || u16(p, 4) != ident) return;
            error(u16(p, 6), from, NetSupport.icmpv6Text(type, code, info), true);
        }

        /** Reads the ping socket's error queue (IP_RECVERR) until it is empty. */
        private void drainErrors(Socket s) throws IOException {
            for (;;) {
                ByteBuffer b = ByteBuffer.allocate(o.size + 64);
                ReceivedMessage m = NetSupport.nextQueuedError(s, b);
                if (m == null) return;
                for (ControlMessage c : m.control()) {
                    if (!(c instanceof ControlMessage.ExtendedError x)) continue;
                    if (x.origin() == ControlMessage.ExtendedError.ORIGIN_LOCAL) {
                        errors++;
                        synchronized (printLock) {
                            out.println(x.errno().value() == 90 // EMSGSIZE
                                    ? "ping: local error: message too long, mtu=" + x.info()
                                    : "ping: local error: " + x.errno().description());
                        }
                        continue;
                    }
                    // The data is our echo request as sent: type, code, checksum, id, sequence.
                    if (b.position() < 8) continue;
                    int seq = u16(b.array(), 6);
                    InetAddress from = x.offender() == null ? target : x.offender().getAddress();
                    String textOf = x.origin() == ControlMessage.ExtendedError.ORIGIN_ICMP6
                            ? NetSupport.icmpv6Text(x.type(), x.code(), x.info())
                            : NetSupport.icmpv4Text(x.type(), x.code(), x.info());
                    error(seq, from, textOf, true);
                }
            }
        }

        private void reply(int seq, int bytes, InetAddress from, int hops, long now) {
            long sent = sentAt[seq];
            if (sent == 0) return; // never sent: stray
            long us = (now - sent) / 1000;
            synchronized (printLock) {
                if (summarized) return;
                boolean dup = answered.get(seq);
                answered.set(seq);
                if (dup) duplicates++;
                else received++;
                tsum += us;
                tsum2 += us * us;
                tmin = Math.min(tmin, us);
                tmax = Math.max(tmax, us);
                out.println(bytes + " bytes from " + text(from) + ": icmp_seq=" + seq
                        + (hops >= 0 ? " ttl=" + hops : "") + " time=" + NetSupport.pingTime(us) + " ms"
                        + (dup ? " (DUP!)" : ""));
                out.flush();
            }
        }

        private void error(int seq, InetAddress from, String what, boolean counts) {
            synchronized (printLock) {
                if (summarized) return;
                if (counts) errors++;
                out.println("From " + text(from) + " icmp_seq=" + seq + " " + what);
                out.flush();
            }
        }

        /** Prints the statistics once; returns the exit status. */
        private int summary() {
            synchronized (printLock) {
                int status = received > 0 ? Main.OK : 1;
                if (summarized) return status;
                summarized = true;
                long tx = transmitted;
                StringBuilder b = new StringBuilder();
                b.append("\n--- ").append(o.host).append(" ping statistics ---\n");
                b.append(tx).append(" packets transmitted, ").append(received).append(" received");
                if (duplicates > 0) b.append(", +").append(duplicates).append(" duplicates");
                if (errors > 0) b.append(", +").append(errors).append(" errors");
                if (tx > 0) {
                    b.append(", ").append(NetSupport.percentG((tx - received) * 100.0 / tx)).append("% packet loss");
                    long time = tx > 0 ? lastSend - start : 0;
                    b.append(", time ").append((time + 500_000) / 1_000_000).append("ms");
                }
                b.append('\n');
                long total = received + duplicates;
                if (received > 0) {
                    long avg = tsum / total;
                    long var = (tsum2 - tsum * tsum / total) / total;
                    long mdev = (long) Math.sqrt((double) Math.max(var, 0));
                    b.append("rtt min/avg/max/mdev = ").append(NetSupport.millis3(tmin)).append('/')
                            .append(NetSupport.millis3(avg)).append('/').append(NetSupport.millis3(tmax)).append('/')
                            .append(NetSupport.millis3(mdev)).append(" ms");
                }
                b.append('\n');
                out.print(b);
                out.flush();
                return status;
            }
        }

        private static int u16(byte[] b, int off) {
            return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
        }
    }
}
