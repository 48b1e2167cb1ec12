package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Datagram;
import io.ffsock.Family;
import io.ffsock.IcmpFilter;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.Protocol;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.packet.IcmpEcho;
import io.ffsock.packet.IcmpMessage;
import io.ffsock.packet.Icmpv6Echo;
import io.ffsock.packet.Icmpv6Message;
import io.ffsock.packet.Ipv4Header;
import io.ffsock.testing.Netns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Issue 4, part 3: ICMP_FILTER and ICMP6_FILTER drop the types they block, and only those. */
class IcmpFilterTest {

    @Test
    void icmpFilterDropsEchoRepliesOnlyOnTheFilteredSocket() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("icmpfilter")) {
            ns.call(() -> {
                try (Socket filtered = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP);
                     Socket open = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP);
                     Socket sender = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
                    assertEquals(IcmpFilter.passAll(), filtered.getOption(LinuxSocketOptions.ICMP_FILTER));
                    filtered.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.blocking(IcmpMessage.TYPE_ECHO_REPLY));
                    IcmpFilter back = filtered.getOption(LinuxSocketOptions.ICMP_FILTER);
                    assertEquals(IcmpFilter.blocking(0), back);
                    assertEquals(List.of(0), back.blockedTypes());

                    sender.sendTo(IcmpEcho.request(0x5151, 1, new byte[8]).toBytes(),
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

                    Function<Datagram, Integer> type = d -> d.data()[Ipv4Header.parse(d.data()).headerLength()] & 0xff;
                    List<Integer> seenOpen = RawSupport.receiveFor(open, Duration.ofSeconds(2),
                            d -> type.apply(d) == 0).stream().map(type).toList();
                    assertEquals(List.of(8, 0), seenOpen, "the unfiltered socket sees the request and the reply");
                    List<Integer> seenFiltered = RawSupport.receiveFor(filtered, Duration.ofSeconds(1))
                            .stream().map(type).toList();
                    assertEquals(List.of(8), seenFiltered, "the filtered socket sees the request but no reply");

                    // Filters for ICMPv4 cover types 0..31 (one u32); larger types are refused up front.
                    IcmpFilter tooWide = IcmpFilter.blocking(0, 32);
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> filtered.setOption(LinuxSocketOptions.ICMP_FILTER, tooWide));
                    assertTrue(e.getMessage().contains("32"), e.getMessage());
                    assertEquals(IcmpFilter.blocking(0), filtered.getOption(LinuxSocketOptions.ICMP_FILTER),
                            "a refused filter leaves the old one in place");

                    // passingOnly blocks 32..255 as well, which a u32 cannot say: refused on ICMPv4
                    // (the kernel passes types above 31 always). The 0..31 complement is expressible.
                    assertThrows(IllegalArgumentException.class,
                            () -> filtered.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(0, 3, 11)));
                    int[] allButErrorsAndReply = java.util.stream.IntStream.range(0, 32)
                            .filter(t -> t != 0 && t != 3 && t != 11).toArray();
                    filtered.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.blocking(allButErrorsAndReply));
                    assertEquals(29, filtered.getOption(LinuxSocketOptions.ICMP_FILTER).blockedTypes().size());
                    assertFalse(filtered.getOption(LinuxSocketOptions.ICMP_FILTER).blocks(11));
                    assertTrue(filtered.getOption(LinuxSocketOptions.ICMP_FILTER).blocks(31));
                    filtered.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passAll());
                    assertEquals(IcmpFilter.passAll(), filtered.getOption(LinuxSocketOptions.ICMP_FILTER));
                }
                return null;
            });
        }
    }

    @Test
    void icmp6FilterDropsEchoRepliesOnlyOnTheFilteredSocket() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("icmp6filter")) {
            ns.call(() -> {
                try (Socket filtered = Socket.open(Family.INET6, SocketType.RAW, Protocol.ICMPV6);
                     Socket open = Socket.open(Family.INET6, SocketType.RAW, Protocol.ICMPV6);
                     Socket sender = Socket.open(Family.INET6, SocketType.RAW, Protocol.ICMPV6)) {
                    assertEquals(IcmpFilter.passAll(), filtered.getOption(LinuxSocketOptions.ICMP6_FILTER));
                    // 129 and 200 lie in different 32-bit words of struct icmp6_filter.
                    IcmpFilter block = IcmpFilter.blocking(Icmpv6Message.TYPE_ECHO_REPLY, 200);
                    filtered.setOption(LinuxSocketOptions.ICMP6_FILTER, block);
                    assertEquals(block, filtered.getOption(LinuxSocketOptions.ICMP6_FILTER));
                    assertEquals(List.of(129, 200), filtered.getOption(LinuxSocketOptions.ICMP6_FILTER).blockedTypes());

                    sender.sendTo(Icmpv6Echo.request(0x6161, 1, new byte[8]).toBytes(),
                            new InetSocketAddress(InetAddress.getByName("::1"), 0));

                    // No IPv6 header on receive: the ICMPv6 type is the first byte.
                    Function<Datagram, Integer> type = d -> d.data()[0] & 0xff;
                    List<Integer> seenOpen = RawSupport.receiveFor(open, Duration.ofSeconds(2),
                            d -> type.apply(d) == 129).stream().map(type).toList();
                    assertEquals(List.of(128, 129), seenOpen, "the unfiltered socket sees the request and the reply");
                    List<Integer> seenFiltered = RawSupport.receiveFor(filtered, Duration.ofSeconds(1))
                            .stream().map(type).toList();
                    assertEquals(List.of(128), seenFiltered, "the filtered socket sees the request but no reply");

                    // An ICMPv6 filter covers all 256 types; passingOnly round-trips too.
                    IcmpFilter only = IcmpFilter.passingOnly(128, 129);
                    filtered.setOption(LinuxSocketOptions.ICMP6_FILTER, only);
                    assertEquals(only, filtered.getOption(LinuxSocketOptions.ICMP6_FILTER));
                    assertEquals(254, only.blockedTypes().size());
                }
                return null;
            });
        }
    }
}
