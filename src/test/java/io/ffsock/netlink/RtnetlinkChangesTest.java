package io.ffsock.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Netns;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Changes both ways between ffsock and iproute2 in a namespace the test creates: what ffsock
 * changes (addresses, link up/down, routes) {@code ip -j} shows; what {@code ip} changes arrives
 * as events on an {@link RtnetlinkEvents} stream read by a virtual thread; a change without
 * CAP_NET_ADMIN fails with the kernel's EPERM; a duplicate with EEXIST.
 */
@ExtendWith(FdLeakCheck.class)
class RtnetlinkChangesTest {
    private Netns ns;

    @BeforeEach
    void topology() throws Exception {
        ns = Netns.create("rtch");
        ns.ip("link", "add", "ea", "type", "veth", "peer", "name", "eb");
        ns.ip("link", "set", "eb", "up");
    }

    @AfterEach
    void remove() throws Exception {
        if (ns != null) ns.close();
    }

    private List<Map<String, Object>> ip(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-j"));
        a.addAll(List.of(args));
        return Json.array(ns.ip(a.toArray(String[]::new)));
    }

    @Test
    void changesMadeThroughFfsockAreSeenByIp() throws Exception {
        ns.call(() -> {
            try (Rtnetlink r = Rtnetlink.open()) {
                r.setLinkUp("ea", true);
                r.addAddress("ea", InetAddress.getByName("10.20.0.1"), 24);
                r.addAddress("ea", InetAddress.getByName("fd20::1"), 64);
                r.addRoute(InetAddress.getByName("10.21.0.0"), 16, InetAddress.getByName("10.20.0.254"), null);
                r.addRoute(InetAddress.getByName("10.22.0.0"), 24, null, "ea");
            }
            return null;
        });
        Map<String, Object> link = ip("addr", "show", "dev", "ea").get(0);
        assertTrue(((List<?>) link.get("flags")).contains("UP"), link.toString());
        String addrs = link.get("addr_info").toString();
        assertTrue(addrs.contains("local=10.20.0.1, prefixlen=24"), addrs);
        assertTrue(addrs.contains("local=fd20::1, prefixlen=64"), addrs);
        String routes = ip("route", "show").toString();
        assertTrue(routes.contains("{dst=10.21.0.0/16, gateway=10.20.0.254, dev=ea, flags=[]}"), routes);
        assertTrue(routes.contains("{dst=10.22.0.0/24, dev=ea, scope=link, flags=[]}"), routes);

        NetlinkException dup = assertThrows(NetlinkException.class, () -> ns.call(() -> {
            try (Rtnetlink r = Rtnetlink.open()) {
                r.addAddress("ea", InetAddress.getByName("10.20.0.1"), 24);
            }
            return null;
        }));
        assertEquals("EEXIST", dup.errno().symbol(), dup.getMessage());
        assertTrue(dup.getMessage().startsWith("RTM_NEWADDR(dev ea 10.20.0.1/24): EEXIST (File exists)"), dup.getMessage());

        ns.call(() -> {
            try (Rtnetlink r = Rtnetlink.open()) {
                r.deleteRoute(InetAddress.getByName("10.21.0.0"), 16, InetAddress.getByName("10.20.0.254"), null);
                r.deleteRoute(InetAddress.getByName("10.22.0.0"), 24, null, "ea");
                r.deleteAddress("ea", InetAddress.getByName("10.20.0.1"), 24);
                r.setLinkUp("ea", false);
            }
            return null;
        });
        link = ip("addr", "show", "dev", "ea").get(0);
        assertFalse(((List<?>) link.get("flags")).contains("UP"), link.toString());
        assertFalse(link.get("addr_info").toString().contains("10.20.0.1"), link.toString());
        routes = ip("route", "show").toString();
        assertFalse(routes.contains("10.21.0.0") || routes.contains("10.22.0.0"), routes);

        NetlinkException gone = assertThrows(NetlinkException.class, () -> ns.call(() -> {
            try (Rtnetlink r = Rtnetlink.open()) {
                r.deleteAddress("ea", InetAddress.getByName("10.20.0.1"), 24);
            }
            return null;
        }));
        assertEquals("EADDRNOTAVAIL", gone.errno().symbol(), gone.getMessage());
        assertTrue(gone.getMessage().contains("kernel says \"ipv4: Address not found\""), gone.getMessage());
    }

