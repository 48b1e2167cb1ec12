package io.ffsock.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {

    /** RFC 1071 section 1 taken literally: 16-bit words, end-around carry after every add. */
    static int reference(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            int word = (b[off + i] & 0xFF) << 8 | (i + 1 < len ? b[off + i + 1] & 0xFF : 0);
            sum += word;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (after the carries),
        // so the checksum is its complement.
        byte[] b = Hex.bytes("0001f203f4f5f6f7");
        assertEquals(0xddf2, InternetChecksum.fold(InternetChecksum.add(0, b, 0, b.length)));
        assertEquals(0x220d, InternetChecksum.checksum(b));
    }

    @Test
    void emptyAndSingleByte() {
        assertEquals(0xFFFF, InternetChecksum.checksum(new byte[0]));
        // An odd final byte is the high byte of a word padded with zero.
        assertEquals(~0xAB00 & 0xFFFF, InternetChecksum.checksum(new byte[] {(byte) 0xAB}));
    }

    @Test
    void capturedHeadersSumToZero() {
        for (byte[] p : Captures.icmpPackets()) {
            int ihl = 4 * (p[0] & 0x0F);
            assertEquals(0, InternetChecksum.checksum(p, 0, ihl), Hex.of(p));
            assertEquals(0, InternetChecksum.checksum(p, ihl, p.length - ihl), Hex.of(p));
        }
        for (byte[] p : Captures.igmpPackets()) {
            assertEquals(0, InternetChecksum.checksum(p, 0, 24), Hex.of(p));
            assertEquals(0, InternetChecksum.checksum(p, 24, p.length - 24), Hex.of(p));
        }
    }

    @Test
    void matchesReferenceOnRandomDataOfEveryShortLengthAndOffset() {
        Random random = new Random(1071);
        for (int len = 0; len <= 300; len++) {
            for (int off = 0; off < 9; off++) {
                byte[] b = new byte[off + len + 3];
                random.nextBytes(b);
                assertEquals(reference(b, off, len), InternetChecksum.checksum(b, off, len),
                        "len " + len + " off " + off);
            }
        }
    }

    @Test
    void matchesReferenceOnLargeBuffers() {
        Random random = new Random(42);
        for (int len : new int[] {1 << 16, (1 << 20) + 7, 3_000_001}) {
            byte[] b = new byte[len];
            random.nextBytes(b);
            assertEquals(reference(b, 0, len), InternetChecksum.checksum(b), "len " + len);
        }
        // All ones is the worst case for carries.
        byte[] ones = new byte[(1 << 22) + 1];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        assertEquals(reference(ones, 0, ones.length), InternetChecksum.checksum(ones));
    }

    @Test
    void partialSumsOverEvenPiecesEqualTheWhole() {
        Random random = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            byte[] b = new byte[random.nextInt(400)];
            random.nextBytes(b);
            long sum = 0;
            int i = 0;
            while (i < b.length) {
                int piece = Math.min(b.length - i, 2 * random.nextInt(40));
                if (piece == 0 && b.length - i == 1) {
                    piece = 1; // the last piece may be odd
                }
                sum = InternetChecksum.add(sum, b, i, piece);
                i += piece;
            }
            assertEquals(reference(b, 0, b.length), InternetChecksum.finish(sum));
        }
    }

    @Test
    void anyLongIsAcceptedAsAPartialSum() {
        // Folding must be right even for a partial sum near 2^64: it is a one's complement sum
        // modulo 0xFFFF of the unsigned value.
        for (long partial : new long[] {-1L, Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFF_FFFFL, 0x1_0000_0000L}) {
            long mod = Long.remainderUnsigned(partial, 0xFFFF);
            int expected = mod == 0 && partial != 0 ? 0xFFFF : (int) mod;
            assertEquals(expected, InternetChecksum.fold(partial), Long.toHexString(partial));
        }
    }

    @Test
    void byteBuffersHeapDirectAndReadOnlyAgreeWithArrays() {
        Random random = new Random(99);
        for (int len = 0; len < 200; len++) {
            byte[] b = new byte[len + 5];
            random.nextBytes(b);
            int expected = reference(b, 3, len);
            ByteBuffer heap = ByteBuffer.wrap(b, 3, len);
            ByteBuffer direct = ByteBuffer.allocateDirect(b.length).put(b).position(3).limit(3 + len);
            ByteBuffer sliced = ByteBuffer.wrap(b).position(2).slice().position(1).limit(1 + len);
            assertEquals(expected, InternetChecksum.checksum(heap));
            assertEquals(expected, InternetChecksum.checksum(direct));
            assertEquals(expected, InternetChecksum.checksum(direct.asReadOnlyBuffer()));
            assertEquals(expected, InternetChecksum.checksum(sliced));
            assertEquals(3, heap.position(), "position must not move");
        }
    }

    @Test
    void ipv6PseudoHeaderMatchesCapturedEcho() {
        byte[] m = Hex.bytes(Captures.ECHO6_REQUEST);
        long sum = InternetChecksum.addPseudoHeader(0, Captures.v6("::1"), Captures.v6("::1"), 58, m.length);
        assertEquals(0, InternetChecksum.finish(InternetChecksum.add(sum, m, 0, m.length)));
    }

    @Test
    void ipv4PseudoHeaderMatchesWhatLinuxLeavesForChecksumOffload() {
        // The UDP datagram quoted in the port-unreachable capture went over lo with checksum
        // offload (CHECKSUM_PARTIAL): the kernel stored only the folded pseudo-header sum (fe27)
        // in the checksum field, for the "hardware" to finish. That is exactly what
        // addPseudoHeader computes for 127.0.0.1 > 127.0.0.1, UDP, length 20.
        long sum = InternetChecksum.addPseudoHeader(0, Captures.v4("127.0.0.1"), Captures.v4("127.0.0.1"),
                Ipv4Header.PROTOCOL_UDP, 20);
        assertEquals(0xfe27, InternetChecksum.fold(sum));
    }

    @Test
    void rangeOutsideArrayIsACallerBug() {
        assertThrows(IndexOutOfBoundsException.class, () -> InternetChecksum.checksum(new byte[4], 2, 3));
    }
}
