package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Datagram;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.PacketAddress;
import io.ffsock.Protocol;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.packet.IgmpGroupRecord;
import io.ffsock.packet.IgmpMessage;
import io.ffsock.packet.IgmpRecordType;
import io.ffsock.packet.IgmpV2Leave;
import io.ffsock.packet.IgmpV2Query;
import io.ffsock.packet.IgmpV2Report;
import io.ffsock.packet.IgmpV3Query;
import io.ffsock.packet.IgmpV3Report;
import io.ffsock.packet.Ipv4Header;
import io.ffsock.packet.Ipv4Option;
import io.ffsock.testing.Netns;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, part 5: IGMP v2/v3 queries and reports built with io.ffsock.packet and sent with
 * IP_HDRINCL from namespace Q (10.205.0.1) across a veth pair to namespace M (10.205.0.2), whose
 * kernel records them (tcpdump + tshark check both checksums) and answers our queries with its
 * own reports (received on a raw IGMP socket, or on an AF_PACKET socket for groups Q never joined).
 */
class IgmpTest {
    static final Inet4Address Q_ADDRESS = inet4("10.205.0.1");
    static final Inet4Address M_ADDRESS = inet4("10.205.0.2");
    static final Inet4Address ANY = inet4("0.0.0.0");
    static final Inet4Address ALL_HOSTS = inet4("224.0.0.1");
    static final Inet4Address ALL_ROUTERS = inet4("224.0.0.2");
    static final Inet4Address V3_REPORTS = inet4("224.0.0.22");

    /** Q —veth— M, with a multicast route out of Q's eth0. */
    static VethPair pair() throws Exception {
        return new VethPair("igmpq", "igmpm", "10.205.0.1/24", "10.205.0.2/24")
                .then(p -> p.q.ip("route", "add", "224.0.0.0/4", "dev", "eth0"));
    }

    /** A raw IGMP socket with IP_HDRINCL that sends out of Q's eth0 and does not loop its packets back. */
    static Socket igmpSender() throws Exception {
        return igmpSender(false);
    }

