package io.ffsock.tools;

import io.ffsock.Credentials;
import io.ffsock.icmp.PingOptions;
import io.ffsock.icmp.PingResult;
import io.ffsock.icmp.PingStatistics;
import io.ffsock.icmp.Pinger;
import io.ffsock.icmp.PingerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final class Invalid extends Exception {
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
            return new Run(s, out, err).execute(in);
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
        if (s.generate && s.targets.size() > 2) {
            throw new Invalid("-g takes a CIDR or a START END pair, not " + s.targets.size() + " arguments", true);
        }
        if (s.source != null && s.family != 0 && (s.source instanceof Inet6Address) != (s.family == 6)) {
            throw new Invalid("source address " + NetSupport.text(s.source) + " is not IPv" + s.family, false);
        }
    }

    // ---- targets -------------------------------------------------------------------------

    /** A line of a target file that is a target: a host name or an address literal. */
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}\\.?$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern ALL_NUMERIC = Pattern.compile("[0-9.]+");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /** Whether {@code word} can name a target: a host name, an IPv4 dotted quad, an IPv6 literal. */
    static boolean plausibleTarget(String word) {
        if (word.indexOf(':') >= 0) {
            if (!word.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]{1,15})?")) return false;
            try {
                return InetAddress.getByName(word) instanceof Inet6Address;
            } catch (UnknownHostException e) {
                return false;
            }
        }
        if (ALL_NUMERIC.matcher(word).matches()) return ipv4(word) != null;
        return HOST_NAME.matcher(word).matches();
    }

    /** A strict dotted quad as an int, or null. */
    static Long ipv4(String text) {
        Matcher m = IPV4.matcher(text);
        if (!m.matches()) return null;
        long v = 0;
        for (int i = 1; i <= 4; i++) {
            int o = Integer.parseInt(m.group(i));
            if (o > 255) return null;
            v = v << 8 | o;
        }
        return v;
    }

    /**
     * The targets of a file (or stdin): first word of each line, blank lines and {@code #}
     * comments skipped as fping does; a first word that cannot name a host stops everything.
     */
    static List<String> readTargets(BufferedReader r, String where) throws IOException, Invalid {
        List<String> names = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String word = t.split("\\s+", 2)[0];
            if (!plausibleTarget(word)) {
                String shown = word.length() > 40 ? word.substring(0, 40) + "..." : word;
                StringBuilder printable = new StringBuilder();
                for (char ch : shown.toCharArray()) printable.append(ch >= 0x20 && ch < 0x7f ? String.valueOf(ch) : String.format("\\x%02x", (int) ch & 0xff));
                throw new Invalid(where + ":" + n + ": not a host name or address: '" + printable + "' (nothing was sent)", false);
            }
            names.add(word);
        }
        return names;
    }

    /** -g: the addresses of a CIDR (without network and broadcast below /31) or of START..END. */
    static long[] generate(List<String> args) throws Invalid {
        if (args.size() == 1) {
            String cidr = args.get(0);
            int slash = cidr.indexOf('/');
            if (slash < 0) throw new Invalid("-g with one argument needs a CIDR such as 10.0.0.0/24, not '" + cidr + "'", true);
            String addr = cidr.substring(0, slash);
            String maskText = cidr.substring(slash + 1);
            long base = ipv4Arg(addr);
            int mask;
            try {
                mask = Integer.parseInt(maskText);
            } catch (NumberFormatException e) {
                mask = 0;
            }
            if (mask < 1 || mask > 32) throw new Invalid("netmask must be between 1 and 32 (is: " + maskText + ")", false);
            long size = 1L << (32 - mask);
            long first = base & ~(size - 1) & 0xffffffffL;
            long last = first + size - 1;
            if (mask < 31) {
                first++;
                last--;
            }
            if (mask < WIDEST_PREFIX) {
                throw new Invalid("-g " + cidr + " would be " + (last - first + 1) + " targets; at most a /" + WIDEST_PREFIX
                        + " (" + ((1L << (32 - WIDEST_PREFIX)) - 2) + " targets) is allowed", false);
            }
            return range(first, last);
        }
        long start = ipv4Arg(args.get(0));
        long end = ipv4Arg(args.get(1));
        if (end > start + MAX_RANGE) {
            throw new Invalid("-g parameter generates too many addresses (" + (end - start + 1) + " targets; at most "
                    + (MAX_RANGE + 1) + " from START to END)", false);
        }
        if (end < start) throw new Invalid("-g " + args.get(0) + " " + args.get(1) + ": the end comes before the start", false);
        return range(start, end);
    }

    private static long[] range(long first, long last) {
        long[] all = new long[(int) (last - first + 1)];
        for (int i = 0; i < all.length; i++) all[i] = first + i;
        return all;
    }

    private static long ipv4Arg(String text) throws Invalid {
        Long v = ipv4(text);
        if (v != null) return v;
        if (text.indexOf(':') >= 0) {
            try {
                if (InetAddress.getByName(text) instanceof Inet6Address) throw new Invalid("-g works only with IPv4 addresses", false);
            } catch (UnknownHostException e) {
                // not an address either
            }
        }
        throw new Invalid("can't parse address " + text + ": Name or service not known", false);
    }

    private static InetAddress address(long v) {
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    /** The broadcast addresses of this namespace's interfaces, with the interface's name. */
    private static Map<InetAddress, String> localBroadcasts() {
        Map<InetAddress, String> all = new HashMap<>();
        try {
            var it = NetworkInterface.networkInterfaces().iterator();
            while (it.hasNext()) {
                NetworkInterface nif = it.next();
                for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                    if (a.getBroadcast() != null) all.put(a.getBroadcast(), nif.getName());
                    // The kernel makes the subnet's all-ones address a broadcast route even when
                    // the address was added without "brd" (fib_add_ifaddr, prefixes below /31).
                    int prefix = a.getNetworkPrefixLength();
                    if (a.getAddress() instanceof Inet4Address v4 && prefix < 31) {
                        long bits = ipv4(v4.getHostAddress()) | ((1L << (32 - prefix)) - 1);
                        all.putIfAbsent(address(bits), nif.getName());
                    }
                }
            }
        } catch (SocketException e) {
            // none known: only 255.255.255.255 and multicast are refused then
        }
        return all;
    }

    // ---- one run ---------------------------------------------------------------------------

    /** One target as fping keeps it: the name shown, the address, what came back. */
    private static final class Host {
        final String display;
        final InetAddress address;
        String refused;
        int sent, recv;
        long total, min, max;
        long[] resp; // count mode: RTT in ns, or a negative RESP_*
        Host(String display, InetAddress address) {
            this.display = display;
            this.address = address;
        }
    }

    private static final long RESP_WAITING = -1, RESP_ERROR = -3, RESP_TIMEOUT = -4;

    private static final class Run {
        private final Settings s;
        private final PrintStream out, err;
        private final boolean countMode;
        private final boolean verbose, perRecv, alive, unreach;
        private final List<Host> hosts = new ArrayList<>();
        private int width;
        private int noAddress, numAlive;
        private long timeouts, echosSent, replies, otherIcmp;
        private long gMin, gMax, gSum;
        private Pinger pinger;
        private PingOptions options;
        private CountDownLatch pending;

        Run(Settings s, PrintStream out, PrintStream err) {
            this.s = s;
            this.out = out;
            this.err = err;
            this.countMode = s.count > 0;
            boolean v = !s.quiet && !s.alive && !s.unreach && s.minReachable == 0;
            this.perRecv = countMode && v;
            this.verbose = !countMode && v;
            this.alive = !countMode && s.alive;
            this.unreach = !countMode && s.unreach;
        }

        int execute(InputStream in) throws Invalid {
            long start = System.nanoTime();
            collect(in);
            if (hosts.isEmpty()) return noAddress > 0 ? UNKNOWN_ADDRESS : SOME_UNREACHABLE;
            refuseBroadcasts();
            PingerConfig config = config();
            long timeoutNanos = (long) (timeoutMs() * 1e6);
            options = PingOptions.defaults().withTimeout(Duration.ofNanos(Math.max(timeoutNanos, 1_000_000)))
                    .withRetries(countMode ? 0 : s.retries).withBackoff(s.backoff).withPayloadSize(s.size)
                    .withTtl(s.ttl).withTos(s.tos).withDontFragment(s.dontFragment);
            // Ctrl-C (SIGINT, SIGTERM) ends the run as fping's does: the summary of what came back, its status.
            Thread hook = new Thread(() -> Runtime.getRuntime().halt(finish(System.nanoTime() - start)), "ffsock-fping-summary");
            try (Pinger p = Pinger.open(config)) {
                pinger = p;
                if (hosts.stream().anyMatch(h -> h.refused == null && h.address instanceof Inet6Address)) p.socketKind(true);
                if (hosts.stream().anyMatch(h -> h.refused == null && h.address instanceof Inet4Address)) p.socketKind(false);
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    probe();
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook runs: it prints the summary and ends the process
                    }
                }
            } catch (IOException e) {
                throw new Invalid(e.getMessage(), false, SYSTEM_ERROR);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Invalid("interrupted", false, SYSTEM_ERROR);
            }
            return finish(System.nanoTime() - start);
        }

        private double timeoutMs() {
            if (s.timeoutGiven || !countMode) return s.timeoutMs;
            return Math.min(s.periodMs, 2000);
        }

        /** Reads, generates and resolves the targets; unknown names are reported and skipped. */
        private void collect(InputStream in) throws Invalid {
            if (s.generate) {
                for (long v : generate(s.targets)) {
                    InetAddress a = address(v);
                    add(NetSupport.text(a), a);
                }
                return;
            }
            List<String> names = s.targets;
            if (names.isEmpty()) {
                String file = s.file == null ? "-" : s.file;
                try {
                    BufferedReader r = file.equals("-")
                            ? new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1))
                            : Files.newBufferedReader(Path.of(file), StandardCharsets.ISO_8859_1);
                    try (r) {
                        names = readTargets(r, file.equals("-") ? "stdin" : file);
                    }
                } catch (NoSuchFileException e) {
                    throw new Invalid("fopen " + file + ": No such file or directory", false, SYSTEM_ERROR);
                } catch (AccessDeniedException e) {
                    throw new Invalid("fopen " + file + ": Permission denied", false, SYSTEM_ERROR);
                } catch (IOException e) {
                    throw new Invalid("read " + file + ": " + e.getMessage(), false, SYSTEM_ERROR);
                }
            }
            for (String name : names) {
                InetAddress a;
                try {
                    a = NetSupport.resolve(name, s.family);
                } catch (NetSupport.ToolException e) {
                    noAddress++;
                    if (!s.quiet) err.println(e.getMessage());
                    continue;
                }
                add(s.byAddress ? NetSupport.text(a) : name, a);
            }
            err.flush();
        }

        private void add(String display, InetAddress a) {
            Host h = new Host(display, a);
            if (countMode) h.resp = new long[s.count];
            hosts.add(h);
            width = Math.max(width, display.length());
        }

        /** Broadcast and multicast targets get nothing: reported per target, counted unreachable. */
        private void refuseBroadcasts() {
            Map<InetAddress, String> broadcasts = null;
            for (Host h : hosts) {
                InetAddress a = h.address;
                if (a.isMulticastAddress()) h.refused = "a multicast address";
                else if (a instanceof Inet4Address && NetSupport.text(a).equals("255.255.255.255")) h.refused = "the limited broadcast address";
                else if (a instanceof Inet4Address) {
                    if (broadcasts == null) broadcasts = localBroadcasts();
                    String nif = broadcasts.get(a);
                    if (nif != null) h.refused = "the broadcast address of " + nif;
                }
                if (h.refused != null && !s.quiet) err.println(h.display + ": not pinged: " + h.refused);
            }
            err.flush();
        }

        private PingerConfig config() throws Invalid {
            PingerConfig c = PingerConfig.defaults()
                    .withSendInterval(Duration.ofNanos((long) (s.intervalMs * 1e6)))
                    .withPerTargetInterval(countMode ? Duration.ofNanos((long) (s.periodMs * 1e6)) : Duration.ZERO);
            if (s.source != null) c = c.withSource(s.source);
            if (s.iface != null) {
                // fping binds the sockets to the device; the source is the one the kernel picks there.
                Set<Boolean> families = new HashSet<>();
                for (Host h : hosts) {
                    boolean v6 = h.address instanceof Inet6Address;
                    if (h.refused != null || !families.add(v6)) continue;
                    SourceSelection sel;
                    try {
                        sel = SourceSelection.resolve(s.iface, h.address);
                    } catch (NetSupport.ToolException e) {
                        throw new Invalid(e.getMessage(), false);
                    }
                    if (!SourceSelection.isAddress(s.iface)) c = c.withInterface(sel.interfaceName());
                    if (s.source == null) c = c.withSource(sel.source());
                }
            }
            return c;
        }

        private void probe() throws InterruptedException {
            List<Host> live = hosts.stream().filter(h -> h.refused == null).toList();
            if (countMode) {
                pending = new CountDownLatch(live.size() * s.count);
                for (int i = 0; i < s.count; i++) {
                    for (Host h : live) {
                        int index = i;
                        h.resp[index] = RESP_WAITING;
                        pinger.ping(h.address, options).whenComplete((r, x) -> counted(h, index, r, x));
                    }
                }
            } else {
                pending = new CountDownLatch(live.size());
                for (Host h : live) send(h, 0);
            }
            pending.await();
        }

        /** Default mode: a request of up to (retries + 1 - used) attempts, the first waiting timeout x backoff^used. */
        private void send(Host h, int used) {
            PingOptions o = options.withRetries(s.retries - used).withTimeout(Duration.ofNanos(options.attemptTimeoutNanos(used)));
            pinger.ping(h.address, o).whenComplete((r, x) -> answered(h, used, r, x));
        }

        private void answered(Host h, int used, PingResult r, Throwable x) {
            boolean done = true;
            synchronized (this) {
                switch (r) {
                    case PingResult.Reply reply -> {
                        int attempt = used + reply.attempt();
                        echosSent += reply.attempt() + 1;
                        timeouts += reply.attempt();
                        h.sent = attempt + 1;
                        reply(h, reply.rttNanos());
                        if (h.recv == 1) {
                            numAlive++;
                            if (verbose || alive) {
                                out.println(h.display + (verbose ? " is alive" : "")
                                        + (s.elapsed ? " (" + tm(reply.rttNanos()) + " ms)" : ""));
                                out.flush();
                            }
                        }
                    }
                    case PingResult.Timeout t -> {
                        echosSent += t.attempts();
                        timeouts += t.attempts();
                        h.sent = used + t.attempts();
                    }
                    case PingResult.IcmpError e -> {
                        // fping waits out the attempt the error answered, then retries.
                        int attempt = used + e.attempt();
                        echosSent += e.attempt() + 1;
                        timeouts += e.attempt() + 1;
                        otherIcmp++;
                        h.sent = attempt + 1;
                        warn(icmpText(e) + " from " + NetSupport.text(e.router()) + " for ICMP Echo sent to " + h.display);
                        if (attempt < s.retries) {
                            done = false;
                            CompletableFuture.delayedExecutor(options.attemptTimeoutNanos(attempt), TimeUnit.NANOSECONDS)
                                    .execute(() -> send(h, attempt + 1));
                        }
                    }
                    case PingResult.Failed f -> {
                        echosSent++;
                        h.sent++;
                        if (verbose) warn(h.display + ": error while sending ping: " + errnoText(f.message()));
                    }
                    case null -> warn(h.display + ": " + (x == null ? "no result" : x.getMessage()));
                }
            }
            if (done) pending.countDown();
        }

        /** Count mode: request {@code index} of {@code h} ended. */
        private void counted(Host h, int index, PingResult r, Throwable x) {
            synchronized (this) {
                echosSent++;
                h.sent++;
                switch (r) {
                    case PingResult.Reply reply -> {
                        reply(h, reply.rttNanos());
                        h.resp[index] = reply.rttNanos();
                        if (h.recv == 1) numAlive++;
                        if (perRecv) {
                            out.println(stamp() + pad(h.display) + " : [" + index + "], " + reply.bytes() + " bytes, "
                                    + tm(reply.rttNanos()) + " ms (" + tm(h.total / h.recv) + " avg, " + loss(h) + "% loss)");
                            out.flush();
                        }
                    }
                    case PingResult.Failed f -> h.resp[index] = RESP_ERROR;
                    case null -> {
                        h.resp[index] = RESP_ERROR;
                        warn(h.display + ": " + (x == null ? "no result" : x.getMessage()));
                    }
                    default -> {
                        if (r instanceof PingResult.IcmpError e) {
                            otherIcmp++;
                            warn(icmpText(e) + " from " + NetSupport.text(e.router()) + " for ICMP Echo sent to " + h.display);
                        }
                        timeouts++;
                        h.resp[index] = RESP_TIMEOUT;
                        if (perRecv) {
                            out.println(stamp() + pad(h.display) + " : [" + index + "], timed out ("
                                    + (h.recv > 0 ? tm(h.total / h.recv) : "NaN") + " avg, " + loss(h) + "% loss)");
                            out.flush();
                        }
                    }
                }
            }
            pending.countDown();
        }

        private void reply(Host h, long rtt) {
            h.recv++;
            h.total += rtt;
            h.min = h.recv == 1 ? rtt : Math.min(h.min, rtt);
            h.max = Math.max(h.max, rtt);
            replies++;
            gMin = replies == 1 ? rtt : Math.min(gMin, rtt);
            gMax = Math.max(gMax, rtt);
            gSum += rtt;
        }

        /** Replies that counted for nothing (duplicates, late ones): fping counts them as received too. */
        private long strays() {
            Set<InetAddress> seen = new HashSet<>();
            long n = pinger.counters().late();
            for (Host h : hosts) {
                if (h.refused == null && seen.add(h.address)) n += pinger.statistics(h.address).duplicates();
            }
            return n;
        }

        private int status = -1;

        /** Prints the end of the run once (the end and Ctrl-C may race); returns the exit status. */
        private synchronized int finish(long elapsedNanos) {
            if (status < 0) status = report(elapsedNanos);
            return status;
        }

        private int report(long elapsedNanos) {
            long received = replies + (pinger == null ? 0 : strays());
            int unreachable = 0;
            for (Host h : hosts) {
                if (h.recv > 0) continue;
                unreachable++;
                if (verbose || unreach) out.println(h.display + (verbose ? " is unreachable" : ""));
            }
            out.flush();
            if (countMode) {
                StringBuilder b = new StringBuilder();
                if (perRecv) b.append('\n');
                for (Host h : hosts) {
                    b.append(pad(h.display)).append(" :");
                    if (s.vcount) {
                        for (int j = 0; j < h.sent; j++) b.append(' ').append(h.resp[j] >= 0 ? tm(h.resp[j]) : "-");
                    } else {
                        b.append(" xmt/rcv/%loss = ").append(h.sent).append('/').append(h.recv).append('/').append(loss(h)).append('%');
                        if (h.recv > 0) {
                            b.append(", min/avg/max = ").append(tm(h.min)).append('/').append(tm(h.total / h.recv)).append('/').append(tm(h.max));
                        }
                    }
                    b.append('\n');
                }
                err.print(b);
            }
            if (s.stats) {
                StringBuilder b = new StringBuilder("\n");
                b.append(String.format(Locale.ROOT, " %7d targets\n %7d alive\n %7d unreachable\n %7d unknown addresses\n\n",
                        hosts.size(), numAlive, unreachable, noAddress));
                b.append(String.format(Locale.ROOT, " %7d timeouts (waiting for response)\n %7d ICMP Echos sent\n"
                        + " %7d ICMP Echo Replies received\n %7d other ICMP received\n\n", timeouts, echosSent, received, otherIcmp));
                b.append(' ').append(tm(replies == 0 ? 0 : gMin)).append(" ms (min round trip time)\n");
                b.append(' ').append(tm(replies == 0 ? 0 : gSum / replies)).append(" ms (avg round trip time)\n");
                b.append(' ').append(tm(replies == 0 ? 0 : gMax)).append(" ms (max round trip time)\n");
                b.append(String.format(Locale.ROOT, " %12.3f sec (elapsed real time)\n\n", elapsedNanos / 1e9));
                err.print(b);
            }
            err.flush();
            if (s.minReachable > 0) {
                int reachable = hosts.size() - unreachable;
                boolean enough = reachable >= s.minReachable;
                out.println((enough ? "Enough" : "Not enough") + " hosts reachable (required: " + s.minReachable + ", reachable: "
                        + reachable + ")");
                out.flush();
                return enough ? ALL_ALIVE : SOME_UNREACHABLE;
            }
            if (noAddress > 0) return UNKNOWN_ADDRESS;
            return numAlive != hosts.size() ? SOME_UNREACHABLE : ALL_ALIVE;
        }

        private static int loss(Host h) {
            return h.sent == 0 ? 0 : (h.sent - h.recv) * 100 / h.sent;
        }

        private String pad(String name) {
            return name.length() >= width ? name : name + " ".repeat(width - name.length());
        }

        private String stamp() {
            if (!s.timestamp) return "";
            Instant now = Instant.now();
            return String.format(Locale.ROOT, "[%.5f] ", now.getEpochSecond() + now.getNano() / 1e9);
        }

        /** fping's print_warning: stderr, unless -q. */
        private void warn(String line) {
            if (s.quiet) return;
            err.println(line);
            err.flush();
        }
    }

    /** The errno text of a Pinger failure such as {@code sendto(...): EACCES (Permission denied)}. */
    static String errnoText(String message) {
        Matcher m = Pattern.compile("\\(([^()]+)\\)\\s*$").matcher(message);
        return m.find() ? m.group(1) : message;
    }

    private static final String[] UNREACHABLE = {
            "ICMP Network Unreachable", "ICMP Host Unreachable", "ICMP Protocol Unreachable", "ICMP Port Unreachable",
            "ICMP Unreachable (Fragmentation Needed)", "ICMP Unreachable (Source Route Failed)",
            "ICMP Unreachable (Destination Network Unknown)", "ICMP Unreachable (Destination Host Unknown)",
            "ICMP Unreachable (Source Host Isolated)", "ICMP Unreachable (Communication with Network Prohibited)",
            "ICMP Unreachable (Communication with Host Prohibited)", "ICMP Unreachable (Network Unreachable For Type Of Service)",
            "ICMP Unreachable (Host Unreachable For Type Of Service)", "ICMP Unreachable (Communication Administratively Prohibited)",
            "ICMP Unreachable (Host Precedence Violation)", "ICMP Unreachable (Precedence cutoff in effect)"};

    /** How fping names an ICMP error that answered one of its requests. */
    static String icmpText(PingResult.IcmpError e) {
        if (e.target() instanceof Inet6Address) {
            return switch (e.kind()) {
                case UNREACHABLE -> "ICMPv6 Destination Unreachable (code " + e.code() + ")";
                case TIME_EXCEEDED -> "ICMPv6 Time Exceeded";
                case FRAGMENTATION_NEEDED -> "ICMPv6 Packet Too Big (mtu " + e.mtu() + ")";
                case PARAMETER_PROBLEM -> "ICMPv6 Parameter Problem";
                case OTHER -> "ICMPv6 " + e.type();
            };
        }
        return switch (e.type()) {
            case 3 -> e.code() < UNREACHABLE.length ? UNREACHABLE[e.code()] : "ICMP Unreachable (Invalid Code)";
            case 4 -> "ICMP Source Quench";
            case 5 -> "ICMP Redirect";
            case 11 -> "ICMP Time Exceeded";
            case 12 -> "ICMP Parameter Problem";
            default -> "ICMP " + e.type();
        };
    }

    /** Nanoseconds as fping prints milliseconds: 3 significant decimals below 1 ms, fewer as it grows. */
    static String tm(long ns) {
        double t = ns / 1e6;
        if (t < 0) return String.format(Locale.ROOT, "%.2g", t);
        if (t < 1) return String.format(Locale.ROOT, "%.3f", t);
        if (t < 10) return String.format(Locale.ROOT, "%.2f", t);
        if (t < 100) return String.format(Locale.ROOT, "%.1f", t);
        if (t < 1_000_000) return String.format(Locale.ROOT, "%.0f", t);
        return String.format(Locale.ROOT, "%.3e", t);
    }
}
