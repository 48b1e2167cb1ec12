package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.netlink.Json;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SourceSelection against iproute2 and iputils in a network namespace this test creates: sa with
 * two IPv4 and two IPv6 addresses (and a route that prefers the second IPv4 one), sb with the
 * default route, sc without any IPv4 address. The interface and source it picks equal
 * {@code ip -j route get DST [oif NAME]}; an address literal's interface is the one
 * {@code ip -j addr} lists it on; the errors use the words iputils ping prints for the same -I.
 */
@ExtendWith(FdLeakCheck.class)
class SourceSelectionTest {
    private static Netns ns;

    @BeforeAll
    static void topology() throws Exception {
        ns = Netns.create("srcsel");
        for (String l : List.of("sa", "sb", "sc")) {
            ns.ip("link", "add", l, "type", "veth", "peer", "name", l + "p");
            ns.ip("link", "set", l + "p", "up");
        }
        ns.ip("addr", "add", "10.3.0.1/24", "dev", "sa");
        ns.ip("addr", "add", "10.3.0.7/24", "dev", "sa");
        ns.ip("addr", "add", "fd03::1/64", "dev", "sa", "nodad");
        ns.ip("addr", "add", "fd03::7/64", "dev", "sa", "nodad");
        ns.ip("addr", "add", "10.4.0.1/24", "dev", "sb");
        ns.ip("addr", "add", "fd04::1/64", "dev", "sb", "nodad");
        for (String l : List.of("sa", "sb", "sc")) ns.ip("link", "set", l, "up");
        ns.ip("route", "add", "default", "via", "10.4.0.2");
        ns.ip("route", "add", "10.5.0.0/24", "dev", "sa", "src", "10.3.0.7");
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (ns != null) ns.close();
    }

    private static <T> T inside(Callable<T> body) throws Exception {
        return ns.call(body);
    }

    /** {@code ip -j route get DST [oif NAME]} as "dev src". */
    private static String ipRouteGet(String dst, String oif) throws Exception {
        List<String> args = new ArrayList<>(List.of("-j", "route", "get", dst));
        if (oif != null) args.addAll(List.of("oif", oif));
        Map<String, Object> j = Json.array(ns.ip(args.toArray(String[]::new))).get(0);
        return j.get("dev") + " " + InetAddress.getByName((String) j.get("prefsrc")).getHostAddress();
    }

    private static String show(SourceSelection s) {
        return s.interfaceName() + " " + s.source().getHostAddress();
    }

    @Test
    void anInterfaceGivesTheSourceTheKernelPrefersThereAsIpRouteGetOif() throws Exception {
        String[][] cases = {
            {"sa", "10.3.0.9"}, {"sa", "10.5.0.9"}, {"sa", "192.0.2.1"}, {"sb", "10.4.0.9"}, {"sb", "192.0.2.1"},
            {"sa", "fd03::9"}, {"sb", "fd04::9"}};
        for (String[] c : cases) {
            SourceSelection s = inside(() -> SourceSelection.resolve(c[0], InetAddress.getByName(c[1])));
            assertEquals(ipRouteGet(c[1], c[0]), show(s), c[0] + " -> " + c[1]);
            int index = ((Long) Json.array(ns.ip("-j", "link", "show", c[0])).get(0).get("ifindex")).intValue();
            assertEquals(index, s.interfaceIndex(), c[0]);
        }
        // The interface with two IPv4 addresses: the primary in general, the route's src where a route says so.
        SourceSelection general = inside(() -> SourceSelection.resolve("sa", InetAddress.getByName("10.3.0.9")));
        SourceSelection routed = inside(() -> SourceSelection.resolve("sa", InetAddress.getByName("10.5.0.9")));
        assertEquals("10.3.0.1", general.source().getHostAddress());
        assertEquals("10.3.0.7", routed.source().getHostAddress());
        // -I sa for a destination whose route leaves by sb: sa all the same, as SO_BINDTODEVICE makes it.
        assertEquals("sa 10.3.0.1", show(inside(() -> SourceSelection.resolve("sa", InetAddress.getByName("192.0.2.1")))));
    }

    @Test
    void noInterfaceGivesTheRouteOfIpRouteGet() throws Exception {
        for (String dst : List.of("10.3.0.9", "10.5.0.9", "192.0.2.1", "10.4.0.9", "fd03::9", "fd04::9", "10.3.0.7")) {
            SourceSelection s = inside(() -> SourceSelection.forDestination(InetAddress.getByName(dst)));
            assertEquals(ipRouteGet(dst, null), show(s), dst);
        }
        assertEquals("sb 10.4.0.1", show(inside(() -> SourceSelection.forDestination(InetAddress.getByName("192.0.2.1")))));
    }

