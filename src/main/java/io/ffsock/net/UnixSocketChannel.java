package io.ffsock.net;

import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.ReceivedMessage;
import io.ffsock.Shutdown;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A blocking {@link SocketChannel} over an AF_UNIX stream {@link Socket} of ffsock, for libraries
 * that take a {@code SocketChannel} (dbus-java's transports do). Reads, writes, scatter/gather,
 * shutdown, addresses and options map to the ffsock calls named on each method.
 *
 * <p>What it does not do, and says so: it is always blocking. {@code configureBlocking(false)}
 * throws {@link UnsupportedOperationException}, and so registering it with a {@link
 * java.nio.channels.Selector} fails with {@link java.nio.channels.IllegalBlockingModeException}
 * (the JDK's selectors only take the JDK's own channels). {@link #socket()} has no
 * {@code java.net.Socket} view; {@link #ffsockSocket()} gives the ffsock socket itself, for what
 * a channel cannot carry (fd passing, peer credentials).
 *
 * <p>Closing the channel closes the socket; a thread blocked in a read or write wakes with
 * {@link java.nio.channels.AsynchronousCloseException}, and an interrupted one closes the channel
 * and throws {@link java.nio.channels.ClosedByInterruptException}, as {@link
 * java.nio.channels.InterruptibleChannel} specifies.
 */
public final class UnixSocketChannel extends SocketChannel {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            LinuxSocketOptions.SO_PASSCRED, LinuxSocketOptions.SO_RCVTIMEO, LinuxSocketOptions.SO_SNDTIMEO);

    private final Socket socket;
    private volatile boolean connected;
    private final Object connectLock = new Object();

    private UnixSocketChannel(Socket socket, boolean connected) {
        // The provider is only asked by register(), which a blocking-only channel never reaches.
        super(SelectorProvider.provider());
        this.socket = socket;
        this.connected = connected;
    }

    /** An unconnected AF_UNIX stream channel, socket(2) with SOCK_CLOEXEC. */
    public static UnixSocketChannel open() throws IOException {
        return new UnixSocketChannel(Socket.open(Family.UNIX, SocketType.STREAM), false);
    }

    /** Opens a channel and connects it, socket(2) then connect(2); closes the socket if connect fails. */
    public static UnixSocketChannel open(SocketAddress remote) throws IOException {
        UnixSocketChannel c = open();
        try {
            c.connect(remote);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Wraps a connected AF_UNIX stream socket, for instance one returned by {@link Socket#accept()}.
     * The channel owns the socket from now on: closing the channel closes it.
     *
     * @throws IllegalArgumentException if the socket is not AF_UNIX SOCK_STREAM, or is not blocking
     */
    public static UnixSocketChannel of(Socket connected) throws IOException {
        Objects.requireNonNull(connected, "socket");
        if (!connected.family().equals(Family.UNIX) || !connected.type().equals(SocketType.STREAM)) {
            throw new IllegalArgumentException("UnixSocketChannel: " + connected + " is not an AF_UNIX SOCK_STREAM socket");
        }
        if (connected.getTimeout().isPresent()) {
            throw new IllegalArgumentException("UnixSocketChannel: " + connected + " has a timeout or is non-blocking;"
                    + " a SocketChannel in blocking mode must block");
        }
        connected.remoteAddress(); // getpeername(2): ENOTCONN here rather than on the first read
        return new UnixSocketChannel(connected, true);
    }

    /**
     * The ffsock socket behind this channel, for what a channel cannot carry: fds with
     * {@link Socket#sendMsg} / {@link Socket#recvMsg}, {@link Socket#peerCredentials()}. Reads and
     * writes through it and through the channel share one byte stream.
     */
    public Socket ffsockSocket() {
        return socket;
    }

    // ---- connection ------------------------------------------------------------------------------

    /** Binds the socket to a path or abstract name, bind(2). */
    @Override
    public UnixSocketChannel bind(SocketAddress local) throws IOException {
        ensureOpen();
        socket.bind(local == null ? UnixAddress.unnamed() : unix(local));
        return this;
    }

    /**
     * Connects, connect(2), blocking until done. Accepts a {@link UnixAddress} or the JDK's
     * {@link UnixDomainSocketAddress}.
     *
     * @return true (a blocking connect either completes or throws)
     */
    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        UnixAddress target = unix(remote);
        synchronized (connectLock) {
            ensureOpen();
            if (connected) throw new AlreadyConnectedException();
            try {
                socket.connect(target);
            } catch (IOException e) {
                throw closedWithSocket(e);
            }
            connected = true;
            return true;
        }
    }

    /** Always true once {@link #connect} has returned: a blocking connect is never pending. */
    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (!connected) throw new NotYetConnectedException();
        return true;
    }

    @Override
    public boolean isConnected() {
        return connected && isOpen();
    }

    /** Always false: connect blocks until it completes. */
    @Override
    public boolean isConnectionPending() {
        return false;
    }

    /** The peer's address, getpeername(2); null when not connected. */
    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return connected ? socket.remoteAddress() : null;
    }

    /** This end's address, getsockname(2): a {@link UnixAddress}, unnamed when not bound. */
    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return socket.localAddress();
    }

    /** Shuts down reading, shutdown(2) SHUT_RD: later reads return -1. */
    @Override
    public UnixSocketChannel shutdownInput() throws IOException {
        ensureConnected();
        socket.shutdown(Shutdown.READ);
        return this;
    }

    /** Shuts down writing, shutdown(2) SHUT_WR: the peer reads end of stream. */
    @Override
    public UnixSocketChannel shutdownOutput() throws IOException {
        ensureConnected();
        socket.shutdown(Shutdown.WRITE);
        return this;
    }

    /**
     * Not available: ffsock's {@code java.net.Socket} adapters live elsewhere, and this channel does
     * not pretend to be one.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public java.net.Socket socket() {
        throw new UnsupportedOperationException("UnixSocketChannel has no java.net.Socket view;"
                + " use ffsockSocket() for the ffsock socket itself");
    }

    // ---- data ------------------------------------------------------------------------------------

    /** Reads into {@code dst}, recv(2), blocking until at least one byte or end of stream (-1). */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        ensureConnected();
        if (dst.isReadOnly()) throw new IllegalArgumentException("read-only buffer");
        if (!dst.hasRemaining()) return 0;
        int n;
        try {
            n = socket.recv(dst);
        } catch (IOException e) {
            throw closedWithSocket(e);
        }
        return n == 0 ? -1 : n;
    }

    /** Scattering read, recvmsg(2) without control data; -1 at end of stream. */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ensureConnected();
        List<ByteBuffer> buffers = Arrays.asList(dsts).subList(offset, offset + length);
        long room = 0;
        for (ByteBuffer b : buffers) room += Objects.requireNonNull(b, "buffer").remaining();
        if (room == 0) return 0;
        long n;
        try (ReceivedMessage m = socket.recvMsg(buffers, 0, Set.of())) {
            n = m.length();
        } catch (IOException e) {
            throw closedWithSocket(e);
        }
        return n == 0 ? -1 : n;
    }

    /**
     * Writes all of {@code src}, as a SocketChannel in blocking mode does: send(2) with
     * MSG_NOSIGNAL, repeated until every byte went (compound).
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        ensureConnected();
        int n = src.remaining();
        try {
            socket.sendAll(src);
        } catch (IOException e) {
            throw closedWithSocket(e);
        }
        return n;
    }

    /**
     * Gathering write of all remaining bytes: sendmsg(2) with MSG_NOSIGNAL, repeated until every
     * byte went (compound; at most 64 buffers a call).
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureConnected();
        List<ByteBuffer> buffers = Arrays.asList(srcs).subList(offset, offset + length);
        long total = 0;
        for (ByteBuffer b : buffers) total += Objects.requireNonNull(b, "buffer").remaining();
        long sent = 0;
        try {
            int first = 0;
            while (sent < total) {
                while (!buffers.get(first).hasRemaining()) first++;
                List<ByteBuffer> rest = buffers.subList(first, Math.min(buffers.size(), first + 64));
                sent += socket.sendMsg(rest, List.of(), Set.of(), null);
            }
        } catch (IOException e) {
            throw closedWithSocket(e);
        }
        return sent;
    }

    // ---- options ---------------------------------------------------------------------------------

    /** Sets an option, setsockopt(2); see {@link #supportedOptions()}. */
    @Override
    public <T> UnixSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        ensureOpen();
        requireSupported(name);
        socket.setOption(name, value);
        return this;
    }

    /** Reads an option, getsockopt(2); see {@link #supportedOptions()}. */
    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ensureOpen();
        requireSupported(name);
        return socket.getOption(name);
    }

    /**
     * SO_SNDBUF, SO_RCVBUF, and ffsock's {@link LinuxSocketOptions} SO_PASSCRED, SO_RCVTIMEO and
     * SO_SNDTIMEO (kernel timeouts). The peer's credentials come from
     * {@code ffsockSocket().peerCredentials()}.
     */
    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    // ---- modes and closing -----------------------------------------------------------------------

    /** Closes the socket, close(2); a thread blocked on it wakes with AsynchronousCloseException. */
    @Override
    protected void implCloseSelectableChannel() {
        socket.close();
    }

    /**
     * Only blocking mode is supported.
     *
     * @throws UnsupportedOperationException for {@code block == false}
     */
    @Override
    protected void implConfigureBlocking(boolean block) {
        if (!block) {
            throw new UnsupportedOperationException("UnixSocketChannel is blocking only: non-blocking mode and"
                    + " selectors are not supported (use io.ffsock.Socket with io.ffsock.EventLoop for that)");
        }
    }

    @Override
    public String toString() {
        return "UnixSocketChannel[" + socket + (isOpen() ? "" : " closed") + "]";
    }

    /**
     * ffsock's socket handles interrupt and asynchronous close itself (it closes on interrupt and
     * throws ClosedByInterruptException, as the JDK's channels do); a thread has room for one
     * interrupt hook only, and the socket's is the one in force during the call. So after a call
     * that failed because the socket got closed, the channel is marked closed too.
     */
    private IOException closedWithSocket(IOException e) {
        if (socket.isClosed() && isOpen()) {
            try {
                close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
        return e;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    private void ensureConnected() throws ClosedChannelException {
        ensureOpen();
        if (!connected) throw new NotYetConnectedException();
    }

    private static void requireSupported(SocketOption<?> name) {
        Objects.requireNonNull(name, "option");
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("UnixSocketChannel: option " + name.name() + " is not supported");
        }
    }

    private static UnixAddress unix(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof UnixAddress u) return u;
        if (address instanceof UnixDomainSocketAddress j) return UnixAddress.of(j);
        throw new UnsupportedAddressTypeException();
    }
}
