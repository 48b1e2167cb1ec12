package io.ffsock.netlink;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ffsock.testing.NativePeers;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every constant, struct size and member offset of {@link NetlinkConst} against the C headers,
 * as native-tests/conformance.c prints them (its netlink() block): same name, same value. A name
 * the probe does not print is a failure.
 */
class NetlinkConformanceTest {

    @Test
    void netlinkConstantsAndLayoutsMatchTheHeaders() throws IllegalAccessException {
        Map<String, Long> probe = new HashMap<>();
        for (String line : NativePeers.run(Duration.ofSeconds(30), "conformance").split("\n")) {
            String[] p = line.split(" ");
            if (p.length == 2 && !p[0].equals("UNDEFINED")) probe.put(p[0], Long.parseLong(p[1]));
        }
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Field f : NetlinkConst.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class) continue;
            checked++;
            int value = f.getInt(null);
            Long c = probe.get(f.getName());
            if (c == null) problems.add(f.getName() + " = " + value + ": the probe does not print it");
            else if (c != value && c != Integer.toUnsignedLong(value)) problems.add(f.getName() + " = " + value + " but C says " + c);
        }
        assertTrue(checked > 200, "only " + checked + " constants found");
        if (!problems.isEmpty()) fail(problems.size() + " mismatch(es):\n  " + String.join("\n  ", problems));
    }
}
