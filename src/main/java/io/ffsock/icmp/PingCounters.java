package io.ffsock.icmp;

/**
 * What a {@link Pinger} received that answered nothing: counted, never taken for a reply.
 *
 * @param foreign    echo replies of other processes (another identifier, or no cookie of ours)
 * @param duplicates replies to a request that was already answered
 * @param late       replies that came after their request timed out (or after its slot was reused)
 * @param corrupted  replies whose cookie or payload pattern differs from what was sent, or whose checksum is bad
 */
public record PingCounters(long foreign, long duplicates, long late, long corrupted) {}
