package io.ffsock.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JDK's own SocketChannel over UnixDomainSocketAddress, blocking. {@code heap == false}:
 * direct buffers; {@code heap == true} (W3 only): heap buffers, which the JDK copies through a
 * temporary direct buffer of its own. Stream only.
 */
final class JdkTransport implements Transport {
    private final boolean heap;

    JdkTransport(boolean heap) {
        this.heap = heap;
    }

    @Override
    public Conn accept(String path, boolean seqpacket, Runnable ready) throws IOException {
        if (seqpacket) throw new UnsupportedOperationException("the JDK has no AF_UNIX seqpacket");
        return conn(acceptOne(path, ready), 64 * 1024, heap);
    }

    @Override
    public Conn connect(String path, boolean seqpacket) throws IOException {
        if (seqpacket) throw new UnsupportedOperationException("the JDK has no AF_UNIX seqpacket");
        return conn(connectTo(path), 64 * 1024, heap);
    }

    /** Binds {@code path}, listens, calls {@code ready} and returns the one connection accepted. */
    static SocketChannel acceptOne(String path, Runnable ready) throws IOException {
        Files.deleteIfExists(Path.of(path));
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            l.bind(UnixDomainSocketAddress.of(path), 16);
            ready.run();
            return l.accept();
        }
    }

    static SocketChannel connectTo(String path) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(path));
        return c;
    }

    @Override
    public Listener listen(String path, int backlog, int buffer) throws IOException {
        Files.deleteIfExists(Path.of(path));
        ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        l.bind(UnixDomainSocketAddress.of(path), backlog);
        return new Listener() {
            public Conn accept() throws IOException { return conn(l.accept(), buffer); }
            public void close() throws IOException { l.close(); }
        };
    }

    @Override
    public Conn connect(String path, int buffer) throws IOException {
        return conn(connectTo(path), buffer);
    }

    static Conn conn(java.nio.channels.ByteChannel c) {
        return conn(c, 64 * 1024);
    }

    static Conn conn(java.nio.channels.ByteChannel c, int size) {
        return conn(c, size, false);
    }

    private static Conn conn(java.nio.channels.ByteChannel c, int size, boolean heap) {
        ByteBuffer b = heap ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
        return new Conn() {
            public int send(int n) throws IOException {
                b.clear().limit(n);
                return c.write(b);
            }

            public int recv(int n) throws IOException {
                b.clear().limit(n);
                int r = c.read(b);
                return Math.max(r, 0);
            }

            public void close() throws IOException { c.close(); }
        };
    }

    @Override
    public Dgram bindDgram(String path, Runnable ready) {
        throw new UnsupportedOperationException("the JDK has no AF_UNIX datagrams");
    }

    @Override
    public Dgram connectDgram(String path) {
        throw new UnsupportedOperationException("the JDK has no AF_UNIX datagrams");
    }
}
