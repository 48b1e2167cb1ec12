package io.ffsock.tools;

import io.ffsock.Credentials;
import io.ffsock.icmp.PingOptions;
import io.ffsock.icmp.Pinger;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ffsock fping [OPTIONS] [TARGETS...]}: many targets at once over one {@link Pinger}, with
 * the flags, output and exit statuses of Debian's fping 5.1 for its common cases.
 *
 * <p>Everything is checked before the first echo request: options, the target file, the
 * generated range, every name (an unknown one is reported and skipped, never aborting the rest),
 * broadcast and multicast targets (refused), the interface, the sockets.
 */
public final class FpingCommand implements Command {
    /** Every target answered. */
    static final int ALL_ALIVE = 0;
    /** Some target did not answer; also fping 5.1's status for an invalid command line (its manual says 3). */
    static final int SOME_UNREACHABLE = 1;
    /** A name did not resolve. */
    static final int UNKNOWN_ADDRESS = 2;
    /** fping 5.1 exits 1 on a bad command line ({@code usage(1)}), whatever its manual says. */
    static final int INVALID = 1;
    /** A system call failed (the target file cannot be read, no socket). */
    static final int SYSTEM_ERROR = 4;

    /** The widest -g prefix: a /8 is 16,777,214 targets. */
    static final int WIDEST_PREFIX = 8;
    /** fping's limit for -g START END: END - START at most this. */
    static final long MAX_RANGE = 100_000;
    /** fping's limits for users other than root (its --enable-safe-limits): -i and -p in ms. */
    static final int MIN_INTERVAL_MS = 1, MIN_PERIOD_MS = 10;

    private static final String PROG = "ffsock fping";
    private static final String VALUED = "bBcCfHiIOprStTx";
    private static final String FLAGS = "46aAeDgMqsuv";
    private static final String UNSUPPORTED = "dlmnNoQR";
    private static final Map<String, Character> LONG = new LinkedHashMap<>();

    static {
        String[][] names = {
                {"ipv4", "4"}, {"ipv6", "6"}, {"alive", "a"}, {"addr", "A"}, {"size", "b"}, {"backoff", "B"},
                {"count", "c"}, {"vcount", "C"}, {"rdns", "d"}, {"timestamp", "D"}, {"elapsed", "e"},
                {"file", "f"}, {"generate", "g"}, {"help", "h"}, {"ttl", "H"}, {"interval", "i"}, {"iface", "I"},
                {"loop", "l"}, {"all", "m"}, {"dontfrag", "M"}, {"name", "n"}, {"netdata", "N"}, {"outage", "o"},
                {"tos", "O"}, {"period", "p"}, {"quiet", "q"}, {"squiet", "Q"}, {"retry", "r"}, {"random", "R"},
                {"stats", "s"}, {"src", "S"}, {"timeout", "t"}, {"unreach", "u"}, {"version", "v"},
                {"reachable", "x"}};
        for (String[] n : names) LONG.put(n[0], n[1].charAt(0));
    }

    @Override
    public String name() {
        return "fping";
    }

    @Override
    public String summary() {
        return "ping many hosts at once (a list, a file, a CIDR or a range), like fping";
    }

    @Override
    public String usage() {
        return """
                Usage: ffsock fping [OPTIONS] [TARGETS...]
                Send ICMP echo requests to many targets at once over one socket per family and
                report who answers, in the shape of fping 5.1. Without targets, -f or -g, the
                targets are read from stdin, one per line.

                Probing options:
                  -4, --ipv4          resolve names to IPv4 addresses only
                  -6, --ipv6          resolve names to IPv6 addresses only
                  -b, --size=BYTES    data bytes in each request, 0..65507 (56)
                  -B, --backoff=N     each retry waits N times longer, 1.0..5.0 (1.5)
                  -c, --count=N       send N requests to each target and report each reply
                  -f, --file=FILE     read the targets from FILE, one per line (- : stdin);
                                      blank lines and lines starting with # are skipped
                  -g, --generate      the targets are a CIDR (10.0.0.0/24, at most a /8) or a
                                      START END pair of IPv4 addresses
                  -H, --ttl=N         IP time to live / IPv6 hop limit, 1..255
                  -I, --iface=IFACE   send from this interface (SO_BINDTODEVICE and its address)
                  -M, --dontfrag      set Don't Fragment
                  -O, --tos=N         type of service / traffic class (decimal or 0x hex)
                  -p, --period=MSEC   with -c/-C: time between requests to one target (1000)
                  -r, --retry=N       retries after the first request (3)
                  -S, --src=IP        source address
                  -t, --timeout=MSEC  how long the first request waits (500; with -c/-C the
                                      period, at most 2000)

                Output options:
                  -a, --alive         print the targets that answered
                  -A, --addr          show targets by address
                  -C, --vcount=N      as -c, then every round-trip time per target ("-": lost)
                  -D, --timestamp     with -c/-C: a Unix timestamp before each line
                  -e, --elapsed       print the round-trip time of the answer
                  -i, --interval=MSEC least time between any two requests (10)
                  -q, --quiet         no per-target or per-request lines, only summaries
                  -s, --stats         print global statistics at the end
                  -u, --unreach       print the targets that did not answer
                  -v, --version       print the version
                  -x, --reachable=N   exit 0 if at least N targets answered
                  -h, --help          show this help

                Differences from fping: broadcast and multicast targets are refused (reported per
                target, counted unreachable, nothing sent to them); a CIDR wider than /8 is
                refused; a garbage line in a target file stops the command with its line number
                before anything is sent; users other than root need -i >= 1 and -p >= 10 (fping's
                safe limits). -l, -m, -n, -d, -N, -o, -Q and -R are not supported.

                Exit status: 0 all targets answered, 1 some did not (or a bad command line, as
                fping 5.1 does), 2 a name did not resolve, 4 a system call failed.

                Examples:
                  ffsock fping 10.0.0.1 10.0.0.2 host.example
                  ffsock fping -a -g 10.0.0.0/24
                  ffsock fping -q -C 5 -p 100 10.0.0.1 10.0.0.2
                """;
    }

