package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ffsock.ControlTruncatedException;
import io.ffsock.Family;
import io.ffsock.MsgFlag;
import io.ffsock.ReceivedMessage;
import io.ffsock.SendAllException;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.SyscallException;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Peers that misbehave (python3 running {@link Peer#HOSTILE}): more fds than the control buffer
 * holds, a control buffer too small for even one fd, a 0-byte message, a message larger than the
 * buffer, a peer killed with SIGKILL in the middle of a transfer, a datagram receiver that never
 * reads, a flood of datagrams. Each gives a clear result or error (the messages are printed, for
 * the README's table), and leaves nothing open: no socket fd ({@link FdLeakCheck}) and no fd of
 * the file whose fds the peer sent (counted in /proc/self/fd).
 */
@ExtendWith(FdLeakCheck.class)
class HostilePeerTest {
    private static final AtomicLong NAMES = new AtomicLong();
    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        file = Files.createTempFile("ffsock-hostile-", ".txt");
        Files.writeString(file, "sent by a hostile peer\n");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    private static String abstractName() {
        return "@ffsock-hostile-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    /** How many fds of this process refer to the file the peer sends. */
    private static long fdsOfTheFile() {
        String target = file.toString();
        return Fds.snapshot().values().stream().filter(target::equals).count();
    }

    private static Socket listen(SocketType type, String name) throws IOException {
        Socket l = Socket.open(Family.UNIX, type);
        l.bind(UnixAddress.parse(name));
        l.listen(4);
        return l;
    }

    private static void report(String what, Throwable e) {
        System.out.println("HostilePeerTest | " + what + " | " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 24, 32, 36, 40, 44, 48})
    void moreFdsThanTheControlSpaceHoldsThrowsAndClosesThoseThatArrived(int controlSpace) throws Exception {
        String name = abstractName();
        try (Socket l = listen(SocketType.SEQPACKET, name);
                Peer peer = Peer.hostile("fds", name, "10", file.toString())) {
            l.setTimeout(Duration.ofSeconds(20));
            try (Socket s = l.accept()) {
                peer.await("SENT");
                ByteBuffer b = ByteBuffer.allocate(16);
                ControlTruncatedException e = assertThrows(ControlTruncatedException.class,
                        () -> s.recvMsg(List.of(b), controlSpace, Set.of()));
                report("10 fds, control space " + controlSpace, e);
                assertEquals(1, e.bytesReceived(), "the data byte arrived");
                assertEquals(1, b.position(), "and is in the buffer");
                // (space - cmsghdr) / 4 fds fit; the kernel closed the rest, ffsock the ones that came
                assertEquals(Math.max(0, (controlSpace - 16) / 4), e.fdsClosed(), e.getMessage());
                assertTrue(e.getMessage().contains("control data truncated (MSG_CTRUNC)"), e.getMessage());
                assertFalse(e.fdLimitReached(), "the fd table had room: " + e.getMessage());
                assertTrue(e.getMessage().startsWith("recvmsg("), e.getMessage());
                assertEquals(0, fdsOfTheFile(), "fds of the sent file still open");
            }
        }
    }

    @Test
    void aZeroByteMessageIsAZeroLengthMessage() throws Exception {
        String name = abstractName();
        try (Socket l = listen(SocketType.SEQPACKET, name); Peer peer = Peer.hostile("zero", name)) {
            l.setTimeout(Duration.ofSeconds(20));
            try (Socket s = l.accept()) {
                peer.await("SENT");
                s.setTimeout(Duration.ofSeconds(20));
                try (ReceivedMessage m = s.recvMsg(ByteBuffer.allocate(16))) {
                    assertEquals(0, m.length());
                    assertFalse(m.isTruncated());
                    assertEquals(List.of(), m.control());
                }
                // the connection is still up: the next call waits (and times out), it does not say EOF
                s.setTimeout(Duration.ofMillis(50));
                assertThrows(java.net.SocketTimeoutException.class, () -> s.recv(new byte[16]));
            }
        }
    }

    @Test
    void aMessageLargerThanTheBufferIsReportedTruncated() throws Exception {
        String name = abstractName();
        try (Socket l = listen(SocketType.SEQPACKET, name); Peer peer = Peer.hostile("big", name, "100000")) {
            l.setTimeout(Duration.ofSeconds(20));
            try (Socket s = l.accept()) {
                peer.await("SENT");
                s.setTimeout(Duration.ofSeconds(20));
                ByteBuffer b = ByteBuffer.allocate(1024);
                try (ReceivedMessage m = s.recvMsg(b)) {
                    assertTrue(m.isTruncated(), m.toString());
                    assertTrue(m.flags().contains(MsgFlag.TRUNC));
                    assertEquals(1024, m.length());
                    assertEquals(1024, b.position());
                }
                // recv with MSG_TRUNC gives the real length of the second message
                byte[] small = new byte[1024];
                assertEquals(100000, s.recv(small, 0, small.length, Set.of(MsgFlag.TRUNC)));
            }
        }
    }

    /** A peer killed with SIGKILL while we are blocked in sendAll of 64 MiB it never reads. */
    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aPeerKilledMidTransferFailsTheSendWithEpipeOrEconnreset(String kind) throws Exception {
        try (Listener l = new Listener(kind); Peer peer = Peer.hostile("sink", l.peerAddress)) {
            try (Socket s = l.socket.accept()) {
                peer.await("READY");
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread sender = Thread.ofPlatform().name("sendAll").start(() -> {
                    try {
                        s.sendAll(new byte[64 << 20]);
                        thrown.set(new AssertionError("sendAll of 64 MiB to a peer that never reads returned"));
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                });
                Thread.sleep(300); // the peer's buffers fill; sendAll blocks
                assertTrue(sender.isAlive(), "sendAll did not block: " + thrown.get());
                peer.kill();
                sender.join(10_000);
                assertFalse(sender.isAlive(), "sendAll still blocked 10 s after the peer died");
                Throwable t = thrown.get();
                report(kind + " peer SIGKILLed during sendAll", t);
                SendAllException e = assertInstanceOf(SendAllException.class, t);
                String symbol = e.errno().symbol();
                assertTrue(symbol.equals("EPIPE") || symbol.equals("ECONNRESET"), e.getMessage());
                assertTrue(e.getMessage().startsWith("send("), e.getMessage());
                assertTrue(e.getMessage().contains(symbol), e.getMessage());
                assertTrue(e.bytesSent() > 0 && e.bytesSent() < 64 << 20, e.getMessage());
                // and the socket keeps saying so, with no SIGPIPE
                IOException again = assertThrows(IOException.class, () -> s.send(new byte[1]));
                report(kind + " send after the peer died", again);
                assertInstanceOf(SyscallError.class, again);
            }
        }
    }

    /** A peer killed with SIGKILL while we are blocked in recv, with data it never read. */
    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aPeerKilledWhileWeReceiveGivesEconnreset(String kind) throws Exception {
        try (Listener l = new Listener(kind); Peer peer = Peer.hostile("talk", l.peerAddress)) {
            try (Socket s = l.socket.accept()) {
                peer.await("READY");
                s.setTimeout(Duration.ofSeconds(20));
                byte[] b = new byte[5];
                int got = 0;
                while (got < 5) got += s.recv(b, got, 5 - got);
                assertEquals("hello", new String(b));
                s.sendAll(new byte[1000]); // unread by the peer: its death resets the connection
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread receiver = Thread.ofPlatform().name("recv").start(() -> {
                    try {
                        int n = s.recv(new byte[100]);
                        thrown.set(new AssertionError("recv returned " + n));
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                });
                Thread.sleep(100);
                peer.kill();
                receiver.join(10_000);
                assertFalse(receiver.isAlive(), "recv still blocked 10 s after the peer died");
                Throwable t = thrown.get();
                report(kind + " peer SIGKILLed during recv", t);
                SyscallException e = assertInstanceOf(SyscallException.class, t);
                assertEquals("ECONNRESET", e.errno().symbol(), e.getMessage());
                assertTrue(e.getMessage().startsWith("recv("), e.getMessage());
                assertTrue(e.getMessage().endsWith("ECONNRESET (Connection reset by peer)"), e.getMessage());
            }
        }
    }

    @Test
    void aDatagramReceiverThatNeverReadsGivesEagainToANonBlockingSender() throws Exception {
        String name = abstractName();
        try (Peer peer = Peer.hostile("dgramsink", name); Socket s = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            peer.await("READY");
            s.setTimeout(Duration.ZERO);
            SocketAddress to = UnixAddress.parse(name);
            byte[] d = new byte[100];
            int sent = 0;
            SyscallException e = null;
            while (sent < 100_000) {
                try {
                    s.sendTo(d, to);
                    sent++;
                } catch (SyscallException full) {
                    e = full;
                    break;
                }
            }
            if (e == null) fail("100000 datagrams went to a receiver that never reads");
            report("dgram receiver never reads, sender timeout 0, after " + sent + " datagrams", e);
            assertEquals("EAGAIN", e.errno().symbol(), e.getMessage());
            assertEquals("sendto(" + name + "): EAGAIN (Resource temporarily unavailable)", e.getMessage());
            // with a timeout the same send waits and then says so
            s.setTimeout(Duration.ofMillis(20));
            IOException t = assertThrows(java.net.SocketTimeoutException.class, () -> s.sendTo(d, to));
            report("dgram receiver never reads, sender timeout 20 ms", t);
        }
    }

    @Test
    void aFloodOfDatagramsIsReceivedOrDroppedAndNothingLeaks() throws Exception {
        String name = abstractName();
        try (Socket s = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            s.bind(UnixAddress.parse(name));
            try (Peer peer = Peer.hostile("flood", name, "1")) {
                peer.await("READY");
                s.setTimeout(Duration.ofMillis(200));
                byte[] b = new byte[200];
                long received = 0;
                long end = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < end) {
                    try {
                        int n = s.recv(b);
                        assertEquals(100, n);
                        received++;
                    } catch (java.net.SocketTimeoutException quiet) {
                        break;
                    }
                }
                String line = peer.await("FLOODED");
                System.out.println("HostilePeerTest | flood: received " + received + "; peer: " + line);
                assertTrue(received > 0);
            }
        }
    }

    /** A listening stream socket for the peer: AF_UNIX (abstract) or TCP on 127.0.0.1. */
    private static final class Listener implements AutoCloseable {
        final Socket socket;
        final String peerAddress;

        Listener(String kind) throws IOException {
            if (kind.equals("unix")) {
                peerAddress = abstractName();
                socket = listen(SocketType.STREAM, peerAddress);
            } else {
                socket = Socket.open(Family.INET, SocketType.STREAM);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                socket.listen(4);
                peerAddress = "tcp:" + ((InetSocketAddress) socket.localAddress()).getPort();
            }
            socket.setTimeout(Duration.ofSeconds(20));
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
