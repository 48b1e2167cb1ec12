package io.ffsock.net;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.time.Duration;

/**
 * The ffsock socket under a java.net adapter ({@link UnixSocket}, {@link UnixServerSocket}): as
 * with java.net.Socket, the fd is opened only when a call needs it, and SO_TIMEOUT set before
 * that is applied then. Closed once; a closed adapter answers SocketException.
 */
final class LazySocket {
    private final String what;
    private final Object lock = new Object();
    private volatile Socket socket;
    private volatile boolean closed;
    private volatile int soTimeoutMillis;

    /** {@code what} names the adapter in messages: "socket", "server socket". */
    LazySocket(String what) {
        this.what = what;
    }

    /** The socket if it is open already, else null. */
    Socket peek() {
        return socket;
    }

    /** Adopts an open socket (an accepted connection, a wrapped one). */
    void adopt(Socket s) {
        synchronized (lock) {
            socket = s;
        }
    }

    /** The socket, opened now (AF_UNIX SOCK_STREAM) if it was not yet. */
    Socket open(String call) throws IOException {
        Socket s = socket;
        if (s != null) return s;
        synchronized (lock) {
            if (closed) throw closedException(call);
            if (socket == null) {
                Socket made = Socket.open(Family.UNIX, SocketType.STREAM);
                int t = soTimeoutMillis;
                if (t > 0) made.setReadTimeout(Duration.ofMillis(t));
                socket = made;
            }
            return socket;
        }
    }

    SocketException closedException(String call) {
        return new SocketException(call + ": " + what + " is closed");
    }

    void requireOpen(String call) throws SocketException {
        if (isClosed()) throw closedException(call);
    }

    /** Closed by the adapter, or its socket closed another way (a stream's close). */
    boolean isClosed() {
        Socket s = socket;
        return closed || (s != null && s.isClosed());
    }

    void close() {
        synchronized (lock) {
            closed = true;
            Socket s = socket;
            if (s != null) s.close();
        }
    }

    /** SO_TIMEOUT in ms (0: none) as the socket's read timeout, now or when it is opened. */
    void setSoTimeout(int timeout) throws SocketException {
        requireOpen("setSoTimeout");
        if (timeout < 0) throw new IllegalArgumentException("setSoTimeout: negative timeout " + timeout);
        synchronized (lock) {
            soTimeoutMillis = timeout;
            Socket s = socket;
            if (s != null) {
                try {
                    s.setReadTimeout(timeout == 0 ? null : Duration.ofMillis(timeout));
                } catch (IOException e) {
                    throw socketException("setSoTimeout", e);
                }
            }
        }
    }

    int soTimeout() throws SocketException {
        requireOpen("getSoTimeout");
        return soTimeoutMillis;
    }

    /** getsockname(2), or null when not bound or closed (never throws, as java.net's getters). */
    SocketAddress localAddress(boolean bound) {
        Socket s = socket;
        if (!bound || s == null || s.isClosed()) return null;
        try {
            return s.localAddress();
        } catch (IOException e) {
            return null;
        }
    }

    void setIntOption(String call, SocketOption<Integer> option, int value) throws SocketException {
        if (value <= 0) throw new IllegalArgumentException(call + ": size must be positive, not " + value);
        requireOpen(call);
        try {
            open(call).setOption(option, value);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw socketException(call, e);
        }
    }

    int intOption(String call, SocketOption<Integer> option) throws SocketException {
        requireOpen(call);
        try {
            return open(call).getOption(option);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw socketException(call, e);
        }
    }

    /** java.net's methods declare SocketException: ffsock's IOException, wrapped, message kept. */
    static SocketException socketException(String call, IOException e) {
        String m = e.getMessage();
        return new SocketException(m != null && m.startsWith(call) ? m : call + ": " + m, e);
    }
}
