package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class IcmpFilterTest {
    @Test
    void passingOnlyWorksOnIcmpv4AndHigherTypesPass() throws Exception {
        try (Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
            s.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(0, 3, 11));
            IcmpFilter back = s.getOption(LinuxSocketOptions.ICMP_FILTER);
            assertFalse(back.blocks(0));
            assertFalse(back.blocks(11));
            assertTrue(back.blocks(8));
            assertFalse(back.blocks(40), "ICMPv4 types above 31 cannot be filtered");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.blocking(8, 40)));
            assertTrue(e.getMessage().contains("0..31"), e.getMessage());
        }
    }

    @Test
    void icmpv6WordsRoundTrip() throws Exception {
        try (Socket s = Socket.open(Family.INET6, SocketType.RAW, Protocol.ICMPV6)) {
            IcmpFilter f = IcmpFilter.passingOnly(1, 3, 129, 255);
            s.setOption(LinuxSocketOptions.ICMP6_FILTER, f);
            assertEquals(List.of(1, 3, 129, 255), passed(s.getOption(LinuxSocketOptions.ICMP6_FILTER)));
        }
    }

    private static List<Integer> passed(IcmpFilter f) {
        return java.util.stream.IntStream.range(0, 256).filter(t -> !f.blocks(t)).boxed().toList();
    }
}
