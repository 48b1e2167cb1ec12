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

/** {@code ffsock traceroute} through hostA - router1 - router2 - hostB, against Debian's traceroute. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracerouteCommandTest {
    private static final Pattern HOP = Pattern.compile("^(\\s?\\d+) (.*)$");
    private static final Pattern ADDRESS = Pattern.compile("\\b\\d+\\.\\d+\\.\\d+\\.\\d+\\b");
    private static final Pattern PROBE = Pattern.compile("(?: (\\d+\\.\\d+\\.\\d+\\.\\d+))?  \\d+\\.\\d{3} ms| \\*");

    private Topology net;
    private final List<CliProcess> started = new ArrayList<>();

    @BeforeAll
    void topology() throws Exception {
        String why = Netns.unavailableReason();
        assumeTrue(why == null, why);
        net = Topology.create("trace", 2);
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
            Matcher a = ADDRESS.matcher(h.group(2));
            while (a.find()) addrs.add(a.group());
            hops.add(addrs);
        }
        return hops;
    }

    @ParameterizedTest
    @ValueSource(strings = {"-I", "-U"})
    void sameHopsAsDebianTraceroute(String method) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/traceroute")) || Files.isExecutable(Path.of("/usr/bin/traceroute")),
                "Debian's traceroute is not installed");
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

    @Test
    void aSilentHopIsStarsAndMaxHopsStops() throws Exception {
        // B ignores echo requests: hop 3 never answers; -m 4 bounds the run
        net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "1");
        try {
            CliProcess p = traceIn(net.a, "-I", "-n", "-m", "4", "-w", "0.5", "-q", "2", net.addressB());
            assertEquals(0, p.awaitExit(), p.describe("exit 0"));
            List<String> lines = List.of(p.stdout().split("\n"));
            assertEquals("traceroute to " + net.addressB() + " (" + net.addressB() + "), 4 hops max, 60 byte packets", lines.get(0));
            assertEquals(" 3  * *", lines.get(3));
            assertEquals(" 4  * *", lines.get(4));
            assertEquals(5, lines.size(), p.stdout());
        } finally {
            net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "0");
        }
    }

    @Test
    void unreachableNetworkIsMarked() throws Exception {
        CliProcess p = traceIn(net.a, "-n", "-w", "1", "-q", "1", "10.99.0.1");
        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
        List<String> lines = List.of(p.stdout().split("\n"));
        // A's default route goes to router 1, which has no route to 10.99/16
        assertTrue(lines.get(1).matches(" 1  " + Pattern.quote(net.routerTowardsA(1)) + "  \\d+\\.\\d{3} ms !N"), p.stdout());
        assertEquals(2, lines.size(), p.stdout());
    }

    @Test
    void errorsAndHelp() throws Exception {
        CliProcess u = CliProcess.run("traceroute", "no-such-host.invalid");
        started.add(u);
        assertEquals(2, u.awaitExit());
        assertEquals("ffsock traceroute: no-such-host.invalid: Name or service not known\n", u.stderr());
        CliProcess x = CliProcess.run("traceroute", "-I", "-U", "127.0.0.1");
        started.add(x);
        assertEquals(2, x.awaitExit());
        assertEquals("ffsock traceroute: -I and -U exclude each other (try 'ffsock traceroute --help')\n", x.stderr());
        CliProcess h = CliProcess.run("traceroute", "--help");
        started.add(h);
        assertEquals(0, h.awaitExit());
        assertTrue(h.stdout().startsWith("Usage: ffsock traceroute [OPTIONS] HOST"), h.stdout());
    }
}
