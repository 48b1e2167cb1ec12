package io.ffsock.icmp;

/**
 * Sees each answer a {@link Pinger} matches, as it is matched and before the request's future
 * completes, with the sequence number it had on the wire: what a ping command needs to print a
 * line per reply, duplicates included. Called on the pinger's receiver thread without its lock;
 * keep it short. Set with {@link Pinger#observe(PingObserver)}.
 */
public interface PingObserver {
    /**
     * An echo reply matched a request.
     *
     * @param sequence  the ICMP sequence number of the request and reply
     * @param reply     the reply (for a duplicate, its round-trip time is from the same send)
     * @param duplicate whether the request had been answered already; a duplicate completes
     *                  nothing and counts in {@link PingStatistics#duplicates()}
     */
    void reply(int sequence, PingResult.Reply reply, boolean duplicate);

    /**
     * An ICMP error ({@link PingResult.IcmpError}) or a local error ({@link PingResult.Failed}
     * from the error queue) answered a request. Does nothing unless overridden.
     *
     * @param sequence the ICMP sequence number of the request it answered
     * @param error    what the request's future is about to complete with
     */
    default void error(int sequence, PingResult error) {}
}
