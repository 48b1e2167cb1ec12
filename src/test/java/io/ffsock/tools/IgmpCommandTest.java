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
 * {@code ffsock igmp} between two namespaces joined by a veth pair: the querier Q (10.77.0.1 on
 * q0) and the member M (10.77.0.2 on m0). What Q sends is captured by tcpdump in M and checked
 * with tshark; what M's kernel answers is printed by {@code ffsock igmp listen} in Q.
 */
class IgmpCommandTest extends TwoHostCliTest {
    private static final String Q_ADDR = "10.77.0.1";
    private static final String M_ADDR = "10.77.0.2";

    IgmpCommandTest() {
        super("igmp");
    }

    @BeforeEach
    void link() throws Exception {
        Netns.veth(q, "q0", Q_ADDR + "/24", m, "m0", M_ADDR + "/24");
        q.ip("route", "add", "224.0.0.0/4", "dev", "q0");
        m.ip("route", "add", "224.0.0.0/4", "dev", "m0");
    }

    /** Sends each command line from Q while tcpdump captures in M; returns tshark's fields per packet from Q. */
    private List<String> captureFromQ(List<String[]> commands) throws Exception {
        return LinkCapture.capture(dir, m, "m0", commands.size(), "igmp and src host " + Q_ADDR, helpers, () -> {
                    for (String[] c : commands) {
                        CliProcess p = run(q, c);
                        assertEquals(0, p.awaitExit(), p.describe("exit 0"));
                        assertTrue(p.stdout().startsWith("sent " + Q_ADDR + " > "), p.stdout());
                    }
                }, List.of("-o", "ip.check_checksum:TRUE", "-Y", "ip.src==" + Q_ADDR),
                "ip.dst", "ip.ttl", "ip.checksum.status", "igmp.checksum.status", "ip.opt.ra", "igmp.version", "igmp.type",
                "igmp.maddr", "igmp.max_resp", "igmp.saddr", "igmp.record_type");
    }

    @Test
    void queriesReportsAndLeavesAreWellFormedOnTheWire() throws Exception {
        assumeTrue(LinkCapture.installed("tcpdump") && LinkCapture.installed("tshark"), "tcpdump and tshark are not installed");
        List<String[]> commands = List.of(
                new String[] {"query", "-i", "q0", "-v", "1", "0.0.0.0"},
                new String[] {"query", "-i", "q0", "-v", "2", "--max-resp", "2.5", "0.0.0.0"},
                new String[] {"query", "-i", "q0", "-v", "2", "--max-resp", "1", "239.1.2.3"},
                new String[] {"query", "-i", "q0", "--max-resp", "1.5", "--source", "10.1.1.1", "--source", "10.1.1.2", "239.1.2.3"},
                new String[] {"query", "-i", "q0", "0.0.0.0"},
                new String[] {"report", "-i", "q0", "-v", "1", "239.7.7.7"},
                new String[] {"report", "-i", "q0", "-v", "2", "239.7.7.7"},
                new String[] {"report", "-i", "q0", "--source", "10.1.1.9", "239.7.7.8"},
                new String[] {"leave", "-i", "q0", "-v", "2", "239.7.7.7"},
                new String[] {"leave", "-i", "q0", "239.7.7.8"});
        // ip.dst | ttl | IP checksum good (1) | IGMP checksum good (1) | Router Alert value 0 (present) |
        // version | type | group(s) | max resp (tenths) | sources | record type
        List<String> expected = List.of(
                "224.0.0.1|1|1|1|0|1|0x11|0.0.0.0|||",
                "224.0.0.1|1|1|1|0|2|0x11|0.0.0.0|25||",
                "239.1.2.3|1|1|1|0|2|0x11|239.1.2.3|10||",
                "239.1.2.3|1|1|1|0|3|0x11|239.1.2.3|15|10.1.1.1,10.1.1.2|",
                "224.0.0.1|1|1|1|0|3|0x11|0.0.0.0|100||",
                "239.7.7.7|1|1|1|0|1|0x12|239.7.7.7|||",
                "239.7.7.7|1|1|1|0|2|0x16|239.7.7.7|0||",
                "224.0.0.22|1|1|1|0|3|0x22|239.7.7.8||10.1.1.9|1",
                "224.0.0.2|1|1|1|0|2|0x17|239.7.7.7|0||",
                "224.0.0.22|1|1|1|0|3|0x22|239.7.7.8|||3");
        assertEquals(expected, captureFromQ(commands));
    }

    /** Q's listener is bound and says so; M joined 239.1.2.3 and its unsolicited reports are over. */
    private CliProcess listenerAfterJoin(int count) throws Exception {
        m.ip("addr", "add", "239.1.2.3/32", "dev", "m0", "autojoin");
        Thread.sleep(2500); // unsolicited reports: robustness 2, at most 1 s apart
        CliProcess listen = start(q, "listen", "-i", "q0", "-c", Integer.toString(count), "-W", "15");
        listen.awaitStderrContains("listening on q0");
        return listen;
    }

