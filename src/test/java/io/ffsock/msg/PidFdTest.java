package io.ffsock.msg;

import static io.ffsock.msg.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.ControlTruncatedException;
import io.ffsock.Credentials;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.MsgFlag;
import io.ffsock.OwnedFd;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SO_PASSPIDFD and SCM_PIDFD (Linux 6.5+): a pidfd for the sender of each message, typed as
 * {@link ControlMessage.PidFd} and owned by the {@link ReceivedMessage}. The sender is python3
 * running as nobody, so the pid cannot be this JVM's by accident; every test also runs under
 * {@link NoFdLeaks}, which fails a pidfd left open.
 */
@ExtendWith(NoFdLeaks.class)
class PidFdTest {
    private static final String PY_SEND_AND_WAIT = PY_PRELUDE + """
            import time
            t = {'stream': socket.SOCK_STREAM, 'seqpacket': socket.SOCK_SEQPACKET, 'dgram': socket.SOCK_DGRAM}[sys.argv[2]]
            s = socket.socket(socket.AF_UNIX, t)
            s.settimeout(20)
            s.connect(addr)
            s.send(b'p')
            print('SENT', os.getpid(), flush=True)
            time.sleep(60)  # alive while the test looks at its pidfd; the test kills it
            """;

    private static String target(OwnedFd fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd.fdNumber())).toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stream", "seqpacket", "dgram"})
    void pythonSenderAsNobody(String typeName) throws Exception {
        SocketType type = type(typeName);
        String address = address("abstract", "passpidfd");
        try (Socket server = listen(type, address)) {
            // Before the peer connects: the accepted socket inherits it, as with SO_PASSCRED.
            server.setOption(LinuxSocketOptions.SO_PASSPIDFD, true);
            assertTrue(server.getOption(LinuxSocketOptions.SO_PASSPIDFD));
            try (Child py = Child.pythonAsNobody(PY_SEND_AND_WAIT, address, typeName)) {
                long pid = Long.parseLong(py.awaitLine("SENT ").split(" ")[1]);
                assertEquals(py.pid(), pid);
                try (Socket conn = type.isConnectionOriented() ? server.accept() : null) {
                    Socket from = conn != null ? conn : server;
                    if (conn != null) assertTrue(conn.getOption(LinuxSocketOptions.SO_PASSPIDFD), "inherited from the listener");
                    ByteBuffer data = ByteBuffer.allocate(4);
                    OwnedFd kept;
                    try (ReceivedMessage m = from.recvMsg(data)) {
                        assertEquals(1, m.length());
                        assertEquals('p', data.get(0));
                        assertEquals(1, m.control().size(), m.toString());
                        ControlMessage.PidFd c = assertInstanceOf(ControlMessage.PidFd.class, m.control().get(0));
                        OwnedFd pidfd = m.pidFd().orElseThrow();
                        assertSame(c.pidFd(), pidfd);
                        assertEquals(List.of(), m.fds(), "a pidfd is not one of the SCM_RIGHTS fds");
                        assertEquals(pid, pidOf(pidfd), "the pidfd names the python sender");
                        assertTrue(target(pidfd).contains("pidfd"), target(pidfd));
                        assertFalse(pidfd.isInheritable(), "close-on-exec");
                        kept = m.takePidFd();
                        assertSame(pidfd, kept);
                        assertTrue(m.pidFd().isEmpty(), "taken");
                        assertThrows(NoSuchElementException.class, m::takePidFd);
                    }
                    try (kept) {
                        assertFalse(kept.isClosed(), "closing the message leaves a taken pidfd open");
                        assertEquals(pid, pidOf(kept));
                    }
                }
            }
        }
    }

    /** Not taken: closing the message closes the pidfd. */
    @Test
    void closingTheMessageClosesAPidFdNotTaken() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            p.second().setOption(LinuxSocketOptions.SO_PASSPIDFD, true);
            p.first().send(new byte[] {7});
            OwnedFd pidfd;
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(4))) {
                pidfd = m.pidFd().orElseThrow(() -> new AssertionError("no SCM_PIDFD in " + m));
                assertEquals(ProcessHandle.current().pid(), pidOf(pidfd), "the sender is this process");
            }
            assertTrue(pidfd.isClosed());
        }
    }

    /** With SO_PASSCRED as well, both come: the pid of one and the pidfd of the other agree. */
    @Test
    void withPasscredBothArrive() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
            p.second().setOption(LinuxSocketOptions.SO_PASSCRED, true);
            p.second().setOption(LinuxSocketOptions.SO_PASSPIDFD, true);
            p.first().send(new byte[] {1, 2});
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(2, m.control().size(), m.toString());
                Credentials c = m.credentials().orElseThrow();
                assertEquals(Credentials.ofThisProcess(), c);
                assertEquals(c.pid(), pidOf(m.pidFd().orElseThrow()));
            }
        }
    }

    /** Off (the default): no pidfd is made. */
    @Test
    void offByDefault() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            assertFalse(p.second().getOption(LinuxSocketOptions.SO_PASSPIDFD));
            p.first().send(new byte[] {1});
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(List.of(), m.control());
                assertTrue(m.pidFd().isEmpty());
                assertThrows(NoSuchElementException.class, m::takePidFd);
            }
        }
    }

    /**
     * No room for control data: the kernel makes no pidfd and says MSG_CTRUNC, which recvMsg
     * reports (the data did arrive). A plain recv on such a socket has no control buffer at all,
     * and no fd appears either (NoFdLeaks checks).
     */
    @Test
    void noControlSpaceNoPidFd() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            p.second().setOption(LinuxSocketOptions.SO_PASSPIDFD, true);
            p.first().send(new byte[] {3});
            ByteBuffer b = ByteBuffer.allocate(4);
            ControlTruncatedException e = assertThrows(ControlTruncatedException.class,
                    () -> p.second().recvMsg(List.of(b), 0, Set.of()));
            assertEquals(1, e.bytesReceived());
            assertEquals(0, e.fdsClosed());
            assertEquals(1, b.position());
            p.first().send(new byte[] {4, 5});
            byte[] plain = new byte[4];
            assertEquals(2, p.second().recv(plain));
            assertEquals(5, plain[1]);
        }
    }

    /** Only the kernel makes SCM_PIDFD: sending one is refused before the call, naming it. */
    @Test
    void aPidFdCannotBeSent() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET); SocketPair other = Socket.pair(SocketType.STREAM)) {
            other.second().setOption(LinuxSocketOptions.SO_PASSPIDFD, true);
            other.first().send(new byte[] {1});
            try (ReceivedMessage m = other.second().recvMsg(ByteBuffer.allocate(4))) {
                ControlMessage.PidFd pidfd = new ControlMessage.PidFd(m.pidFd().orElseThrow());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> p.first().sendMsg(ByteBuffer.wrap(new byte[] {1}), pidfd));
                assertTrue(e.getMessage().contains("SCM_PIDFD"), e.getMessage());
            }
            assertThrows(NullPointerException.class, () -> new ControlMessage.PidFd(null));
            p.first().send(new byte[] {9});
            byte[] got = new byte[4];
            assertEquals(1, p.second().recv(got, 0, 4, Set.of(MsgFlag.DONTWAIT)));
            assertEquals(9, got[0], "the refused message was not sent");
        }
    }
}
