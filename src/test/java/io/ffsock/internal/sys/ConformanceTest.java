package io.ffsock.internal.sys;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ffsock.testing.NativePeers;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link Const} and {@link Structs} with the real C headers, as printed by
 * {@code native-tests/conformance.c}: every {@code public static final int} of Const by name and
 * value, and every {@code public static final StructLayout} of Structs by size and by the offset
 * and size of each named member. A name the probe does not print is a failure, not a skip. All
 * mismatches are reported together.
 */
class ConformanceTest {

    private static final Map<String, Long> PROBE = new LinkedHashMap<>();
    /** Names conformance-names.txt lists but the headers on this machine do not define. */
    private static final Set<String> UNDEFINED = new HashSet<>();

    @BeforeAll
    static void runProbe() {
        String output = NativePeers.run(Duration.ofSeconds(30), "conformance");
        for (String line : output.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(" ");
            if (parts.length != 2) {
                fail("conformance printed a malformed line: '" + line + "'");
            }
            if (parts[0].equals("UNDEFINED")) {
                UNDEFINED.add(parts[1]);
            } else if (PROBE.put(parts[0], Long.parseLong(parts[1])) != null) {
                fail("conformance printed " + parts[0] + " twice");
            }
        }
        assertFalse(PROBE.isEmpty(), "conformance printed nothing");
    }

    @Test
    void constantsMatchTheHeaders() throws IllegalAccessException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Field field : Const.class.getDeclaredFields()) {
            if (!isPublicStaticFinal(field) || field.getType() != int.class) {
                continue;
            }
            checked++;
            String name = field.getName();
            int value = field.getInt(null);
            Long c = PROBE.get(name);
            if (c == null) {
                problems.add("Const." + name + " = " + value + ": "
                        + (UNDEFINED.contains(name)
                                ? "the C headers here do not define " + name
                                : "the probe does not print " + name + " (add it to native-tests/conformance-names.txt)"));
            } else if (c != value && c != Integer.toUnsignedLong(value)) {
                // The unsigned form matches too: EPOLLET is 1u << 31 in C and Integer.MIN_VALUE in Java.
                problems.add("Const." + name + " = " + value + " (0x" + Integer.toHexString(value)
                        + ") but C says " + c + " (0x" + Long.toHexString(c) + ")");
            }
        }
        assertTrue(checked > 0, "Const has no public static final int fields");
        report(problems, checked + " constants of Const");
    }

    @Test
    void structLayoutsMatchTheHeaders() throws IllegalAccessException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Field field : Structs.class.getDeclaredFields()) {
            if (!isPublicStaticFinal(field) || !StructLayout.class.isAssignableFrom(field.getType())) {
                continue;
            }
            checked++;
            String struct = field.getName();
            StructLayout layout = (StructLayout) field.get(null);
            compare(problems, "Structs." + struct + " byteSize()", "SIZEOF_" + struct, layout.byteSize());
            for (MemoryLayout member : layout.memberLayouts()) {
                if (member.name().isEmpty()) {
                    continue; // padding
                }
                String name = member.name().get();
                String suffix = struct + "_" + name.toUpperCase(Locale.ROOT);
                compare(problems, "Structs." + struct + " offset of " + name, "OFFSETOF_" + suffix,
                        layout.byteOffset(PathElement.groupElement(name)));
                compare(problems, "Structs." + struct + " size of " + name, "MEMBERSIZE_" + suffix,
                        member.byteSize());
            }
        }
        assertTrue(checked > 0, "Structs has no public static final StructLayout fields");
        report(problems, checked + " struct layouts of Structs");
    }

    private static void compare(List<String> problems, String what, String key, long javaValue) {
        Long c = PROBE.get(key);
        if (c == null) {
            problems.add(what + " = " + javaValue + ": the probe does not print " + key
                    + " (add the struct or member to native-tests/conformance.c)");
        } else if (c != javaValue) {
            problems.add(what + " = " + javaValue + " but C says " + key + " = " + c);
        }
    }

    private static void report(List<String> problems, String what) {
        if (!problems.isEmpty()) {
            fail(problems.size() + " mismatch(es) between " + what + " and the C headers:\n  "
                    + String.join("\n  ", problems));
        }
    }

    private static boolean isPublicStaticFinal(Field field) {
        int m = field.getModifiers();
        return Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m);
    }
}
