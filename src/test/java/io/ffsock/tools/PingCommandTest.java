package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.testing.Netns;
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
 * {@code ffsock ping} run as a process inside namespaces: hostA - router - hostB, and a lone
 * namespace for IPv6 loopback and privilege checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PingCommandTest {
    private static final Pattern REPLY = Pattern.compile(
            "(\\d+) bytes from ([0-9a-f.:]+): icmp_seq=(\\d+) ttl=(\\d+) time=(\\d+(\\.\\d+)?) ms");
    private static final Pattern RTT = Pattern.compile(
            "rtt min/avg/max/mdev = \\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3} ms");

    private Topology net;
    private final List<CliProcess> started = new ArrayList<>();

    @BeforeAll
    void topology() throws Exception {
        String why = Netns.unavailableReason();
        assumeTrue(why == null, why);
        net = Topology.create("ping", 1);
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

    private CliProcess pingIn(Netns ns, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ping"));
        all.addAll(List.of(args));
        CliProcess p = CliProcess.runWrapped(Topology.in(ns), all.toArray(String[]::new));
        started.add(p);
        return p;
    }

    private static List<String> lines(String text) {
        return List.of(text.split("\n", -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--raw", "--dgram", "--auto"})
    void repliesAcrossTheRouterComeWithTheTtlOneLower(String mode) throws Exception {
        int hostTtl = Integer.parseInt(net.b.run("sysctl", "-n", "net.ipv4.ip_default_ttl").strip());
        String b = net.addressB();
        CliProcess p = mode.equals("--auto") ? pingIn(net.a, "-c", "3", "-i", "0.2", b)
                : pingIn(net.a, mode, "-c", "3", "-i", "0.2", b);
        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
        List<String> out = lines(p.stdout());
        assertEquals("PING " + b + " (" + b + ") 56(84) bytes of data.", out.get(0), p.stdout());
        for (int i = 1; i <= 3; i++) {
            Matcher m = REPLY.matcher(out.get(i));
            assertTrue(m.matches(), "reply line: " + out.get(i));
            assertEquals("64", m.group(1));
            assertEquals(b, m.group(2));
            assertEquals(Integer.toString(i), m.group(3));
            assertEquals(hostTtl - 1, Integer.parseInt(m.group(4)), out.get(i));
        }
        assertEquals("", out.get(4));
        assertEquals("--- " + b + " ping statistics ---", out.get(5));
        assertTrue(out.get(6).matches("3 packets transmitted, 3 received, 0% packet loss, time \\d+ms"), out.get(6));
        assertTrue(RTT.matcher(out.get(7)).matches(), out.get(7));
        assertEquals("", out.get(8));
        assertEquals(9, out.size(), p.stdout());
        assertEquals("", p.stderr());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--raw", "--dgram"})
    void ttlOneGetsTimeToLiveExceededFromTheRouter(String mode) throws Exception {
        CliProcess p = pingIn(net.a, mode, "-c", "2", "-i", "0.2", "-t", "1", "-W", "2", net.addressB());
        assertEquals(1, p.awaitExit(), p.describe("exit 1"));
        String router = net.routerTowardsA(1);
        String expected = "PING " + net.addressB() + " (" + net.addressB() + ") 56(84) bytes of data.\n"
                + "From " + router + " icmp_seq=1 Time to live exceeded\n"
                + "From " + router + " icmp_seq=2 Time to live exceeded\n"
                + "\n--- " + net.addressB() + " ping statistics ---\n";
        assertTrue(p.stdout().startsWith(expected), p.stdout());
        String rest = p.stdout().substring(expected.length());
        assertTrue(rest.matches("2 packets transmitted, 0 received, \\+2 errors, 100% packet loss, time \\d+ms\n\n"), rest);
    }

    /**
     * Hop limit 1 over IPv6: the router's ICMPv6 time exceeded quotes our echo request. On a raw
     * socket ffsock matches it through the quoted IPv6 header; on a ping socket it comes through
     * the error queue. The error lines must be iputils ping's, run the same way.
     */
    @ParameterizedTest
    @ValueSource(strings = {"--raw", "--dgram"})
    void hopLimitOneGetsTimeExceededFromTheRouterLikeIputils(String mode) throws Exception {
        String b = net.addressB6();
        CliProcess p = pingIn(net.a, mode, "-6", "-c", "2", "-i", "0.2", "-t", "1", "-W", "2", b);
        assertEquals(1, p.awaitExit(), p.describe("exit 1"));
        Process ip = new ProcessBuilder(net.a.inside("ping", "-6", "-c", "2", "-i", "0.2", "-t", "1", "-W", "2", b))
                .redirectErrorStream(true).start();
        String iputils = new String(ip.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, ip.waitFor(), iputils); // no reply: exit 1, as ours
        List<String> ours = lines(p.stdout()).stream().filter(l -> l.startsWith("From ")).toList();
        List<String> theirs = lines(iputils).stream().filter(l -> l.startsWith("From ")).toList();
        assertEquals(2, ours.size(), p.stdout());
        assertTrue(ours.get(0).startsWith("From " + net.routerTowardsA6(1) + " icmp_seq=1 "), p.stdout());
        assertEquals(theirs, ours, "iputils said:\n" + iputils);
    }

    @Test
    void aHostThatIgnoresEchoIsAllLossAndStatus1LikeIputils() throws Exception {
        net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "1");
        try {
            CliProcess p = pingIn(net.a, "-c", "2", "-i", "0.2", "-W", "1", net.addressB());
            assertEquals(1, p.awaitExit(), p.describe("exit 1"));
            List<String> out = lines(p.stdout());
            assertEquals(List.of("PING " + net.addressB() + " (" + net.addressB() + ") 56(84) bytes of data.", "",
                    "--- " + net.addressB() + " ping statistics ---"), out.subList(0, 3));
            assertTrue(out.get(3).matches("2 packets transmitted, 0 received, 100% packet loss, time \\d+ms"), out.get(3));
            // iputils, the same way: status 1 too; and with -w, fewer replies than -c is status 1 as well
            for (List<String> args : List.of(List.of("-c", "1", "-W", "1"), List.of("-c", "2", "-w", "1"))) {
                List<String> all = new ArrayList<>(args);
                all.add(net.addressB());
                Process ip = new ProcessBuilder(net.a.inside(prepend("ping", all))).redirectErrorStream(true).start();
                ip.getInputStream().readAllBytes();
                CliProcess ours = pingIn(net.a, all.toArray(String[]::new));
                assertEquals(ip.waitFor(), ours.awaitExit(), all + ": " + ours.describe("iputils' status"));
                assertEquals(1, ip.exitValue());
            }
        } finally {
            net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "0");
        }
    }

    private static String[] prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    /**
     * Host B's kernel stays silent (icmp_echo_ignore_all) and a python3 raw-socket responder we
     * did not write the other side of answers every echo request twice. ffsock must print the
     * second answer with (DUP!) and count it as iputils does, which the same setup checks.
     */
    @Test
    void duplicateRepliesAreMarkedAndCountedLikeIputils() throws Exception {
        String script = String.join("\n",
                "import socket, struct, sys",
                "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
                "def csum(b):",
                "    if len(b) % 2: b += b'\\0'",
                "    t = sum(struct.unpack('!%dH' % (len(b) // 2), b))",
                "    t = (t >> 16) + (t & 0xffff); t += t >> 16",
                "    return ~t & 0xffff",
                "print('READY', flush=True)",
                "while True:",
                "    pkt, (src, _) = s.recvfrom(65535)",
                "    icmp = pkt[(pkt[0] & 15) * 4:]",
                "    if icmp[0] != 8: continue",
                "    reply = b'\\0\\0\\0\\0' + icmp[4:]",
                "    reply = reply[:2] + struct.pack('!H', csum(reply)) + reply[4:]",
                "    s.sendto(reply, (src, 0))",
                "    s.sendto(reply, (src, 0))");
        net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "1");
        Process responder = new ProcessBuilder(net.b.inside("python3", "-u", "-c", script)).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(responder.getInputStream()));
            assertEquals("READY", r.readLine());
            String b = net.addressB();
            CliProcess p = pingIn(net.a, "-c", "3", "-i", "0.3", b);
            assertEquals(0, p.awaitExit(), p.describe("exit 0"));
            String iputils = net.a.run("ping", "-c", "3", "-i", "0.3", b);
            for (String out : List.of(p.stdout(), iputils)) {
                List<String> lines = lines(out);
                List<String> replies = lines.stream().filter(l -> REPLY.matcher(l.replace(" (DUP!)", "")).matches()).toList();
                // Both exit at the third reply, usually before the copy of it comes: 5 or 6 lines.
                for (int seq = 1; seq <= 3; seq++) {
                    String tag = "icmp_seq=" + seq + " ";
                    List<String> forSeq = replies.stream().filter(l -> l.contains(tag)).toList();
                    assertEquals(seq < 3 ? 2 : forSeq.size(), forSeq.size(), out);
                    assertTrue(forSeq.size() == 1 || forSeq.size() == 2, out);
                    assertTrue(!forSeq.get(0).endsWith("(DUP!)"), out);
                    if (forSeq.size() == 2) assertTrue(forSeq.get(1).endsWith(" (DUP!)"), out);
                }
                long dups = replies.stream().filter(l -> l.endsWith(" (DUP!)")).count();
                assertTrue(out.contains("3 packets transmitted, 3 received, +" + dups + " duplicates, 0% packet loss, time "), out);
            }
        } finally {
            responder.destroyForcibly().waitFor();
            net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "0");
        }
    }

    /**
     * -Q, -M do, -t and -s on the wire: tshark reads ffsock's echo request and iputils' (run the
     * same way) on A's link, and the two must agree field by field, checksums good.
     */
    @Test
    void tosDfTtlAndSizeOnTheWireAsIputilsSendsThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assumeTrue(LinkCapture.installed("tcpdump") && LinkCapture.installed("tshark"), "tcpdump and tshark are not installed");
        String[] args = {"-c", "1", "-W", "2", "-Q", "0x10", "-M", "do", "-t", "9", "-s", "100", net.addressB()};
        List<Process> helpers = new ArrayList<>();
        try {
            List<String> frames = LinkCapture.capture(dir, net.a, "r0", 2, "icmp[icmptype] == icmp-echo", helpers, () -> {
                CliProcess ours = pingIn(net.a, args);
                assertEquals(0, ours.awaitExit(), ours.describe("exit 0"));
                net.a.run(prepend("ping", List.of(args)));
            }, List.of("-o", "ip.check_checksum:TRUE"),
                    "ip.dsfield", "ip.flags.df", "ip.ttl", "ip.len", "ip.checksum.status", "icmp.checksum.status");
            assertEquals(2, frames.size(), frames.toString());
            assertEquals("0x10|1|9|128|1|1", frames.get(0), "ffsock's request");
            assertEquals(frames.get(1), frames.get(0), "iputils' request, then ffsock's");
        } finally {
            helpers.forEach(Process::destroyForcibly);
        }
    }

    /** -w: sends until the deadline without -c, then sums up; -f: a dot per request, erased by its reply. */
    @Test
    void deadlineAndFlood() throws Exception {
        CliProcess w = pingIn(net.a, "-w", "1", "-i", "0.2", net.addressB());
        assertEquals(0, w.awaitExit(), w.describe("exit 0"));
        assertTrue(w.stdout().matches("(?s).*\n(\\d+) packets transmitted, \\1 received, 0% packet loss, time \\d+ms\n.*"), w.stdout());
        CliProcess f = pingIn(net.a, "-f", "-c", "50", net.addressB());
        assertEquals(0, f.awaitExit(), f.describe("exit 0"));
        List<String> out = lines(f.stdout());
        String dots = out.get(1);
        assertEquals(50, dots.chars().filter(c -> c == '.').count(), f.stdout());
        assertEquals(50, dots.chars().filter(c -> c == '\b').count(), f.stdout());
        assertTrue(f.stdout().contains("50 packets transmitted, 50 received, 0% packet loss"), f.stdout());
        assertTrue(f.stdout().matches("(?s).*rtt min/avg/max/mdev = [0-9./]+ ms, ipg/ewma \\d+\\.\\d{3}/\\d+\\.\\d{3} ms\n.*"), f.stdout());
    }

    @Test
    void sizeChangesTheLengths() throws Exception {
        CliProcess p = pingIn(net.a, "-c", "1", "-s", "1000", net.addressB());
        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
        List<String> out = lines(p.stdout());
        assertEquals("PING " + net.addressB() + " (" + net.addressB() + ") 1000(1028) bytes of data.", out.get(0));
        assertTrue(out.get(1).startsWith("1008 bytes from " + net.addressB() + ": icmp_seq=1 ttl=63 time="), out.get(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--raw", "--dgram"})
    void ipv6Loopback(String mode) throws Exception {
        Netns ns = Netns.create("ping6");
        try {
            ns.sysctl("net.ipv4.ping_group_range", "0 2147483647"); // also governs ICMPv6 ping sockets
            CliProcess p = pingIn(ns, mode, "-6", "-c", "2", "-i", "0.2", "::1");
            assertEquals(0, p.awaitExit(), p.describe("exit 0"));
            List<String> out = lines(p.stdout());
            assertEquals("PING ::1(::1) 56 data bytes", out.get(0));
            for (int i = 1; i <= 2; i++) {
                Matcher m = REPLY.matcher(out.get(i));
                assertTrue(m.matches(), out.get(i));
                assertEquals("::1", m.group(2));
                assertEquals(Integer.toString(i), m.group(3));
                assertEquals("64", m.group(4));
            }
            assertEquals("--- ::1 ping statistics ---", out.get(4));
            assertTrue(out.get(5).startsWith("2 packets transmitted, 2 received, 0% packet loss, time "), out.get(5));
            assertTrue(RTT.matcher(out.get(6)).matches(), out.get(6));
        } finally {
            ns.close();
        }
    }

    @Test
    void withoutCapNetRawOrPingSocketsItSaysWhyAndExits2() throws Exception {
        Netns ns = Netns.create("pingpriv"); // ping_group_range is "1 0" here: nobody may use ping sockets
        try {
            CliProcess p = CliProcess.runWrapped(cmd -> {
                List<String> c = new ArrayList<>(List.of(ns.inside("setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw")));
                c.addAll(cmd);
                return c;
            }, "ping", "-c", "1", "127.0.0.1");
            started.add(p);
            assertEquals(2, p.awaitExit(), p.describe("exit 2"));
            assertEquals("", p.stdout());
            assertEquals(1, p.stderr().lines().count(), p.stderr());
            assertTrue(p.stderr().startsWith("ping: "), p.stderr());
            assertTrue(p.stderr().contains("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP): EPERM"), p.stderr());
            assertTrue(p.stderr().contains("CAP_NET_RAW"), p.stderr());
            // --dgram alone says what the ping socket needs
            CliProcess d = pingIn(ns, "--dgram", "-c", "1", "127.0.0.1");
            assertEquals(2, d.awaitExit());
            assertTrue(d.stderr().contains("EACCES") && d.stderr().contains("ping_group_range"), d.stderr());
        } finally {
            ns.close();
        }
    }

    @Test
    void unknownHostIsOneLineAndStatus2() throws Exception {
        CliProcess p = CliProcess.run("ping", "-c", "1", "no-such-host.invalid");
        started.add(p);
        assertEquals(2, p.awaitExit());
        assertEquals("ping: no-such-host.invalid: Name or service not known\n", p.stderr());
        assertEquals("", p.stdout());
    }

    /**
     * Bad command lines: the same status and the same first error line as iputils ping, run side
     * by side (the out-of-range texts differ only in the range where ffsock's limits are the
     * protocol's: 65507 data bytes).
     */
    @Test
    void badInputGetsIputilsStatusAndErrorLine() throws Exception {
        List<List<String>> exact = List.of(
                List.of("-c", "1", "no-such-host.invalid"),
                List.of("-c", "zero", "127.0.0.1"),
                List.of("-c", "0", "127.0.0.1"),
                List.of("-z", "127.0.0.1"),
                List.of("-4", "-6", "::1"),
                List.of(),
                List.of("-c", "1", "-6", "127.0.0.1"),
                List.of("-t", "256", "127.0.0.1"),
                List.of("-c", "1", "-t", "0", "127.0.0.1"),
                List.of("-c", "1", "-w", "abc", "127.0.0.1"),
                List.of("-c", "1", "-Q", "300", "127.0.0.1"),
                List.of("-c", "1", "-M", "foo", "127.0.0.1"),
                List.of("-c", "1", "-I", "nosuchif0", "127.0.0.1"));
        for (List<String> args : exact) {
            Process ip = new ProcessBuilder(prepend("ping", args)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String theirs = new String(ip.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            CliProcess ours = CliProcess.run(prepend("ping", args));
            started.add(ours);
            assertEquals(ip.waitFor(), ours.awaitExit(), args + ": iputils said " + theirs + "; " + ours.describe("the same"));
            assertEquals(theirs.lines().findFirst().orElse(""), ours.stderr().lines().findFirst().orElse(""), args.toString());
        }
        CliProcess size = CliProcess.run("ping", "-s", "-1", "127.0.0.1");
        started.add(size);
        assertEquals(1, size.awaitExit());
        assertEquals("ping: invalid argument: '-1': out of range: 0 <= value <= 65507\n", size.stderr());
    }

    /**
     * Without CAP_NET_RAW and without ping sockets: status 2 and a "ping:" line, as iputils' ping
     * (a copy without its file capability, run as nobody) gives.
     */
    @Test
    void permissionDeniedAsNobodyIsStatus2LikeIputils() throws Exception {
        Netns ns = Netns.create("pingnob"); // ping_group_range "1 0": nobody may use ping sockets
        java.nio.file.Path copy = java.nio.file.Files.createTempFile("ping-nocap", "");
        try {
            java.nio.file.Files.copy(java.nio.file.Path.of("/usr/bin/ping"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            copy.toFile().setExecutable(true, false);
            copy.getParent().toFile().setExecutable(true, false);
            List<String> nobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
            List<String> iputils = new ArrayList<>(nobody);
            iputils.addAll(List.of(copy.toString(), "-c", "1", "127.0.0.1"));
            Process ip = new ProcessBuilder(ns.inside(iputils.toArray(String[]::new))).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String theirs = new String(ip.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            CliProcess ours = CliProcess.runWrapped(cmd -> {
                List<String> c = new ArrayList<>(nobody);
                c.addAll(cmd);
                return List.of(ns.inside(c.toArray(String[]::new)));
            }, "ping", "-c", "1", "127.0.0.1");
            started.add(ours);
            assertEquals(2, ip.waitFor(), theirs);
            assertTrue(theirs.contains("Operation not permitted"), theirs);
            assertEquals(2, ours.awaitExit(), ours.describe("exit 2"));
            assertTrue(ours.stderr().startsWith("ping: ") && ours.stderr().contains("EPERM")
                    && ours.stderr().contains("CAP_NET_RAW") && ours.stderr().contains("ping_group_range"), ours.stderr());
            assertEquals("", ours.stdout());
        } finally {
            java.nio.file.Files.deleteIfExists(copy);
            ns.close();
        }
    }

    @Test
    void badUsage() throws Exception {
        CliProcess q = CliProcess.run("ping");
        started.add(q);
        assertEquals(1, q.awaitExit());
        assertEquals("ping: usage error: Destination address required\n", q.stderr());
        CliProcess h = CliProcess.run("ping", "--help");
        started.add(h);
        assertEquals(0, h.awaitExit());
        assertTrue(h.stdout().startsWith("Usage: ffsock ping [OPTIONS] HOST"), h.stdout());
        for (String flag : List.of("-V", "--version")) {
            CliProcess v = CliProcess.run("ping", flag);
            started.add(v);
            assertEquals(0, v.awaitExit());
            assertTrue(v.stdout().matches("ffsock ping \\d+\\.\\d+\\.\\d+\\S*\n"), v.stdout());
        }
        // ffsock itself, and a command whose --version means something else (igmp: the protocol's)
        for (List<String> args : List.of(List.of("-V"), List.of("--version"), List.of("igmp", "-V"), List.of("unix", "--version"))) {
            CliProcess v = CliProcess.run(args.toArray(String[]::new));
            started.add(v);
            assertEquals(0, v.awaitExit(), v.describe("exit 0"));
            String expected = args.size() == 1 ? "ffsock " : "ffsock " + args.get(0) + " ";
            assertTrue(v.stdout().startsWith(expected) && v.stdout().matches("ffsock (\\w+ )?\\d+\\.\\d+\\.\\d+\\S*\n"), v.stdout());
        }
    }

    @Test
    void ctrlCPrintsTheSummary() throws Exception {
        CliProcess p = CliProcess.start("ping", "-i", "0.2", "127.0.0.1");
        started.add(p);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!p.stdout().contains("icmp_seq=2 ") && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(20);
        assertTrue(p.stdout().contains("icmp_seq=2 "), p.describe("two replies"));
        Netns.exec("kill", "-INT", Long.toString(p.pid()));
        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
        assertTrue(p.stdout().contains("\n--- 127.0.0.1 ping statistics ---\n"), p.stdout());
        assertTrue(p.stdout().matches("(?s).*\n\\d+ packets transmitted, \\d+ received, .*% packet loss, time \\d+ms\nrtt min/avg/max/mdev = .*"),
                p.stdout());
    }
}
