package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FdPassingQuickTest {
    static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void passSocketsOverSeqpacketWithNoData() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.SEQPACKET); SocketPair passed = Socket.pair(SocketType.STREAM)) {
            carrier.first().sendMsg(ByteBuffer.allocate(0), ControlMessage.rights(passed.first()));
            try (ReceivedMessage m = carrier.second().recvMsg(ByteBuffer.allocate(16))) {
                assertEquals(0, m.length());
                assertEquals(1, m.fds().size());
                OwnedFd got = m.fds().get(0);
                assertTrue(got.isSocket());
                assertFalse(got.isInheritable(), "received fds must be CLOEXEC");
                try (Socket s = m.takeFds().get(0).toSocket()) {
                    assertEquals(SocketType.STREAM, s.type());
                    s.send(new byte[] {42});
                    byte[] b = new byte[1];
                    assertEquals(1, passed.second().recv(b));
                    assertEquals(42, b[0]);
                }
            }
        }
    }

    @Test
    void maxFdsAndCtruncLeaksNothing() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.DGRAM); SocketPair passed = Socket.pair(SocketType.STREAM)) {
            List<FdOwner> many = new ArrayList<>();
            for (int i = 0; i < 253; i++) many.add(passed.first());
            assertThrows(IllegalArgumentException.class, () -> {
                List<FdOwner> tooMany = new ArrayList<>(many);
                tooMany.add(passed.first());
                new ControlMessage.Rights(tooMany);
            });
            long before = openFds();
            carrier.first().sendMsg(List.of(ByteBuffer.wrap(new byte[] {1})), List.of(new ControlMessage.Rights(many)), Set.of(), null);
            try (ReceivedMessage m = carrier.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(253, m.fds().size());
            }
            assertEquals(before, openFds());
            carrier.first().sendMsg(List.of(ByteBuffer.wrap(new byte[] {1})), List.of(new ControlMessage.Rights(many)), Set.of(), null);
            ControlTruncatedException e = assertThrows(ControlTruncatedException.class,
                    () -> carrier.second().recvMsg(List.of(ByteBuffer.allocate(4)), 64, Set.of()));
            assertTrue(e.getMessage().contains("MSG_CTRUNC"), e.getMessage());
            assertTrue(e.fdsClosed() > 0);
            assertEquals(before, openFds());
        }
    }

    @Test
    void credentials() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            Credentials c = p.first().peerCredentials();
            assertEquals(Credentials.ofThisProcess(), c);
            p.second().setOption(LinuxSocketOptions.SO_PASSCRED, true);
            p.first().sendMsg(ByteBuffer.wrap(new byte[] {5}), ControlMessage.credentials(Credentials.ofThisProcess()));
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(Credentials.ofThisProcess(), m.credentials().orElseThrow());
            }
        }
    }
}
