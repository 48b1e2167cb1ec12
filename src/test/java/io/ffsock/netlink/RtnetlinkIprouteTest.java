package io.ffsock.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Netns;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The typed rtnetlink lists against iproute2 on the same network namespace (one this test
 * creates: two veth pairs, IPv4 and IPv6 addresses, a gateway route each, permanent neighbours):
 * ffsock's links, addresses, routes, neighbours and routeTo equal what {@code ip -j} prints.
 */
@ExtendWith(FdLeakCheck.class)
class RtnetlinkIprouteTest {
    private static Netns ns;

    @BeforeAll
    static void topology() throws Exception {
        ns = Netns.create("rtnl");
        ns.ip("link", "add", "va", "type", "veth", "peer", "name", "vb");
        ns.ip("link", "add", "vc", "type", "veth", "peer", "name", "vd");
        ns.ip("link", "set", "va", "mtu", "1400");
        ns.ip("addr", "add", "10.7.0.1/24", "dev", "va");
        ns.ip("addr", "add", "10.7.1.1/24", "brd", "+", "dev", "va", "label", "va:two");
        ns.ip("addr", "add", "fd07::1/64", "dev", "va", "nodad");
        ns.ip("addr", "add", "10.8.0.1/24", "dev", "vc");
        for (String l : List.of("va", "vb", "vc")) ns.ip("link", "set", l, "up"); // vd stays down: vc LOWERLAYERDOWN
        ns.ip("route", "add", "10.9.0.0/16", "via", "10.7.0.2", "metric", "50");
        ns.ip("route", "add", "10.10.0.0/16", "dev", "va", "src", "10.7.1.1");
        ns.ip("-6", "route", "add", "fd09::/64", "via", "fd07::2", "dev", "va");
        ns.ip("neigh", "add", "10.7.0.3", "lladdr", "02:00:00:00:00:03", "dev", "va", "nud", "permanent");
        ns.ip("-6", "neigh", "add", "fd07::3", "lladdr", "02:00:00:00:00:33", "dev", "va", "nud", "permanent");
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (ns != null) ns.close();
    }

    private static <T> T inside(java.util.concurrent.Callable<T> body) throws Exception {
        return ns.call(body);
    }

    private static List<Map<String, Object>> ip(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-j"));
        a.addAll(List.of(args));
        return Json.array(ns.ip(a.toArray(String[]::new)));
    }

    private static Map<Integer, String> names(List<Link> links) {
        Map<Integer, String> m = new HashMap<>();
        for (Link l : links) m.put(l.index(), l.name());
        return m;
    }

    @Test
    void linksEqualIpLink() throws Exception {
        List<Link> links = inside(() -> { try (Rtnetlink r = Rtnetlink.open()) { return r.links(); } });
        List<Map<String, Object>> ip = ip("-d", "link", "show");
        assertEquals(ip.size(), links.size(), links.toString());
        Map<Integer, Link> byIndex = new HashMap<>();
        for (Link l : links) byIndex.put(l.index(), l);
        for (Map<String, Object> j : ip) {
            Link l = byIndex.get(((Long) j.get("ifindex")).intValue());
            String what = j.get("ifname") + ": " + l;
            assertEquals(j.get("ifname"), l.name(), what);
            assertEquals(j.get("mtu"), (long) l.mtu(), what);
            assertEquals(j.get("operstate"), l.operState().name(), what);
            assertEquals(j.get("address"), l.hardwareAddressString(), what);
            assertEquals(j.get("broadcast"), l.broadcast().length == 0 ? null : java.util.HexFormat.ofDelimiter(":").formatHex(l.broadcast()), what);
            assertEquals(j.get("txqlen"), (long) l.txQueueLength(), what);
            assertEquals(j.get("qdisc"), l.qdisc(), what);
            Set<Object> flags = new TreeSet<>(Set.copyOf((List<?>) j.get("flags")).stream().map(Object::toString).toList());
            flags.remove("NO-CARRIER"); // ip adds it for UP without IFF_RUNNING; it is not a flag bit
            flags.remove("M-DOWN");
            assertEquals(flags, new TreeSet<>(l.flagNames()), what);
            @SuppressWarnings("unchecked")
            Map<String, Object> info = (Map<String, Object>) j.get("linkinfo");
            assertEquals(info == null ? "" : info.get("info_kind"), l.kind(), what);
        }
        Link vc = links.stream().filter(l -> l.name().equals("vc")).findFirst().orElseThrow();
        assertEquals(OperState.LOWERLAYERDOWN, vc.operState());
    }

