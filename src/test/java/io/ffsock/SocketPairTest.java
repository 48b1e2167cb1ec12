package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SocketPairTest {
    @Test
    void streamPairCarriesBytesEveryBufferKind() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            assertEquals(5, p.first().send("hello".getBytes(StandardCharsets.US_ASCII)));
            byte[] in = new byte[16];
            assertEquals(5, p.second().recv(in));
            assertEquals("hello", new String(in, 0, 5, StandardCharsets.US_ASCII));

            ByteBuffer direct = ByteBuffer.allocateDirect(8).put(new byte[] {1, 2, 3}).flip();
            assertEquals(3, p.second().send(direct));
            assertEquals(3, direct.position());
            ByteBuffer heap = ByteBuffer.allocate(8);
            assertEquals(3, p.first().recv(heap));
            assertEquals(3, heap.position());
            assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(heap.array(), 3));

            try (Arena a = Arena.ofConfined()) {
                MemorySegment seg = a.allocate(4);
                seg.fill((byte) 7);
                assertEquals(4, p.first().send(seg));
                MemorySegment heapSeg = MemorySegment.ofArray(new byte[4]);
                assertEquals(4, p.second().recv(heapSeg));
                assertArrayEquals(new byte[] {7, 7, 7, 7}, heapSeg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void nonBlockingHeapPathAndTimeout() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            p.second().setTimeout(Duration.ofMillis(100));
            long t0 = System.nanoTime();
            assertThrows(java.net.SocketTimeoutException.class, () -> p.second().recv(new byte[4]));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 95, "returned after " + ms + " ms");
            p.first().send(new byte[] {9, 8});
            byte[] b = new byte[4];
            assertEquals(2, p.second().recv(b, 0, 4, Set.of(MsgFlag.PEEK)));
            assertEquals(2, p.second().recv(b));
            assertEquals(9, b[0]);
        }
    }
}