    @Test
    void changesMadeByIpArriveAsEventsOnAVirtualThread() throws Exception {
        RtnetlinkEvents events = ns.call(() -> RtnetlinkEvents.open(RtnetlinkGroup.LINK, RtnetlinkGroup.IPV4_IFADDR,
                RtnetlinkGroup.IPV6_IFADDR, RtnetlinkGroup.IPV4_ROUTE));
        try (events) {
            ns.ip("link", "set", "ea", "up");
            RtnetlinkEvent up = awaitOnVirtualThread(events, e -> e.object() instanceof Link l && l.name().equals("ea") && l.isUp());
            assertFalse(up.deleted());
            ns.ip("addr", "add", "10.30.0.1/24", "dev", "ea");
            RtnetlinkEvent added = awaitOnVirtualThread(events,
                    e -> e.object() instanceof Address a && a.local().getHostAddress().equals("10.30.0.1"));
            assertFalse(added.deleted());
            assertEquals(24, ((Address) added.object()).prefixLength());
            RtnetlinkEvent route = awaitOnVirtualThread(events,
                    e -> e.object() instanceof Route r && r.destination() != null && r.destination().getHostAddress().equals("10.30.0.0"));
            assertEquals(24, ((Route) route.object()).prefixLength());
            ns.ip("addr", "del", "10.30.0.1/24", "dev", "ea");
            RtnetlinkEvent removed = awaitOnVirtualThread(events,
                    e -> e.deleted() && e.object() instanceof Address a && a.local().getHostAddress().equals("10.30.0.1"));
            assertNotNull(removed);
            ns.ip("link", "set", "ea", "down");
            awaitOnVirtualThread(events, e -> e.object() instanceof Link l && l.name().equals("ea") && !l.isUp());
        }
        // A group nothing happens in: the wait ends with null, not an exception. In a namespace of
        // its own: in ns the link just went down, and the kernel flushes that link's neighbour
        // entries (ff02::16 ...) a moment later, which a NEIGH listener there would see.
        try (Netns still = Netns.create("rtq");
             RtnetlinkEvents quiet = still.call(() -> RtnetlinkEvents.open(RtnetlinkGroup.NEIGH))) {
            assertEquals(null, quiet.next(Duration.ofMillis(150)));
        }
    }

    private static RtnetlinkEvent awaitOnVirtualThread(RtnetlinkEvents events, Predicate<RtnetlinkEvent> want) throws Exception {
        RtnetlinkEvent[] found = new RtnetlinkEvent[1];
        Exception[] failure = new Exception[1];
        List<RtnetlinkEvent> seen = new ArrayList<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < end) {
                    RtnetlinkEvent e = events.next(Duration.ofSeconds(10));
                    if (e == null) return;
                    seen.add(e);
                    if (want.test(e)) { found[0] = e; return; }
                }
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        t.join(15_000);
        if (failure[0] != null) throw failure[0];
        assertNotNull(found[0], "no matching event; saw " + seen);
        return found[0];
    }

    @Test
    void withoutCapNetAdminTheKernelRefusesWithEperm() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"));
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp",
                location(Rtnetlink.class) + ":" + location(ChangeChild.class), ChangeChild.class.getName()));
        for (String[] action : new String[][] {{"addaddr", "eb", "10.40.0.1", "24"}, {"down", "eb"}}) {
            List<String> c = new ArrayList<>(cmd);
            c.addAll(List.of(action));
            String out = run(ns.inside(c.toArray(String[]::new)));
            assertTrue(out.startsWith("ERROR EPERM: RTM_"), out);
            assertTrue(out.contains("EPERM (Operation not permitted)"), out);
            assertTrue(out.contains("CAP_NET_ADMIN"), out);
        }
        // Nothing was applied: eb is still up and has no such address.
        Map<String, Object> eb = ip("addr", "show", "dev", "eb").get(0);
        assertTrue(((List<?>) eb.get("flags")).contains("UP"), eb.toString());
        assertFalse(eb.get("addr_info").toString().contains("10.40.0.1"), eb.toString());
    }

    private static String run(String[] command) throws Exception {
        Path out = Files.createTempFile("ffsock-nl", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("child timed out: " + Files.readString(out));
            }
            return Files.readString(out).trim();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
