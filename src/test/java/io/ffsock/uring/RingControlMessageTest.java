package io.ffsock.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.ControlMessage;
import io.ffsock.ControlTruncatedException;
import io.ffsock.Credentials;
import io.ffsock.Family;
import io.ffsock.FdOwner;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.MsgFlag;
import io.ffsock.OwnedFd;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * sendmsg/recvmsg through the ring with control messages: fds both ways with a blocking ffsock
 * socket and with python3's socket.send_fds/recv_fds, credentials, MSG_CTRUNC, and the fds an
 * operation holds while in flight.
 */
@ExtendWith(FdLeakCheck.class)
class RingControlMessageTest {
    private static final int MSG_CTRUNC = 0x8;
    private static final int ECANCELED = 125;

    private static int openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    private static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** A completion that records the result and, if asked, takes the control messages inside the callback. */
    static final class Taker implements Completion {
        final Ring ring;
        final boolean take;
        int result = Integer.MIN_VALUE;
        int msgFlags;
        List<ControlMessage> control;
        IOException failure;
        int fdsDuringCallback;

        Taker(Ring ring, boolean take) {
            this.ring = ring;
            this.take = take;
        }

        @Override
        public void complete(long op, int res, int flags) {
            result = res;
            msgFlags = ring.messageFlags(op);
            try {
                fdsDuringCallback = openFds();
                if (take) control = ring.control(op);
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    private static List<OwnedFd> fdsOf(List<ControlMessage> control) {
        List<OwnedFd> out = new ArrayList<>();
        for (ControlMessage m : control) {
            if (m instanceof ControlMessage.Rights r) for (FdOwner f : r.fds()) out.add((OwnedFd) f);
        }
        return out;
    }

    /** Sends {@code text} through a received socket fd and reads it at {@code peer}. */
    private static void provePassed(OwnedFd passed, Socket peer, String text) throws IOException {
        try (Socket s = passed.toSocket()) {
            s.send(text.getBytes(StandardCharsets.US_ASCII));
        }
        byte[] b = new byte[64];
        peer.setTimeout(java.time.Duration.ofSeconds(10));
        int n = peer.recv(b);
        assertEquals(text, new String(b, 0, n, StandardCharsets.US_ASCII));
    }

    @Test
    void ringSendsFdsToABlockingSocket() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair pair = Socket.pair(SocketType.STREAM);
                SocketPair carried = Socket.pair(SocketType.STREAM)) {
            RingBuffer out = ring.allocate(8);
            out.put(0, new byte[] {'x'}, 0, 1);
            RingTest.Log log = new RingTest.Log();
            long op = ring.sendMsg(pair.first(), out, 0, 1, null, List.of(ControlMessage.rights(carried.first())), log);
            RingTest.waitFor(ring, 1);
            assertEquals(1, log.result(op));
            assertFalse(carried.first().isClosed(), "the fds sent stay the caller's");
            try (ReceivedMessage m = pair.second().recvMsg(ByteBuffer.allocate(8))) {
                assertEquals(1, m.length());
                assertEquals(1, m.fds().size());
                List<OwnedFd> taken = m.takeFds();
                provePassed(taken.get(0), carried.second(), "through ring");
            }
        }
    }

