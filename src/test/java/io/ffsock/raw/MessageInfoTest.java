package io.ffsock.raw;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.MessageInfo;
import io.ffsock.MsgFlag;
import io.ffsock.OwnedFd;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.testing.Netns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Socket#recvMsg(byte[], int, int, MessageInfo, Set)}: the reusable holder reports what the
 * typed {@link Socket#recvMsg(java.util.List, int, Set)} reports for the same kind of datagram —
 * sender, TTL, TOS, the receive timestamp and an extended error — and closes fds it does not keep.
 */
class MessageInfoTest {

    @Test
    void ttlTosTimestampAndSenderFillTheHolder() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("msginfo")) {
            ns.call(() -> {
                InetAddress l2 = InetAddress.getByName("127.0.0.2");
                try (Socket rx = Socket.open(Family.INET, SocketType.DGRAM); Socket tx = Socket.open(Family.INET, SocketType.DGRAM)) {
                    rx.bind(new InetSocketAddress("127.0.0.1", 0));
                    tx.bind(new InetSocketAddress(l2, 0));
                    int port = ((InetSocketAddress) rx.localAddress()).getPort();
                    int txPort = ((InetSocketAddress) tx.localAddress()).getPort();
                    rx.setOption(LinuxSocketOptions.IP_RECVTOS, true);
                    rx.setOption(LinuxSocketOptions.IP_RECVTTL, true);
                    rx.setOption(LinuxSocketOptions.SO_TIMESTAMPNS, true);
                    rx.setTimeout(Duration.ofSeconds(3));
                    tx.setOption(StandardSocketOptions.IP_TOS, 0x28);
                    tx.setOption(LinuxSocketOptions.IP_TTL, 17);
                    InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);

                    MessageInfo info = new MessageInfo();
                    byte[] buffer = new byte[64];
                    long before = System.currentTimeMillis() * 1_000_000L;
                    tx.sendTo(new byte[] {1, 2, 3}, to);
                    assertEquals(3, rx.recvMsg(buffer, 0, buffer.length, info, Set.of()));
                    long after = System.currentTimeMillis() * 1_000_000L + 1_000_000L;
                    assertEquals(3, info.length());
                    assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(buffer, 3));
                    assertEquals(17, info.ttl());
                    assertEquals(0x28, info.tos());
                    assertTrue(info.hasTimestamp());
                    assertTrue(info.timestampNanos() >= before - 1_000_000L && info.timestampNanos() <= after, info.toString());
                    assertEquals(4, info.senderAddressLength());
                    assertTrue(info.senderAddressIs(l2.getAddress()), info.toString());
                    assertFalse(info.senderAddressIs(InetAddress.getByName("127.0.0.1").getAddress()));
                    assertEquals(txPort, info.senderPort());
                    assertEquals(new InetSocketAddress(l2, txPort), info.sender());
                    assertFalse(info.hasError());
                    assertFalse(info.isTruncated());

                    // The typed receive of the same kind of datagram says the same.
                    tx.sendTo(new byte[] {4, 5, 6}, to);
                    try (ReceivedMessage m = rx.recvMsg(ByteBuffer.allocate(64))) {
                        assertTrue(m.control().contains(new ControlMessage.Ttl(info.ttl())), m.control().toString());
                        assertTrue(m.control().contains(new ControlMessage.Tos(info.tos())), m.control().toString());
                        assertEquals(info.sender(), m.sender());
                    }

                    // A datagram longer than the room: MSG_TRUNC, and with TRUNC asked for, its real length.
                    tx.sendTo(new byte[40], to);
                    assertEquals(40, rx.recvMsg(buffer, 0, 8, info, Set.of(MsgFlag.TRUNC)));
                    assertTrue(info.isTruncated());

                    // The holder is overwritten by each receive: without the options, nothing is left over.
                    rx.setOption(LinuxSocketOptions.IP_RECVTOS, false);
                    rx.setOption(LinuxSocketOptions.IP_RECVTTL, false);
                    rx.setOption(LinuxSocketOptions.SO_TIMESTAMPNS, false);
                    tx.sendTo(new byte[] {7}, to);
                    assertEquals(1, rx.recvMsg(buffer, 0, buffer.length, info, Set.of()));
                    assertEquals(-1, info.ttl());
                    assertEquals(-1, info.tos());
                    assertFalse(info.hasTimestamp());
                    assertFalse(info.isTruncated());
                }
                return null;
            });
        }
    }

    @Test
    void aRefusedDatagramComesBackAsAnExtendedError() throws Exception {
        RawSupport.assumeNetns();
        try (Netns ns = Netns.create("msginfoerr")) {
            ns.call(() -> {
                try (Socket closed = Socket.open(Family.INET, SocketType.DGRAM); Socket s = Socket.open(Family.INET, SocketType.DGRAM)) {
                    closed.bind(new InetSocketAddress("127.0.0.1", 0));
                    int port = ((InetSocketAddress) closed.localAddress()).getPort();
                    closed.close(); // nobody listens there now: the kernel answers port unreachable
                    s.setOption(LinuxSocketOptions.IP_RECVERR, true);
                    s.setTimeout(Duration.ofSeconds(3));
                    s.sendTo(new byte[] {9, 9}, new InetSocketAddress("127.0.0.1", port));
                    MessageInfo info = new MessageInfo();
                    byte[] buffer = new byte[64];
                    int n = -1;
                    for (int i = 0; i < 100 && n < 0; i++) {
                        try {
                            n = s.recvMsg(buffer, 0, buffer.length, info, Set.of(MsgFlag.ERRQUEUE, MsgFlag.DONTWAIT));
                        } catch (java.io.IOException empty) {
                            Thread.sleep(20);
                        }
                    }
                    assertEquals(2, n, "the datagram that failed comes back");
                    assertTrue(info.hasError(), info.toString());
                    assertEquals(111, info.errorErrno(), "ECONNREFUSED");
                    assertEquals(ControlMessage.ExtendedError.ORIGIN_ICMP, info.errorOrigin());
                    assertEquals(3, info.errorType());
                    assertEquals(3, info.errorCode());
                    assertEquals(InetAddress.getByName("127.0.0.1"), info.errorOffender());
                }
                return null;
            });
        }
    }

    @Test
    void fdsThatArriveAreClosedAndCounted() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
            Path file = Files.createTempFile("ffsock-msginfo", ".txt");
            try (OwnedFd f = OwnedFd.open(file, java.nio.file.StandardOpenOption.READ)) {
                long open = openFds();
                p.first().sendMsg(ByteBuffer.wrap(new byte[] {1}), new ControlMessage.Rights(List.of(f, f)));
                MessageInfo info = new MessageInfo();
                assertEquals(1, p.second().recvMsg(new byte[8], 0, 8, info, Set.of()));
                assertEquals(2, info.fdsClosed());
                assertEquals(open, openFds(), "the two fds that arrived were closed");
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
