package io.ffsock.icmp;

import java.net.InetAddress;

/**
 * What a {@link Pinger} counted for one target since it was first pinged. Times in nanoseconds;
 * {@code mdev} as iputils computes it: sqrt(mean of squares - square of the mean), over the
 * replies (duplicates not counted).
 *
 * @param target     the target
 * @param sent       echo requests sent (every attempt)
 * @param received   replies matched (duplicates excluded)
 * @param duplicates replies to a request already answered
 * @param errors     ICMP errors that answered a request
 * @param minNanos   smallest RTT (0 without replies)
 * @param avgNanos   mean RTT
 * @param maxNanos   largest RTT
 * @param mdevNanos  the RTTs' standard deviation
 */
public record PingStatistics(InetAddress target, long sent, long received, long duplicates, long errors,
                             long minNanos, long avgNanos, long maxNanos, long mdevNanos) {
    /** Lost requests in percent, as fping and iputils: (sent - received) * 100 / sent; 0 when none were sent. */
    public double lossPercent() {
        return sent == 0 ? 0 : (sent - received) * 100.0 / sent;
    }
}
