package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.testing.Netns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ffsock mld} between two namespaces joined by a veth pair: the querier Q (fe80::1 on q0)
 * and the listener M (fe80::2 on m0), with no other IPv6 address (no automatic link-local, no
 * duplicate address detection: each kernel's own reports are over before a test looks). What Q
 * sends is captured by tcpdump in M and checked with tshark; what M's kernel answers is printed by
 * {@code ffsock mld listen} in Q.
 */
class MldCommandTest extends TwoHostCliTest {
    MldCommandTest() {
        super("mld");
    }

    @BeforeEach
    void link() throws Exception {
        for (Netns n : List.of(q, m)) n.sysctl("net.ipv6.conf.default.addr_gen_mode", "1"); // no automatic link-local
        Netns.veth(q, "q0", null, m, "m0", null);
        q.ip("-6", "addr", "add", "fe80::1/64", "dev", "q0", "nodad");
        m.ip("-6", "addr", "add", "fe80::2/64", "dev", "m0", "nodad");
    }

    /** Sends each command line from Q while tcpdump captures in M; returns tshark's fields per packet from Q. */
    private List<String> captureFromQ(List<String[]> commands) throws Exception {
        // "icmp6" would not match: a Hop-by-Hop header comes first. So: from Q, a Hop-by-Hop header
        // (next header 0 at byte 6) followed by ICMPv6 (58 at byte 40), whose type is at byte 48;
        // and not Q's kernel's own reports (nor its router solicitations, which have no Hop-by-Hop
        // header), which are about link-scope ff02:: groups: a v2 report's first record group, a
        // v1 report's group.
        String filter = "ip6 and src host fe80::1 and ip6[6] == 0 and ip6[40] == 58"
                + " and not (ip6[48] == 143 and ip6[61] == 2) and not (ip6[48] == 131 and ip6[57] == 2)";
        return LinkCapture.capture(dir, m, "m0", commands.size(), filter, helpers, () -> {
                    for (String[] c : commands) {
                        CliProcess p = run(q, c);
                        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
                        assertTrue(p.stdout().startsWith("sent fe80::1 > "), p.stdout());
                    }
                }, List.of(), "ipv6.dst", "ipv6.hlim", "icmpv6.checksum.status", "ipv6.opt.router_alert", "icmpv6.type",
                "icmpv6.mld.multicast_address", "icmpv6.mld.maximum_response_delay", "icmpv6.mld.maximum_response_code",
                "icmpv6.mld.source_address", "icmpv6.mldr.mar.multicast_address", "icmpv6.mldr.mar.source_address",
                "icmpv6.mldr.mar.record_type");
    }

    @Test
    void queriesReportsAndDonesAreWellFormedOnTheWire() throws Exception {
        assumeTrue(LinkCapture.installed("tcpdump") && LinkCapture.installed("tshark"), "tcpdump and tshark are not installed");
        List<String[]> commands = List.of(
                new String[] {"query", "-i", "q0", "-v", "1", "::"},
                new String[] {"query", "-i", "q0", "-v", "1", "--max-resp", "2.5", "ff0e::1:3"},
                new String[] {"query", "-i", "q0", "--max-resp", "1.5", "--source", "2001:db8::1", "--source", "2001:db8::2", "ff0e::1:3"},
                new String[] {"query", "-i", "q0", "::"},
                new String[] {"report", "-i", "q0", "-v", "1", "ff0e::7"},
                new String[] {"done", "-i", "q0", "-v", "1", "ff0e::7"},
                new String[] {"report", "-i", "q0", "--source", "2001:db8::9", "ff0e::8"},
                new String[] {"done", "-i", "q0", "ff0e::8"});
        // ipv6.dst | hop limit | ICMPv6 checksum good (1) | Router Alert value 0 (MLD) | type | group |
        // v1 max response delay (ms) | v2 max response code (as tshark decodes it, ms) | sources |
        // record groups | record sources | record types
        List<String> expected = List.of(
                "ff02::1|1|1|0|130|::|10000|||||",
                "ff0e::1:3|1|1|0|130|ff0e::1:3|2500|||||",
                "ff0e::1:3|1|1|0|130|ff0e::1:3||1500|2001:db8::1,2001:db8::2|||",
                "ff02::1|1|1|0|130|::||10000||||",
                "ff0e::7|1|1|0|131|ff0e::7|0|||||",
                "ff02::2|1|1|0|132|ff0e::7|0|||||",
                "ff02::16|1|1|0|143|||||ff0e::8|2001:db8::9|1",
                "ff02::16|1|1|0|143|||||ff0e::8||3");
        assertEquals(expected, captureFromQ(commands));
    }

    /** Q's listener is bound and says so; M listens to ff0e::1:2 and its unsolicited reports are over. */
    private CliProcess listenerAfterJoin(int count) throws Exception {
        m.ip("-6", "addr", "add", "ff0e::1:2/128", "dev", "m0", "autojoin");
        Thread.sleep(2500); // unsolicited reports: robustness 2, at most 1 s apart
        CliProcess listen = start(q, "listen", "-i", "q0", "-c", Integer.toString(count), "-W", "15");
        listen.awaitStderrContains("listening on q0");
        return listen;
    }

    @Test
    void theListenersKernelAnswersAV2QueryAndListenPrintsIt() throws Exception {
        CliProcess listen = listenerAfterJoin(1);
        CliProcess query = run(q, "query", "-i", "q0", "--max-resp", "1", "::");
        assertEquals(0, query.awaitExit(), query.describe("exit 0"));
        assertEquals("sent fe80::1 > ff02::1: MLDv2 query group :: max-resp 1.000s qrv 2 qqi 125s sources [] on q0\n",
                query.stdout());
        assertEquals(0, listen.awaitExit(), listen.describe("exit 0"));
        // M's current-state report, one MODE_IS_EXCLUDE record per group it listens to: the one it
        // joined, and solicited-node groups (of fe80::2, and of ff0e::1:2, which "ip addr add"
        // gave it as an address).
        String line = listen.stdout();
        assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} fe80::2 > ff02::16: MLDv2 report \\d records: "
                + "MODE_IS_EXCLUDE group [0-9a-f:]+ sources \\[\\](; MODE_IS_EXCLUDE group [0-9a-f:]+ sources \\[\\])* \\[hlim 1, RA\\]\n"), line);
        assertTrue(line.contains("MODE_IS_EXCLUDE group ff0e::1:2 sources []"), line);
    }

    @Test
    void aV1QueryGetsAV1ReportSentToTheGroup() throws Exception {
        CliProcess listen = listenerAfterJoin(1);
        CliProcess query = run(q, "query", "-i", "q0", "-v", "1", "--max-resp", "1", "ff0e::1:2");
        assertEquals(0, query.awaitExit(), query.describe("exit 0"));
        assertEquals("sent fe80::1 > ff0e::1:2: MLDv1 query group ff0e::1:2 max-resp 1.000s on q0\n", query.stdout());
        assertEquals(0, listen.awaitExit(), listen.describe("exit 0"));
        // a v1 report only comes in answer to a v1 query (M would otherwise speak v2)
        assertTrue(listen.stdout().matches("\\S+ fe80::2 > ff0e::1:2: MLDv1 report group ff0e::1:2 \\[hlim 1, RA\\]\n"),
                listen.stdout());
    }

    @Test
    void errorsAreOneLineWithStatus2() throws Exception {
        CliProcess noIf = run(q, "query", "-i", "nosuch0", "::");
        assertEquals(2, noIf.awaitExit());
        assertEquals("ffsock mld: nosuch0: no such interface\n", noIf.stderr());
        CliProcess tooLong = run(q, "listen", "-i", "sixteen-bytes-xx");
        assertEquals(2, tooLong.awaitExit());
        assertEquals("ffsock mld: sixteen-bytes-xx: no such interface (an interface name has at most 15 bytes, this has 16)\n",
                tooLong.stderr());
        CliProcess noIfGiven = run(q, "report", "ff0e::1");
        assertEquals(2, noIfGiven.awaitExit());
        assertTrue(noIfGiven.stderr().startsWith("ffsock mld: MLD is link-local: name the interface with -i IFACE"), noIfGiven.stderr());
        CliProcess noLinkLocal = run(q, "query", "-i", "lo", "::");
        assertEquals(2, noLinkLocal.awaitExit());
        assertEquals("ffsock mld: lo: no link-local IPv6 address, which MLD messages must come from (RFC 3810 section 5)\n",
                noLinkLocal.stderr());

        CliProcess unprivileged = CliProcess.runWrapped(cmd -> {
            List<String> c = new ArrayList<>(List.of(q.inside("setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw")));
            c.addAll(cmd);
            return c;
        }, "mld", "report", "-i", "q0", "ff0e::1");
        started.add(unprivileged);
        assertEquals(2, unprivileged.awaitExit());
        assertEquals(1, unprivileged.stderr().lines().count(), unprivileged.stderr());
        assertTrue(unprivileged.stderr().startsWith("ffsock mld: socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6): EPERM"),
                unprivileged.stderr());

        CliProcess notMulticast = run(q, "report", "-i", "q0", "2001:db8::1");
        assertEquals(2, notMulticast.awaitExit());
        assertEquals("ffsock mld: GROUP 2001:db8::1 is not a multicast address (try 'ffsock mld --help')\n", notMulticast.stderr());
        CliProcess v1Source = run(q, "report", "-i", "q0", "-v", "1", "--source", "2001:db8::1", "ff0e::1");
        assertEquals(2, v1Source.awaitExit());
        assertTrue(v1Source.stderr().startsWith("ffsock mld: --source needs MLDv2 (-v 2)"), v1Source.stderr());
        CliProcess v4 = run(q, "report", "-i", "q0", "239.1.1.1");
        assertEquals(2, v4.awaitExit());
        assertTrue(v4.stderr().startsWith("ffsock mld: bad GROUP '239.1.1.1': an IPv6 address"), v4.stderr());
        CliProcess help = run(q, "--help");
        assertEquals(0, help.awaitExit());
        assertTrue(help.stdout().startsWith("Usage: ffsock mld query"), help.stdout());
    }

    /** On lo, where no MLD ever goes (q0 may still carry M's reports of its new address). */
    @Test
    void listenTimesOutWithStatus1() throws Exception {
        CliProcess listen = run(q, "listen", "-i", "lo", "-c", "1", "-W", "0.5");
        assertEquals(1, listen.awaitExit(), listen.describe("exit 1"));
        assertEquals("", listen.stdout());
    }
}
