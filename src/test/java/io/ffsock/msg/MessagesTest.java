package io.ffsock.msg;

import static io.ffsock.msg.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Family;
import io.ffsock.MsgFlag;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.SyscallException;
import io.ffsock.UnixAddress;
import io.ffsock.testing.NativePeers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sendmsg/recvmsg without control data: scatter/gather, MSG_PEEK, MSG_TRUNC, MSG_EOR, senders,
 * argument checks. Boundaries are checked against the C seqpacket_echo peer.
 */
@ExtendWith(NoFdLeaks.class)
class MessagesTest {

    private static String text(ByteBuffer b, int from, int to) {
        byte[] out = new byte[to - from];
        b.get(from, out);
        return new String(out, StandardCharsets.US_ASCII);
    }

    /** Heap (a slice with an array offset, a read-only view) and direct buffers mixed, positions not 0. */
    private static List<ByteBuffer> threeBuffers() {
        ByteBuffer heapSlice = ByteBuffer.wrap("..abc..".getBytes(StandardCharsets.US_ASCII), 2, 3).slice(); // arrayOffset 2
        ByteBuffer direct = ByteBuffer.allocateDirect(8);
        direct.put("xxDEFG".getBytes(StandardCharsets.US_ASCII)).flip().position(2);
        ByteBuffer readOnly = ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
        return List.of(heapSlice, direct, readOnly);
    }

    @Test
    void gatherArrivesAsOneMessageAtTheCPeerAndScatterFillsInOrder() throws Exception {
        try (NativePeers.Peer echo = NativePeers.start("seqpacket_echo", NativePeers.abstractAddress("sg"));
                Socket s = Socket.open(Family.UNIX, SocketType.SEQPACKET)) {
            s.connect(UnixAddress.parse(echo.address()));
            s.setTimeout(TIMEOUT);
            List<ByteBuffer> out = threeBuffers();
            assertEquals(9, s.sendMsg(out, List.of(), Set.of(), null));
            for (ByteBuffer b : out) assertFalse(b.hasRemaining(), "each position moved past what was sent: " + b);
            // Sent twice: once read whole (one message of 9 bytes: gathered, not 3 messages)...
            s.sendMsg(threeBuffers(), List.of(), Set.of(), null);
            byte[] whole = new byte[64];
            assertEquals(9, s.recv(whole));
            assertEquals("abcDEFGhi", new String(whole, 0, 9, StandardCharsets.US_ASCII));
            // ...once scattered: direct 2, heap slice 4 (array offset 3, position 1), direct 10.
            ByteBuffer first = ByteBuffer.allocateDirect(2);
            ByteBuffer second = ByteBuffer.wrap(new byte[10], 3, 5).slice().position(1);
            ByteBuffer third = ByteBuffer.allocateDirect(10);
            try (ReceivedMessage m = s.recvMsg(List.of(first, second, third), 0, Set.of())) {
                assertEquals(9, m.length());
                assertFalse(m.isTruncated());
                assertEquals(List.of(), m.control());
                assertEquals(UnixAddress.parse(echo.address()), m.sender(),
                        "AF_UNIX names the sender's bound address even on a connected socket");
            }
            assertEquals(2, first.position());
            assertEquals(5, second.position());
            assertEquals(3, third.position());
            assertEquals("ab", text(first, 0, 2));
            assertEquals("cDEF", text(second, 1, 5));
            assertEquals(0, second.get(0), "bytes before the position untouched");
            assertEquals(0, second.array()[3], "bytes of the backing array before the slice untouched");
            assertEquals("Ghi", text(third, 0, 3));
            assertEquals(0, third.get(3));
        }
    }

