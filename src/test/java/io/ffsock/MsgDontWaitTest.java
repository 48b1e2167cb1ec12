package io.ffsock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MSG_DONTWAIT on one call: EAGAIN at once as a SyscallException, whatever the socket's timeout. */
class MsgDontWaitTest {
    private static final int EAGAIN = 11;

    @ParameterizedTest(name = "timeout {0} ms (-1: none)")
    @ValueSource(longs = {-1, 5000})
    void recvAndPeekWithDontWaitOnAnEmptyQueue(long timeoutMillis) throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            Socket s = p.second();
            if (timeoutMillis >= 0) s.setTimeout(Duration.ofMillis(timeoutMillis));
            for (Set<MsgFlag> flags : java.util.List.of(EnumSet.of(MsgFlag.DONTWAIT), EnumSet.of(MsgFlag.PEEK, MsgFlag.DONTWAIT))) {
                long t0 = System.nanoTime();
                SyscallException e = assertThrows(SyscallException.class, () -> s.recv(new byte[1], 0, 1, flags));
                assertEquals(EAGAIN, e.errno().value(), e.getMessage());
                assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "did not wait for the timeout");
            }
            // A queued empty message is still received as 0 bytes.
            p.first().send(new byte[0]);
            assertEquals(0, s.recv(new byte[1], 0, 1, EnumSet.of(MsgFlag.DONTWAIT)));
        }
    }
}
