package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import io.ffsock.testing.IndependentLibc;
import io.ffsock.testing.SocketKind;
import io.ffsock.testing.SocketKind.Connected;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Timeouts and blocking mode, Python's rules: none = blocking, zero = non-blocking (EAGAIN), t > 0
 * = SocketTimeoutException after t. The fd's O_NONBLOCK and FD_CLOEXEC are checked independently
 * through jnr-posix on the fd number /proc/self/fd shows.
 */
@ExtendWith(FdLeakCheck.class)
class TimeoutTest {

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void recvTimesOutAfterTheTimeout(SocketKind kind) throws Exception {
        try (Connected c = kind.connected()) {
            c.server().setTimeout(Duration.ofMillis(200));
            long t0 = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> c.server().recv(new byte[16]));
            long ms = millisSince(t0);
            assertTrue(ms >= 190 && ms < 5000, "timed out after " + ms + " ms");
            assertTrue(e.getMessage().startsWith("recv("), e.getMessage());
            assertTrue(e.getMessage().endsWith(": timed out after 200 ms"), e.getMessage());
            // data sent within the timeout arrives
            CompletableFuture<Void> later = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(50);
                    c.client().send(new byte[] {3});
                } catch (Exception x) {
                    throw new RuntimeException(x);
                }
            });
            c.server().setTimeout(Duration.ofSeconds(5));
            assertArrayEquals(new byte[] {3}, c.server().recv(16));
            later.get(5, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketKind.class, names = {"UNIX_STREAM", "UNIX_SEQPACKET", "TCP4", "TCP6"})
    void acceptTimesOutAndThenAcceptsWithinTheTimeout(SocketKind kind) throws Exception {
        try (Socket listener = kind.open(); Socket client = kind.open()) {
            listener.bind(kind.bindAddress());
            listener.listen();
            listener.setTimeout(Duration.ofMillis(200));
            long t0 = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, listener::accept);
            long ms = millisSince(t0);
            assertTrue(ms >= 190 && ms < 5000, "timed out after " + ms + " ms");
            assertTrue(e.getMessage().startsWith("accept"), e.getMessage());
            client.connect(listener.localAddress());
            Fds.Opened<Socket> o = Fds.opening(listener::accept);
            try (Socket server = o.value()) {
                // the accepted socket blocks, whatever the listener's timeout
                assertEquals(Optional.empty(), server.getTimeout());
                assertEquals(0, IndependentLibc.statusFlags(o.fd()) & IndependentLibc.O_NONBLOCK);
                assertEquals(IndependentLibc.FD_CLOEXEC, IndependentLibc.fdFlags(o.fd()) & IndependentLibc.FD_CLOEXEC);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void zeroTimeoutMeansEagainAtOnce(SocketKind kind) throws Exception {
        try (Connected c = kind.connected()) {
            c.server().setTimeout(Duration.ZERO);
            long t0 = System.nanoTime();
            SyscallException e = assertThrows(SyscallException.class, () -> c.server().recv(new byte[16]));
            assertTrue(millisSince(t0) < 5000);
            assertEquals(11, e.errno().value());
            assertEquals("EAGAIN", e.errno().symbol());
            assertTrue(e.getMessage().startsWith("recv("), e.getMessage());
            assertTrue(e.getMessage().endsWith("): EAGAIN (Resource temporarily unavailable)"), e.getMessage());
            assertEquals("recv", e.call());
            c.client().send(new byte[] {1, 2});
            // non-blocking but ready: data comes (loopback delivery is synchronous)
            assertArrayEquals(new byte[] {1, 2}, c.server().recv(16));
        }
    }

    @Test
    void dontWaitNeverWaitsWhateverTheTimeout() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
            for (Duration t : new Duration[] {null, Duration.ofSeconds(30)}) {
                p.second().setTimeout(t);
                long t0 = System.nanoTime();
                SyscallException e = assertThrows(SyscallException.class,
                        () -> p.second().recv(new byte[4], 0, 4, Set.of(MsgFlag.DONTWAIT)));
                assertEquals(11, e.errno().value(), "timeout " + t);
                assertTrue(millisSince(t0) < 5000, "timeout " + t);
            }
        }
    }

    @Test
    void timeoutStateAndTheKernelsONonblockAgree() throws Exception {
        Fds.Opened<Socket> o = Fds.opening(() -> Socket.open(Family.UNIX, SocketType.STREAM));
        int fd = o.fd();
        try (Socket s = o.value()) {
            assertEquals(IndependentLibc.FD_CLOEXEC, IndependentLibc.fdFlags(fd) & IndependentLibc.FD_CLOEXEC, "SOCK_CLOEXEC");
            assertEquals(Optional.empty(), s.getTimeout());
            assertTrue(s.isBlocking());
            assertEquals(0, IndependentLibc.statusFlags(fd) & IndependentLibc.O_NONBLOCK);

            s.setTimeout(Duration.ZERO);
            assertEquals(Optional.of(Duration.ZERO), s.getTimeout());
            assertFalse(s.isBlocking());
            assertEquals(IndependentLibc.O_NONBLOCK, IndependentLibc.statusFlags(fd) & IndependentLibc.O_NONBLOCK);

            s.setTimeout(Duration.ofMillis(250));
            assertEquals(Optional.of(Duration.ofMillis(250)), s.getTimeout());
            assertTrue(s.isBlocking(), "a timeout is not non-blocking, as in Python");
            assertEquals(IndependentLibc.O_NONBLOCK, IndependentLibc.statusFlags(fd) & IndependentLibc.O_NONBLOCK,
                    "a timeout waits in poll on a non-blocking fd");

            s.setBlocking(true);
            assertEquals(Optional.empty(), s.getTimeout());
            assertEquals(0, IndependentLibc.statusFlags(fd) & IndependentLibc.O_NONBLOCK);

            s.setBlocking(false);
            assertEquals(Optional.of(Duration.ZERO), s.getTimeout());
            assertEquals(IndependentLibc.O_NONBLOCK, IndependentLibc.statusFlags(fd) & IndependentLibc.O_NONBLOCK);

            s.setTimeout(null);
            assertTrue(s.isBlocking());
            assertEquals(0, IndependentLibc.statusFlags(fd) & IndependentLibc.O_NONBLOCK);

            // an enormous timeout saturates instead of overflowing
            s.setTimeout(Duration.ofSeconds(Long.MAX_VALUE));
            assertTrue(s.getTimeout().orElseThrow().toNanos() > 0);
        }
    }

    @Test
    void socketpairEndsAreCloexec() throws Exception {
        Fds.Opened<SocketPair> o = Fds.opening(() -> Socket.pair(SocketType.SEQPACKET));
        try (SocketPair p = o.value()) {
            assertEquals(2, o.fds().size());
            for (int fd : o.fds()) {
                assertEquals(IndependentLibc.FD_CLOEXEC, IndependentLibc.fdFlags(fd) & IndependentLibc.FD_CLOEXEC);
                assertEquals(0, IndependentLibc.statusFlags(fd) & IndependentLibc.O_NONBLOCK);
            }
            assertNotNull(p);
        }
    }

    @Test
    void negativeTimeoutIsRejectedBeforeAnySyscall() throws Exception {
        Fds.Opened<Socket> o = Fds.opening(() -> Socket.open(Family.INET, SocketType.DGRAM));
        try (Socket s = o.value()) {
            s.setTimeout(Duration.ofSeconds(1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.setTimeout(Duration.ofMillis(-1)));
            assertEquals("negative timeout PT-0.001S", e.getMessage());
            assertEquals(Optional.of(Duration.ofSeconds(1)), s.getTimeout(), "unchanged");
            assertEquals(IndependentLibc.O_NONBLOCK, IndependentLibc.statusFlags(o.fd()) & IndependentLibc.O_NONBLOCK);
        }
        // on a closed socket the bad argument is still what is reported: nothing reached the kernel
        Socket closed = Socket.open(Family.INET, SocketType.DGRAM);
        closed.close();
        assertThrows(IllegalArgumentException.class, () -> closed.setTimeout(Duration.ofSeconds(-5)));
    }

    @Test
    void connectWithATimeoutToAListenerWithAFullBacklogTimesOut() throws Exception {
        // AF_UNIX: a full backlog makes connect wait (EAGAIN on a non-blocking fd, retried).
        try (Socket listener = Socket.open(Family.UNIX, SocketType.STREAM);
             Socket first = Socket.open(Family.UNIX, SocketType.STREAM);
             Socket second = Socket.open(Family.UNIX, SocketType.STREAM)) {
            listener.bind(SocketKind.uniqueAbstractName());
            listener.listen(0);
            first.connect(listener.localAddress());
            second.setTimeout(Duration.ofMillis(200));
            long t0 = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> second.connect(listener.localAddress()));
            long ms = millisSince(t0);
            assertTrue(ms >= 190 && ms < 5000, "timed out after " + ms + " ms");
            assertTrue(e.getMessage().startsWith("connect(" + listener.localAddress() + ")"), e.getMessage());
            assertEquals(110, second.connectEx(listener.localAddress()), "connectEx says ETIMEDOUT");
        }
    }
}
