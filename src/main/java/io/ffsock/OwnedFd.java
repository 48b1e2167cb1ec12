package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An open file descriptor that this object owns: received over SCM_RIGHTS, inherited, or
 * adopted. Closing it closes the fd (idempotent); one that becomes unreachable unclosed is closed
 * by a {@link Cleaner}. Received fds always arrive with FD_CLOEXEC set (MSG_CMSG_CLOEXEC).
 *
 * <p>{@link #read} and {@link #write} use the fd itself (read(2); write(2), or send(2) with
 * MSG_NOSIGNAL on a socket: a write never raises SIGPIPE). {@link #reopen}
 * gives a {@link FileChannel} for a file, through {@code /proc/self/fd}; a socket becomes a
 * {@link Socket} with {@link #toSocket()}.
 */
public final class OwnedFd implements FdOwner {
    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
    }

    private static final Cleaner CLEANER = Cleaner.create();
    private final FdLife life;
    private final Cleaner.Cleanable cleanable;

    private OwnedFd(int fd) {
        this(new FdLife(fd, false));
    }

    private OwnedFd(FdLife life) {
        this.life = life;
        this.cleanable = CLEANER.register(this, life);
    }

    /**
     * Takes ownership of {@code fd}, an fd number this process has open (inherited from a parent,
     * or passed by native code). From now on only this object may close it. As with
     * {@link Socket#adopt}, a number that a live ffsock object already owns is refused: adopting
     * the same fd twice gives one owner and then an {@link IllegalStateException}.
     *
     * @throws IllegalArgumentException if the number is negative
     * @throws SyscallException         with EBADF if no such fd is open
     * @throws IllegalStateException    if a live ffsock object owns the fd (the message names it)
     */
    public static OwnedFd adopt(int fd) throws IOException {
        if (fd < 0) throw new IllegalArgumentException("adopt: negative fd " + fd);
        int r = Syscalls.fcntl(fd, F_GETFD, 0);
        if (r < 0) throw Errors.of("fcntl(" + fd + ", F_GETFD)", -r, null);
        return new OwnedFd(FdLife.adopted(fd, "adopt", false, null, null));
    }

    /**
     * A new owned fd for the same open file as {@code fd}, fcntl(2) F_DUPFD_CLOEXEC; {@code fd}
     * itself is left as it is, to whoever owns it (ffsock or not). For handing an fd this code
     * does not own to a call that takes an {@link FdOwner}, such as {@link ControlMessage#rights}.
     *
     * @throws IllegalArgumentException if the number is negative
     * @throws SyscallException         with EBADF if no such fd is open, EMFILE at the fd limit
     */
    public static OwnedFd duplicate(int fd) throws IOException {
        if (fd < 0) throw new IllegalArgumentException("duplicate: negative fd " + fd);
        int r = Syscalls.fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (r < 0) throw Errors.of("fcntl(F_DUPFD_CLOEXEC)", -r, "fd " + fd);
        return new OwnedFd(r);
    }

    /**
     * Opens a file, open(2) with O_CLOEXEC: for passing it to another process over SCM_RIGHTS,
     * or reading and writing it here. Options: READ (default), WRITE, APPEND, CREATE (mode 0600),
     * CREATE_NEW, TRUNCATE_EXISTING.
     */
    public static OwnedFd open(Path path, java.nio.file.StandardOpenOption... options) throws IOException {
        java.util.Set<java.nio.file.StandardOpenOption> o = java.util.Set.of(options);
        boolean write = o.contains(java.nio.file.StandardOpenOption.WRITE) || o.contains(java.nio.file.StandardOpenOption.APPEND);
        boolean read = o.contains(java.nio.file.StandardOpenOption.READ) || !write;
        int flags = O_CLOEXEC | (read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY);
        for (java.nio.file.StandardOpenOption x : o) {
            switch (x) {
                case READ, WRITE -> { }
                case APPEND -> flags |= O_APPEND;
                case CREATE -> flags |= O_CREAT;
                case CREATE_NEW -> flags |= O_CREAT | O_EXCL;
                case TRUNCATE_EXISTING -> flags |= O_TRUNC;
                default -> throw new IllegalArgumentException("open: option " + x + " is not supported");
            }
        }
        String p = path.toString();
        if (p.indexOf('\0') >= 0) throw new IllegalArgumentException("open: path holds a NUL byte");
        int r = Syscalls.open(p, flags, 0600);
        if (r < 0) throw Errors.of("open", -r, p);
        return new OwnedFd(r);
    }

    /** A pipe, pipe2(2) with O_CLOEXEC: element 0 is the read end, 1 the write end. */
    public static OwnedFd[] pipe() throws IOException {
        int[] fds = new int[2];
        int r = Syscalls.pipe2(fds, O_CLOEXEC);
        if (r < 0) throw Errors.of("pipe2", -r, null);
        return new OwnedFd[] {new OwnedFd(fds[0]), new OwnedFd(fds[1])};
    }

    static OwnedFd received(int fd) {
        return new OwnedFd(fd);
    }

    FdLife life() {
        return life;
    }

    static FdLife lifeOf(FdOwner o) {
        return o instanceof Socket s ? s.life() : ((OwnedFd) o).life;
    }

    /** The fd number, or -1 once this object is closed (or {@link #toSocket()} took the fd). */
    @Override
    public int fdNumber() {
        return life.isClosed() ? -1 : life.fd;
    }

    /** Whether {@link #close()} has been called (or {@link #toSocket()} took the fd). */
    public boolean isClosed() {
        return life.isClosed();
    }

    /** Whether the fd is a socket (getsockopt SO_TYPE succeeds rather than ENOTSOCK). */
    public boolean isSocket() throws IOException {
        acquire("getsockopt(SO_TYPE)");
        try {
            long r = Syscalls.getsockoptInt(life.fd, SOL_SOCKET, SO_TYPE);
            if (r == -ENOTSOCK) return false;
            if (r < 0) throw Errors.of("getsockopt(SO_TYPE)", (int) -r, "fd " + life.fd);
            return true;
        } finally {
            release();
        }
    }

    /**
     * Turns this fd into a {@link Socket}, asking the kernel its family, type and protocol
     * (SO_DOMAIN, SO_TYPE, SO_PROTOCOL). The Socket owns the fd from then on and this object is
     * closed without closing it.
     *
     * @throws SyscallException with ENOTSOCK if the fd is not a socket (this object stays open)
     */
    public Socket toSocket() throws IOException {
        acquire("toSocket");
        try {
            long r = Syscalls.getsockoptInt(life.fd, SOL_SOCKET, SO_DOMAIN);
            if (r < 0) throw Errors.of("getsockopt(SO_DOMAIN)", (int) -r, "fd " + life.fd);
        } finally {
            release();
        }
        if (!life.detach()) {
            throw new IllegalStateException("toSocket: fd " + life.fd + " is in use by another thread");
        }
        cleanable.clean(); // detached: the cleaner's close is now a no-op
        try {
            return Socket.adoptNumber(life.fd, life); // the fd's registration moves to the Socket
        } catch (IOException | RuntimeException e) {
            life.closeDetached(); // no one owns it any more: close rather than leak it
            throw e;
        }
    }

    /**
     * Gives up ownership and returns the fd number, which the caller must close from now on; this
     * object becomes closed without closing the fd (not a system call). For handing a received fd
     * to an API that takes bare numbers, such as dbus-java's {@code FileDescriptor}.
     *
     * @throws IllegalStateException if the fd is closed or in use by a call in another thread
     */
    public int takeNumber() {
        int number = life.fd;
        if (!life.detach()) {
            throw new IllegalStateException("takeNumber: fd " + number + " is closed or in use by another thread");
        }
        life.unregister(); // the number leaves ffsock: adopting it again is allowed
        cleanable.clean(); // detached: the cleaner's close is now a no-op
        return number;
    }

    /** read(2) into {@code buffer[offset, offset+length)}; returns the bytes read, 0 at end of file. */
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Objects.requireNonNull(buffer, "read: buffer is null");
        Objects.checkFromIndexSize(offset, length, buffer.length);
        acquire("read");
        try {
            for (;;) {
                long r = Syscalls.read(life.fd, buffer, offset, length);
                if (r >= 0) return (int) r;
                if (r != -EINTR) throw Errors.of("read", (int) -r, "fd " + life.fd);
            }
        } finally {
            release();
        }
    }

    /**
     * Writes {@code data[offset, offset+length)}; returns the bytes written. Never raises SIGPIPE,
     * even where SIGPIPE is at its default action (which would end the process): to a socket this
     * is send(2) with MSG_NOSIGNAL (write(2) with that flag), to anything else write(2) with
     * SIGPIPE blocked in the calling thread for the call, the signal it raised taken back and the
     * thread's mask restored (pthread_sigmask(3), sigtimedwait(2): four more system calls). A
     * write to a socket whose peer is gone or a pipe whose read end is closed fails with EPIPE.
     * Whether the fd is a socket is learnt by the first write (send(2) says ENOTSOCK otherwise).
     *
     * @throws SyscallException naming {@code send} or {@code write}, the errno and the fd
     */
    public int write(byte[] data, int offset, int length) throws IOException {
        Objects.requireNonNull(data, "write: buffer is null");
        Objects.checkFromIndexSize(offset, length, data.length);
        acquire("write");
        try {
            for (;;) {
                boolean socket = kind != NOT_A_SOCKET;
                long r = socket
                        ? Syscalls.send(life.fd, data, offset, length, MSG_NOSIGNAL, true)
                        : Syscalls.writeNoSignal(life.fd, data, offset, length);
                if (r == -ENOTSOCK && socket) {
                    kind = NOT_A_SOCKET;
                    continue;
                }
                if (socket) kind = SOCKET;
                if (r >= 0) return (int) r;
                if (r != -EINTR) throw Errors.of(socket ? "send" : "write", (int) -r, "fd " + life.fd);
            }
        } finally {
            release();
        }
    }

    private static final byte UNKNOWN = 0;
    private static final byte SOCKET = 1;
    private static final byte NOT_A_SOCKET = 2;
    /**
     * What {@link #write} learnt the fd to be. An fd number keeps its open file while this object
     * owns it, so the answer never changes; threads that race to learn it learn the same.
     */
    private byte kind = UNKNOWN;

    /**
     * Opens the file this fd refers to again, as a {@link FileChannel}, through
     * {@code /proc/self/fd/N}. Compound, and not the same open file description: the channel has
     * its own offset and flags. Works for files, pipes and FIFOs; not for sockets. The channel
     * writes with the JDK's plain write(2): where SIGPIPE is at its default action, its write to a
     * pipe whose read end is closed ends the process; {@link #write} cannot.
     */
    public FileChannel reopen(OpenOption... options) throws IOException {
        acquire("reopen");
        try {
            return FileChannel.open(Path.of("/proc/self/fd/" + life.fd), options);
        } finally {
            release();
        }
    }

    /**
     * Sets whether a child process started by exec(2) inherits this fd (clears or sets
     * FD_CLOEXEC). Note that the JDK's {@link ProcessBuilder} closes every fd above 2 in the
     * child anyway; this is for native launchers. To start a child with this fd from Java, give
     * it to {@link Spawn#fd} instead, which needs no change of this flag.
     */
    public void setInheritable(boolean inheritable) throws IOException {
        acquire("fcntl(F_SETFD)");
        try {
            Fds.setCloexec(life.fd, !inheritable);
        } finally {
            release();
        }
    }

    /** Whether FD_CLOEXEC is clear, fcntl(2) F_GETFD. */
    public boolean isInheritable() throws IOException {
        acquire("fcntl(F_GETFD)");
        try {
            return !Fds.isCloexec(life.fd);
        } finally {
            release();
        }
    }

    @Override
    public void close() {
        life.close();
        cleanable.clean();
    }

    private void acquire(String call) throws IOException {
        if (!life.tryAcquire()) throw Errors.closed(call, "fd " + life.fd, "fd");
    }

    private void release() {
        life.release();
        Reference.reachabilityFence(this);
    }

    @Override
    public String toString() {
        return "OwnedFd[" + life.fd + (life.isClosed() ? " closed" : "") + "]";
    }
}
