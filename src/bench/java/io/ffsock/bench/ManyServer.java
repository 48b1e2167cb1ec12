package io.ffsock.bench;

import io.ffsock.EventLoop;
import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.uring.Acceptor;
import io.ffsock.uring.BufferGroup;
import io.ffsock.uring.Completion;
import io.ffsock.uring.Ring;
import io.ffsock.uring.RingBuffer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;

/**
 * W7's Java servers: {@code ManyServer IMPL CONNS} listens on 127.0.0.1 (an ephemeral port),
 * prints {@code PORT <n>} and {@code READY}, echoes whatever arrives on every connection, and
 * exits once {@code CONNS} connections have come and gone. The load comes from
 * {@code bench_many client} (C, the same for every server), so only the server differs; the C
 * liburing server is {@code bench_many server}.
 *
 * <ul>
 * <li>{@code ffsock-uring}: one thread, one {@link Ring}: multishot accept, a multishot recv per
 *     connection over a provided-buffer ring ({@link BufferGroup}), each arrival copied into the
 *     connection's 64 bytes of a {@link RingBuffer} (its buffer recycled at once) and sent from
 *     there; every submission and wait of a pass is one io_uring_enter(2).
 * <li>{@code ffsock-loop-epoll}, {@code ffsock-loop-uring}: one thread, one
 *     {@link io.ffsock.EventLoop} on the epoll or the io_uring backend, every socket non-blocking
 *     and registered LEVEL for reading: each ready connection gets one read and its bytes written
 *     back ({@link Socket#read}/{@link Socket#write}, which say 0 instead of EAGAIN).
 * <li>{@code ffsock}, {@code jdk}: a virtual thread per connection, blocking
 *     {@link io.ffsock.Socket} with a native segment / blocking {@link SocketChannel} with a direct
 *     buffer (the scheduler's carriers: one per CPU the process may use).
 * <li>{@code netty-epoll}, {@code netty-uring}: Netty 4.2's native epoll and io_uring transports,
 *     one event-loop thread, an echo handler that writes each read buffer back and flushes at
 *     the end of each read batch.
 * </ul>
 */
