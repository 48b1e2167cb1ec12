package io.ffsock.bench;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/** jnr-unixsocket (jffi): its channels, blocking, direct buffers. No seqpacket. */
final class JnrTransport implements Transport {
    @Override
    public Conn accept(String path, boolean seqpacket, Runnable ready) throws IOException {
        if (seqpacket) throw new UnsupportedOperationException("jnr-unixsocket has no seqpacket");
        Files.deleteIfExists(Path.of(path));
        UnixServerSocketChannel l = UnixServerSocketChannel.open();
        l.socket().bind(new UnixSocketAddress(new File(path)), 16);
        ready.run();
        UnixSocketChannel c = l.accept();
        l.close();
        return JdkTransport.conn(c);
    }

    @Override
    public Conn connect(String path, boolean seqpacket) throws IOException {
        if (seqpacket) throw new UnsupportedOperationException("jnr-unixsocket has no seqpacket");
        return JdkTransport.conn(UnixSocketChannel.open(new UnixSocketAddress(new File(path))));
    }

    @Override
    public Dgram bindDgram(String path, Runnable ready) throws IOException {
        Files.deleteIfExists(Path.of(path));
        UnixDatagramChannel c = UnixDatagramChannel.open();
        c.bind(new UnixSocketAddress(new File(path)));
        ready.run();
        return dgram(c, null);
    }

    @Override
    public Dgram connectDgram(String path) throws IOException {
        // jnr's UnixDatagramChannel.connect does not connect the socket (write then fails with
        // ENOTCONN), so the sender names the target on every send, as sendto(2).
        UnixDatagramChannel c = UnixDatagramChannel.open();
        return dgram(c, new UnixSocketAddress(new File(path)));
    }

    private static Dgram dgram(UnixDatagramChannel c, UnixSocketAddress target) {
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        return new Dgram() {
            public void send64() throws IOException {
                b.clear();
                c.send(b, target);
            }

            public int recv64() throws IOException {
                b.clear();
                // jnr's read() on an unconnected datagram channel returns at once without data:
                // receive() it is (recvfrom(2), which also builds the sender's address).
                c.receive(b);
                return b.position();
            }

            public void close() throws IOException { c.close(); }
        };
    }
}
