package io.ffsock.msg;

import static io.ffsock.msg.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Credentials;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.OwnedFd;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SO_PEERCRED, SCM_CREDENTIALS and SO_PEERPIDFD against peers that run as another user
 * (setpriv to uid/gid 65534): the C program cred_peer and python3.
 */
@ExtendWith(NoFdLeaks.class)
class CredentialsTest {
    private static final int NOBODY = Child.NOBODY;
    private static final Pattern CRED = Pattern.compile(
            "CRED pid=(\\d+) uid=(\\d+) gid=(\\d+) sent pid=(-?\\d+) uid=(\\d+) gid=(\\d+)");

    @BeforeAll
    static void runningAsRoot() {
        // Not a skip: these tests are meant to run here, and a silent skip would hide that.
        assertEquals(0, Credentials.ofThisProcess().uid(),
                "these tests start peers as uid 65534 with setpriv and send other uids: run them as root");
    }

    private static Credentials parse(Matcher m, int first) {
        return new Credentials(Integer.parseInt(m.group(first)), Integer.parseInt(m.group(first + 1)),
                Integer.parseInt(m.group(first + 2)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"seqpacket", "stream", "dgram"})
    void cPeerAsNobody(String typeName) throws Exception {
        SocketType type = type(typeName);
        String address = address("abstract", "cred");
        try (Socket server = listen(type, address)) {
            // Before the peer connects: an accepted socket inherits it, and credentials are only
            // recorded for a message if the receiver asked for them when it was sent (see below).
            server.setOption(LinuxSocketOptions.SO_PASSCRED, true);
            try (Child peer = Child.nativePeerAsNobody("cred_peer", "-t", typeName, address)) {
                peer.awaitLine("READY ");
                Credentials expected = new Credentials((int) peer.pid(), NOBODY, NOBODY);
                try (Socket conn = type.isConnectionOriented() ? server.accept() : null) {
                    Socket from = conn != null ? conn : server;
                    if (conn != null) {
                        assertEquals(expected, conn.peerCredentials(), "SO_PEERCRED of a peer running as nobody");
                        assertTrue(conn.getOption(LinuxSocketOptions.SO_PASSCRED), "inherited from the listener");
                    }
                    Matcher said = CRED.matcher(peer.awaitLine("CRED"));
                    assertTrue(said.matches(), said.toString());
                    assertEquals(expected, parse(said, 1), "what the peer says it is");
                    ByteBuffer data = ByteBuffer.allocate(4);
                    try (ReceivedMessage m = from.recvMsg(data)) {
                        assertEquals(1, m.length());
                        assertEquals('C', data.get(0));
                        assertEquals(expected, m.credentials().orElseThrow(() -> new AssertionError("no SCM_CREDENTIALS in " + m)));
                        assertEquals(1, m.control().size(), m.toString());
                        assertEquals(List.of(), m.fds());
                        if (conn == null) server.sendTo(new byte[] {1}, m.sender());
                    }
                }
                peer.finish();
            }
        }
    }

    private static final String PY_PLAIN_AS_NOBODY = PY_PRELUDE + """
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(20)
            s.connect(addr)
            print('READY', arg, flush=True)
            print('ME', os.getpid(), os.getuid(), os.getgid(), flush=True)
            import struct, errno
            try:
                s.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack('iII', os.getpid(), 0, 0))])
                print('FORGED sent', flush=True)
            except OSError as e:
                print('FORGED', errno.errorcode[e.errno], flush=True)
            s.sendall(b'plain')
            assert s.recv(10) == b''
            """;

    /**
     * Python as nobody: SO_PEERCRED; credentials the kernel attaches by itself to a message sent
     * without any (SO_PASSCRED on the receiver); and a claim to be root refused with EPERM.
     */
    @Test
    void pythonAsNobody() throws Exception {
        String address = address("path", "cred-py");
        Path socketFile = Path.of(address);
        try (Socket server = listen(SocketType.STREAM, address)) {
            server.setOption(LinuxSocketOptions.SO_PASSCRED, true);
            // nobody must be allowed to connect to the path: write permission on the socket file.
            Files.setPosixFilePermissions(socketFile, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(socketFile.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            try (Child py = Child.pythonAsNobody(PY_PLAIN_AS_NOBODY, address)) {
                py.awaitLine("READY ");
                String[] me = py.awaitLine("ME ").split(" ");
                assertEquals(List.of(String.valueOf(py.pid()), "" + NOBODY, "" + NOBODY), List.of(me[1], me[2], me[3]));
                Credentials expected = new Credentials((int) py.pid(), NOBODY, NOBODY);
                try (Socket conn = server.accept()) {
                    assertEquals(expected, conn.peerCredentials());
                    assertEquals("FORGED EPERM", py.awaitLine("FORGED"), "claiming uid 0 needs CAP_SETUID");
                    ByteBuffer data = ByteBuffer.allocate(5);
                    try (ReceivedMessage m = conn.recvMsg(data)) {
                        assertEquals(5, m.length(), m.toString());
                        assertEquals(expected, m.credentials().orElseThrow(() -> new AssertionError("none in " + m)));
                    }
                }
                py.finish();
            }
        } finally {
            unlink(address);
        }
    }

    /** Root has CAP_SETUID and CAP_SETGID: it may send another uid and gid, and they arrive. */
    @Test
    void rootMaySendAnotherUidAndGid() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            p.second().setOption(LinuxSocketOptions.SO_PASSCRED, true);
            Credentials claimed = new Credentials((int) ProcessHandle.current().pid(), NOBODY, 4242);
            p.first().sendMsg(bytes("c"), ControlMessage.credentials(claimed));
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(claimed, m.credentials().orElseThrow());
            }
            // SO_PEERCRED still says who really connected.
            assertEquals(Credentials.ofThisProcess(), p.second().peerCredentials());
        }
        String address = address("abstract", "cred-forge");
        try (Socket server = listen(SocketType.SEQPACKET, address)) {
            server.setOption(LinuxSocketOptions.SO_PASSCRED, true);
            try (Child peer = Child.nativePeer("cred_peer", "-u", "" + NOBODY, "-g", "4242", address)) {
                peer.awaitLine("READY ");
                try (Socket conn = server.accept(); ReceivedMessage m = conn.recvMsg(ByteBuffer.allocate(4))) {
                    Matcher said = CRED.matcher(peer.awaitLine("CRED"));
                    assertTrue(said.matches());
                    assertEquals(new Credentials((int) peer.pid(), NOBODY, 4242), m.credentials().orElseThrow());
                    assertEquals(new Credentials((int) peer.pid(), 0, 0), conn.peerCredentials());
                }
                peer.finish();
            }
        }
    }

