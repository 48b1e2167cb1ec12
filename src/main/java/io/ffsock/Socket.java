package io.ffsock;

import static io.ffsock.internal.sys.Const.*;
import static io.ffsock.internal.sys.Const.AfterHeaders.SO_PEERPIDFD;

import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedByInterruptException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A Linux socket: one file descriptor, owned by this object, with one method per system call.
 *
 * <p>Any (family, type, protocol) the kernel accepts can be opened: AF_UNIX, AF_INET and AF_INET6
 * with SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET and SOCK_RAW. The fd is created with SOCK_CLOEXEC;
 * every send carries MSG_NOSIGNAL, so a peer that has gone gives EPIPE, never SIGPIPE.
 *
 * <h2>Timeouts and blocking</h2>
 * As in Python: with no timeout (the default) calls block; with a timeout of zero the socket is
 * non-blocking and a call that would block throws a {@link SyscallException} with EAGAIN; with a
 * timeout {@code t > 0} each call waits at most {@code t} and then throws
 * {@link SocketTimeoutException}. The kernel's O_NONBLOCK flag is clear when there is no timeout,
 * with one exception: once a virtual thread has called {@link #accept()} or {@link #connect} in
 * blocking mode, O_NONBLOCK stays set for the socket's life (fcntl(F_GETFL) shows it, and
 * SO_RCVTIMEO/SO_SNDTIMEO no longer apply), while {@link #getTimeout()} and {@link #isBlocking()}
 * still say blocking and every call still blocks as it did.
 *
 * <p>A read timeout ({@link #setReadTimeout}, {@code SO_TIMEOUT} in java.net) and a write timeout
 * ({@link #setWriteTimeout}) bound the receiving and the sending calls apart from the socket
 * timeout: a timeout of zero (non-blocking) wins over both; otherwise a receiving call waits at
 * most the read timeout if one is set, else the socket timeout, and a sending call the write
 * timeout if one is set, else the socket timeout. {@link #connect(SocketAddress, Duration)}
 * bounds one connect. A call that times out receives or sends nothing more and leaves the socket
 * usable.
 *
 * <h2>Channel and stream views</h2>
 * A Socket is a {@link java.nio.channels.ByteChannel}, {@link ScatteringByteChannel} and
 * {@link GatheringByteChannel} ({@link #read(ByteBuffer)} -1 at end of stream, 0 when non-blocking;
 * a blocking {@link #write(ByteBuffer)} writes every byte), so {@link java.nio.channels.Channels}
 * adapts it to readers, writers and streams; {@link #inputStream()} and {@link #outputStream()}
 * have the contract of {@link java.net.Socket}'s streams. {@code io.ffsock.net} builds
 * {@code java.net.Socket}, {@code ServerSocket} and {@code SocketFactory} on these.
 *
 * <h2>Virtual threads</h2>
 * A blocking call never holds a virtual thread's carrier: it tries the system call without
 * waiting (MSG_DONTWAIT, or O_NONBLOCK as above), and on EAGAIN parks the virtual thread until
 * ffsock's poller (epoll) reports the socket ready, the timeout passes, the socket is closed or
 * the thread is interrupted. A platform thread waits in the kernel instead (a blocking call, or
 * poll(2) when there is a timeout), which is faster for it.
 *
 * <h2>Threads, close and interrupt</h2>
 * A socket may be used by several threads at once (one receiving while another sends, say).
 * {@link #close()} is idempotent and may be called from any thread: calls blocked on the socket
 * wake at once with {@link java.nio.channels.AsynchronousCloseException}, later calls throw
 * {@link java.nio.channels.ClosedChannelException}, and the fd number is released only after the
 * last call using it has returned, so it is never used after another open took it over. A socket
 * that becomes unreachable without being closed has its fd closed by a {@link Cleaner}.
 *
 * <p><b>Writers.</b> {@link #sendAll(byte[]) sendAll} (every overload) takes the socket's write
 * lock, as the JDK's {@code SocketChannel.write} does: one sendAll at a time per socket, so the
 * bytes of concurrent sendAll calls arrive as whole runs, never interleaved. Waiting for the lock
 * counts against the timeout and ends with the socket closed if the thread is interrupted
 * (a ReentrantLock, so a virtual thread waiting for it does not pin its carrier). The single
 * system calls ({@code send}, {@code sendTo}, {@code sendMsg}, {@code sendBatch}) do not take the
 * lock and never wait for it: they are as atomic as the kernel makes one call (a datagram or
 * seqpacket message always is; a stream send that blocks partway may interleave with another
 * thread's send, and may land between two chunks of a concurrent sendAll).
 *
 * <p>Interrupts follow {@link java.nio.channels.InterruptibleChannel}: interrupting a thread
 * blocked in a call that may wait (not timeout zero, not MSG_DONTWAIT), platform or virtual,
 * closes the socket and the call throws {@link java.nio.channels.ClosedByInterruptException}
 * with the thread's interrupt status still set; other threads blocked on the socket get
 * AsynchronousCloseException. Such a call made by a thread that is already interrupted closes
 * the socket at once. Non-blocking calls ignore interrupts.
 *
 * <h2>Buffers</h2>
 * Every data call takes a {@code byte[]} slice, a {@link ByteBuffer} (heap or direct; the position
 * moves by the bytes transferred) or a {@link MemorySegment} (native or heap). Heap memory reaches
 * the kernel without a copy when the call cannot block; a call that may block copies it through
 * native memory the thread reuses, because a foreign call that pins the Java heap must not block.
 *
 * <h2>Errors</h2>
 * A failed call throws an {@link IOException} whose message names the call, the address and the
 * errno ({@code connect(/run/app.sock): ECONNREFUSED (Connection refused)}); it is a JDK subtype
 * where one fits (ConnectException, BindException, NoRouteToHostException,
 * PortUnreachableException) and always implements {@link SyscallError}. Bad arguments are rejected
 * with {@link IllegalArgumentException} before any system call.
 */
public final class Socket implements FdOwner, java.nio.channels.ByteChannel,
        java.nio.channels.ScatteringByteChannel, java.nio.channels.GatheringByteChannel {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int DEFAULT_BACKLOG = 4096;

    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
        io.ffsock.internal.bridge.FdAccess.install(new BridgeAccess());
    }

    private final FdLife fd;
    private final Family family;
    private final SocketType type;
    private final Protocol protocol;
    private final Cleaner.Cleanable cleanable;
    /** -1: blocking; 0: non-blocking; > 0: timeout in nanoseconds. */
    private volatile long timeoutNanos = -1;
    /** The last address given to sendTo and its kernel form, so repeated sends allocate nothing. */
    private volatile CachedAddress lastTarget;
    /** Set once a virtual thread accepted or connected in blocking mode: O_NONBLOCK stays set. */
    private volatile boolean forcedNonBlocking;
    /** One sendAll at a time (see the class comment, Writers); the single-call sends never take it. */
    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
        /** Brackets calls that may wait, so that Thread.interrupt() closes the socket and wakes them. */
    private final Interruption.Closing interruptor;

    private record CachedAddress(SocketAddress address, SockAddr kernel) {}

    /**
     * Set by {@link #bind(UnixAddress, Set, boolean)}: the kernel knows the socket by the private
     * name it was bound to, the caller by the name it was moved to.
     */
    private volatile BoundName boundName;

    private record BoundName(UnixAddress kernel, UnixAddress shown) {}

    /** The last sender recvFrom decoded, per socket (threads share it; a stale read only costs a decode). */
    private volatile CachedAddress lastSender;
    /** The last {@link Received} handed out; racy by design (it is immutable). */
    private Received lastReceived;

    /**
     * Read and write timeouts in nanoseconds ({@link #setReadTimeout}, {@link #setWriteTimeout}),
     * -1 when unset: then the socket timeout applies.
     */
    private volatile long readTimeoutNanos = -1;
    private volatile long writeTimeoutNanos = -1;
    /** Set once shutdown(2) succeeded for that direction: the views report end of stream / refuse. */
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    /** The stream views, made on first use (one of each per socket). */
    private volatile SocketInputStream inputStream;
    private volatile SocketOutputStream outputStream;

    private Socket(int fd, Family family, SocketType type, Protocol protocol) {
        this(new FdLife(fd), family, type, protocol);
    }

    private Socket(FdLife life, Family family, SocketType type, Protocol protocol) {
        this.fd = life;
        this.family = family;
        this.type = type;
        this.protocol = protocol;
        this.cleanable = CLEANER.register(this, this.fd);
        this.interruptor = new Interruption.Closing(this.fd);
    }

    // ---- creating ------------------------------------------------------------------------------

    /** Opens a socket with the default protocol, socket(2). */
    public static Socket open(Family family, SocketType type) throws IOException {
        return open(family, type, Protocol.DEFAULT);
    }

    /**
     * Opens a socket, socket(2), with SOCK_CLOEXEC. The socket blocks (no timeout). AF_UNIX with
     * SOCK_RAW is accepted, as the kernel accepts it, and makes a SOCK_DGRAM socket (unix(7)),
     * which {@link #type()} reports.
     *
     * @throws SyscallException e.g. EAFNOSUPPORT, EPROTONOSUPPORT, or EPERM for a raw socket
     *         without CAP_NET_RAW (the message says what to do)
     */
    public static Socket open(Family family, SocketType type, Protocol protocol) throws IOException {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(protocol, "protocol");
        int r = Syscalls.socket(family.value(), type.value() | SOCK_CLOEXEC, protocol.value());
        if (r < 0) throw Errors.of("socket(" + family + ", " + type + ", " + protocol + ")", -r, null);
        return new Socket(r, family, unixKernelType(family, type), protocol);
    }

    /** AF_UNIX takes SOCK_RAW as SOCK_DGRAM (unix(7)): report the type the kernel made. */
    private static SocketType unixKernelType(Family family, SocketType type) {
        return family.equals(Family.UNIX) && type.equals(SocketType.RAW) ? SocketType.DGRAM : type;
    }

    /**
     * Two connected AF_UNIX sockets of {@code type} (STREAM, DGRAM or SEQPACKET), socketpair(2).
     * RAW is accepted, as the kernel accepts it, and makes DGRAM sockets, which {@link #type()} reports.
     */
    public static SocketPair pair(SocketType type) throws IOException {
        Objects.requireNonNull(type, "type");
        int[] fds = new int[2];
        int r = Syscalls.socketpair(AF_UNIX, type.value() | SOCK_CLOEXEC, 0, fds);
        if (r < 0) throw Errors.of("socketpair(AF_UNIX, " + type + ")", -r, null);
        SocketType made = unixKernelType(Family.UNIX, type);
        return new SocketPair(new Socket(fds[0], Family.UNIX, made, Protocol.DEFAULT),
                new Socket(fds[1], Family.UNIX, made, Protocol.DEFAULT));
    }

    /**
     * Takes ownership of a socket fd this process has open (inherited from a parent, passed by
     * native code): asks the kernel its family, type and protocol (SO_DOMAIN, SO_TYPE,
     * SO_PROTOCOL), sets FD_CLOEXEC so it goes no further, and keeps its blocking mode (an fd
     * with O_NONBLOCK becomes a socket with timeout zero). From now on only the Socket may close it.
     *
     * <p>An fd has one owner: adopting a number that a live ffsock object (a Socket, an
     * {@link OwnedFd}, ...) already owns is refused, so adopting the same inherited fd twice gives
     * the first Socket and then an {@link IllegalStateException}; once that Socket is closed the
     * number is free (and no longer the inherited socket). The check is ffsock's own: an fd held by
     * other code (a JDK channel, native code) cannot be seen, and must not be adopted.
     *
     * @throws SyscallException       EBADF if no such fd is open, ENOTSOCK if it is not a socket
     * @throws IllegalStateException  if a live ffsock object owns the fd (the message names it)
     */
    public static Socket adopt(int fd) throws IOException {
        if (fd < 0) throw new IllegalArgumentException("adopt: negative fd " + fd);
        return adoptNumber(fd, null);
    }

    /** Adopts {@code fd}; {@code from} is the detached {@link OwnedFd} life it moves from, or null. */
    static Socket adoptNumber(int fd, FdLife from) throws IOException {
        String who = "fd " + fd;
        long domain = Syscalls.getsockoptInt(fd, SOL_SOCKET, SO_DOMAIN);
        if (domain < 0) throw Errors.of("getsockopt(SO_DOMAIN)", (int) -domain, who);
        long type = Syscalls.getsockoptInt(fd, SOL_SOCKET, SO_TYPE);
        if (type < 0) throw Errors.of("getsockopt(SO_TYPE)", (int) -type, who);
        long protocol = Syscalls.getsockoptInt(fd, SOL_SOCKET, SO_PROTOCOL);
        if (protocol < 0) throw Errors.of("getsockopt(SO_PROTOCOL)", (int) -protocol, who);
        Family f = new Family((int) domain);
        SocketType t = new SocketType((int) type);
        FdLife life = FdLife.adopted(fd, from == null ? "adopt" : "toSocket", true, from, f + " " + t);
        boolean nonBlocking;
        try {
            Fds.setCloexec(fd, true);
            nonBlocking = Fds.isNonBlocking(fd);
        } catch (IOException | RuntimeException e) {
            life.unregister(); // not adopted: the fd stays the caller's, open
            throw e;
        }
        Socket s = new Socket(life, f, t, new Protocol((int) protocol));
        if (nonBlocking) s.timeoutNanos = 0;
        return s;
    }

    FdLife life() {
        return fd;
    }

    /** A connection accepted from {@code listener} by other means (io_uring): it blocks, as from {@link #accept}. */
    static Socket acceptedFrom(Socket listener, int fd) {
        Socket accepted = new Socket(fd, listener.family, listener.type, listener.protocol);
        accepted.boundName = listener.boundName;
        return accepted;
    }

    /**
     * The fd number, for handing to native code or a child process (see
     * {@link #setInheritable}), or -1 once the socket is closed. Valid only while the socket is
     * open: a number read before a close may name another fd after it.
     */
    @Override
    public int fdNumber() {
        return fd.isClosed() ? -1 : fd.fd;
    }

    /**
     * Sets whether a program this process exec(2)s inherits the fd (clears or sets FD_CLOEXEC;
     * ffsock sets it on every fd it creates). Note that the JDK's {@link ProcessBuilder} closes
     * every fd above 2 in the child anyway: this is for native launchers (posix_spawn, fork/exec).
     * To start a child with this socket from Java, give it to {@link Spawn#fd} instead, which
     * needs no change of this flag.
     */
    public void setInheritable(boolean inheritable) throws IOException {
        acquire("fcntl(F_SETFD)", null);
        try {
            Fds.setCloexec(fd.fd, !inheritable);
        } finally {
            release();
        }
    }

    /** Whether FD_CLOEXEC is clear, fcntl(2) F_GETFD. */
    public boolean isInheritable() throws IOException {
        acquire("fcntl(F_GETFD)", null);
        try {
            return !Fds.isCloexec(fd.fd);
        } finally {
            release();
        }
    }

    /** The address family this socket was opened with. */
    public Family family() {
        return family;
    }

    /** The socket type this socket was opened with. */
    public SocketType type() {
        return type;
    }

    /** The protocol this socket was opened with (0 = the default for the family and type). */
    public Protocol protocol() {
        return protocol;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return fd.isClosed();
    }

    // ---- connection set-up ---------------------------------------------------------------------

    /**
     * Binds to a local address, bind(2). For AF_UNIX, {@link UnixAddress#unnamed()} autobinds to
     * a kernel-chosen abstract name. A pathname socket's file is not removed on close; delete it
     * yourself (an existing file makes bind fail with EADDRINUSE).
     */
    public void bind(SocketAddress address) throws IOException {
        SockAddr a = Addresses.toKernel(address, family, "bind");
        acquire("bind", address);
        try {
            int r = Syscalls.bind(fd.fd, a);
            if (r < 0) throw Errors.of("bind", -r, address);
        } finally {
            release();
        }
    }

    /**
     * Binds a pathname AF_UNIX socket whose file has exactly {@code mode} (e.g. {@code rw-------})
     * from the moment it appears at its path; refuses to replace any existing file. Compound: see
     * {@link #bind(UnixAddress, Set, boolean)}.
     */
    public void bind(UnixAddress address, Set<java.nio.file.attribute.PosixFilePermission> mode) throws IOException {
        bind(address, mode, false);
    }

    /**
     * Binds a pathname AF_UNIX socket whose file has exactly {@code mode} from the moment it
     * appears at its path, with no window in which another user could connect through a wider
     * mode (the umask is process-wide, so it is not used). Compound: sets the mode on the socket
     * itself (fchmod(2)), from which bind(2) creates the file less the umask, binds at the path,
     * and adds back what the umask (or a default ACL) took away with fchmodat(2), which follows
     * no symlink. The file is never wider than {@code mode}, only narrower until that last step.
     *
     * <p>With {@code replaceStale}, an existing file at the path is replaced only if it is a
     * socket (S_ISSOCK; a symlink is not followed) that nobody listens on (connect(2) gives
     * ECONNREFUSED), and atomically: the socket is bound in a private directory (mkdir(2), mode
     * 0700) next to the path, its mode set there (chmod(2)), and the file renamed over the stale
     * one (rename(2)). A live socket, or a file of another kind, is never replaced: that fails
     * with a {@link java.net.BindException} (EADDRINUSE) saying which. (Two servers replacing the
     * same stale file at the same moment can still race each other.) After such a replacement the
     * kernel keeps the private name as the socket's address: {@link #localAddress()} shows
     * {@code address}, but a peer's {@code getpeername} shows the private name (now removed), and
     * the directory of {@code address} needs 17 bytes more room in sun_path than the path itself.
     *
     * @throws IllegalArgumentException if the address is not a path or the socket not AF_UNIX, or
     *         (replacing a stale file) the path leaves no room for the private directory
     * @throws java.net.BindException   EADDRINUSE if the path exists (and is not a stale socket
     *         that may be replaced), EACCES if its directory is not writable
     */
    public void bind(UnixAddress address, Set<java.nio.file.attribute.PosixFilePermission> mode, boolean replaceStale)
            throws IOException {
        UnixAddress kernelName = SecureBind.bind(this, address, mode, replaceStale);
        boundName = new BoundName(kernelName, address);
    }

    /**
     * fchmod(2) on this socket before bind(2): the kernel creates a pathname socket's file with
     * this mode, less the umask (see {@link SecureBind}).
     */
    void modeForBind(int mode) throws IOException {
        acquire("fchmod", null);
        try {
            int r = Syscalls.fchmod(fd.fd, mode);
            if (r < 0) throw Errors.of("fchmod", -r, describeLocal());
        } finally {
            release();
        }
    }

    /** The address to show for what getsockname gave: the final name after a bind with a mode. */
    private SocketAddress shown(SocketAddress a) {
        BoundName b = boundName;
        return b != null && b.kernel.equals(a) ? b.shown : a;
    }

    /** Listens with a backlog of 4096 (the kernel caps it at net.core.somaxconn), listen(2). */
    public void listen() throws IOException {
        listen(DEFAULT_BACKLOG);
    }

    /** Marks the socket as accepting connections, listen(2). */
    public void listen(int backlog) throws IOException {
        if (backlog < 0) throw new IllegalArgumentException("listen: negative backlog " + backlog);
        acquire("listen", null);
        try {
            int r = Syscalls.listen(fd.fd, backlog);
            if (r < 0) throw Errors.of("listen", -r, describeLocal());
        } finally {
            release();
        }
    }

    /**
     * Accepts a connection, accept4(2) with SOCK_CLOEXEC. The new socket blocks (no timeout) and
     * its peer is {@link #remoteAddress()}. Waits as the timeout says.
     */
    public Socket accept() throws IOException {
        acquire("accept", null);
        boolean waits = beginWait(0);
        Socket accepted = null;
        try {
            if (timeoutNanos < 0 && (Readiness.parks() || readTimeoutNanos > 0)) forceNonBlocking();
            long deadline = deadline(POLLIN);
            for (;;) {
                int token = Readiness.token(fd, POLLIN);
                int r = Syscalls.accept4(fd.fd, SOCK_CLOEXEC);
                if (fd.isClosed()) {
                    if (r >= 0) Syscalls.close(r);
                    throw Errors.closedDuringCall("accept", describeLocal());
                }
                if (r >= 0) {
                    accepted = new Socket(r, family, type, protocol);
                    accepted.boundName = boundName;
                    return accepted;
                }
                onFailure(-r, POLLIN, token, deadline, "accept", null);
            }
        } finally {
            try {
                endWait(waits, "accept", null);
            } catch (IOException e) {
                if (accepted != null) accepted.close(); // interrupted: the caller never sees it
                throw e;
            }
        }
    }

    /**
     * Connects to {@code address}, connect(2). With a timeout, a connect that is in progress is
     * waited for up to the timeout (compound: connect, poll, SO_ERROR). On a datagram socket this
     * sets the default destination and the only source accepted.
     */
    public void connect(SocketAddress address) throws IOException {
        int errno = connect(address, true, timeoutNanos);
        if (errno != 0) throw Errors.of("connect", errno, address);
    }

    /**
     * Connects like {@link #connect} but returns the errno instead of throwing for a failed
     * connection (0 on success), like Python's {@code connect_ex}: ECONNREFUSED, ENOENT,
     * ETIMEDOUT (also when this socket's timeout passed), EINPROGRESS on a non-blocking socket...
     * Bad arguments and a closed socket still throw.
     */
    public int connectEx(SocketAddress address) throws IOException {
        return connect(address, false, timeoutNanos);
    }

    /** {@code timeout}: as {@link #timeoutNanos}, for this call. */
    private int connect(SocketAddress address, boolean timeoutThrows, long timeout) throws IOException {
        SockAddr a = Addresses.toKernel(address, family, "connect");
        acquire("connect", address);
        boolean waits = beginWait(0);
        boolean backToBlocking = false;
        try {
            if (timeoutNanos < 0 && Readiness.parks()) forceNonBlocking();
            else if (timeoutNanos < 0 && timeout > 0) backToBlocking = nonBlockingForThisCall();
            long deadline = deadlineAfter(timeout);
            int r;
            int token;
            do {
                token = Readiness.token(fd, POLLOUT);
                r = Syscalls.connect(fd.fd, a);
            } while (r == -EINTR && !fd.isClosed());
            if (fd.isClosed()) throw Errors.closedDuringCall("connect", address);
            if (r == 0) return 0;
            int errno = -r;
            // In progress on a socket with a timeout: wait for it to finish, then ask how it went.
            // (AF_UNIX says EAGAIN when the listener's backlog is full; retrying is the only way.)
            boolean inProgress = errno == EINPROGRESS || (errno == EAGAIN && family.equals(Family.UNIX));
            if (!inProgress || timeout == 0) return errno;
            long backoff = 50_000;
            for (;;) {
                if (errno == EINPROGRESS) {
                    int w = Readiness.await(fd, POLLOUT, token, deadline);
                    if (w == Readiness.INTERRUPTED) throw interrupted("connect", address);
                    if (fd.isClosed()) throw Errors.closedDuringCall("connect", address);
                    if (w == Readiness.TIMED_OUT) {
                        if (timeoutThrows) throw Errors.timeout("connect", address, timeout);
                        return ETIMEDOUT;
                    }
                    long so = Syscalls.getsockoptInt(fd.fd, SOL_SOCKET, SO_ERROR);
                    return so < 0 ? (int) -so : (int) so;
                }
                // AF_UNIX backlog full: sleep a little and try again. No fd event says when the
                // listener has room (poll reports an unconnected AF_UNIX socket ready at once), so
                // this is a timed park, doubling up to 10 ms; interrupt cuts it short (unpark),
                // close is seen when it ends.
                long now = System.nanoTime();
                if (deadline != 0 && now - deadline >= 0) {
                    if (timeoutThrows) throw Errors.timeout("connect", address, timeout);
                    return ETIMEDOUT;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(this,
                        deadline == 0 ? backoff : Math.min(backoff, deadline - now));
                backoff = Math.min(backoff * 2, 10_000_000);
                if (Thread.currentThread().isInterrupted()) throw interrupted("connect", address);
                if (fd.isClosed()) throw Errors.closedDuringCall("connect", address);
                token = Readiness.token(fd, POLLOUT);
                r = Syscalls.connect(fd.fd, a);
                if (fd.isClosed()) throw Errors.closedDuringCall("connect", address);
                if (r == 0) return 0;
                errno = -r;
                if (errno != EAGAIN && errno != EINTR && errno != EINPROGRESS) return errno;
            }
        } finally {
            try {
                if (backToBlocking) blockingAgain();
            } finally {
                endWait(waits, "connect", address);
            }
        }
    }

    /** Shuts down one or both directions, shutdown(2). */
    public void shutdown(Shutdown how) throws IOException {
        Objects.requireNonNull(how, "how");
        acquire("shutdown", null);
        try {
            int r = Syscalls.shutdown(fd.fd, switch (how) {
                case READ -> SHUT_RD;
                case WRITE -> SHUT_WR;
                case BOTH -> SHUT_RDWR;
            });
            if (r < 0) throw Errors.of("shutdown", -r, describePeer());
            if (how != Shutdown.WRITE) inputShut = true;
            if (how != Shutdown.READ) outputShut = true;
        } finally {
            release();
        }
    }

    /**
     * Closes the socket, close(2). Idempotent; safe from any thread. Calls blocked on this socket
     * in other threads wake with {@link java.nio.channels.AsynchronousCloseException} (they are
     * woken with shutdown(2), which the peer sees as the connection ending).
     */
    @Override
    public void close() {
        fd.close();
        cleanable.clean(); // idempotent: Fd.close already ran, this only unregisters
    }

    // ---- addresses -----------------------------------------------------------------------------

    /**
     * The address this socket is bound to, getsockname(2): a {@link UnixAddress} (unnamed when
     * not bound) or an {@link java.net.InetSocketAddress}.
     */
    public SocketAddress localAddress() throws IOException {
        acquire("getsockname", null);
        try {
            int r = Syscalls.getsockname(fd.fd);
            if (r < 0) throw Errors.of("getsockname", -r, null);
            return shown(Addresses.fromKernel(Syscalls.lastAddress()));
        } finally {
            release();
        }
    }

    /** The address of the connected peer, getpeername(2); ENOTCONN if not connected. */
    public SocketAddress remoteAddress() throws IOException {
        acquire("getpeername", null);
        try {
            int r = Syscalls.getpeername(fd.fd);
            if (r < 0) throw Errors.of("getpeername", -r, describeLocal());
            return Addresses.fromKernel(Syscalls.lastAddress());
        } finally {
            release();
        }
    }

    // ---- timeouts ------------------------------------------------------------------------------

    /**
     * Sets the timeout, as Python's {@code settimeout}: {@code null} blocks for ever (O_NONBLOCK
     * clear), {@link Duration#ZERO} never blocks (O_NONBLOCK set), a positive duration makes each
     * call wait at most that long and then throw {@link SocketTimeoutException}.
     *
     * @throws IllegalArgumentException if the duration is negative
     */
    public void setTimeout(Duration timeout) throws IOException {
        long nanos;
        if (timeout == null) {
            nanos = -1;
        } else {
            if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout " + timeout);
            nanos = saturatedNanos(timeout);
        }
        acquire("setTimeout", null);
        try {
            synchronized (fd) {
                setNonBlocking(nanos >= 0 || forcedNonBlocking);
                timeoutNanos = nanos;
            }
        } finally {
            release();
        }
    }

    /** The timeout: empty when blocking, {@link Duration#ZERO} when non-blocking. */
    public Optional<Duration> getTimeout() {
        long t = timeoutNanos;
        return t < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(t));
    }

    /** {@code setBlocking(true)} is {@code setTimeout(null)}; {@code false} is {@code setTimeout(ZERO)}. */
    public void setBlocking(boolean blocking) throws IOException {
        setTimeout(blocking ? null : Duration.ZERO);
    }

    /** Whether calls may block: true unless the timeout is zero (as Python's {@code getblocking}). */
    public boolean isBlocking() {
        return timeoutNanos != 0;
    }

    /**
     * A virtual thread must not block in accept(2) or connect(2), which take no MSG_DONTWAIT: the
     * first time one makes such a call in blocking mode, the fd becomes O_NONBLOCK for good, and
     * blocking is done by waiting in {@link Readiness} (as the JDK does for its own sockets).
     */
    private void forceNonBlocking() throws IOException {
        if (forcedNonBlocking) return;
        synchronized (fd) {
            if (!forcedNonBlocking) {
                setNonBlocking(true);
                forcedNonBlocking = true;
            }
        }
    }

    private void setNonBlocking(boolean on) throws IOException {
        int flags = Syscalls.fcntl(fd.fd, F_GETFL, 0);
        if (flags < 0) throw Errors.of("fcntl(F_GETFL)", -flags, null);
        int want = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (want != flags) {
            int r = Syscalls.fcntl(fd.fd, F_SETFL, want);
            if (r < 0) throw Errors.of("fcntl(F_SETFL)", -r, null);
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    // ---- sending -------------------------------------------------------------------------------

    /** Sends {@code data}, send(2); returns the bytes sent (a stream may take fewer). One call: takes no write lock (see the class comment, Writers). */
    public int send(byte[] data) throws IOException {
        requireBuffer(data, "send");
        return send(data, 0, data.length, Set.of());
    }

    /** Sends {@code data[offset, offset+length)}, send(2); returns the bytes sent. One call: takes no write lock (see the class comment, Writers). */
    public int send(byte[] data, int offset, int length) throws IOException {
        requireBuffer(data, "send");
        return send(data, offset, length, Set.of());
    }

    /** Sends a slice with flags, send(2); returns the bytes sent. One call: takes no write lock (see the class comment, Writers). */
    public int send(byte[] data, int offset, int length, Set<MsgFlag> flags) throws IOException {
        requireBuffer(data, "send");
        Objects.checkFromIndexSize(offset, length, data.length);
        return (int) send(Syscalls.segment(data, offset, length), MsgFlag.bits(flags), null);
    }

    /** Sends the buffer's remaining bytes, send(2); its position moves by the bytes sent. One call: takes no write lock (see the class comment, Writers). */
    public int send(ByteBuffer data) throws IOException {
        requireBuffer(data, "send");
        return send(data, Set.of());
    }

    /** Sends the buffer's remaining bytes with flags, send(2). One call: takes no write lock (see the class comment, Writers). */
    public int send(ByteBuffer data, Set<MsgFlag> flags) throws IOException {
        requireBuffer(data, "send");
        int n = (int) send(Syscalls.segment(data), MsgFlag.bits(flags), null);
        data.position(data.position() + n);
        return n;
    }

    /** Sends the segment's bytes, send(2); returns the bytes sent. One call: takes no write lock (see the class comment, Writers). */
    public long send(MemorySegment data) throws IOException {
        requireBuffer(data, "send");
        return send(data, Set.of());
    }

    /** Sends the segment's bytes with flags, send(2). One call: takes no write lock (see the class comment, Writers). */
    public long send(MemorySegment data, Set<MsgFlag> flags) throws IOException {
        requireBuffer(data, "send");
        return send(Objects.requireNonNull(data, "data"), MsgFlag.bits(flags), null);
    }

    /** Sends {@code data} to {@code target}, sendto(2); returns the bytes sent. One call: takes no write lock (see the class comment, Writers). */
    public int sendTo(byte[] data, SocketAddress target) throws IOException {
        requireBuffer(data, "sendto");
        return sendTo(data, 0, data.length, target);
    }

    /** Sends {@code data[offset, offset+length)} to {@code target}, sendto(2). One call: takes no write lock (see the class comment, Writers). */
    public int sendTo(byte[] data, int offset, int length, SocketAddress target) throws IOException {
        requireBuffer(data, "sendto");
        Objects.checkFromIndexSize(offset, length, data.length);
        return (int) send(Syscalls.segment(data, offset, length), 0, requireTarget(target));
    }

    /** Sends the buffer's remaining bytes to {@code target}, sendto(2); the position moves. One call: takes no write lock (see the class comment, Writers). */
    public int sendTo(ByteBuffer data, SocketAddress target) throws IOException {
        requireBuffer(data, "sendto");
        int n = (int) send(Syscalls.segment(data), 0, requireTarget(target));
        data.position(data.position() + n);
        return n;
    }

    /** Sends the segment's bytes to {@code target}, sendto(2). One call: takes no write lock (see the class comment, Writers). */
    public long sendTo(MemorySegment data, SocketAddress target) throws IOException {
        requireBuffer(data, "sendto");
        return send(Objects.requireNonNull(data, "data"), 0, requireTarget(target));
    }

    /** Sends with flags to {@code target} (any of the above), sendto(2). One call: takes no write lock (see the class comment, Writers). */
    public int sendTo(byte[] data, int offset, int length, Set<MsgFlag> flags, SocketAddress target) throws IOException {
        requireBuffer(data, "sendto");
        Objects.checkFromIndexSize(offset, length, data.length);
        return (int) send(Syscalls.segment(data, offset, length), MsgFlag.bits(flags), requireTarget(target));
    }

    /** A null target would turn sendto into a plain send (EDESTADDRREQ, or worse, the connected peer). */
    private static SocketAddress requireTarget(SocketAddress target) {
        return Objects.requireNonNull(target, "sendto: address is null");
    }

    /**
     * Sends all of {@code data}: compound, calls send(2) until every byte is out. If a call fails,
     * the exception ({@link SendAllException}, or a {@link SocketTimeoutException} whose
     * {@code bytesTransferred} is set) says how many bytes went out before it.
     *
     * <p>Holds the socket's write lock for the whole operation: concurrent sendAll calls on one
     * socket go one after the other, each one's bytes contiguous (the single-call sends do not
     * wait for it; see the class comment, Writers). The timeout covers the wait for the lock too.
     */
    public void sendAll(byte[] data) throws IOException {
        requireBuffer(data, "sendall");
        sendAll(data, 0, data.length);
    }

    /** Sends all of {@code data[offset, offset+length)}; compound, see {@link #sendAll(byte[])}. Takes the write lock, as {@link #sendAll(byte[])}. */
    public void sendAll(byte[] data, int offset, int length) throws IOException {
        requireBuffer(data, "sendall");
        Objects.checkFromIndexSize(offset, length, data.length);
        sendAll(null, data, offset, length); // no segment: any window of the array allocates nothing
    }

    /** Sends all the buffer's remaining bytes; compound. The position moves past what was sent. Takes the write lock, as {@link #sendAll(byte[])}. */
    public void sendAll(ByteBuffer data) throws IOException {
        requireBuffer(data, "sendall");
        int start = data.position();
        try {
            sendAll(Syscalls.segment(data));
            data.position(data.limit());
        } catch (SendAllException e) {
            data.position(start + (int) e.bytesSent());
            throw e;
        } catch (SocketTimeoutException e) {
            data.position(start + e.bytesTransferred);
            throw e;
        }
    }

    /** Sends all the segment's bytes; compound, see {@link #sendAll(byte[])}. Takes the write lock, as {@link #sendAll(byte[])}. */
    public void sendAll(MemorySegment data) throws IOException {
        requireBuffer(data, "sendall");
        Objects.requireNonNull(data, "data");
        sendAll(data, null, 0, data.byteSize());
    }

    /** sendAll of {@code data}, or of {@code array[off, off+total)} when {@code array} is not null. */
    private void sendAll(MemorySegment data, byte[] array, int off, long total) throws IOException {
        long deadline = deadline(POLLOUT); // one deadline for the whole operation, as Python's sendall
        lockForSendAll(deadline);
        try {
            sendAllLocked(data, array, off, total, deadline);
        } finally {
            writeLock.unlock();
        }
    }

    private void sendAllLocked(MemorySegment data, byte[] array, int off, long total, long deadline) throws IOException {
        long sent = 0;
        do {
            long n;
            try {
                n = array != null
                        ? send(null, array, off + (int) sent, (int) (total - sent), 0, null, deadline)
                        : send(sent == 0 ? data : data.asSlice(sent), 0, null, deadline); // no slice object in the common case
            } catch (SocketTimeoutException e) {
                SocketTimeoutException t = new SocketTimeoutException(e.getMessage() + " after " + sent + " of " + total + " bytes");
                t.bytesTransferred = (int) Math.min(sent, Integer.MAX_VALUE);
                throw t;
            } catch (SyscallException e) {
                throw new SendAllException(e, sent, total);
            } catch (IOException e) {
                if (e instanceof SyscallError s) throw new SendAllException(s, e.getMessage(), sent, total);
                throw e;
            }
            sent += n;
        } while (sent < total);
    }

    /**
     * Takes {@link #writeLock}: at once when free (the single writer's path: one CAS); else waits,
     * until the deadline if there is one, interruptibly (an interrupt closes the socket).
     */
    private void lockForSendAll(long deadline) throws IOException {
        if (writeLock.tryLock()) return;
        try {
            if (deadline == 0) {
                writeLock.lockInterruptibly();
            } else if (!writeLock.tryLock(deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                SocketTimeoutException t = Errors.timeout("sendall", describePeer(), waitNanos(POLLOUT));
                t.bytesTransferred = 0;
                throw t;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // InterruptibleChannel: the status stays set
            throw interrupted("sendall", null);
        }
    }

    private long send(MemorySegment data, int flags, SocketAddress target) throws IOException {
        return send(data, flags, target, deadline(POLLOUT));
    }

    private long send(MemorySegment data, int flags, SocketAddress target, long deadline) throws IOException {
        return send(data, null, 0, 0, flags, target, deadline);
    }

    /**
     * send(2) or sendto(2) of {@code data}, or (no target) of {@code array[off, off+len)} when
     * {@code array} is not null: then no heap segment is made (see Syscalls.send for byte[]).
     */
    private long send(MemorySegment data, byte[] array, int off, int len, int flags, SocketAddress target, long deadline)
            throws IOException {
        String call = target == null ? "send" : "sendto";
        SockAddr to = target == null ? null : kernelTarget(target);
        acquire(call, target);
        boolean waits = beginWait(flags);
        try {
            flags |= MSG_NOSIGNAL;
            for (;;) {
                boolean mayBlock = mayBlock(flags, POLLOUT);
                int f = callFlags(flags, POLLOUT);
                int token = Readiness.token(fd, POLLOUT);
                long r = to != null ? Syscalls.sendto(fd.fd, data, f, to, mayBlock)
                        : array != null ? Syscalls.send(fd.fd, array, off, len, f, mayBlock)
                        : Syscalls.send(fd.fd, data, f, mayBlock);
                if (fd.isClosed()) throw Errors.closedDuringCall(call, target != null ? target : describePeer());
                if (r >= 0) return r;
                onFailure((int) -r, flags, POLLOUT, token, deadline, call, target);
            }
        } finally {
            endWait(waits, call, target);
        }
    }

    private SockAddr kernelTarget(SocketAddress target) {
        CachedAddress c = lastTarget;
        if (c != null && c.address == target) return c.kernel;
        // An IP target that changes with every call (a pinger, a server answering many clients)
        // goes into this thread's reusable sockaddr: no object per call. Only the array of
        // getAddress() is made, and C2 removes it once this is inlined (it never escapes).
        if (target instanceof java.net.InetSocketAddress in) {
            java.net.InetAddress ip = in.getAddress();
            if (ip instanceof java.net.Inet4Address && family.equals(Family.INET)) {
                byte[] a = ip.getAddress(); // read here at fixed indexes, so C2 can do without the array
                int v4 = (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
                return Syscalls.inetTarget(v4, in.getPort());
            }
            if (ip instanceof java.net.Inet6Address v6 && family.equals(Family.INET6)) {
                byte[] a = v6.getAddress();
                return Syscalls.inet6Target(bigEndianLong(a, 0), bigEndianLong(a, 8), in.getPort(), v6.getScopeId());
            }
        }
        SockAddr k = Addresses.toKernel(target, family, "sendto");
        lastTarget = new CachedAddress(target, k);
        return k;
    }

    private static long bigEndianLong(byte[] a, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (a[at + i] & 0xff);
        return v;
    }

    // ---- receiving -----------------------------------------------------------------------------

    /**
     * Receives into {@code buffer}, recv(2); returns the bytes stored. 0 means end of stream on a
     * STREAM socket, and a zero-length message (or an orderly shutdown) on DGRAM and SEQPACKET.
     * A longer datagram or seqpacket message is truncated and the rest is lost (see
     * {@link MsgFlag#TRUNC} to learn the real length).
     *
     * <p><b>Zero-length receives</b> (an empty array, slice, buffer or segment, {@code recv(0)},
     * and the same for recvFrom and recvMsg): on a STREAM socket they make no system call and
     * return 0 at once, whatever is queued and whatever the flags, as the JDK's
     * {@code SocketChannel.read} and CPython's {@code recv(0)} do; that 0 asks for nothing and so
     * says nothing about end of stream. On DGRAM, SEQPACKET and RAW sockets they are real
     * recv(2) calls: they wait (as the timeout says) for the next message and consume it, keeping
     * none of it (with {@link MsgFlag#TRUNC} the result is its length), as the JDK's
     * {@code DatagramChannel.receive} does with an empty buffer; CPython's {@code recv(0)}
     * instead returns at once without consuming. To look without consuming, add {@link MsgFlag#PEEK}.
     */
    public int recv(byte[] buffer) throws IOException {
        requireBuffer(buffer, "recv");
        return recv(buffer, 0, buffer.length, Set.of());
    }

    /** Receives into {@code buffer[offset, offset+length)}, recv(2); zero lengths: see {@link #recv(byte[])}. */
    public int recv(byte[] buffer, int offset, int length) throws IOException {
        requireBuffer(buffer, "recv");
        return recv(buffer, offset, length, Set.of());
    }

    /**
     * Receives with flags, recv(2). With {@link MsgFlag#TRUNC} on a datagram socket the result is
     * the real length of the message, which may exceed {@code length}.
     */
    public int recv(byte[] buffer, int offset, int length, Set<MsgFlag> flags) throws IOException {
        requireBuffer(buffer, "recv");
        Objects.checkFromIndexSize(offset, length, buffer.length);
        return (int) recv(Syscalls.segment(buffer, offset, length), MsgFlag.bits(flags), false);
    }

    /**
     * Receives at most {@code maxLength} bytes and returns exactly those, as Python's {@code recv(n)}
     * ({@code recv(0)}: see {@link #recv(byte[])} on zero-length receives).
     *
     * <p>Up to 64 KiB the array is allocated at {@code maxLength} and the call is one recv(2). A
     * larger {@code maxLength} is a ceiling, not an allocation: the call first waits (as recv does)
     * and looks at what is there, then allocates only that. On a datagram, seqpacket or raw socket
     * it asks for the next message's length (recv with MSG_PEEK | MSG_TRUNC); on a stream it peeks
     * one byte and asks how many are queued (ioctl FIONREAD). So {@code recv(Integer.MAX_VALUE)}
     * returns the next message or what the stream holds. Another thread receiving on the same
     * socket between the look and the receive can make a message longer than was seen arrive
     * here truncated, as a too-small buffer would.
     */
    public byte[] recv(int maxLength) throws IOException {
        if (maxLength < 0) throw new IllegalArgumentException("recv: negative length " + maxLength);
        int size = maxLength;
        if (maxLength > DIRECT_RECV_LIMIT) {
            long waiting = waitingBytes();
            if (waiting == 0 && type.equals(SocketType.STREAM)) return new byte[0]; // end of stream
            size = (int) Math.min(maxLength, waiting); // 0: an empty message, received below
        }
        byte[] b = new byte[size];
        int n = recv(b, 0, size);
        return n == size ? b : Arrays.copyOf(b, n);
    }

    /** Above this, {@link #recv(int)} looks at what is there before it allocates. */
    private static final int DIRECT_RECV_LIMIT = 64 * 1024;

    /**
     * For {@link #recv(int)}: waits until something can be received, then its size: the next
     * message's length, or the bytes a stream holds (0 at end of stream).
     */
    private long waitingBytes() throws IOException {
        if (!type.equals(SocketType.STREAM)) {
            return recv(new byte[0], 0, 0, java.util.EnumSet.of(MsgFlag.PEEK, MsgFlag.TRUNC));
        }
        if (recv(new byte[1], 0, 1, Set.of(MsgFlag.PEEK)) == 0) return 0; // end of stream
        acquire("ioctl(FIONREAD)", null);
        try {
            int queued = Syscalls.ioctlInt(fd.fd, FIONREAD);
            if (queued < 0) throw Errors.of("ioctl(FIONREAD)", -queued, describeLocal());
            return Math.max(queued, 1); // the byte seen is there unless another reader took it
        } finally {
            release();
        }
    }

    /** Receives into the buffer's remaining space, recv(2); its position moves by the bytes stored. */
    public int recv(ByteBuffer buffer) throws IOException {
        requireBuffer(buffer, "recv");
        return recv(buffer, Set.of());
    }

    /** Receives into the buffer with flags, recv(2). */
    public int recv(ByteBuffer buffer, Set<MsgFlag> flags) throws IOException {
        requireBuffer(buffer, "recv");
        requireWritable(buffer, "recv");
        int n = (int) recv(Syscalls.segment(buffer), MsgFlag.bits(flags), false);
        buffer.position(buffer.position() + Math.min(n, buffer.remaining()));
        return n;
    }

    /** Receives into the segment, recv(2); returns the bytes stored. */
    public long recv(MemorySegment buffer) throws IOException {
        requireBuffer(buffer, "recv");
        return recv(buffer, Set.of());
    }

    /** Receives into the segment with flags, recv(2). */
    public long recv(MemorySegment buffer, Set<MsgFlag> flags) throws IOException {
        requireBuffer(buffer, "recv");
        requireWritable(buffer, "recv");
        return recv(buffer, MsgFlag.bits(flags), false);
    }

    /**
     * Receives a message and its sender, recvfrom(2), as Python's {@code recvfrom(bufsize)}. A
     * zero length behaves as in {@link #recv(byte[])}; on a STREAM socket the sender is then null.
     */
    public Datagram recvFrom(int maxLength) throws IOException {
        if (maxLength < 0) throw new IllegalArgumentException("recvfrom: negative length " + maxLength);
        byte[] b = new byte[maxLength];
        Received r = recvFrom(b, 0, maxLength);
        int n = (int) Math.min(r.length(), maxLength);
        return new Datagram(n == maxLength ? b : Arrays.copyOf(b, n), r.sender());
    }

    /** Receives into {@code buffer[offset, offset+length)}, recvfrom(2): the length and the sender. */
    public Received recvFrom(byte[] buffer, int offset, int length) throws IOException {
        requireBuffer(buffer, "recvfrom");
        return recvFrom(buffer, offset, length, Set.of());
    }

    /** Receives with flags, recvfrom(2). */
    public Received recvFrom(byte[] buffer, int offset, int length, Set<MsgFlag> flags) throws IOException {
        requireBuffer(buffer, "recvfrom");
        Objects.checkFromIndexSize(offset, length, buffer.length);
        MemorySegment into = Syscalls.segment(buffer, offset, length);
        long n = recv(into, MsgFlag.bits(flags), true);
        return received(n, senderOf(into));
    }

    /**
     * Receives into the buffer's remaining space, recvfrom(2), and returns the sender (as
     * {@link java.nio.channels.DatagramChannel#receive} does); the position moves by the bytes stored.
     */
    public SocketAddress recvFrom(ByteBuffer buffer) throws IOException {
        requireBuffer(buffer, "recvfrom");
        requireWritable(buffer, "recvfrom");
        MemorySegment into = Syscalls.segment(buffer);
        long n = recv(into, 0, true);
        buffer.position(buffer.position() + (int) Math.min(n, buffer.remaining()));
        return senderOf(into);
    }

    /** Receives into the segment, recvfrom(2): the length and the sender. */
    public Received recvFrom(MemorySegment buffer) throws IOException {
        requireBuffer(buffer, "recvfrom");
        requireWritable(buffer, "recvfrom");
        long n = recv(buffer, 0, true);
        return received(n, senderOf(buffer));
    }

    /**
     * The sender of the message this thread just received. The kernel reports no address at all
     * (length 0) for an unbound AF_UNIX datagram sender; that sender is the unnamed address.
     */
    /**
     * The result of a recvfrom: the last one again when the length and the sender object are the
     * same (a record, so sharing it is safe). Escape analysis removes the allocation only when C2
     * inlines the whole call into the caller's loop, which W6 saw fail in about half of its runs.
     */
    private Received received(long n, SocketAddress sender) {
        Received r = lastReceived;
        if (r != null && r.length() == n && r.sender() == sender) return r;
        r = new Received(n, sender);
        lastReceived = r;
        return r;
    }

    /** The sender of what recvfrom stored in {@code into}: none for a stream's empty receive (no call was made). */
    private SocketAddress senderOf(MemorySegment into) {
        return into.byteSize() == 0 && type.equals(SocketType.STREAM) ? null : lastSender();
    }

    private SocketAddress lastSender() {
        // Most traffic comes from the sender of the last message: reuse its address object.
        CachedAddress c = lastSender;
        if (c != null && Syscalls.lastAddressIs(c.kernel)) return c.address;
        SockAddr k = Syscalls.lastAddress();
        SocketAddress a = Addresses.fromKernel(k);
        if (a != null) lastSender = new CachedAddress(a, k);
        return a == null && family.equals(Family.UNIX) && !type.isConnectionOriented() ? UnixAddress.unnamed() : a;
    }

    private long recv(MemorySegment data, int flags, boolean from) throws IOException {
        String call = from ? "recvfrom" : "recv";
        if (data.byteSize() == 0 && type.equals(SocketType.STREAM)) return emptyStreamReceive(call);
        acquire(call, null);
        boolean waits = beginWait(flags);
        try {
            long deadline = deadline(POLLIN);
            for (;;) {
                boolean mayBlock = mayBlock(flags, POLLIN);
                int f = callFlags(flags, POLLIN);
                int token = Readiness.token(fd, POLLIN);
                long r = from
                        ? Syscalls.recvfrom(fd.fd, data, f, mayBlock)
                        : Syscalls.recv(fd.fd, data, f, mayBlock);
                if (fd.isClosed()) throw Errors.closedDuringCall(call, describeLocal());
                if (r >= 0) return r;
                onFailure((int) -r, flags, POLLIN, token, deadline, call, null);
            }
        } finally {
            endWait(waits, call, null);
        }
    }

    /**
     * A receive of nothing on a stream: returns 0 at once, as the JDK's {@code read} of a full
     * buffer and CPython's {@code recv(0)} do. recv(2) itself would wait for data that it then
     * leaves queued, and its 0 would look like end of stream. A closed socket still throws.
     */
    private int emptyStreamReceive(String call) throws IOException {
        acquire(call, null);
        release();
        return 0;
    }

    /** A null buffer is refused with the call's name, before anything else looks at it. */
    private static void requireBuffer(Object buffer, String call) {
        if (buffer == null) throw new NullPointerException(call + ": buffer is null");
    }

    private static void requireWritable(ByteBuffer b, String call) {
        if (b.isReadOnly()) throw new IllegalArgumentException(call + ": read-only buffer");
    }

    private static void requireWritable(MemorySegment s, String call) {
        if (Objects.requireNonNull(s, "buffer").isReadOnly()) throw new IllegalArgumentException(call + ": read-only segment");
    }

    // ---- messages ------------------------------------------------------------------------------

    /**
     * Sends one message, sendmsg(2): the remaining bytes of {@code data} gathered in order (each
     * buffer's position moves past what was sent), with control messages (fds, credentials), to
     * {@code target} ({@code null} on a connected socket). At most 64 buffers.
     *
     * <p>An SCM_RIGHTS message on a SOCK_STREAM socket needs at least one data byte (the kernel
     * would otherwise drop the fds); ffsock refuses it before the call. The fds sent stay open here.
     *
     * <p>One call: takes no write lock (see the class comment, Writers).
     *
     * @return the bytes sent
     */
    public long sendMsg(java.util.List<ByteBuffer> data, java.util.List<? extends ControlMessage> control,
                        Set<MsgFlag> flags, SocketAddress target) throws IOException {
        Objects.requireNonNull(data, "sendmsg: data is null");
        Objects.requireNonNull(control, "sendmsg: control is null");
        ByteBuffer[] buffers = data.toArray(new ByteBuffer[0]);
        if (buffers.length > Syscalls.MAX_IOV) {
            throw new IllegalArgumentException("sendmsg: " + buffers.length + " buffers, at most " + Syscalls.MAX_IOV);
        }
        long total = 0;
        for (ByteBuffer b : buffers) {
            requireBuffer(b, "sendmsg");
            total += b.remaining();
        }
        String call = Messages.checkSendable(control, type, total, "sendmsg");
        SockAddr to = target == null ? null : kernelTarget(target);
        java.util.List<FdOwner> held = new java.util.ArrayList<>();
        acquire(call, target);
        boolean waits = false;
        try {
            java.util.List<io.ffsock.internal.sys.Cmsg> cmsgs = Messages.encode(control, call, held);
            int bits = MsgFlag.bits(flags) | MSG_NOSIGNAL;
            waits = beginWait(bits);
            long deadline = deadline(POLLOUT);
            for (;;) {
                int token = Readiness.token(fd, POLLOUT);
                long r = Syscalls.sendmsg(fd.fd, buffers, cmsgs, to, callFlags(bits, POLLOUT));
                if (fd.isClosed()) throw Errors.closedDuringCall(call, target != null ? target : describePeer());
                if (r >= 0) {
                    advance(buffers, r);
                    return r;
                }
                onFailure((int) -r, bits, POLLOUT, token, deadline, call, target);
            }
        } finally {
            for (FdOwner f : held) OwnedFd.lifeOf(f).release();
            endWait(waits, call, target);
        }
    }

    /** Sends {@code data} with control messages on a connected socket, sendmsg(2). One call: takes no write lock (see the class comment, Writers). */
    public long sendMsg(ByteBuffer data, ControlMessage... control) throws IOException {
        return sendMsg(java.util.List.of(data), java.util.List.of(control), Set.of(), null);
    }

    /**
     * Receives one message, recvmsg(2), with MSG_CMSG_CLOEXEC: data scattered into the remaining
     * space of {@code buffers} (positions move past what was stored), up to {@code controlSpace}
     * bytes of control data. Received fds (SCM_RIGHTS, and SCM_PIDFD with
     * {@link LinuxSocketOptions#SO_PASSPIDFD}) arrive as {@link OwnedFd}s owned by the returned
     * message. At most 64 buffers.
     *
     * <p>On a STREAM socket, buffers with no room left return at once a message of length 0 with
     * no control data and no sender (fds travel with data bytes on a stream, so none are taken),
     * unless {@link MsgFlag#ERRQUEUE} asks for the error queue; see {@link #recv(byte[])}.
     *
     * @param controlSpace control buffer size in bytes; {@link #DEFAULT_CONTROL_SPACE} holds 253
     *                     fds, credentials and a pidfd, the most a message can carry
     * @throws ControlTruncatedException if control data was lost (MSG_CTRUNC): the fds that
     *         arrived are closed first, so none leak. The message says why: the control buffer was
     *         too small, or it had room but this process's fd table is full (EMFILE at
     *         RLIMIT_NOFILE: {@link ControlTruncatedException#fdLimitReached()})
     */
    public ReceivedMessage recvMsg(java.util.List<ByteBuffer> buffers, int controlSpace, Set<MsgFlag> flags) throws IOException {
        Objects.requireNonNull(buffers, "recvmsg: buffers is null");
        ByteBuffer[] bufs = buffers.toArray(new ByteBuffer[0]);
        if (bufs.length > Syscalls.MAX_IOV) {
            throw new IllegalArgumentException("recvmsg: " + bufs.length + " buffers, at most " + Syscalls.MAX_IOV);
        }
        for (ByteBuffer b : bufs) {
            requireBuffer(b, "recvmsg");
            requireWritable(b, "recvmsg");
        }
        if (controlSpace < 0 || controlSpace > 1 << 20) {
            throw new IllegalArgumentException("recvmsg: control space " + controlSpace + " is not in 0..1 MiB");
        }
        int bits = MsgFlag.bits(flags) | MSG_CMSG_CLOEXEC;
        if (type.equals(SocketType.STREAM) && (bits & MSG_ERRQUEUE) == 0 && noRoom(bufs)) {
            emptyStreamReceive("recvmsg");
            return new ReceivedMessage(0, 0, null, java.util.List.of()); // fds travel with data bytes
        }
        acquire("recvmsg", null);
        boolean waits = beginWait(bits);
        try {
            long deadline = deadline(POLLIN);
            int waitFor = (bits & MSG_ERRQUEUE) != 0 ? POLLERR : POLLIN;
            for (;;) {
                int token = Readiness.token(fd, waitFor);
                long r = Syscalls.recvmsg(fd.fd, bufs, controlSpace, callFlags(bits, POLLIN));
                if (r >= 0) {
                    int msgFlags = Syscalls.lastMsgFlags();
                    java.util.List<ControlMessage> control = Messages.fromKernel(Syscalls.lastControl());
                    java.util.List<OwnedFd> fds = ReceivedMessage.arrivedFds(control);
                    SocketAddress sender = lastSender();
                    if (fd.isClosed()) {
                        fds.forEach(OwnedFd::close);
                        throw Errors.closedDuringCall("recvmsg", describeLocal());
                    }
                    if ((msgFlags & MSG_CTRUNC) != 0) {
                        boolean fdLimit = Syscalls.lastFdsRefused(controlSpace); // before any other recvmsg here
                        fds.forEach(OwnedFd::close);
                        advance(bufs, r); // the data did arrive: positions show it
                        throw controlTruncated(controlSpace, r, fds.size(), fdLimit);
                    }
                    advance(bufs, r);
                    return new ReceivedMessage(r, msgFlags, sender, control);
                }
                if (fd.isClosed()) throw Errors.closedDuringCall("recvmsg", describeLocal());
                onFailure((int) -r, bits, waitFor, token, deadline, "recvmsg", null);
            }
        } finally {
            endWait(waits, "recvmsg", null);
        }
    }

    /** The MSG_CTRUNC of a recvmsg, naming the cause: control space, or the fd limit. */
    private ControlTruncatedException controlTruncated(int controlSpace, long received, int closed, boolean fdLimit) {
        return ControlTruncatedException.of("recvmsg(" + Errors.describe(where(null)) + ")", controlSpace, received, closed, fdLimit);
    }

    /**
     * Receives one message into {@code buffer[offset, offset+length)}, recvmsg(2) with
     * MSG_CMSG_CLOEXEC, and describes it in {@code info} rather than in new objects: its length,
     * flags, the sender's IP address, the receive timestamp, TTL / hop limit, TOS / traffic class
     * and an extended error (see {@link MessageInfo}). A receive loop that reuses one
     * {@code info} allocates nothing. Meant for IP datagram and raw sockets: fds that arrive
     * (SCM_RIGHTS, SCM_PIDFD) are closed at once and counted in {@link MessageInfo#fdsClosed()};
     * use {@link #recvMsg(java.util.List, int, Set)} to keep them. Blocking, timeouts and
     * interrupts are as for {@link #recv(byte[])}; {@link MsgFlag#ERRQUEUE} reads the error queue.
     *
     * @return the bytes stored (with {@link MsgFlag#TRUNC}: the datagram's real length), also in {@link MessageInfo#length()}
     */
    public int recvMsg(byte[] buffer, int offset, int length, MessageInfo info, Set<MsgFlag> flags) throws IOException {
        requireBuffer(buffer, "recvmsg");
        Objects.checkFromIndexSize(offset, length, buffer.length);
        Objects.requireNonNull(info, "recvmsg: info is null");
        int bits = MsgFlag.bits(flags) | MSG_CMSG_CLOEXEC;
        MemorySegment into = Syscalls.segment(buffer, offset, length);
        if (length == 0 && type.equals(SocketType.STREAM) && (bits & MSG_ERRQUEUE) == 0) {
            emptyStreamReceive("recvmsg");
            info.length = 0;
            return 0;
        }
        acquire("recvmsg", null);
        boolean waits = beginWait(bits);
        try {
            long deadline = deadline(POLLIN);
            int waitFor = (bits & MSG_ERRQUEUE) != 0 ? POLLERR : POLLIN;
            for (;;) {
                int token = Readiness.token(fd, waitFor);
                long r = Syscalls.recvmsg(fd.fd, into, INFO_CONTROL_SPACE, callFlags(bits, POLLIN), info.fields);
                if (fd.isClosed()) throw Errors.closedDuringCall("recvmsg", describeLocal());
                if (r >= 0) {
                    info.length = r;
                    return (int) Math.min(r, Integer.MAX_VALUE);
                }
                onFailure((int) -r, bits, waitFor, token, deadline, "recvmsg", null);
            }
        } finally {
            endWait(waits, "recvmsg", null);
        }
    }

    /** Control space of {@link #recvMsg(byte[], int, int, MessageInfo, Set)}: a timestamp, TTL, TOS and an extended error fit many times. */
    private static final int INFO_CONTROL_SPACE = 512;

    /** Receives one message into {@code buffer} with room for any control data, recvmsg(2). */
    public ReceivedMessage recvMsg(ByteBuffer buffer) throws IOException {
        return recvMsg(java.util.List.of(buffer), DEFAULT_CONTROL_SPACE, Set.of());
    }

    /** Control space that holds the most a peer can send: 253 fds, credentials and a pidfd. */
    public static final int DEFAULT_CONTROL_SPACE = Syscalls.CONTROL_SPACE;

    private static boolean noRoom(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) if (b.hasRemaining()) return false;
        return true;
    }

    private static void advance(ByteBuffer[] buffers, long n) {
        for (ByteBuffer b : buffers) {
            int step = (int) Math.min(n, b.remaining());
            b.position(b.position() + step);
            n -= step;
            if (n == 0) break;
        }
    }

    /**
     * Sends the batch's messages from index {@code from}, sendmmsg(2): one system call; returns
     * how many messages went (a non-blocking or interrupted call may send fewer than all: call
     * again from {@code from + sent}). One call: takes no write lock (see the class comment, Writers).
     */
    public int sendBatch(MessageBatch batch, int from) throws IOException {
        Objects.checkFromToIndex(from, batch.size(), batch.size());
        if (from == batch.size()) return 0;
        acquire("sendmmsg", null);
        boolean waits = beginWait(0);
        try {
            long deadline = deadline(POLLOUT);
            for (;;) {
                int token = Readiness.token(fd, POLLOUT);
                int r = batch.memory().sendmmsg(fd.fd, from, batch.size() - from, callFlags(MSG_NOSIGNAL, POLLOUT));
                if (fd.isClosed()) throw Errors.closedDuringCall("sendmmsg", describePeer());
                if (r >= 0) return r;
                onFailure(-r, POLLOUT, token, deadline, "sendmmsg", null);
            }
        } finally {
            endWait(waits, "sendmmsg", null);
        }
    }

    /** Sends the whole batch from its first message, sendmmsg(2); returns how many went. One call: takes no write lock (see the class comment, Writers). */
    public int sendBatch(MessageBatch batch) throws IOException {
        return sendBatch(batch, 0);
    }

    /**
     * Receives up to {@code batch.capacity()} messages, recvmmsg(2) with MSG_WAITFORONE: waits (as
     * the timeout says) for the first, then takes what is already queued. Returns how many came;
     * read them with {@link MessageBatch#length}, {@link MessageBatch#copy} and
     * {@link MessageBatch#sender}.
     */
    public int recvBatch(MessageBatch batch) throws IOException {
        acquire("recvmmsg", null);
        boolean waits = beginWait(0);
        try {
            long deadline = deadline(POLLIN);
            for (;;) {
                int token = Readiness.token(fd, POLLIN);
                boolean senders = batch.collectsSenders();
                int r = batch.memory().recvmmsg(fd.fd, batch.capacity(), callFlags(MSG_WAITFORONE, POLLIN), senders);
                if (fd.isClosed()) throw Errors.closedDuringCall("recvmmsg", describeLocal());
                if (r >= 0) {
                    batch.setReceived(r, family.equals(Family.UNIX) && !type.isConnectionOriented() ? UnixAddress.unnamed() : null,
                            senders);
                    return r;
                }
                onFailure(-r, POLLIN, token, deadline, "recvmmsg", null);
            }
        } finally {
            endWait(waits, "recvmmsg", null);
        }
    }

    /** The connected peer's pid, uid and gid as of connect/socketpair, SO_PEERCRED, unix(7). */
    public Credentials peerCredentials() throws IOException {
        acquire("getsockopt(SO_PEERCRED)", null);
        try {
            int[] ucred = new int[3];
            int r = Syscalls.getsockoptInts(fd.fd, SOL_SOCKET, SO_PEERCRED, ucred);
            if (r < 0) throw Errors.of("getsockopt(SO_PEERCRED)", -r, describeLocal());
            return new Credentials(ucred[0], ucred[1], ucred[2]);
        } finally {
            release();
        }
    }

    /**
     * A pidfd for the connected peer process, SO_PEERPIDFD (Linux 6.5 and later): unlike a pid,
     * it cannot come to name another process after the peer exits. ENOPROTOOPT on older kernels.
     */
    public OwnedFd peerPidFd() throws IOException {
        acquire("getsockopt(SO_PEERPIDFD)", null);
        try {
            long r = Syscalls.getsockoptInt(fd.fd, SOL_SOCKET, SO_PEERPIDFD);
            if (r < 0) throw Errors.of("getsockopt(SO_PEERPIDFD)", (int) -r, describeLocal());
            return OwnedFd.received((int) r);
        } finally {
            release();
        }
    }

    // ---- multicast -----------------------------------------------------------------------------

    /**
     * Joins a multicast group on an interface ({@code null}: the kernel's choice):
     * setsockopt IP_ADD_MEMBERSHIP (struct ip_mreqn) or IPV6_JOIN_GROUP, ip(7)/ipv6(7).
     */
    public void joinGroup(java.net.InetAddress group, java.net.NetworkInterface nif) throws IOException {
        membership(group, nif, true);
    }

    /** Leaves a group joined with {@link #joinGroup}: IP_DROP_MEMBERSHIP or IPV6_LEAVE_GROUP. */
    public void leaveGroup(java.net.InetAddress group, java.net.NetworkInterface nif) throws IOException {
        membership(group, nif, false);
    }

    /**
     * Joins a source-specific IPv4 group (only {@code source}'s packets), IP_ADD_SOURCE_MEMBERSHIP
     * (struct ip_mreq_source; the interface is named by its first IPv4 address, or the kernel's
     * choice when {@code nif} is null), ip(7).
     */
    public void joinSourceGroup(java.net.Inet4Address group, java.net.Inet4Address source,
                                java.net.NetworkInterface nif) throws IOException {
        sourceMembership(group, source, nif, true);
    }

    /** Leaves a source-specific group, IP_DROP_SOURCE_MEMBERSHIP, ip(7). */
    public void leaveSourceGroup(java.net.Inet4Address group, java.net.Inet4Address source,
                                 java.net.NetworkInterface nif) throws IOException {
        sourceMembership(group, source, nif, false);
    }

    private void membership(java.net.InetAddress group, java.net.NetworkInterface nif, boolean join) throws IOException {
        Objects.requireNonNull(group, "group");
        if (!group.isMulticastAddress()) throw new IllegalArgumentException(group + " is not a multicast address");
        int ifindex = nif == null ? 0 : Options.interfaceIndex(nif, join ? "joinGroup" : "leaveGroup");
        String call;
        int r;
        acquire("setsockopt", null);
        try {
            if (group instanceof java.net.Inet4Address) {
                if (!family.equals(Family.INET)) throw new IllegalArgumentException("IPv4 group " + group + " on an " + family + " socket");
                call = join ? "setsockopt(IP_ADD_MEMBERSHIP)" : "setsockopt(IP_DROP_MEMBERSHIP)";
                r = Syscalls.setsockopt(fd.fd, SOL_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
                        io.ffsock.internal.sys.OptionValues.ipMreqn(group.getAddress(), null, ifindex));
            } else {
                if (!family.equals(Family.INET6)) throw new IllegalArgumentException("IPv6 group " + group + " on an " + family + " socket");
                call = join ? "setsockopt(IPV6_JOIN_GROUP)" : "setsockopt(IPV6_LEAVE_GROUP)";
                r = Syscalls.setsockopt(fd.fd, SOL_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP,
                        io.ffsock.internal.sys.OptionValues.ipv6Mreq(group.getAddress(), ifindex));
            }
            if (r < 0) throw Errors.of(call, -r, group.getHostAddress() + (nif == null ? "" : " on " + nif.getName()));
        } finally {
            release();
        }
    }

    private void sourceMembership(java.net.Inet4Address group, java.net.Inet4Address source,
                                  java.net.NetworkInterface nif, boolean join) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(source, "source");
        if (!group.isMulticastAddress()) throw new IllegalArgumentException(group + " is not a multicast address");
        if (!family.equals(Family.INET)) throw new IllegalArgumentException("IPv4 group " + group + " on an " + family + " socket");
        byte[] ifaddr = null;
        if (nif != null) {
            ifaddr = nif.inetAddresses().filter(a -> a instanceof java.net.Inet4Address).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("interface " + nif.getName() + " has no IPv4 address"))
                    .getAddress();
        }
        String call = join ? "setsockopt(IP_ADD_SOURCE_MEMBERSHIP)" : "setsockopt(IP_DROP_SOURCE_MEMBERSHIP)";
        acquire(call, null);
        try {
            int r = Syscalls.setsockopt(fd.fd, SOL_IP, join ? IP_ADD_SOURCE_MEMBERSHIP : IP_DROP_SOURCE_MEMBERSHIP,
                    io.ffsock.internal.sys.OptionValues.ipMreqSource(group.getAddress(), ifaddr, source.getAddress()));
            if (r < 0) throw Errors.of(call, -r, group.getHostAddress() + " from " + source.getHostAddress());
        } finally {
            release();
        }
    }

    // ---- options -------------------------------------------------------------------------------

    /**
     * Reads a socket option, getsockopt(2). Accepts the JDK's {@link StandardSocketOptions} that
     * apply to sockets and {@link LinuxSocketOptions}.
     *
     * @throws UnsupportedOperationException for an option ffsock does not know
     */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        NativeOption<T> o = Options.resolve(option, family);
        acquire("getsockopt", null);
        try {
            return Options.get(fd.fd, o);
        } finally {
            release();
        }
    }

    /**
     * Sets a socket option, setsockopt(2). Note that the kernel doubles SO_RCVBUF and SO_SNDBUF
     * (socket(7)); reading them back shows the doubled value.
     *
     * @throws UnsupportedOperationException for an unknown or read-only option
     * @throws IllegalArgumentException      for a null or out-of-range value
     */
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        NativeOption<T> o = Options.resolve(option, family);
        if (o.readOnly()) throw new UnsupportedOperationException(o.name() + " is read-only");
        Objects.requireNonNull(value, () -> "value of " + o.name());
        acquire("setsockopt", null);
        try {
            Options.set(fd.fd, o, value);
        } finally {
            release();
        }
    }

    // ---- timeouts per direction (issue 15) -----------------------------------------------------

    /**
     * Sets the read timeout, as {@code SO_TIMEOUT} in {@link java.net.Socket}: a receiving call
     * ({@link #read}, recv*, recvMsg, recvBatch, {@link #accept}, the {@link #inputStream()}) that
     * waits longer than {@code timeout} throws {@link SocketTimeoutException}; nothing is
     * received, and the socket stays usable. {@code null} removes it, and then the socket timeout
     * ({@link #setTimeout}) applies to receiving calls again.
     *
     * <p>How the timeouts combine: a timeout of zero ({@link #setTimeout}{@code (ZERO)},
     * non-blocking) wins over both; otherwise a receiving call waits at most the read timeout if
     * one is set, else the socket timeout, and a sending call the write timeout if one is set,
     * else the socket timeout. No system call: the wait is done with MSG_DONTWAIT and poll(2) (a
     * platform thread) or the poller (a virtual thread); a blocking accept with a read timeout
     * sets O_NONBLOCK on the fd for good (see the class comment).
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative (use
     *         {@code setTimeout(Duration.ZERO)} for a non-blocking socket)
     */
    public void setReadTimeout(Duration timeout) throws IOException {
        long nanos = directionTimeout(timeout, "setReadTimeout");
        acquire("setReadTimeout", null);
        release();
        readTimeoutNanos = nanos;
    }

    /** The read timeout set by {@link #setReadTimeout}; empty when none is set. */
    public Optional<Duration> getReadTimeout() {
        long t = readTimeoutNanos;
        return t < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(t));
    }

    /**
     * Sets the write timeout: a sending call (send*, {@link #write}, sendMsg, sendBatch, the
     * {@link #outputStream()}) that waits longer for room in the send buffer throws
     * {@link SocketTimeoutException}. A compound send ({@link #sendAll}, a blocking
     * {@link #write}, a stream write) has one deadline for the whole operation, and the
     * exception's {@code bytesTransferred} says how many bytes went before it. {@code null}
     * removes it. How it combines with the other timeouts: see {@link #setReadTimeout}.
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public void setWriteTimeout(Duration timeout) throws IOException {
        long nanos = directionTimeout(timeout, "setWriteTimeout");
        acquire("setWriteTimeout", null);
        release();
        writeTimeoutNanos = nanos;
    }

    /** The write timeout set by {@link #setWriteTimeout}; empty when none is set. */
    public Optional<Duration> getWriteTimeout() {
        long t = writeTimeoutNanos;
        return t < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(t));
    }

    private static long directionTimeout(Duration timeout, String call) {
        if (timeout == null) return -1;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(call + ": timeout must be positive (null removes it), not " + timeout);
        }
        return saturatedNanos(timeout);
    }

    /**
     * The wait a call in one direction is allowed, in the form of {@link #timeoutNanos}:
     * {@code events} with POLLOUT is a send, anything else a receive.
     */
    private long waitNanos(int events) {
        long t = timeoutNanos;
        if (t == 0) return 0;
        long d = (events & POLLOUT) != 0 ? writeTimeoutNanos : readTimeoutNanos;
        return d > 0 ? d : t;
    }

    /**
     * Connects to {@code address} waiting at most {@code timeout}, whatever the socket's timeout:
     * compound, connect(2), then poll(2) and getsockopt(SO_ERROR) while it is in progress (an
     * AF_UNIX listener with a full backlog is retried until the deadline). A connect that does
     * not complete in time throws {@link SocketTimeoutException}. On a blocking socket a
     * platform thread sets O_NONBLOCK for this call only and clears it again (fcntl(2)); a
     * virtual thread leaves it set, as its blocking connect does. {@code null} waits as
     * {@link #connect(SocketAddress)} does.
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public void connect(SocketAddress address, Duration timeout) throws IOException {
        long nanos = timeout == null ? timeoutNanos : directionTimeout(timeout, "connect");
        int errno = connect(address, true, nanos);
        if (errno != 0) throw Errors.of("connect", errno, address);
    }

    /**
     * A platform thread's connect with a timeout on a blocking fd: O_NONBLOCK for this call only,
     * so that later calls still block in the kernel (the fast path for a platform thread).
     * Returns whether {@link #blockingAgain} must undo it.
     */
    private boolean nonBlockingForThisCall() throws IOException {
        synchronized (fd) {
            if (forcedNonBlocking || timeoutNanos >= 0) return false;
            setNonBlocking(true);
            return true;
        }
    }

    /** Undoes {@link #nonBlockingForThisCall}, unless the socket became non-blocking meanwhile. */
    private void blockingAgain() throws IOException {
        synchronized (fd) {
            if (!forcedNonBlocking && timeoutNanos < 0 && !fd.isClosed()) setNonBlocking(false);
        }
    }

    // ---- channel and stream views (issue 15) ---------------------------------------------------

    /** Whether the socket is open ({@link java.nio.channels.Channel}): {@code !isClosed()}. */
    @Override
    public boolean isOpen() {
        return !fd.isClosed();
    }

    /** Whether {@link #shutdown} succeeded for reading (READ or BOTH) on this socket. */
    public boolean isInputShutdown() {
        return inputShut;
    }

    /** Whether {@link #shutdown} succeeded for writing (WRITE or BOTH) on this socket. */
    public boolean isOutputShutdown() {
        return outputShut;
    }

    /**
     * The bytes that can be received without waiting, ioctl(2) FIONREAD (unix(7), tcp(7)): on a
     * stream, the bytes queued; on a datagram or seqpacket socket, the size of the next message.
     */
    public int bytesAvailable() throws IOException {
        acquire("ioctl(FIONREAD)", null);
        try {
            int queued = Syscalls.ioctlInt(fd.fd, FIONREAD);
            if (queued < 0) throw Errors.of("ioctl(FIONREAD)", -queued, describeLocal());
            return queued;
        } finally {
            release();
        }
    }

    /**
     * Reads into {@code dst}'s remaining space ({@link java.nio.channels.ReadableByteChannel}),
     * recv(2); the position moves by the bytes stored. On a STREAM socket: -1 at end of stream
     * and after {@code shutdown(READ)}; 0 when the socket is non-blocking (timeout zero) and
     * nothing is queued, or when {@code dst} is full. On other types the result is the
     * message's length (0: an empty message). Waits as the read timeout or the socket's timeout
     * says ({@link SocketTimeoutException}, nothing received).
     *
     * @throws java.nio.channels.ClosedChannelException if the socket is closed
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        requireBuffer(dst, "read");
        requireWritable(dst, "read");
        if (fd.isClosed()) throw Errors.closed("recv", null);
        if (inputShut && type.equals(SocketType.STREAM)) return -1;
        if (!dst.hasRemaining()) return 0;
        long n = receiveSome(Syscalls.segment(dst));
        if (n == WOULD_BLOCK) return 0;
        if (n == 0 && type.equals(SocketType.STREAM)) return -1;
        dst.position(dst.position() + (int) n);
        return (int) n;
    }

    /** Scattering read, recvmsg(2); see {@link #read(ByteBuffer[], int, int)}. */
    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, 0, Objects.requireNonNull(dsts, "read: buffers is null").length);
    }

    /**
     * Scattering read ({@link ScatteringByteChannel}), recvmsg(2): fills
     * {@code dsts[offset, offset+length)} in order, as {@link #read(ByteBuffer)} says (-1 at end of
     * stream, 0 when non-blocking and nothing is queued). At most 64 buffers take part in one call.
     */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.requireNonNull(dsts, "read: buffers is null");
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ByteBuffer[] bufs = Arrays.copyOfRange(dsts, offset, offset + Math.min(length, Syscalls.MAX_IOV));
        long room = 0;
        for (ByteBuffer b : bufs) {
            requireBuffer(b, "read");
            requireWritable(b, "read");
            room += b.remaining();
        }
        if (fd.isClosed()) throw Errors.closed("recvmsg", null);
        if (inputShut && type.equals(SocketType.STREAM)) return -1;
        if (room == 0) return 0;
        acquire("recvmsg", null);
        boolean waits = beginWait(0);
        try {
            long deadline = deadline(POLLIN);
            for (;;) {
                int token = Readiness.token(fd, POLLIN);
                long r = Syscalls.recvmsg(fd.fd, bufs, 0, callFlags(MSG_CMSG_CLOEXEC, POLLIN));
                if (fd.isClosed()) throw Errors.closedDuringCall("recvmsg", describeLocal());
                if (r > 0) {
                    advance(bufs, r);
                    return r;
                }
                if (r == 0) return type.equals(SocketType.STREAM) ? -1 : 0;
                if (r == -EAGAIN && timeoutNanos == 0) return 0;
                onFailure((int) -r, POLLIN, token, deadline, "recvmsg", null);
            }
        } finally {
            endWait(waits, "recvmsg", null);
        }
    }

    /**
     * Writes {@code src}'s remaining bytes ({@link java.nio.channels.WritableByteChannel}), send(2)
     * with MSG_NOSIGNAL; the position moves past what was sent. A blocking socket (no timeout,
     * or a timeout above zero) writes every byte before it returns, as the JDK's blocking
     * SocketChannel does: compound, send(2) until all is out, one deadline (the write timeout or
     * the socket's timeout) for the whole write; a {@link SocketTimeoutException} says in
     * {@code bytesTransferred} how many went. A non-blocking socket makes one send and may write
     * some bytes or none (0).
     *
     * @throws java.nio.channels.ClosedChannelException if the socket is closed or (with a message
     *         saying so) its output was shut down
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        requireBuffer(src, "write");
        requireOutput("send");
        int start = src.position();
        if (timeoutNanos == 0) {
            long n = sendSome(Syscalls.segment(src));
            if (n == WOULD_BLOCK) return 0;
            src.position(start + (int) n);
            return (int) n;
        }
        sendAll(src);
        return src.position() - start;
    }

    /** Gathering write, sendmsg(2); see {@link #write(ByteBuffer[], int, int)}. */
    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, Objects.requireNonNull(srcs, "write: buffers is null").length);
    }

    /**
     * Gathering write ({@link GatheringByteChannel}), sendmsg(2) with MSG_NOSIGNAL: sends the
     * remaining bytes of {@code srcs[offset, offset+length)} in order, as
     * {@link #write(ByteBuffer)} says (blocking: all of them, compound; non-blocking: one call, up
     * to 64 buffers, maybe partial).
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.requireNonNull(srcs, "write: buffers is null");
        Objects.checkFromIndexSize(offset, length, srcs.length);
        for (int i = offset; i < offset + length; i++) requireBuffer(srcs[i], "write");
        requireOutput("sendmsg");
        long total = 0;
        int first = offset;
        int end = offset + length;
        acquire("sendmsg", null);
        boolean waits = beginWait(0);
        try {
            long deadline = deadline(POLLOUT);
            for (;;) {
                while (first < end && !srcs[first].hasRemaining()) first++;
                if (first == end) return total;
                ByteBuffer[] bufs = Arrays.copyOfRange(srcs, first, Math.min(end, first + Syscalls.MAX_IOV));
                int token = Readiness.token(fd, POLLOUT);
                long r = Syscalls.sendmsg(fd.fd, bufs, java.util.List.of(), null, callFlags(MSG_NOSIGNAL, POLLOUT));
                if (fd.isClosed()) throw Errors.closedDuringCall("sendmsg", describePeer());
                if (r >= 0) {
                    advance(bufs, r);
                    total += r;
                    if (timeoutNanos == 0) return total;
                    continue;
                }
                if (r == -EAGAIN && timeoutNanos == 0) return total;
                try {
                    onFailure((int) -r, POLLOUT, token, deadline, "sendmsg", null);
                } catch (SocketTimeoutException e) {
                    e.bytesTransferred = (int) Math.min(total, Integer.MAX_VALUE);
                    throw e;
                }
            }
        } finally {
            endWait(waits, "sendmsg", null);
        }
    }

    /**
     * The input stream of this socket, with the contract of {@link java.net.Socket}'s: a read
     * blocks until at least one byte is there (as the read timeout or socket timeout allows:
     * {@link SocketTimeoutException}, nothing lost, the stream stays usable) and returns -1 at
     * end of stream and after {@code shutdown(READ)}; {@code available()} is FIONREAD (0 after
     * {@code shutdown(READ)}); {@code close()} closes the socket; on a closed socket reads throw
     * {@link java.net.SocketException}. A non-blocking socket (timeout zero) refuses to read
     * with {@link java.nio.channels.IllegalBlockingModeException}. {@code read(byte[], int, int)}
     * allocates nothing. The same object on every call.
     */
    public java.io.InputStream inputStream() {
        SocketInputStream s = inputStream;
        if (s == null) {
            synchronized (this) {
                s = inputStream;
                if (s == null) inputStream = s = new SocketInputStream(this);
            }
        }
        return s;
    }

    /**
     * The output stream of this socket, with the contract of {@link java.net.Socket}'s: a write
     * sends every byte ({@link #sendAll}, as the write timeout or socket timeout allows:
     * {@link SocketTimeoutException} with {@code bytesTransferred}); after {@code shutdown(WRITE)}
     * and on a closed socket it throws {@link java.net.SocketException} saying which;
     * {@code flush()} does nothing (nothing is buffered); {@code close()} closes the socket. A
     * non-blocking socket refuses with {@link java.nio.channels.IllegalBlockingModeException}.
     * The same object on every call.
     */
    public java.io.OutputStream outputStream() {
        SocketOutputStream s = outputStream;
        if (s == null) {
            synchronized (this) {
                s = outputStream;
                if (s == null) outputStream = s = new SocketOutputStream(this);
            }
        }
        return s;
    }

    /** For {@link SocketInputStream}: one read of at least one byte, -1 at end of stream. */
    int streamRead(byte[] b, int off, int len) throws IOException {
        if (fd.isClosed()) throw streamClosed(Errors.closed("recv", null));
        if (inputShut) return -1;
        if (timeoutNanos == 0) throw new java.nio.channels.IllegalBlockingModeException();
        long n;
        try {
            n = receiveSome(null, b, off, len); // no segment: any window of the array allocates nothing
        } catch (java.nio.channels.ClosedChannelException e) {
            throw streamClosed(e);
        }
        if (n == WOULD_BLOCK) return 0; // the timeout was set to zero during the call
        return n == 0 ? -1 : (int) n;
    }

    /** For {@link SocketInputStream}: FIONREAD, 0 after shutdown(READ). */
    int streamAvailable() throws IOException {
        if (fd.isClosed()) throw streamClosed(Errors.closed("ioctl(FIONREAD)", null));
        if (inputShut) return 0;
        try {
            return bytesAvailable();
        } catch (java.nio.channels.ClosedChannelException e) {
            throw streamClosed(e);
        }
    }

    /** For {@link SocketOutputStream}: sends all of {@code b[off, off+len)}. */
    void streamWrite(byte[] b, int off, int len) throws IOException {
        if (fd.isClosed()) throw streamClosed(Errors.closed("send", null));
        if (outputShut) throw new java.net.SocketException("send: socket output is shut down (shutdownOutput)");
        if (timeoutNanos == 0) throw new java.nio.channels.IllegalBlockingModeException();
        try {
            sendAll(b, off, len);
        } catch (java.nio.channels.ClosedChannelException e) {
            throw streamClosed(e);
        }
    }

    /** java.net.Socket's streams say SocketException for a closed socket, not ClosedChannelException. */
    private static java.net.SocketException streamClosed(java.nio.channels.ClosedChannelException e) {
        java.net.SocketException s = new java.net.SocketException(e.getMessage());
        s.initCause(e);
        return s;
    }

    private void requireOutput(String call) throws IOException {
        if (fd.isClosed()) throw Errors.closed(call, null);
        if (outputShut) throw Errors.closed(call, null, "socket output was shut down (shutdown WRITE); the socket");
    }

    /** What {@link #receiveSome} and {@link #sendSome} return when a non-blocking call would block. */
    private static final long WOULD_BLOCK = -1;

    /**
     * recv(2) into {@code data}, waiting as the timeouts say; {@link #WOULD_BLOCK} instead of EAGAIN
     * when the socket is non-blocking (the channel and stream contracts return 0 there).
     */
    private long receiveSome(MemorySegment data) throws IOException {
        return receiveSome(data, null, 0, 0);
    }

    /** As above, into {@code array[off, off+len)} instead when {@code array} is not null (no heap segment made). */
    private long receiveSome(MemorySegment data, byte[] array, int off, int len) throws IOException {
        acquire("recv", null);
        boolean waits = beginWait(0);
        try {
            long deadline = deadline(POLLIN);
            for (;;) {
                boolean mayBlock = mayBlock(0, POLLIN);
                int token = Readiness.token(fd, POLLIN);
                int flags = callFlags(0, POLLIN);
                long r = array != null ? Syscalls.recv(fd.fd, array, off, len, flags, mayBlock) : Syscalls.recv(fd.fd, data, flags, mayBlock);
                if (fd.isClosed()) throw Errors.closedDuringCall("recv", describeLocal());
                if (r >= 0) return r;
                if (r == -EAGAIN && timeoutNanos == 0) return WOULD_BLOCK;
                onFailure((int) -r, POLLIN, token, deadline, "recv", null);
            }
        } finally {
            endWait(waits, "recv", null);
        }
    }

    /** One send(2) on a non-blocking socket; {@link #WOULD_BLOCK} instead of EAGAIN. */
    private long sendSome(MemorySegment data) throws IOException {
        acquire("send", null);
        try {
            for (;;) {
                long r = Syscalls.send(fd.fd, data, MSG_NOSIGNAL | MSG_DONTWAIT, false);
                if (fd.isClosed()) throw Errors.closedDuringCall("send", describePeer());
                if (r >= 0) return r;
                if (r == -EAGAIN) return WOULD_BLOCK;
                if (r != -EINTR) throw Errors.of("send", (int) -r, where(null));
            }
        } finally {
            release();
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    private void acquire(String call, Object address) throws IOException {
        if (!fd.tryAcquire()) throw Errors.closed(call, address);
    }

    private void release() {
        fd.release();
        Reference.reachabilityFence(this); // the Cleaner must not close the fd during a call
    }

    /** The deadline of a call that may wait for {@code events} (POLLOUT: a send; else a receive). */
    private long deadline(int events) {
        return deadlineAfter(waitNanos(events));
    }

    private static long deadlineAfter(long t) {
        if (t <= 0) return 0;
        long d = System.nanoTime() + t;
        return d == 0 ? 1 : d; // 0 means "no deadline"
    }

    /**
     * Before a call that may wait (not with timeout zero, not with MSG_DONTWAIT): from here until
     * {@link #endWait}, {@link Thread#interrupt()} closes the socket and wakes the call, which then
     * throws {@link ClosedByInterruptException} (as the JDK's InterruptibleChannel). A thread that
     * is already interrupted closes the socket here.
     */
    private boolean beginWait(int flags) {
        if (timeoutNanos == 0 || (flags & MSG_DONTWAIT) != 0) return false;
        // A virtual thread never blocks in the kernel: it waits in the poller, whose wait an
        // interrupt ends (Poller.await), and then interrupted() closes the socket. So it needs the
        // bracket (two monitor round trips on the thread) only to close at once when already
        // interrupted. A platform thread blocks in recv(2) or poll(2), which only the bracket's
        // close can wake.
        Thread me = Thread.currentThread();
        if (me.isVirtual() && !me.isInterrupted()) return false;
        interruptor.enter();
        return true;
    }

    /** Ends what {@link #acquire} and {@link #beginWait} began. */
    private void endWait(boolean waited, String call, Object address) throws IOException {
        try {
            if (waited) interruptor.exit();
        } catch (ClosedByInterruptException e) {
            throw Errors.closedByInterrupt(call, address);
        } finally {
            release();
        }
    }

    /** A wait ended by an interrupt: close, as an interrupt does, and say so. */
    private IOException interrupted(String call, Object address) {
        fd.close();
        return Errors.closedByInterrupt(call, address);
    }

    /** Whether this call may block in the kernel (then heap data is copied, never pinned). */
    private boolean mayBlock(int flags, int events) {
        return waitNanos(events) < 0 && (flags & MSG_DONTWAIT) == 0 && !forcedNonBlocking
                && !Readiness.parks();
    }

    /** A virtual thread never blocks in the kernel: it waits in {@link Readiness} instead. */
    private int callFlags(int flags, int events) {
        long t = waitNanos(events);
        // A read or write timeout on a blocking fd: this call must not block in the kernel either.
        return (t < 0 ? Readiness.parks() : timeoutNanos < 0) ? flags | MSG_DONTWAIT : flags;
    }

    /**
     * As below, for a call made with the caller's {@code flags}: with MSG_DONTWAIT, EAGAIN is the
     * answer (a {@link SyscallException}), whatever the socket's timeout; it is never waited for.
     */
    private void onFailure(int errno, int flags, int events, int token, long deadline, String call, Object address)
            throws IOException {
        if (errno == EAGAIN && (flags & MSG_DONTWAIT) != 0) throw Errors.of(call, errno, where(address));
        onFailure(errno, events, token, deadline, call, address);
    }

    /**
     * After a call failed with {@code errno}: returns if the call should be tried again (EINTR, or
     * EAGAIN once the fd is ready), else throws.
     */
    private void onFailure(int errno, int events, int token, long deadline, String call, Object address) throws IOException {
        if (errno == EINTR) return;
        if (errno == EAGAIN) {
            long t = waitNanos(events);
            if (t == 0) throw Errors.of(call, errno, where(address));
            if (t < 0 && !Readiness.parks() && !forcedNonBlocking) {
                // A blocking fd said EAGAIN: the kernel's SO_RCVTIMEO/SO_SNDTIMEO expired.
                throw new SocketTimeoutException(call + "(" + where(address) + "): timed out (SO_RCVTIMEO/SO_SNDTIMEO)");
            }
            int w = Readiness.await(fd, events, token, deadline);
            if (w == Readiness.TIMED_OUT) throw Errors.timeout(call, where(address), t);
            if (w == Readiness.INTERRUPTED) throw interrupted(call, address);
            return;
        }
        throw Errors.of(call, errno, where(address));
    }

    private Object where(Object address) {
        if (address != null) return address;
        Object peer = describePeer();
        return peer != null ? peer : describeLocal();
    }

    /** The peer's address for a message, or null; never throws (used while reporting errors). */
    private Object describePeer() {
        if (fd.isClosed()) return null;
        int r = Syscalls.getpeername(fd.fd);
        if (r < 0) return null;
        SocketAddress a = Addresses.fromKernel(Syscalls.lastAddress());
        // an unnamed peer (socketpair, unbound client) says nothing: fall back to the local side
        return a instanceof UnixAddress u && u.kind() == UnixAddress.Kind.UNNAMED ? null : a;
    }

    /** The local address for a message, or "fd N"; never throws. */
    private Object describeLocal() {
        if (!fd.isClosed()) {
            int r = Syscalls.getsockname(fd.fd);
            if (r >= 0) {
                SocketAddress a = shown(Addresses.fromKernel(Syscalls.lastAddress()));
                if (a != null && !(a instanceof UnixAddress u && u.kind() == UnixAddress.Kind.UNNAMED)) return a;
            }
        }
        return "fd " + fd.fd;
    }

    /** {@code Socket[fd=5 AF_UNIX SOCK_STREAM]}, with {@code closed} once closed. */
    @Override
    public String toString() {
        return "Socket[fd=" + fd.fd + " " + family + " " + type
                + (protocol.value() != 0 ? " " + protocol : "") + (fd.isClosed() ? " closed" : "") + "]";
    }
}
