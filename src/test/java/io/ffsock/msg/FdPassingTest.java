package io.ffsock.msg;

import static io.ffsock.msg.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.FdOwner;
import io.ffsock.MsgFlag;
import io.ffsock.OwnedFd;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SCM_RIGHTS against independent peers: the C program fd_passer and Python's
 * socket.send_fds/recv_fds, in both directions, over every AF_UNIX type and both address kinds.
 */
@ExtendWith(NoFdLeaks.class)
class FdPassingTest {
    @TempDir
    Path dir;

    // ---- from a C peer to ffsock -----------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"seqpacket, abstract", "seqpacket, path", "stream, abstract", "stream, path", "dgram, abstract", "dgram, path"})
    void cPeerSendsFilesAndFfsockReadsThem(String typeName, String kind) throws Exception {
        SocketType type = type(typeName);
        String address = address(kind, "fdp-send");
        List<Path> files = files(dir, 3);
        try (Socket server = listen(type, address);
                Child peer = Child.nativePeer("fd_passer", "-t", typeName, "send", address, "3",
                        files.get(0).toString(), files.get(1).toString(), files.get(2).toString())) {
            peer.awaitLine("READY ");
            try (Socket conn = type.isConnectionOriented() ? server.accept() : null) {
                Socket from = conn != null ? conn : server;
                ByteBuffer data = ByteBuffer.allocate(16);
                try (ReceivedMessage m = from.recvMsg(data)) {
                    assertEquals(1, m.length(), m.toString());
                    assertEquals('F', data.get(0));
                    assertEquals(3, m.fds().size(), m.toString());
                    for (int i = 0; i < 3; i++) {
                        OwnedFd fd = m.fds().get(i);
                        assertFalse(fd.isSocket());
                        assertFalse(fd.isInheritable(), "received fds are CLOEXEC");
                        assertTrue(Jnr.cloexec(fd.fdNumber()), "jnr-posix sees FD_CLOEXEC on a received fd");
                        assertEquals("content-" + i, readThroughFd(fd));
                        assertEquals("content-" + i, readThroughReopen(fd));
                    }
                    if (!type.isConnectionOriented()) {
                        assertNotNull(m.sender(), "a dgram from an autobound peer has a sender");
                        server.sendTo(new byte[] {1}, m.sender()); // lets the peer go
                    }
                }
                assertEquals("SENT n=3 bytes=1", peer.awaitLine("SENT"));
            }
            peer.finish();
        } finally {
            unlink(address);
        }
    }

    // ---- from ffsock to a C peer -----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"seqpacket", "stream", "dgram"})
    void ffsockSendsFilesPipeAndSocketToCPeer(String typeName) throws Exception {
        SocketType type = type(typeName);
        String address = address("abstract", "fdp-recv");
        List<Path> files = files(dir, 2);
        OwnedFd[] pipe = Jnr.pipe();
        try (Child peer = Child.nativePeer("fd_passer", "-t", typeName, "recv", address);
                OwnedFd f0 = Jnr.open(files.get(0));
                OwnedFd f1 = Jnr.open(files.get(1));
                OwnedFd pipeRead = pipe[0];
                OwnedFd pipeWrite = pipe[1];
                SocketPair pair = Socket.pair(SocketType.STREAM)) {
            peer.awaitLine("READY ");
            try (Socket s = connect(type, address)) {
                long sent = s.sendMsg(bytes("x"), ControlMessage.rights(f0, f1, pipeWrite, pair.first()));
                assertEquals(1, sent);
                String reply = type.equals(SocketType.STREAM) ? recvUntil(s, "FD 3 ") : recvText(s, 65536);
                assertEquals("""
                        RECV n=4 bytes=1 cloexec=4
                        FD 0 file 9 content-0
                        FD 1 file 9 content-1
                        FD 2 fifo 0 -
                        FD 3 socket 0 -
                        """, reply);
            }
            peer.finish();
            // What the peer did through the fds it received, seen through ours.
            assertEquals("content-0fd_passer 0\n", Files.readString(files.get(0)));
            assertEquals("content-1fd_passer 1\n", Files.readString(files.get(1)));
            byte[] b = new byte[64];
            assertEquals("fd_passer 2\n", new String(b, 0, pipeRead.read(b, 0, b.length), StandardCharsets.UTF_8));
            pair.second().setTimeout(TIMEOUT);
            assertEquals("fd_passer 3\n", recvText(pair.second(), 64));
            assertFalse(f0.isClosed(), "sent fds stay open here");
        }
    }

