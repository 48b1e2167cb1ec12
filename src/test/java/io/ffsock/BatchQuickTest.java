package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchQuickTest {
    @Test
    void thirtyTwoMixedSizesRoundTrip() throws Exception {
        Random rnd = new Random(7);
        for (SocketType t : new SocketType[] {SocketType.DGRAM, SocketType.SEQPACKET}) {
            try (SocketPair p = Socket.pair(t); MessageBatch out = new MessageBatch(32, 2048); MessageBatch in = new MessageBatch(32, 2048)) {
                p.first().setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1 << 20);
                byte[][] msgs = new byte[32][];
                out.clear();
                for (int i = 0; i < 32; i++) {
                    msgs[i] = new byte[rnd.nextInt(2049)];
                    rnd.nextBytes(msgs[i]);
                    out.add(msgs[i], 0, msgs[i].length);
                }
                int sent = 0;
                while (sent < 32) sent += p.first().sendBatch(out, sent);
                int got = 0;
                while (got < 32) {
                    int n = p.second().recvBatch(in);
                    for (int i = 0; i < n; i++) {
                        assertArrayEquals(msgs[got + i], in.data(i), t + " message " + (got + i));
                        assertFalse(in.isTruncated(i));
                    }
                    got += n;
                }
                assertEquals(32, got);
            }
        }
    }

    @Test
    void sendersOfUnboundAndBoundDatagramsAreReported() throws Exception {
        String name = "batch-" + ProcessHandle.current().pid();
        try (Socket server = Socket.open(Family.UNIX, SocketType.DGRAM);
             Socket unbound = Socket.open(Family.UNIX, SocketType.DGRAM);
             Socket bound = Socket.open(Family.UNIX, SocketType.DGRAM);
             MessageBatch in = new MessageBatch(4, 64)) {
            server.bind(UnixAddress.abstractName(name));
            bound.bind(UnixAddress.unnamed()); // autobind: a kernel-chosen abstract name
            unbound.sendTo(new byte[] {1}, UnixAddress.abstractName(name));
            bound.sendTo(new byte[] {2}, UnixAddress.abstractName(name));
            int got = 0;
            java.net.SocketAddress[] senders = new java.net.SocketAddress[2];
            while (got < 2) {
                int n = server.recvBatch(in);
                for (int i = 0; i < n; i++) senders[in.data(i)[0] - 1] = in.sender(i);
                got += n;
            }
            assertEquals(UnixAddress.unnamed(), senders[0]);
            assertEquals(bound.localAddress(), senders[1]);
        }
    }

    @Test
    void aBatchCanBeReceivedWithoutSenders() throws Exception {
        String name = "batch-nosenders-" + ProcessHandle.current().pid();
        try (Socket server = Socket.open(Family.UNIX, SocketType.DGRAM);
             Socket bound = Socket.open(Family.UNIX, SocketType.DGRAM);
             MessageBatch in = new MessageBatch(4, 64)) {
            server.bind(UnixAddress.abstractName(name));
            bound.bind(UnixAddress.unnamed());
            assertTrue(in.collectsSenders(), "senders by default");
            bound.sendTo(new byte[] {7, 8}, UnixAddress.abstractName(name));
            assertSame(in, in.collectSenders(false));
            assertEquals(1, server.recvBatch(in));
            assertArrayEquals(new byte[] {7, 8}, in.data(0), "the data comes all the same");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> in.sender(0));
            assertTrue(e.getMessage().contains("collectSenders(false)"), e.getMessage());

            bound.sendTo(new byte[] {9}, UnixAddress.abstractName(name));
            assertEquals(1, server.recvBatch(in.collectSenders(true)));
            assertArrayEquals(new byte[] {9}, in.data(0));
            assertEquals(bound.localAddress(), in.sender(0), "back on, the sender is there again");
        }
    }
}
