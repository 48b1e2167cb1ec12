package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.testing.Netns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ffsock ping -I} and {@code ffsock traceroute -i / -s} in namespaces: host H has two
 * interfaces, e1 to peer P1 and e2 (with two addresses) to peer P2; both peers own 10.61.9.9 and
 * fd61:9::9, and H routes there by e1 (metric 100) before e2 (metric 200). The peers answer with
 * different TTLs (P1 44, P2 33), so a reply's TTL says which one a probe reached; tcpdump on a
 * peer shows the source address the probes carry. The PING lines and errors are iputils ping's,
 * run the same way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SourceInterfaceCliTest {
    private static final String TARGET = "10.61.9.9";
    private static final String TARGET6 = "fd61:9::9";
    private Netns h;
    private Netns p1;
    private Netns p2;
    private final List<CliProcess> started = new ArrayList<>();
    private final List<Process> helpers = new ArrayList<>();

    @BeforeAll
    void topology() throws Exception {
        h = Netns.create("srch");
        p1 = Netns.create("srcp1");
        p2 = Netns.create("srcp2");
        for (Netns ns : List.of(h, p1, p2)) {
            ns.sysctl("net.ipv6.conf.default.accept_dad", "0");
            ns.sysctl("net.ipv6.conf.all.accept_dad", "0");
            ns.sysctl("net.ipv4.conf.all.rp_filter", "0");
            ns.sysctl("net.ipv4.conf.default.rp_filter", "0");
        }
        h.sysctl("net.ipv4.ping_group_range", "0 2147483647");
        Netns.veth(h, "e1", "10.61.1.1/24", p1, "p1", "10.61.1.2/24");
        Netns.veth(h, "e2", "10.61.2.1/24", p2, "p2", "10.61.2.2/24");
        h.ip("addr", "add", "10.61.2.5/24", "dev", "e2");
        h.ip("-6", "addr", "add", "fd61:1::1/64", "dev", "e1", "nodad");
        h.ip("-6", "addr", "add", "fd61:2::1/64", "dev", "e2", "nodad");
        p1.ip("-6", "addr", "add", "fd61:1::2/64", "dev", "p1", "nodad");
        p2.ip("-6", "addr", "add", "fd61:2::2/64", "dev", "p2", "nodad");
        int ttl = 44;
        for (Netns p : List.of(p1, p2)) {
            String dev = p == p1 ? "p1" : "p2";
            String net = p == p1 ? "1" : "2";
            p.ip("addr", "add", TARGET + "/32", "dev", "lo");
            p.ip("-6", "addr", "add", TARGET6 + "/128", "dev", "lo");
            p.ip("route", "add", "default", "via", "10.61." + net + ".1");
            p.ip("-6", "route", "add", "default", "via", "fd61:" + net + "::1");
            p.sysctl("net.ipv4.ip_default_ttl", Integer.toString(ttl));
            p.sysctl("net.ipv6.conf." + dev + ".hop_limit", Integer.toString(ttl));
            p.sysctl("net.ipv6.conf.lo.hop_limit", Integer.toString(ttl));
            ttl = 33;
        }
        h.ip("route", "add", TARGET + "/32", "via", "10.61.1.2", "metric", "100");
        h.ip("route", "add", TARGET + "/32", "via", "10.61.2.2", "metric", "200");
        h.ip("-6", "route", "add", TARGET6 + "/128", "via", "fd61:1::2", "metric", "100");
        h.ip("-6", "route", "add", TARGET6 + "/128", "via", "fd61:2::2", "metric", "200");
    }

    @AfterAll
    void removeNamespaces() throws Exception {
        for (Netns ns : new Netns[] {h, p1, p2}) if (ns != null) ns.close();
    }

    @AfterEach
    void killLeftovers() {
        started.forEach(CliProcess::close);
        helpers.forEach(Process::destroyForcibly);
    }

    private CliProcess ffsock(String... args) throws Exception {
        CliProcess p = CliProcess.runWrapped(Topology.in(h), args);
        started.add(p);
        return p;
    }

    /** iputils ping run in H: its stdout and stderr, and the exit status as the last line. */
    private String iputils(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ping"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(h.inside(cmd.toArray(String[]::new))).redirectErrorStream(true).start();
        helpers.add(p);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        return out + "exit " + p.exitValue();
    }

    private static String ttlOf(String pingOutput) {
        for (String line : pingOutput.split("\n")) {
            int at = line.indexOf(" ttl=");
            if (line.contains(" bytes from ") && at > 0) return line.substring(at + 5, line.indexOf(' ', at + 1));
        }
        return "none in:\n" + pingOutput;
    }

    @ParameterizedTest
    @ValueSource(strings = {"--raw", "--dgram"})
    void pingDashIAnInterfaceLeavesByItAndNamesItLikeIputils(String mode) throws Exception {
        CliProcess viaRoute = ffsock("ping", mode, "-c", "1", "-W", "5", TARGET);
        assertEquals(0, viaRoute.awaitExit(), viaRoute.describe("exit 0"));
        assertEquals("44", ttlOf(viaRoute.stdout()), "without -I: by e1 to P1");

        CliProcess e2 = ffsock("ping", mode, "-c", "1", "-W", "5", "-I", "e2", TARGET);
        assertEquals(0, e2.awaitExit(), e2.describe("exit 0"));
        assertEquals("33", ttlOf(e2.stdout()), "-I e2: by e2 to P2\n" + e2.stdout());
        String first = e2.stdout().lines().findFirst().orElseThrow();
        assertEquals("PING " + TARGET + " (" + TARGET + ") from 10.61.2.1 e2: 56(84) bytes of data.", first);
        String theirs = iputils("-c", "1", "-W", "5", "-I", "e2", TARGET);
        assertEquals(first, theirs.lines().findFirst().orElseThrow(), theirs);
        assertEquals("33", ttlOf(theirs), theirs);
        assertEquals("", e2.stderr());
    }

    @Test
    void pingDashIAnInterfaceOverIpv6() throws Exception {
        CliProcess e2 = ffsock("ping", "-6", "-c", "1", "-W", "5", "-I", "e2", TARGET6);
        assertEquals(0, e2.awaitExit(), e2.describe("exit 0"));
        assertEquals("33", ttlOf(e2.stdout()), e2.stdout());
        String first = e2.stdout().lines().findFirst().orElseThrow();
        assertEquals("PING " + TARGET6 + "(" + TARGET6 + ") from fd61:2::1 e2: 56 data bytes", first);
        String theirs = iputils("-6", "-c", "1", "-W", "5", "-I", "e2", TARGET6);
        assertEquals(first, theirs.lines().findFirst().orElseThrow(), theirs);
        CliProcess e1 = ffsock("ping", "-6", "-c", "1", "-W", "5", TARGET6);
        assertEquals("44", ttlOf(e1.stdout()), e1.stdout());
    }

    /** -I with e2's second address: no device binding, so the route's e1 carries it, from that address (tcpdump in P1). */
    @Test
    void pingDashIAnAddressSendsFromItByTheRoute(@TempDir Path dir) throws Exception {
        CliProcess[] ping = new CliProcess[1];
        List<String> seen = LinkCapture.capture(dir, p1, "p1", 1, "icmp[icmptype] == icmp-echo", helpers, () -> {
            ping[0] = ffsock("ping", "-c", "1", "-W", "5", "-I", "10.61.2.5", TARGET);
        }, List.of(), "ip.src", "ip.dst");
        assertEquals(List.of("10.61.2.5|" + TARGET), seen);
        assertEquals(0, ping[0].awaitExit(), ping[0].describe("exit 0"));
        assertEquals("44", ttlOf(ping[0].stdout()), ping[0].stdout());
        String first = ping[0].stdout().lines().findFirst().orElseThrow();
        assertEquals("PING " + TARGET + " (" + TARGET + ") from 10.61.2.5 : 56(84) bytes of data.", first);
        String theirs = iputils("-c", "1", "-W", "5", "-I", "10.61.2.5", TARGET);
        assertEquals(first, theirs.lines().findFirst().orElseThrow(), theirs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-I", "-U"})
    void tracerouteDashILeavesByTheInterface(String probe, @TempDir Path dir) throws Exception {
        String filter = probe.equals("-I") ? "icmp[icmptype] == icmp-echo" : "udp dst portrange 33434-33534";
        CliProcess[] trace = new CliProcess[1];
        List<String> seen = LinkCapture.capture(dir, p2, "p2", 1, filter, helpers, () -> {
            trace[0] = ffsock("traceroute", probe, "-n", "-q", "1", "-w", "3", "-i", "e2", TARGET);
        }, List.of(), "ip.src", "ip.dst");
        assertEquals(List.of("10.61.2.1|" + TARGET), seen);
        assertEquals(0, trace[0].awaitExit(), trace[0].describe("exit 0"));
        assertTrue(trace[0].stdout().lines().toList().get(1).matches(" 1  " + TARGET.replace(".", "\\.") + "  \\d+\\.\\d{3} ms"),
                trace[0].stdout());
    }

    @Test
    void tracerouteDashIOverIpv6AndDashSWithDashI(@TempDir Path dir) throws Exception {
        CliProcess[] trace = new CliProcess[1];
        List<String> seen = LinkCapture.capture(dir, p2, "p2", 1, "icmp6 and ip6[40] == 128", helpers, () -> {
            trace[0] = ffsock("traceroute", "-6", "-n", "-q", "1", "-w", "3", "-i", "e2", TARGET6);
        }, List.of(), "ipv6.src", "ipv6.dst");
        assertEquals(List.of("fd61:2::1|" + TARGET6), seen);
        assertEquals(0, trace[0].awaitExit(), trace[0].describe("exit 0"));
        // -s 10.61.2.5 -i e2: that address out of e2
        seen = LinkCapture.capture(dir.resolve("."), p2, "p2", 1, "icmp[icmptype] == icmp-echo", helpers, () -> {
            trace[0] = ffsock("traceroute", "-n", "-q", "1", "-w", "3", "-i", "e2", "-s", "10.61.2.5", TARGET);
        }, List.of(), "ip.src", "ip.dst");
        assertEquals(List.of("10.61.2.5|" + TARGET), seen);
    }

    /** -s alone: that address, by the route (e1, so P1 sees it). */
    @Test
    void tracerouteDashSSendsFromTheAddress(@TempDir Path dir) throws Exception {
        CliProcess[] trace = new CliProcess[1];
        List<String> seen = LinkCapture.capture(dir, p1, "p1", 1, "udp dst portrange 33434-33534", helpers, () -> {
            trace[0] = ffsock("traceroute", "-U", "-n", "-q", "1", "-w", "3", "-s", "10.61.2.5", TARGET);
        }, List.of(), "ip.src", "ip.dst");
        assertEquals(List.of("10.61.2.5|" + TARGET), seen);
        assertEquals(0, trace[0].awaitExit(), trace[0].describe("exit 0"));
    }

    @Test
    void errorsAreOneLineInIputilsWords() throws Exception {
        CliProcess noIf = ffsock("ping", "-c", "1", "-I", "nosuch0", TARGET);
        assertEquals(2, noIf.awaitExit(), noIf.describe("exit 2"));
        String theirs = iputils("-c", "1", "-I", "nosuch0", TARGET);
        assertEquals(theirs.lines().findFirst().orElseThrow() + "\n", noIf.stderr(), theirs);
        assertTrue(theirs.endsWith("exit 2"), theirs);
        CliProcess notLocal = ffsock("ping", "-c", "1", "-I", "10.61.7.7", TARGET);
        assertEquals(2, notLocal.awaitExit(), notLocal.describe("exit 2"));
        assertEquals("ping: bind: Cannot assign requested address (10.61.7.7 is not an address of this host)\n", notLocal.stderr());
        assertEquals("", notLocal.stdout());

        CliProcess traceNoIf = ffsock("traceroute", "-n", "-i", "nosuch0", TARGET);
        // Debian's traceroute: a socket call that fails is status 1, its line without a prefix
        assertEquals(1, traceNoIf.awaitExit(), traceNoIf.describe("exit 1"));
        assertEquals("SO_BINDTODEVICE nosuch0: No such device\n", traceNoIf.stderr());
        CliProcess traceNotLocal = ffsock("traceroute", "-n", "-s", "10.61.7.7", TARGET);
        assertEquals(1, traceNotLocal.awaitExit(), traceNotLocal.describe("exit 1"));
        assertEquals("bind: Cannot assign requested address (10.61.7.7 is not an address of this host)\n",
                traceNotLocal.stderr());
        CliProcess addressToI = ffsock("traceroute", "-n", "-i", "10.61.2.5", TARGET);
        assertEquals(2, addressToI.awaitExit(), addressToI.describe("exit 2"));
        assertTrue(addressToI.stderr().startsWith("-i takes an interface name, not '10.61.2.5'"),
                addressToI.stderr());
        CliProcess nameToS = ffsock("traceroute", "-n", "-s", "e2", TARGET);
        assertEquals(2, nameToS.awaitExit(), nameToS.describe("exit 2"));
        assertTrue(nameToS.stderr().startsWith("Cannot handle `-s' option with arg `e2'"), nameToS.stderr());
    }
}