    @Test
    void theMembersKernelAnswersAV3QueryAndListenPrintsIt() throws Exception {
        CliProcess listen = listenerAfterJoin(1);
        CliProcess query = run(q, "query", "-i", "q0", "--max-resp", "1", "0.0.0.0");
        assertEquals(0, query.awaitExit(), query.describe("exit 0"));
        assertEquals("sent " + Q_ADDR + " > 224.0.0.1: IGMPv3 query group 0.0.0.0 max-resp 1.0s qrv 2 qqi 125s sources [] on q0\n",
                query.stdout());
        assertEquals(0, listen.awaitExit(), listen.describe("exit 0"));
        String line = listen.stdout();
        assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} " + M_ADDR.replace(".", "\\.")
                + " > 224\\.0\\.0\\.22: IGMPv3 report 1 record: MODE_IS_EXCLUDE group 239\\.1\\.2\\.3 sources \\[\\] \\[ttl 1, RA\\]\n"), line);
    }

    @Test
    void aV2QueryGetsAV2ReportForAGroupThisHostNeverJoined() throws Exception {
        CliProcess listen = listenerAfterJoin(1);
        CliProcess query = run(q, "query", "-i", "q0", "-v", "2", "--max-resp", "1", "239.1.2.3");
        assertEquals(0, query.awaitExit(), query.describe("exit 0"));
        assertEquals(0, listen.awaitExit(), listen.describe("exit 0"));
        // a v2 report only comes in answer to a v2 query (M would otherwise speak v3)
        assertTrue(listen.stdout().matches("\\S+ " + M_ADDR.replace(".", "\\.")
                + " > 239\\.1\\.2\\.3: IGMPv2 report group 239\\.1\\.2\\.3 \\[ttl 1, RA\\]\n"), listen.stdout());
    }

    @Test
    void listenTimesOutWithStatus1() throws Exception {
        CliProcess listen = run(q, "listen", "-i", "q0", "-c", "1", "-W", "0.5");
        assertEquals(1, listen.awaitExit(), listen.describe("exit 1"));
        assertEquals("", listen.stdout());
    }

    @Test
    void errorsAreOneLineWithStatus2() throws Exception {
        CliProcess noIf = run(q, "query", "-i", "nosuch0", "0.0.0.0");
        assertEquals(2, noIf.awaitExit());
        assertEquals("ffsock igmp: nosuch0: no such interface\n", noIf.stderr());
        CliProcess noIfListen = run(q, "listen", "-i", "nosuch0");
        assertEquals(2, noIfListen.awaitExit());
        assertEquals("ffsock igmp: nosuch0: no such interface\n", noIfListen.stderr());
        CliProcess tooLong = run(q, "report", "-i", "sixteen-bytes-xx", "239.1.1.1");
        assertEquals(2, tooLong.awaitExit());
        assertEquals("ffsock igmp: sixteen-bytes-xx: no such interface (an interface name has at most 15 bytes, this has 16)\n",
                tooLong.stderr());
        // an interface without an IPv4 address: nothing to send from (listening on it is fine)
        q.ip("link", "add", "q1", "type", "veth", "peer", "name", "q1p");
        q.ip("-6", "addr", "add", "fd77::1/64", "dev", "q1", "nodad");
        q.ip("link", "set", "q1p", "up");
        q.ip("link", "set", "q1", "up");
        CliProcess noV4 = run(q, "report", "-i", "q1", "239.1.1.1");
        assertEquals(2, noV4.awaitExit());
        assertEquals("ffsock igmp: q1: no IPv4 address to send IGMP from\n", noV4.stderr());
        assertEquals("", noV4.stdout());
        CliProcess listenNoV4 = run(q, "listen", "-i", "q1", "-c", "1", "-W", "0.2");
        assertEquals(1, listenNoV4.awaitExit(), listenNoV4.describe("exit 1"));
        assertEquals("ffsock igmp: listening on q1\n", listenNoV4.stderr());

        CliProcess unprivileged = CliProcess.runWrapped(cmd -> {
            List<String> c = new ArrayList<>(List.of(q.inside("setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw")));
            c.addAll(cmd);
            return c;
        }, "igmp", "report", "-i", "q0", "239.1.1.1");
        started.add(unprivileged);
        assertEquals(2, unprivileged.awaitExit());
        assertEquals(1, unprivileged.stderr().lines().count(), unprivileged.stderr());
        assertTrue(unprivileged.stderr().startsWith("ffsock igmp: socket(AF_INET, SOCK_RAW, IPPROTO_IGMP): EPERM"),
                unprivileged.stderr());

        CliProcess notMulticast = run(q, "report", "10.0.0.1");
        assertEquals(2, notMulticast.awaitExit());
        assertEquals("ffsock igmp: GROUP 10.0.0.1 is not a multicast address (try 'ffsock igmp --help')\n", notMulticast.stderr());
        CliProcess v1Leave = run(q, "leave", "-v", "1", "239.1.1.1");
        assertEquals(2, v1Leave.awaitExit());
        assertTrue(v1Leave.stderr().startsWith("ffsock igmp: IGMPv1 has no leave message"), v1Leave.stderr());
        CliProcess help = run(q, "--help");
        assertEquals(0, help.awaitExit());
        assertTrue(help.stdout().startsWith("Usage: ffsock igmp query"), help.stdout());
    }

    @Test
    void mainListsTheNewCommands() throws Exception {
        CliProcess p = CliProcess.run("--help");
        started.add(p);
        assertEquals(0, p.awaitExit());
        for (String c : List.of("ping", "traceroute", "igmp", "mld", "unix")) assertTrue(p.stdout().contains("\n  " + c + " "), p.stdout());
    }
}
