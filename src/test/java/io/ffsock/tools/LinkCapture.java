package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How the multicast tool tests check what went on the wire: tcpdump in one namespace while
 * commands run in another, then tshark's reading of every packet.
 */
final class LinkCapture {
    private LinkCapture() {}

    /** Sends what is to be captured. */
    interface Sends {
        void run() throws Exception;
    }

    static boolean installed(String tool) {
        return Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/usr/sbin", tool));
    }

    /**
     * Starts tcpdump on {@code ifname} in {@code ns} for {@code count} packets matching
     * {@code filter}, runs {@code sends}, waits for tcpdump to have them all (10 s at most), and
     * returns tshark's {@code fields}, "|"-separated, a line per packet.
     *
     * @param helpers where the tcpdump process is recorded, for the test to kill it if it fails
     * @param tsharkOptions more tshark options (preferences, a display filter)
     */
    static List<String> capture(Path dir, Netns ns, String ifname, int count, String filter, List<Process> helpers,
                                Sends sends, List<String> tsharkOptions, String... fields) throws Exception {
        Path pcap = dir.resolve("capture.pcap");
        Path log = dir.resolve("tcpdump.log");
        // --immediate-mode: without it tcpdump gets packets in ~1 s batches, and one stopped soon
        // after the last send may not have seen it. -c: it exits once it has every packet.
        Process tcpdump = new ProcessBuilder(ns.inside("tcpdump", "--immediate-mode", "-U", "-n", "-i", ifname,
                        "-c", Integer.toString(count), "-w", pcap.toString(), filter))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        helpers.add(tcpdump);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.readString(log).contains("listening on") && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(Files.readString(log).contains("listening on"), "tcpdump: " + Files.readString(log));
        Thread.sleep(500);
        sends.run();
        if (!tcpdump.waitFor(10, TimeUnit.SECONDS)) {
            tcpdump.destroy(); // SIGTERM: tcpdump writes what it has and exits; the comparison shows what is missing
            assertTrue(tcpdump.waitFor(10, TimeUnit.SECONDS), "tcpdump did not exit");
        }
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString()));
        cmd.addAll(tsharkOptions);
        cmd.addAll(List.of("-T", "fields", "-E", "separator=|"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        return Netns.exec(cmd.toArray(String[]::new)).lines().toList();
    }
}
