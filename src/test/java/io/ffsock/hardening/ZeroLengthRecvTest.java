package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.MsgFlag;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.SocketKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Zero-length receives. On a stream they return 0 at once, whether nothing is queued (recv(2)
 * would wait for ever) or data is (which stays queued); on datagram and seqpacket sockets they
 * are real receives that consume one message, as the JDK's DatagramChannel.receive does.
 */
@ExtendWith(FdLeakCheck.class)
class ZeroLengthRecvTest {
    interface Call {
        long on(Socket s) throws Exception;
    }

    /** Every way to ask for nothing, by buffer kind; each returns the count it reports. */
    private static Map<String, Call> emptyReceives() {
        Map<String, Call> m = new LinkedHashMap<>();
        m.put("recv(byte[0])", s -> s.recv(new byte[0]));
        m.put("recv(buf, 3, 0)", s -> s.recv(new byte[8], 3, 0));
        m.put("recv(buf, 0, 0, PEEK)", s -> s.recv(new byte[8], 0, 0, Set.of(MsgFlag.PEEK)));
        m.put("recv(0)", s -> s.recv(0).length);
        m.put("recv(ByteBuffer.allocate(0))", s -> s.recv(ByteBuffer.allocate(0)));
        m.put("recv(direct ByteBuffer, full)", s -> s.recv(ByteBuffer.allocateDirect(8).position(8)));
        m.put("recv(MemorySegment 0, native)", s -> {
            try (Arena a = Arena.ofConfined()) {
                return s.recv(a.allocate(0));
            }
        });
        m.put("recv(MemorySegment 0, heap)", s -> s.recv(MemorySegment.ofArray(new byte[0])));
        m.put("recvFrom(0)", s -> s.recvFrom(0).data().length);
        m.put("recvFrom(buf, 0, 0)", s -> s.recvFrom(new byte[4], 0, 0).length());
        m.put("recvFrom(ByteBuffer 0)", s -> {
            ByteBuffer b = ByteBuffer.allocate(0);
            s.recvFrom(b);
            return b.position();
        });
        m.put("recvFrom(MemorySegment 0)", s -> s.recvFrom(MemorySegment.ofArray(new byte[0])).length());
        m.put("recvMsg(empty)", s -> s.recvMsg(ByteBuffer.allocate(0)).length());
        m.put("recvMsg(two empty)", s -> {
            ReceivedMessage r = s.recvMsg(List.of(ByteBuffer.allocate(0), ByteBuffer.allocateDirect(0)),
                    Socket.DEFAULT_CONTROL_SPACE, Set.of());
            assertTrue(r.control().isEmpty());
            return r.length();
        });
        return m;
    }

    /** Runs {@code call}, failing (and closing {@code s} to free the thread) if it blocks. */
    private static long promptly(String name, Socket s, Call call) throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                result.set(call.on(s));
            } catch (Throwable e) {
                result.set(e);
            }
        });
        if (!t.join(Duration.ofSeconds(5))) {
            s.close();
            t.join();
            fail(name + " blocked on an empty " + s);
        }
        if (result.get() instanceof Throwable e) throw new AssertionError(name + " threw", e);
        return (Long) result.get();
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "TCP4", "TCP6"})
    void onAStreamNothingQueuedReturnsZeroAtOnce(SocketKind kind) throws Exception {
        for (Map.Entry<String, Call> e : emptyReceives().entrySet()) {
            try (SocketKind.Connected c = kind.connected()) {
                assertEquals(0, promptly(e.getKey(), c.server(), e.getValue()), e.getKey());
                // and the socket is as it was: a real receive still gets what comes next
                c.client().send("after".getBytes(StandardCharsets.US_ASCII));
                byte[] b = new byte[8];
                assertEquals("after", new String(b, 0, c.server().recv(b), StandardCharsets.US_ASCII), e.getKey());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "TCP4"})
    void onAStreamQueuedDataStaysQueuedAndNonBlockingSaysNoEagain(SocketKind kind) throws Exception {
        for (Map.Entry<String, Call> e : emptyReceives().entrySet()) {
            try (SocketKind.Connected c = kind.connected()) {
                c.server().setTimeout(Duration.ZERO); // non-blocking: still 0, not EAGAIN
                assertEquals(0, promptly(e.getKey(), c.server(), e.getValue()), e.getKey() + ", nothing queued");
                c.server().setTimeout(null);
                c.client().send("queued".getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(5); // TCP loopback delivers at once; this is only slack
                assertEquals(0, promptly(e.getKey(), c.server(), e.getValue()), e.getKey());
                byte[] b = new byte[8];
                assertEquals("queued", new String(b, 0, c.server().recv(b), StandardCharsets.US_ASCII),
                        e.getKey() + " must leave the data queued");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "TCP4"})
    void onAClosedStreamItStillThrows(SocketKind kind) throws Exception {
        try (SocketKind.Connected c = kind.connected()) {
            c.server().close();
            for (Map.Entry<String, Call> e : emptyReceives().entrySet()) {
                assertThrows(ClosedChannelException.class, () -> e.getValue().on(c.server()), e.getKey());
            }
        }
    }

    /** The decision for messages: a zero-length receive is a recv(2) that consumes one message. */
    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_DGRAM", "UNIX_SEQPACKET", "UDP4", "UDP6"})
    void onMessageSocketsItConsumesOneMessage(SocketKind kind) throws Exception {
        for (Map.Entry<String, Call> e : emptyReceives().entrySet()) {
            try (SocketKind.Connected c = kind.connected()) {
                c.server().setTimeout(Duration.ofSeconds(10));
                c.client().send("one".getBytes(StandardCharsets.US_ASCII));
                c.client().send("two".getBytes(StandardCharsets.US_ASCII));
                boolean peek = e.getKey().contains("PEEK");
                assertEquals(0, e.getValue().on(c.server()), e.getKey());
                byte[] b = new byte[8];
                assertEquals(peek ? "one" : "two", new String(b, 0, c.server().recv(b), StandardCharsets.US_ASCII),
                        e.getKey() + (peek ? " with PEEK leaves the message" : " consumes the first message"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_DGRAM", "UNIX_SEQPACKET"})
    void onMessageSocketsItWaitsAndTruncReportsTheLength(SocketKind kind) throws Exception {
        try (SocketKind.Connected c = kind.connected()) {
            c.server().setTimeout(Duration.ofMillis(50));
            assertThrows(java.net.SocketTimeoutException.class, () -> c.server().recv(new byte[0]), "waits for a message");
            c.client().send(new byte[1234]);
            assertEquals(1234, c.server().recv(new byte[0], 0, 0, EnumSet.of(MsgFlag.PEEK, MsgFlag.TRUNC)));
            assertEquals(1234, c.server().recv(new byte[0], 0, 0, Set.of(MsgFlag.TRUNC)));
            assertThrows(java.net.SocketTimeoutException.class, () -> c.server().recv(new byte[1]), "it was consumed");
        }
    }
}