    @Test
    void addressesEqualIpAddr() throws Exception {
        List<Address> addresses = inside(() -> { try (Rtnetlink r = Rtnetlink.open()) { return r.addresses(); } });
        Set<String> ours = new HashSet<>();
        for (Address a : addresses) {
            ours.add(a.interfaceIndex() + " " + (a.family() == 2 ? "inet" : "inet6") + " " + a.local().getHostAddress() + "/"
                    + a.prefixLength() + " " + a.scopeName() + " label=" + a.label() + " brd="
                    + (a.broadcast() == null ? "" : a.broadcast().getHostAddress()) + " valid=" + a.validLifetime()
                    + " preferred=" + a.preferredLifetime());
        }
        Set<String> theirs = new HashSet<>();
        for (Map<String, Object> link : ip("addr", "show")) {
            for (Object o : (List<?>) link.get("addr_info")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> a = (Map<String, Object>) o;
                theirs.add(link.get("ifindex") + " " + a.get("family") + " " + InetAddress.getByName((String) a.get("local")).getHostAddress()
                        + "/" + a.get("prefixlen") + " " + a.get("scope") + " label=" + (a.get("label") == null ? "" : a.get("label"))
                        + " brd=" + (a.get("broadcast") == null ? "" : a.get("broadcast")) + " valid=" + a.get("valid_life_time")
                        + " preferred=" + a.get("preferred_life_time"));
            }
        }
        assertEquals(new TreeSet<>(theirs), new TreeSet<>(ours));
        assertTrue(ours.stream().anyMatch(s -> s.contains("10.7.1.1/24 global label=va:two brd=10.7.1.255")), ours.toString());
    }

    @Test
    void routesOfTheMainTableEqualIpRouteForBothFamilies() throws Exception {
        for (int family : new int[] {2, 10}) {
            List<Object> got = inside(() -> {
                try (Rtnetlink r = Rtnetlink.open()) {
                    Map<Integer, String> names = names(r.links());
                    List<Object> out = new ArrayList<>();
                    for (Route rt : r.routes(family)) {
                        if (rt.table() != 254 || (rt.flags() & NetlinkConst.RTM_F_CLONED) != 0) continue;
                        out.add(routeLine(rt, names));
                    }
                    return out;
                }
            });
            List<String> want = new ArrayList<>();
            for (Map<String, Object> j : ip(family == 2 ? "-4" : "-6", "route", "show")) {
                want.add((j.get("type") == null ? "unicast" : j.get("type")) + " " + canonical((String) j.get("dst"))
                        + " via=" + (j.get("gateway") == null ? "" : InetAddress.getByName((String) j.get("gateway")).getHostAddress())
                        + " dev=" + j.get("dev") + " proto=" + (j.get("protocol") == null ? "boot" : j.get("protocol"))
                        + " scope=" + (j.get("scope") == null ? "global" : j.get("scope"))
                        + " src=" + (j.get("prefsrc") == null ? "" : j.get("prefsrc"))
                        + " metric=" + (j.get("metric") == null ? (family == 2 ? "-1" : "?") : j.get("metric")));
            }
            assertEquals(new TreeSet<>(want), new TreeSet<>(got.stream().map(Object::toString).toList()), "family " + family);
        }
    }

    private static String canonical(String dst) throws Exception {
        if (dst.equals("default")) return dst;
        int slash = dst.indexOf('/');
        String host = slash < 0 ? dst : dst.substring(0, slash);
        return InetAddress.getByName(host).getHostAddress() + (slash < 0 ? "" : dst.substring(slash));
    }

    private static String routeLine(Route rt, Map<Integer, String> names) {
        return rt.typeName() + " " + rt.destinationString() + " via=" + (rt.gateway() == null ? "" : rt.gateway().getHostAddress())
                + " dev=" + names.get(rt.interfaceIndex()) + " proto=" + rt.protocolName() + " scope=" + rt.scopeName()
                + " src=" + (rt.preferredSource() == null ? "" : rt.preferredSource().getHostAddress())
                + " metric=" + (rt.priority() < 0 && rt.family() == 10 ? "?" : rt.priority());
    }

