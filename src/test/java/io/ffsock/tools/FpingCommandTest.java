package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code ffsock fping} against Debian's fping 5.1 on the same targets in the same run: host A -
 * router - host B (the {@link Topology}), with {@link PingerTest#sweepNet}'s 10.150.0.0/24 where B
 * owns a known subset and 10.151.0.0/24 rejected by the router. Outputs are compared by their
 * structure (names, counts, which requests were lost), never by RTT values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FpingCommandTest {
    private static final Pattern VCOUNT = Pattern.compile("(\\S+)\\s+:((?: (?:\\d+(?:\\.\\d+)?|-))*)");
    private static final Pattern SUMMARY = Pattern.compile(
            "(\\S+)\\s+: xmt/rcv/%loss = (\\d+)/(\\d+)/(\\d+)%(, min/avg/max = [\\d.]+/[\\d.]+/[\\d.]+)?");
    private static final Pattern PER_REPLY = Pattern.compile(
            "(\\S+)\\s+: \\[(\\d+)\\], (?:(\\d+) bytes, [\\d.]+ ms \\([\\d.]+ avg, (\\d+)% loss\\)|timed out \\((?:[\\d.]+|NaN) avg, (\\d+)% loss\\))");

    private Topology net;
    private final List<CliProcess> started = new ArrayList<>();

    @BeforeAll
    void topology() throws Exception {
        String why = Netns.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(LinkCapture.installed("fping"), "Debian's fping is not installed (run-tests installs it)");
        net = Topology.create("fpg", 1);
        PingerTest.sweepNet(net);
        net.a.sysctl("net.ipv4.ping_group_range", "0 2147483647");
    }

    @AfterAll
    void removeTopology() throws Exception {
        if (net != null) net.close();
    }

    @AfterEach
    void killLeftovers() {
        started.forEach(CliProcess::close);
    }

    /** Debian's fping in host A. */
    private PingerTest.Run fping(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("fping"));
        cmd.addAll(List.of(args));
        return PingerTest.exec(net.a, cmd.toArray(String[]::new));
    }

    /** {@code ffsock fping} in host A, as a process. */
    private PingerTest.Run ours(String... args) throws Exception {
        return oursWrapped(Topology.in(net.a), args);
    }

    private PingerTest.Run oursWrapped(java.util.function.UnaryOperator<List<String>> wrap, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("fping"));
        all.addAll(List.of(args));
        CliProcess p = CliProcess.runWrapped(wrap, all.toArray(String[]::new));
        started.add(p);
        return new PingerTest.Run(p.awaitExit(), p.stdout(), p.stderr());
    }

    private static Set<String> lines(String text) {
        return new TreeSet<>(text.lines().filter(l -> !l.isBlank()).toList());
    }

    /** fping's error lines with the program name taken off ("fping: " / "ffsock fping: "). */
    private static List<String> errors(String stderr) {
        return stderr.lines().map(l -> l.replaceFirst("^(ffsock )?fping: ", "")).toList();
    }

    @Test
    void aSweepFindsTheSameAliveAndUnreachableSetsAsFping() throws Exception {
        String[] alive = {"-a", "-r", "1", "-t", "300", "-i", "1", "-g", "10.150.0.0/24"};
        PingerTest.Run theirs = fping(alive);
        PingerTest.Run mine = ours(alive);
        assertEquals(PingerTest.expectedAlive(), lines(theirs.out()), "fping's view: " + theirs);
        assertEquals(lines(theirs.out()), lines(mine.out()), "ffsock fping, same targets: " + mine);
        assertEquals(1, theirs.exit());
        assertEquals(theirs.exit(), mine.exit(), mine.toString());

        String[] unreachable = {"-u", "-r", "1", "-t", "300", "-i", "1", "-g", "10.150.0.1", "10.150.0.20"};
        PingerTest.Run theirsU = fping(unreachable);
        PingerTest.Run mineU = ours(unreachable);
        Set<String> expected = new TreeSet<>();
        for (int i = 1; i <= 20; i++) if (!PingerTest.ALIVE.contains(i)) expected.add("10.150.0." + i);
        assertEquals(expected, lines(theirsU.out()), theirsU.toString());
        assertEquals(lines(theirsU.out()), lines(mineU.out()), mineU.toString());
        assertEquals(theirsU.exit(), mineU.exit());
        assertEquals("", mineU.err());

        // Default output: "X is alive" / "X is unreachable", every target once; exit 0 when all answer.
        String[] plain = {"-r", "0", "-t", "300", "10.150.0.1", "10.150.0.4", net.addressB(), net.addressB6()};
        PingerTest.Run theirsP = fping(plain);
        PingerTest.Run mineP = ours(plain);
        assertEquals(lines(theirsP.out()), lines(mineP.out()), "fping said " + theirsP + "\nours " + mineP);
        assertTrue(mineP.out().contains(net.addressB6() + " is alive\n"), mineP.out());
        assertEquals(theirsP.exit(), mineP.exit());
        PingerTest.Run all = ours("10.150.0.1", net.addressB6());
        assertEquals(0, all.exit(), all.toString());
    }

    @Test
    void vcountAndCountOutputHaveFpingsStructure() throws Exception {
        String[] targets = {"10.150.0.1", "10.150.0.4", net.addressB6(), "10.150.0.7"};
        List<String> args = new ArrayList<>(List.of("-C", "3", "-p", "30", "-t", "300"));
        args.addAll(List.of(targets));
        PingerTest.Run theirs = fping(args.toArray(String[]::new));
        PingerTest.Run mine = ours(args.toArray(String[]::new));
        assertEquals(1, theirs.exit());
        assertEquals(theirs.exit(), mine.exit());
        assertEquals(vcount(theirs.err()), vcount(mine.err()), "fping:\n" + theirs.err() + "ours:\n" + mine.err());
        assertEquals(List.of("3", "0", "3", "3"), List.copyOf(vcount(mine.err()).values()));
        // per-request lines on stdout: the same (target, index, answered) triples
        assertEquals(perReply(theirs.out()), perReply(mine.out()), "fping:\n" + theirs.out() + "ours:\n" + mine.out());
        // both start the summary with an empty line and pad the names to the longest
        assertTrue(mine.err().startsWith("\n"), mine.err());
        assertTrue(mine.err().contains("\n10.150.0.1" + " ".repeat(net.addressB6().length() - 10) + " : "), mine.err());

        List<String> quiet = new ArrayList<>(List.of("-q", "-c", "3", "-p", "30", "-t", "300"));
        quiet.addAll(List.of(targets));
        PingerTest.Run theirsQ = fping(quiet.toArray(String[]::new));
        PingerTest.Run mineQ = ours(quiet.toArray(String[]::new));
        assertEquals("", mineQ.out());
        assertEquals(theirsQ.out(), mineQ.out());
        assertEquals(summary(theirsQ.err()), summary(mineQ.err()), "fping:\n" + theirsQ.err() + "ours:\n" + mineQ.err());
        assertEquals(Map.of("10.150.0.1", "3/3/0%+rtt", "10.150.0.4", "3/0/100%", net.addressB6(), "3/3/0%+rtt",
                "10.150.0.7", "3/3/0%+rtt"), summary(mineQ.err()));
        assertEquals(theirsQ.exit(), mineQ.exit());
    }

    /** -C's summary: target -> "answered count" as "N" and the positions of "-" in it. */
    private static Map<String, String> vcount(String stderr) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : stderr.lines().filter(l -> !l.isBlank()).toList()) {
            Matcher x = VCOUNT.matcher(l);
            assertTrue(x.matches(), "a -C line: '" + l + "'");
            String[] values = x.group(2).trim().split(" ");
            long answered = List.of(values).stream().filter(v -> !v.equals("-") && !v.isEmpty()).count();
            assertEquals(3, values.length, l);
            m.put(x.group(1), Long.toString(answered));
        }
        return m;
    }

    /** -c's summary: target -> "xmt/rcv/loss%" and "+rtt" when min/avg/max follow. */
    private static Map<String, String> summary(String stderr) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : stderr.lines().filter(l -> !l.isBlank()).toList()) {
            Matcher x = SUMMARY.matcher(l);
            assertTrue(x.matches(), "a -c summary line: '" + l + "'");
            m.put(x.group(1), x.group(2) + "/" + x.group(3) + "/" + x.group(4) + "%" + (x.group(5) != null ? "+rtt" : ""));
        }
        return m;
    }

    /** Per-request lines of -c/-C: "target [index] bytes" or "target [index] timed out". */
    private static Set<String> perReply(String stdout) {
        Set<String> s = new TreeSet<>();
        for (String l : stdout.lines().toList()) {
            Matcher x = PER_REPLY.matcher(l);
            assertTrue(x.matches(), "a per-request line: '" + l + "'");
            s.add(x.group(1) + " [" + x.group(2) + "] " + (x.group(3) != null ? x.group(3) + " bytes" : "timed out"));
        }
        return s;
    }

    @Test
    void statsSummaryCountsLikeFping() throws Exception {
        String[] args = {"-s", "-q", "-r", "1", "-t", "300", "10.150.0.1", "10.150.0.4", "10.151.0.9", "no-such-host.invalid",
                "10.150.0.2"};
        PingerTest.Run theirs = fping(args);
        PingerTest.Run mine = ours(args);
        assertEquals(2, theirs.exit(), "an unknown name wins: " + theirs);
        assertEquals(theirs.exit(), mine.exit(), mine.toString());
        Map<String, Long> t = stats(theirs.err());
        Map<String, Long> o = stats(mine.err());
        for (String field : List.of("targets", "alive", "unreachable", "unknown addresses", "timeouts (waiting for response)",
                "ICMP Echos sent", "ICMP Echo Replies received")) {
            assertEquals(t.get(field), o.get(field), field + "\nfping:\n" + theirs.err() + "ours:\n" + mine.err());
        }
        assertEquals(Map.of("targets", 4L, "alive", 2L, "unreachable", 2L, "unknown addresses", 1L), Map.of("targets", o.get("targets"),
                "alive", o.get("alive"), "unreachable", o.get("unreachable"), "unknown addresses", o.get("unknown addresses")));
        assertEquals(6L, o.get("ICMP Echos sent"), "2 answered at once, 2 x 2 attempts: " + mine.err());
        // The router's "prohibited" errors (one per attempt at most: the router sometimes sends none)
        assertTrue(o.get("other ICMP received") <= 2 && t.get("other ICMP received") <= 2, mine.err());
        for (String rtt : List.of("min", "avg", "max")) {
            assertTrue(mine.err().lines().anyMatch(l -> l.matches(" [\\d.]+ ms \\(" + rtt + " round trip time\\)")), mine.err());
        }
        assertTrue(mine.err().lines().anyMatch(l -> l.matches(" +\\d+\\.\\d{3} sec \\(elapsed real time\\)")), mine.err());
        assertEquals(stats(theirs.err()).keySet(), o.keySet());
    }

    private static Map<String, Long> stats(String stderr) {
        Map<String, Long> m = new LinkedHashMap<>();
        Pattern p = Pattern.compile(" +(\\d+) (.+)");
        for (String l : stderr.lines().toList()) {
            Matcher x = p.matcher(l);
            if (x.matches() && !l.contains(" ms (") && !l.contains(" sec (")) m.put(x.group(2), Long.parseLong(x.group(1)));
        }
        return m;
    }

    @Test
    void unknownHostsAreReportedAndTheRestIsPinged() throws Exception {
        PingerTest.Run theirs = fping("-t", "300", "no-such-host.invalid", "10.150.0.3");
        PingerTest.Run mine = ours("-t", "300", "no-such-host.invalid", "10.150.0.3");
        assertEquals(2, theirs.exit());
        assertEquals(2, mine.exit());
        assertEquals("10.150.0.3 is alive\n", mine.out());
        assertEquals(theirs.out(), mine.out());
        assertTrue(mine.err().startsWith("no-such-host.invalid: "), mine.err());
        assertTrue(theirs.err().startsWith("no-such-host.invalid: "), theirs.err());
        // -q hides the warning, as fping's; only unknown names: exit 2 at once
        PingerTest.Run q = ours("-q", "no-such-host.invalid");
        assertEquals(new PingerTest.Run(2, "", ""), q);
        assertEquals(new PingerTest.Run(2, "", ""), fping("-q", "no-such-host.invalid"));
    }

    @Test
    void targetsFromAFileAndFromStdin() throws Exception {
        Path file = Files.createTempFile("ffsock-fping", ".txt");
        try {
            Files.writeString(file, "# the sweep's first hosts\n10.150.0.1\n\n   10.150.0.2   trailing words\n10.150.0.4\n#10.150.0.3\n"
                    + net.addressB6() + "\n");
            PingerTest.Run theirs = fping("-a", "-r", "0", "-t", "300", "-f", file.toString());
            PingerTest.Run mine = ours("-a", "-r", "0", "-t", "300", "-f", file.toString());
            assertEquals(Set.of("10.150.0.1", "10.150.0.2", net.addressB6()), lines(theirs.out()));
            assertEquals(lines(theirs.out()), lines(mine.out()));
            assertEquals(theirs.exit(), mine.exit());

            CliProcess p = CliProcess.startWrapped(Topology.in(net.a), "fping", "-u", "-r", "0", "-t", "300", "-f", "-");
            started.add(p);
            p.write(Files.readString(file));
            p.closeStdin();
            assertEquals(1, p.awaitExit(), p.describe("exit 1"));
            assertEquals("10.150.0.4\n", p.stdout());

            // A garbage line: nothing sent, the line number named, fping's status for bad input.
            Files.writeString(file, "10.150.0.1\n# ok\n10.150.0.300\n10.150.0.2\n");
            PingerTest.Run garbage = ours("-s", "-f", file.toString());
            assertEquals(1, garbage.exit());
            assertEquals("", garbage.out());
            assertEquals("ffsock fping: " + file + ":3: not a host name or address: '10.150.0.300' (nothing was sent)\n", garbage.err());
            Files.write(file, new byte[] {'1', '0', '.', '1', '5', '0', '.', '0', '.', '1', '\n', '@', (byte) 0xff, '\n'});
            PingerTest.Run binary = ours("-f", file.toString());
            assertEquals(1, binary.exit());
            assertTrue(binary.err().contains(file + ":2: not a host name or address: '@\\xff'"), binary.err());

            PingerTest.Run missing = ours("-f", file + ".missing");
            PingerTest.Run missingTheirs = fping("-f", file + ".missing");
            assertEquals(4, missingTheirs.exit());
            assertEquals(4, missing.exit());
            assertTrue(missing.err().contains("No such file or directory") && missingTheirs.err().contains("No such file or directory"),
                    missing.err());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Bad input that both refuse: the same status (fping 5.1 exits 1, whatever its manual says) and message. */
    @Test
    void badInputIsRefusedLikeFping() throws Exception {
        String t = net.addressB();
        List<List<String>> sameMessage = List.of(
                List.of("-H", "256", t), List.of("-4", "-6", t), List.of("-a", "-u", t), List.of("-g", "10.0.0.0/33"),
                List.of("-g", "10.0.0.0/0"), List.of("-g", "::1/120"), List.of("-B", "6", t), List.of("-B", "0.5", t),
                List.of("-Z", t), List.of(t, "-c"), List.of("--bogus", t), List.of("-S", "foo", t));
        for (List<String> args : sameMessage) {
            PingerTest.Run theirs = fping(args.toArray(String[]::new));
            PingerTest.Run mine = ours(args.toArray(String[]::new));
            assertEquals(1, theirs.exit(), args + ": " + theirs);
            assertEquals(1, mine.exit(), args + ": " + mine);
            assertEquals(errors(theirs.err()).stream().map(l -> l.replace("'fping -h'", "'ffsock fping -h'")).toList(),
                    errors(mine.err()), args.toString());
            assertEquals("", mine.out());
        }
        // Refused by both (fping prints its whole usage for some): the same status, and ours says why in one line.
        Map<List<String>, String> ownMessage = new LinkedHashMap<>();
        ownMessage.put(List.of("-b", "65508", t), "data size 65508 not valid, must be lower than 65508");
        ownMessage.put(List.of("-b", "-1", t), "data size -1 not valid, must be lower than 65508");
        ownMessage.put(List.of("-H", "0", t), "ttl 0 out of range");
        ownMessage.put(List.of("-c", "0", t), "invalid value '0' for -c: a whole number from 1");
        ownMessage.put(List.of("-t", "abc", t), "invalid value 'abc' for -t: milliseconds from 0, e.g. 500");
        ownMessage.put(List.of("-O", "x", t), "invalid value 'x' for -O: a number, decimal or 0x hex");
        ownMessage.put(List.of("-g", "10.0.0.1", "10.2.0.0"), "-g parameter generates too many addresses (131072 targets; at most 100001 from START to END)");
        ownMessage.put(List.of("-g", "foo/24"), "can't parse address foo: Name or service not known");
        for (Map.Entry<List<String>, String> e : ownMessage.entrySet()) {
            PingerTest.Run theirs = fping(e.getKey().toArray(String[]::new));
            PingerTest.Run mine = ours(e.getKey().toArray(String[]::new));
            assertEquals(1, theirs.exit(), e.getKey() + ": " + theirs);
            assertEquals(1, mine.exit(), e.getKey() + ": " + mine);
            assertEquals("ffsock fping: " + e.getValue(), errors(mine.err()).isEmpty() ? "" : mine.err().lines().findFirst().orElseThrow(),
                    e.getKey().toString());
        }
        // A source address that is not ours: bind(2) fails, a system call failure (4) for both.
        PingerTest.Run theirsS = fping("-S", "10.99.0.1", t);
        PingerTest.Run mineS = ours("-S", "10.99.0.1", t);
        assertEquals(4, theirsS.exit(), theirsS.toString());
        assertEquals(4, mineS.exit(), mineS.toString());
        assertTrue(theirsS.err().contains("Cannot assign requested address") && mineS.err().contains("Cannot assign requested address"),
                mineS.err());
        // A missing interface: both 1, both say No such device.
        PingerTest.Run theirs = fping("-I", "nosuchif0", t);
        PingerTest.Run mine = ours("-I", "nosuchif0", t);
        assertEquals(1, theirs.exit());
        assertEquals(1, mine.exit(), mine.toString());
        assertTrue(theirs.err().contains("No such device") && mine.err().contains("No such device"), mine.err());
    }

    @Test
    void aCidrWiderThanSlash8IsRefusedWithItsSize() throws Exception {
        // Never run Debian's fping with this: 5.1 does not refuse it and sweeps 33 million addresses.
        PingerTest.Run mine = ours("-g", "10.0.0.0/7");
        assertEquals(new PingerTest.Run(1, "",
                "ffsock fping: -g 10.0.0.0/7 would be 33554430 targets; at most a /8 (16777214 targets) is allowed\n"), mine);
        PingerTest.Run one = ours("-g", "1.2.3.4/1");
        assertTrue(one.err().contains("would be 2147483646 targets"), one.err());
    }

    @Test
    void broadcastAndMulticastTargetsAreRefusedBeforeAnythingIsSent() throws Exception {
        // fping sends (EACCES for a broadcast without SO_BROADCAST; no answer from the group) and counts them unreachable.
        String[] args = {"-u", "-s", "-r", "0", "-t", "300", "10.100.0.255", "224.0.0.1", "255.255.255.255", "10.150.0.1"};
        PingerTest.Run theirs = fping(args);
        PingerTest.Run mine = ours(args);
        assertEquals(1, theirs.exit(), theirs.toString());
        assertEquals(theirs.exit(), mine.exit(), mine.toString());
        assertEquals(lines(theirs.out()), lines(mine.out()));
        assertEquals(Set.of("10.100.0.255", "224.0.0.1", "255.255.255.255"), lines(mine.out()));
        assertTrue(mine.err().startsWith("10.100.0.255: not pinged: the broadcast address of r0\n224.0.0.1: not pinged: a multicast address\n"
                + "255.255.255.255: not pinged: the limited broadcast address\n"), mine.err());
        assertEquals(1L, stats(mine.err()).get("ICMP Echos sent"), "only 10.150.0.1 was pinged: " + mine.err());
    }

    @Test
    void intervalsBelowFpingsSafeLimitsAreRefusedForOtherUsers() throws Exception {
        java.util.function.UnaryOperator<List<String>> nobody = cmd -> {
            List<String> c = new ArrayList<>(List.of(net.a.inside("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")));
            c.addAll(cmd);
            return c;
        };
        String tooRisky = "ffsock fping: these options are too risky for mere mortals.\nffsock fping: You need -i >= 1 and -p >= 10\n";
        assertEquals(new PingerTest.Run(1, "", tooRisky), oursWrapped(nobody, "-i", "0.5", "10.150.0.1"));
        assertEquals(new PingerTest.Run(1, "", tooRisky), oursWrapped(nobody, "-c", "1", "-p", "9", "10.150.0.1"));
        // at the limits, a user without privilege pings through the ping socket
        assertEquals(new PingerTest.Run(0, "10.150.0.1 is alive\n", ""), oursWrapped(nobody, "-i", "1", "-p", "10", "10.150.0.1"));
        // root may go below (Debian's fping is built without the limits and lets everyone)
        assertEquals(0, ours("-i", "0", "-c", "2", "-p", "1", "-t", "1000", "-q", "10.150.0.1").exit());
    }

    @Test
    void interfaceOption() throws Exception {
        PingerTest.Run mine = ours("-I", "r0", "-r", "0", "-t", "300", "10.150.0.1", net.addressB6());
        PingerTest.Run theirs = fping("-I", "r0", "-r", "0", "-t", "300", "10.150.0.1", net.addressB6());
        assertEquals(theirs.exit(), mine.exit(), mine.toString());
        assertEquals(lines(theirs.out()), lines(mine.out()));
        assertEquals(Set.of("10.150.0.1 is alive", net.addressB6() + " is alive"), lines(mine.out()));
        // bound to lo, nothing gets out
        PingerTest.Run lo = ours("-I", "lo", "-r", "0", "-t", "300", "-a", "10.150.0.1");
        assertEquals(1, lo.exit(), lo.toString());
        assertEquals("", lo.out());
    }

    @Test
    void withRandomLossTheReceivedCountsStayWithinABinomialBound() throws Exception {
        try (AutoCloseable loss = PingerTest.dropOneEchoRequestInFour(net, "ffsockfploss")) {
            String[] args = {"-q", "-C", "200", "-p", "10", "-i", "1", "-t", "500", "10.150.0.1", "10.150.0.2"};
            PingerTest.Run theirs = fping(args);
            PingerTest.Run mine = ours(args);
            assertEquals(0, theirs.exit(), "every target answered some: " + theirs.exit());
            assertEquals(0, mine.exit(), mine.err());
            // binomial(200, 3/4): mean 150, sd 6.1; 6 sd either side fails by chance about once in 10^9
            for (PingerTest.Run r : List.of(theirs, mine)) {
                List<String> ls = r.err().lines().filter(l -> !l.isBlank()).toList();
                assertEquals(2, ls.size(), r.err());
                for (String line : ls) {
                    Matcher x = VCOUNT.matcher(line);
                    assertTrue(x.matches(), line);
                    String[] values = x.group(2).trim().split(" ");
                    assertEquals(200, values.length, line);
                    long got = List.of(values).stream().filter(v -> !v.equals("-")).count();
                    assertTrue(got >= 113 && got <= 187, "received under 25 % loss: " + got + " of 200: " + line);
                }
            }
        }
    }

    @Test
    void requestsOnTheWireHaveGoodChecksumsAndTheAskedFields() throws Exception {
        Path dir = Files.createTempDirectory("ffsock-fping-cap");
        List<Process> helpers = new ArrayList<>();
        try {
            List<String> lines = LinkCapture.capture(dir, net.b, "l1", 4, "icmp", helpers, () -> {
                PingerTest.Run r = ours("-c", "2", "-p", "100", "-b", "100", "-O", "0x28", "-H", "30", "-q", "10.150.0.3");
                assertEquals(0, r.exit(), r.toString());
            }, List.of("-o", "ip.check_checksum:TRUE"), "icmp.type", "icmp.checksum.status", "ip.checksum.status", "ip.dsfield",
                    "ip.ttl", "data.len");
            // requests arrive with TTL 29 (30 less the router), replies leave B with its default 64
            assertEquals(List.of("8|1|1|0x28|29|100", "0|1|1|0x28|64|100", "8|1|1|0x28|29|100", "0|1|1|0x28|64|100"), lines);
        } finally {
            helpers.forEach(Process::destroyForcibly);
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void helpAndVersion() throws Exception {
        PingerTest.Run h = ours("-h");
        assertEquals(0, h.exit());
        assertTrue(h.out().startsWith("Usage: ffsock fping [OPTIONS] [TARGETS...]\n"), h.out());
        PingerTest.Run v = ours("-v");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("ffsock fping: Version "), v.out());
        assertFalse(ours("-l", "10.150.0.1").err().isEmpty());
    }

    @Test
    void ctrlCEndsWithTheSummaryOfWhatCameBack() throws Exception {
        CliProcess p = CliProcess.startWrapped(Topology.in(net.a), "fping", "-c", "1000", "-p", "50", "10.150.0.1");
        started.add(p);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!p.stdout().contains(" : [3], ") && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(20);
        assertTrue(p.stdout().contains(" : [3], "), p.describe("four replies"));
        Netns.exec("kill", "-INT", Long.toString(p.pid()));
        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
        Matcher m = SUMMARY.matcher(p.stderr().strip());
        assertTrue(m.matches(), p.stderr());
        assertEquals("10.150.0.1", m.group(1));
        assertTrue(Integer.parseInt(m.group(2)) >= 4 && Integer.parseInt(m.group(2)) < 1000, p.stderr());
    }

    @Test
    void elapsedAndReachableLikeFping() throws Exception {
        String[] e = {"-e", "-r", "0", "-t", "300", "10.150.0.1", "10.150.0.4"};
        PingerTest.Run theirs = fping(e);
        PingerTest.Run mine = ours(e);
        for (PingerTest.Run r : List.of(theirs, mine)) {
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.out().matches("10\\.150\\.0\\.1 is alive \\(\\d+\\.\\d+ ms\\)\n10\\.150\\.0\\.4 is unreachable\n"), r.out());
        }
        for (String n : List.of("1", "2")) {
            String[] x = {"-x", n, "-r", "0", "-t", "300", "10.150.0.1", "10.150.0.4"};
            PingerTest.Run t = fping(x);
            PingerTest.Run o = ours(x);
            assertEquals(t.exit(), o.exit(), o.toString());
            assertEquals(t.out(), o.out());
        }
        assertEquals("Not enough hosts reachable (required: 2, reachable: 1)\n", ours("-x", "2", "-r", "0", "-t", "300", "10.150.0.1",
                "10.150.0.4").out());
    }

    @Test
    void withoutCapNetRawOrPingSocketsBothExit4() throws Exception {
        try (Netns ns = Netns.create("fpgpriv")) { // ping_group_range "1 0": nobody may open a ping socket
            java.util.function.UnaryOperator<List<String>> unprivileged = cmd -> {
                List<String> c = new ArrayList<>(List.of(ns.inside("setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw")));
                c.addAll(cmd);
                return c;
            };
            PingerTest.Run mine = oursWrapped(unprivileged, "127.0.0.1");
            assertEquals(4, mine.exit(), mine.toString());
            assertEquals("", mine.out());
            assertTrue(mine.err().startsWith("ffsock fping: ") && mine.err().contains("CAP_NET_RAW")
                    && mine.err().contains("ping_group_range"), mine.err());
            // Debian's fping carries cap_net_raw as a file capability, which a process without it in
            // its bounding set may not exec: a copy (without the capability) shows fping's answer.
            Path copy = Files.createTempFile("fping", "");
            try {
                Files.copy(Path.of("/usr/bin/fping"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                copy.toFile().setExecutable(true);
                Process p = new ProcessBuilder(unprivileged.apply(List.of(copy.toString(), "127.0.0.1"))).redirectErrorStream(true).start();
                String theirs = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertEquals(4, p.waitFor(), theirs);
                assertTrue(theirs.contains("can't create socket"), theirs);
            } finally {
                Files.deleteIfExists(copy);
            }
        }
    }
}
