package io.ffsock.tools;

import static io.ffsock.tools.NetSupport.text;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.PacketAddress;
import io.ffsock.Protocol;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.packet.Icmpv6Message;
import io.ffsock.packet.Icmpv6Unknown;
import io.ffsock.packet.IgmpRecordType;
import io.ffsock.packet.Ipv6Header;
import io.ffsock.packet.MalformedPacketException;
import io.ffsock.packet.MldAddressRecord;
import io.ffsock.packet.MldV1Message;
import io.ffsock.packet.MldV2Query;
import io.ffsock.packet.MldV2Report;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ffsock mld query|report|done|listen}: IGMP's IPv6 counterpart (RFC 2710, RFC 3810).
 * Sends MLD v1/v2 messages built with the packet codecs on a raw ICMPv6 socket, and prints every
 * MLD message seen on an interface.
 */
public final class MldCommand implements Command {
    private static final ArgParser PARSER = new ArgParser()
            .option('v', "version", "1|2", "MLD version of the message sent (2)")
            .option('i', "interface", "IFACE", "send from (needed) / listen on IFACE (listening: every interface)")
            .option((char) 0, "max-resp", "SECONDS", "query: the Maximum Response Delay (10; v1 up to 65.535, v2 up to 8387.584)")
            .option((char) 0, "source", "ADDR", "v2 query or report: a source address; repeat, or separate with commas")
            .option('c', "count", "COUNT", "listen: exit after COUNT messages")
            .option('W', "timeout", "SECONDS", "listen: exit after SECONDS (status 1 if fewer than COUNT came)");

    private static final Inet6Address ALL_NODES = v6("ff02::1");
    private static final Inet6Address ALL_ROUTERS = v6("ff02::2");
    private static final Inet6Address MLDV2_ROUTERS = v6("ff02::16");
    private static final Inet6Address ANY = v6("::");
    private static final int ETH_P_IPV6 = 0x86DD;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_HOPOPTS = 54;
    /** Hop-by-Hop Options: Router Alert 0 (MLD, RFC 2711) and a 2-byte PadN; the kernel sets the next-header byte. */
    private static final byte[] ROUTER_ALERT_MLD = {0, 0, 5, 2, 0, 0, 1, 0};

    @Override
    public String name() {
        return "mld";
    }

    @Override
    public String summary() {
        return "send MLD queries, reports and dones (IGMP for IPv6); print the MLD messages seen on an interface";
    }

