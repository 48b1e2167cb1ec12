package io.ffsock.icmp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Traceroute} probes: the method, which TTLs, how many probes per hop, how long each
 * waits, how many are in flight at once, and from where. Immutable; the {@code with...} methods
 * return changed copies. The defaults are Debian traceroute's: UDP to ports 33434 and up, TTL 1
 * to 30, 3 probes per hop, 5 s, 16 probes at once ({@code -N 16}), 32 data bytes.
 *
 * @param method        ICMP echo requests ({@code traceroute -I}) or UDP datagrams (its default method)
 * @param socketKind    for {@link Method#ICMP}: a raw socket, the ping socket, or AUTO (raw when
 *                      privileged, else the ping socket); UDP needs no privilege and ignores it
 * @param firstTtl      the first TTL / hop limit probed, 1..255 ({@code -f})
 * @param maxTtl        the largest, firstTtl..255 ({@code -m})
 * @param probesPerHop  probes sent with each TTL, 1..10 ({@code -q})
 * @param probeWait     how long a probe waits for its answer ({@code -w})
 * @param simultaneous  how many probes may be in flight at once, 1..1000 ({@code -N}); with the
 *                      default every hop of a short path is probed in parallel
 * @param port          UDP: the destination port of the first probe, each next probe one higher ({@code -p})
 * @param dataLength    data bytes after the ICMP or UDP header, 0..65000 (32: 60-byte IPv4 packets)
 * @param source4       IPv4 source address to bind, or null
 * @param source6       IPv6 source address to bind, or null
 * @param interfaceName interface to bind to (SO_BINDTODEVICE, {@code -i}), or null
 */
public record TracerouteConfig(Method method, PingerConfig.SocketKind socketKind, int firstTtl, int maxTtl,
                               int probesPerHop, Duration probeWait, int simultaneous, int port, int dataLength,
                               Inet4Address source4, Inet6Address source6, String interfaceName) {
    /** What a probe is. */
    public enum Method {
        /** ICMP (ICMPv6) echo requests; the destination answers with an echo reply. */
        ICMP,
        /** UDP datagrams to unused ports; the destination answers with port unreachable. */
        UDP
    }

    /** Checks every field; a bad one is refused here, before anything is sent. */
    public TracerouteConfig {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(socketKind, "socketKind");
        Objects.requireNonNull(probeWait, "probeWait");
        if (firstTtl < 1 || firstTtl > 255) throw new IllegalArgumentException("first TTL " + firstTtl + " is not in 1..255");
        if (maxTtl < firstTtl || maxTtl > 255) {
            throw new IllegalArgumentException("max TTL " + maxTtl + " is not in " + firstTtl + "..255 (from the first TTL)");
        }
        if (probesPerHop < 1 || probesPerHop > 10) throw new IllegalArgumentException("probes per hop " + probesPerHop + " is not in 1..10");
        if (probeWait.isNegative() || probeWait.isZero()) throw new IllegalArgumentException("probe wait " + probeWait + " must be positive");
        if (simultaneous < 1 || simultaneous > 1000) throw new IllegalArgumentException("simultaneous probes " + simultaneous + " is not in 1..1000");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is not in 1..65535");
        if (dataLength < 0 || dataLength > 65000) throw new IllegalArgumentException("data length " + dataLength + " is not in 0..65000");
        if (interfaceName != null && (interfaceName.isEmpty() || interfaceName.length() > 15)) {
            throw new IllegalArgumentException("interface name '" + interfaceName + "' is not 1..15 characters (IFNAMSIZ)");
        }
    }

    /** Debian traceroute's defaults: UDP from port 33434, TTL 1..30, 3 probes per hop, 5 s, 16 at once, 32 data bytes. */
    public static TracerouteConfig defaults() {
        return new TracerouteConfig(Method.UDP, PingerConfig.SocketKind.AUTO, 1, 30, 3, Duration.ofSeconds(5), 16, 33434,
                32, null, null, null);
    }

    /** A copy with this probe method. */
    public TracerouteConfig withMethod(Method m) {
        return new TracerouteConfig(m, socketKind, firstTtl, maxTtl, probesPerHop, probeWait, simultaneous, port, dataLength,
                source4, source6, interfaceName);
    }

    /** A copy with this socket kind (ICMP probes only). */
    public TracerouteConfig withSocketKind(PingerConfig.SocketKind k) {
        return new TracerouteConfig(method, k, firstTtl, maxTtl, probesPerHop, probeWait, simultaneous, port, dataLength,
                source4, source6, interfaceName);
    }

    /** A copy probing TTLs {@code first..max}. */
    public TracerouteConfig withTtls(int first, int max) {
        return new TracerouteConfig(method, socketKind, first, max, probesPerHop, probeWait, simultaneous, port, dataLength,
                source4, source6, interfaceName);
    }

    /** A copy with this many probes per hop. */
    public TracerouteConfig withProbesPerHop(int n) {
        return new TracerouteConfig(method, socketKind, firstTtl, maxTtl, n, probeWait, simultaneous, port, dataLength,
                source4, source6, interfaceName);
    }

    /** A copy where each probe waits this long. */
    public TracerouteConfig withProbeWait(Duration d) {
        return new TracerouteConfig(method, socketKind, firstTtl, maxTtl, probesPerHop, d, simultaneous, port, dataLength,
                source4, source6, interfaceName);
    }

    /** A copy with at most this many probes in flight. */
    public TracerouteConfig withSimultaneous(int n) {
        return new TracerouteConfig(method, socketKind, firstTtl, maxTtl, probesPerHop, probeWait, n, port, dataLength,
                source4, source6, interfaceName);
    }

    /** A copy whose first UDP probe goes to this port. */
    public TracerouteConfig withPort(int p) {
        return new TracerouteConfig(method, socketKind, firstTtl, maxTtl, probesPerHop, probeWait, simultaneous, p, dataLength,
                source4, source6, interfaceName);
    }

    /** A copy with this many data bytes per probe. */
    public TracerouteConfig withDataLength(int n) {
        return new TracerouteConfig(method, socketKind, firstTtl, maxTtl, probesPerHop, probeWait, simultaneous, port, n,
                source4, source6, interfaceName);
    }

    /** A copy that binds this source address (for its family). */
    public TracerouteConfig withSource(InetAddress a) {
        return switch (a) {
            case Inet4Address v4 -> new TracerouteConfig(method, socketKind, firstTtl, maxTtl, probesPerHop, probeWait,
                    simultaneous, port, dataLength, v4, source6, interfaceName);
            case Inet6Address v6 -> new TracerouteConfig(method, socketKind, firstTtl, maxTtl, probesPerHop, probeWait,
                    simultaneous, port, dataLength, source4, v6, interfaceName);
            default -> throw new IllegalArgumentException("not an IP address: " + a);
        };
    }

    /** A copy bound to this interface (null: none). */
    public TracerouteConfig withInterface(String name) {
        return new TracerouteConfig(method, socketKind, firstTtl, maxTtl, probesPerHop, probeWait, simultaneous, port, dataLength,
                source4, source6, name);
    }
}
