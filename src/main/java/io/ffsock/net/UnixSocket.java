package io.ffsock.net;

import io.ffsock.Credentials;
import io.ffsock.Family;
import io.ffsock.Shutdown;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/**
 * A {@link java.net.Socket} over an AF_UNIX stream socket, for code that takes a
 * {@code java.net.Socket}: connects to a {@link UnixDomainSocketAddress} or an ffsock
 * {@link UnixAddress} (a path or an abstract name, {@code @name}).
 *
 * <p><b>As java.net.Socket documents:</b> {@code connect(address, timeout)} (0 waits for ever;
 * a failed connect closes the socket), the streams ({@link Socket#inputStream()}: -1 at end of
 * stream, {@code available()} from FIONREAD, closing one closes the socket),
 * {@code setSoTimeout} (a read that waits longer throws
 * {@link java.net.SocketTimeoutException}; nothing is lost and the socket stays usable),
 * {@code shutdownInput/shutdownOutput} (read then returns -1; write throws), {@code isConnected},
 * {@code isBound}, {@code isClosed}, {@code isInputShutdown}, {@code isOutputShutdown}, the
 * buffer sizes (SO_SNDBUF, SO_RCVBUF), {@code setOption/getOption} for those. The exceptions are
 * the ones {@code java.net.Socket} throws in the same case (SocketException for a closed or
 * unconnected socket, IllegalArgumentException for a null or unsupported address or a negative
 * timeout, UnsupportedOperationException for an unknown option).
 *
 * <p><b>Accepted without effect</b> (the value is kept and read back; AF_UNIX has no such
 * thing, and callers written for TCP set them): {@code setTcpNoDelay}, {@code setKeepAlive},
 * {@code setSoLinger}, {@code setOOBInline}, {@code setTrafficClass}, {@code setReuseAddress},
 * {@code setPerformancePreferences}, and {@code setOption} with TCP_NODELAY, SO_KEEPALIVE,
 * SO_LINGER, IP_TOS and SO_REUSEADDR, and jdk.net's TCP_KEEPIDLE, TCP_KEEPINTERVAL and
 * TCP_KEEPCOUNT (Apache HttpClient 5 sets those on every socket). {@code sendUrgentData} throws
 * SocketException.
 *
 * <p><b>Addresses:</b> {@code getRemoteSocketAddress()} and {@code getLocalSocketAddress()} are
 * {@link UnixAddress}es (an unbound client is {@code UnixAddress.unnamed()}); the IP views have
 * nothing to show: {@code getInetAddress()} is null, {@code getPort()} 0,
 * {@code getLocalAddress()} the wildcard address, {@code getLocalPort()} -1.
 * {@code getChannel()} is null (this socket was not made by a channel); the ffsock
 * {@link Socket} underneath, {@link #socket()}, is a ByteChannel. {@link #peerCredentials()}
 * gives SO_PEERCRED.
 *
 * <p>An {@link InetSocketAddress} is accepted only by a socket that {@link UnixSocketFactory}
 * made: its target (or its mapping of the host name) says which AF_UNIX socket to connect to.
 */
public final class UnixSocket extends java.net.Socket {
    /** Opened when a call needs the fd (connect, bind, a buffer size), as java.net.Socket does. */
    private final LazySocket lazy = new LazySocket("socket");
    private volatile boolean connected;
    private volatile boolean bound;
    /** Set by UnixSocketFactory: where an InetSocketAddress connects; null for a plain socket. */
    private final UnixTargets targets;
    /** What was connected to, for getRemoteSocketAddress after close. */
    private volatile UnixAddress remote;
    private volatile boolean tcpNoDelay;
    private volatile boolean keepAlive;
    private volatile int lingerSeconds = -1;
    private volatile boolean oobInline;
    private volatile int trafficClass;
    private volatile boolean reuseAddress;

    /** An unconnected socket; the fd is opened by {@link #connect} (or the first call that needs it). */
    public UnixSocket() {
        this((UnixTargets) null);
    }

