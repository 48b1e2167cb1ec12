package io.ffsock;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Socket#outputStream()}: the contract of {@link java.net.Socket#getOutputStream()} over
 * send(2); nothing is buffered. Package-private: users see an {@link OutputStream}.
 */
final class SocketOutputStream extends OutputStream {
    private final Socket socket;
    /** For {@link #write(int)}; the lock keeps two threads writing single bytes off each other's array. */
    private final byte[] one = new byte[1];
    private final ReentrantLock oneLock = new ReentrantLock();

    SocketOutputStream(Socket socket) {
        this.socket = socket;
    }

    @Override
    public void write(int b) throws IOException {
        oneLock.lock();
        try {
            one[0] = (byte) b;
            socket.streamWrite(one, 0, 1);
        } finally {
            oneLock.unlock();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return;
        socket.streamWrite(b, off, len);
    }

    /** Closes the socket, as java.net.Socket's stream does. */
    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "OutputStream of " + socket;
    }
}
