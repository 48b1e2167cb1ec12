package io.ffsock.icmp;

import java.time.Duration;
import java.util.Objects;

/**
 * What one ping request asks for: how long to wait, how often to try, and how the echo request
 * looks on the wire. Immutable; the {@code with...} methods return changed copies.
 *
 * @param timeout     how long the first attempt waits for its reply (fping {@code -t})
 * @param retries     how many more attempts after the first one times out (fping {@code -r})
 * @param backoff     each retry waits this factor longer than the one before (fping {@code -B}), at least 1
 * @param payloadSize data bytes after the 8-byte ICMP header, 0..65507 (fping {@code -b}); from 16
 *                    bytes on, the payload carries the pinger's cookie and the send time
 * @param ttl         IPv4 TTL / IPv6 hop limit of the request, 1..255, or 0 for the system default
 * @param tos         IPv4 TOS / IPv6 traffic class, 0..255, or -1 for the system default
 * @param dontFragment whether to set DF (IPv4) / not fragment locally (IPv6): IP_PMTUDISC_DO, so a
 *                    request larger than the path MTU fails or comes back as "fragmentation needed"
 */
public record PingOptions(Duration timeout, int retries, double backoff, int payloadSize, int ttl, int tos,
                          boolean dontFragment) {
    /** The largest ICMP payload an IPv4 datagram can carry: 65535 - 20 - 8. */
    public static final int MAX_PAYLOAD = 65507;
    /** Payload bytes that hold the cookie (8) and the send time (8). */
    public static final int COOKIE_BYTES = 16;

    /** Checks every field; a bad one is refused here, before anything is sent. */
    public PingOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout " + timeout + " must be positive");
        if (retries < 0) throw new IllegalArgumentException("retries " + retries + " must not be negative");
        if (!(backoff >= 1.0 && backoff <= 100.0)) throw new IllegalArgumentException("backoff " + backoff + " is not in 1..100");
        if (payloadSize < 0 || payloadSize > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload size " + payloadSize + " is not in 0.." + MAX_PAYLOAD);
        }
        if (ttl < 0 || ttl > 255) throw new IllegalArgumentException("TTL " + ttl + " is not in 1..255 (0: the system default)");
        if (tos < -1 || tos > 255) throw new IllegalArgumentException("TOS " + tos + " is not in 0..255 (-1: the system default)");
    }

    /** fping's defaults: 500 ms, 3 retries, backoff 1.5, 56 data bytes, system TTL and TOS, DF as the kernel sets it. */
    public static PingOptions defaults() {
        return new PingOptions(Duration.ofMillis(500), 3, 1.5, 56, 0, -1, false);
    }

    /** A copy with this first timeout. */
    public PingOptions withTimeout(Duration t) {
        return new PingOptions(t, retries, backoff, payloadSize, ttl, tos, dontFragment);
    }

    /** A copy with this many retries. */
    public PingOptions withRetries(int r) {
        return new PingOptions(timeout, r, backoff, payloadSize, ttl, tos, dontFragment);
    }

    /** A copy with this backoff factor. */
    public PingOptions withBackoff(double b) {
        return new PingOptions(timeout, retries, b, payloadSize, ttl, tos, dontFragment);
    }

    /** A copy with this payload size. */
    public PingOptions withPayloadSize(int size) {
        return new PingOptions(timeout, retries, backoff, size, ttl, tos, dontFragment);
    }

    /** A copy with this TTL / hop limit (0: the system default). */
    public PingOptions withTtl(int t) {
        return new PingOptions(timeout, retries, backoff, payloadSize, t, tos, dontFragment);
    }

    /** A copy with this TOS / traffic class (-1: the system default). */
    public PingOptions withTos(int t) {
        return new PingOptions(timeout, retries, backoff, payloadSize, ttl, t, dontFragment);
    }

    /** A copy with DF set or not. */
    public PingOptions withDontFragment(boolean df) {
        return new PingOptions(timeout, retries, backoff, payloadSize, ttl, tos, df);
    }

    /** How long attempt {@code n} (0 = the first) waits: timeout x backoff^n, as fping. */
    public long attemptTimeoutNanos(int n) {
        return (long) (timeout.toNanos() * Math.pow(backoff, n));
    }
}
