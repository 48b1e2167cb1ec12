package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RawQuickTest {
    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if ((len & 1) != 0) sum += (b[off + len - 1] & 0xff) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    @Test
    void hdrinclEchoAnsweredAndTtlReported() throws Exception {
        try (Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
            s.setOption(LinuxSocketOptions.IP_HDRINCL, true);
            s.setOption(LinuxSocketOptions.IP_RECVTTL, true);
            s.setTimeout(Duration.ofSeconds(3));
            byte[] p = new byte[20 + 8 + 4];
            p[0] = 0x45; p[8] = 64; p[9] = 1; // ttl, proto; total length, id, checksum, source left 0
            p[16] = 127; p[19] = 1;
            p[20] = 8; p[24] = 0x12; p[25] = 0x34; p[27] = 1; p[28] = 'a';
            int c = checksum(p, 20, 12);
            p[22] = (byte) (c >> 8); p[23] = (byte) c;
            InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            s.sendTo(p, lo);
            boolean sawReply = false;
            for (int i = 0; i < 4 && !sawReply; i++) {
                ByteBuffer in = ByteBuffer.allocate(256);
                try (ReceivedMessage m = s.recvMsg(List.of(in), Socket.DEFAULT_CONTROL_SPACE, Set.of())) {
                    byte[] d = in.flip().array();
                    int ihl = (d[0] & 0xf) * 4;
                    if (d[ihl] == 0) { // echo reply
                        sawReply = true;
                        assertEquals(0x1234, ((d[ihl + 4] & 0xff) << 8) | (d[ihl + 5] & 0xff));
                        assertTrue(m.control().stream().anyMatch(x -> x instanceof ControlMessage.Ttl), m.toString());
                    }
                }
            }
            assertTrue(sawReply);
        }
    }
}
