package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.SocketKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Message boundaries on SEQPACKET and DGRAM sockets: one message per recv, zero-length messages,
 * truncation, MSG_TRUNC and MSG_PEEK. Each case runs on a socketpair and on sockets connected
 * through the kernel's address lookup (listen/accept for seqpacket, bind/connect for datagrams).
 */
@ExtendWith(FdLeakCheck.class)
class MessageBoundaryTest {

    /** Two connected ends whose type keeps boundaries, and how they were made. */
    record Ends(String how, Socket a, Socket b) implements AutoCloseable {
        @Override
        public void close() {
            a.close();
            b.close();
        }

        @Override
        public String toString() {
            return how;
        }
    }

    interface EndsMaker {
        Ends make() throws Exception;
    }

    static Stream<Arguments> ends() {
        return Stream.of(
                Arguments.of("socketpair SEQPACKET", (EndsMaker) () -> pair(SocketType.SEQPACKET)),
                Arguments.of("socketpair DGRAM", (EndsMaker) () -> pair(SocketType.DGRAM)),
                Arguments.of("AF_UNIX SEQPACKET accepted", (EndsMaker) () -> connected(SocketKind.UNIX_SEQPACKET)),
                Arguments.of("AF_UNIX DGRAM bound", (EndsMaker) () -> connected(SocketKind.UNIX_DGRAM)),
                Arguments.of("UDP over 127.0.0.1", (EndsMaker) () -> connected(SocketKind.UDP4)),
                Arguments.of("UDP over ::1", (EndsMaker) () -> connected(SocketKind.UDP6)));
    }

    private static Ends pair(SocketType type) throws Exception {
        SocketPair p = Socket.pair(type);
        return new Ends("socketpair " + type, p.first(), p.second());
    }

    private static Ends connected(SocketKind kind) throws Exception {
        SocketKind.Connected c = kind.connected();
        return new Ends(kind.toString(), c.client(), c.server());
    }

