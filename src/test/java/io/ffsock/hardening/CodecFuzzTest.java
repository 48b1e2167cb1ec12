package io.ffsock.hardening;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ffsock.packet.IcmpDestinationUnreachable;
import io.ffsock.packet.IcmpMessage;
import io.ffsock.packet.IcmpParameterProblem;
import io.ffsock.packet.IcmpTimeExceeded;
import io.ffsock.packet.Icmpv6DestinationUnreachable;
import io.ffsock.packet.Icmpv6Message;
import io.ffsock.packet.Icmpv6PacketTooBig;
import io.ffsock.packet.Icmpv6ParameterProblem;
import io.ffsock.packet.Icmpv6TimeExceeded;
import io.ffsock.packet.IgmpMessage;
import io.ffsock.packet.InternetChecksum;
import io.ffsock.packet.Ipv4Header;
import io.ffsock.packet.Ipv6Header;
import io.ffsock.packet.MalformedPacketException;
import io.ffsock.packet.QuotedDatagram;
import io.ffsock.packet.QuotedIpv6Packet;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * Coverage-guided fuzzing (Jazzer) of every parser in {@code io.ffsock.packet}.
 *
 * <p>The property checked for each input: the parser returns a value or throws
 * {@link MalformedPacketException} with a message, and nothing else (no IndexOutOfBounds, no
 * NegativeArraySize, no IllegalArgument from a record constructor); it gives the same result
 * whether the input is a whole array or a window in a larger one (so it never reads outside its
 * window); and what it accepts re-encodes to bytes that parse back to the same bytes.
 *
 * <p>In the normal build Jazzer runs in regression mode: each method replays the committed
 * corpus in {@code src/test/resources/io/ffsock/hardening/CodecFuzzTestInputs/<method>/} (seeds
 * and every finding, kept as regression tests). {@code JAZZER_FUZZ=1} (or {@code -Pfuzz}) fuzzes
 * one method for {@code -Djazzer.max_duration} (see {@code Fuzzing}); see the README's
 * Reliability section for the commands.
 */
class CodecFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void ipv4Header(byte[] data) {
        check("Ipv4Header", data, b -> Ipv4Header.parse(b, 0, b.length), o -> ((Ipv4Header) o).toBytes(),
                (b, off, len) -> Ipv4Header.parse(b, off, len));
        // What a raw ICMP/IGMP socket hands over: a header, then the payload the header says.
        try {
            Ipv4Header h = Ipv4Header.parse(data);
            h.toString();
            int hl = h.headerLength();
            if (hl <= data.length) {
                byte[] payload = Arrays.copyOfRange(data, hl, data.length);
                if (h.protocol() == Ipv4Header.PROTOCOL_ICMP) icmp(payload);
                if (h.protocol() == Ipv4Header.PROTOCOL_IGMP) igmp(payload);
            }
        } catch (MalformedPacketException expected) {
            requireMessage(expected, data);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void ipv6Header(byte[] data) {
        check("Ipv6Header", data, b -> Ipv6Header.parse(b, 0, b.length), o -> ((Ipv6Header) o).toBytes(),
                (b, off, len) -> Ipv6Header.parse(b, off, len));
        // A whole packet as captured: a header, then (for ICMPv6) a message, maybe an error quoting another.
        try {
            Ipv6Header h = Ipv6Header.parse(data);
            h.payloadAvailable(data.length - Ipv6Header.LENGTH);
            if (h.nextHeader() == Ipv6Header.NEXT_HEADER_ICMPV6) {
                icmpv6Message(Arrays.copyOfRange(data, Ipv6Header.LENGTH, data.length));
            }
        } catch (MalformedPacketException expected) {
            requireMessage(expected, data);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void icmpMessage(byte[] data) {
        icmp(data);
    }

    @FuzzTest(maxDuration = "30s")
    void icmpv6Message(byte[] data) {
        check("Icmpv6Message", data, b -> Icmpv6Message.parse(b, 0, b.length), o -> ((Icmpv6Message) o).toBytes(),
                Icmpv6Message::parse);
        try {
            Icmpv6Message m = Icmpv6Message.parse(data);
            m.toString();
            Inet6Address lo = (Inet6Address) InetAddress.getByName("::1");
            byte[] withSum = m.toBytes(lo, lo);
            if (!Icmpv6Message.checksumValid(withSum, 0, withSum.length, lo, lo)) {
                throw new AssertionError("ICMPv6 checksum written by toBytes does not verify: " + hex(data));
            }
            // An ICMPv6 error quotes a packet: its header is parsed on request and must never throw.
            QuotedIpv6Packet q = switch (m) {
                case Icmpv6DestinationUnreachable u -> u.quote();
                case Icmpv6TimeExceeded t -> t.quote();
                case Icmpv6PacketTooBig t -> t.quote();
                case Icmpv6ParameterProblem pp -> pp.quote();
                default -> null;
            };
            if (q != null) {
                q.toString();
                q.truncated();
                q.header().ifPresent(Ipv6Header::toString);
                q.payload();
            }
        } catch (MalformedPacketException expected) {
            requireMessage(expected, data);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void igmpMessage(byte[] data) {
        igmp(data);
    }

    /** The internet checksum over any bytes, any window: never throws, and agrees with itself. */
    @FuzzTest(maxDuration = "30s")
    void internetChecksum(byte[] data) {
        int whole = InternetChecksum.checksum(data);
        if (data.length > 0) {
            int cut = (data[0] & 0xff) % (data.length + 1);
            // RFC 1071: the sum of two halves split at an even offset is the sum of the whole.
            cut &= ~1;
            long partial = InternetChecksum.add(InternetChecksum.add(0, data, 0, cut), data, cut, data.length - cut);
            if (InternetChecksum.finish(partial) != whole) {
                throw new AssertionError("split checksum differs at " + cut + ": " + hex(data));
            }
        }
        if (InternetChecksum.checksum(java.nio.ByteBuffer.wrap(data)) != whole) {
            throw new AssertionError("ByteBuffer checksum differs: " + hex(data));
        }
    }

    private static void icmp(byte[] data) {
        check("IcmpMessage", data, b -> IcmpMessage.parse(b, 0, b.length), o -> ((IcmpMessage) o).toBytes(),
                IcmpMessage::parse);
        try {
            IcmpMessage.parse(data, 0, data.length, true);
        } catch (MalformedPacketException expected) {
            requireMessage(expected, data);
        }
        // An ICMP error quotes a datagram: its header is parsed lazily and must never throw.
        try {
            QuotedDatagram q = switch (IcmpMessage.parse(data)) {
                case IcmpDestinationUnreachable u -> u.quote();
                case IcmpTimeExceeded t -> t.quote();
                case IcmpParameterProblem p -> p.quote();
                default -> null;
            };
            if (q != null) {
                q.toString();
                q.header().ifPresent(Ipv4Header::toString);
                q.payload();
            }
        } catch (MalformedPacketException expected) {
            requireMessage(expected, data);
        }
    }

    private static void igmp(byte[] data) {
        check("IgmpMessage", data, b -> IgmpMessage.parse(b, 0, b.length), o -> ((IgmpMessage) o).toBytes(),
                IgmpMessage::parse);
        try {
            IgmpMessage.parse(data, 0, data.length, true);
        } catch (MalformedPacketException expected) {
            requireMessage(expected, data);
        }
    }

    @FunctionalInterface
    interface WindowParser {
        Object parse(byte[] b, int off, int len);
    }

    /**
     * The core property: value or MalformedPacketException; the same in a window; what is
     * accepted re-encodes and parses back to the same bytes.
     */
    private static void check(String name, byte[] data, Function<byte[], Object> parse,
                              Function<Object, byte[]> encode, WindowParser window) {
        String whole = outcome(name, data, () -> parse.apply(data), encode);
        byte[] big = new byte[data.length + 13];
        Arrays.fill(big, (byte) 0xEE);
        System.arraycopy(data, 0, big, 5, data.length);
        String windowed = outcome(name, data, () -> window.parse(big, 5, data.length), encode);
        if (!whole.equals(windowed)) {
            throw new AssertionError(name + " gave " + whole + " on the array but " + windowed
                    + " in a window: it read outside its window; input " + hex(data));
        }
        if (whole.startsWith("ok ")) {
            byte[] again = HexFormat.of().parseHex(whole.substring(3));
            String reparsed = outcome(name, again, () -> parse.apply(again), encode);
            if (!reparsed.equals(whole)) {
                throw new AssertionError(name + " re-encoded " + hex(data) + " as " + whole.substring(3)
                        + ", which parses to " + reparsed);
            }
        }
    }

    private static String outcome(String name, byte[] input, java.util.function.Supplier<Object> parse,
                                  Function<Object, byte[]> encode) {
        Object value;
        try {
            value = parse.get();
        } catch (MalformedPacketException expected) {
            requireMessage(expected, input);
            return "malformed: " + expected.getMessage();
        }
        value.toString();
        value.hashCode();
        return "ok " + hex(encode.apply(value));
    }

    private static void requireMessage(MalformedPacketException e, byte[] input) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("MalformedPacketException without a message on " + hex(input), e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