    /** A bad command line or input: the lines to print, exit status 1 (or {@code status}). */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean hint;
        final int status;

        Invalid(String message, boolean hint) {
            this(message, hint, INVALID);
        }

        Invalid(String message, boolean hint, int status) {
            super(message);
            this.hint = hint;
            this.status = status;
        }
    }

    /** What the command line says, validated. */
    static final class Settings {
        int family; // 0, 4, 6
        boolean alive, unreach, byAddress, elapsed, generate, dontFragment, quiet, stats, timestamp, version, help;
        int size = 56;
        double backoff = 1.5;
        int count; // 0: default mode
        boolean vcount;
        String file;
        int ttl;
        double intervalMs = 10, periodMs = 1000, timeoutMs = 500;
        boolean timeoutGiven;
        String iface;
        int tos = -1;
        int retries = 3;
        InetAddress source;
        int minReachable;
        final List<String> targets = new ArrayList<>();
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err, InputStream in) {
        Settings s;
        try {
            s = parse(args);
        } catch (Invalid e) {
            return fail(err, e);
        }
        if (s.help) {
            out.print(usage());
            return 0;
        }
        if (s.version) {
            String v = FpingCommand.class.getPackage().getImplementationVersion();
            out.println(PROG + ": Version " + (v == null ? "(development build)" : v));
            return 0;
        }
        try {
            return new FpingRun(s, out, err).execute(in);
        } catch (Invalid e) {
            return fail(err, e);
        }
    }

    private static int fail(PrintStream err, Invalid e) {
        err.println(PROG + ": " + e.getMessage());
        if (e.hint) err.println("see 'ffsock fping -h' for usage information");
        err.flush();
        return e.status;
    }

    // ---- the command line ----------------------------------------------------------------

    static Settings parse(List<String> args) throws Invalid {
        Settings s = new Settings();
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (optionsEnded || a.equals("-") || !a.startsWith("-")) {
                s.targets.add(a);
            } else if (a.equals("--")) {
                optionsEnded = true;
            } else if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                Character c = LONG.get(name);
                if (c == null) throw new Invalid("invalid option -- '" + name + "'", true);
                String value = null;
                if (VALUED.indexOf(c) >= 0) {
                    if (eq >= 0) value = a.substring(eq + 1);
                    else if (i + 1 < args.size()) value = args.get(++i);
                    else throw new Invalid("option requires an argument -- '" + name + "'", true);
                } else if (eq >= 0) {
                    throw new Invalid("option takes no arguments -- '" + name + "'", true);
                }
                option(s, c, value);
                if (s.help) return s;
            } else {
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    if (VALUED.indexOf(c) >= 0) {
                        String value;
                        if (j + 1 < a.length()) value = a.substring(j + 1);
                        else if (i + 1 < args.size()) value = args.get(++i);
                        else throw new Invalid("option requires an argument -- '" + c + "'", true);
                        option(s, c, value);
                        break;
                    }
                    if (c != 'h' && FLAGS.indexOf(c) < 0 && UNSUPPORTED.indexOf(c) < 0) {
                        throw new Invalid("invalid option -- '" + c + "'", true);
                    }
                    option(s, c, null);
                    if (s.help) return s;
                }
            }
        }
        check(s);
        return s;
    }

    private static void option(Settings s, char c, String v) throws Invalid {
        switch (c) {
            case '4' -> {
                if (s.family == 6) throw new Invalid("can't specify both -4 and -6", false);
                s.family = 4;
            }
            case '6' -> {
                if (s.family == 4) throw new Invalid("can't specify both -4 and -6", false);
                s.family = 6;
            }
            case 'a' -> s.alive = true;
            case 'A' -> s.byAddress = true;
            case 'b' -> {
                long n = whole(v, c, Long.MIN_VALUE);
                if (n < 0 || n > PingOptions.MAX_PAYLOAD) {
                    throw new Invalid("data size " + n + " not valid, must be lower than " + (PingOptions.MAX_PAYLOAD + 1), false);
                }
                s.size = (int) n;
            }
            case 'B' -> {
                double b = decimal(v, c);
                if (b < 1.0 || b > 5.0) {
                    throw new Invalid(String.format(Locale.ROOT, "backoff factor %.1f not valid, must be between 1.0 and 5.0", b), false);
                }
                s.backoff = b;
            }
            case 'c', 'C' -> {
                long n = whole(v, c, 1);
                if (n > 1_000_000) throw new Invalid("count " + n + " out of range (at most 1000000)", false);
                s.count = (int) n;
                s.vcount = c == 'C';
            }
            case 'D' -> s.timestamp = true;
            case 'e' -> s.elapsed = true;
            case 'f' -> s.file = v;
            case 'g' -> s.generate = true;
            case 'h' -> s.help = true;
            case 'H' -> {
                long n = whole(v, c, Long.MIN_VALUE);
                if (n < 1 || n > 255) throw new Invalid("ttl " + n + " out of range", false);
                s.ttl = (int) n;
            }
            case 'i' -> s.intervalMs = millis(v, c);
            case 'I' -> {
                if (v.isEmpty()) throw new Invalid("invalid value '' for -I: an interface name or address", true);
                s.iface = v;
            }
            case 'M' -> s.dontFragment = true;
            case 'O' -> {
                int t;
                try {
                    t = Integer.decode(v.trim());
                } catch (NumberFormatException e) {
                    throw new Invalid("invalid value '" + v + "' for -O: a number, decimal or 0x hex", true);
                }
                if (t < 0 || t > 255) throw new Invalid("tos " + t + " out of range", false);
                s.tos = t;
            }
            case 'p' -> s.periodMs = millis(v, c);
            case 'q' -> s.quiet = true;
            case 'r' -> {
                long n = whole(v, c, 0);
                if (n > 1_000) throw new Invalid("retry " + n + " out of range (at most 1000)", false);
                s.retries = (int) n;
            }
            case 's' -> s.stats = true;
            case 'S' -> {
                if (!v.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !v.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                    throw new Invalid("can't parse source address: " + v, false);
                }
                try {
                    s.source = InetAddress.getByName(v);
                } catch (UnknownHostException e) {
                    throw new Invalid("can't parse source address: " + v, false);
                }
            }
            case 't' -> {
                s.timeoutMs = millis(v, c);
                if (s.timeoutMs <= 0) throw new Invalid("timeout " + v + " not valid, must be more than 0 ms", false);
                s.timeoutGiven = true;
            }
            case 'T' -> { } // fping ignores it (compatibility with fping 2.4)
            case 'u' -> s.unreach = true;
            case 'v' -> s.version = true;
            case 'x' -> s.minReachable = (int) Math.min(whole(v, c, 1), Integer.MAX_VALUE);
            default -> throw new Invalid("option -" + c + " (--" + longName(c) + ") is not supported by ffsock fping", false);
        }
    }

    private static String longName(char c) {
        for (Map.Entry<String, Character> e : LONG.entrySet()) if (e.getValue() == c) return e.getKey();
        return "?";
    }

    private static long whole(String v, char c, long min) throws Invalid {
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new Invalid("invalid value '" + v + "' for -" + c + ": a whole number"
                + (min == Long.MIN_VALUE ? "" : " from " + min), true);
    }

    private static double decimal(String v, char c) throws Invalid {
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isFinite(d)) return d;
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new Invalid("invalid value '" + v + "' for -" + c + ": a number, e.g. 1.5", true);
    }

    private static double millis(String v, char c) throws Invalid {
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (!(d >= 0 && d <= 86_400_000)) {
            throw new Invalid("invalid value '" + v + "' for -" + c + ": milliseconds from 0, e.g. 500", true);
        }
        return d;
    }

    /** What fping checks once every option is read. */
    private static void check(Settings s) throws Invalid {
        if (s.alive && s.unreach) throw new Invalid("specify only one of a, u", false);
        if ((s.intervalMs < MIN_INTERVAL_MS || s.periodMs < MIN_PERIOD_MS) && Credentials.ofThisProcess().uid() != 0) {
            throw new Invalid("these options are too risky for mere mortals.\n" + PROG + ": You need -i >= "
                    + MIN_INTERVAL_MS + " and -p >= " + MIN_PERIOD_MS, false);
        }
        if ((!s.targets.isEmpty() && s.file != null) || (s.file != null && s.generate) || (s.generate && s.targets.isEmpty())) {
            throw new Invalid(s.generate && s.targets.isEmpty() ? "-g needs a CIDR or a START END pair"
                    : s.generate ? "-f and -g exclude each other" : "targets given both with -f and as arguments", true);
        }
        if (s.generate && s.family == 6) throw new Invalid("-g works only with IPv4 addresses", false);
        if (s.generate && s.targets.size() > 2) {
            throw new Invalid("-g takes a CIDR or a START END pair, not " + s.targets.size() + " arguments", true);
        }
        if (s.source != null && s.family != 0 && (s.source instanceof Inet6Address) != (s.family == 6)) {
            throw new Invalid("source address " + NetSupport.text(s.source) + " is not IPv" + s.family, false);
        }
    }
}
