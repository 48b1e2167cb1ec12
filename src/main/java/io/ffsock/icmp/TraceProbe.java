package io.ffsock.icmp;

import java.net.InetAddress;

/**
 * What became of one traceroute probe: an {@link Answer}, a {@link Timeout}, or a {@link Failed}
 * send.
 */
public sealed interface TraceProbe {
    /** The TTL / hop limit the probe was sent with. */
    int ttl();

    /** Whether an answer came (so {@link Answer#responder()} is known). */
    default boolean answered() {
        return this instanceof Answer;
    }

    /** What an answer says. */
    enum Kind {
        /** An echo reply from the destination (ICMP probes). */
        REPLY,
        /** ICMP time exceeded (IPv6: hop limit exceeded): a router on the way. */
        TIME_EXCEEDED,
        /** Destination unreachable; port unreachable from the destination is how UDP probes arrive. */
        UNREACHABLE,
        /** IPv4 fragmentation needed (type 3 code 4) or ICMPv6 packet too big, with the MTU. */
        PACKET_TOO_BIG
    }

    /**
     * An answer matched to the probe: by identifier and sequence of the quoted echo request (raw
     * ICMP socket), by the kernel (ping and UDP sockets, IP_RECVERR), and for UDP by the quoted
     * destination port.
     *
     * @param ttl         the probe's TTL
     * @param responder   who answered: a router, or the destination
     * @param rttNanos    the kernel's receive timestamp (SO_TIMESTAMPNS) minus the send time
     * @param kind        what the answer says
     * @param type        the ICMP (ICMPv6) type; 0 (129) for an echo reply
     * @param code        the ICMP code
     * @param mtu         the MTU of {@link Kind#PACKET_TOO_BIG}, else 0
     * @param destination whether this answer means the destination was reached: an echo reply, or
     *                    port (protocol) unreachable from the destination itself
     */
    record Answer(int ttl, InetAddress responder, long rttNanos, Kind kind, int type, int code, int mtu,
                  boolean destination) implements TraceProbe {
        /**
         * Whether the trace stops at this hop: the destination answered, or a router says it
         * cannot be reached (unreachable, packet too big). Time exceeded does not stop it.
         */
        public boolean endsTrace() {
            return kind != Kind.TIME_EXCEEDED;
        }
    }

    /**
     * Nothing answered within the wait.
     *
     * @param ttl the probe's TTL
     */
    record Timeout(int ttl) implements TraceProbe {}

    /**
     * The probe could not be sent (say ENETUNREACH, EHOSTUNREACH).
     *
     * @param ttl         the probe's TTL
     * @param errnoSymbol the errno's symbol, e.g. {@code ENETUNREACH}
     * @param message     the call, errno and address
     */
    record Failed(int ttl, String errnoSymbol, String message) implements TraceProbe {}
}
