package io.ffsock.net;

import io.ffsock.Socket;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
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
    private final LazySocket lazy = new LazySocket("server socket");
    private volatile boolean bound;
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
        return lazy.open("socket()");
    }

    private void requireOpen(String call) throws SocketException {
        lazy.requireOpen(call);
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
            a = UnixTargets.forCall("bind", endpoint);
        } else {
            throw new IllegalArgumentException("Unsupported address type " + endpoint.getClass().getName()
                    + ": a UnixServerSocket binds to a UnixDomainSocketAddress or an io.ffsock.UnixAddress");
        }
        Socket s = lazy.open("bind");
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
            accepted = lazy.peek().accept();
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new SocketException(e.getMessage(), e);
        }
        return new UnixSocket(accepted);
    }

    /** The bound {@link UnixAddress} (getsockname(2)), or null when not bound or closed. */
    @Override
    public SocketAddress getLocalSocketAddress() {
        return lazy.localAddress(bound);
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
        lazy.close();
    }

    @Override
    public boolean isBound() {
        return bound;
    }

    @Override
    public boolean isClosed() {
        return lazy.isClosed();
    }

    /**
     * SO_TIMEOUT for {@link #accept()}, in ms (0 waits for ever).
     *
     * @throws IllegalArgumentException if negative
     * @throws SocketException if closed
     */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        lazy.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws IOException {
        return lazy.soTimeout();
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
        lazy.setIntOption("setReceiveBufferSize", StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return lazy.intOption("getReceiveBufferSize", StandardSocketOptions.SO_RCVBUF);
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
        requireOpen("setOption"); // first, as java.net.Socket: a closed socket says so whatever the option
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
        requireOpen("getOption");
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
