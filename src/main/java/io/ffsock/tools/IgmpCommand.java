package io.ffsock.tools;

import static io.ffsock.tools.NetSupport.text;

import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.PacketAddress;
import io.ffsock.Protocol;
import io.ffsock.Received;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.packet.IgmpGroupRecord;
import io.ffsock.packet.IgmpMessage;
import io.ffsock.packet.IgmpRecordType;
import io.ffsock.packet.IgmpUnknown;
import io.ffsock.packet.IgmpV1Query;
import io.ffsock.packet.IgmpV1Report;
import io.ffsock.packet.IgmpV2Leave;
import io.ffsock.packet.IgmpV2Query;
import io.ffsock.packet.IgmpV2Report;
import io.ffsock.packet.IgmpV3Query;
import io.ffsock.packet.IgmpV3Report;
import io.ffsock.packet.Ipv4Header;
import io.ffsock.packet.Ipv4Option;
import io.ffsock.packet.MalformedPacketException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code ffsock igmp query|report|leave|listen}: sends IGMP v1/v2/v3 messages built with the
 * packet codecs under IP_HDRINCL, and prints every IGMP message seen on an interface.
 */
public final class IgmpCommand implements Command {
    private static final ArgParser PARSER = new ArgParser()
            .option('v', "version", "1|2|3", "IGMP version of the message sent (3)")
            .option('i', "interface", "IFACE", "send from / listen on IFACE (sending: the routing table's choice;\n"
                    + "listening: every interface)")
            .option((char) 0, "max-resp", "SECONDS", "query: the Max Resp Time (10; v2 up to 25.5, v3 up to 3174.4)")
            .option((char) 0, "source", "ADDR", "v3 query or report: a source address; repeat, or separate with commas")
            .option('c', "count", "COUNT", "listen: exit after COUNT messages")
            .option('W', "timeout", "SECONDS", "listen: exit after SECONDS (status 1 if fewer than COUNT came)");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");
    private static final Inet4Address ALL_SYSTEMS = v4("224.0.0.1");
    private static final Inet4Address ALL_ROUTERS = v4("224.0.0.2");
    private static final Inet4Address IGMPV3_ROUTERS = v4("224.0.0.22");
    private static final Inet4Address ANY = v4("0.0.0.0");
    private static final int ETH_P_IP = 0x0800;

    @Override
    public String name() {
        return "igmp";
    }

    @Override
    public String summary() {
        return "send IGMP queries, reports and leaves; print the IGMP messages seen on an interface";
    }