    UnixSocket(UnixTargets targets) {
        // java.net.Socket() makes an impl object but opens no fd; no method here ever uses it.
        super();
        this.targets = targets;
    }

    /** A socket connected to {@code address} (UnixDomainSocketAddress or UnixAddress). */
    public UnixSocket(SocketAddress address) throws IOException {
        this();
        connect(address);
    }

    /**
     * Wraps a connected AF_UNIX SOCK_STREAM {@link Socket} (from {@link Socket#pair},
     * {@link Socket#accept()}, {@link Socket#adopt}); this object owns it from now on.
     *
     * @throws IllegalArgumentException if it is not AF_UNIX SOCK_STREAM
     * @throws SocketException if it is closed
     */
    public UnixSocket(Socket connected) throws SocketException {
        this((UnixTargets) null);
        Objects.requireNonNull(connected, "socket");
        if (!connected.family().equals(Family.UNIX) || !connected.type().equals(SocketType.STREAM)) {
            throw new IllegalArgumentException("UnixSocket wraps an AF_UNIX SOCK_STREAM socket, not " + connected);
        }
        if (connected.isClosed()) throw new SocketException("UnixSocket: the socket to wrap is closed");
        lazy.adopt(connected);
        this.connected = true;
        this.bound = true;
        try {
            this.remote = (UnixAddress) connected.remoteAddress();
        } catch (IOException e) {
            this.remote = UnixAddress.unnamed();
        }
    }

    /** The ffsock socket underneath, opening it if it is not open yet; a ByteChannel with streams. */
    public Socket socket() throws IOException {
        return lazy.open("socket()");
    }

    private void requireOpen(String call) throws SocketException {
        lazy.requireOpen(call);
    }

    /** The open socket of a connected UnixSocket. */
    private Socket connectedSocket(String call) throws SocketException {
        requireConnected(call);
        return lazy.peek();
    }

    private void requireConnected(String call) throws SocketException {
        requireOpen(call);
        if (!connected) throw new SocketException(call + ": socket is not connected");
    }

    // ---- connecting ----------------------------------------------------------------------------

