package io.ffsock.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every parser, fed every truncation of every valid vector, random garbage, and randomly mutated
 * vectors, either returns a value or throws {@link MalformedPacketException} — never an
 * IndexOutOfBoundsException or any other exception. Whatever it returns must re-encode and parse
 * back to the same bytes.
 */
class MalformedInputTest {

    /** A parser by name, with the encoder of the type it returns. */
    private record Parser(String name, Function<Object, byte[]> encode) {}

    private static final List<Parser> PARSERS = List.of(
            new Parser("Ipv4Header", o -> ((Ipv4Header) o).toBytes()),
            new Parser("Ipv6Header", o -> ((Ipv6Header) o).toBytes()),
            new Parser("IcmpMessage", o -> ((IcmpMessage) o).toBytes()),
            new Parser("Icmpv6Message", o -> ((Icmpv6Message) o).toBytes()),
            new Parser("IgmpMessage", o -> ((IgmpMessage) o).toBytes()));

    /**
     * Parses {@code content} either as a whole array (so a read past the end fails loudly) or
     * placed at offset 8 of a larger array filled with 0xEE (so the window arithmetic is
     * exercised, and a read past the window would see plausible bytes and give a different
     * result from the whole-array parse).
     */
    private static Object parse(String parser, byte[] content, boolean inWindow) {
        byte[] b = content;
        int off = 0;
        if (inWindow) {
            b = new byte[content.length + 16];
            Arrays.fill(b, (byte) 0xEE);
            System.arraycopy(content, 0, b, 8, content.length);
            off = 8;
        }
        int len = content.length;
        return switch (parser) {
            case "Ipv4Header" -> Ipv4Header.parse(b, off, len);
            case "Ipv6Header" -> Ipv6Header.parse(b, off, len);
            case "IcmpMessage" -> IcmpMessage.parse(b, off, len);
            case "Icmpv6Message" -> Icmpv6Message.parse(b, off, len);
            case "IgmpMessage" -> IgmpMessage.parse(b, off, len);
            default -> throw new IllegalArgumentException(parser);
        };
    }

    /** The parse result as comparable text: the re-encoded bytes, or the exception message. */
    private static String outcome(Parser p, byte[] input, boolean inWindow) {
        Object value;
        try {
            value = parse(p.name(), input, inWindow);
        } catch (MalformedPacketException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                fail(p.name() + " threw MalformedPacketException without a message on " + Hex.of(input));
            }
            return "malformed: " + expected.getMessage();
        } catch (RuntimeException e) {
            throw new AssertionError(p.name() + " threw " + e + " on " + Hex.of(input), e);
        }
        // Whatever was accepted is a value the codec can write, and what it writes reads back to
        // the same bytes (bytes, not values: an IPv4 header's checksum component is recomputed).
        byte[] again = p.encode().apply(value);
        assertArrayEquals(again, p.encode().apply(parse(p.name(), again, false)), p.name() + " on " + Hex.of(input));
        return Hex.of(again);
    }

    private static int checked;

    /** Parses; anything but success or MalformedPacketException fails the test. */
    private static void check(Parser p, byte[] input) {
        String whole = outcome(p, input, false);
        assertEquals(whole, outcome(p, input, true), p.name() + " read outside its window on " + Hex.of(input));
        checked++;
    }

    private static List<byte[]> validInputs(String parser) {
        List<byte[]> out = new ArrayList<>();
        switch (parser) {
            case "Ipv4Header" -> {
                out.addAll(Captures.icmpPackets());
                out.addAll(Captures.igmpPackets());
            }
            case "Ipv6Header" -> Captures.ipv6Packets().forEach(p -> {
                out.add(p);
                out.add(Arrays.copyOfRange(p, 48, p.length)); // the quoted packet
            });
            case "IcmpMessage" -> Captures.icmpPackets().forEach(p -> out.add(Captures.payload(p)));
            case "Icmpv6Message" -> out.addAll(Captures.icmpv6Messages());
            case "IgmpMessage" -> {
                Captures.igmpPackets().forEach(p -> out.add(Captures.payload(p)));
                out.add(Hex.bytes(Captures.V1_QUERY_IGMP_ONLY));
            }
            default -> throw new IllegalArgumentException(parser);
        }
        RandomPackets r = new RandomPackets(parser.hashCode());
        for (int i = 0; i < 200; i++) {
            out.add(switch (parser) {
                case "Ipv4Header" -> r.ipv4Header().toBytes();
                case "Ipv6Header" -> r.ipv6Header().toBytes();
                case "IcmpMessage" -> r.icmp().toBytes();
                case "Icmpv6Message" -> r.icmpv6().toBytes();
                default -> r.igmp().toBytes();
            });
        }
        return out;
    }

    @Test
    void everyTruncationOfEveryValidInput() {
        checked = 0;
        for (Parser p : PARSERS) {
            for (byte[] valid : validInputs(p.name())) {
                for (int len = 0; len <= valid.length; len++) {
                    check(p, Arrays.copyOf(valid, len));
                }
            }
        }
        assertTrue(checked > 10_000, "inputs checked: " + checked);
    }

    @Test
    void randomGarbage() {
        Random random = new Random(0xBADBAD);
        for (Parser p : PARSERS) {
            for (int i = 0; i < 50_000; i++) {
                byte[] b = new byte[random.nextInt(80)];
                random.nextBytes(b);
                // Bias the first byte towards what each parser recognizes, so the deep paths run.
                if (b.length > 0 && random.nextBoolean()) {
                    b[0] = (byte) switch (p.name()) {
                        case "Ipv4Header" -> 0x40 | random.nextInt(16);
                        case "Ipv6Header" -> 0x60 | random.nextInt(16);
                        case "IcmpMessage" -> new int[] {0, 3, 5, 8, 11, 12, 13, 14}[random.nextInt(8)];
                        case "Icmpv6Message" -> new int[] {1, 2, 3, 4, 128, 129, 130, 131, 132, 143}[random.nextInt(10)];
                        default -> new int[] {0x11, 0x12, 0x16, 0x17, 0x22}[random.nextInt(5)];
                    };
                }
                check(p, b);
            }
        }
    }

    @Test
    void randomMutationsOfValidInputs() {
        Random random = new Random(0xF1F1);
        for (Parser p : PARSERS) {
            List<byte[]> valid = validInputs(p.name());
            for (int i = 0; i < 50_000; i++) {
                byte[] b = valid.get(random.nextInt(valid.size())).clone();
                if (b.length == 0) {
                    continue;
                }
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    int at = random.nextInt(Math.min(b.length, 40)); // headers and counts live up front
                    b[at] = random.nextInt(4) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
                }
                check(p, b);
            }
        }
    }
}