    @Test
    void scatterIntoHeapBuffersLeavesTheUnusedOnesAlone() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
            p.first().send("12345".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer a = ByteBuffer.allocate(3);
            ByteBuffer b = ByteBuffer.allocate(3);
            ByteBuffer c = ByteBuffer.allocate(3);
            try (ReceivedMessage m = p.second().recvMsg(List.of(a, b, c), 0, Set.of())) {
                assertEquals(5, m.length());
            }
            assertEquals("123", text(a, 0, 3));
            assertEquals("45", text(b, 0, 2));
            assertEquals(2, b.position());
            assertEquals(0, c.position());
            assertArrayEquals(new byte[3], c.array());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"seqpacket", "dgram", "stream"})
    void peekThenReceiveGivesTheSameBytes(String typeName) throws Exception {
        try (SocketPair p = Socket.pair(type(typeName))) {
            p.first().send("peekaboo".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer peeked = ByteBuffer.allocate(16);
            try (ReceivedMessage m = p.second().recvMsg(List.of(peeked), 0, EnumSet.of(MsgFlag.PEEK))) {
                assertEquals(8, m.length());
            }
            ByteBuffer peekedAgain = ByteBuffer.allocate(16);
            try (ReceivedMessage m = p.second().recvMsg(List.of(peekedAgain), 0, EnumSet.of(MsgFlag.PEEK))) {
                assertEquals(8, m.length(), "a peek leaves the message queued");
            }
            ByteBuffer got = ByteBuffer.allocate(16);
            try (ReceivedMessage m = p.second().recvMsg(got)) {
                assertEquals(8, m.length());
            }
            assertEquals("peekaboo", text(peeked, 0, 8));
            assertArrayEquals(peeked.array(), peekedAgain.array());
            assertArrayEquals(peeked.array(), got.array());
            p.second().setTimeout(Duration.ZERO);
            SyscallException e = assertThrows(SyscallException.class, () -> p.second().recvMsg(ByteBuffer.allocate(4)));
            assertEquals("EAGAIN", e.errno().symbol(), "the message was consumed once");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dgram", "seqpacket"})
    void truncReportsTheRealLength(String typeName) throws Exception {
        byte[] hundred = new byte[100];
        for (int i = 0; i < hundred.length; i++) hundred[i] = (byte) i;
        try (SocketPair p = Socket.pair(type(typeName))) {
            // With MSG_TRUNC asked for: length() is the real length, larger than the buffer.
            p.first().send(hundred);
            ByteBuffer small = ByteBuffer.allocate(10);
            try (ReceivedMessage m = p.second().recvMsg(List.of(small), 0, EnumSet.of(MsgFlag.TRUNC))) {
                assertEquals(100, m.length());
                assertTrue(m.isTruncated());
                assertTrue(m.flags().contains(MsgFlag.TRUNC), m.flags().toString());
            }
            assertEquals(10, small.position(), "the position moves by what was stored, not the real length");
            assertArrayEquals(Arrays.copyOf(hundred, 10), small.array());
            // Without it: length() is what was stored, and the flag still says the tail was dropped.
            p.first().send(hundred);
            ByteBuffer small2 = ByteBuffer.allocate(10);
            try (ReceivedMessage m = p.second().recvMsg(List.of(small2), 0, Set.of())) {
                assertEquals(10, m.length());
                assertTrue(m.isTruncated());
            }
            // Scattered into three buffers smaller than the message in total: all three filled.
            p.first().send(hundred);
            List<ByteBuffer> three = List.of(ByteBuffer.allocate(4), ByteBuffer.allocateDirect(4), ByteBuffer.allocate(4));
            try (ReceivedMessage m = p.second().recvMsg(three, 0, EnumSet.of(MsgFlag.TRUNC))) {
                assertEquals(100, m.length());
                assertTrue(m.isTruncated());
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(4, three.get(i).position());
                assertEquals(4 * i + 3, three.get(i).get(3));
            }
            // The dropped tail is gone: the next message is a new one.
            p.first().send(new byte[] {42});
            ByteBuffer next = ByteBuffer.allocate(8);
            try (ReceivedMessage m = p.second().recvMsg(next)) {
                assertEquals(1, m.length());
                assertFalse(m.isTruncated());
            }
            assertEquals(42, next.get(0));
        }
    }

    /**
     * Measured on Linux 6.18 (and Python agrees): AF_UNIX SOCK_SEQPACKET accepts MSG_EOR on send
     * and ignores it, and never reports MSG_EOR on receive; each send is one record anyway.
     */
    @Test
    void eorOnSeqpacketIsAcceptedAndNeverReported() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            assertEquals(3, p.first().sendMsg(List.of(bytes("abc")), List.of(), EnumSet.of(MsgFlag.EOR), null));
            p.first().send("def".getBytes(StandardCharsets.US_ASCII));
            for (String expected : List.of("abc", "def")) {
                ByteBuffer b = ByteBuffer.allocate(16);
                try (ReceivedMessage m = p.second().recvMsg(b)) {
                    assertEquals(3, m.length());
                    assertFalse(m.flags().contains(MsgFlag.EOR), "AF_UNIX does not set MSG_EOR: " + m.flags());
                    assertEquals(Set.of(), m.flags());
                }
                assertEquals(expected, text(b, 0, 3));
            }
        }
    }

    @Test
    void dgramSendMsgToAnAddressAndTheSenderOfWhatArrives() throws Exception {
        String serverAddress = NativePeers.abstractAddress("dg-server");
        String clientPath = NativePeers.socketPath("dg-client").toString();
        try (Socket server = listen(SocketType.DGRAM, serverAddress); Socket client = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            client.bind(UnixAddress.parse(clientPath));
            client.setTimeout(TIMEOUT);
            assertEquals(9, client.sendMsg(threeBuffers(), List.of(), Set.of(), UnixAddress.parse(serverAddress)));
            ByteBuffer b = ByteBuffer.allocate(32);
            try (ReceivedMessage m = server.recvMsg(b)) {
                assertEquals(9, m.length());
                assertEquals(UnixAddress.path(clientPath), m.sender());
                server.sendMsg(List.of(bytes("back")), List.of(), Set.of(), m.sender());
            }
            assertEquals("abcDEFGhi", text(b, 0, 9));
            // An unbound sender has no address: recvmsg reports a zero-length name, which ffsock
            // gives as the unnamed address (as recvFrom does).
            try (Socket anonymous = Socket.open(Family.UNIX, SocketType.DGRAM)) {
                anonymous.sendMsg(List.of(bytes("?")), List.of(), Set.of(), UnixAddress.parse(serverAddress));
            }
            try (ReceivedMessage m = server.recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(UnixAddress.unnamed(), m.sender());
            }
            try (ReceivedMessage m = client.recvMsg(ByteBuffer.allocate(8))) {
                assertEquals(4, m.length());
                assertEquals(UnixAddress.parse(serverAddress), m.sender());
            }
        } finally {
            unlink(clientPath);
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnySyscall() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            List<ByteBuffer> many = new ArrayList<>();
            for (int i = 0; i < 65; i++) many.add(ByteBuffer.allocate(1));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> p.first().sendMsg(many, List.of(), Set.of(), null)).getMessage().contains("64"));
            assertThrows(IllegalArgumentException.class, () -> p.second().recvMsg(many, 0, Set.of()));
            assertThrows(IllegalArgumentException.class,
                    () -> p.second().recvMsg(List.of(ByteBuffer.allocate(4).asReadOnlyBuffer()), 0, Set.of()));
            assertThrows(IllegalArgumentException.class, () -> p.second().recvMsg(List.of(ByteBuffer.allocate(4)), -1, Set.of()));
            p.second().setTimeout(Duration.ZERO);
            assertThrows(SyscallException.class, () -> p.second().recv(new byte[4]), "nothing was sent");
            // 64 buffers are fine.
            assertEquals(64, p.first().sendMsg(many.subList(0, 64), List.of(), Set.of(), null));
            List<ByteBuffer> into = new ArrayList<>();
            for (int i = 0; i < 64; i++) into.add(ByteBuffer.allocate(1));
            try (ReceivedMessage m = p.second().recvMsg(into, 0, Set.of())) {
                assertEquals(64, m.length());
            }
        }
    }

    /** MSG_DONTWAIT: "this one call does not block, whatever the socket's timeout". */
    @Test
    void dontWaitOnAnEmptySocketFailsWithEagainAtOnce() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            for (Duration timeout : Arrays.asList(null, Duration.ofSeconds(5))) {
                p.second().setTimeout(timeout);
                long start = System.nanoTime();
                SyscallException e = assertThrows(SyscallException.class,
                        () -> p.second().recvMsg(List.of(ByteBuffer.allocate(4)), 0, EnumSet.of(MsgFlag.DONTWAIT)),
                        "timeout " + timeout);
                assertEquals("EAGAIN", e.errno().symbol());
                assertTrue(System.nanoTime() - start < 1_000_000_000L, "did not wait for the timeout " + timeout);
                e = assertThrows(SyscallException.class, () -> p.second().recv(new byte[4], 0, 4, EnumSet.of(MsgFlag.DONTWAIT)));
                assertEquals("EAGAIN", e.errno().symbol());
            }
        }
    }
}
