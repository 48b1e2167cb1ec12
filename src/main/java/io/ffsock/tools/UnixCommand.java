package io.ffsock.tools;

import io.ffsock.Family;
import io.ffsock.MsgFlag;
import io.ffsock.Received;
import io.ffsock.Shutdown;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallError;
import io.ffsock.UnixAddress;
import io.ffsock.netlink.UnixSocketInfo;
import io.ffsock.netlink.UnixSockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ffsock unix listen|connect [-t stream|dgram|seqpacket] ADDR}: a socat-like bridge between
 * stdin/stdout and an AF_UNIX socket. See {@link #usage()} for the behaviour in detail.
 */
public final class UnixCommand implements Command {
    private static final int MAX_MESSAGE = 1 << 18;
    private static final Set<MsgFlag> TRUNC = EnumSet.of(MsgFlag.TRUNC);
    private static final Set<MsgFlag> PEEK_NOW = EnumSet.of(MsgFlag.PEEK, MsgFlag.DONTWAIT);
    private static final int EAGAIN = 11, ENOENT = 2, EPIPE = 32, ECONNRESET = 104, ECONNREFUSED = 111;

    private static final ArgParser PARSER = new ArgParser()
            .option('t', "type", "TYPE", "stream (default), dgram or seqpacket")
            .option('w', "wait", "SECONDS", "how long to wait for an idle stdin once the peer has finished\n"
                    + "sending, and for replies after stdin ends on a dgram connect (0.5)")
            .flag('u', "unlink", "listen: first remove a stale socket file at ADDR")
            .flag('v', "verbose", "report the address, the connection and the peer on stderr");

    @Override
    public String name() {
        return "unix";
    }

    @Override
    public String summary() {
        return "talk over an AF_UNIX stream, dgram or seqpacket socket (path or @abstract name), like socat";
    }

    @Override
    public String usage() {
        return """
                Usage: ffsock unix listen  [OPTIONS] ADDR
                       ffsock unix connect [OPTIONS] ADDR
                       ffsock unix list
                Bridge stdin/stdout and an AF_UNIX socket, like socat: what arrives is written to
                stdout, and stdin is sent to the peer. ADDR is a filesystem path, or @NAME for a
                Linux abstract name (no file).

                Options:
                """ + PARSER.optionsHelp() + """

                Types:
                  stream     stdin bytes are sent as they come; bytes received are written as they arrive.
                  seqpacket  each stdin line is one message, without its newline (an empty line is an
                             empty message); each message received is written followed by a newline.
                  dgram      as seqpacket, one datagram per line.

                listen binds ADDR and serves one peer:
                  stream, seqpacket  accepts one connection, then exits 0 when the peer closes it.
                  dgram              writes every datagram; stdin lines go to the most recent sender,
                                     which must be bound to a name ('connect -t dgram' autobinds);
                                     lines read before the first datagram wait for it.
                                     Runs until interrupted (Ctrl-C, SIGTERM); stdin EOF does not stop it.
                  A socket file created by listen is removed when it exits.
                connect connects to ADDR; with dgram and seqpacket it first autobinds to an abstract
                name, so that the peer can answer and can tell a message from a hang-up.

                At stdin EOF, stream and seqpacket shut down writing (the peer reads EOF) and keep
                writing what arrives until the peer closes; a dgram connect waits --wait seconds for
                replies, then exits. When the peer has closed, ffsock still sends what stdin holds,
                and exits once stdin has been idle for --wait seconds.

                Empty seqpacket messages: recv(2) returns 0 both for an empty message and when the
                peer hangs up. A real message comes with the sender's address, which tells them apart
                when the peer is bound to a name (always so for a listening server and for 'ffsock unix
                connect'). For an unnamed peer ffsock peeks without waiting: if nothing is queued or
                more data follows, it was an empty message; if the peer has closed (or another empty
                message follows at once), it is taken as the end of the session.

                list prints every AF_UNIX socket of the network namespace in the columns of
                'ss -x -a -n' (sock_diag(7)): type, state, receive and send queue, name and inode,
                the peer's name and inode. For a listener the queues are the connections waiting
                and the backlog. Names: a path, @NAME for an abstract name, * when unbound.

                Exit status: 0 success; 1 a socket call failed (connection refused, missing path,
                address in use...; the error is one line on stderr); 2 bad usage.

                Examples:
                  ffsock unix listen /tmp/demo.sock       # terminal 1
                  ffsock unix connect /tmp/demo.sock      # terminal 2; type lines in either
                  ffsock unix listen -t seqpacket @demo
                  echo hello | ffsock unix connect -t dgram /tmp/dgram.sock
                """;
    }

    /** The parsed command line. */
    private record Options(boolean listen, SocketType type, UnixAddress address, long waitNanos, boolean unlink,
                           boolean verbose) {}

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err, InputStream in) throws UsageException {
        ArgParser.Parsed p = PARSER.parse(args);
        if (p.help()) {
            out.print(usage());
            return Main.OK;
        }
        if (!p.positionals().isEmpty() && p.positionals().get(0).equals("list")) return list(p, out, err);
        Options o = options(p);
        Context c = new Context(o, out, err, in);
        return o.listen ? c.listen() : c.connect();
    }

    /** {@code ffsock unix list}: the sock_diag dump in ss -x columns; a peer's name is looked up by its inode, as ss does. */
    private static int list(ArgParser.Parsed p, PrintStream out, PrintStream err) throws UsageException {
        if (p.positionals().size() > 1) throw new UsageException("unexpected argument '" + p.positionals().get(1) + "'");
        List<UnixSocketInfo> all;
        try {
            all = UnixSockets.list();
        } catch (IOException e) {
            err.println("ffsock: " + e.getMessage());
            return Main.FAILED;
        }
        java.util.Map<Long, String> names = new java.util.HashMap<>();
        int width = "Local Address".length();
        for (UnixSocketInfo u : all) {
            names.put(u.inode(), u.name());
            width = Math.max(width, u.name().length());
        }
        String row = "%-5s  %-8s %6s %6s  %-" + width + "s %-8s  %-" + width + "s %s%n";
        out.printf(row, "Netid", "State", "Recv-Q", "Send-Q", "Local Address", "Port", "Peer Address", "Port");
        for (UnixSocketInfo u : all) {
            out.printf(row, u.netid(), u.stateName(), u.receiveQueue(), u.sendQueue(), u.name(), u.inode(),
                    u.peerInode() == 0 ? "*" : names.getOrDefault(u.peerInode(), "*"), u.peerInode());
        }
        return Main.OK;
    }

    private static Options options(ArgParser.Parsed p) throws UsageException {
        List<String> pos = p.positionals();
        if (pos.isEmpty()) throw new UsageException("missing mode: listen or connect");
        String mode = pos.get(0);
        if (!mode.equals("listen") && !mode.equals("connect")) {
            throw new UsageException("unknown mode '" + mode + "': listen or connect");
        }
        if (pos.size() < 2) throw new UsageException("missing ADDR (a path or @name)");
        if (pos.size() > 2) throw new UsageException("unexpected argument '" + pos.get(2) + "'");
        String typeName = p.value("type").orElse("stream");
        SocketType type = switch (typeName) {
            case "stream" -> SocketType.STREAM;
            case "dgram" -> SocketType.DGRAM;
            case "seqpacket" -> SocketType.SEQPACKET;
            default -> throw new UsageException("unknown type '" + typeName + "': stream, dgram or seqpacket");
        };
        long waitNanos = 500_000_000L;
        if (p.value("wait").isPresent()) {
            String w = p.value("wait").get();
            double seconds;
            try {
                seconds = Double.parseDouble(w);
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (!(seconds >= 0 && seconds <= 1e6)) throw new UsageException("bad --wait '" + w + "': seconds, e.g. 0.5");
            waitNanos = (long) (seconds * 1e9);
        }
        String addrText = pos.get(1);
        if (addrText.isEmpty()) throw new UsageException("ADDR is empty: give a path or @name");
        UnixAddress address;
        try {
            address = UnixAddress.parse(addrText);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (p.flag("unlink") && !mode.equals("listen")) throw new UsageException("--unlink is for listen");
        return new Options(mode.equals("listen"), type, address, waitNanos, p.flag("unlink"), p.flag("verbose"));
    }

    /** One run of the command: the options and the three streams. */
    private static final class Context {
        private final Options o;
        private final PrintStream out;
        private final PrintStream err;
        private final InputStream in;

        Context(Options o, PrintStream out, PrintStream err, InputStream in) {
            this.o = o;
            this.out = out;
            this.err = err;
            this.in = in;
        }

        private void verbose(String message) {
            if (o.verbose) err.println("ffsock: " + message);
        }

        private int failed(IOException e) {
            err.println("ffsock: " + e.getMessage());
            return Main.FAILED;
        }

        @SuppressWarnings("try") // the listening socket is closed early, once the one peer is in
        int listen() {
            Path path = o.address.kind() == UnixAddress.Kind.PATH ? o.address.toPath() : null;
            AtomicBoolean removed = new AtomicBoolean(true);
            Thread remover = new Thread(() -> remove(path, removed), "ffsock-remove-socket-file");
            try (Socket server = Socket.open(Family.UNIX, o.type)) {
                if (path != null && o.unlink) unlinkStale(path);
                if (path != null) Runtime.getRuntime().addShutdownHook(remover);
                server.bind(o.address);
                if (path != null) removed.set(false);
                if (o.type.equals(SocketType.DGRAM)) {
                    verbose("listening on " + o.address + " (SOCK_DGRAM)");
                    return new Session(server, true).run();
                }
                server.listen(1);
                verbose("listening on " + o.address + " (" + o.type + ")");
                Socket peer = server.accept();
                server.close(); // one peer only: later connects are refused
                verbose("connection from " + describe(peer.remoteAddress()));
                try (peer) {
                    return new Session(peer, false).run();
                }
            } catch (IOException e) {
                return failed(e);
            } finally {
                if (path != null) {
                    remove(path, removed);
                    try {
                        Runtime.getRuntime().removeShutdownHook(remover);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running or has run
                    }
                }
            }
        }

        int connect() {
            try (Socket s = Socket.open(Family.UNIX, o.type)) {
                // Bound, the peer can answer a datagram and sees our address on each message.
                if (o.type.keepsBoundaries()) s.bind(UnixAddress.unnamed());
                s.connect(o.address);
                verbose("connected to " + o.address + " (" + o.type + ") from " + describe(s.localAddress()));
                return new Session(s, false).run();
            } catch (IOException e) {
                return failed(e);
            }
        }

        private static String describe(SocketAddress a) {
            return a == null ? "(unnamed)" : a.toString();
        }

        private void unlinkStale(Path path) throws IOException {
            Object mode;
            try {
                mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                return;
            }
            if (!(mode instanceof Integer m) || (m & 0170000) != 0140000) {
                throw new IOException(path + " exists and is not a socket; not removing it");
            }
            Files.delete(path);
            verbose("removed stale socket file " + path);
        }

        private static void remove(Path path, AtomicBoolean removed) {
            if (path != null && removed.compareAndSet(false, true)) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // nothing more to do on the way out
                }
            }
        }

        /**
         * Data both ways on one socket: this thread writes what arrives to stdout, a daemon thread
         * sends stdin.
         */
        private final class Session {
            private final Socket s;
            /** A dgram listener: replies go to the most recent sender. */
            private final boolean replyToSender;
            private final boolean lines;
            private final AtomicReference<SocketAddress> lastSender = new AtomicReference<>();
            private final CountDownLatch firstDatagram = new CountDownLatch(1);
            /** Set when the session is being ended on purpose, so that a closed socket is no error. */
            private volatile boolean finishing;
            private volatile int senderStatus = Main.OK;
            private volatile boolean senderDone;
            /** When the sender started its current wait for stdin; 0 when not waiting. */
            private volatile long readingSince;

            Session(Socket s, boolean replyToSender) {
                this.s = s;
                this.replyToSender = replyToSender;
                this.lines = s.type().keepsBoundaries();
            }

            int run() {
                Thread sender = Thread.ofPlatform().daemon().name("ffsock-stdin").start(this::sendStdin);
                int status = receive();
                if (!s.type().isConnectionOriented()) {
                    return status != Main.OK ? status : senderStatus;
                }
                // The peer finished sending: let stdin drain, but stop once it has been idle for --wait.
                while (!senderDone) {
                    long since = readingSince;
                    if (since != 0 && System.nanoTime() - since >= o.waitNanos) break;
                    try {
                        sender.join(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                finishing = true;
                return status != Main.OK ? status : senderStatus;
            }

            /** Writes what arrives to stdout until the peer has finished; returns the exit status. */
            private int receive() {
                byte[] buf = new byte[MAX_MESSAGE];
                try {
                    for (;;) {
                        if (!lines) {
                            int n = s.recv(buf);
                            if (n == 0) {
                                verbose("peer closed");
                                return Main.OK;
                            }
                            out.write(buf, 0, n);
                        } else {
                            Received r = s.recvFrom(buf, 0, buf.length, TRUNC);
                            int n = (int) Math.min(r.length(), buf.length);
                            if (n == 0 && s.type().equals(SocketType.SEQPACKET) && isHangUp(r.sender())) {
                                verbose("peer closed");
                                return Main.OK;
                            }
                            if (r.length() > buf.length) {
                                err.println("ffsock: message of " + r.length() + " bytes truncated to " + buf.length);
                            }
                            if (replyToSender) {
                                lastSender.set(r.sender());
                                firstDatagram.countDown();
                            }
                            out.write(buf, 0, n);
                            out.write('\n');
                        }
                        out.flush();
                    }
                } catch (ClosedChannelException e) {
                    return finishing ? Main.OK : failed(e);
                } catch (IOException e) {
                    if (errno(e) == ECONNRESET && s.type().isConnectionOriented()) {
                        verbose("peer reset the connection");
                        return Main.OK;
                    }
                    return finishing ? Main.OK : failed(e);
                }
            }

            /** After a 0-byte seqpacket recv: was it the peer hanging up rather than an empty message? */
            private boolean isHangUp(SocketAddress sender) {
                // Only a queued message carries the sender's address; a hang-up carries none.
                if (sender instanceof UnixAddress u && u.kind() != UnixAddress.Kind.UNNAMED) return false;
                try {
                    // Peer still connected and nothing queued (EAGAIN), or more data queued: a message.
                    return s.recv(new byte[1], 0, 1, PEEK_NOW) == 0;
                } catch (IOException e) {
                    return errno(e) != EAGAIN;
                }
            }

            /** The daemon thread: stdin to the socket. */
            private void sendStdin() {
                try {
                    if (lines) {
                        sendLines();
                    } else {
                        byte[] buf = new byte[1 << 16];
                        int n;
                        while ((n = read(buf)) > 0) s.sendAll(buf, 0, n);
                    }
                    stdinEnded();
                } catch (IOException e) {
                    int errno = errno(e);
                    boolean peerGone = s.type().isConnectionOriented() && (errno == EPIPE || errno == ECONNRESET);
                    if (!peerGone && !finishing) {
                        err.println("ffsock: " + e.getMessage());
                        senderStatus = Main.FAILED;
                        finishing = true;
                        s.close(); // ends the session: the receiving thread wakes up
                    }
                } finally {
                    readingSince = 0;
                    senderDone = true;
                }
            }

            private void stdinEnded() throws IOException {
                if (s.type().isConnectionOriented()) {
                    s.shutdown(Shutdown.WRITE);
                    verbose("stdin ended; shut down writing");
                } else if (!replyToSender) {
                    // dgram connect: wait for replies, then end the session.
                    try {
                        Thread.sleep(o.waitNanos / 1_000_000, (int) (o.waitNanos % 1_000_000));
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                    finishing = true;
                    s.close();
                }
                // A dgram listener keeps receiving until it is interrupted.
            }

            private int read(byte[] buf) throws IOException {
                readingSince = System.nanoTime() | 1; // never 0
                try {
                    return in.read(buf);
                } finally {
                    readingSince = 0;
                }
            }

            /** One message per stdin line, without its newline; a last line without one is sent too. */
            private void sendLines() throws IOException {
                byte[] buf = new byte[1 << 16];
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int n;
                while ((n = read(buf)) > 0) {
                    int start = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            line.write(buf, start, i - start);
                            sendMessage(line.toByteArray());
                            line.reset();
                            start = i + 1;
                        }
                    }
                    line.write(buf, start, n - start);
                }
                if (line.size() > 0) sendMessage(line.toByteArray());
            }

            private void sendMessage(byte[] message) throws IOException {
                if (!replyToSender) {
                    s.send(message);
                    return;
                }
                try {
                    firstDatagram.await(); // lines read before anyone wrote to us wait for a sender
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                SocketAddress to = lastSender.get();
                if (to instanceof UnixAddress u && u.kind() == UnixAddress.Kind.UNNAMED) {
                    err.println("ffsock: the last sender is not bound to a name, so it cannot be answered; line dropped");
                } else {
                    try {
                        s.sendTo(message, 0, message.length, to);
                    } catch (IOException e) {
                        int errno = errno(e);
                        if (errno != ECONNREFUSED && errno != ENOENT) throw e;
                        err.println("ffsock: " + e.getMessage() + "; line dropped"); // that sender has gone
                    }
                }
            }
        }
    }

    private static int errno(IOException e) {
        return e instanceof SyscallError s ? s.errno().value() : 0;
    }
}