    @Test
    void neighboursEqualIpNeigh() throws Exception {
        List<String> got = inside(() -> {
            try (Rtnetlink r = Rtnetlink.open()) {
                Map<Integer, String> names = names(r.links());
                return r.neighbours().stream().map(n -> n.destination().getHostAddress() + " dev=" + names.get(n.interfaceIndex())
                        + " lladdr=" + n.linkAddressString() + " " + n.stateNames()).toList();
            }
        });
        List<String> want = new ArrayList<>();
        for (Map<String, Object> j : ip("neigh", "show", "nud", "all")) { // ip hides NOARP entries unless asked
            want.add(InetAddress.getByName((String) j.get("dst")).getHostAddress() + " dev=" + j.get("dev") + " lladdr="
                    + (j.get("lladdr") == null ? "" : j.get("lladdr")) + " " + j.get("state"));
        }
        assertEquals(new TreeSet<>(want), new TreeSet<>(got));
        assertTrue(got.contains("10.7.0.3 dev=va lladdr=02:00:00:00:00:03 [PERMANENT]"), got.toString());
        assertTrue(got.contains("fd07:0:0:0:0:0:0:3 dev=va lladdr=02:00:00:00:00:33 [PERMANENT]"), got.toString());
    }

    @Test
    void routeToEqualsIpRouteGet() throws Exception {
        for (String dst : List.of("10.9.1.1", "10.7.0.5", "10.10.3.4", "10.7.1.1", "fd09::5", "fd07::9")) {
            String got = inside(() -> {
                try (Rtnetlink r = Rtnetlink.open()) {
                    Map<Integer, String> names = names(r.links());
                    Route rt = r.routeTo(InetAddress.getByName(dst));
                    return rt.typeName() + " " + rt.destination().getHostAddress() + " via="
                            + (rt.gateway() == null ? "" : rt.gateway().getHostAddress()) + " dev=" + names.get(rt.interfaceIndex())
                            + " src=" + (rt.preferredSource() == null ? "" : rt.preferredSource().getHostAddress());
                }
            });
            Map<String, Object> j = ip("route", "get", dst).get(0);
            String want = (j.get("type") == null ? "unicast" : j.get("type")) + " " + InetAddress.getByName((String) j.get("dst")).getHostAddress()
                    + " via=" + (j.get("gateway") == null ? "" : InetAddress.getByName((String) j.get("gateway")).getHostAddress())
                    + " dev=" + j.get("dev") + " src=" + (j.get("prefsrc") == null ? "" : InetAddress.getByName((String) j.get("prefsrc")).getHostAddress());
            assertEquals(want, got, dst);
        }
    }

    @Test
    void routeToAnUnreachableDestinationAndUnknownNamesAreClearErrors() throws Exception {
        NetlinkException e = assertThrows(NetlinkException.class, () -> inside(() -> {
            try (Rtnetlink r = Rtnetlink.open()) { return r.routeTo(InetAddress.getByName("192.0.2.1")); }
        }));
        assertEquals("ENETUNREACH", e.errno().symbol(), e.getMessage());
        assertTrue(e.getMessage().startsWith("RTM_GETROUTE(192.0.2.1): ENETUNREACH (Network is unreachable)"), e.getMessage());
        NetlinkException nodev = assertThrows(NetlinkException.class, () -> inside(() -> {
            try (Rtnetlink r = Rtnetlink.open()) { return r.link("nosuch0"); }
        }));
        assertEquals("ENODEV", nodev.errno().symbol(), nodev.getMessage());
        assertTrue(nodev.getMessage().startsWith("RTM_GETLINK(dev nosuch0): ENODEV (No such device)"), nodev.getMessage());
        try (Rtnetlink r = Rtnetlink.open()) {
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> r.link("sixteen-bytes-xx"));
            assertEquals("interface name \"sixteen-bytes-xx\" is 16 bytes; IFNAMSIZ allows 15", tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> r.link(""));
            assertThrows(IllegalArgumentException.class, () -> r.link("a/b"));
            assertThrows(IllegalArgumentException.class, () -> r.addAddress("lo", InetAddress.getByName("10.0.0.1"), 33));
            assertFalse(r.links().isEmpty());
        }
        assertNull(null);
    }
}