    /** Connects, waiting as long as it takes; see {@link #connect(SocketAddress, int)}. */
    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    /**
     * Connects to {@code endpoint}, connect(2), waiting at most {@code timeout} ms (0: no limit;
     * an AF_UNIX connect waits only while the listener's backlog is full). A failed connect
     * closes this socket, as java.net.Socket does. A missing path gives a
     * {@link java.net.ConnectException} naming it and the errno (ENOENT); nobody listening,
     * ECONNREFUSED.
     *
     * @throws IllegalArgumentException if {@code endpoint} is null or not an AF_UNIX address
     *         (an InetSocketAddress only for sockets of {@link UnixSocketFactory}), or the
     *         timeout is negative
     * @throws SocketException if the socket is closed or already connected
     * @throws java.net.SocketTimeoutException if the timeout passed first
     */
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (endpoint == null) throw new IllegalArgumentException("connect: the address is null");
        if (timeout < 0) throw new IllegalArgumentException("connect: negative timeout " + timeout);
        requireOpen("connect");
        if (connected) throw new SocketException("connect: already connected to " + remote);
        boolean inet = endpoint instanceof InetSocketAddress && targets != null;
        if (!inet && !(endpoint instanceof UnixAddress || endpoint instanceof UnixDomainSocketAddress)) {
            throw new IllegalArgumentException("Unsupported address type " + endpoint.getClass().getName()
                    + ": a UnixSocket connects to a UnixDomainSocketAddress or an io.ffsock.UnixAddress"
                    + " (an InetSocketAddress only when UnixSocketFactory made the socket)");
        }
        UnixAddress target;
        try {
            target = inet ? targets.forHost((InetSocketAddress) endpoint) : UnixTargets.forCall("connect", endpoint);
            lazy.open("connect").connect(target, timeout == 0 ? null : Duration.ofMillis(timeout));
        } catch (IOException | RuntimeException e) {
            close(); // as java.net.Socket: a connect that fails closes the socket
            throw e;
        }
        remote = target;
        connected = true;
        bound = true;
    }

    /**
     * Binds the client side to a local AF_UNIX address before connecting, bind(2); null autobinds
     * to an abstract name the kernel picks.
     *
     * @throws SocketException if closed or already bound
     * @throws IllegalArgumentException if the address is not an AF_UNIX address
     */
    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        requireOpen("bind");
        if (bound) throw new SocketException("bind: already bound");
        UnixAddress a;
        if (bindpoint == null) {
            a = UnixAddress.unnamed();
        } else if (bindpoint instanceof UnixAddress || bindpoint instanceof UnixDomainSocketAddress) {
            a = UnixTargets.forCall("bind", bindpoint);
        } else {
            throw new IllegalArgumentException("Unsupported address type " + bindpoint.getClass().getName()
                    + ": bind takes a UnixDomainSocketAddress or an io.ffsock.UnixAddress");
        }
        lazy.open("bind").bind(a);
        bound = true;
    }

    // ---- addresses -----------------------------------------------------------------------------

    /** Null: an AF_UNIX socket has no IP address (java.net.Socket's answer when not connected). */
    @Override
    public InetAddress getInetAddress() {
        return null;
    }

    /** The wildcard address (0.0.0.0), java.net.Socket's answer for a socket not bound to an IP. */
    @Override
    public InetAddress getLocalAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** 0: no port (java.net.Socket's answer when not connected). */
    @Override
    public int getPort() {
        return 0;
    }

    /** -1: no port (java.net.Socket's answer when not bound). */
    @Override
    public int getLocalPort() {
        return -1;
    }

    /** The {@link UnixAddress} connected to (also after close), or null when not connected. */
    @Override
    public SocketAddress getRemoteSocketAddress() {
        return connected ? remote : null;
    }

    /**
     * The local {@link UnixAddress} (getsockname(2); unnamed for a client that did not bind), or
     * null when not bound or closed.
     */
    @Override
    public SocketAddress getLocalSocketAddress() {
        return lazy.localAddress(bound);
    }

    /** Null: this socket was not made by a SocketChannel; {@link #socket()} is a ByteChannel. */
    @Override
    public SocketChannel getChannel() {
        return null;
    }

    /** The peer's pid, uid and gid as of connect, SO_PEERCRED (unix(7)). */
    public Credentials peerCredentials() throws IOException {
        return connectedSocket("peerCredentials").peerCredentials();
    }

    // ---- streams -------------------------------------------------------------------------------

    /**
     * The input stream ({@link Socket#inputStream()}): -1 at end of stream or after
     * {@link #shutdownInput()}, available() from FIONREAD, closing it closes the socket.
     *
     * @throws SocketException if closed, not connected, or the input is shut down
     */
    @Override
    public InputStream getInputStream() throws IOException {
        Socket s = connectedSocket("getInputStream");
        if (s.isInputShutdown()) throw new SocketException("getInputStream: socket input is shut down");
        return s.inputStream();
    }

    /**
     * The output stream ({@link Socket#outputStream()}): every write sends all its bytes,
     * closing it closes the socket.
     *
     * @throws SocketException if closed, not connected, or the output is shut down
     */
    @Override
    public OutputStream getOutputStream() throws IOException {
        Socket s = connectedSocket("getOutputStream");
        if (s.isOutputShutdown()) throw new SocketException("getOutputStream: socket output is shut down");
        return s.outputStream();
    }

    /** shutdown(2) SHUT_RD: the input stream then reads -1 and available() is 0. */
    @Override
    public void shutdownInput() throws IOException {
        Socket s = connectedSocket("shutdownInput");
        if (s.isInputShutdown()) throw new SocketException("shutdownInput: socket input is already shut down");
        s.shutdown(Shutdown.READ);
    }

    /** shutdown(2) SHUT_WR: the peer reads end of stream; writes here then throw SocketException. */
    @Override
    public void shutdownOutput() throws IOException {
        Socket s = connectedSocket("shutdownOutput");
        if (s.isOutputShutdown()) throw new SocketException("shutdownOutput: socket output is already shut down");
        s.shutdown(Shutdown.WRITE);
    }

    @Override
    public boolean isInputShutdown() {
        Socket s = lazy.peek();
        return s != null && s.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        Socket s = lazy.peek();
        return s != null && s.isOutputShutdown();
    }

    /** True once connected, and still after close (as java.net.Socket). */
    @Override
    public boolean isConnected() {
        return connected;
    }

    /** True once bound or connected, and still after close (as java.net.Socket). */
    @Override
    public boolean isBound() {
        return bound;
    }

    /** Whether this socket, or its ffsock socket or one of its streams, was closed. */
    @Override
    public boolean isClosed() {
        return lazy.isClosed();
    }

    /** Closes the socket, close(2); idempotent. Threads blocked on it get an exception. */
    @Override
    public void close() {
        lazy.close();
    }

    // ---- timeouts and buffers ------------------------------------------------------------------

    /**
     * SO_TIMEOUT: a read of the input stream that waits longer than {@code timeout} ms throws
     * {@link java.net.SocketTimeoutException}; no byte is lost and the socket stays usable. 0 waits
     * for ever. ({@link Socket#setReadTimeout}.)
     *
     * @throws IllegalArgumentException if negative
     * @throws SocketException if closed
     */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        lazy.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return lazy.soTimeout();
    }

    /** SO_SNDBUF, setsockopt(2) (the kernel doubles it; getSendBufferSize shows what it made). */
    @Override
    public void setSendBufferSize(int size) throws SocketException {
        lazy.setIntOption("setSendBufferSize", StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return lazy.intOption("getSendBufferSize", StandardSocketOptions.SO_SNDBUF);
    }

    /** SO_RCVBUF, setsockopt(2). */
    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        lazy.setIntOption("setReceiveBufferSize", StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return lazy.intOption("getReceiveBufferSize", StandardSocketOptions.SO_RCVBUF);
    }

    // ---- TCP options, accepted without effect --------------------------------------------------

    /** Kept and read back; no effect (AF_UNIX has no Nagle algorithm). */
    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        requireOpen("setTcpNoDelay");
        tcpNoDelay = on;
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        requireOpen("getTcpNoDelay");
        return tcpNoDelay;
    }

    /** Kept and read back; no effect (AF_UNIX has no keep-alive probes). */
    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        requireOpen("setKeepAlive");
        keepAlive = on;
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        requireOpen("getKeepAlive");
        return keepAlive;
    }

    /**
     * Kept and read back (-1 when off, as java.net.Socket); no effect: close never waits for an
     * AF_UNIX peer.
     *
     * @throws IllegalArgumentException if {@code on} with a negative linger
     */
    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        requireOpen("setSoLinger");
        if (on && linger < 0) throw new IllegalArgumentException("setSoLinger: negative linger " + linger);
        lingerSeconds = on ? Math.min(linger, 65535) : -1;
    }

    @Override
    public int getSoLinger() throws SocketException {
        requireOpen("getSoLinger");
        return lingerSeconds;
    }

    /** Kept and read back; no effect (no urgent data on AF_UNIX). */
    @Override
    public void setOOBInline(boolean on) throws SocketException {
        requireOpen("setOOBInline");
        oobInline = on;
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        requireOpen("getOOBInline");
        return oobInline;
    }

    /** Throws SocketException: ffsock sends no urgent (MSG_OOB) data over AF_UNIX. */
    @Override
    public void sendUrgentData(int data) throws IOException {
        requireConnected("sendUrgentData");
        throw new SocketException("sendUrgentData: urgent data is not supported on an AF_UNIX socket");
    }

    /**
     * Kept and read back; no effect (no IP header).
     *
     * @throws IllegalArgumentException if not in 0..255
     */
    @Override
    public void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) throw new IllegalArgumentException("setTrafficClass: " + tc + " is not in 0..255");
        requireOpen("setTrafficClass");
        trafficClass = tc;
    }

    @Override
    public int getTrafficClass() throws SocketException {
        requireOpen("getTrafficClass");
        return trafficClass;
    }

    /** Kept and read back; no effect (no ports to reuse). */
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

    /** No effect, as in java.net.Socket's own implementation. */
    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    }

    // ---- options -------------------------------------------------------------------------------

    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.IP_TOS, StandardSocketOptions.SO_REUSEADDR,
            ExtendedSocketOptions.TCP_KEEPIDLE, ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT);

    /**
     * The JDK's TCP keep-alive tuning (jdk.net), accepted without effect: Apache HttpClient 5 sets
     * all three on every socket it makes and gives up on the request when one is refused.
     */
    private static final Set<SocketOption<?>> KEEPALIVE_TUNING = Set.of(ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT);
    private final java.util.Map<SocketOption<?>, Integer> keepAliveTuning = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Sets an option: SO_SNDBUF and SO_RCVBUF for real; TCP_NODELAY, SO_KEEPALIVE, SO_LINGER,
     * IP_TOS, SO_REUSEADDR and jdk.net's TCP_KEEPIDLE, TCP_KEEPINTERVAL and TCP_KEEPCOUNT without
     * effect (see the class comment).
     *
     * @throws UnsupportedOperationException for any other option
     * @throws IllegalArgumentException for a null or invalid value
     */
    @Override
    public <T> java.net.Socket setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "option");
        requireOpen("setOption"); // first, as java.net.Socket: a closed socket says so whatever the option
        if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported on a UnixSocket");
        if (value == null) throw new IllegalArgumentException("setOption: null value for " + name);
        if (name == StandardSocketOptions.SO_SNDBUF) setSendBufferSize((Integer) value);
        else if (name == StandardSocketOptions.SO_RCVBUF) setReceiveBufferSize((Integer) value);
        else if (name == StandardSocketOptions.TCP_NODELAY) setTcpNoDelay((Boolean) value);
        else if (name == StandardSocketOptions.SO_KEEPALIVE) setKeepAlive((Boolean) value);
        else if (name == StandardSocketOptions.SO_REUSEADDR) setReuseAddress((Boolean) value);
        else if (name == StandardSocketOptions.IP_TOS) setTrafficClass((Integer) value);
        else if (KEEPALIVE_TUNING.contains(name)) {
            int v = (Integer) value;
            if (v < 0) throw new IllegalArgumentException("setOption: negative value " + v + " for " + name);
            keepAliveTuning.put(name, v);
        } else if (name == StandardSocketOptions.SO_LINGER) {
            int v = (Integer) value;
            setSoLinger(v >= 0, Math.max(v, 0));
        }
        return this;
    }

    /** Reads an option (see {@link #setOption}). */
    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "option");
        requireOpen("getOption");
        if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported on a UnixSocket");
        Object v;
        if (name == StandardSocketOptions.SO_SNDBUF) v = getSendBufferSize();
        else if (name == StandardSocketOptions.SO_RCVBUF) v = getReceiveBufferSize();
        else if (name == StandardSocketOptions.TCP_NODELAY) v = tcpNoDelay;
        else if (name == StandardSocketOptions.SO_KEEPALIVE) v = keepAlive;
        else if (name == StandardSocketOptions.SO_REUSEADDR) v = reuseAddress;
        else if (name == StandardSocketOptions.IP_TOS) v = trafficClass;
        else if (KEEPALIVE_TUNING.contains(name)) v = keepAliveTuning.getOrDefault(name, 0);
        else v = lingerSeconds;
        return (T) v;
    }

    /** SO_SNDBUF, SO_RCVBUF, and the TCP options accepted without effect. */
    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    /** {@code UnixSocket[/run/app.sock]}, {@code UnixSocket[unconnected]}, with {@code closed}. */
    @Override
    public String toString() {
        return "UnixSocket[" + (connected ? String.valueOf(remote) : "unconnected") + (isClosed() ? " closed" : "") + "]";
    }
}