public final class ManyServer {
    private static final int MSG = 64;
    private static final int ENOBUFS = 105;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ManyServer ffsock-uring|ffsock-loop-epoll|ffsock-loop-uring|ffsock|jdk|netty-epoll|netty-uring CONNS");
            System.exit(2);
        }
        int conns = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "ffsock-uring" -> uring(conns);
            case "ffsock-loop-epoll" -> loop(conns, EventLoop.Backend.EPOLL);
            case "ffsock-loop-uring" -> loop(conns, EventLoop.Backend.IO_URING);
            case "ffsock" -> ffsockThreads(conns);
            case "jdk" -> jdkThreads(conns);
            case "netty-epoll" -> netty(conns, false);
            case "netty-uring" -> netty(conns, true);
            default -> throw new IllegalArgumentException("unknown implementation " + args[0]);
        }
        System.exit(0);
    }

    private static void ready(int port) {
        System.out.println("PORT " + port);
        System.out.println("READY");
        System.out.flush();
    }

    private static Socket listener() throws IOException {
        Socket l = Socket.open(Family.INET, SocketType.STREAM);
        l.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        l.bind(new InetSocketAddress("127.0.0.1", 0));
        l.listen(4096);
        return l;
    }

    // ---- ffsock, io_uring ------------------------------------------------------------------------

    /** The state of the io_uring server: one ring on this thread, shared by every connection. */
    private static final class UringServer implements Acceptor {
        final Ring ring;
        final BufferGroup group;
        final RingBuffer out;
        final int conns;
        final Completion sent = (op, result, flags) -> { }; // a failed send: the client left; its recv ends too
        int accepted;
        int closed;
        boolean rearmAccept;

        UringServer(Ring ring, int conns) throws IOException {
            this.ring = ring;
            this.conns = conns;
            // Enough buffers for every connection to have data waiting at once (64 B each).
            this.group = ring.bufferGroup(1, Integer.highestOneBit(Math.max(conns, 64) * 2 - 1), 512);
            this.out = ring.allocate(conns * MSG);
        }

        @Override
        public void accepted(long op, Socket s, IOException failure, boolean more) {
            if (!more) rearmAccept = accepted + (s != null ? 1 : 0) < conns;
            if (s == null) return;
            try {
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                new Conn(this, s, accepted++).arm();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** One connection of the io_uring server: the completion of its multishot recv. */
    private static final class Conn implements Completion {
        final UringServer server;
        final Socket socket;
        final int at; // its 64 bytes of the send buffer
        long received;

        Conn(UringServer server, Socket socket, int index) {
            this.server = server;
            this.socket = socket;
            this.at = index * MSG;
        }

        void arm() throws IOException {
            server.ring.recvMultishot(socket, server.group, this);
        }

        @Override
        public void complete(long op, int result, int flags) {
            try {
                if (result > 0) {
                    // One 64-byte message is in flight per connection: the bytes of this one
                    // land at their place in it, and the next message arrives only after the
                    // client had all of this one back (so its send is done with the memory).
                    int from = (int) (received % MSG);
                    if (from + result > MSG) throw new IllegalStateException("more than " + MSG + " bytes in flight");
                    int bid = Ring.bufferId(flags);
                    server.group.copyTo(bid, result, server.out, at + from);
                    server.group.recycle(bid);
                    received += result;
                    server.ring.send(socket, server.out, at + from, result, 0, server.sent);
                    if (!Ring.hasMore(flags)) arm();
                } else if (result == -ENOBUFS) {
                    arm(); // every buffer was taken: the data waits in the socket
                } else if (!Ring.hasMore(flags)) {
                    socket.close(); // end of stream or reset: the client left
                    server.closed++;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    static void uring(int conns) throws IOException {
        // The CQ holds every connection's recv and send at once, plus the accept.
        int cq = Math.min(65536, Integer.highestOneBit(conns * 2 + 64) * 2);
        try (Ring ring = Ring.open(4096, Math.max(cq, 8192)); Socket l = listener()) {
            UringServer server = new UringServer(ring, conns);
            ring.acceptMultishot(l, server);
            ready(((InetSocketAddress) l.localAddress()).getPort());
            while (server.closed < conns) {
                ring.submitAndWait(1);
                if (server.rearmAccept) {
                    server.rearmAccept = false;
                    ring.acceptMultishot(l, server);
                }
            }
        }
    }

    // ---- ffsock, EventLoop --------------------------------------------------------------------------

    static void loop(int conns, EventLoop.Backend backend) throws IOException {
        java.util.Set<EventLoop.Event> read = java.util.Set.of(EventLoop.Event.READ);
        try (EventLoop loop = EventLoop.open(backend, 1024); Socket l = listener()) {
            l.setBlocking(false);
            loop.register(l, read);
            ByteBuffer buf = ByteBuffer.allocateDirect(MSG);
            ready(((InetSocketAddress) l.localAddress()).getPort());
            int accepted = 0;
            int closed = 0;
            while (closed < conns) {
                for (EventLoop.Ready r : loop.poll(null)) {
                    Socket s = r.socket();
                    if (s == l) {
                        while (accepted < conns) {
                            Socket c;
                            try {
                                c = l.accept();
                            } catch (io.ffsock.SyscallException e) {
                                if (e.errno().symbol().equals("EAGAIN")) break;
                                throw e;
                            }
                            c.setBlocking(false);
                            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            loop.register(c, read);
                            accepted++;
                        }
                        if (accepted == conns) loop.unregister(l);
                        continue;
                    }
                    buf.clear();
                    int n;
                    try {
                        n = s.read(buf);
                    } catch (IOException reset) { // the client left with SO_LINGER 0
                        n = -1;
                    }
                    if (n == 0) continue;
                    if (n < 0) {
                        loop.unregister(s);
                        s.close();
                        closed++;
                        continue;
                    }
                    buf.flip();
                    try {
                        // One message in flight per connection: its 64 bytes always fit the send buffer.
                        while (buf.hasRemaining()) {
                            if (s.write(buf) == 0) throw new IllegalStateException("send buffer full with " + MSG + " bytes in flight");
                        }
                    } catch (IOException reset) {
                        // the client left; its read ends the connection
                    }
                }
            }
        }
    }

    // ---- virtual threads -------------------------------------------------------------------------

    static void ffsockThreads(int conns) throws Exception {
        try (Socket l = listener()) {
            ready(((InetSocketAddress) l.localAddress()).getPort());
            Thread[] echoes = new Thread[conns];
            for (int i = 0; i < conns; i++) {
                Socket c = l.accept();
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                echoes[i] = Thread.ofVirtual().start(() -> {
                    try (c; Arena a = Arena.ofConfined()) {
                        MemorySegment buf = a.allocate(MSG);
                        for (;;) {
                            long n = c.recv(buf);
                            if (n <= 0) break;
                            MemorySegment data = n == MSG ? buf : buf.asSlice(0, n);
                            long put = 0;
                            while (put < n) put += c.send(put == 0 ? data : data.asSlice(put));
                        }
                    } catch (IOException e) {
                        // the client left (reset)
                    }
                });
            }
            for (Thread t : echoes) t.join();
        }
    }

    static void jdkThreads(int conns) throws Exception {
        try (ServerSocketChannel l = ServerSocketChannel.open()) {
            l.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            ready(((InetSocketAddress) l.getLocalAddress()).getPort());
            Thread[] echoes = new Thread[conns];
            for (int i = 0; i < conns; i++) {
                SocketChannel c = l.accept();
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                echoes[i] = Thread.ofVirtual().start(() -> {
                    try (c) {
                        ByteBuffer buf = ByteBuffer.allocateDirect(MSG);
                        for (;;) {
                            buf.clear();
                            if (c.read(buf) <= 0) break;
                            buf.flip();
                            while (buf.hasRemaining()) c.write(buf);
                        }
                    } catch (IOException e) {
                        // the client left (reset)
                    }
                });
            }
            for (Thread t : echoes) t.join();
        }
    }

    // ---- Netty -----------------------------------------------------------------------------------

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        final CountDownLatch gone;

        Echo(CountDownLatch gone) {
            this.gone = gone;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            gone.countDown();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the client left (reset)
        }
    }

    static void netty(int conns, boolean uring) throws Exception {
        IoHandlerFactory handlers;
        Class<? extends ServerChannel> type;
        if (uring) {
            IoUring.ensureAvailability();
            handlers = IoUringIoHandler.newFactory();
            type = IoUringServerSocketChannel.class;
        } else {
            Epoll.ensureAvailability();
            handlers = EpollIoHandler.newFactory();
            type = EpollServerSocketChannel.class;
        }
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, handlers);
        try {
            CountDownLatch gone = new CountDownLatch(conns);
            Channel server = new ServerBootstrap().group(loop).channel(type)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new Echo(gone))
                    .bind("127.0.0.1", 0).sync().channel();
            ready(((InetSocketAddress) server.localAddress()).getPort());
            gone.await();
            server.close().sync();
        } finally {
            loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