    @Override
    public String usage() {
        return """
                Usage: ffsock mld query  [OPTIONS] -i IFACE GROUP      (:: : a general query)
                       ffsock mld report [OPTIONS] -i IFACE GROUP
                       ffsock mld done   [OPTIONS] -i IFACE GROUP
                       ffsock mld listen [-i IFACE] [-c COUNT] [-W SECONDS]
                Send one MLD message, or print the MLD messages on the link.

                Options:
                """ + PARSER.optionsHelp() + """

                Sending: the message is built with io.ffsock.packet and sent on a raw ICMPv6 socket
                (the kernel fills in the checksum) from IFACE's link-local address, hop limit 1,
                with the Hop-by-Hop Router Alert option (RFC 2710, RFC 3810 section 5: a receiver
                drops a query without all three), and not looped back to this host. Destinations: a general query goes to ff02::1, a
                group-specific query and v1 reports to the group, a v1 done to ff02::2, v2 reports
                and dones to ff02::16. A v2 report says MODE_IS_EXCLUDE (listening) without
                --source, MODE_IS_INCLUDE with the sources; a v2 done is CHANGE_TO_INCLUDE_MODE with
                no sources (BLOCK_OLD_SOURCES with --source). Needs CAP_NET_RAW.

                listen: an AF_PACKET socket (ETH_P_IPV6) sees every IPv6 packet arriving on the
                interface, so reports for groups this host never joined show too (messages this
                host sends do not). One line per message: time, source > destination, the decoded
                message, [hop limit, RA when the Router Alert option is present]. It says
                "listening on" on stderr once the socket is bound. Needs CAP_NET_RAW.

                Exit status: 0 sent (or COUNT messages seen), 1 listen timed out first, 2 an error
                (missing privilege, no such interface, bad usage).

                Examples:
                  ffsock mld query -i eth0 ::
                  ffsock mld query -i eth0 --max-resp 2 --source 2001:db8::5 ff0e::1:3
                  ffsock mld report -v 1 -i eth0 ff0e::1:3
                  ffsock mld listen -i eth0 -c 10
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err, InputStream in) throws UsageException {
        ArgParser.Parsed p = PARSER.parse(IgmpCommand.sourcesJoined(args));
        if (p.help()) {
            out.print(usage());
            return Main.OK;
        }
        return IgmpCommand.dispatch(p, out, err, "mld", "done", this::send,
                () -> IgmpCommand.listen(p, out, err, "mld", ETH_P_IPV6, MldCommand::decode));
    }

    // ---- sending -------------------------------------------------------------------------------

    private int send(String action, ArgParser.Parsed p, PrintStream out) throws UsageException, NetSupport.ToolException, IOException {
        List<String> pos = p.positionals();
        if (pos.size() < 2) throw new UsageException("missing GROUP");
        if (pos.size() > 2) throw new UsageException("unexpected argument '" + pos.get(2) + "'");
        int version = NetSupport.intOption(p, "version", 2, 1, 2);
        Inet6Address group = ipv6Literal(pos.get(1), "GROUP");
        boolean general = group.equals(ANY);
        if (!general && !group.isMulticastAddress()) throw new UsageException("GROUP " + pos.get(1) + " is not a multicast address");
        if (general && !action.equals("query")) throw new UsageException("a " + action + " needs a multicast GROUP, not ::");
        List<Inet6Address> sources = new ArrayList<>();
        if (p.value("source").isPresent()) {
            if (version != 2) throw new UsageException("--source needs MLDv2 (-v 2)");
            for (String s : p.value("source").get().split(",")) sources.add(ipv6Literal(s.trim(), "--source"));
        }
        if (p.value("max-resp").isPresent() && !action.equals("query")) throw new UsageException("--max-resp is for query");
        double maxSeconds = version == 1 ? 65.535 : MldV2Query.MAX_RESPONSE_DELAY / 1000.0;
        int maxRespMillis = (int) Math.round(NetSupport.secondsOption(p, "max-resp", 10, 0, maxSeconds) / 1e6);
        if (p.value("interface").isEmpty()) {
            throw new UsageException("MLD is link-local: name the interface with -i IFACE");
        }
        LocalInterfaces.Interface nif = LocalInterfaces.byName(p.value("interface").get()); // through rtnetlink

        Icmpv6Message message;
        Inet6Address destination;
        switch (action) {
            case "query" -> {
                destination = general ? ALL_NODES : group;
                if (general && !sources.isEmpty()) throw new UsageException("a general query (::) has no sources");
                message = version == 1 ? MldV1Message.query(maxRespMillis, group)
                        : MldV2Query.of(maxRespMillis, group, false, 2, 125, sources);
            }
            case "report" -> {
                destination = version == 2 ? MLDV2_ROUTERS : group;
                message = version == 1 ? MldV1Message.report(group) : MldV2Report.of(MldAddressRecord.of(
                        sources.isEmpty() ? IgmpRecordType.MODE_IS_EXCLUDE : IgmpRecordType.MODE_IS_INCLUDE, group, sources));
            }
            default -> { // done
                destination = version == 2 ? MLDV2_ROUTERS : ALL_ROUTERS;
                message = version == 1 ? MldV1Message.done(group) : MldV2Report.of(MldAddressRecord.of(
                        sources.isEmpty() ? IgmpRecordType.CHANGE_TO_INCLUDE_MODE : IgmpRecordType.BLOCK_OLD_SOURCES, group, sources));
            }
        }

        Inet6Address source = nif.linkLocalIpv6()
                .orElseThrow(() -> new NetSupport.ToolException(nif.name()
                        + ": no link-local IPv6 address, which MLD messages must come from (RFC 3810 section 5)"));
        try (Socket s = Socket.open(Family.INET6, SocketType.RAW, Protocol.ICMPV6)) {
            // out of IFACE: bound to it, and to its link-local address scoped to it
            s.setOption(LinuxSocketOptions.SO_BINDTODEVICE, nif.name());
            s.bind(new InetSocketAddress(nif.scoped(source), 0));
            s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            // Not to this host's own kernel: a query looped back would make it answer (and a v1
            // query switch its interface to MLDv1) as if another router had asked.
            s.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
            s.sendMsg(List.of(ByteBuffer.wrap(message.toBytes())),
                    List.of(new ControlMessage.Raw(IPPROTO_IPV6, IPV6_HOPOPTS, ROUTER_ALERT_MLD)), Set.of(),
                    new InetSocketAddress(nif.scoped(destination), 0));
        }
        out.println("sent " + text(source) + " > " + text(destination) + ": " + describe(message) + " on " + nif.name());
        return Main.OK;
    }

    private static Inet6Address ipv6Literal(String text, String what) throws UsageException {
        // Only a literal (it has a colon): never a DNS lookup.
        if (text.indexOf(':') >= 0 && text.indexOf('%') < 0) {
            try {
                if (InetAddress.getByName(text) instanceof Inet6Address a) return a;
            } catch (UnknownHostException e) {
                // falls through
            }
        }
        throw new UsageException("bad " + what + " '" + text + "': an IPv6 address, e.g. ff0e::1:3");
    }

    // ---- listening -----------------------------------------------------------------------------

    /**
     * One IPv6 packet from the AF_PACKET socket as a line, or null if it is not MLD: the IPv6
     * header, a Hop-by-Hop Options header if one comes first (where the Router Alert is), then
     * the ICMPv6 message.
     */
    static String decode(byte[] b, int length, PacketAddress from) {
        Ipv6Header h;
        try {
            h = Ipv6Header.parse(b, 0, length);
        } catch (MalformedPacketException e) {
            return null;
        }
        int end = Math.min(length, Ipv6Header.LENGTH + h.payloadLength());
        int next = h.nextHeader();
        int off = Ipv6Header.LENGTH;
        boolean routerAlert = false;
        if (next == 0) { // Hop-by-Hop Options (RFC 8200 section 4.3)
            if (end - off < 8) return null;
            int hbhEnd = off + ((b[off + 1] & 0xFF) + 1) * 8;
            if (hbhEnd > end) return null;
            for (int i = off + 2; i < hbhEnd; ) {
                int type = b[i] & 0xFF;
                if (type == 0) { // Pad1
                    i++;
                    continue;
                }
                if (i + 1 >= hbhEnd) break;
                if (type == 5) routerAlert = true;
                i += 2 + (b[i + 1] & 0xFF);
            }
            next = b[off] & 0xFF;
            off = hbhEnd;
        }
        if (next != Icmpv6Message.NEXT_HEADER || end - off < Icmpv6Message.MIN_LENGTH) return null;
        int type = b[off] & 0xFF;
        if (type != Icmpv6Message.TYPE_MLD_QUERY && type != Icmpv6Message.TYPE_MLD_V1_REPORT
                && type != Icmpv6Message.TYPE_MLD_V1_DONE && type != Icmpv6Message.TYPE_MLD_V2_REPORT) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        line.append(text(h.source())).append(" > ").append(text(h.destination())).append(": ");
        try {
            line.append(describe(Icmpv6Message.parse(b, off, end - off)));
            if (!Icmpv6Message.checksumValid(b, off, end - off, h.source(), h.destination())) line.append(", bad checksum");
        } catch (MalformedPacketException e) {
            line.append("malformed MLD (").append(e.getMessage()).append(")");
        }
        line.append(" [hlim ").append(h.hopLimit());
        if (routerAlert) line.append(", RA");
        line.append(']');
        if (from != null) line.append(" ifindex ").append(from.interfaceIndex());
        return line.toString();
    }

    /** A message's type and fields, in words. */
    static String describe(Icmpv6Message m) {
        return switch (m) {
            case MldV1Message v when v.type() == Icmpv6Message.TYPE_MLD_QUERY ->
                    "MLDv1 query group " + text(v.group()) + " max-resp " + millis(v.maxResponseDelay());
            case MldV1Message v -> (v.type() == Icmpv6Message.TYPE_MLD_V1_REPORT ? "MLDv1 report" : "MLDv1 done")
                    + " group " + text(v.group());
            case MldV2Query q -> "MLDv2 query group " + text(q.group()) + " max-resp " + millis(q.maxResponseDelay())
                    + (q.suppressRouterProcessing() ? " S" : "") + " qrv " + q.robustness() + " qqi " + q.queryInterval() + "s"
                    + " sources [" + addresses(q.sources()) + "]";
            case MldV2Report r -> "MLDv2 report " + r.records().size() + (r.records().size() == 1 ? " record" : " records")
                    + r.records().stream().map(g -> g.type() + " group " + text(g.group()) + " sources [" + addresses(g.sources()) + "]")
                    .collect(Collectors.joining("; ", ": ", ""));
            case Icmpv6Unknown u -> String.format("ICMPv6 type %d code %d (%d bytes)", u.type(), u.code(), u.length());
            default -> m.toString();
        };
    }

    private static String millis(int ms) {
        return String.format(java.util.Locale.ROOT, "%d.%03ds", ms / 1000, ms % 1000);
    }

    private static String addresses(List<Inet6Address> list) {
        return list.stream().map(NetSupport::text).collect(Collectors.joining(", "));
    }

    private static Inet6Address v6(String literal) {
        try {
            return (Inet6Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
