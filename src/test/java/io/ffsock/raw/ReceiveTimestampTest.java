package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SO_TIMESTAMPNS: the kernel's receive time arrives as a ControlMessage.Timestamp (socket(7)). */
class ReceiveTimestampTest {

    @Test
    void eachDatagramCarriesTheKernelReceiveTimeBetweenSendAndRead() throws Exception {
        try (Socket rx = Socket.open(Family.INET, SocketType.DGRAM);
             Socket tx = Socket.open(Family.INET, SocketType.DGRAM)) {
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            assertFalse(rx.getOption(LinuxSocketOptions.SO_TIMESTAMPNS));
            rx.setOption(LinuxSocketOptions.SO_TIMESTAMPNS, true);
            assertTrue(rx.getOption(LinuxSocketOptions.SO_TIMESTAMPNS));
            rx.setTimeout(Duration.ofSeconds(3));
            // Turning timestamps on enables the kernel's receive stamping through deferred work
            // (net_enable_timestamp); a datagram that arrives before that is stamped when it is
            // read. Wait, with datagrams of our own, until arrivals are stamped.
            for (int round = 0; ; round++) {
                tx.sendTo(new byte[] {0}, rx.localAddress());
                Thread.sleep(50);
                try (ReceivedMessage m = rx.recvMsg(ByteBuffer.allocate(16))) {
                    long read = nanosOf(Instant.now());
                    long at = ((ControlMessage.Timestamp) m.control().get(0)).epochNanos();
                    if (read - at >= 25_000_000L) break;
                }
                assertTrue(round < 100, "the kernel never stamped a datagram on arrival");
            }
            Instant before = Instant.now();
            tx.sendTo(new byte[] {1, 2, 3}, rx.localAddress());
            // The datagram waits in the queue; the stamp is when it arrived, not when it is read.
            Thread.sleep(200);
            try (ReceivedMessage m = rx.recvMsg(ByteBuffer.allocate(16))) {
                Instant read = Instant.now();
                List<ControlMessage> c = m.control();
                assertEquals(1, c.size(), c.toString());
                ControlMessage.Timestamp t = assertInstanceOf(ControlMessage.Timestamp.class, c.get(0));
                long at = t.epochNanos();
                long from = before.getEpochSecond() * 1_000_000_000L + before.getNano();
                long to = read.getEpochSecond() * 1_000_000_000L + read.getNano();
                assertTrue(at >= from - 1_000_000 && at <= to, t + " between " + before + " and " + read);
                assertTrue(to - at >= 150_000_000L, "stamped on arrival, 200 ms before the read: " + t + " vs " + read);
            }
        }
    }

    @Test
    void aTimestampCannotBeSent() throws Exception {
        try (Socket tx = Socket.open(Family.INET, SocketType.DGRAM)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tx.sendMsg(
                    List.of(ByteBuffer.wrap(new byte[1])), List.of(new ControlMessage.Timestamp(1, 2)), java.util.Set.of(),
                    new InetSocketAddress("127.0.0.1", 9)));
            assertTrue(e.getMessage().contains("SCM_TIMESTAMPNS"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new ControlMessage.Timestamp(0, 1_000_000_000L));
        }
    }

    private static long nanosOf(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