    private static byte[] message(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (seed * 31 + i);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ends")
    void messagesOfDifferentSizesArriveOnePerRecv(String name, EndsMaker maker) throws Exception {
        int[] sizes = {1, 100, 0, 5000, 3, 0, 0, 1200, 7};
        try (Ends e = maker.make()) {
            e.b().setTimeout(Duration.ofSeconds(5)); // UDP: a lost datagram fails, never hangs
            for (int i = 0; i < sizes.length; i++) assertEquals(sizes[i], e.a().send(message(sizes[i], i)));
            byte[] buffer = new byte[8192];
            for (int i = 0; i < sizes.length; i++) {
                Arrays.fill(buffer, (byte) 0x55);
                int n = e.b().recv(buffer);
                assertEquals(sizes[i], n, "message " + i);
                assertArrayEquals(message(sizes[i], i), Arrays.copyOf(buffer, n), "message " + i);
                assertEquals((byte) 0x55, buffer[n], "nothing written past the message");
            }
            // nothing else is queued
            assertThrows(SyscallException.class, () -> e.b().recv(buffer, 0, buffer.length, Set.of(MsgFlag.DONTWAIT)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ends")
    void zeroLengthMessagesArriveAsZeroThroughEveryBufferKind(String name, EndsMaker maker) throws Exception {
        try (Ends e = maker.make(); Arena arena = Arena.ofConfined()) {
            e.b().setTimeout(Duration.ofSeconds(5));
            for (int i = 0; i < 4; i++) e.a().send(new byte[0]);
            e.a().send(new byte[] {42});
            assertEquals(0, e.b().recv(new byte[10]));
            ByteBuffer bb = ByteBuffer.allocateDirect(10);
            assertEquals(0, e.b().recv(bb));
            assertEquals(0, bb.position());
            assertEquals(0, e.b().recv(arena.allocate(10)));
            assertEquals(0, e.b().recvFrom(10).data().length);
            assertArrayEquals(new byte[] {42}, e.b().recv(10), "the next message is intact");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ends")
    void aLongMessageIsTruncatedAndTheRestIsGone(String name, EndsMaker maker) throws Exception {
        try (Ends e = maker.make(); Arena arena = Arena.ofConfined()) {
            e.b().setTimeout(Duration.ofSeconds(5));
            byte[] big = message(300, 1);
            e.a().send(big);
            e.a().send("next".getBytes(StandardCharsets.US_ASCII));
            e.a().send(big);
            e.a().send(big);
            e.a().send(big);

            byte[] small = new byte[10];
            assertEquals(10, e.b().recv(small));
            assertArrayEquals(Arrays.copyOf(big, 10), small);
            assertArrayEquals("next".getBytes(StandardCharsets.US_ASCII), e.b().recv(100), "the rest was dropped");

            ByteBuffer heap = ByteBuffer.allocate(16).limit(12);
            assertEquals(12, e.b().recv(heap));
            assertEquals(12, heap.position());
            MemorySegment seg = arena.allocate(20);
            assertEquals(20, e.b().recv(seg));
            assertArrayEquals(Arrays.copyOf(big, 20), seg.toArray(ValueLayout.JAVA_BYTE));
            Datagram d = e.b().recvFrom(5);
            assertArrayEquals(Arrays.copyOf(big, 5), d.data());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ends")
    void truncFlagReturnsTheRealLength(String name, EndsMaker maker) throws Exception {
        try (Ends e = maker.make(); Arena arena = Arena.ofConfined()) {
            e.b().setTimeout(Duration.ofSeconds(5));
            byte[] big = message(300, 2);
            for (int i = 0; i < 4; i++) e.a().send(big);
            e.a().send(new byte[] {1, 2});

            byte[] small = new byte[10];
            assertEquals(300, e.b().recv(small, 0, 10, Set.of(MsgFlag.TRUNC)));
            assertArrayEquals(Arrays.copyOf(big, 10), small, "only the buffer was written");

            ByteBuffer bb = ByteBuffer.allocate(8);
            assertEquals(300, e.b().recv(bb, Set.of(MsgFlag.TRUNC)));
            assertEquals(8, bb.position(), "the position moves by what was stored, not the real length");

            assertEquals(300, e.b().recv(arena.allocate(4), Set.of(MsgFlag.TRUNC)));

            Received r = e.b().recvFrom(small, 2, 6, Set.of(MsgFlag.TRUNC));
            assertEquals(300, r.length());
            assertArrayEquals(Arrays.copyOf(big, 6), Arrays.copyOfRange(small, 2, 8));

            // without truncation MSG_TRUNC changes nothing
            assertEquals(2, e.b().recv(small, 0, 10, Set.of(MsgFlag.TRUNC)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ends")
    void peekThenRecvReturnsTheSameBytes(String name, EndsMaker maker) throws Exception {
        try (Ends e = maker.make()) {
            e.b().setTimeout(Duration.ofSeconds(5));
            e.a().send(message(50, 3));
            e.a().send(message(60, 4));
            byte[] peek = new byte[100];
            assertEquals(50, e.b().recv(peek, 0, 100, EnumSet.of(MsgFlag.PEEK)));
            byte[] peekAgain = new byte[100];
            assertEquals(50, e.b().recv(peekAgain, 0, 100, EnumSet.of(MsgFlag.PEEK)));
            byte[] got = new byte[100];
            assertEquals(50, e.b().recv(got));
            assertArrayEquals(peek, got);
            assertArrayEquals(peekAgain, got);
            assertArrayEquals(message(50, 3), Arrays.copyOf(got, 50));
            // a partial peek leaves the whole message
            assertEquals(10, e.b().recv(peek, 0, 10, EnumSet.of(MsgFlag.PEEK)));
            assertEquals(60, e.b().recv(got));
            assertArrayEquals(message(60, 4), Arrays.copyOf(got, 60));
        }
    }
}