    @Override
    public String usage() {
        return """
                Usage: ffsock igmp query  [OPTIONS] GROUP      (0.0.0.0: a general query)
                       ffsock igmp report [OPTIONS] GROUP
                       ffsock igmp leave  [OPTIONS] GROUP
                       ffsock igmp listen [-i IFACE] [-c COUNT] [-W SECONDS]
                Send one IGMP message, or print the IGMP messages on the link.

                Options:
                """ + PARSER.optionsHelp() + """

                Sending: the message is built with io.ffsock.packet and sent on a raw socket with
                IP_HDRINCL, TTL 1 and the Router Alert option (RFC 2236, RFC 3376), TOS 0xc0, from
                IFACE (SO_BINDTODEVICE) and its IPv4 address, read through rtnetlink. Destinations: a general query goes to
                224.0.0.1, a group-specific query and v1/v2 reports to the group, a v2 leave to
                224.0.0.2, v3 reports and leaves to 224.0.0.22. A v3 report says MODE_IS_EXCLUDE
                (joined) without --source, MODE_IS_INCLUDE with the sources; a v3 leave is
                CHANGE_TO_INCLUDE_MODE with no sources (BLOCK_OLD_SOURCES with --source). IGMPv1
                has no leave. Needs CAP_NET_RAW.

                listen: an AF_PACKET socket (ETH_P_IP) sees every IPv4 packet arriving on the
                interface, so reports for groups this host never joined show too (messages this
                host sends do not). One line per message: time, source > destination, the decoded
                message, [TTL, RA when the Router Alert option is present]. It says "listening on"
                on stderr once the socket is bound. Needs CAP_NET_RAW.

                Exit status: 0 sent (or COUNT messages seen), 1 listen timed out first, 2 an error
                (missing privilege, no such interface, bad usage).

                Examples:
                  ffsock igmp query -i eth0 0.0.0.0
                  ffsock igmp query -v 3 --max-resp 2 --source 10.0.0.5 239.1.2.3
                  ffsock igmp report -v 2 239.1.2.3
                  ffsock igmp listen -i eth0 -c 10
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err, InputStream in) throws UsageException {
        ArgParser.Parsed p = PARSER.parse(sourcesJoined(args));
        if (p.help()) {
            out.print(usage());
            return Main.OK;
        }
        return dispatch(p, out, err, "igmp", "leave", this::send, () -> listen(p, out, err, "igmp", ETH_P_IP, IgmpCommand::decode));
    }

    /** Sends one message for an action; returns the exit status. */
    interface Sender {
        int send(String action, ArgParser.Parsed p, PrintStream out) throws UsageException, NetSupport.ToolException, IOException;
    }

    /** Listens; returns the exit status. */
    interface Listener {
        int listen() throws UsageException, NetSupport.ToolException, IOException;
    }

    /**
     * The actions of {@code ffsock igmp} and {@code ffsock mld}: query, report, {@code leaving}
     * (IGMP's leave, MLD's done) or listen, each with only the options it takes; a failure is one
     * line on stderr and status 2.
     */
    static int dispatch(ArgParser.Parsed p, PrintStream out, PrintStream err, String tool, String leaving,
                        Sender sender, Listener listener) throws UsageException {
        String actions = "query, report, " + leaving + " or listen";
        List<String> pos = p.positionals();
        if (pos.isEmpty()) throw new UsageException("missing action: " + actions);
        String action = pos.get(0);
        try {
            if (action.equals("listen")) {
                if (pos.size() > 1) throw new UsageException("unexpected argument '" + pos.get(1) + "'");
                for (String o : List.of("version", "max-resp", "source")) {
                    if (p.value(o).isPresent()) throw new UsageException("--" + o + " is for sending, not listen");
                }
                return listener.listen();
            }
            if (action.equals("query") || action.equals("report") || action.equals(leaving)) {
                if (p.value("count").isPresent() || p.value("timeout").isPresent()) {
                    throw new UsageException("-c and -W are for listen");
                }
                return sender.send(action, p, out);
            }
            throw new UsageException("unknown action '" + action + "': " + actions);
        } catch (NetSupport.ToolException | IOException e) {
            err.println("ffsock " + tool + ": " + e.getMessage());
            return NetSupport.ERROR;
        }
    }

    /** ArgParser keeps the last value of an option: join repeated --source values with commas first. */
    static List<String> sourcesJoined(List<String> args) {
        List<String> out = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                out.addAll(args.subList(i, args.size()));
                break;
            }
            if (a.equals("--source") && i + 1 < args.size()) {
                sources.add(args.get(++i));
            } else if (a.startsWith("--source=")) {
                sources.add(a.substring("--source=".length()));
            } else {
                out.add(a);
            }
        }
        if (!sources.isEmpty()) out.add(0, "--source=" + String.join(",", sources));
        return out;
    }

    // ---- sending -------------------------------------------------------------------------------

    private int send(String action, ArgParser.Parsed p, PrintStream out) throws UsageException, NetSupport.ToolException, IOException {
        List<String> pos = p.positionals();
        if (pos.size() < 2) throw new UsageException("missing GROUP");
        if (pos.size() > 2) throw new UsageException("unexpected argument '" + pos.get(2) + "'");
        int version = NetSupport.intOption(p, "version", 3, 1, 3);
        Inet4Address group = NetSupport.ipv4Literal(pos.get(1), "GROUP");
        boolean general = group.equals(ANY);
        if (!general && !group.isMulticastAddress()) throw new UsageException("GROUP " + pos.get(1) + " is not a multicast address");
        if (general && !action.equals("query")) throw new UsageException("a " + action + " needs a multicast GROUP, not 0.0.0.0");
        List<Inet4Address> sources = new ArrayList<>();
        if (p.value("source").isPresent()) {
            if (version != 3) throw new UsageException("--source needs IGMPv3 (-v 3)");
            for (String s : p.value("source").get().split(",")) sources.add(NetSupport.ipv4Literal(s.trim(), "--source"));
        }
        if (p.value("max-resp").isPresent() && !action.equals("query")) throw new UsageException("--max-resp is for query");
        int maxRespTenths = (int) Math.round(NetSupport.secondsOption(p, "max-resp", 10, 0, 3174.4) / 1e8);

        IgmpMessage message;
        Inet4Address destination;
        switch (action) {
            case "query" -> {
                destination = general ? ALL_SYSTEMS : group;
                message = switch (version) {
                    case 1 -> {
                        if (p.value("max-resp").isPresent()) throw new UsageException("an IGMPv1 query has no --max-resp");
                        yield new IgmpV1Query(group);
                    }
                    case 2 -> {
                        if (maxRespTenths < 1 || maxRespTenths > 255) {
                            throw new UsageException("an IGMPv2 --max-resp is 0.1 to 25.5 seconds");
                        }
                        yield new IgmpV2Query(maxRespTenths, group);
                    }
                    default -> {
                        if (general && !sources.isEmpty()) throw new UsageException("a general query (0.0.0.0) has no sources");
                        yield IgmpV3Query.of(maxRespTenths, group, false, 2, 125, sources);
                    }
                };
            }
            case "report" -> {
                destination = version == 3 ? IGMPV3_ROUTERS : group;
                message = switch (version) {
                    case 1 -> new IgmpV1Report(group);
                    case 2 -> new IgmpV2Report(group);
                    default -> IgmpV3Report.of(IgmpGroupRecord.of(
                            sources.isEmpty() ? IgmpRecordType.MODE_IS_EXCLUDE : IgmpRecordType.MODE_IS_INCLUDE, group, sources));
                };
            }
            default -> { // leave
                destination = version == 3 ? IGMPV3_ROUTERS : ALL_ROUTERS;
                message = switch (version) {
                    case 1 -> throw new UsageException("IGMPv1 has no leave message: use -v 2 or -v 3");
                    case 2 -> new IgmpV2Leave(group);
                    default -> IgmpV3Report.of(IgmpGroupRecord.of(
                            sources.isEmpty() ? IgmpRecordType.CHANGE_TO_INCLUDE_MODE : IgmpRecordType.BLOCK_OLD_SOURCES, group, sources));
                };
            }
        }

        // -i: index and addresses through rtnetlink; its primary IPv4 address is the source
        LocalInterfaces.Interface nif = p.value("interface").isPresent() ? LocalInterfaces.byName(p.value("interface").get()) : null;
        Inet4Address source = nif == null ? ANY // 0.0.0.0: the kernel fills it in
                : nif.ipv4().orElseThrow(() -> new NetSupport.ToolException(nif.name() + ": no IPv4 address to send IGMP from"));
        byte[] igmp = message.toBytes();
        List<Ipv4Option> options = List.of(Ipv4Option.RouterAlert.EXAMINE);
        Ipv4Header proto = Ipv4Header.of(Ipv4Header.PROTOCOL_IGMP, 1, source, destination, options, igmp.length);
        // TOS 0xc0 (internetwork control) as RFC 3376 section 4 and Linux use; identification 0
        // with DF clear: the kernel picks one (raw(7)).
        Ipv4Header header = new Ipv4Header(0xc0, proto.totalLength(), 0, 0, 0, 1, Ipv4Header.PROTOCOL_IGMP, 0,
                source, destination, options);
        byte[] packet = new byte[header.totalLength()];
        int hl = header.writeTo(packet, 0);
        System.arraycopy(igmp, 0, packet, hl, igmp.length);

        try (Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.IGMP)) {
            s.setOption(LinuxSocketOptions.IP_HDRINCL, true);
            if (nif != null) s.setOption(LinuxSocketOptions.SO_BINDTODEVICE, nif.name()); // multicast goes out of it
            s.sendTo(packet, new InetSocketAddress(destination, 0));
        }
        out.println("sent " + (source.equals(ANY) ? "" : text(source) + " ") + "> " + text(destination) + ": "
                + describe(message) + (nif == null ? "" : " on " + nif.name()));
        return Main.OK;
    }

    // ---- listening -----------------------------------------------------------------------------

    /** Turns one packet from the AF_PACKET socket into a line, or null to skip it. */
    interface Decoder {
        String decode(byte[] b, int length, PacketAddress from);
    }

    /**
     * The listen action of {@code ffsock igmp} and {@code ffsock mld}: an AF_PACKET socket for
     * {@code ethertype} on the -i interface (or every one), a line per packet the decoder takes.
     */
    static int listen(ArgParser.Parsed p, PrintStream out, PrintStream err, String tool, int ethertype, Decoder decoder)
            throws UsageException, NetSupport.ToolException, IOException {
        int count = NetSupport.intOption(p, "count", 0, 1, Integer.MAX_VALUE);
        long timeoutNanos = p.value("timeout").isPresent() ? NetSupport.secondsOption(p, "timeout", 0, 0.001, 1e7) : 0;
        LocalInterfaces.Interface nif = p.value("interface").isPresent() ? LocalInterfaces.byName(p.value("interface").get()) : null;
        try (Socket s = Socket.open(Family.PACKET, SocketType.DGRAM, Protocol.ethernet(ethertype))) {
            s.bind(PacketAddress.of(ethertype, nif == null ? 0 : nif.index()));
            err.println("ffsock " + tool + ": listening on " + (nif == null ? "every interface" : nif.name()));
            err.flush();
            byte[] buf = new byte[65536];
            long deadline = timeoutNanos == 0 ? 0 : System.nanoTime() + timeoutNanos;
            int seen = 0;
            while (count == 0 || seen < count) {
                if (deadline != 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return 1;
                    s.setTimeout(Duration.ofNanos(left));
                }
                Received r;
                try {
                    r = s.recvFrom(buf, 0, buf.length);
                } catch (SocketTimeoutException e) {
                    return 1;
                }
                String line = decoder.decode(buf, (int) r.length(), nif == null && r.sender() instanceof PacketAddress pa ? pa : null);
                if (line == null) continue;
                seen++;
                out.println(LocalTime.now().format(TIME) + " " + line);
                out.flush();
            }
            return Main.OK;
        }
    }

    /** One IPv4 packet from the AF_PACKET socket as a line, or null if it is not IGMP. */
    static String decode(byte[] b, int length, PacketAddress from) {
        Ipv4Header h;
        try {
            h = Ipv4Header.parse(b, 0, length);
        } catch (MalformedPacketException e) {
            return null;
        }
        if (h.protocol() != Ipv4Header.PROTOCOL_IGMP || h.fragmentOffset() != 0 || h.moreFragments()) return null;
        int off = h.headerLength();
        int end = Math.min(length, h.totalLength());
        StringBuilder line = new StringBuilder();
        line.append(text(h.source())).append(" > ").append(text(h.destination())).append(": ");
        try {
            IgmpMessage m = IgmpMessage.parse(b, off, end - off);
            line.append(describe(m));
            if (!IgmpMessage.checksumValid(b, off, end - off)) line.append(", bad checksum");
        } catch (MalformedPacketException e) {
            line.append("malformed IGMP (").append(e.getMessage()).append(")");
        }
        line.append(" [ttl ").append(h.ttl());
        if (h.options().stream().anyMatch(o -> o instanceof Ipv4Option.RouterAlert)) line.append(", RA");
        line.append(']');
        if (from != null) line.append(" ifindex ").append(from.interfaceIndex());
        return line.toString();
    }

    /** A message's type and fields, in words. */
    static String describe(IgmpMessage m) {
        return switch (m) {
            case IgmpV1Query q -> "IGMPv1 query group " + text(q.group());
            case IgmpV2Query q -> "IGMPv2 query group " + text(q.group()) + " max-resp " + tenths(q.maxResponseTime());
            case IgmpV3Query q -> "IGMPv3 query group " + text(q.group()) + " max-resp " + tenths(q.maxResponseTime())
                    + (q.suppressRouterProcessing() ? " S" : "") + " qrv " + q.robustness() + " qqi " + q.queryInterval() + "s"
                    + " sources [" + addresses(q.sources()) + "]";
            case IgmpV1Report r -> "IGMPv1 report group " + text(r.group());
            case IgmpV2Report r -> "IGMPv2 report group " + text(r.group());
            case IgmpV2Leave l -> "IGMPv2 leave group " + text(l.group());
            case IgmpV3Report r -> "IGMPv3 report " + r.records().size() + (r.records().size() == 1 ? " record" : " records")
                    + r.records().stream().map(g -> g.type() + " group " + text(g.group()) + " sources [" + addresses(g.sources()) + "]")
                    .collect(Collectors.joining("; ", ": ", ""));
            case IgmpUnknown u -> String.format("IGMP type 0x%02x code %d (%d bytes)", u.type(), u.code(), u.length());
        };
    }

    private static String tenths(int t) {
        return t / 10 + "." + t % 10 + "s";
    }

    private static String addresses(List<Inet4Address> list) {
        return list.stream().map(NetSupport::text).collect(Collectors.joining(", "));
    }

    private static Inet4Address v4(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByName(dotted);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