    /** Reads a stream until {@code lastLinePrefix} has started a line and that line has ended. */
    private static String recvUntil(Socket s, String lastLinePrefix) throws Exception {
        StringBuilder sb = new StringBuilder();
        byte[] b = new byte[8192];
        while (!(sb.indexOf(lastLinePrefix) >= 0 && sb.charAt(sb.length() - 1) == '\n')) {
            int n = s.recv(b);
            if (n == 0) break;
            sb.append(new String(b, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    // ---- with Python as the peer -----------------------------------------------------------------

    private static final String PY_SEND_FDS = PY_PRELUDE + """
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.settimeout(20)
            s.connect(addr)
            fds = [os.open(p, os.O_RDONLY) for p in sys.argv[2:]]
            a, b = socket.socketpair()
            print('READY', arg, flush=True)
            assert socket.send_fds(s, [b'P', b'Y'], fds + [a.fileno()]) == 2
            for f in fds:
                os.close(f)
            a.close()
            print('PEER', b.recv(100).decode().strip(), flush=True)
            assert s.recv(10) == b''
            """;

    @Test
    void pythonSendsFdsWithSendFds() throws Exception {
        String address = address("path", "py-send");
        List<Path> files = files(dir, 2);
        try (Socket server = listen(SocketType.SEQPACKET, address);
                Child py = Child.python(PY_SEND_FDS, address, files.get(0).toString(), files.get(1).toString())) {
            py.awaitLine("READY ");
            try (Socket conn = server.accept()) {
                ByteBuffer data = ByteBuffer.allocate(8);
                try (ReceivedMessage m = conn.recvMsg(data)) {
                    assertEquals(2, m.length());
                    assertEquals("PY", new String(data.array(), 0, 2, StandardCharsets.US_ASCII));
                    assertEquals(3, m.fds().size());
                    assertEquals("content-0", readThroughFd(m.fds().get(0)));
                    assertEquals("content-1", readThroughReopen(m.fds().get(1)));
                    assertTrue(m.fds().get(2).isSocket());
                    for (OwnedFd f : m.fds()) assertTrue(Jnr.cloexec(f.fdNumber()));
                    List<OwnedFd> taken = m.takeFds(); // all or nothing: the files are ours to close now
                    assertEquals(List.of(), m.takeFds(), "takeFds hands the list over once");
                    try (OwnedFd f0 = taken.get(0); OwnedFd f1 = taken.get(1); Socket passed = taken.get(2).toSocket()) {
                        passed.send("hello python\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
                assertEquals("PEER hello python", py.awaitLine("PEER"));
            }
            py.finish();
        } finally {
            unlink(address);
        }
    }

    private static final String PY_RECV_FDS = PY_PRELUDE + """
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.settimeout(20)
            s.connect(addr)
            print('READY', arg, flush=True)
            msg, fds, flags, _ = socket.recv_fds(s, 100, 10)
            out = ['GOT', msg.decode(), str(len(fds))]
            for f in fds:
                out.append(os.pread(f, 100, 0).decode())
                os.lseek(f, 0, os.SEEK_END)
                os.write(f, b'+py')
                os.close(f)
            print(' '.join(out), flush=True)
            s.send(b'done')
            assert s.recv(10) == b''
            """;

    @Test
    void ffsockSendsFdsToPythonRecvFds() throws Exception {
        String address = address("abstract", "py-recv");
        List<Path> files = files(dir, 2);
        try (Socket server = listen(SocketType.SEQPACKET, address);
                Child py = Child.python(PY_RECV_FDS, address);
                OwnedFd f0 = Jnr.open(files.get(0));
                OwnedFd f1 = Jnr.open(files.get(1))) {
            py.awaitLine("READY ");
            try (Socket conn = server.accept()) {
                conn.sendMsg(List.of(bytes("he"), bytes("llo")), List.of(ControlMessage.rights(f0, f1)), Set.of(), null);
                assertEquals("done", recvText(conn, 16));
            }
            assertEquals("GOT hello 2 content-0 content-1", py.awaitLine("GOT"));
            py.finish();
            assertEquals("content-0+py", Files.readString(files.get(0)));
            assertEquals("content-1+py", readThroughReopen(f1));
            // Python moved the offset of the same open file descriptions that our fds refer to.
            assertEquals("", readThroughFd(f0));
        }
    }

    // ---- the 253-fd limit --------------------------------------------------------------------------

    @Test
    void cPeerSends253FdsInOneMessage() throws Exception {
        String address = address("abstract", "fdp-253");
        List<Path> files = files(dir, 3);
        try (Socket server = listen(SocketType.SEQPACKET, address);
                Child peer = Child.nativePeer("fd_passer", "send", address, "253",
                        files.get(0).toString(), files.get(1).toString(), files.get(2).toString())) {
            peer.awaitLine("READY ");
            try (Socket conn = server.accept()) {
                int before = NoFdLeaks.openFds().size();
                try (ReceivedMessage m = conn.recvMsg(ByteBuffer.allocate(4))) {
                    assertEquals(253, m.fds().size());
                    assertEquals(before + 253, NoFdLeaks.openFds().size());
                    for (int i = 0; i < 253; i++) {
                        OwnedFd fd = m.fds().get(i);
                        assertEquals("content-" + (i % 3), readThroughFd(fd), "fd " + i);
                        assertFalse(fd.isInheritable());
                    }
                }
                assertEquals(before, NoFdLeaks.openFds().size(), "closing the message closed all 253");
                assertEquals("SENT n=253 bytes=1", peer.awaitLine("SENT"));
            }
            peer.finish();
        }
    }

    @Test
    void ffsockSends253FdsToCPeer() throws Exception {
        String address = address("abstract", "fdp-253r");
        List<Path> files = files(dir, 1);
        try (Child peer = Child.nativePeer("fd_passer", "recv", address); OwnedFd file = Jnr.open(files.get(0))) {
            peer.awaitLine("READY ");
            List<FdOwner> many = new ArrayList<>();
            for (int i = 0; i < 253; i++) many.add(file); // the same fd 253 times: the peer gets 253 numbers
            try (Socket s = connect(SocketType.SEQPACKET, address)) {
                s.sendMsg(List.of(bytes("x")), List.of(new ControlMessage.Rights(many)), Set.of(), null);
                String reply = recvText(s, 65536);
                assertTrue(reply.startsWith("RECV n=253 bytes=1 cloexec=253\n"), reply);
                assertEquals(254, reply.lines().count(), reply);
                assertTrue(reply.contains("FD 252 file "), reply);
            }
            peer.finish();
            String written = Files.readString(files.get(0));
            assertTrue(written.startsWith("content-0fd_passer 0\nfd_passer 1\n"), written);
            assertTrue(written.endsWith("fd_passer 252\n"), written);
            assertEquals(253, written.lines().count(), "one line written through each of the 253 fds");
        }
    }

    @Test
    void rightsOf254FdsAreRefusedBeforeAnySyscall() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.SEQPACKET); SocketPair passed = Socket.pair(SocketType.STREAM)) {
            List<FdOwner> tooMany = new ArrayList<>();
            for (int i = 0; i < 254; i++) tooMany.add(passed.first());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> carrier.first().sendMsg(List.of(bytes("x")), List.of(new ControlMessage.Rights(tooMany)), Set.of(), null));
            assertTrue(e.getMessage().contains("253"), e.getMessage());
            assertTrue(e.getMessage().contains("254"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ControlMessage.rights(tooMany.toArray(FdOwner[]::new)));
            assertThrows(IllegalArgumentException.class, () -> ControlMessage.rights(), "zero fds");
            carrier.second().setTimeout(java.time.Duration.ZERO);
            io.ffsock.SyscallException none = assertThrows(io.ffsock.SyscallException.class,
                    () -> carrier.second().recv(new byte[4]), "nothing was sent");
            assertEquals("EAGAIN", none.errno().symbol());
        }
    }

    /** The kernel's own limit, reached around ffsock's check with a raw control message. */
    @Test
    void kernelRefuses254FdsWithEinval() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.DGRAM); SocketPair passed = Socket.pair(SocketType.STREAM)) {
            ByteBuffer ints = ByteBuffer.allocate(254 * 4).order(java.nio.ByteOrder.nativeOrder());
            for (int i = 0; i < 254; i++) ints.putInt(passed.first().fdNumber());
            ControlMessage raw254 = new ControlMessage.Raw(1 /* SOL_SOCKET */, 1 /* SCM_RIGHTS */, ints.array());
            io.ffsock.SyscallException e = assertThrows(io.ffsock.SyscallException.class,
                    () -> carrier.first().sendMsg(List.of(bytes("x")), List.of(raw254), Set.of(), null));
            assertEquals("EINVAL", e.errno().symbol(), e.getMessage());
            ControlMessage raw253 = new ControlMessage.Raw(1, 1, java.util.Arrays.copyOf(ints.array(), 253 * 4));
            carrier.first().sendMsg(List.of(bytes("x")), List.of(raw253), Set.of(), null);
            try (ReceivedMessage m = carrier.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(253, m.fds().size(), "received as typed Rights, owned");
            }
        }
    }

    // ---- zero data bytes ---------------------------------------------------------------------------

    @Test
    void streamRefusesRightsWithoutDataBytes() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.STREAM); SocketPair passed = Socket.pair(SocketType.STREAM)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> carrier.first().sendMsg(ByteBuffer.allocate(0), ControlMessage.rights(passed.first())));
            assertTrue(e.getMessage().contains("SOCK_STREAM"), e.getMessage());
            // A buffer whose remaining() is 0 counts as zero bytes too.
            ByteBuffer consumed = bytes("x");
            consumed.position(1);
            assertThrows(IllegalArgumentException.class,
                    () -> carrier.first().sendMsg(consumed, ControlMessage.rights(passed.first())));
            carrier.second().setTimeout(java.time.Duration.ZERO);
            assertThrows(io.ffsock.SyscallException.class, () -> carrier.second().recv(new byte[4]), "nothing was sent");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"seqpacket", "dgram"})
    void zeroDataBytesWithFdsOverSocketpair(String typeName) throws Exception {
        try (SocketPair carrier = Socket.pair(type(typeName)); OwnedFd file = Jnr.open(files(dir, 1).get(0))) {
            assertEquals(0, carrier.first().sendMsg(ByteBuffer.allocate(0), ControlMessage.rights(file)));
            ByteBuffer b = ByteBuffer.allocate(8);
            try (ReceivedMessage m = carrier.second().recvMsg(b)) {
                assertEquals(0, m.length());
                assertEquals(0, b.position());
                assertEquals(1, m.fds().size());
                assertEquals("content-0", readThroughReopen(m.fds().get(0)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"seqpacket", "dgram"})
    void zeroDataBytesWithFdsToAndFromCPeer(String typeName) throws Exception {
        SocketType type = type(typeName);
        List<Path> files = files(dir, 1);
        String toPeer = address("abstract", "fdp-z-recv");
        try (Child peer = Child.nativePeer("fd_passer", "-t", typeName, "recv", toPeer); OwnedFd f = Jnr.open(files.get(0))) {
            peer.awaitLine("READY ");
            try (Socket s = connect(type, toPeer)) {
                assertEquals(0, s.sendMsg(ByteBuffer.allocate(0), ControlMessage.rights(f)));
                assertEquals("RECV n=1 bytes=0 cloexec=1\nFD 0 file 9 content-0\n", recvText(s, 4096));
            }
            peer.finish();
        }
        String fromPeer = address("abstract", "fdp-z-send");
        try (Socket server = listen(type, fromPeer);
                Child peer = Child.nativePeer("fd_passer", "-t", typeName, "-z", "send", fromPeer, "2", files.get(0).toString())) {
            peer.awaitLine("READY ");
            try (Socket conn = type.isConnectionOriented() ? server.accept() : null) {
                Socket from = conn != null ? conn : server;
                try (ReceivedMessage m = from.recvMsg(ByteBuffer.allocate(8))) {
                    assertEquals(0, m.length());
                    assertEquals(2, m.fds().size());
                    assertEquals("content-0fd_passer 0\n", readThroughFd(m.fds().get(1)));
                    if (conn == null) server.sendTo(new byte[] {1}, m.sender());
                }
                assertEquals("SENT n=2 bytes=0", peer.awaitLine("SENT"));
            }
            peer.finish();
        }
    }

    // ---- control buffer too small ------------------------------------------------------------------

    /**
     * MSG_CTRUNC: the kernel puts as many fds as fit ((space - 16) / 4, none below a header) and
     * closes the rest; ffsock closes those that arrived and throws. Nothing may stay open.
     */
    @ParameterizedTest(name = "control space {0}")
    @ValueSource(ints = {0, 8, 16, 24, 52})
    void truncatedControlClosesEverything(int controlSpace) throws Exception {
        String address = address("abstract", "fdp-ctrunc");
        List<Path> files = files(dir, 1);
        try (Socket server = listen(SocketType.SEQPACKET, address);
                Child peer = Child.nativePeer("fd_passer", "send", address, "10", files.get(0).toString())) {
            peer.awaitLine("READY ");
            try (Socket conn = server.accept()) {
                assertEquals("SENT n=10 bytes=1", peer.awaitLine("SENT"));
                var before = NoFdLeaks.openFds();
                ByteBuffer data = ByteBuffer.allocate(8);
                io.ffsock.ControlTruncatedException e = assertThrows(io.ffsock.ControlTruncatedException.class,
                        () -> conn.recvMsg(List.of(data), controlSpace, Set.of()));
                int fit = controlSpace < 16 ? 0 : (controlSpace - 16) / 4;
                assertEquals(fit, e.fdsClosed(), e.getMessage());
                assertEquals(1, e.bytesReceived());
                assertTrue(e.getMessage().contains("MSG_CTRUNC"), e.getMessage());
                assertEquals('F', data.get(0), "the data byte is in the buffer");
                assertEquals(java.util.Map.of(), NoFdLeaks.added(before, NoFdLeaks.openFds()), "no fd left open");
            }
            peer.finish();
        }
    }

    /** The default control space holds the most a message can carry: 253 fds, credentials and a pidfd. */
    @Test
    void defaultControlSpaceHolds253FdsCredentialsAndAPidFd() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.SEQPACKET); OwnedFd file = Jnr.open(files(dir, 1).get(0))) {
            carrier.second().setOption(io.ffsock.LinuxSocketOptions.SO_PASSCRED, true);
            carrier.second().setOption(io.ffsock.LinuxSocketOptions.SO_PASSPIDFD, true);
            List<FdOwner> many = new ArrayList<>();
            for (int i = 0; i < 253; i++) many.add(file);
            carrier.first().sendMsg(List.of(bytes("x")), List.of(new ControlMessage.Rights(many),
                    ControlMessage.credentials(io.ffsock.Credentials.ofThisProcess())), Set.of(), null);
            try (ReceivedMessage m = carrier.second().recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(253, m.fds().size());
                assertEquals(io.ffsock.Credentials.ofThisProcess(), m.credentials().orElseThrow());
                assertTrue(m.pidFd().isPresent(), m.toString());
                assertEquals(3, m.control().size(), m.toString());
            }
        }
    }

    /**
     * The kernel writes SCM_CREDENTIALS before SCM_RIGHTS: a control buffer with room for the
     * credentials only gets them, MSG_CTRUNC, and every fd closed by the kernel.
     */
    @Test
    void roomForCredentialsOnlyTruncatesTheFds() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.DGRAM); OwnedFd file = Jnr.open(files(dir, 1).get(0))) {
            carrier.second().setOption(io.ffsock.LinuxSocketOptions.SO_PASSCRED, true);
            carrier.first().sendMsg(bytes("x"), ControlMessage.rights(file, file, file));
            var before = NoFdLeaks.openFds();
            io.ffsock.ControlTruncatedException e = assertThrows(io.ffsock.ControlTruncatedException.class,
                    () -> carrier.second().recvMsg(List.of(ByteBuffer.allocate(4)), 32 /* CMSG_SPACE(12) */, Set.of()));
            assertEquals(0, e.fdsClosed(), e.getMessage());
            assertEquals(java.util.Map.of(), NoFdLeaks.added(before, NoFdLeaks.openFds()));
        }
    }

    /** A virtual thread waits for the message in ffsock's poller, not in the kernel; fds still arrive owned. */
    @Test
    void virtualThreadWaitsForFdsInThePoller() throws Exception {
        String address = address("abstract", "fdp-virtual");
        List<Path> files = files(dir, 2);
        try (Socket server = listen(SocketType.SEQPACKET, address)) {
            server.setTimeout(null); // blocking: a virtual thread must not pin its carrier in recvmsg
            try (Socket conn = Fixtures.connect(SocketType.SEQPACKET, address); Socket accepted = server.accept()) {
                accepted.setTimeout(null);
                var result = new java.util.concurrent.CompletableFuture<List<String>>();
                Thread.ofVirtual().start(() -> {
                    try (ReceivedMessage m = accepted.recvMsg(ByteBuffer.allocate(4))) {
                        List<String> contents = new ArrayList<>();
                        for (OwnedFd f : m.fds()) contents.add(readThroughFd(f) + (f.isInheritable() ? "!" : ""));
                        result.complete(contents);
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                });
                Thread.sleep(100); // let it block
                try (OwnedFd f0 = Jnr.open(files.get(0)); OwnedFd f1 = Jnr.open(files.get(1))) {
                    conn.sendMsg(bytes("v"), ControlMessage.rights(f0, f1));
                }
                assertEquals(List.of("content-0", "content-1"), result.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            unlink(address);
        }
    }

    // ---- CLOEXEC, adopting -------------------------------------------------------------------------

    private static final String PY_SEND_SOCKETS = PY_PRELUDE + """
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.settimeout(20)
            s.connect(addr)
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(('127.0.0.1', 0))
            tcp = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            seq = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            print('READY', arg, udp.getsockname()[1], flush=True)
            socket.send_fds(s, [b's'], [udp.fileno(), tcp.fileno(), seq.fileno()])
            assert s.recv(10) == b''
            """;

    @Test
    void receivedSocketsBecomeSocketsWithKernelFamilyTypeProtocol() throws Exception {
        String address = address("abstract", "py-socks");
        try (Socket server = listen(SocketType.SEQPACKET, address); Child py = Child.python(PY_SEND_SOCKETS, address)) {
            int port = Integer.parseInt(py.awaitLine("READY ").split(" ")[2]);
            try (Socket conn = server.accept(); ReceivedMessage m = conn.recvMsg(ByteBuffer.allocate(4))) {
                assertEquals(3, m.fds().size());
                List<OwnedFd> fds = m.takeFds();
                try (Socket udp = fds.get(0).toSocket(); Socket tcp = fds.get(1).toSocket(); Socket seq = fds.get(2).toSocket()) {
                    assertTrue(fds.get(0).isClosed(), "toSocket hands the fd over");
                    assertEquals(io.ffsock.Family.INET, udp.family());
                    assertEquals(SocketType.DGRAM, udp.type());
                    assertEquals(io.ffsock.Protocol.UDP, udp.protocol());
                    assertEquals(new java.net.InetSocketAddress("127.0.0.1", port), udp.localAddress());
                    assertEquals(io.ffsock.Family.INET6, tcp.family());
                    assertEquals(SocketType.STREAM, tcp.type());
                    assertEquals(io.ffsock.Protocol.TCP, tcp.protocol());
                    assertEquals(io.ffsock.Family.UNIX, seq.family());
                    assertEquals(SocketType.SEQPACKET, seq.type());
                    assertEquals(io.ffsock.Protocol.DEFAULT, seq.protocol());
                    for (Socket s : List.of(udp, tcp, seq)) {
                        assertFalse(s.isInheritable());
                        assertTrue(Jnr.cloexec(s.fdNumber()));
                    }
                    // The UDP socket works: a datagram to the port Python bound arrives on it.
                    try (Socket sender = Socket.open(io.ffsock.Family.INET, SocketType.DGRAM)) {
                        sender.sendTo(new byte[] {7, 8}, new java.net.InetSocketAddress("127.0.0.1", port));
                    }
                    udp.setTimeout(TIMEOUT);
                    assertArrayEquals(new byte[] {7, 8}, udp.recvFrom(16).data());
                }
            }
            py.finish();
        }
    }

    @Test
    void adoptAndSetInheritableAgreeWithFcntl() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.SEQPACKET); SocketPair passed = Socket.pair(SocketType.DGRAM)) {
            carrier.first().sendMsg(bytes("x"), ControlMessage.rights(passed.first()));
            try (ReceivedMessage m = carrier.second().recvMsg(ByteBuffer.allocate(4))) {
                OwnedFd got = m.fds().get(0);
                // A bare number, as a parent process or native code would hand it over: dup(2) clears FD_CLOEXEC.
                int bare = Jnr.dup(got.fdNumber());
                assertFalse(Jnr.cloexec(bare));
                try (Socket adopted = Socket.adopt(bare)) {
                    assertEquals(bare, adopted.fdNumber());
                    assertEquals(io.ffsock.Family.UNIX, adopted.family());
                    assertEquals(SocketType.DGRAM, adopted.type());
                    assertTrue(Jnr.cloexec(bare), "adopt sets FD_CLOEXEC");
                    assertFalse(adopted.isInheritable());
                    adopted.setInheritable(true);
                    assertFalse(Jnr.cloexec(bare), "setInheritable(true) clears FD_CLOEXEC");
                    assertTrue(adopted.isInheritable());
                    adopted.setInheritable(false);
                    assertTrue(Jnr.cloexec(bare));
                    adopted.send(new byte[] {3});
                    passed.second().setTimeout(TIMEOUT);
                    assertArrayEquals(new byte[] {3}, passed.second().recv(4), "the adopted socket works");
                }
                // Same on the OwnedFd itself.
                got.setInheritable(true);
                assertFalse(Jnr.cloexec(got.fdNumber()));
                assertTrue(got.isInheritable());
                got.setInheritable(false);
                assertTrue(Jnr.cloexec(got.fdNumber()));
            }
        }
    }

    @Test
    void adoptingAFileAsASocketFailsAndLeavesItOpen() throws Exception {
        try (OwnedFd file = Jnr.open(files(dir, 1).get(0))) {
            int bare = Jnr.dup(file.fdNumber());
            try {
                io.ffsock.SyscallException e = assertThrows(io.ffsock.SyscallException.class, () -> Socket.adopt(bare));
                assertEquals("ENOTSOCK", e.errno().symbol(), e.getMessage());
                assertTrue(Jnr.POSIX.fcntl(bare, jnr.constants.platform.Fcntl.F_GETFD) >= 0, "still open: the caller owns it");
            } finally {
                Jnr.close(bare);
            }
            io.ffsock.SyscallException e = assertThrows(io.ffsock.SyscallException.class, file::toSocket);
            assertEquals("ENOTSOCK", e.errno().symbol());
            assertFalse(file.isClosed(), "a failed toSocket keeps the OwnedFd");
            assertEquals("content-0", readThroughFd(file));
            assertThrows(IllegalArgumentException.class, () -> Socket.adopt(-1));
        }
    }

    @Test
    void sendingAClosedFdIsRefused() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.SEQPACKET)) {
            OwnedFd file = Jnr.open(files(dir, 1).get(0));
            file.close();
            Exception e = assertThrows(java.io.IOException.class,
                    () -> carrier.first().sendMsg(bytes("x"), ControlMessage.rights(file)));
            assertInstanceOf(java.nio.channels.ClosedChannelException.class, e);
        }
    }

    /** MSG_PEEK on a message with fds: the kernel installs them twice; both sets are owned. */
    @Test
    void peekingAtFdsGivesOwnedCopies() throws Exception {
        try (SocketPair carrier = Socket.pair(SocketType.SEQPACKET); OwnedFd file = Jnr.open(files(dir, 1).get(0))) {
            carrier.first().sendMsg(bytes("pk"), ControlMessage.rights(file));
            ByteBuffer peeked = ByteBuffer.allocate(8);
            int peekFd;
            try (ReceivedMessage m = carrier.second().recvMsg(List.of(peeked), io.ffsock.Socket.DEFAULT_CONTROL_SPACE, Set.of(MsgFlag.PEEK))) {
                assertEquals(2, m.length());
                assertEquals(1, m.fds().size());
                peekFd = m.fds().get(0).fdNumber();
                assertEquals("content-0", readThroughReopen(m.fds().get(0)));
            }
            ByteBuffer got = ByteBuffer.allocate(8);
            try (ReceivedMessage m = carrier.second().recvMsg(got)) {
                assertEquals(2, m.length());
                assertEquals(1, m.fds().size());
                assertEquals("content-0", readThroughReopen(m.fds().get(0)));
                assertNotEquals(-1, peekFd);
            }
            assertArrayEquals(peeked.array(), got.array());
        }
    }
}
