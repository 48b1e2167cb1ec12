package io.ffsock.net;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link java.net.ServerSocket} that listens on an AF_UNIX stream socket: binds to a
 * {@link UnixDomainSocketAddress} or an ffsock {@link UnixAddress} (a path or an abstract name),
 * and {@link #accept()} gives {@link UnixSocket}s.
 *
 * <p>As java.net.ServerSocket documents: {@code bind(address, backlog)} (a backlog below 1
 * means the default, 50; null autobinds to an abstract name the kernel picks),
 * {@code setSoTimeout} (an accept that waits longer throws
 * {@link java.net.SocketTimeoutException}; the server socket stays usable), {@code close} wakes
 * a blocked accept with a SocketException, {@code isBound}, {@code isClosed}, the receive buffer
 * size. {@code setReuseAddress} and {@code setPerformancePreferences} are accepted without effect.
 * The socket file of a path is not removed on close (as the JDK's UNIX ServerSocketChannel);
 * delete it yourself. {@code getInetAddress()} is null, {@code getLocalPort()} -1,
 * {@code getChannel()} null; {@link #socket()} is the ffsock socket underneath.
 */
public final class UnixServerSocket extends java.net.ServerSocket {
    private static final int DEFAULT_BACKLOG = 50;
    private final Object lock = new Object();
    private volatile Socket socket;
    private volatile boolean closed;
    private volatile boolean bound;
    private volatile int soTimeoutMillis;
    private volatile boolean reuseAddress = true;

    /** An unbound server socket; the fd is opened by {@link #bind} (or the first call that needs it). */
    public UnixServerSocket() throws IOException {
        // java.net.ServerSocket() makes an impl object but opens no fd; no method here uses it.
        super();
    }

    /** A server socket bound to {@code address} and listening, backlog 50. */
    public UnixServerSocket(SocketAddress address) throws IOException {
        this(address, DEFAULT_BACKLOG);
    }

    /** A server socket bound to {@code address} and listening with {@code backlog} (below 1: 50). */
    public UnixServerSocket(SocketAddress address, int backlog) throws IOException {
        this();
        bind(Objects.requireNonNull(address, "address"), backlog);
    }

    /** The ffsock socket underneath, opening it if it is not open yet. */
    public Socket socket() throws IOException {
        return open("socket()");
    }

    private Socket open(String call) throws IOException {
        Socket s = socket;
        if (s != null) return s;
        synchronized (lock) {
            if (closed) throw new SocketException(call + ": server socket is closed");
            if (socket == null) {
                Socket made = Socket.open(Family.UNIX, SocketType.STREAM);
                int t = soTimeoutMillis;
                if (t > 0) made.setReadTimeout(Duration.ofMillis(t));
                socket = made;
            }
            return socket;
        }
    }

    private void requireOpen(String call) throws SocketException {
        if (isClosed()) throw new SocketException(call + ": server socket is closed");
    }

    /** Binds and listens with backlog 50; see {@link #bind(SocketAddress, int)}. */
    @Override
    public void bind(SocketAddress endpoint) throws IOException {
        bind(endpoint, DEFAULT_BACKLOG);
    }

    /**
     * Binds to {@code endpoint}, bind(2), and listens, listen(2). A failed bind closes the server
     * socket, as java.net.ServerSocket does.
     *
     * @param endpoint a UnixDomainSocketAddress or UnixAddress; null autobinds to an abstract name
     * @param backlog  the listen backlog; below 1 means 50
     * @throws SocketException if closed or already bound
     * @throws IllegalArgumentException if the address is not an AF_UNIX address
     * @throws java.net.BindException if the path exists (EADDRINUSE) or its directory is not writable
     */
    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        requireOpen("bind");
        if (bound) throw new SocketException("bind: already bound");
        UnixAddress a;
        if (endpoint == null) {
            a = UnixAddress.unnamed();
        } else if (endpoint instanceof UnixAddress || endpoint instanceof UnixDomainSocketAddress) {
            a = UnixTargets.toUnix(endpoint);
        } else {
            throw new IllegalArgumentException("Unsupported address type " + endpoint.getClass().getName()
                    + ": a UnixServerSocket binds to a UnixDomainSocketAddress or an io.ffsock.UnixAddress");
        }
        Socket s = open("bind");
        try {
            s.bind(a);
            s.listen(backlog < 1 ? DEFAULT_BACKLOG : backlog);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        bound = true;
    }

    /**
     * Accepts a connection, accept4(2), waiting at most the SO_TIMEOUT if one is set.
     *
     * @throws SocketException if closed (also when closed by another thread during the wait) or not bound
     * @throws java.net.SocketTimeoutException if the timeout passed; the server socket stays usable
     */
    @Override
    public UnixSocket accept() throws IOException {
        requireOpen("accept");
        if (!bound) throw new SocketException("accept: server socket is not bound");
        Socket accepted;
        try {
            accepted = socket.accept();
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new SocketException(e.getMessage(), e);
        }
        return new UnixSocket(accepted);
    }

    /** The bound {@link UnixAddress} (getsockname(2)), or null when not bound or closed. */
    @Override
    public SocketAddress getLocalSocketAddress() {
        Socket s = socket;
        if (!bound || s == null || s.isClosed()) return null;
        try {
            return s.localAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** Null: an AF_UNIX socket has no IP address. */
    @Override
    public InetAddress getInetAddress() {
        return null;
    }

    /** -1: no port. */
    @Override
    public int getLocalPort() {
        return -1;
    }

    /** Null: not made by a ServerSocketChannel. */
    @Override
    public ServerSocketChannel getChannel() {
        return null;
    }

    /** Closes, close(2); idempotent. A thread blocked in accept gets a SocketException. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            Socket s = socket;
            if (s != null) s.close();
        }
    }

    @Override
    public boolean isBound() {
        return bound;
    }

    @Override
    public boolean isClosed() {
        Socket s = socket;
        return closed || (s != null && s.isClosed());
    }

    /**
     * SO_TIMEOUT for {@link #accept()}, in ms (0 waits for ever).
     *
     * @throws IllegalArgumentException if negative
     * @throws SocketException if closed
     */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        requireOpen("setSoTimeout");
        if (timeout < 0) throw new IllegalArgumentException("setSoTimeout: negative timeout " + timeout);
        synchronized (lock) {
            soTimeoutMillis = timeout;
            Socket s = socket;
            if (s != null) {
                try {
                    s.setReadTimeout(timeout == 0 ? null : Duration.ofMillis(timeout));
                } catch (IOException e) {
                    throw new SocketException("setSoTimeout: " + e.getMessage(), e);
                }
            }
        }
    }

    @Override
    public int getSoTimeout() throws IOException {
        requireOpen("getSoTimeout");
        return soTimeoutMillis;
    }

    /** Kept and read back; no effect on AF_UNIX. */
    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        requireOpen("setReuseAddress");
        reuseAddress = on;
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        requireOpen("getReuseAddress");
        return reuseAddress;
    }

    /** SO_RCVBUF, setsockopt(2), inherited by accepted sockets. */
    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("setReceiveBufferSize: size must be positive, not " + size);
        requireOpen("setReceiveBufferSize");
        try {
            open("setReceiveBufferSize").setOption(StandardSocketOptions.SO_RCVBUF, size);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException("setReceiveBufferSize: " + e.getMessage(), e);
        }
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        requireOpen("getReceiveBufferSize");
        try {
            return open("getReceiveBufferSize").getOption(StandardSocketOptions.SO_RCVBUF);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException("getReceiveBufferSize: " + e.getMessage(), e);
        }
    }

    /** No effect, as in java.net.ServerSocket's own implementation. */
    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    }

    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR);

    /**
     * SO_RCVBUF for real, SO_REUSEADDR without effect.
     *
     * @throws UnsupportedOperationException for any other option
     */
    @Override
    public <T> java.net.ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "option");
        if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported on a UnixServerSocket");
        if (value == null) throw new IllegalArgumentException("setOption: null value for " + name);
        if (name == StandardSocketOptions.SO_RCVBUF) setReceiveBufferSize((Integer) value);
        else setReuseAddress((Boolean) value);
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "option");
        if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported on a UnixServerSocket");
        Object v = name == StandardSocketOptions.SO_RCVBUF ? getReceiveBufferSize() : (Object) getReuseAddress();
        return (T) v;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    /** {@code UnixServerSocket[/run/app.sock]}, {@code UnixServerSocket[unbound]}, with {@code closed}. */
    @Override
    public String toString() {
        SocketAddress a = getLocalSocketAddress();
        return "UnixServerSocket[" + (a == null ? "unbound" : a) + (isClosed() ? " closed" : "") + "]";
    }
}
