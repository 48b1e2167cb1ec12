package io.ffsock.tools;

import io.ffsock.MsgFlag;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SyscallError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What ping, traceroute and igmp share: resolving a host, parsing numbers, and printing times and
 * ICMP errors the way iputils and traceroute do.
 */
final class NetSupport {
    private NetSupport() {}

    /** Exit status of ping and traceroute for an error that is not a lost reply (iputils: 2). */
    static final int ERROR = 2;

    /** A failure reported as one line, prefixed as the tool the command is shaped like prints it. */
    static final class ToolException extends Exception {
        private static final long serialVersionUID = 1L;

        ToolException(String message) {
            super(message);
        }
    }

    private static final Set<MsgFlag> ERRQUEUE_NOW = EnumSet.of(MsgFlag.ERRQUEUE, MsgFlag.DONTWAIT);
    private static final int EAGAIN = 11;

    /**
     * The next message of the socket's error queue (IP_RECVERR; MSG_ERRQUEUE without waiting)
     * into {@code b}, or null once the queue is empty.
     */
    static ReceivedMessage nextQueuedError(Socket s, ByteBuffer b) throws IOException {
        try {
            return s.recvMsg(List.of(b), 512, ERRQUEUE_NOW);
        } catch (IOException e) {
            if (e instanceof SyscallError se && se.errno().value() == EAGAIN) return null;
            throw e;
        }
    }

    /** Reads a socket's pending errors (IP_RECVERR) and reports them; a command's own. */
    interface ErrorDrain {
        void drain(Socket s) throws IOException;
    }

    /**
     * The receive step ping and traceroute share: one recvmsg into {@code buffer} (cleared first)
     * waiting at most {@code waitNanos}, with room for TTL/hop-limit control data. Returns null if
     * the wait ended with nothing, or if a pending ICMP error failed the receive on a ping or UDP
     * socket ({@code raw} false): that error is then read from the queue by {@code drain}.
     */
    static ReceivedMessage receiveOrDrain(Socket s, ByteBuffer buffer, long waitNanos, boolean raw, ErrorDrain drain)
            throws IOException {
        s.setTimeout(Duration.ofNanos(Math.max(waitNanos, 1000)));
        buffer.clear();
        try {
            return s.recvMsg(List.of(buffer), 256, Set.of());
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            // On a ping or UDP socket a pending ICMP error (IP_RECVERR) fails the receive: read the queue.
            if (!raw && e instanceof SyscallError) {
                drain.drain(s);
                return null;
            }
            throw e;
        }
    }

