package io.ffsock.tools;

import static io.ffsock.tools.NetSupport.text;

import io.ffsock.icmp.PingObserver;
import io.ffsock.icmp.PingOptions;
import io.ffsock.icmp.PingResult;
import io.ffsock.icmp.Pinger;
import io.ffsock.icmp.PingerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * {@code ffsock ping [-c COUNT] [-i INTERVAL] [-s SIZE] [-t TTL] [-W TIMEOUT] [-w DEADLINE]
 * [-Q TOS] [-M do|want|dont] [-I IFACE|ADDRESS] [-f] [-q] [-4|-6] [--raw|--dgram] HOST}: ICMP echo
 * over IPv4 or IPv6, printing what iputils' ping prints, with its exit status and error lines. A
 * command line over {@link Pinger}: one request per interval, each line printed as the pinger
 * matches the reply ({@link PingObserver}).
 */
public final class PingCommand implements Command {
    private static final ArgParser PARSER = new ArgParser()
            .option('c', "count", "COUNT", "stop after sending COUNT requests (and waiting for their replies)")
            .option('i', "interval", "SECONDS", "wait SECONDS between requests (1; with -f: as soon as answered)")
            .option('s', "size", "SIZE", "SIZE data bytes in each request (56: 64 ICMP bytes)")
            .option('t', "ttl", "TTL", "IP time to live / IPv6 hop limit of the requests")
            .option('W', "timeout", "SECONDS", "how long each request waits for its reply (10)")
            .option('w', "deadline", "SECONDS", "stop after SECONDS, whatever was sent or received")
            .option('Q', "tos", "TOS", "IPv4 type of service / IPv6 traffic class of the requests (0..255)")
            .option('M', "pmtudisc", "do|want|dont", "do: set DF, never fragment locally; want, dont: as the kernel does")
            .option('I', "interface", "IFACE|ADDRESS", "send from interface IFACE (bound to it, SO_BINDTODEVICE; its\n"
                    + "address the kernel prefers for HOST) or from the local ADDRESS")
            .flag('f', "flood", "flood: send the next request as soon as one is answered (at most 100/s unless -i);\n"
                    + "print '.' for each request, erase it for each reply")
            .flag('q', "quiet", "print only the first line and the summary")
            .flag('n', "numeric", "numeric output only (addresses are never looked up)")
            .flag('4', "ipv4", "use IPv4 only")
            .flag('6', "ipv6", "use IPv6 only")
            .flag((char) 0, "raw", "use a raw ICMP socket (needs CAP_NET_RAW)")
            .flag((char) 0, "dgram", "use an unprivileged ping socket (SOCK_DGRAM, net.ipv4.ping_group_range)")
            .flag('V', "version", "print the version and exit");

    /** iputils ping's status for a bad option value and for no reply: 1. */
    private static final int NO_REPLY = 1;
    /** iputils ping's status for other errors (unknown host, socket calls, unknown options): 2. */
    private static final int ERROR = 2;

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
                socket (CAP_NET_RAW). Replies are matched by identifier, sequence and a cookie in the
                payload; errors by the request quoted in them (raw) or through IP_RECVERR (ping
                socket). Round-trip times end at the kernel's receive timestamp (SO_TIMESTAMPNS).
                Duplicates are shown with (DUP!) and, like stray ICMP, not counted as received.

                -I: an interface name binds the socket to it (SO_BINDTODEVICE) and to its address
                that the kernel prefers for HOST (rtnetlink RTM_GETROUTE, as 'ip route get HOST oif
                IFACE'); an address binds the socket to that address, which must be local.

                Exit status, as iputils: 0 if a reply came, 1 if none came (or, with -w, fewer
                than COUNT) or an option's value is bad, 2 on another error (unknown host, missing
                privilege, unknown option). Errors are one line, 'ping: ...'.

