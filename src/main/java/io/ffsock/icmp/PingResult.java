package io.ffsock.icmp;

import java.net.InetAddress;

/**
 * How one ping request ended: a {@link Reply}, an {@link IcmpError} from a router or the target,
 * a {@link Timeout} after every attempt, or a {@link Failed} send.
 */
public sealed interface PingResult {
    /** The address the request was for. */
    InetAddress target();

    /** Whether an echo reply came. */
    default boolean alive() {
        return this instanceof Reply;
    }

    /**
     * An echo reply matched by identifier, sequence, cookie and send time.
     *
     * @param target    the target
     * @param rttNanos  round-trip time: the kernel's receive timestamp (SO_TIMESTAMPNS) minus the send time
     * @param ttl       the reply's TTL / hop limit, or -1 if the kernel did not say
     * @param bytes     ICMP bytes of the reply (header and payload)
     * @param attempt   which attempt was answered (0 = the first)
     */
    record Reply(InetAddress target, long rttNanos, int ttl, int bytes, int attempt) implements PingResult {}

    /**
     * Every attempt went unanswered.
     *
     * @param target   the target
     * @param attempts how many requests were sent
     */
    record Timeout(InetAddress target, int attempts) implements PingResult {}

    /**
     * An ICMP error quoting our request: destination unreachable (with its code), time exceeded,
     * fragmentation needed / packet too big (with the MTU), parameter problem.
     *
     * @param target  the target
     * @param router  who sent the error (a router on the way, or the target's own host)
     * @param kind    what it says
     * @param type    the ICMP or ICMPv6 type
     * @param code    its code
     * @param mtu     the next-hop MTU for {@link Kind#FRAGMENTATION_NEEDED}, else 0
     * @param attempt which attempt it answered (0 = the first)
     */
    record IcmpError(InetAddress target, InetAddress router, Kind kind, int type, int code, int mtu, int attempt)
            implements PingResult {}

    /**
     * The request could not be sent (say no route: ENETUNREACH), or a local error came back.
     *
     * @param target  the target
     * @param message the call and errno text
     */
    record Failed(InetAddress target, String message) implements PingResult {}

    /** The kind of an ICMP error. */
    enum Kind {
        /** ICMP type 3 (except code 4) / ICMPv6 type 1. */
        UNREACHABLE,
        /** ICMP type 11 / ICMPv6 type 3. */
        TIME_EXCEEDED,
        /** ICMP type 3 code 4 / ICMPv6 type 2 (packet too big). */
        FRAGMENTATION_NEEDED,
        /** ICMP type 12 / ICMPv6 type 4. */
        PARAMETER_PROBLEM,
        /** Anything else that quotes our request (redirect, source quench). */
        OTHER
    }
}
