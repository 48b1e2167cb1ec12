package io.ffsock.bench;

import io.ffsock.Socket;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;

/**
 * W3 through {@code java.io} streams and a 64 KiB {@code byte[]}, as a program that was handed
 * streams moves bytes: {@code jdk == false}, ffsock's {@link Socket#inputStream()} and
 * {@link Socket#outputStream()}; {@code jdk == true}, the JDK's {@link Channels#newInputStream}
 * and {@link Channels#newOutputStream} over its UNIX {@link SocketChannel}. Stream only.
 */
final class StreamViewTransport implements Transport {
    private final boolean jdk;

    StreamViewTransport(boolean jdk) {
        this.jdk = jdk;
    }

    @Override
    public Conn accept(String path, boolean seqpacket, Runnable ready) throws IOException {
        if (seqpacket) throw new UnsupportedOperationException("streams are for stream sockets");
        if (jdk) {
            SocketChannel c = JdkTransport.acceptOne(path, ready);
            return conn(Channels.newInputStream(c), Channels.newOutputStream(c), c);
        }
        Socket s = FfsockTransport.acceptOne(path, false, ready);
        return conn(s.inputStream(), s.outputStream(), s);
    }

    @Override
    public Conn connect(String path, boolean seqpacket) throws IOException {
        if (seqpacket) throw new UnsupportedOperationException("streams are for stream sockets");
        if (jdk) {
            SocketChannel c = JdkTransport.connectTo(path);
            return conn(Channels.newInputStream(c), Channels.newOutputStream(c), c);
        }
        Socket s = FfsockTransport.connectTo(path, false);
        return conn(s.inputStream(), s.outputStream(), s);
    }

    private static Conn conn(InputStream in, OutputStream out, Closeable socket) {
        byte[] b = new byte[64 * 1024];
        return new Conn() {
            public int send(int n) throws IOException {
                out.write(b, 0, n); // a stream's write sends all n bytes
                return n;
            }

            public int recv(int n) throws IOException {
                return Math.max(in.read(b, 0, n), 0); // -1 at end of stream is 0 here
            }

            public void close() throws IOException {
                socket.close();
            }
        };
    }

    @Override
    public Dgram bindDgram(String path, Runnable ready) {
        throw new UnsupportedOperationException("streams have no datagrams");
    }

    @Override
    public Dgram connectDgram(String path) {
        throw new UnsupportedOperationException("streams have no datagrams");
    }
}
