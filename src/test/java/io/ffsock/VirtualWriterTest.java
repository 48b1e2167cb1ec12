package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A virtual thread that must wait for room to write (POLLOUT through the poller) gets it. */
@ExtendWith(FdLeakCheck.class)
class VirtualWriterTest {
    @Test
    void virtualThreadSendAllThroughAFullBufferArrivesWhole() throws Exception {
        byte[] out = new byte[8 << 20]; // far more than the socket buffers hold
        new Random(3).nextBytes(out);
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    p.first().sendAll(out);
                    p.first().shutdown(Shutdown.WRITE);
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            p.second().setTimeout(Duration.ofSeconds(20));
            byte[] in = new byte[out.length];
            int at = 0;
            byte[] chunk = new byte[4096];
            for (int n; (n = p.second().recv(chunk)) > 0; at += n) {
                System.arraycopy(chunk, 0, in, at, n);
                if ((at & 0xfffff) < 4096) Thread.sleep(1); // read slowly at first, so the writer waits
            }
            writer.join(20_000);
            assertNull(failed.get());
            assertEquals(out.length, at);
            assertArrayEquals(out, in);
        }
    }
}
