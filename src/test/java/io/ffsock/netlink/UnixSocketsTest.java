package io.ffsock.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * sock_diag for AF_UNIX against {@code ss -x -a -n} for sockets this test creates: a stream
 * socketpair with bytes queued, a listener on a path with one connection accepted and one
 * waiting, a datagram socket on an abstract name, a seqpacket pair. Same type, state, queues,
 * name, inode and peer inode; the uid is ours.
 */
@ExtendWith(FdLeakCheck.class)
class UnixSocketsTest {
    private static int counter;

    /** Sockets of the test, by inode; kept open while ss and sock_diag look. */
    record Fixture(Map<Long, String> labels, List<AutoCloseable> open, Path dir) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            for (AutoCloseable c : open) c.close();
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    static Fixture fixture() throws Exception {
        String unique = ProcessHandle.current().pid() + "-" + (++counter);
        Path dir = Files.createTempDirectory("ffsock-diag");
        Map<Long, String> labels = new HashMap<>();
        List<AutoCloseable> open = new java.util.ArrayList<>();
        SocketPair pair = Socket.pair(SocketType.STREAM);
        open.add(pair);
        pair.first().sendAll("hello".getBytes());
        label(labels, pair.first(), "pair-first");
        label(labels, pair.second(), "pair-second");
        Socket listener = Socket.open(io.ffsock.Family.UNIX, SocketType.STREAM);
        open.add(listener);
        listener.bind(UnixAddress.path(dir.resolve("l.sock")));
        listener.listen(7);
        label(labels, listener, "listener");
        Socket client = Socket.open(io.ffsock.Family.UNIX, SocketType.STREAM);
        open.add(client);
        client.connect(UnixAddress.path(dir.resolve("l.sock")));
        Socket accepted = listener.accept();
        open.add(accepted);
        label(labels, client, "client");
        label(labels, accepted, "accepted");
        Socket waiting = Socket.open(io.ffsock.Family.UNIX, SocketType.STREAM);
        open.add(waiting);
        waiting.connect(UnixAddress.path(dir.resolve("l.sock"))); // queued on the listener, not accepted
        label(labels, waiting, "waiting");
        Socket dgram = Socket.open(io.ffsock.Family.UNIX, SocketType.DGRAM);
        open.add(dgram);
        dgram.bind(UnixAddress.abstractName("ffsock-diag-" + unique));
        label(labels, dgram, "abstract");
        SocketPair seq = Socket.pair(SocketType.SEQPACKET);
        open.add(seq);
        label(labels, seq.first(), "seq-first");
        label(labels, seq.second(), "seq-second");
        return new Fixture(labels, open, dir);
    }

    private static void label(Map<Long, String> labels, Socket s, String label) throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + s.fdNumber())).toString(); // socket:[N]
        labels.put(Long.parseLong(link.substring(8, link.length() - 1)), label);
    }

    /** ss -x -a -n rows by inode: netid state recvq sendq local inode peer peer-inode. */
    static Map<Long, String> ss() throws Exception {
        Map<Long, String> rows = new HashMap<>();
        for (String line : Netns.exec("ss", "-x", "-a", "-n").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || f[0].equals("Netid")) continue;
            rows.put(Long.parseLong(f[5]), String.join(" ", f[0], f[1], f[2], f[3], f[4], f[5], f[7]));
        }
        return rows;
    }

    @Test
    void unixSocketsAgreeWithSs() throws Exception {
        try (Fixture f = fixture()) {
            Map<Long, UnixSocketInfo> ours = new HashMap<>();
            for (UnixSocketInfo u : UnixSockets.list()) ours.put(u.inode(), u);
            Map<Long, String> ss = ss();
            for (Map.Entry<Long, String> e : f.labels().entrySet()) {
                UnixSocketInfo u = ours.get(e.getKey());
                assertTrue(u != null, e.getValue() + " (inode " + e.getKey() + ") missing from sock_diag");
                String line = String.join(" ", u.netid(), u.stateName(), Long.toString(u.receiveQueue()),
                        Long.toString(u.sendQueue()), u.name(), Long.toString(u.inode()), Long.toString(u.peerInode()));
                assertEquals(ss.get(e.getKey()), line, e.getValue());
                assertEquals(0, u.uid(), e.getValue());
            }
            Map<String, UnixSocketInfo> byLabel = new HashMap<>();
            for (Map.Entry<Long, String> e : f.labels().entrySet()) byLabel.put(e.getValue(), ours.get(e.getKey()));
            assertEquals(5, byLabel.get("pair-second").receiveQueue());
            assertEquals(byLabel.get("pair-first").inode(), byLabel.get("pair-second").peerInode());
            assertEquals("LISTEN", byLabel.get("listener").stateName());
            assertEquals(1, byLabel.get("listener").receiveQueue()); // one connection waiting
            assertEquals(7, byLabel.get("listener").sendQueue()); // the backlog
            assertTrue(byLabel.get("abstract").isAbstract());
            assertEquals(f.dir().resolve("l.sock").toString(), byLabel.get("listener").name());
            assertEquals("u_seq", byLabel.get("seq-first").netid());
        }
    }
}