    @Test
    void anAddressGivesItselfAndTheInterfaceIpAddrListsItOn() throws Exception {
        for (String[] c : new String[][] {{"10.3.0.7", "10.4.0.9"}, {"10.3.0.1", "192.0.2.1"}, {"10.4.0.1", "10.3.0.9"},
            {"fd03::7", "fd03::9"}, {"fd04:0:0::1", "fd03::9"}}) {
            assertTrue(SourceSelection.isAddress(c[0]), c[0]);
            SourceSelection s = inside(() -> SourceSelection.resolve(c[0], InetAddress.getByName(c[1])));
            String holder = null;
            for (Map<String, Object> link : Json.array(ns.ip("-j", "addr", "show"))) {
                for (Object o : (List<?>) link.get("addr_info")) {
                    String local = (String) ((Map<?, ?>) o).get("local");
                    if (InetAddress.getByName(local).equals(InetAddress.getByName(c[0]))) holder = (String) link.get("ifname");
                }
            }
            assertEquals(holder + " " + InetAddress.getByName(c[0]).getHostAddress(), show(s), c[0]);
        }
        assertTrue(!SourceSelection.isAddress("sa") && !SourceSelection.isAddress("eth0.10") && !SourceSelection.isAddress("br-1"));
    }

    private static String error(String arg, String dst) {
        NetSupport.ToolException e = assertThrows(NetSupport.ToolException.class, () -> inside(() -> arg == null
                ? SourceSelection.forDestination(InetAddress.getByName(dst))
                : SourceSelection.resolve(arg, InetAddress.getByName(dst))));
        return e.getMessage();
    }

    /** The first line iputils ping prints on stderr for {@code ping -c1 -W1 args}, without "ping: "; it must fail (exit 2). */
    private static String iputils(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ping", "-c1", "-W1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(ns.inside(cmd.toArray(String[]::new))).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), err);
        String first = err.lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("ping: "), first);
        return first.substring("ping: ".length());
    }

    @Test
    void errorsSayWhatIputilsPingSays() throws Exception {
        assertEquals(iputils("-I", "nosuch0", "10.3.0.9"), error("nosuch0", "10.3.0.9"));
        assertEquals("SO_BINDTODEVICE nosuch0: No such device", error("nosuch0", "10.3.0.9"));
        assertEquals(iputils("-6", "-I", "nosuch0", "fd03::9"), error("nosuch0", "fd03::9"));
        assertEquals("unknown iface: nosuch0", error("nosuch0", "fd03::9"));
        String tooLong = error("sixteen-bytes-xx", "10.3.0.9");
        assertTrue(tooLong.startsWith(iputils("-I", "sixteen-bytes-xx", "10.3.0.9") + " ("), tooLong);
        assertEquals("SO_BINDTODEVICE sixteen-bytes-xx: No such device (an interface name has at most 15 bytes, this has 16)", tooLong);
        String notLocal = error("10.9.9.9", "10.3.0.9");
        assertTrue(notLocal.startsWith(iputils("-I", "10.9.9.9", "10.3.0.9") + " ("), notLocal);
        assertEquals("bind: Cannot assign requested address (10.9.9.9 is not an address of this host)", notLocal);
        assertEquals("bind: Cannot assign requested address (fd03::9 is not an address of this host)", error("fd03::9", "fd03::1"));
        String unreachable = error(null, "fd99::1");
        assertTrue(unreachable.startsWith(iputils("-6", "fd99::1") + " ("), unreachable);
        assertTrue(unreachable.startsWith("connect: Network is unreachable (RTM_GETROUTE(fd99:"), unreachable);
        assertThrows(IOException.class, () -> ns.ip("-j", "route", "get", "fd99::1"));
        // sc has no IPv4 address (iputils only warns, then sends from another interface's address).
        assertEquals("connect: Network is unreachable (sc has no IPv4 address)", error("sc", "10.3.0.9"));
        String v6 = error("sb", "fd03::9");
        assertTrue(v6.startsWith(iputils("-6", "-I", "sb", "fd99::1") + " (no route to fd03::9 through sb"), v6);
        assertEquals("bind: Address family not supported by protocol (fd03::1 is IPv6, 10.3.0.9 is IPv4)", error("fd03::1", "10.3.0.9"));
        assertNotEquals(error("nosuch0", "10.3.0.9"), error("nosuch0", "fd03::9"));
    }
}
