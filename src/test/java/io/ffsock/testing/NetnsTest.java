package io.ffsock.testing;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class NetnsTest {
    @Test
    void vethPairAndJavaInside() throws Exception {
        try (Netns a = Netns.create("t"); Netns b = Netns.create("t")) {
            Netns.veth(a, "eth0", "10.200.0.1/24", b, "eth0", "10.200.0.2/24");
            String out = a.run("ping", "-c", "1", "-W", "2", "10.200.0.2");
            assertTrue(out.contains("1 received"), out);
            String addrs = a.call(() -> java.net.NetworkInterface.getByName("eth0") == null ? "none"
                    : "eth0");
            assertEquals("eth0", addrs);
            // A socket opened inside binds to an address only that namespace has.
            assertDoesNotThrow(() -> a.call(() -> {
                try (io.ffsock.Socket s = io.ffsock.Socket.open(io.ffsock.Family.INET, io.ffsock.SocketType.DGRAM)) {
                    s.bind(new java.net.InetSocketAddress("10.200.0.1", 0));
                }
                return null;
            }));
        }
    }
}
