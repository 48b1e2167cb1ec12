package io.ffsock.icmp;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 10,000 targets in flight at once in a 64 MiB heap. A near namespace routes 10.77.0.0/18 over a
 * veth pair to a far one, where 10.77.0.0/20 is a local route (the kernel answers every address
 * in it: 4,096 of the targets) and the rest of the /18 is a blackhole (silence, so those requests
 * stay in flight until their timeouts). A child JVM with {@code -Xmx64m} queues all 10,000
 * requests at once and must end with exactly 4,096 replies and 5,904 timeouts, without running
 * out of memory.
 */
class PingerTenThousandTest {
    private static final int TARGETS = 10_000;
    private static final int ANSWERING = 4096;

    @Test
    void tenThousandTargetsInFlightFitIn64MiB() throws Exception {
        String why = Netns.unavailableReason();
        assumeTrue(why == null, why);
        Netns near = Netns.create("p10k-n");
        Netns far = null;
        try {
            far = Netns.create("p10k-f");
            Netns.veth(near, "n0", "192.168.77.1/30", far, "f0", "192.168.77.2/30");
            near.ip("route", "add", "10.77.0.0/18", "via", "192.168.77.2");
            far.ip("route", "add", "local", "10.77.0.0/20", "dev", "lo");
            far.ip("route", "add", "blackhole", "10.77.0.0/18");

            String java = ProcessHandle.current().info().command().orElseThrow();
            Path out = Files.createTempFile("ffsock-10k", ".out");
            Path err = Files.createTempFile("ffsock-10k", ".err");
            try {
                Process p = new ProcessBuilder(near.inside(java, "-Xmx64m", "--enable-native-access=ALL-UNNAMED",
                        "-cp", System.getProperty("java.class.path"), TenThousandTargets.class.getName(), String.valueOf(TARGETS)))
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("the child did not finish in 120 s: " + Files.readString(err));
                }
                String stdout = Files.readString(out);
                String stderr = Files.readString(err);
                assertEquals(0, p.exitValue(), "child exit; stdout: " + stdout + " stderr: " + stderr);
                assertFalse(stderr.contains("OutOfMemoryError"), stderr);
                Map<String, Long> r = parse(stdout);
                System.out.println("10,000 targets: " + stdout.strip());
                assertEquals(ANSWERING, r.get("alive"), stdout);
                assertEquals(TARGETS - ANSWERING, r.get("timeouts"), stdout);
                assertEquals(0, r.get("other"), stdout);
                assertTrue(r.get("maxInFlight") >= TARGETS - ANSWERING, "the silent ones were in flight together: " + stdout);
                assertTrue(r.get("maxHeap") <= 64L << 20, stdout);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } finally {
            if (far != null) far.close();
            near.close();
        }
    }

    private static Map<String, Long> parse(String line) {
        Map<String, Long> m = new HashMap<>();
        for (String kv : line.strip().split("\\s+")) {
            String[] p = kv.split("=", 2);
            if (p.length == 2) m.put(p[0], Long.parseLong(p[1]));
        }
        for (String k : List.of("alive", "timeouts", "other", "maxInFlight", "maxHeap")) {
            assertTrue(m.containsKey(k), "child printed no " + k + ": " + line);
        }
        return m;
    }
}
