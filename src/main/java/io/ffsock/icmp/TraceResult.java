package io.ffsock.icmp;

import java.net.InetAddress;
import java.util.List;

/**
 * A finished trace: every hop from the first TTL up to the one that ended it (or the max TTL).
 *
 * @param destination the address traced
 * @param hops        the hops, by increasing TTL
 */
public record TraceResult(InetAddress destination, List<TraceHop> hops) {
    /** Copies the hop list. */
    public TraceResult {
        hops = List.copyOf(hops);
    }

    /** Whether the destination itself answered. */
    public boolean destinationReached() {
        return !hops.isEmpty() && hops.getLast().destinationReached();
    }
}