    /** As {@link #igmpSender()}, picking the interface by index (the JDK's IP_MULTICAST_IF) or by address. */
    static Socket igmpSender(boolean byInterface) throws Exception {
        Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.IGMP);
        try {
            s.setOption(LinuxSocketOptions.IP_HDRINCL, true);
            if (byInterface) {
                NetworkInterface eth0 = NetworkInterface.getByName("eth0");
                s.setOption(StandardSocketOptions.IP_MULTICAST_IF, eth0);
                assertEquals(eth0, s.getOption(StandardSocketOptions.IP_MULTICAST_IF));
            } else {
                s.setOption(LinuxSocketOptions.IP_MULTICAST_IF_ADDRESS, Q_ADDRESS);
                assertEquals(Q_ADDRESS, s.getOption(LinuxSocketOptions.IP_MULTICAST_IF_ADDRESS));
            }
            s.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    /** IPv4 header (TTL 1, Router Alert, from Q) + the message, sent to {@code destination}. */
    static void send(Socket s, IgmpMessage message, Inet4Address destination) throws Exception {
        Ipv4Header h = Ipv4Header.of(Ipv4Header.PROTOCOL_IGMP, 1, Q_ADDRESS, destination,
                List.of(Ipv4Option.RouterAlert.EXAMINE), message.length());
        byte[] packet = new byte[h.headerLength() + message.length()];
        h.writeTo(packet, 0);
        message.writeTo(packet, h.headerLength());
        assertEquals(packet.length, s.sendTo(packet, new InetSocketAddress(destination, 0)));
    }

    @Test
    void queriesReportsAndLeavesReachTheOtherSideWithGoodChecksums() throws Exception {
        RawSupport.assumeNetns();
        RawSupport.assumeTool("tcpdump");
        RawSupport.assumeTool("tshark");
        Inet4Address g1 = inet4("239.1.1.1"), g2 = inet4("239.1.1.2"), g3 = inet4("239.1.1.3");
        try (VethPair p = pair()) {
            List<String[]> rows;
            try (Capture capture = Capture.start(p.m, "eth0", 5, "igmp and src host 10.205.0.1")) {
                p.q.call(() -> {
                    try (Socket s = igmpSender()) {
                        send(s, new IgmpV2Query(10, ANY), ALL_HOSTS);
                        send(s, IgmpV3Query.of(10, ANY, false, 2, 125, List.of()), ALL_HOSTS);
                        send(s, new IgmpV2Report(g1), g1);
                        send(s, new IgmpV2Leave(g1), ALL_ROUTERS);
                        send(s, IgmpV3Report.of(
                                IgmpGroupRecord.of(IgmpRecordType.CHANGE_TO_EXCLUDE_MODE, g2, List.of()),
                                IgmpGroupRecord.of(IgmpRecordType.ALLOW_NEW_SOURCES, g3, List.of(inet4("10.9.9.9")))),
                                V3_REPORTS);
                    }
                    return null;
                });
                rows = capture.stopAndRead("ip.src", "ip.dst", "ip.ttl", "ip.opt.ra", "ip.checksum.status",
                        "igmp.checksum.status", "igmp.version", "igmp.type", "igmp.maddr", "igmp.record_type");
            }
            List<String[]> ours = rows.stream().filter(r -> r[0].equals("10.205.0.1")).toList();
            String all = String.join("\n", rows.stream().map(r -> String.join(" | ", r)).toList());
            assertEquals(5, ours.size(), "captured on M:\n" + all);
            for (String[] r : ours) {
                assertEquals("1", r[2], "TTL 1: " + all);
                assertEquals("0", r[3], "Router Alert option, value 0: " + all);
                assertEquals("1", r[4], "IP checksum good (the kernel filled it in): " + all);
                assertEquals("1", r[5], "IGMP checksum good (ours): " + all);
            }
            assertRow(ours.get(0), "224.0.0.1", "2", "0x11", "0.0.0.0", "");
            assertRow(ours.get(1), "224.0.0.1", "3", "0x11", "0.0.0.0", "");
            assertRow(ours.get(2), "239.1.1.1", "2", "0x16", "239.1.1.1", "");
            assertRow(ours.get(3), "224.0.0.2", "2", "0x17", "239.1.1.1", "");
            assertRow(ours.get(4), "224.0.0.22", "3", "0x22", "239.1.1.2,239.1.1.3", "4,5");
        }
    }

    static void assertRow(String[] r, String dst, String version, String type, String maddr, String recordTypes) {
        String row = String.join(" | ", r);
        assertEquals(dst, r[1], row);
        assertEquals(version, r[6], row);
        assertEquals(type, r[7], row);
        assertEquals(maddr, r[8], row);
        assertEquals(recordTypes, r[9], row);
    }

    /**
     * M joins a group; our v3 general query makes M's kernel report it (a current-state
     * MODE_IS_EXCLUDE record, which only a query produces) to 224.0.0.22, which our raw IGMP
     * socket sees because it joined 224.0.0.22.
     */
    @Test
    void farKernelAnswersV3QueryOnRawIgmpSocket() throws Exception {
        RawSupport.assumeNetns();
        Inet4Address group = inet4("239.2.2.2");
        try (VethPair p = pair(); Socket member = joinIn(p.m, group)) {
            List<IgmpV3Report> reports = p.q.call(() -> {
                try (Socket s = igmpSender()) {
                    s.joinGroup(V3_REPORTS, NetworkInterface.getByName("eth0"));
                    send(s, IgmpV3Query.of(10, ANY, false, 2, 125, List.of()), ALL_HOSTS);
                    List<IgmpV3Report> got = new ArrayList<>();
                    for (Datagram d : RawSupport.receiveFor(s, Duration.ofSeconds(4), d -> isCurrentState(d, group))) {
                        Ipv4Header h = Ipv4Header.parse(d.data());
                        if (!h.source().equals(M_ADDRESS)) continue;
                        assertEquals(V3_REPORTS, h.destination());
                        assertEquals(1, h.ttl());
                        assertTrue(h.options().contains(Ipv4Option.RouterAlert.EXAMINE), h.toString());
                        assertTrue(h.checksumValid());
                        IgmpMessage m = IgmpMessage.parse(d.data(), h.headerLength(), d.data().length - h.headerLength(), true);
                        got.add(assertInstanceOf(IgmpV3Report.class, m));
                    }
                    return got;
                }
            });
            assertTrue(reports.stream().flatMap(r -> r.records().stream()).anyMatch(
                    r -> r.type().equals(IgmpRecordType.MODE_IS_EXCLUDE) && r.group().equals(group) && r.sources().isEmpty()),
                    "M's kernel answered our query with a current-state report for " + group + ": " + reports);
        }
    }

    /**
     * With a v2 query M's kernel answers in v2: a report sent to the group itself. Q never joined
     * that group, so its raw IGMP socket does not see it; an AF_PACKET socket on Q's eth0 does.
     */
    @Test
    void farKernelAnswersV2QueryOnPacketSocketForGroupNeverJoined() throws Exception {
        RawSupport.assumeNetns();
        Inet4Address group = inet4("239.3.3.3");
        try (VethPair p = pair(); Socket member = joinIn(p.m, group)) {
            record Seen(List<Datagram> packet, List<Datagram> raw, List<Datagram> all, int ifindex) {}
            Seen seen = p.q.call(() -> {
                int ifindex = NetworkInterface.getByName("eth0").getIndex();
                try (Socket s = igmpSender(true);
                     Socket packet = Socket.open(Family.PACKET, SocketType.DGRAM, Protocol.ethernet(0x0800));
                     Socket all = Socket.open(Family.PACKET, SocketType.DGRAM, Protocol.ethernet(0x0003))) {
                    packet.bind(PacketAddress.of(0x0800, ifindex));
                    all.bind(PacketAddress.of(0x0003, ifindex)); // ETH_P_ALL
                    send(s, new IgmpV2Query(10, ANY), ALL_HOSTS);
                    List<Datagram> viaPacket = RawSupport.receiveFor(packet, Duration.ofSeconds(4),
                            d -> v2ReportFrom(d, M_ADDRESS, group));
                    List<Datagram> viaRaw = RawSupport.receiveFor(s, Duration.ofMillis(300));
                    List<Datagram> viaAll = RawSupport.receiveFor(all, Duration.ofMillis(300));
                    return new Seen(viaPacket, viaRaw, viaAll, ifindex);
                }
            });
            Datagram report = seen.packet().stream().filter(d -> v2ReportFrom(d, M_ADDRESS, group)).findFirst()
                    .orElseThrow(() -> new AssertionError("no v2 report for " + group + " on AF_PACKET: " + seen.packet()));
            Ipv4Header h = Ipv4Header.parse(report.data());
            assertEquals(group, h.destination(), "a v2 report goes to the group");
            assertTrue(h.checksumValid());
            assertEquals(new IgmpV2Report(group),
                    IgmpMessage.parse(report.data(), h.headerLength(), h.totalLength() - h.headerLength(), true));
            PacketAddress from = assertInstanceOf(PacketAddress.class, report.sender());
            assertEquals(0x0800, from.ethertype());
            assertEquals(seen.ifindex(), from.interfaceIndex());
            assertEquals(PacketAddress.MULTICAST, from.packetType());
            assertEquals(6, from.hardwareAddress().length, from.toString());
            // Outgoing packets reach only ETH_P_ALL packet sockets (the kernel's transmit tap), not
            // one bound to ETH_P_IP: the ETH_P_ALL socket shows our query leaving, the other does not.
            assertTrue(seen.all().stream().anyMatch(d -> d.sender() instanceof PacketAddress a
                    && a.packetType() == PacketAddress.OUTGOING && a.ethertype() == 0x0800
                    && Ipv4Header.parse(d.data()).source().equals(Q_ADDRESS)),
                    "our outgoing query on the ETH_P_ALL socket: " + seen.all());
            assertTrue(seen.packet().stream().noneMatch(d -> ((PacketAddress) d.sender()).packetType() == PacketAddress.OUTGOING),
                    seen.packet().toString());
            // The raw IGMP socket never joined 239.3.3.3: the report is not delivered to it.
            assertTrue(seen.raw().stream().noneMatch(d -> v2ReportFrom(d, M_ADDRESS, group)), seen.raw().toString());
        }
    }

    /** A socket in {@code ns} that joined {@code group} on eth0; the membership lasts until it is closed. */
    static Socket joinIn(Netns ns, Inet4Address group) throws Exception {
        return ns.call(() -> {
            Socket s = Socket.open(Family.INET, SocketType.DGRAM);
            s.joinGroup(group, NetworkInterface.getByName("eth0"));
            return s;
        });
    }

    static boolean isCurrentState(Datagram d, Inet4Address group) {
        Ipv4Header h = Ipv4Header.parse(d.data());
        if (h.protocol() != 2) return false;
        IgmpMessage m = IgmpMessage.parse(d.data(), h.headerLength(), d.data().length - h.headerLength());
        return m instanceof IgmpV3Report r && r.records().stream()
                .anyMatch(x -> x.type().equals(IgmpRecordType.MODE_IS_EXCLUDE) && x.group().equals(group));
    }

    static boolean v2ReportFrom(Datagram d, Inet4Address source, Inet4Address group) {
        Ipv4Header h = Ipv4Header.parse(d.data());
        if (h.protocol() != 2 || !h.source().equals(source)) return false;
        IgmpMessage m = IgmpMessage.parse(d.data(), h.headerLength(), h.totalLength() - h.headerLength());
        return m.equals(new IgmpV2Report(group));
    }

    /** tcpdump writing IGMP on one interface of a namespace to a pcap file, then tshark reading it. */
    static final class Capture implements AutoCloseable {
        final Path dir, pcap, err;
        final Process tcpdump;

        private Capture(Path dir, Process tcpdump) {
            this.dir = dir;
            this.pcap = dir.resolve("capture.pcap");
            this.err = dir.resolve("tcpdump.err");
            this.tcpdump = tcpdump;
        }

        /**
         * Starts tcpdump on {@code ifname} inside {@code ns}, capturing up to {@code count} packets
         * that match {@code filter}; returns once it listens (and half a second more).
         */
        static Capture start(Netns ns, String ifname, int count, String filter) throws Exception {
            Path dir = Files.createTempDirectory("ffsock-igmp");
            // --immediate-mode: without it libpcap hands packets over only when its buffer times
            // out (1 s), and a tcpdump stopped before that has "received" but not written them.
            List<String> cmd = List.of(ns.inside("tcpdump", "-Z", "root", "-i", ifname, "-n", "-U", "--immediate-mode",
                    "-c", Integer.toString(count), "-w", dir.resolve("capture.pcap").toString(), filter));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(dir.resolve("tcpdump.err").toFile()).start();
            Capture c = new Capture(dir, p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(c.err).contains("listening on")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    c.close();
                    throw new AssertionError("tcpdump did not start: " + Files.readString(c.err));
                }
                Thread.sleep(20);
            }
            Thread.sleep(500);
            return c;
        }

        /**
         * Waits (20 s at most) for tcpdump to have its packets and exit, stopping it otherwise,
         * and returns tshark's fields, one row per packet.
         */
        List<String[]> stopAndRead(String... fields) throws Exception {
            if (!tcpdump.waitFor(20, TimeUnit.SECONDS)) {
                tcpdump.destroy();
                assertTrue(tcpdump.waitFor(10, TimeUnit.SECONDS), "tcpdump did not stop");
            }
            List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
                    "-o", "ip.check_checksum:TRUE", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                    "-E", "aggregator=,"));
            for (String f : fields) {
                cmd.add("-e");
                cmd.add(f);
            }
            RawSupport.Result r = RawSupport.run(cmd);
            assertEquals(0, r.exit(), r.toString());
            List<String[]> rows = new ArrayList<>();
            for (String line : r.stdout().lines().toList()) {
                String[] cols = Arrays.copyOf(line.split("\t", -1), fields.length);
                for (int i = 0; i < cols.length; i++) if (cols[i] == null) cols[i] = "";
                rows.add(cols);
            }
            return rows;
        }

        @Override
        public void close() throws Exception {
            if (tcpdump.isAlive()) {
                tcpdump.destroy();
                if (!tcpdump.waitFor(5, TimeUnit.SECONDS)) tcpdump.destroyForcibly().waitFor();
            }
            for (Path f : List.of(pcap, err)) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }

    static Inet4Address inet4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