    @Test
    void ringReceivesFdsFromABlockingSocket() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair pair = Socket.pair(SocketType.SEQPACKET);
                SocketPair carried = Socket.pair(SocketType.STREAM)) {
            pair.first().sendMsg(ByteBuffer.wrap(new byte[] {'y', 'z'}), ControlMessage.rights(carried.first(), carried.first()));
            RingBuffer in = ring.allocate(16);
            Taker t = new Taker(ring, true);
            ring.recvMsg(pair.second(), in, 0, 16, Socket.DEFAULT_CONTROL_SPACE, t);
            RingTest.waitFor(ring, 1);
            assertEquals(2, t.result);
            assertEquals(0, t.msgFlags & MSG_CTRUNC);
            List<OwnedFd> fds = fdsOf(t.control);
            assertEquals(2, fds.size());
            assertFalse(fds.get(0).isClosed(), "taken fds are the caller's, open after the callback");
            int flags = java.lang.Integer.parseInt(Files.readAllLines(
                    Path.of("/proc/self/fdinfo/" + fds.get(0).fdNumber())).get(1).split("\\s+")[1], 8);
            assertEquals(02000000, flags & 02000000, "received with MSG_CMSG_CLOEXEC (O_CLOEXEC)");
            fds.get(1).close();
            provePassed(fds.get(0), carried.second(), "via ring recvmsg");
        }
    }

    @Test
    void fdsTheCallbackDoesNotTakeAreClosedAfterIt() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair pair = Socket.pair(SocketType.SEQPACKET);
                SocketPair carried = Socket.pair(SocketType.STREAM)) {
            RingBuffer in = ring.allocate(16);
            int before = openFds();
            pair.first().sendMsg(ByteBuffer.wrap(new byte[] {'q'}),
                    ControlMessage.rights(carried.first(), carried.second(), carried.first()));
            Taker t = new Taker(ring, false);
            ring.recvMsg(pair.second(), in, 0, 16, Socket.DEFAULT_CONTROL_SPACE, t);
            RingTest.waitFor(ring, 1);
            assertEquals(1, t.result);
            assertEquals(before + 3, t.fdsDuringCallback, "the three fds were open during the callback");
            assertEquals(before, openFds(), "and closed by the ring after it");
        }
    }

    @Test
    void ctruncClosesTheFdsThatArrivedAndControlSaysSo() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair pair = Socket.pair(SocketType.SEQPACKET);
                SocketPair carried = Socket.pair(SocketType.STREAM)) {
            RingBuffer in = ring.allocate(16);
            int before = openFds();
            pair.first().sendMsg(ByteBuffer.wrap(new byte[] {'c', 't'}),
                    ControlMessage.rights(carried.first(), carried.second(), carried.first()));
            Taker t = new Taker(ring, true);
            ring.recvMsg(pair.second(), in, 0, 16, 24, t); // CMSG_SPACE(4) = 24: (24 - 16) / 4 = two fds of three fit
            RingTest.waitFor(ring, 1);
            assertEquals(2, t.result, "the data arrived");
            assertEquals(MSG_CTRUNC, t.msgFlags & MSG_CTRUNC);
            ControlTruncatedException e = assertInstanceOf(ControlTruncatedException.class, t.failure);
            assertEquals(2, e.fdsClosed(), e.getMessage());
            assertFalse(e.fdLimitReached());
            assertTrue(e.getMessage().contains("io_uring recvmsg") && e.getMessage().contains("24 bytes"), e.getMessage());
            assertEquals(before, t.fdsDuringCallback, "closed before the callback ran");
            assertEquals(before, openFds());
        }
    }

    @Test
    void recvMsgWithoutControlSpaceReportsTheFdsTheKernelDropped() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair pair = Socket.pair(SocketType.SEQPACKET);
                SocketPair carried = Socket.pair(SocketType.STREAM)) {
            RingBuffer in = ring.allocate(16);
            int before = openFds();
            pair.first().sendMsg(ByteBuffer.wrap(new byte[] {'n'}), ControlMessage.rights(carried.first()));
            Taker t = new Taker(ring, true);
            ring.recvMsg(pair.second(), in, 0, 16, t);
            RingTest.waitFor(ring, 1);
            assertEquals(1, t.result);
            assertInstanceOf(ControlTruncatedException.class, t.failure);
            assertEquals(before, openFds());
        }
    }

    @Test
    void credentialsBothWays() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair pair = Socket.pair(SocketType.DGRAM)) {
            pair.first().setOption(LinuxSocketOptions.SO_PASSCRED, true);
            pair.second().setOption(LinuxSocketOptions.SO_PASSCRED, true);
            Credentials me = Credentials.ofThisProcess();
            // Ring -> blocking socket, explicit credentials.
            RingBuffer out = ring.allocate(8);
            out.put(0, new byte[] {'c'}, 0, 1);
            RingTest.Log log = new RingTest.Log();
            long op = ring.sendMsg(pair.first(), out, 0, 1, null, List.of(ControlMessage.credentials(me)), log);
            RingTest.waitFor(ring, 1);
            assertEquals(1, log.result(op));
            try (ReceivedMessage m = pair.second().recvMsg(ByteBuffer.allocate(8))) {
                assertEquals(me, m.credentials().orElseThrow());
            }
            // Blocking socket -> ring: the kernel adds the sender's credentials (SO_PASSCRED).
            pair.second().send(new byte[] {'d'});
            RingBuffer in = ring.allocate(8);
            Taker t = new Taker(ring, true);
            ring.recvMsg(pair.first(), in, 0, 8, Socket.DEFAULT_CONTROL_SPACE, t);
            RingTest.waitFor(ring, 1);
            assertEquals(1, t.result);
            assertEquals(List.of(new ControlMessage.CredentialsMessage(me)), t.control);
        }
    }

    @Test
    void badControlIsRefusedBeforeSubmitting() throws IOException {
        try (Ring ring = Ring.open(8); SocketPair pair = Socket.pair(SocketType.STREAM);
                SocketPair carried = Socket.pair(SocketType.STREAM)) {
            RingBuffer out = ring.allocate(8);
            RingTest.Log log = new RingTest.Log();
            NullPointerException npe = assertThrows(NullPointerException.class,
                    () -> ring.sendMsg(pair.first(), out, 0, 1, null, null, log));
            assertEquals("io_uring sendmsg: control is null", npe.getMessage());
            List<ControlMessage> withNull = new ArrayList<>();
            withNull.add(null);
            assertThrows(NullPointerException.class, () -> ring.sendMsg(pair.first(), out, 0, 1, null, withNull, log));
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                    () -> ring.sendMsg(pair.first(), out, 0, 0, null, List.of(ControlMessage.rights(carried.first())), log));
            assertTrue(zero.getMessage().contains("at least one data byte"), zero.getMessage());
            FdOwner[] tooMany = new FdOwner[254];
            java.util.Arrays.fill(tooMany, carried.first());
            assertThrows(IllegalArgumentException.class, () -> ControlMessage.rights(tooMany));
            assertThrows(IllegalArgumentException.class,
                    () -> ring.sendMsg(pair.first(), out, 0, 1, null, List.of(new ControlMessage.Timestamp(1L, 0L)), log));
            assertThrows(IllegalArgumentException.class, () -> ring.recvMsg(pair.first(), out, 0, 8, -1, log));
            OwnedFd closed = OwnedFd.duplicate(carried.first().fdNumber());
            closed.close();
            IOException gone = assertThrows(IOException.class,
                    () -> ring.sendMsg(pair.first(), out, 0, 1, null, List.of(ControlMessage.rights(carried.first(), closed)), log));
            assertTrue(gone.getMessage().contains("io_uring sendmsg"), gone.getMessage());
            assertEquals(0, ring.inFlight(), "nothing was queued");
            // The fd held before the closed one was released: closing it closes it now.
            int n = carried.first().fdNumber();
            String was = target(n);
            carried.first().close();
            assertFalse(was.equals(target(n)), "released by the refused sendmsg");
        }
    }

    @Test
    void closingTheRingWithASendmsgInFlightReleasesTheFdsItHolds() throws IOException {
        try (SocketPair pair = Socket.pair(SocketType.STREAM); SocketPair carried = Socket.pair(SocketType.STREAM)) {
            byte[] chunk = new byte[65536];
            try {
                for (;;) pair.first().send(chunk, 0, chunk.length, Set.of(MsgFlag.DONTWAIT));
            } catch (IOException full) {
                // the send buffer is full: a sendmsg now waits
            }
            int n = carried.first().fdNumber();
            String was = target(n);
            int[] result = {Integer.MIN_VALUE};
            try (Ring ring = Ring.open(8)) {
                RingBuffer out = ring.allocate(8);
                ring.sendMsg(pair.first(), out, 0, 1, null, List.of(ControlMessage.rights(carried.first())),
                        (op, res, flags) -> result[0] = res);
                ring.submit();
                assertEquals(1, ring.inFlight());
                carried.first().close(); // the caller's close: the fd number stays while the sendmsg holds it
                assertTrue(carried.first().isClosed());
                assertEquals(was, target(n), "held by the sendmsg in flight");
            }
            assertEquals(-ECANCELED, result[0]);
            assertFalse(was.equals(target(n)), "released, so closed, once the ring delivered the completion");
        }
    }

    @Test
    void eachRecvmsgKeepsItsOwnMsghdrWhenSqeIndicesWrap() throws IOException {
        // A 2-entry SQ: the third operation reuses SQE index 0 while the first is still in flight.
        try (Ring ring = Ring.open(2); Socket a = Socket.open(Family.INET, SocketType.DGRAM);
                Socket b = Socket.open(Family.INET, SocketType.DGRAM); Socket c = Socket.open(Family.INET, SocketType.DGRAM);
                Socket d = Socket.open(Family.INET, SocketType.DGRAM)) {
            for (Socket s : List.of(a, b, c, d)) s.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            RingBuffer in = ring.allocate(48);
            java.util.Map<Long, java.net.SocketAddress> senders = new java.util.HashMap<>();
            Completion keep = (op, res, flags) -> senders.put(op, ring.sender(op));
            long ob = ring.recvMsg(b, in, 0, 16, Socket.DEFAULT_CONTROL_SPACE, keep);
            long oc = ring.recvMsg(c, in, 16, 16, keep);
            ring.submit();
            long od = ring.recvMsg(d, in, 32, 16, keep);
            ring.submit();
            for (Socket s : List.of(b, c, d)) a.sendTo(new byte[] {1}, 0, 1, Set.of(), s.localAddress());
            RingTest.waitFor(ring, 3);
            assertEquals(a.localAddress(), senders.get(ob));
            assertEquals(a.localAddress(), senders.get(oc));
            assertEquals(a.localAddress(), senders.get(od));
        }
    }

    // ---- python3's socket.send_fds / recv_fds as the peer ------------------------------------------

    private static final String PY_PEER = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.settimeout(20)
            s.connect('\\0' + sys.argv[1])
            a, b = socket.socketpair()
            assert socket.send_fds(s, [b'PY'], [a.fileno()]) == 2
            a.close()
            print('PEER', b.recv(100).decode(), flush=True)
            msg, fds, flags, _ = socket.recv_fds(s, 100, 10)
            for f in fds:
                os.write(f, b'from python')
                os.close(f)
            print('GOT', msg.decode(), len(fds), flush=True)
            assert s.recv(10) == b''
            """;

    private static String python3() {
        for (String p : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            if (Files.isExecutable(Path.of(p))) return p;
        }
        throw new AssertionError("python3 is needed as an independent peer (socket.send_fds/recv_fds)");
    }

    @Test
    void fdsBothWaysWithPython() throws Exception {
        String name = "ffsock-ringcmsg-" + ProcessHandle.current().pid();
        Process py = null;
        try (Ring ring = Ring.open(8); Socket server = Socket.open(Family.UNIX, SocketType.SEQPACKET);
                SocketPair carried = Socket.pair(SocketType.STREAM)) {
            server.bind(UnixAddress.abstractName(name));
            server.listen(1);
            py = new ProcessBuilder(python3(), "-c", PY_PEER, name).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
            try (Socket conn = server.accept()) {
                RingBuffer in = ring.allocate(16);
                Taker t = new Taker(ring, true);
                ring.recvMsg(conn, in, 0, 16, Socket.DEFAULT_CONTROL_SPACE, t);
                RingTest.waitFor(ring, 1);
                assertEquals(2, t.result);
                byte[] got = new byte[2];
                in.get(0, got, 0, 2);
                assertEquals("PY", new String(got, StandardCharsets.US_ASCII));
                List<OwnedFd> fds = fdsOf(t.control);
                assertEquals(1, fds.size());
                try (Socket passed = fds.get(0).toSocket()) {
                    passed.send("hello python".getBytes(StandardCharsets.US_ASCII));
                }
                assertEquals("PEER hello python", lines.readLine());

                RingBuffer out = ring.allocate(8);
                out.put(0, "ring".getBytes(StandardCharsets.US_ASCII), 0, 4);
                RingTest.Log log = new RingTest.Log();
                long op = ring.sendMsg(conn, out, 0, 4, null, List.of(ControlMessage.rights(carried.first())), log);
                RingTest.waitFor(ring, 1);
                assertEquals(4, log.result(op));
                assertEquals("GOT ring 1", lines.readLine());
                byte[] b = new byte[32];
                carried.second().setTimeout(java.time.Duration.ofSeconds(10));
                int n = carried.second().recv(b);
                assertEquals("from python", new String(b, 0, n, StandardCharsets.US_ASCII));
            }
            assertTrue(py.waitFor(20, TimeUnit.SECONDS), "python peer ended");
            assertEquals(0, py.exitValue());
        } finally {
            if (py != null) py.destroyForcibly();
        }
    }
}
