package io.ffsock;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Socket#inputStream()}: the contract of {@link java.net.Socket#getInputStream()} over
 * recv(2). Package-private: users see an {@link InputStream}.
 */
final class SocketInputStream extends InputStream {
    private final Socket socket;
    /** For {@link #read()}; the lock keeps two threads reading single bytes off each other's array. */
    private final byte[] one = new byte[1];
    private final ReentrantLock oneLock = new ReentrantLock();

    SocketInputStream(Socket socket) {
        this.socket = socket;
    }

    @Override
    public int read() throws IOException {
        oneLock.lock();
        try {
            int n = socket.streamRead(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        } finally {
            oneLock.unlock();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        return socket.streamRead(b, off, len);
    }

    /** ioctl(FIONREAD); 0 after shutdown(READ). */
    @Override
    public int available() throws IOException {
        return socket.streamAvailable();
    }

    /** Closes the socket, as java.net.Socket's stream does. */
    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "InputStream of " + socket;
    }
}
