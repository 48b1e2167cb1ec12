package io.ffsock.hardening;

import io.ffsock.ControlTruncatedException;
import io.ffsock.Family;
import io.ffsock.OwnedFd;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The child JVM of {@link FdLimitTest}: run under a low RLIMIT_NOFILE with its classes loaded
 * from directories, it fills its fd table and then makes ffsock fail in as many ways as it can.
 * Nothing here may need a class load once the table is full, so it is one class of static
 * methods and uses only ffsock types it touched before. Every outcome becomes one line
 * {@code RESULT key|exception class|message} on stdout, written once the fds are free again
 * (formatting may load classes).
 *
 * <p>Before filling, python3 peers (the hostile peer's {@code fds} mode) connect and each queue
 * one message with fds, received later with a given number of free fd slots and control space:
 * {@link #SCENARIOS}.
 */
public final class FdLimitChild {
    private FdLimitChild() {}

    /**
     * recvmsg scenarios: name, fds the peer sends, free fd slots at the recvmsg, control space.
     * In "space" the control buffer (room for 6 fds) is what stops the kernel, not the 8 free
     * slots; in "tight" the 5 free slots stop it one fd before the buffer (40 bytes, which a cut
     * for space would leave full too).
     */
    static final Object[][] SCENARIOS = {
        {"recvmsg-full", 5, 0, 2048},
        {"recvmsg-partial", 10, 3, 2048},
        {"recvmsg-tight", 10, 5, 40},
        {"recvmsg-space", 10, 8, 40},
    };

    private static final List<String> KEYS = new ArrayList<>();
    private static final List<Throwable> OUTCOMES = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String name = "ffsock-fdlimit-" + ProcessHandle.current().pid();
        UnixAddress address = UnixAddress.abstractName(name);

        // Touch, without any error, every ffsock type used below.
        OwnedFd[] warm = OwnedFd.pipe();
        warm[0].close();
        warm[1].close();
        Socket.pair(SocketType.STREAM).close();

        Socket listener = Socket.open(Family.UNIX, SocketType.SEQPACKET);
        listener.bind(address);
        listener.listen(8);
        List<Process> peers = new ArrayList<>();
        List<Socket> connections = new ArrayList<>();
        for (Object[] scenario : SCENARIOS) {
            Process peer = start("fds", "@" + name, String.valueOf(scenario[1]));
            peers.add(peer);
            connections.add(listener.accept());
            awaitSent(peer);
        }
        Socket pending = Socket.open(Family.UNIX, SocketType.SEQPACKET);
        pending.connect(address); // left in the backlog: accept must fail on the fd, not wait
        Socket unconnected = Socket.open(Family.UNIX, SocketType.STREAM);
        Socket secondBinder = Socket.open(Family.UNIX, SocketType.SEQPACKET);
        pending.setTimeout(Duration.ofMillis(50));

        List<Socket> filler = new ArrayList<>(1 << 16);
        record("socket", fill(filler));
        try {
            filler.add(Socket.open(Family.UNIX, SocketType.DGRAM));
            record("socket-again", null);
        } catch (Throwable t) {
            record("socket-again", t);
        }
        try {
            OwnedFd[] p = OwnedFd.pipe();
            p[0].close();
            p[1].close();
            record("pipe", null);
        } catch (Throwable t) {
            record("pipe", t);
        }
        try {
            Socket.pair(SocketType.STREAM).close();
            record("socketpair", null);
        } catch (Throwable t) {
            record("socketpair", t);
        }
        try {
            listener.accept().close();
            record("accept", null);
        } catch (Throwable t) {
            record("accept", t);
        }
        try {
            unconnected.connect(UnixAddress.abstractName(name + "-nobody"));
            record("connect", null);
        } catch (Throwable t) {
            record("connect", t);
        }
        try {
            secondBinder.bind(address);
            record("bind", null);
        } catch (Throwable t) {
            record("bind", t);
        }
        try {
            pending.recv(new byte[16]);
            record("timeout", null);
        } catch (Throwable t) {
            record("timeout", t);
        }
        Socket closed = filler.remove(filler.size() - 1);
        closed.close();
        try {
            filler.add(Socket.open(Family.UNIX, SocketType.DGRAM)); // the table is full again
            closed.send(new byte[1]);
            record("closed", null);
        } catch (Throwable t) {
            record("closed", t);
        }
        for (int i = 0; i < SCENARIOS.length; i++) {
            fill(filler);
            for (int free = (int) SCENARIOS[i][2]; free > 0; free--) filler.remove(filler.size() - 1).close();
            try {
                connections.get(i).recvMsg(List.of(ByteBuffer.allocate(16)), (int) SCENARIOS[i][3], Set.of()).close();
                record((String) SCENARIOS[i][0], null);
            } catch (Throwable t) {
                record((String) SCENARIOS[i][0], t);
            }
        }

        for (Socket s : filler) s.close();
        filler.clear();
        for (Socket s : connections) s.close();
        for (Socket s : List.of(pending, unconnected, secondBinder, listener)) s.close();
        for (Process p : peers) {
            p.destroy();
            p.waitFor();
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < KEYS.size(); i++) {
            Throwable t = OUTCOMES.get(i);
            out.append("RESULT ").append(KEYS.get(i)).append('|');
            if (t == null) {
                out.append("none|");
            } else {
                out.append(t.getClass().getName()).append('|').append(String.valueOf(t.getMessage()).replace('\n', ' '));
                if (t instanceof ControlTruncatedException c) {
                    out.append("|fdLimitReached=").append(c.fdLimitReached()).append(" fdsClosed=").append(c.fdsClosed());
                }
            }
            out.append('\n');
        }
        System.out.print(out);
        System.out.println("DONE");
    }

    /** Opens sockets until one fails; returns that failure (EMFILE). */
    private static Throwable fill(List<Socket> filler) {
        try {
            for (;;) filler.add(Socket.open(Family.UNIX, SocketType.DGRAM));
        } catch (Throwable t) {
            return t;
        }
    }

    private static Process start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3", "-c", Peer.HOSTILE));
        command.addAll(List.of(args));
        command.add("/dev/null");
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void awaitSent(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line = r.readLine();
        if (!"SENT".equals(line)) throw new IllegalStateException("peer said " + line);
    }

    private static void record(String key, Throwable t) {
        KEYS.add(key);
        OUTCOMES.add(t);
    }
}
