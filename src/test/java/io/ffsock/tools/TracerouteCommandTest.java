package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ffsock traceroute} through hostA - router1 - router2 - hostB, over IPv4 and IPv6, against
 * Debian's traceroute run in the same namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracerouteCommandTest {
    private static final Pattern HOP = Pattern.compile("^(\\s?\\d+) (.*)$");
    private static final Pattern ADDRESS = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+|[0-9a-f]*:[0-9a-f:]*");
    private static final Pattern PROBE = Pattern.compile("(?: (\\d+\\.\\d+\\.\\d+\\.\\d+))?  \\d+\\.\\d{3} ms| \\*");
    private static final Pattern PROBE6 = Pattern.compile("(?: ([0-9a-f]*:[0-9a-f:]*))?  \\d+\\.\\d{3} ms(?: !\\S+)?| \\*");
    private static final Pattern TIME = Pattern.compile("  \\d+\\.\\d{3} ms");
    /** Router 1 refuses this prefix: "ip -6 route add prohibit", answered with unreachable code 1. */
    private static final String PROHIBITED6 = "fd98::1";

    private Topology net;
    private final List<CliProcess> started = new ArrayList<>();

    @BeforeAll
    void topology() throws Exception {
        String why = Netns.unavailableReason();
        assumeTrue(why == null, why);
        net = Topology.create("trace", 2);
        net.routers.get(0).ip("-6", "route", "add", "prohibit", "fd98::/16");
    }

    @AfterAll
    void removeTopology() throws Exception {
        if (net != null) net.close();
    }

    @AfterEach
    void killLeftovers() {
        started.forEach(CliProcess::close);
    }

    private CliProcess traceIn(Netns ns, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("traceroute"));
        all.addAll(List.of(args));
        CliProcess p = CliProcess.runWrapped(Topology.in(ns), all.toArray(String[]::new));
        started.add(p);
        return p;
    }

    /** Per hop line, the addresses in order of appearance (the address column). */
    private static List<List<String>> addressColumns(String output) {
        List<List<String>> hops = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("traceroute to ")) continue;
            Matcher h = HOP.matcher(line);
            assertTrue(h.matches(), "hop line: " + line);
            List<String> addrs = new ArrayList<>();
            for (String token : h.group(2).trim().split("\\s+")) {
                if (ADDRESS.matcher(token).matches()) addrs.add(token);
            }
            hops.add(addrs);
        }
        return hops;
    }

    /** The output with every round-trip time replaced: what two runs must have in common. */
    private static List<String> withoutTimes(String output) {
        return output.lines().map(l -> TIME.matcher(l).replaceAll("  T ms")).toList();
    }

    private static void assumeDebianTraceroute() {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/traceroute")) || Files.isExecutable(Path.of("/usr/bin/traceroute")),
                "Debian's traceroute is not installed");
    }

    /**
     * Debian's traceroute in A with the same probes as ffsock's {@code method}: its -I is ICMP echo;
     * its default method (no flag) is UDP to ports from 33434, like ffsock's -U (Debian's own -U
     * would use one fixed port, 53).
     */
    private String debian(String method, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("traceroute"));
        if (method.equals("-I")) cmd.add("-I");
        cmd.addAll(List.of(args));
        return net.a.run(cmd.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-I", "-U"})
    void sameHopsAsDebianTraceroute(String method) throws Exception {
        assumeDebianTraceroute();
        String b = net.addressB();
        // Debian's -I is ICMP echo; its default method (no flag) is UDP to ports from 33434, like our -U.
        String[] debian = method.equals("-I")
                ? new String[] {"traceroute", "-I", "-n", "-q", "3", "-w", "2", b}
                : new String[] {"traceroute", "-n", "-q", "3", "-w", "2", b};
        String theirs = net.a.run(debian);
        CliProcess ours = traceIn(net.a, method, "-n", "-w", "2", b);
        assertEquals(0, ours.awaitExit(), ours.describe("exit 0"));
        assertEquals("", ours.stderr());

        List<String> lines = List.of(ours.stdout().split("\n"));
        assertEquals("traceroute to " + b + " (" + b + "), 30 hops max, 60 byte packets", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            Matcher h = HOP.matcher(line);
            assertTrue(h.matches(), line);
            String rest = h.group(2);
            assertTrue(rest.replaceAll(PROBE.pattern(), "").isEmpty(), "probe columns of: " + line);
        }
        List<List<String>> expected = List.of(
                List.of(net.routerTowardsA(1)), List.of(net.routerTowardsA(2)), List.of(b));
        assertEquals(expected, addressColumns(ours.stdout()), ours.stdout());
        assertEquals(addressColumns(theirs), addressColumns(ours.stdout()), "Debian:\n" + theirs + "ours:\n" + ours.stdout());
        assertTrue(lines.get(1).matches(" 1  " + Pattern.quote(net.routerTowardsA(1)) + "(  \\d+\\.\\d{3} ms){3}"), lines.get(1));
    }

    @Test
    void firstHopAndQueries() throws Exception {
        CliProcess p = traceIn(net.a, "-n", "-f", "2", "-q", "1", net.addressB());
        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
        List<String> lines = List.of(p.stdout().split("\n"));
        assertEquals(3, lines.size(), p.stdout());
        assertTrue(lines.get(1).matches(" 2  " + Pattern.quote(net.routerTowardsA(2)) + "  \\d+\\.\\d{3} ms"), lines.get(1));
        assertTrue(lines.get(2).matches(" 3  " + Pattern.quote(net.addressB()) + "  \\d+\\.\\d{3} ms"), lines.get(2));
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6})
    void aSilentHopIsStarsAndMaxHopsStops(int family) throws Exception {
        // B ignores echo requests: hop 3 never answers; -m 4 bounds the run
        String ignore = family == 4 ? "net.ipv4.icmp_echo_ignore_all" : "net.ipv6.icmp.echo_ignore_all";
        String b = family == 4 ? net.addressB() : net.addressB6();
        String router2 = family == 4 ? net.routerTowardsA(2) : net.routerTowardsA6(2);
        net.b.sysctl(ignore, "1");
        try {
            CliProcess p = traceIn(net.a, "-I", "-n", "-m", "4", "-w", "0.5", "-q", "2", b);
            assertEquals(0, p.awaitExit(), p.describe("exit 0"));
            List<String> lines = List.of(p.stdout().split("\n"));
            assertEquals("traceroute to " + b + " (" + b + "), 4 hops max, " + (family == 4 ? 60 : 80) + " byte packets",
                    lines.get(0));
            assertTrue(lines.get(2).matches(" 2  " + Pattern.quote(router2) + "(  \\d+\\.\\d{3} ms){2}"), p.stdout());
            assertEquals(" 3  * *", lines.get(3));
            assertEquals(" 4  * *", lines.get(4));
            assertEquals(5, lines.size(), p.stdout());
        } finally {
            net.b.sysctl(ignore, "0");
        }
    }

    @Test
    void unreachableNetworkIsMarked() throws Exception {
        TracerouteTest.routerErrorBudgetRefilled();
        CliProcess p = traceIn(net.a, "-n", "-w", "1", "-q", "1", "10.99.0.1");
        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
        List<String> lines = List.of(p.stdout().split("\n"));
        // A's default route goes to router 1, which has no route to 10.99/16
        assertTrue(lines.get(1).matches(" 1  " + Pattern.quote(net.routerTowardsA(1)) + "  \\d+\\.\\d{3} ms !N"), p.stdout());
        assertEquals(2, lines.size(), p.stdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-I", "-U"})
    void sameLinesAsDebianTracerouteOverIpv6(String method) throws Exception {
        assumeDebianTraceroute();
        String b = net.addressB6();
        String theirs = debian(method, "-6", "-n", "-q", "3", "-w", "2", b);
        CliProcess ours = traceIn(net.a, method, "-6", "-n", "-w", "2", b);
        assertEquals(0, ours.awaitExit(), ours.describe("exit 0"));
        assertEquals("", ours.stderr());

        List<String> lines = List.of(ours.stdout().split("\n"));
        assertEquals("traceroute to " + b + " (" + b + "), 30 hops max, 80 byte packets", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            Matcher h = HOP.matcher(line);
            assertTrue(h.matches(), line);
            assertTrue(h.group(2).replaceAll(PROBE6.pattern(), "").isEmpty(), "probe columns of: " + line);
        }
        List<List<String>> expected = List.of(
                List.of(net.routerTowardsA6(1)), List.of(net.routerTowardsA6(2)), List.of(b));
        assertEquals(expected, addressColumns(ours.stdout()), ours.stdout());
        assertTrue(lines.get(1).matches(" 1  " + Pattern.quote(net.routerTowardsA6(1)) + "(  \\d+\\.\\d{3} ms){3}"), lines.get(1));
        // Line by line, times aside: hop numbers, addresses, stars and marks.
        assertEquals(withoutTimes(theirs), withoutTimes(ours.stdout()), "Debian:\n" + theirs + "ours:\n" + ours.stdout());
    }

    /** No route (!N) at router 1, a prohibit route (!X) there, and a neighbour that never answers (!H). */
    @ParameterizedTest
    @ValueSource(strings = {"-I", "-U"})
    void ipv6UnreachablesAreMarkedAsDebianMarksThem(String method) throws Exception {
        assumeDebianTraceroute();
        String missingNeighbour = Topology.net6(2) + "99"; // on B's link: router 2's neighbour discovery gives up
        for (String target : List.of("fd99::1", PROHIBITED6, missingNeighbour)) {
            String wait = target.equals(missingNeighbour) ? "5" : "1"; // the kernel tries for 3 s
            String theirs = debian(method, "-n", "-w", wait, "-q", "1", target);
            CliProcess ours = traceIn(net.a, method, "-n", "-w", wait, "-q", "1", target);
            assertEquals(0, ours.awaitExit(), ours.describe("exit 0"));
            assertEquals(withoutTimes(theirs), withoutTimes(ours.stdout()), "Debian:\n" + theirs + "ours:\n" + ours.stdout());
            String last = ours.stdout().lines().reduce((x, y) -> y).orElseThrow();
            String expected = target.equals("fd99::1") ? " 1  " + net.routerTowardsA6(1) + "  T ms !N"
                    : target.equals(PROHIBITED6) ? " 1  " + net.routerTowardsA6(1) + "  T ms !X"
                    : " 3  " + net.routerTowardsA6(2) + "  T ms !H";
            assertEquals(expected, TIME.matcher(last).replaceAll("  T ms"), ours.stdout());
        }
    }

    /** Without CAP_NET_RAW, -I falls back to a ping socket; its errors come from the error queue. */
    @ParameterizedTest
    @ValueSource(ints = {4, 6})
    void withoutPrivilegeAPingSocketTraces(int family) throws Exception {
        net.a.sysctl("net.ipv4.ping_group_range", "0 2147483647"); // also governs ICMPv6 ping sockets
        try {
            String b = family == 4 ? net.addressB() : net.addressB6();
            CliProcess p = CliProcess.runWrapped(
                    cmd -> {
                        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
                        all.addAll(cmd);
                        return List.of(net.a.inside(all.toArray(String[]::new)));
                    },
                    "traceroute", "-I", "-n", "-w", "2", "-q", "2", b);
            started.add(p);
            assertEquals(0, p.awaitExit(), p.describe("exit 0"));
            assertEquals("", p.stderr());
            List<List<String>> expected = family == 4
                    ? List.of(List.of(net.routerTowardsA(1)), List.of(net.routerTowardsA(2)), List.of(b))
                    : List.of(List.of(net.routerTowardsA6(1)), List.of(net.routerTowardsA6(2)), List.of(b));
            assertEquals(expected, addressColumns(p.stdout()), p.stdout());
            assertTrue(p.stdout().lines().skip(1).allMatch(l -> l.matches(" \\d  \\S+(  \\d+\\.\\d{3} ms){2}")), p.stdout());
        } finally {
            net.a.sysctl("net.ipv4.ping_group_range", "1 0");
        }
    }

    /**
     * Without -4/-6 the family follows the destination: an IPv6 literal, or a name that has only
     * an IPv6 address (given to A through {@code /etc/netns/NAME/hosts}, which {@code ip netns
     * exec} mounts over /etc/hosts).
     */
    @Test
    void familyFollowsTheDestination() throws Exception {
        assumeDebianTraceroute();
        Path dir = Path.of("/etc/netns", net.a.name());
        boolean madeNetnsDir = !Files.isDirectory(dir.getParent());
        Files.createDirectories(dir);
        try {
            Files.writeString(dir.resolve("hosts"), net.addressB6() + " b6.ffsock.test\n");
            for (String host : List.of(net.addressB6(), "b6.ffsock.test")) {
                String theirs = debian("-I", "-n", "-q", "1", "-w", "2", host);
                CliProcess ours = traceIn(net.a, "-n", "-q", "1", "-w", "2", host);
                assertEquals(0, ours.awaitExit(), ours.describe("exit 0"));
                assertEquals("traceroute to " + host + " (" + net.addressB6() + "), 30 hops max, 80 byte packets",
                        ours.stdout().lines().findFirst().orElseThrow());
                assertEquals(withoutTimes(theirs), withoutTimes(ours.stdout()), "Debian:\n" + theirs + "ours:\n" + ours.stdout());
            }
            CliProcess v4 = traceIn(net.a, "-4", "-n", "-q", "1", "b6.ffsock.test");
            assertEquals(2, v4.awaitExit());
            assertEquals("b6.ffsock.test: Address family for hostname not supported\n"
                    + "Cannot handle \"host\" cmdline arg `b6.ffsock.test' on position 1 (argc 5)\n", v4.stderr());
        } finally {
            Files.deleteIfExists(dir.resolve("hosts"));
            Files.deleteIfExists(dir);
            if (madeNetnsDir) Files.deleteIfExists(dir.getParent());
        }
    }

    /** Bad arguments: the same exit status and the same error lines as Debian's traceroute, run side by side. */
    @Test
    void errorsAndExitStatusAsDebianTraceroute() throws Exception {
        assumeDebianTraceroute();
        List<List<String>> cases = List.of(
                List.of("no-such-host.invalid"),
                List.of("-n", "-q", "1", "no-such-host.invalid"),
                List.of("-q", "zero", "127.0.0.1"),
                List.of("-w", "abc", "127.0.0.1"),
                List.of("-q", "11", "127.0.0.1"),
                List.of("-m", "256", "127.0.0.1"),
                List.of("-f", "5", "-m", "3", "127.0.0.1"),
                List.of("-Y", "127.0.0.1"),
                List.of("--foo", "127.0.0.1"),
                List.of("127.0.0.1", "60", "extra"),
                List.of("-6", "127.0.0.1"));
        for (List<String> args : cases) {
            Run theirs = debianRun(args);
            CliProcess ours = CliProcess.run(prepend("traceroute", args));
            started.add(ours);
            assertEquals(theirs.status, ours.awaitExit(), args + ": Debian said " + theirs.stderr + " ours " + ours.stderr());
            assertEquals(theirs.stderr, ours.stderr(), args.toString());
            assertEquals("", ours.stdout(), args.toString());
        }
    }

    /** A socket call that fails is exit status 1 with the call and errno, as Debian's traceroute. */
    @Test
    void socketFailuresAreStatus1AsDebianTraceroute() throws Exception {
        assumeDebianTraceroute();
        for (List<String> args : List.of(List.of("-i", "nosuchif0", "-q", "1", "127.0.0.1"),
                List.of("-s", "10.254.254.254", "-q", "1", "127.0.0.1"))) {
            Run theirs = debianRun(args);
            CliProcess ours = CliProcess.run(prepend("traceroute", args));
            started.add(ours);
            assertEquals(1, theirs.status, theirs.stderr);
            assertEquals(1, ours.awaitExit(), ours.describe("exit 1"));
            assertEquals(1, ours.stderr().lines().count(), ours.stderr());
            String call = args.get(0).equals("-i") ? "SO_BINDTODEVICE" : "bind";
            assertTrue(theirs.stderr.contains(call) && ours.stderr().contains(call), theirs.stderr + " / " + ours.stderr());
        }
    }

    /**
     * -I as nobody where ping sockets are refused too (ping_group_range "1 0"): status 1 and the
     * refused socket(2) call on one line, as Debian's traceroute run the same way.
     */
    @Test
    void noPrivilegeForIcmpIsStatus1AsDebianTraceroute() throws Exception {
        assumeDebianTraceroute();
        List<String> nobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        List<String> debian = new ArrayList<>(nobody);
        debian.addAll(List.of("traceroute", "-I", "-n", "-q", "1", "-w", "1", net.addressB()));
        Process d = new ProcessBuilder(net.a.inside(debian.toArray(String[]::new))).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String theirs = new String(d.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, d.waitFor(), theirs);
        assertTrue(theirs.contains("socket: Operation not permitted"), theirs);
        CliProcess ours = CliProcess.runWrapped(cmd -> {
            List<String> all = new ArrayList<>(nobody);
            all.addAll(cmd);
            return List.of(net.a.inside(all.toArray(String[]::new)));
        }, "traceroute", "-I", "-n", "-q", "1", "-w", "1", net.addressB());
        started.add(ours);
        assertEquals(1, ours.awaitExit(), ours.describe("exit 1"));
        assertEquals("", ours.stdout());
        assertEquals(1, ours.stderr().lines().count(), ours.stderr());
        assertTrue(ours.stderr().startsWith("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP): EPERM"), ours.stderr());
        assertTrue(ours.stderr().contains("CAP_NET_RAW"), ours.stderr());
    }

    /** No route at all (a namespace with only lo): the header, then status 1 and the refused send, as Debian's traceroute. */
    @ParameterizedTest
    @ValueSource(strings = {"-I", "-U"})
    void noRouteIsStatus1AsDebianTraceroute(String method) throws Exception {
        assumeDebianTraceroute();
        Netns lone = Netns.create("trnoroute");
        try {
            Process d = new ProcessBuilder(lone.inside(method.equals("-I") ? new String[] {"traceroute", "-I", "-n", "-q", "1", "10.99.0.1"}
                    : new String[] {"traceroute", "-n", "-q", "1", "10.99.0.1"})).start();
            String theirsOut = new String(d.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String theirsErr = new String(d.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(1, d.waitFor(), theirsErr);
            CliProcess ours = traceIn(lone, method, "-n", "-q", "1", "10.99.0.1");
            assertEquals(1, ours.awaitExit(), ours.describe("exit 1"));
            // Debian prints its header without the newline (each hop line starts with one), and
            // with -I not at all (it connects the raw socket first): ours always has it
            assertTrue(ours.stdout().startsWith(theirsOut.strip()), theirsOut + " / " + ours.stdout());
            assertTrue(theirsErr.contains("Network is unreachable") && ours.stderr().contains("Network is unreachable"),
                    theirsErr + " / " + ours.stderr());
            assertEquals(1, ours.stderr().lines().count(), ours.stderr());
        } finally {
            lone.close();
        }
    }

    @Test
    void helpAndVersion() throws Exception {
        CliProcess h = CliProcess.run("traceroute", "--help");
        started.add(h);
        assertEquals(0, h.awaitExit());
        assertTrue(h.stdout().startsWith("Usage: ffsock traceroute [OPTIONS] HOST"), h.stdout());
        assertTrue(h.stdout().contains("-4, --ipv4") && h.stdout().contains("-6, --ipv6"), h.stdout());
        for (String flag : List.of("-V", "--version")) {
            CliProcess v = CliProcess.run("traceroute", flag);
            started.add(v);
            assertEquals(0, v.awaitExit());
            assertTrue(v.stdout().matches("ffsock traceroute \\d+\\.\\d+\\.\\d+\\S*\n"), v.stdout());
        }
    }

    private record Run(int status, String stderr) {}

    private static Run debianRun(List<String> args) throws Exception {
        Process p = new ProcessBuilder(prepend("traceroute", args)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Run(p.waitFor(), err);
    }

    private static String[] prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all.toArray(String[]::new);
    }
}
