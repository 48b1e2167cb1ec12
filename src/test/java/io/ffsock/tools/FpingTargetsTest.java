package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@code ffsock fping}'s target sources and number format, without a network: no privilege needed. */
class FpingTargetsTest {
    private static long ip(String s) {
        return FpingTargets.ipv4(s);
    }

    @Test
    void cidrsLeaveOutNetworkAndBroadcastBelowSlash31AsFping() throws Exception {
        assertArrayEquals(new long[] {ip("10.0.0.1"), ip("10.0.0.2")}, FpingTargets.generate(List.of("10.0.0.0/30")));
        assertArrayEquals(new long[] {ip("10.0.0.0"), ip("10.0.0.1")}, FpingTargets.generate(List.of("10.0.0.1/31")));
        assertArrayEquals(new long[] {ip("10.0.0.7")}, FpingTargets.generate(List.of("10.0.0.7/32")));
        assertEquals(254, FpingTargets.generate(List.of("192.168.7.99/24")).length);
        assertEquals(ip("192.168.7.1"), FpingTargets.generate(List.of("192.168.7.99/24"))[0]);
        assertArrayEquals(new long[] {ip("10.0.0.254"), ip("10.0.0.255"), ip("10.0.1.0")},
                FpingTargets.generate(List.of("10.0.0.254", "10.0.1.0")));
        FpingCommand.Invalid wide = assertThrows(FpingCommand.Invalid.class, () -> FpingTargets.generate(List.of("10.0.0.0/7")));
        assertEquals("-g 10.0.0.0/7 would be 33554430 targets; at most a /8 (16777214 targets) is allowed", wide.getMessage());
    }

    @Test
    void targetFileLinesAreCheckedBeforeAnythingIsSent() throws Exception {
        String good = "# comment\n\n  host-1.example  words after it\n10.0.0.1\nfd00::1\nfe80::1%eth0\nlocalhost.\n_srv.example\n";
        assertEquals(List.of("host-1.example", "10.0.0.1", "fd00::1", "fe80::1%eth0", "localhost.", "_srv.example"),
                FpingTargets.readTargets(new BufferedReader(new StringReader(good)), "t"));
        for (String bad : List.of("10.0.0.256", "1.2.3", "http://x", "-host", "a..b", "fd00::g", "host!", "x".repeat(64) + ".example")) {
            FpingCommand.Invalid e = assertThrows(FpingCommand.Invalid.class,
                    () -> FpingTargets.readTargets(new BufferedReader(new StringReader("10.0.0.1\n\n" + bad + "\n")), "f.txt"), bad);
            assertTrue(e.getMessage().startsWith("f.txt:3: not a host name or address: '"), e.getMessage());
        }
        assertFalse(FpingTargets.plausibleTarget("a\u0000b"));
    }

    /**
     * fping prints times with C's printf on a double; Python's % formatting rounds the same way
     * (the exact binary value, half to even), so it is the oracle here.
     */
    @Test
    void timesAreFormattedAsFpingsSprintTm() throws Exception {
        long[] ns = {0, 1, 499, 500, 1500, 12_345, 999_499, 999_500, 1_000_000, 1_000_500, 1_234_567, 2_675_000, 9_995_000,
                9_999_999, 10_000_000, 10_050_000, 55_550_000, 99_949_999, 99_950_000, 100_000_000, 100_500_000, 123_456_789,
                999_999_999_999L, 1_234_567_890_123L};
        StringBuilder script = new StringBuilder("import sys\nfor n in map(int, sys.argv[1:]):\n    t = n / 1e6\n"
                + "    f = '%.3f' if t < 1 else '%.2f' if t < 10 else '%.1f' if t < 100 else '%.0f' if t < 1e6 else '%.3e'\n"
                + "    print(f % t)\n");
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-c", script.toString()));
        for (long n : ns) cmd.add(Long.toString(n));
        List<String> c = io.ffsock.testing.Netns.exec(cmd.toArray(String[]::new)).lines().toList();
        for (int i = 0; i < ns.length; i++) assertEquals(c.get(i), FpingRun.tm(ns[i]), ns[i] + " ns");
    }
}