    /**
     * A kernel trap worth knowing: the kernel records credentials with a message only if the
     * receiver had SO_PASSCRED on when it was sent. Turned on later, it still yields an
     * SCM_CREDENTIALS message, but with pid 0 and uid/gid -1 shown as the overflow id 65534 —
     * nobody's ids, so a test with a nobody peer would pass by accident.
     */
    @Test
    void passcredTurnedOnAfterTheMessageGivesNoRealCredentials() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            p.first().send(new byte[] {1});
            p.second().setOption(LinuxSocketOptions.SO_PASSCRED, true);
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(new Credentials(0, 65534, 65534), m.credentials().orElseThrow(() -> new AssertionError(m.toString())));
            }
            p.first().send(new byte[] {2});
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(Credentials.ofThisProcess(), m.credentials().orElseThrow());
            }
        }
    }

    @Test
    void nobodyMayNotClaimRoot() throws Exception {
        String address = address("abstract", "cred-refused");
        try (Socket server = listen(SocketType.SEQPACKET, address);
                Child peer = Child.nativePeerAsNobody("cred_peer", "-u", "0", "-g", "0", address)) {
            peer.awaitLine("READY ");
            try (Socket conn = server.accept()) {
                assertTrue(peer.awaitLine("REFUSED").startsWith("REFUSED 1 "), "EPERM");
                conn.setTimeout(java.time.Duration.ZERO);
                assertThrows(io.ffsock.SyscallException.class, () -> conn.recvMsg(ByteBuffer.allocate(4)), "nothing arrived");
            }
            peer.finish();
        }
    }

    /** Sending credentials without SO_PASSCRED on the receiver: they are dropped, not an error. */
    @Test
    void credentialsNeedPasscredOnTheReceiver() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
            assertFalse(p.second().getOption(LinuxSocketOptions.SO_PASSCRED));
            p.first().sendMsg(bytes("c"), ControlMessage.credentials(Credentials.ofThisProcess()));
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(1, m.length());
                assertTrue(m.credentials().isEmpty(), m.toString());
            }
        }
    }

    /** SO_PEERPIDFD (Linux 6.5+): a pidfd whose fdinfo names the peer's pid. */
    @Test
    void peerPidFdOfANobodyPeer() throws Exception {
        String address = address("abstract", "pidfd");
        try (Socket server = listen(SocketType.SEQPACKET, address); Child peer = Child.nativePeerAsNobody("cred_peer", address)) {
            peer.awaitLine("READY ");
            try (Socket conn = server.accept()) {
                OwnedFd pidfd;
                try {
                    pidfd = conn.peerPidFd();
                } catch (java.io.IOException e) {
                    if (e instanceof SyscallError s && s.errno().symbol().equals("ENOPROTOOPT")) {
                        Assumptions.abort("SO_PEERPIDFD needs Linux 6.5+; this kernel is "
                                + System.getProperty("os.version") + ": " + e.getMessage());
                    }
                    throw e;
                }
                try (pidfd) {
                    assertEquals(peer.pid(), pidOf(pidfd));
                    assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + pidfd.fdNumber())).toString().contains("pidfd"));
                    assertFalse(pidfd.isInheritable(), "pidfds are created O_CLOEXEC");
                    assertTrue(Jnr.cloexec(pidfd.fdNumber()));
                    assertFalse(pidfd.isSocket());
                }
                peer.awaitLine("CRED");
            }
            peer.finish();
        }
    }

    @Test
    void socketpairPeerIsThisProcess() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            assertEquals(Credentials.ofThisProcess(), p.first().peerCredentials());
            assertEquals(Credentials.ofThisProcess(), p.second().peerCredentials());
            try (OwnedFd pidfd = p.first().peerPidFd()) {
                assertEquals(ProcessHandle.current().pid(), pidOf(pidfd));
            }
        }
    }
}
