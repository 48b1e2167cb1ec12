package io.ffsock.tools;

import static io.ffsock.tools.NetSupport.text;

import io.ffsock.icmp.TraceHop;
import io.ffsock.icmp.TraceProbe;
import io.ffsock.icmp.Traceroute;
import io.ffsock.icmp.TracerouteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code ffsock traceroute [-4|-6] [-m MAXHOPS] [-q QUERIES] [-w WAIT] [-f FIRST] [-N SQUERIES]
 * [-I|-U] [-n] HOST [PACKETLEN]}: the route to an IPv4 or IPv6 host, hop by hop, printed as
 * Debian's traceroute prints it. A command line over {@link Traceroute}; its errors and exit
 * status are Debian traceroute's.
 */
public final class TracerouteCommand implements Command {
    private static final ArgParser PARSER = new ArgParser()
            .option('m', "max-hops", "MAXHOPS", "the largest TTL probed (30)")
            .option('q', "queries", "QUERIES", "probes per hop (3)")
            .option('w', "wait", "SECONDS", "how long each probe waits for its answer (5)")
            .option('f', "first", "FIRST", "the TTL to start from (1)")
            .option('N', "sim-queries", "SQUERIES", "probes in flight at once, over all hops (16)")
            .option('p', "port", "PORT", "with -U: the port of the first probe, one more for each next (33434)")
            .option('i', "interface", "IFACE", "send from interface IFACE (bound to it, SO_BINDTODEVICE; its address the\n"
                    + "kernel prefers for HOST)")
            .option('s', "source", "ADDRESS", "send from ADDRESS, an address of this host")
            .flag('I', "icmp", "probe with ICMP echo requests (the default): a raw socket, or a ping socket\n"
                    + "without CAP_NET_RAW")
            .flag('U', "udp", "probe with UDP datagrams to ports 33434, 33435... (no privilege needed)")
            .flag('n', "numeric", "print addresses only, no reverse DNS lookup")
            .flag('4', "ipv4", "trace over IPv4 only")
            .flag('6', "ipv6", "trace over IPv6 only")
            .flag('V', "version", "print the version and exit");

    /** Exit status of Debian's traceroute for bad arguments and unknown hosts. */
    private static final int BAD_ARGS = 2;
    /** Exit status of Debian's traceroute when a socket call fails. */
    private static final int FAILED = 1;

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
                Usage: ffsock traceroute [OPTIONS] HOST [PACKETLEN]
                Print the routers on the way to HOST: probes go out with TTL (IPv6: hop limit) 1, 2,
                3...; each router where a probe's TTL runs out answers with ICMP time exceeded, and the
                output names it with the round-trip time of each probe, '*' for a probe not answered
                in time. Up to SQUERIES probes are in flight at once, over all hops, as Debian's
                traceroute sends them. Stops at the hop where HOST itself answers (echo reply, or
                port unreachable for UDP), or where a router reports it unreachable (!H host, !N
                network, !P protocol, !X prohibited, !F fragmentation needed, !S source route
                failed, !<code> other; over IPv6: !N no route, !X administratively prohibited, !H
                address unreachable or beyond scope, !F-<mtu> packet too big).

                IPv4 or IPv6: -4 or -6 says which; without them an IPv4 address of HOST is used if
                it has one, else its IPv6 address (an IPv6 literal such as fd00:2::2 is IPv6).
                PACKETLEN is the size of each probe with its IP header (60; 80 over IPv6).

                Options:
                """ + PARSER.optionsHelp() + """

