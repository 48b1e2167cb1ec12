package io.ffsock.bench;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * junixsocket (JNI): its NIO channels, blocking, direct buffers. No seqpacket: it has no
 * seqpacket listener (only socket pairs), so no two-process peer.
 */
final class JunixsocketTransport implements Transport {
    @Override
    public Conn accept(String path, boolean seqpacket, Runnable ready) throws IOException {
        if (seqpacket) throw new UnsupportedOperationException("junixsocket has no seqpacket listener");
        Files.deleteIfExists(Path.of(path));
        try (AFUNIXServerSocketChannel l = AFUNIXServerSocketChannel.open()) {
            l.bind(AFUNIXSocketAddress.of(new File(path)), 16);
            ready.run();
            return JdkTransport.conn(l.accept());
        }
    }

    @Override
    public Conn connect(String path, boolean seqpacket) throws IOException {
        if (seqpacket) throw new UnsupportedOperationException("junixsocket has no seqpacket listener");
        return JdkTransport.conn(AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(new File(path))));
    }

    @Override
    public Dgram bindDgram(String path, Runnable ready) throws IOException {
        Files.deleteIfExists(Path.of(path));
        AFUNIXDatagramChannel c = AFUNIXDatagramChannel.open();
        c.bind(AFUNIXSocketAddress.of(new File(path)));
        ready.run();
        return dgram(c);
    }

    @Override
    public Dgram connectDgram(String path) throws IOException {
        AFUNIXDatagramChannel c = AFUNIXDatagramChannel.open();
        c.connect(AFUNIXSocketAddress.of(new File(path)));
        return dgram(c);
    }

    private static Dgram dgram(AFUNIXDatagramChannel c) {
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        return new Dgram() {
            public void send64() throws IOException {
                b.clear();
                c.write(b);
            }

            public int recv64() throws IOException {
                b.clear();
                return c.read(b); // recv(2) on the bound, unconnected receiver: junixsocket allows it
            }

            public void close() throws IOException { c.close(); }
        };
    }
}
