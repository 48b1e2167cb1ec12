package io.ffsock.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IgmpTimeCodeTest {

    @Test
    void decodesPerRfc3376Section411() {
        assertEquals(0, IgmpTimeCode.decode(0));
        assertEquals(100, IgmpTimeCode.decode(100)); // the RFC's default Max Resp Time, 10 s
        assertEquals(127, IgmpTimeCode.decode(127));
        assertEquals(128, IgmpTimeCode.decode(0x80)); // exp 0, mant 0: 16 << 3
        assertEquals(248, IgmpTimeCode.decode(0x8F)); // exp 0, mant 15: 31 << 3
        assertEquals(256, IgmpTimeCode.decode(0x90)); // exp 1, mant 0: 16 << 4
        assertEquals(31744, IgmpTimeCode.decode(0xFF)); // exp 7, mant 15: 31 << 10
    }

    @Test
    void everyCodeRoundTrips() {
        for (int code = 0; code < 256; code++) {
            assertEquals(code, IgmpTimeCode.encode(IgmpTimeCode.decode(code)), "code " + code);
        }
    }

    @Test
    void encodeRoundsUpToTheSmallestRepresentableValueForEveryValue() {
        TreeSet<Integer> representable = new TreeSet<>();
        for (int code = 0; code < 256; code++) {
            representable.add(IgmpTimeCode.decode(code));
        }
        for (int v = 0; v <= IgmpTimeCode.MAX_VALUE; v++) {
            int decoded = IgmpTimeCode.decode(IgmpTimeCode.encode(v));
            assertEquals(representable.ceiling(v), decoded, "value " + v);
            assertEquals(representable.contains(v), IgmpTimeCode.isExact(v));
        }
    }

    @Test
    void roundingUpCrossesIntoTheNextExponent() {
        // 249..255 lie above 31 << 3 = 248, the largest value with exponent 0: next is 16 << 4.
        assertEquals(0x90, IgmpTimeCode.encode(249));
        assertEquals(256, IgmpTimeCode.decode(IgmpTimeCode.encode(255)));
        assertTrue(IgmpTimeCode.isExact(125)); // RFC 3376 default Query Interval, 125 s
        assertFalse(IgmpTimeCode.isExact(129));
    }

    @Test
    void rejectsValuesOutOfRange() {
        assertEquals("IGMP time value 31745 is outside 0..31744",
                assertThrows(IllegalArgumentException.class, () -> IgmpTimeCode.encode(31745)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> IgmpTimeCode.encode(-1));
        assertThrows(IllegalArgumentException.class, () -> IgmpTimeCode.decode(256));
    }
}
