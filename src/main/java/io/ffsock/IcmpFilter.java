package io.ffsock;

import java.util.ArrayList;
import java.util.List;

/**
 * Which ICMP message types a raw ICMP socket drops before they reach it: the value of
 * {@link LinuxSocketOptions#ICMP_FILTER} (ICMPv4, raw(7); types 0..31 only, higher types always
 * pass) and {@link LinuxSocketOptions#ICMP6_FILTER} (ICMPv6, RFC 3542; types 0..255).
 */
public final class IcmpFilter {
    private final long[] blocked = new long[4]; // bit t set: type t is dropped
    /** Built by passingOnly: types not named are dropped "where the kernel can" (ICMPv4: 0..31). */
    private boolean othersBlocked;

    private IcmpFilter() {}

    /** A filter that passes every type. */
    public static IcmpFilter passAll() {
        return new IcmpFilter();
    }

    /** A filter that drops the given types and passes the rest. */
    public static IcmpFilter blocking(int... types) {
        IcmpFilter f = new IcmpFilter();
        for (int t : types) f.set(t, true);
        return f;
    }

    /**
     * A filter that passes only the given types and drops the rest. On ICMPv4 the kernel can
     * filter types 0..31 only: higher types always pass there.
     */
    public static IcmpFilter passingOnly(int... types) {
        IcmpFilter f = new IcmpFilter();
        f.othersBlocked = true;
        java.util.Arrays.fill(f.blocked, -1L);
        for (int t : types) f.set(t, false);
        return f;
    }

    private void set(int type, boolean block) {
        if (type < 0 || type > 255) throw new IllegalArgumentException("ICMP type " + type + " is not in 0..255");
        if (block) blocked[type >>> 6] |= 1L << (type & 63);
        else blocked[type >>> 6] &= ~(1L << (type & 63));
    }

    /** Whether messages of {@code type} are dropped. */
    public boolean blocks(int type) {
        if (type < 0 || type > 255) throw new IllegalArgumentException("ICMP type " + type + " is not in 0..255");
        return (blocked[type >>> 6] & (1L << (type & 63))) != 0;
    }

    /** The blocked types, ascending. */
    public List<Integer> blockedTypes() {
        List<Integer> out = new ArrayList<>();
        for (int t = 0; t < 256; t++) if (blocks(t)) out.add(t);
        return out;
    }

    /**
     * The ICMPv4 filter word: bit t drops type t (t in 0..31).
     *
     * @throws IllegalArgumentException if the filter was built to block a type above 31 by name
     */
    int toIcmpv4Mask() {
        if (!othersBlocked) {
            for (int t = 32; t < 256; t++) {
                if (blocks(t)) throw new IllegalArgumentException("ICMP_FILTER: ICMPv4 filters cover types 0..31 only, not " + t);
            }
        }
        return (int) blocked[0];
    }

    /** struct icmp6_filter as 8 words: bit (t & 31) of word (t >> 5) drops type t. */
    int[] toIcmpv6Words() {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = (int) (blocked[i >>> 1] >>> (32 * (i & 1)));
        return w;
    }

    static IcmpFilter fromIcmpv4Mask(int mask) {
        IcmpFilter f = new IcmpFilter();
        f.blocked[0] = mask & 0xFFFFFFFFL;
        return f;
    }

    static IcmpFilter fromIcmpv6Words(int[] w) {
        IcmpFilter f = new IcmpFilter();
        for (int i = 0; i < 8; i++) f.blocked[i >>> 1] |= (w[i] & 0xFFFFFFFFL) << (32 * (i & 1));
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IcmpFilter f && java.util.Arrays.equals(f.blocked, blocked) && f.othersBlocked == othersBlocked;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(blocked);
    }

    @Override
    public String toString() {
        return "IcmpFilter[blocked=" + blockedTypes() + "]";
    }
}
