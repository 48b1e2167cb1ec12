package io.ffsock.tools;

import io.ffsock.testing.Netns;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A chain of network namespaces for the tool tests: host A, {@code n} routers, host B, joined by
 * veth pairs. Link {@code j} (0..n) is 10.(100+j).0.0/24 and fd00:(100+j)::/64; its left end is
 * .1 (::1) and its right end .2 (::2), so A is 10.100.0.1 and fd00:100::1, router i (1-based) is
 * 10.(99+i).0.2 / fd00:(99+i)::2 towards A and 10.(100+i).0.1 / fd00:(100+i)::1 towards B, and B
 * is 10.(100+n).0.2 / fd00:(100+n)::2. Routers forward both families; ICMP and ICMPv6 errors are
 * not rate-limited in any namespace (icmp_ratelimit 0, a large global budget). IPv6 duplicate
 * address detection is off, so addresses work at once. {@link #close()} removes every namespace.
 */
final class Topology implements AutoCloseable {
    final Netns a;
    final Netns b;
    final List<Netns> routers = new ArrayList<>();
    private final List<Netns> all = new ArrayList<>();
    final int n;

    private Topology(int routerCount, Netns a, Netns b) {
        this.n = routerCount;
        this.a = a;
        this.b = b;
    }

    /** Builds the chain; on failure removes what was made and rethrows. */
    static Topology create(String tag, int routerCount) throws Exception {
        List<Netns> made = new ArrayList<>();
        try {
            Netns a = Netns.create(tag + "a");
            made.add(a);
            List<Netns> routers = new ArrayList<>();
            for (int i = 1; i <= routerCount; i++) {
                Netns r = Netns.create(tag + "r" + i);
                made.add(r);
                routers.add(r);
            }
            Netns b = Netns.create(tag + "b");
            made.add(b);
            Topology t = new Topology(routerCount, a, b);
            t.all.addAll(made);
            t.routers.addAll(routers);
            for (Netns ns : made) {
                ns.sysctl("net.ipv4.icmp_ratelimit", "0");
                ns.sysctl("net.ipv6.icmp.ratelimit", "0");
                ns.sysctl("net.ipv4.icmp_msgs_per_sec", "100000");
                ns.sysctl("net.ipv4.icmp_msgs_burst", "100000");
                // before the veths arrive: their link-local addresses would otherwise be tentative
                // for a second, and neighbour discovery waits for them
                ns.sysctl("net.ipv6.conf.default.accept_dad", "0");
                ns.sysctl("net.ipv6.conf.all.accept_dad", "0");
            }
            // link j joins node j (A = 0, routers 1..n) and node j+1 (B = n+1)
            for (int j = 0; j <= routerCount; j++) {
                Netns left = made.get(j);
                Netns right = made.get(j + 1);
                Netns.veth(left, "r" + j, net(j) + ".1/24", right, "l" + j, net(j) + ".2/24");
                left.ip("-6", "addr", "add", net6(j) + "1/64", "dev", "r" + j, "nodad");
                right.ip("-6", "addr", "add", net6(j) + "2/64", "dev", "l" + j, "nodad");
            }
            a.ip("route", "add", "default", "via", net(0) + ".2");
            b.ip("route", "add", "default", "via", net(routerCount) + ".1");
            a.ip("-6", "route", "add", "default", "via", net6(0) + "2");
            b.ip("-6", "route", "add", "default", "via", net6(routerCount) + "1");
            for (int i = 1; i <= routerCount; i++) {
                Netns r = routers.get(i - 1);
                r.sysctl("net.ipv4.ip_forward", "1");
                r.sysctl("net.ipv6.conf.all.forwarding", "1");
                // towards A: nets 0..i-2 via the previous router; towards B: nets i+1..n via the next
                for (int j = 0; j < i - 1; j++) {
                    r.ip("route", "add", net(j) + ".0/24", "via", net(i - 1) + ".1");
                    r.ip("-6", "route", "add", net6(j) + "/64", "via", net6(i - 1) + "1");
                }
                for (int j = i + 1; j <= routerCount; j++) {
                    r.ip("route", "add", net(j) + ".0/24", "via", net(i) + ".2");
                    r.ip("-6", "route", "add", net6(j) + "/64", "via", net6(i) + "2");
                }
            }
            // Resolves every neighbour on the way (both directions) before a test times anything.
            a.run("ping", "-6", "-c", "1", "-i", "0.2", "-w", "5", t.addressB6());
            return t;
        } catch (Exception | Error e) {
            for (Netns ns : made) {
                try {
                    ns.close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
            throw e;
        }
    }

    /** The first three octets of link {@code j}. */
    static String net(int j) {
        return "10." + (100 + j) + ".0";
    }

    /** The prefix of link {@code j} up to the interface part, e.g. {@code fd00:100::}. */
    static String net6(int j) {
        return "fd00:" + (100 + j) + "::";
    }

    String addressA6() {
        return net6(0) + "1";
    }

    String addressB6() {
        return net6(n) + "2";
    }

    /** Router i's (1-based) IPv6 address towards A: the source of its ICMPv6 errors to A. */
    String routerTowardsA6(int i) {
        return net6(i - 1) + "2";
    }

    String addressA() {
        return net(0) + ".1";
    }

    String addressB() {
        return net(n) + ".2";
    }

    /** Router i's (1-based) address towards A: the source of its ICMP errors to A. */
    String routerTowardsA(int i) {
        return net(i - 1) + ".2";
    }

    /** A wrapper that runs a command inside {@code ns}, for {@link CliProcess#startWrapped}. */
    static UnaryOperator<List<String>> in(Netns ns) {
        return cmd -> List.of(ns.inside(cmd.toArray(String[]::new)));
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Netns ns : all) {
            try {
                ns.close();
            } catch (Exception e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
