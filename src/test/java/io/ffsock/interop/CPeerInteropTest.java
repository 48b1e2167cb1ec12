package io.ffsock.interop;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.NativePeers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ffsock as the client of the C echo peers in native-tests/, over paths and abstract names. */
@ExtendWith(FdLeakCheck.class)
class CPeerInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static String address(boolean abstractName, String stem) {
        return abstractName ? NativePeers.abstractAddress(stem) : NativePeers.socketPath(stem).toString();
    }

    @ParameterizedTest(name = "abstract={0}")
    @ValueSource(booleans = {false, true})
    void streamEchoReturnsEveryByte(boolean abstractName) throws Exception {
        try (NativePeers.Peer peer = NativePeers.start("stream_echo", address(abstractName, "se"));
             Socket s = Socket.open(Family.UNIX, SocketType.STREAM)) {
            s.setTimeout(TIMEOUT);
            s.connect(UnixAddress.parse(peer.address()));
            byte[] out = new byte[1 << 20];
            new Random(1).nextBytes(out);
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    s.sendAll(out);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer in = ByteBuffer.allocateDirect(out.length);
            while (in.hasRemaining()) assertTrue(s.recv(in) > 0, "echo ended early at " + in.position());
            writer.join();
            byte[] got = new byte[out.length];
            in.flip().get(got);
            assertArrayEquals(out, got);
        }
    }

    @ParameterizedTest(name = "abstract={0}")
    @ValueSource(booleans = {false, true})
    void seqpacketEchoKeepsBoundariesAndEmptyMessages(boolean abstractName) throws Exception {
        try (NativePeers.Peer peer = NativePeers.start("seqpacket_echo", address(abstractName, "sq"));
             Socket s = Socket.open(Family.UNIX, SocketType.SEQPACKET)) {
            s.setTimeout(TIMEOUT);
            s.connect(UnixAddress.parse(peer.address()));
            int[] sizes = {1, 0, 100, 4096, 0, 60_000};
            for (int size : sizes) {
                byte[] m = new byte[size];
                Arrays.fill(m, (byte) size);
                assertEquals(size, s.send(m));
                byte[] back = new byte[65_536];
                assertEquals(size, s.recv(back), "message of " + size);
                assertArrayEquals(m, Arrays.copyOf(back, size));
            }
        }
    }

    @ParameterizedTest(name = "abstract={0}")
    @ValueSource(booleans = {false, true})
    void dgramEchoAnswersTheBoundSender(boolean abstractName) throws Exception {
        try (NativePeers.Peer peer = NativePeers.start("dgram_echo", address(abstractName, "dg"));
             Socket s = Socket.open(Family.UNIX, SocketType.DGRAM)) {
            s.setTimeout(TIMEOUT);
            s.bind(UnixAddress.unnamed()); // autobind, so the peer can answer
            UnixAddress server = UnixAddress.parse(peer.address());
            for (int size : new int[] {0, 1, 1500, 65_000}) {
                byte[] m = new byte[size];
                new Random(size).nextBytes(m);
                assertEquals(size, s.sendTo(m, server));
                io.ffsock.Datagram d = s.recvFrom(65_536);
                assertArrayEquals(m, d.data(), "datagram of " + size);
                assertEquals(server, d.sender());
            }
        }
    }
}