    /**
     * The first address of {@code host} of the family asked for (4, 6, or 0 for either, IPv4
     * first as the JDK orders them).
     */
    static InetAddress resolve(String host, int family) throws ToolException {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new ToolException(host + ": Name or service not known");
        } catch (SecurityException | IllegalArgumentException e) {
            throw new ToolException(host + ": " + e.getMessage());
        }
        for (InetAddress a : all) {
            if (family == 0 || (family == 4 && a instanceof Inet4Address) || (family == 6 && a instanceof Inet6Address)) {
                return a;
            }
        }
        // getaddrinfo's EAI_ADDRFAMILY text, as ping and traceroute print it
        throw new ToolException(host + ": Address family for hostname not supported");
    }

    /** An IPv4 address given literally (a dotted quad), without a DNS lookup. */
    static Inet4Address ipv4Literal(String text, String what) throws UsageException {
        if (!text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) throw new UsageException("bad " + what + " '" + text + "': an IPv4 address, e.g. 239.1.2.3");
        try {
            if (InetAddress.getByName(text) instanceof Inet4Address a) return a;
        } catch (UnknownHostException e) {
            // falls through
        }
        throw new UsageException("bad " + what + " '" + text + "': an IPv4 address, e.g. 239.1.2.3");
    }

    /** Parses an integer option in {@code [min, max]}. */
    static int intOption(ArgParser.Parsed p, String name, int dflt, int min, int max) throws UsageException {
        if (p.value(name).isEmpty()) return dflt;
        String v = p.value(name).get();
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new UsageException("bad --" + name + " '" + v + "': a whole number from " + min + " to " + max);
    }

    /** Parses a seconds option (a decimal) in {@code [min, max]}; returns nanoseconds. */
    static long secondsOption(ArgParser.Parsed p, String name, double dflt, double min, double max) throws UsageException {
        if (p.value(name).isEmpty()) return (long) (dflt * 1e9);
        String v = p.value(name).get();
        double s;
        try {
            s = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (!(s >= min && s <= max)) {
            throw new UsageException("bad --" + name + " '" + v + "': seconds from " + min + " to " + max + ", e.g. 0.5");
        }
        return (long) (s * 1e9);
    }

    /**
     * Runs the socket calls a tool times (sendto, a waiting recvmsg) once before the first probe,
     * so that the first round trip does not include loading and linking them. A UDP socket does
     * it without sending anything: the kernel refuses destination port 0 (EINVAL), and nothing
     * arrives in 100 us.
     */
    static void warmUp(boolean v6) {
        try (io.ffsock.Socket udp = io.ffsock.Socket.open(v6 ? io.ffsock.Family.INET6 : io.ffsock.Family.INET, io.ffsock.SocketType.DGRAM)) {
            java.net.InetSocketAddress nowhere = new java.net.InetSocketAddress(v6 ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1"), 0);
            for (int i = 0; i < 3; i++) {
                try {
                    udp.sendTo(new byte[8], nowhere);
                } catch (java.io.IOException expected) {
                    // EINVAL
                }
                udp.setTimeout(java.time.Duration.ofNanos(100_000));
                try {
                    udp.recvMsg(java.util.List.of(java.nio.ByteBuffer.allocate(64)), 256, java.util.Set.of());
                } catch (java.io.IOException expected) {
                    // timed out
                }
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // only a warm-up
        }
    }

    /** A round-trip time in microseconds as iputils prints it: 3 significant decimals, fewer as it grows. */
    static String pingTime(long us) {
        if (us >= 100000 - 50) return Long.toString((us + 500) / 1000);
        if (us >= 10000 - 5) return (us + 50) / 1000 + "." + ((us + 50) % 1000) / 100;
        if (us >= 1000) return (us + 5) / 1000 + "." + String.format("%02d", ((us + 5) % 1000) / 10);
        return us / 1000 + "." + String.format("%03d", us % 1000);
    }

    /** Microseconds as {@code %ld.%03ld} milliseconds (iputils' rtt line). */
    static String millis3(long us) {
        return us / 1000 + "." + String.format("%03d", us % 1000);
    }

    /** C's {@code %g} of a float: six significant digits, no trailing zeros. */
    static String percentG(double value) {
        float f = (float) value;
        if (f == Math.rint(f) && Math.abs(f) < 1e6) return Long.toString((long) f);
        return new BigDecimal(f).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** iputils' text for an ICMPv4 error (pr_icmph), without the trailing newline. */
    static String icmpv4Text(int type, int code, long info) {
        return switch (type) {
            case 0 -> "Echo Reply";
            case 3 -> switch (code) {
                case 0 -> "Destination Net Unreachable";
                case 1 -> "Destination Host Unreachable";
                case 2 -> "Destination Protocol Unreachable";
                case 3 -> "Destination Port Unreachable";
                case 4 -> "Frag needed and DF set (mtu = " + info + ")";
                case 5 -> "Source Route Failed";
                case 6 -> "Destination Net Unknown";
                case 7 -> "Destination Host Unknown";
                case 8 -> "Source Host Isolated";
                case 9 -> "Destination Net Prohibited";
                case 10 -> "Destination Host Prohibited";
                case 11 -> "Destination Net Unreachable for Type of Service";
                case 12 -> "Destination Host Unreachable for Type of Service";
                case 13 -> "Packet filtered";
                case 14 -> "Precedence Violation";
                case 15 -> "Precedence Cutoff";
                default -> "Dest Unreachable, Bad Code: " + code;
            };
            case 4 -> "Source Quench";
            case 5 -> "Redirect" + switch (code) {
                case 0 -> " Network";
                case 1 -> " Host";
                case 2 -> " Type of Service and Network";
                case 3 -> " Type of Service and Host";
                default -> ", Bad Code: " + code;
            };
            case 8 -> "Echo Request";
            case 11 -> switch (code) {
                case 0 -> "Time to live exceeded";
                case 1 -> "Frag reassembly time exceeded";
                default -> "Time exceeded, Bad Code: " + code;
            };
            case 12 -> "Parameter problem: pointer = " + ((info >>> 24) & 0xff);
            default -> "Bad ICMP type: " + type;
        };
    }

    /** iputils' text for an ICMPv6 error (ping6 print_icmp). */
    static String icmpv6Text(int type, int code, long info) {
        return switch (type) {
            case 1 -> "Destination unreachable: " + switch (code) {
                case 0 -> "No route";
                case 1 -> "Administratively prohibited";
                case 2 -> "Beyond scope of source address";
                case 3 -> "Address unreachable";
                case 4 -> "Port unreachable";
                default -> "Unknown code " + code;
            };
            case 2 -> "Packet too big: mtu=" + info;
            case 3 -> "Time exceeded: " + switch (code) {
                case 0 -> "Hop limit";
                case 1 -> "Defragmentation failure";
                default -> "code " + code;
            };
            case 4 -> "Parameter problem: " + switch (code) {
                case 0 -> "Wrong header field ";
                case 1 -> "Unknown header ";
                case 2 -> "Unknown option ";
                default -> "code " + code + " ";
            } + "at " + info;
            case 128 -> "Echo request";
            case 129 -> "Echo reply";
            default -> "Unknown icmp type: " + type;
        };
    }

    /** The address in text, without the JDK's leading slash and scope decorations. */
    static String text(InetAddress a) {
        if (!(a instanceof Inet6Address)) return a.getHostAddress();
        // RFC 5952: lower-case hex, the longest run (2 or more) of zero groups as "::".
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
