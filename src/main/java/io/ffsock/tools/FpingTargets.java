package io.ffsock.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code ffsock fping}'s targets come from and which it refuses: the lines of a target
 * file (fping's reading, plus a check that each names a host), {@code -g}'s CIDR or range, and
 * this namespace's broadcast addresses.
 */
final class FpingTargets {
    private FpingTargets() {}

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
    static List<String> readTargets(BufferedReader r, String where) throws IOException, FpingCommand.Invalid {
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
                throw new FpingCommand.Invalid(where + ":" + n + ": not a host name or address: '" + printable + "' (nothing was sent)", false);
            }
            names.add(word);
        }
        return names;
    }

    /** -g: the addresses of a CIDR (without network and broadcast below /31) or of START..END. */
    static long[] generate(List<String> args) throws FpingCommand.Invalid {
        if (args.size() == 1) {
            String cidr = args.get(0);
            int slash = cidr.indexOf('/');
            if (slash < 0) throw new FpingCommand.Invalid("-g with one argument needs a CIDR such as 10.0.0.0/24, not '" + cidr + "'", true);
            String addr = cidr.substring(0, slash);
            String maskText = cidr.substring(slash + 1);
            long base = ipv4Arg(addr);
            int mask;
            try {
                mask = Integer.parseInt(maskText);
            } catch (NumberFormatException e) {
                mask = 0;
            }
            if (mask < 1 || mask > 32) throw new FpingCommand.Invalid("netmask must be between 1 and 32 (is: " + maskText + ")", false);
            long size = 1L << (32 - mask);
            long first = base & ~(size - 1) & 0xffffffffL;
            long last = first + size - 1;
            if (mask < 31) {
                first++;
                last--;
            }
            if (mask < FpingCommand.WIDEST_PREFIX) {
                throw new FpingCommand.Invalid("-g " + cidr + " would be " + (last - first + 1) + " targets; at most a /" + FpingCommand.WIDEST_PREFIX
                        + " (" + ((1L << (32 - FpingCommand.WIDEST_PREFIX)) - 2) + " targets) is allowed", false);
            }
            return range(first, last);
        }
        long start = ipv4Arg(args.get(0));
        long end = ipv4Arg(args.get(1));
        if (end > start + FpingCommand.MAX_RANGE) {
            throw new FpingCommand.Invalid("-g parameter generates too many addresses (" + (end - start + 1) + " targets; at most "
                    + (FpingCommand.MAX_RANGE + 1) + " from START to END)", false);
        }
        if (end < start) throw new FpingCommand.Invalid("-g " + args.get(0) + " " + args.get(1) + ": the end comes before the start", false);
        return range(start, end);
    }

    private static long[] range(long first, long last) {
        long[] all = new long[(int) (last - first + 1)];
        for (int i = 0; i < all.length; i++) all[i] = first + i;
        return all;
    }

    private static long ipv4Arg(String text) throws FpingCommand.Invalid {
        Long v = ipv4(text);
        if (v != null) return v;
        if (text.indexOf(':') >= 0) {
            try {
                if (InetAddress.getByName(text) instanceof Inet6Address) throw new FpingCommand.Invalid("-g works only with IPv4 addresses", false);
            } catch (UnknownHostException e) {
                // not an address either
            }
        }
        throw new FpingCommand.Invalid("can't parse address " + text + ": Name or service not known", false);
    }

    static InetAddress address(long v) {
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    /** The broadcast addresses of this namespace's interfaces, with the interface's name. */
    static Map<InetAddress, String> localBroadcasts() {
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

}