                With -U the answers are read back from the socket's error queue (IP_RECVERR,
                IPV6_RECVERR). Round-trip times end at the kernel's receive timestamp.
                -i and -s are traceroute's (-I is ICMP there, as here): the source address for -i
                is the one the kernel prefers on IFACE for HOST (rtnetlink RTM_GETROUTE, as 'ip
                route get HOST oif IFACE'); -s with -i sends from ADDRESS out of IFACE.
                Exit status, as Debian's traceroute: 0 when the route was printed, 1 when a socket
                call failed (missing privilege, no such interface, source address not local), 2 on
                bad arguments or an unknown host. Error lines are Debian's ("Bad option `-x'",
                "HOST: Name or service not known").

                Examples:
                  ffsock traceroute -n 10.2.0.2
                  ffsock traceroute -6 -n fd00:2::2
                  ffsock traceroute -U -q 1 -w 1 example.org
                  ffsock traceroute -n -i eth1 10.2.0.2
                """;
    }

    private record Options(String host, int hostArgc, int family, TracerouteConfig config, boolean numeric,
                           String source, String iface) {}

    /** A bad argument, printed as Debian's traceroute prints it. */
    private static final class BadArgument extends Exception {
        private static final long serialVersionUID = 1L;

        BadArgument(String message) {
            super(message);
        }
    }

    /** The first hop's every probe was refused by the kernel: ends the trace. */
    private static final class SendRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SendRefused(String message) {
            super(message);
        }
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err, InputStream in) {
        Options o;
        try {
            ArgParser.Parsed p;
            try {
                p = PARSER.parse(args);
            } catch (UsageException e) {
                throw new BadArgument(parserError(e.getMessage(), args));
            }
            if (p.help()) {
                out.print(usage());
                return Main.OK;
            }
            if (p.positionals().isEmpty()) {
                // Debian's traceroute without a host prints its usage and exits 0.
                err.print(usage());
                return Main.OK;
            }
            o = options(p, args);
        } catch (BadArgument e) {
            err.println(e.getMessage());
            return BAD_ARGS;
        }
        InetAddress target;
        try {
            target = NetSupport.resolve(o.host, o.family);
        } catch (NetSupport.ToolException e) {
            err.println(e.getMessage());
            err.println("Cannot handle \"host\" cmdline arg `" + o.host + "' on position 1 (argc " + o.hostArgc + ")");
            return BAD_ARGS;
        }
        TracerouteConfig config = o.config;
        try {
            SourceSelection from = source(o, target);
            if (from != null) {
                if (o.iface != null) config = config.withInterface(from.interfaceName());
                config = config.withSource(scoped(from));
            }
        } catch (NetSupport.ToolException e) {
            err.println(e.getMessage());
            return FAILED;
        }
        try (Traceroute trace = Traceroute.open(target, config)) {
            out.println("traceroute to " + o.host + " (" + text(target) + "), " + config.maxTtl() + " hops max, "
                    + trace.packetLength() + " byte packets");
            out.flush();
            trace.run(hop -> {
                // Debian's traceroute stops at a send the kernel refuses outright (no route): status 1
                if (hop.ttl() == trace.config().firstTtl() && hop.probes().stream().allMatch(p -> p instanceof TraceProbe.Failed)) {
                    throw new SendRefused(((TraceProbe.Failed) hop.probes().getFirst()).message());
                }
                print(hop, target, o.numeric, out);
            });
            return Main.OK;
        } catch (SendRefused e) {
            out.flush();
            err.println(e.getMessage());
            return FAILED;
        } catch (IOException e) {
            err.println(e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
    }

    /** Where -i and -s say the probes leave from (the interface of -i, the address of -s), or null without them. */
    private static SourceSelection source(Options o, InetAddress target) throws NetSupport.ToolException {
        if (o.source == null) return o.iface == null ? null : SourceSelection.resolve(o.iface, target);
        SourceSelection address = SourceSelection.resolve(o.source, target);
        if (o.iface == null) return address;
        // both: ADDRESS out of IFACE, which need not have an address of its own
        LocalInterfaces.Interface device = LocalInterfaces.byName(o.iface);
        return new SourceSelection(address.source(), device.name(), device.index());
    }

    /** The source, a link-local IPv6 one scoped to its interface as bind(2) needs. */
    static InetAddress scoped(SourceSelection from) throws NetSupport.ToolException {
        InetAddress a = from.source();
        if (a instanceof Inet6Address v && v.isLinkLocalAddress() && v.getScopeId() == 0) {
            try {
                return Inet6Address.getByAddress(null, v.getAddress(), from.interfaceIndex());
            } catch (java.net.UnknownHostException e) {
                throw new NetSupport.ToolException("bind: " + e.getMessage());
            }
        }
        return a;
    }

    /** Debian's wording for what {@link ArgParser} refused. */
    private static String parserError(String message, List<String> args) {
        if (message.startsWith("unknown option ")) {
            String option = message.substring("unknown option ".length());
            return "Bad option `" + option + "' (argc " + argc(args, option) + ")";
        }
        if (message.startsWith("option ") && message.contains(" needs a value")) {
            String option = message.substring("option ".length(), message.indexOf(' ', "option ".length()));
            return "Option `" + option + "' (argc " + argc(args, option) + ") requires an argument";
        }
        return message;
    }

    /** The argv index (program name = 0) of the first argument that starts with {@code token}. */
    private static int argc(List<String> args, String token) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith(token) || (token.length() == 2 && args.get(i).matches("-[^-].*" + token.charAt(1) + ".*"))) {
                return i + 1;
            }
        }
        return args.size();
    }

    private static Options options(ArgParser.Parsed p, List<String> args) throws BadArgument {
        List<String> pos = p.positionals();
        String host = pos.get(0);
        if (pos.size() > 2) {
            throw new BadArgument("Extra arg `" + pos.get(2) + "' (position 3, argc " + (args.indexOf(pos.get(2)) + 1) + ")");
        }
        int family = p.flag("ipv6") ? 6 : p.flag("ipv4") ? 4 : 0; // as Debian, the last of -4/-6 wins
        if (p.flag("ipv4") && p.flag("ipv6")) family = lastOf(args, "-4", "-6") == 4 ? 4 : 6;
        int maxHops = number(p, args, "max-hops", 'm', 30);
        if (maxHops > 255) throw new BadArgument("max hops cannot be more than 255");
        int first = number(p, args, "first", 'f', 1);
        if (first < 1 || first > maxHops) throw new BadArgument("first hop out of range");
        int queries = number(p, args, "queries", 'q', 3);
        if (queries < 1 || queries > 10) throw new BadArgument("no more than 10 probes per hop");
        int sim = Math.min(1000, Math.max(1, number(p, args, "sim-queries", 'N', 16))); // as Debian, 0 means 1
        int port = number(p, args, "port", 'p', 33434);
        if (port < 1 || port > 65535) throw new BadArgument("Cannot handle `-p' option with arg `" + port + "'");
        double wait = seconds(p, args, "wait", 'w', 5.0);
        TracerouteConfig.Method method = p.flag("udp") && !p.flag("icmp") ? TracerouteConfig.Method.UDP
                : p.flag("udp") && lastOf(args, "-I", "-U") == 6 ? TracerouteConfig.Method.UDP : TracerouteConfig.Method.ICMP;
        TracerouteConfig config = TracerouteConfig.defaults().withMethod(method).withTtls(first, maxHops)
                .withProbesPerHop(queries).withSimultaneous(sim).withPort(port)
                .withProbeWait(Duration.ofNanos(Math.max(1_000_000L, (long) (wait * 1e9))));
        if (pos.size() == 2) {
            int header = family == 6 ? 48 : 28;
            int length = parseInt(pos.get(1), () -> "Cannot handle \"packetlen\" cmdline arg `" + pos.get(1)
                    + "' on position 2 (argc " + (args.indexOf(pos.get(1)) + 1) + ")");
            config = config.withDataLength(Math.max(0, Math.min(65000, length - header)));
        }
        String iface = p.value("interface").orElse(null);
        String source = p.value("source").orElse(null);
        if (iface != null && SourceSelection.isAddress(iface)) {
            throw new BadArgument("-i takes an interface name, not '" + iface + "' (an address goes with -s)");
        }
        if (source != null && !SourceSelection.isAddress(source)) {
            throw new BadArgument("Cannot handle `-s' option with arg `" + source + "' (argc " + (args.lastIndexOf(source) + 1)
                    + "): an address of this host, e.g. 10.0.0.1 (an interface goes with -i)");
        }
        if (host.isEmpty()) throw new BadArgument("Cannot handle \"host\" cmdline arg `' on position 1 (argc " + (args.indexOf(host) + 1) + ")");
        return new Options(host, args.lastIndexOf(host) + 1, family, config, p.flag("numeric"), source, iface);
    }

    /** Which of two options comes last on the command line: 4 for {@code a}, 6 for {@code b}. */
    private static int lastOf(List<String> args, String a, String b) {
        return args.lastIndexOf(a) > args.lastIndexOf(b) ? 4 : 6;
    }

    private interface Message {
        String get();
    }

    private static int parseInt(String text, Message bad) throws BadArgument {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new BadArgument(bad.get());
        }
    }

    private static int number(ArgParser.Parsed p, List<String> args, String name, char letter, int dflt) throws BadArgument {
        if (p.value(name).isEmpty()) return dflt;
        String v = p.value(name).get();
        return parseInt(v, () -> "Cannot handle `-" + letter + "' option with arg `" + v + "' (argc " + (args.lastIndexOf(v) + 1) + ")");
    }

    private static double seconds(ArgParser.Parsed p, List<String> args, String name, char letter, double dflt) throws BadArgument {
        if (p.value(name).isEmpty()) return dflt;
        String v = p.value(name).get();
        double s;
        try {
            s = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (!(s >= 0 && s <= 3600)) {
            throw new BadArgument("Cannot handle `-" + letter + "' option with arg `" + v + "' (argc " + (args.lastIndexOf(v) + 1) + ")");
        }
        return s;
    }

    /** Prints one hop's line as Debian's traceroute does. */
    private static void print(TraceHop hop, InetAddress target, boolean numeric, PrintStream out) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%2d ", hop.ttl()));
        InetAddress last = null;
        for (TraceProbe p : hop.probes()) {
            switch (p) {
                case TraceProbe.Answer a -> {
                    if (!a.responder().equals(last)) line.append(' ').append(name(a.responder(), numeric));
                    last = a.responder();
                    line.append(String.format(Locale.ROOT, "  %.3f ms", a.rttNanos() / 1e6));
                    String mark = mark(a, target instanceof Inet6Address);
                    if (!mark.isEmpty()) line.append(' ').append(mark);
                }
                case TraceProbe.Timeout t -> line.append(" *");
                case TraceProbe.Failed f -> line.append(" * !").append(f.errnoSymbol());
            }
        }
        out.println(line);
        out.flush();
    }

    /**
     * The mark Debian's traceroute prints after an answer. IPv4 unreachable codes: 0, 6 !N; 1, 7
     * !H; 2, 3 none from the destination, else !P; 4 !F; 5 !S; 9, 10, 13 !X; 14 !V; 15 !C; others
     * !&lt;code&gt;. IPv6: unreachable 0 !N, 1 !X, 2 and 3 !H, 4 none (the destination answered),
     * others !&lt;code&gt;; packet too big !F-&lt;mtu&gt;.
     */
    static String mark(TraceProbe.Answer a, boolean v6) {
        if (a.kind() == TraceProbe.Kind.REPLY || a.kind() == TraceProbe.Kind.TIME_EXCEEDED || a.destination()) return "";
        if (v6) {
            if (a.kind() == TraceProbe.Kind.PACKET_TOO_BIG) return "!F-" + a.mtu();
            return switch (a.code()) {
                case 0 -> "!N";
                case 1 -> "!X";
                case 2, 3 -> "!H";
                case 4 -> "";
                default -> "!<" + a.code() + ">";
            };
        }
        return switch (a.code()) {
            case 0, 6 -> "!N";
            case 1, 7 -> "!H";
            case 2, 3 -> "!P";
            case 4 -> "!F";
            case 5 -> "!S";
            case 9, 10, 13 -> "!X";
            case 14 -> "!V";
            case 15 -> "!C";
            default -> "!<" + a.code() + ">";
        };
    }

    private static String name(InetAddress a, boolean numeric) {
        if (numeric) return text(a);
        return a.getCanonicalHostName() + " (" + text(a) + ")";
    }
}