                Examples:
                  ffsock ping -c 3 127.0.0.1
                  ffsock ping -6 -c 2 ::1
                  ffsock ping -c 1 -t 1 --raw 10.2.0.2
                  ffsock ping -c 2 -I eth1 10.2.0.2
                """;
    }

    private record Options(String host, int family, PingerConfig.SocketKind kind, long count, long intervalNanos,
                           long deadlineNanos, boolean flood, boolean quiet, PingOptions request, String source) {}

    /** A bad command line, as iputils reports it: the line, whether to add the usage, the status. */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean withUsage;
        final int status;

        Bad(String message, boolean withUsage, int status) {
            super(message);
            this.withUsage = withUsage;
            this.status = status;
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
                throw parserError(e.getMessage());
            }
            if (p.help()) {
                out.print(usage());
                return Main.OK;
            }
            o = options(p, args);
        } catch (Bad e) {
            err.println("ping: " + e.getMessage());
            if (e.withUsage) err.print("\n" + usage());
            return e.status;
        }
        try {
            InetAddress target = NetSupport.resolve(o.host, o.family);
            SourceSelection from = o.source == null ? null : SourceSelection.resolve(o.source, target);
            try (Pinger pinger = open(o, target, from)) {
                return new Run(o, target, from, pinger, out).run();
            }
        } catch (NetSupport.ToolException | IOException e) {
            err.println("ping: " + e.getMessage());
            return ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ERROR;
        }
    }

    /** getopt's words, as iputils prints them, for what {@link ArgParser} refused. */
    private static Bad parserError(String message) {
        if (message.startsWith("unknown option --")) {
            return new Bad("unrecognized option '" + message.substring("unknown option ".length()) + "'", true, ERROR);
        }
        if (message.startsWith("unknown option -")) {
            return new Bad("invalid option -- '" + message.substring("unknown option -".length()) + "'", true, ERROR);
        }
        if (message.startsWith("option -") && message.contains(" needs a value")) {
            String option = message.substring("option ".length(), message.indexOf(' ', "option ".length()));
            return new Bad(option.startsWith("--") ? "option '" + option + "' requires an argument"
                    : "option requires an argument -- '" + option.substring(1) + "'", true, ERROR);
        }
        return new Bad(message, true, ERROR);
    }

    private static Options options(ArgParser.Parsed p, List<String> args) throws Bad {
        if (p.flag("ipv4") && p.flag("ipv6")) throw new Bad("only one -4 or -6 option may be specified", false, ERROR);
        if (p.flag("raw") && p.flag("dgram")) throw new Bad("--raw and --dgram exclude each other", false, ERROR);
        List<String> pos = p.positionals();
        if (pos.isEmpty()) throw new Bad("usage error: Destination address required", false, NO_REPLY);
        String host = pos.getLast(); // as iputils, the last argument is the destination
        int family = p.flag("ipv4") ? 4 : p.flag("ipv6") ? 6 : 0;
        PingerConfig.SocketKind kind = p.flag("raw") ? PingerConfig.SocketKind.RAW
                : p.flag("dgram") ? PingerConfig.SocketKind.DGRAM : PingerConfig.SocketKind.AUTO;
        long count = number(p, "count", 0, 1, Long.MAX_VALUE);
        boolean flood = p.flag("flood");
        long interval = seconds(p, "interval", flood ? 0 : 1, 0, 3600 * 24);
        long deadline = seconds(p, "deadline", 0, 0, 3600L * 24 * 365);
        long timeout = seconds(p, "timeout", 10, 0, 3600L * 24 * 365);
        int size = (int) number(p, "size", 56, 0, PingOptions.MAX_PAYLOAD);
        int ttl = (int) number(p, "ttl", 0, 0, 255);
        if (p.value("ttl").isPresent() && ttl == 0) throw new Bad("cannot set unicast time-to-live: Invalid argument", false, ERROR);
        int tos = -1;
        if (p.value("tos").isPresent()) {
            String v = p.value("tos").get();
            try {
                tos = Integer.decode(v.trim());
            } catch (NumberFormatException e) {
                tos = -2;
            }
            if (tos < 0 || tos > 255) throw new Bad("the decimal value of TOS bits must be in range 0-255: " + v, false, ERROR);
        }
        boolean df = false;
        if (p.value("pmtudisc").isPresent()) {
            String v = p.value("pmtudisc").get();
            if (!List.of("do", "want", "dont").contains(v)) throw new Bad("invalid -M argument: " + v, false, ERROR);
            df = v.equals("do");
        }
        PingOptions request = PingOptions.defaults().withRetries(0).withBackoff(1)
                .withTimeout(Duration.ofNanos(Math.max(timeout, 1_000_000))).withPayloadSize(size)
                .withTtl(ttl).withTos(tos).withDontFragment(df);
        return new Options(host, family, kind, count, interval, deadline, flood, p.flag("quiet"), request,
                p.value("interface").orElse(null));
    }

    private static long number(ArgParser.Parsed p, String name, long dflt, long min, long max) throws Bad {
        if (p.value(name).isEmpty()) return dflt;
        String v = p.value(name).get();
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new Bad("invalid argument: '" + v + "'", false, NO_REPLY);
        }
        if (n < min || n > max) throw new Bad("invalid argument: '" + v + "': out of range: " + min + " <= value <= " + max, false, NO_REPLY);
        return n;
    }

    /** Seconds (a decimal) as nanoseconds. */
    private static long seconds(ArgParser.Parsed p, String name, double dflt, double min, double max) throws Bad {
        if (p.value(name).isEmpty()) return (long) (dflt * 1e9);
        String v = p.value(name).get();
        double s;
        try {
            s = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new Bad("invalid argument: '" + v + "'", false, NO_REPLY);
        }
        if (!(s >= min && s <= max)) throw new Bad("invalid argument: '" + v + "': out of range: " + min + " <= value <= " + max, false, NO_REPLY);
        return (long) (s * 1e9);
    }

    /**
     * The pinger, with its socket for the target's family open: like iputils, a ping socket
     * first, then a raw one. When neither may be opened, the error names both.
     */
    private static Pinger open(Options o, InetAddress target, SourceSelection from) throws IOException, NetSupport.ToolException {
        boolean v6 = target instanceof Inet6Address;
        PingerConfig config = PingerConfig.defaults().withSendInterval(Duration.ZERO).withPerTargetInterval(Duration.ZERO);
        if (from != null) {
            if (!SourceSelection.isAddress(o.source)) config = config.withInterface(from.interfaceName());
            config = config.withSource(TracerouteCommand.scoped(from));
        }
        if (o.kind == PingerConfig.SocketKind.AUTO) {
            try {
                return opened(Pinger.open(config.withSocketKind(PingerConfig.SocketKind.DGRAM)), v6);
            } catch (IOException noPingSocket) {
                // falls back to a raw socket; AUTO's error names both
            }
        }
        return opened(Pinger.open(config.withSocketKind(o.kind)), v6);
    }

    private static Pinger opened(Pinger p, boolean v6) throws IOException {
        try {
            p.socketKind(v6);
            return p;
        } catch (IOException e) {
            p.close();
            throw e;
        }
    }

    /** One run: sends on schedule, prints what the observer sees, sums it up. */
    private static final class Run implements PingObserver {
        private final Options o;
        private final InetAddress target;
        private final SourceSelection from;
        private final Pinger pinger;
        private final boolean v6;
        private final PrintStream out;
        private final Object lock = new Object();
        private long start;
        private long lastSend;
        private long transmitted;
        private int outstanding;
        private long received, duplicates, errors;
        private long tsum, tsum2, tmin = Long.MAX_VALUE, tmax, ewma;
        private boolean summarized;

        Run(Options o, InetAddress target, SourceSelection from, Pinger pinger, PrintStream out) {
            this.o = o;
            this.target = target;
            this.from = from;
            this.pinger = pinger;
            this.v6 = target instanceof Inet6Address;
            this.out = out;
        }

        int run() throws InterruptedException {
            // with -I, iputils names the source and the interface ("" for an address)
            String source = from == null ? "" : "from " + text(from.source()) + " "
                    + (SourceSelection.isAddress(o.source) ? "" : from.interfaceName()) + ": ";
            int size = o.request.payloadSize();
            if (v6) out.println("PING " + o.host + "(" + text(target) + ") " + source + size + " data bytes");
            else out.println("PING " + o.host + " (" + text(target) + ") " + source + size + "(" + (size + 28) + ") bytes of data.");
            out.flush();
            pinger.observe(this);
            Thread hook = new Thread(() -> Runtime.getRuntime().halt(summary()), "ffsock-ping-summary");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                loop();
                return summary();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it prints the summary and ends the process
                }
            }
        }

        private void loop() throws InterruptedException {
            start = System.nanoTime();
            long end = o.deadlineNanos > 0 ? start + o.deadlineNanos : Long.MAX_VALUE;
            long next = start;
            synchronized (lock) {
                for (;;) {
                    long now = System.nanoTime();
                    if (now - end >= 0) return;
                    if (o.count > 0 && received + errors >= o.count) return; // iputils: every request answered somehow
                    boolean more = o.count == 0 || transmitted < o.count;
                    if (!more && outstanding == 0) return;
                    // flood: the next request goes once the last is answered, or after 10 ms
                    boolean due = more && (now - next >= 0 || (o.flood && outstanding == 0 && o.intervalNanos == 0));
                    if (due) {
                        send(now);
                        next = now + (o.flood && o.intervalNanos == 0 ? 10_000_000 : o.intervalNanos);
                        continue;
                    }
                    long wait = Math.min(end - now, more ? next - now : Long.MAX_VALUE);
                    if (wait == Long.MAX_VALUE) lock.wait();
                    else lock.wait(Math.max(1, wait / 1_000_000), 0);
                }
            }
        }

        /** Called with the lock held. */
        private void send(long now) {
            transmitted++;
            outstanding++;
            lastSend = now;
            if (o.flood && !o.quiet) {
                out.print('.');
                out.flush();
            }
            pinger.ping(target, o.request).whenComplete((r, e) -> {
                synchronized (lock) {
                    outstanding--;
                    lock.notifyAll();
                }
            });
        }

        @Override
        public void reply(int seq, PingResult.Reply r, boolean dup) {
            long us = r.rttNanos() / 1000;
            synchronized (lock) {
                if (summarized) return;
                if (dup) duplicates++;
                else received++;
                tsum += us;
                tsum2 += us * us;
                tmin = Math.min(tmin, us);
                tmax = Math.max(tmax, us);
                ewma = ewma == 0 ? us * 8 : ewma + us - ewma / 8;
                if (o.flood) {
                    if (!o.quiet) out.print('\b');
                } else if (!o.quiet) {
                    out.println(r.bytes() + " bytes from " + text(r.target()) + ": icmp_seq=" + seq
                            + (r.ttl() >= 0 ? " ttl=" + r.ttl() : "") + " time=" + NetSupport.pingTime(us) + " ms"
                            + (dup ? " (DUP!)" : ""));
                }
                out.flush();
                lock.notifyAll();
            }
        }

        @Override
        public void error(int seq, PingResult result) {
            synchronized (lock) {
                if (summarized) return;
                switch (result) {
                    case PingResult.IcmpError e -> {
                        // redirects and source quench are shown but are not errors (iputils)
                        boolean counts = e.kind() != PingResult.Kind.OTHER;
                        if (counts) errors++;
                        if (o.flood) out.print('E');
                        else if (!o.quiet) {
                            String what = v6 ? NetSupport.icmpv6Text(e.type(), e.code(), e.mtu())
                                    : NetSupport.icmpv4Text(e.type(), e.code(), e.mtu());
                            out.println("From " + text(e.router()) + " icmp_seq=" + seq + " " + what);
                        }
                    }
                    case PingResult.Failed f -> {
                        errors++;
                        out.println("ping: " + f.message());
                    }
                    default -> { }
                }
                out.flush();
                lock.notifyAll();
            }
        }

        /** Prints the statistics once; returns the exit status. */
        private int summary() {
            synchronized (lock) {
                boolean short_ = o.deadlineNanos > 0 && o.count > 0 && received < o.count;
                int status = received > 0 && !short_ ? Main.OK : NO_REPLY;
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
                    long time = lastSend - start;
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
                    if (o.flood && tx > 1) {
                        long ipg = (lastSend - start) / 1000 / (tx - 1);
                        b.append(", ipg/ewma ").append(NetSupport.millis3(ipg)).append('/').append(NetSupport.millis3(ewma / 8))
                                .append(" ms");
                    }
                }
                b.append('\n');
                out.print(b);
                out.flush();
                return status;
            }
        }
    }
}
