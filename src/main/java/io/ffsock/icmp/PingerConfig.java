package io.ffsock.icmp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Pinger} sends: which socket, from where, and how fast. Immutable; the
 * {@code with...} methods return changed copies.
 *
 * @param socketKind        which socket to use ({@link SocketKind#AUTO}: raw when privileged, else the ping socket)
 * @param source4           IPv4 source address to bind, or null
 * @param source6           IPv6 source address to bind, or null
 * @param interfaceName     interface to bind to (SO_BINDTODEVICE, fping {@code -I}), or null
 * @param sendInterval      the least time between any two requests: the global rate limit (fping {@code -i})
 * @param perTargetInterval the least time between two requests to the same target (fping {@code -p})
 * @param broadcast         allow broadcast targets (SO_BROADCAST); without it the kernel refuses them (EACCES)
 */
public record PingerConfig(SocketKind socketKind, Inet4Address source4, Inet6Address source6, String interfaceName,
                           Duration sendInterval, Duration perTargetInterval, boolean broadcast) {
    /** Which socket a pinger opens. */
    public enum SocketKind {
        /** A raw ICMP socket if the process may (CAP_NET_RAW), else the ping socket. */
        AUTO,
        /** SOCK_RAW: needs CAP_NET_RAW; sees every ICMP packet, matches by its own identifier. */
        RAW,
        /** SOCK_DGRAM + IPPROTO_ICMP (icmp(7)): needs the group in net.ipv4.ping_group_range. */
        DGRAM
    }

    /** Checks the fields. */
    public PingerConfig {
        Objects.requireNonNull(socketKind, "socketKind");
        Objects.requireNonNull(sendInterval, "sendInterval");
        Objects.requireNonNull(perTargetInterval, "perTargetInterval");
        if (sendInterval.isNegative()) throw new IllegalArgumentException("send interval " + sendInterval + " is negative");
        if (perTargetInterval.isNegative()) throw new IllegalArgumentException("per-target interval " + perTargetInterval + " is negative");
        if (interfaceName != null && (interfaceName.isEmpty() || interfaceName.length() > 15)) {
            throw new IllegalArgumentException("interface name '" + interfaceName + "' is not 1..15 characters (IFNAMSIZ)");
        }
    }

    /** AUTO socket, no source, no interface, fping's intervals (10 ms between any two, 1 s per target), no broadcast. */
    public static PingerConfig defaults() {
        return new PingerConfig(SocketKind.AUTO, null, null, null, Duration.ofMillis(10), Duration.ofSeconds(1), false);
    }

    /** A copy with this socket kind. */
    public PingerConfig withSocketKind(SocketKind k) {
        return new PingerConfig(k, source4, source6, interfaceName, sendInterval, perTargetInterval, broadcast);
    }

    /** A copy that binds this source address (for its family). */
    public PingerConfig withSource(InetAddress a) {
        return switch (a) {
            case Inet4Address v4 -> new PingerConfig(socketKind, v4, source6, interfaceName, sendInterval, perTargetInterval, broadcast);
            case Inet6Address v6 -> new PingerConfig(socketKind, source4, v6, interfaceName, sendInterval, perTargetInterval, broadcast);
            default -> throw new IllegalArgumentException("not an IP address: " + a);
        };
    }

    /** A copy bound to this interface. */
    public PingerConfig withInterface(String name) {
        return new PingerConfig(socketKind, source4, source6, name, sendInterval, perTargetInterval, broadcast);
    }

    /** A copy with this global rate limit (least time between any two requests). */
    public PingerConfig withSendInterval(Duration d) {
        return new PingerConfig(socketKind, source4, source6, interfaceName, d, perTargetInterval, broadcast);
    }

    /** A copy with this per-target interval. */
    public PingerConfig withPerTargetInterval(Duration d) {
        return new PingerConfig(socketKind, source4, source6, interfaceName, sendInterval, d, broadcast);
    }

    /** A copy that allows broadcast targets or not. */
    public PingerConfig withBroadcast(boolean b) {
        return new PingerConfig(socketKind, source4, source6, interfaceName, sendInterval, perTargetInterval, b);
    }
}
