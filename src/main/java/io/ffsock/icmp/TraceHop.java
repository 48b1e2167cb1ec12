package io.ffsock.icmp;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One hop of a trace: the probes sent with one TTL, in the order they were sent.
 *
 * @param ttl    the TTL / hop limit
 * @param probes one entry per probe: its answer, a timeout or a failed send
 */
public record TraceHop(int ttl, List<TraceProbe> probes) {
    /** Copies the probe list. */
    public TraceHop {
        probes = List.copyOf(probes);
    }

    /** The first responder of this hop, if any probe was answered. */
    public Optional<InetAddress> responder() {
        for (TraceProbe p : probes) if (p instanceof TraceProbe.Answer a) return Optional.of(a.responder());
        return Optional.empty();
    }

    /** Whether the destination itself answered a probe of this hop. */
    public boolean destinationReached() {
        for (TraceProbe p : probes) if (p instanceof TraceProbe.Answer a && a.destination()) return true;
        return false;
    }

    /** Whether the trace ends here: the destination answered, or a router said it is unreachable. */
    public boolean endsTrace() {
        for (TraceProbe p : probes) if (p instanceof TraceProbe.Answer a && a.endsTrace()) return true;
        return false;
    }
}
