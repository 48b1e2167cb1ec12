package io.ffsock.internal.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The system calls, one static method each, named after the libc function.
 *
 * <p>Every method returns what the C function returns when it succeeds, or {@code -errno} when it
 * fails; errno is captured at the call ({@link Linker.Option#captureCallState}) into memory owned
 * by the calling thread, so it is never read late nor shared. Turning {@code -errno} into an
 * exception is the caller's job, done in one place above this layer. Nothing here retries EINTR:
 * the caller decides, because a retried wait must shorten its timeout.
 *
 * <p>Data buffers come as native or heap {@link MemorySegment}s, {@code byte[]} slices or
 * {@link ByteBuffer}s. Heap memory reaches the kernel without a copy through a
 * {@link Linker.Option#critical critical} handle, but only when the caller says the call cannot
 * block ({@code mayBlock == false}: the fd is non-blocking, or MSG_DONTWAIT is set): a critical call
 * holds off safepoints for as long as it runs. Every critical call also carries MSG_DONTWAIT, so
 * that it cannot block even if another thread makes the fd blocking in the meantime. A call that
 * may block copies heap data through a per-thread native buffer instead.
 */
public final class Syscalls {
    private Syscalls() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final Linker.Option HEAP = Linker.Option.critical(true);
    private static final long CAPTURE_SIZE = Linker.Option.captureStateLayout().byteSize();
    private static final VarHandle ERRNO_HANDLE = Linker.Option.captureStateLayout()
            .varHandle(PathElement.groupElement("errno"));

    /** Heap data copied for a call that may block goes through at most this much native memory. */
    private static final int MAX_BOUNCE = 4 << 20;
    /** The most buffers one sendmsg/recvmsg takes (IOV_MAX on Linux is 1024; ffsock's choice is lower). */
    public static final int MAX_IOV = 64;
    /** Control space kept per thread: enough for SCM_RIGHTS with 253 fds plus credentials and a pidfd. */
    public static final int CONTROL_SPACE = 2048;
    private static final long IOV_BASE = Structs.IOVEC.byteOffset(PathElement.groupElement("iov_base"));
    private static final long IOV_LEN = Structs.IOVEC.byteOffset(PathElement.groupElement("iov_len"));

    private static final long MSG_NAME = Structs.MSGHDR.byteOffset(PathElement.groupElement("msg_name"));
    private static final long MSG_NAMELEN = Structs.MSGHDR.byteOffset(PathElement.groupElement("msg_namelen"));
    private static final long MSG_IOV = Structs.MSGHDR.byteOffset(PathElement.groupElement("msg_iov"));
    private static final long MSG_IOVLEN = Structs.MSGHDR.byteOffset(PathElement.groupElement("msg_iovlen"));
    private static final long MSG_CONTROL = Structs.MSGHDR.byteOffset(PathElement.groupElement("msg_control"));
    private static final long MSG_CONTROLLEN = Structs.MSGHDR.byteOffset(PathElement.groupElement("msg_controllen"));
    private static final long MSG_FLAGS = Structs.MSGHDR.byteOffset(PathElement.groupElement("msg_flags"));

    // ---- downcall handles, named after the C symbol --------------------------------------------

    private static final MethodHandle SOCKET = errnoHandle("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKETPAIR = errnoHandle("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle BIND = errnoHandle("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = errnoHandle("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle ACCEPT4 = errnoHandle("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle CONNECT = errnoHandle("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SEND = errnoHandle("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND_HEAP = heapHandle("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RECV = errnoHandle("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RECV_HEAP = heapHandle("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SENDTO = errnoHandle("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SENDTO_HEAP = heapHandle("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVFROM = errnoHandle("recvfrom", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle RECVFROM_HEAP = heapHandle("recvfrom", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SENDMSG = errnoHandle("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVMSG = errnoHandle("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SHUTDOWN = errnoHandle("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = errnoHandle("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle FCHMOD = errnoHandle("fchmod", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle FCHMODAT = errnoHandle("fchmodat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT = errnoHandle("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKOPT = errnoHandle("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETSOCKNAME = errnoHandle("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETPEERNAME = errnoHandle("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    // fcntl is variadic: the third argument is the first variadic one.
    private static final MethodHandle FCNTL = LINKER.downcallHandle(symbol("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = errnoHandle("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle IOCTL_INT = LINKER.downcallHandle(symbol("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO, Linker.Option.firstVariadicArg(2));
    // open is variadic: the mode is the first variadic argument.
    private static final MethodHandle OPEN = LINKER.downcallHandle(symbol("open"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PIPE2 = errnoHandle("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle EVENTFD = errnoHandle("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = errnoHandle("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = errnoHandle("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle GETRLIMIT = errnoHandle("getrlimit", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle GETUID = plainHandle("getuid", JAVA_INT);
    private static final MethodHandle GETGID = plainHandle("getgid", JAVA_INT);
    private static final MethodHandle STRERRORNAME_NP = plainHandle("strerrorname_np", ADDRESS, JAVA_INT);
    private static final MethodHandle STRERRORDESC_NP = plainHandle("strerrordesc_np", ADDRESS, JAVA_INT);

    // ---- per-thread native memory ------------------------------------------------------------

    /**
     * Native memory one thread reuses for every call, so a steady stream of calls allocates
     * nothing: the errno capture, a sockaddr_storage with its length, a small value area and a
     * bounce buffer for heap data. Freed by the GC when the thread is gone (auto arena).
     */
    static final class Scratch {
        final Arena arena = Arena.ofAuto();
        final MemorySegment errno = arena.allocate(CAPTURE_SIZE, 8);
        final MemorySegment addr = arena.allocate(Structs.SOCKADDR_STORAGE);
        final MemorySegment addrLen = arena.allocate(JAVA_INT);
        final MemorySegment value = arena.allocate(256, 8);
        final MemorySegment valueLen = arena.allocate(JAVA_INT);
        final MemorySegment msghdr = arena.allocate(Structs.MSGHDR);
        final MemorySegment iovecs = arena.allocate(Structs.IOVEC.byteSize() * MAX_IOV, 8);
        final SockAddr target = SockAddr.reusable();
        // Allocated on first use: most threads (a virtual thread per connection, say) never need
        // them, and 10,000 threads would otherwise hold 180 MB of idle native memory.
        MemorySegment control;
        MemorySegment bounce;
        SigpipeBlock sigpipe;
        int lastMsgFlags;
        long lastControlLen;

        // A few heap/buffer segments this thread made, reused while the same array slice or
        // buffer window comes back (a send/recv loop): MemorySegment.ofArray(..).asSlice(..) and
        // ofBuffer allocate, and escape analysis does not reliably remove them.
        private final Object[] segKeys = new Object[4];
        private final long[] segWindows = new long[4];
        private final MemorySegment[] segs = new MemorySegment[4];
        private int segNext;

        MemorySegment segment(byte[] a, int off, int len) {
            long window = (long) off << 32 | len;
            for (int i = 0; i < segs.length; i++) {
                if (segKeys[i] == a && segWindows[i] == window) return segs[i];
            }
            return remember(a, window, MemorySegment.ofArray(a).asSlice(off, len));
        }

        MemorySegment segment(ByteBuffer b) {
            long window = (long) b.position() << 32 | b.limit();
            for (int i = 0; i < segs.length; i++) {
                if (segKeys[i] == b && segWindows[i] == window) return segs[i];
            }
            return remember(b, window, MemorySegment.ofBuffer(b));
        }

        private MemorySegment remember(Object key, long window, MemorySegment seg) {
            int i = segNext;
            segNext = (i + 1) & (segs.length - 1);
            segKeys[i] = key;
            segWindows[i] = window;
            segs[i] = seg;
            return seg;
        }

        MemorySegment control(long size) {
            if (control == null || control.byteSize() < size) {
                control = Arena.ofAuto().allocate(Math.max(size, CONTROL_SPACE), 8);
            }
            return control;
        }

        // recvmsg into a ControlFields: a msghdr and iovec of its own, set up when the buffer
        // changes, so a receive loop writes three fields a call (a small compiled method, in which
        // C2 removes the objects the foreign call makes).
        MemorySegment infoHeader;
        MemorySegment infoData;
        MemorySegment infoBase;
        long infoRoom;
        long infoControlSpace;

        /** The msghdr for a receive of one message into {@code data} with {@code controlSpace} bytes of control data. */
        MemorySegment infoHeader(MemorySegment data, int controlSpace) {
            if (infoHeader == null) {
                infoHeader = arena.allocate(Structs.MSGHDR.byteSize() + Structs.IOVEC.byteSize(), 8);
                infoHeader.set(ADDRESS, MSG_NAME, addr);
                infoHeader.set(ADDRESS, MSG_IOV, infoHeader.asSlice(Structs.MSGHDR.byteSize()));
                infoHeader.set(JAVA_LONG, MSG_IOVLEN, 1);
            }
            MemorySegment m = infoHeader;
            if (data != infoData || (!data.isNative() && (bounce == null || bounce != infoBase))) {
                MemorySegment base = data.isNative() ? data : bounce(data.byteSize());
                infoData = data;
                infoBase = base;
                infoRoom = Math.min(data.byteSize(), base.byteSize());
                long iov = Structs.MSGHDR.byteSize();
                m.set(ADDRESS, iov + IOV_BASE, base);
                m.set(JAVA_LONG, iov + IOV_LEN, infoRoom);
            }
            if (controlSpace != infoControlSpace) {
                if (controlSpace > 0) m.set(ADDRESS, MSG_CONTROL, control(controlSpace));
                else m.set(ADDRESS, MSG_CONTROL, MemorySegment.NULL);
                infoControlSpace = controlSpace;
            }
            m.set(JAVA_INT, MSG_NAMELEN, (int) addr.byteSize());
            m.set(JAVA_LONG, MSG_CONTROLLEN, controlSpace);
            return m;
        }

        /** After a receive through {@link #infoHeader}: the data copied out of the bounce buffer, {@code into} filled in. */
        void afterInfoReceive(MemorySegment data, long r, ControlFields into) {
            MemorySegment m = infoHeader;
            if (!data.isNative() && r > 0) MemorySegment.copy(infoBase, 0, data, 0, Math.min(r, infoRoom));
            into.clear();
            into.msgFlags = m.get(JAVA_INT, MSG_FLAGS);
            int nameLen = m.get(JAVA_INT, MSG_NAMELEN);
            addrLen.set(JAVA_INT, 0, nameLen);
            into.senderFamily = SockAddr.readInet(addr, 0, Math.min(nameLen, (int) addr.byteSize()), into.sender);
            if (into.senderFamily != Const.AF_UNSPEC) {
                into.senderPort = (addr.get(JAVA_BYTE_LAYOUT, 2) & 0xff) << 8 | (addr.get(JAVA_BYTE_LAYOUT, 3) & 0xff);
                if (into.senderFamily == Const.AF_INET6) into.senderScopeId = addr.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 24);
            }
            long controlLen = infoControlSpace > 0 ? m.get(JAVA_LONG, MSG_CONTROLLEN) : 0;
            if (controlLen > 0) Cmsg.decode(control, controlLen, into);
        }

        MemorySegment bounce(long size) {
            long want = Math.min(size, MAX_BOUNCE);
            if (bounce == null || bounce.byteSize() < want) {
                long had = bounce == null ? 0 : bounce.byteSize();
                bounce = Arena.ofAuto().allocate(Math.max(Math.max(want, had * 2), 16 * 1024), 16);
            }
            return bounce;
        }

        int errno() {
            return (int) ERRNO_HANDLE.get(errno, 0L);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * {@code a[off, off+len)} as a heap segment, the same object while the same slice comes back
     * on this thread (so a send/recv loop allocates nothing). The caller checks the bounds.
     */
    public static MemorySegment segment(byte[] a, int off, int len) {
        return scratch().segment(a, off, len);
    }

    /** The buffer's remaining bytes as a segment, reused like {@link #segment(byte[], int, int)}. */
    public static MemorySegment segment(ByteBuffer b) {
        return scratch().segment(b);
    }

    // ---- socket lifecycle ----------------------------------------------------------------------

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) {
        Scratch s = scratch();
        try {
            int r = (int) SOCKET.invokeExact(s.errno, domain, type, protocol);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** socketpair(2); on success the two fds are stored in {@code fds[0]} and {@code fds[1]}. */
    public static int socketpair(int domain, int type, int protocol, int[] fds) {
        Scratch s = scratch();
        try {
            int r = (int) SOCKETPAIR.invokeExact(s.errno, domain, type, protocol, s.value);
            if (r < 0) return -s.errno();
            fds[0] = s.value.get(JAVA_INT, 0);
            fds[1] = s.value.get(JAVA_INT, 4);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** bind(2). */
    public static int bind(int fd, SockAddr address) {
        return withAddress(BIND, fd, address);
    }

    /** bind or connect: they share a signature (fd, const struct sockaddr *, socklen_t). */
    private static int withAddress(MethodHandle call, int fd, SockAddr address) {
        Scratch s = scratch();
        MemorySegment.copy(address.bytes, 0, s.addr, JAVA_BYTE_LAYOUT, 0, address.length);
        try {
            int r = (int) call.invokeExact(s.errno, fd, s.addr, address.length);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** listen(2). */
    public static int listen(int fd, int backlog) {
        Scratch s = scratch();
        try {
            int r = (int) LISTEN.invokeExact(s.errno, fd, backlog);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** accept4(2); the peer's address is then available from {@link #lastAddress()}. */
    public static int accept4(int fd, int flags) {
        Scratch s = scratch();
        s.addrLen.set(JAVA_INT, 0, (int) s.addr.byteSize());
        try {
            int r = (int) ACCEPT4.invokeExact(s.errno, fd, s.addr, s.addrLen, flags);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** connect(2). */
    public static int connect(int fd, SockAddr address) {
        return withAddress(CONNECT, fd, address);
    }

    /** shutdown(2). */
    public static int shutdown(int fd, int how) {
        Scratch s = scratch();
        try {
            int r = (int) SHUTDOWN.invokeExact(s.errno, fd, how);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** close(2). Never retried on EINTR: on Linux the fd is released even then. */
    public static int close(int fd) {
        Scratch s = scratch();
        try {
            int r = (int) CLOSE.invokeExact(s.errno, fd);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** fcntl(2) with an int argument (pass 0 for commands that take none). */
    public static int fcntl(int fd, int cmd, int arg) {
        Scratch s = scratch();
        try {
            int r = (int) FCNTL.invokeExact(s.errno, fd, cmd, arg);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl(2) with a request that stores an int (FIONREAD, SIOCOUTQ, ...): that int, or -errno. */
    public static int ioctlInt(int fd, long request) {
        Scratch s = scratch();
        try {
            int r = (int) IOCTL_INT.invokeExact(s.errno, fd, request, s.valueLen);
            return r < 0 ? -s.errno() : s.valueLen.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * poll(2) on one fd; returns its revents (0 on timeout) or -errno.
     *
     * @param timeoutMillis -1 waits for ever
     */
    public static int poll(int fd, int events, int timeoutMillis) {
        Scratch s = scratch();
        MemorySegment p = s.value;
        p.set(JAVA_INT, 0, fd);
        p.set(JAVA_SHORT, 4, (short) events);
        p.set(JAVA_SHORT, 6, (short) 0);
        try {
            int r = (int) POLL.invokeExact(s.errno, p, 1L, timeoutMillis);
            if (r < 0) return -s.errno();
            return r == 0 ? 0 : p.get(JAVA_SHORT, 6) & 0xffff;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * fchmod(2). On a socket it sets the socket's own inode mode, which bind(2) gives a pathname
     * socket's file (less the umask).
     */
    public static int fchmod(int fd, int mode) {
        Scratch s = scratch();
        try {
            int r = (int) FCHMOD.invokeExact(s.errno, fd, mode);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * fchmodat(2) of {@code path} from the working directory. With AT_SYMLINK_NOFOLLOW a symlink
     * at {@code path} is refused (EOPNOTSUPP), never followed.
     */
    public static int fchmodat(String path, int mode, int flags) {
        Scratch s = scratch();
        try (Arena a = Arena.ofConfined()) {
            int r = (int) FCHMODAT.invokeExact(s.errno, Const.AT_FDCWD, a.allocateFrom(path), mode, flags);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** open(2) of {@code path} with {@code flags} and {@code mode} (used with O_CREAT). */
    public static int open(String path, int flags, int mode) {
        Scratch s = scratch();
        try (Arena a = Arena.ofConfined()) {
            int r = (int) OPEN.invokeExact(s.errno, a.allocateFrom(path), flags, mode);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** pipe2(2); on success {@code fds[0]} is the read end, {@code fds[1]} the write end. */
    public static int pipe2(int[] fds, int flags) {
        Scratch s = scratch();
        try {
            int r = (int) PIPE2.invokeExact(s.errno, s.value, flags);
            if (r < 0) return -s.errno();
            fds[0] = s.value.get(JAVA_INT, 0);
            fds[1] = s.value.get(JAVA_INT, 4);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** eventfd(2) with counter {@code initval}; returns the fd or -errno. */
    public static int eventfd(int initval, int flags) {
        Scratch s = scratch();
        try {
            int r = (int) EVENTFD.invokeExact(s.errno, initval, flags);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** read(2) into a segment (blocking fds: native segments only; heap ones are copied). */
    public static long read(int fd, MemorySegment data) {
        Scratch s = scratch();
        try {
            long r;
            if (data.isNative()) {
                r = (long) READ.invokeExact(s.errno, fd, data, data.byteSize());
            } else {
                MemorySegment b = s.bounce(data.byteSize());
                long n = Math.min(data.byteSize(), b.byteSize());
                r = (long) READ.invokeExact(s.errno, fd, b, n);
                if (r > 0) MemorySegment.copy(b, 0, data, 0, r);
            }
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** write(2) from a segment (heap ones are copied). */
    public static long write(int fd, MemorySegment data) {
        Scratch s = scratch();
        try {
            long r;
            if (data.isNative()) {
                r = (long) WRITE.invokeExact(s.errno, fd, data, data.byteSize());
            } else {
                MemorySegment b = s.bounce(data.byteSize());
                long n = Math.min(data.byteSize(), b.byteSize());
                MemorySegment.copy(data, 0, b, 0, n);
                r = (long) WRITE.invokeExact(s.errno, fd, b, n);
            }
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** read(2) into {@code a[off, off+len)}. */
    public static long read(int fd, byte[] a, int off, int len) {
        return read(fd, MemorySegment.ofArray(a).asSlice(off, len));
    }

    /** write(2) from {@code a[off, off+len)}. */
    public static long write(int fd, byte[] a, int off, int len) {
        return write(fd, MemorySegment.ofArray(a).asSlice(off, len));
    }

    /**
     * write(2) that cannot raise SIGPIPE, for fds that are not sockets (a socket takes
     * send(2) with MSG_NOSIGNAL instead). A write to a pipe or FIFO whose read end is closed
     * raises SIGPIPE in the writing thread (pipe(7)), which kills the process where SIGPIPE is at
     * its default action. So the call runs inside a {@link SigpipeBlock}: SIGPIPE blocked in the
     * calling thread, the one the write raised taken back, the thread's mask restored. Four system
     * calls more than write(2). Returns as write: the count, or -errno.
     */
    public static long writeNoSignal(int fd, MemorySegment data) {
        Scratch s = scratch();
        if (s.sigpipe == null) s.sigpipe = new SigpipeBlock();
        int e = s.sigpipe.block();
        if (e != 0) return -e;
        try {
            long r = write(fd, data);
            if (r == -Const.EPIPE) s.sigpipe.takeRaised();
            return r;
        } finally {
            s.sigpipe.restore();
        }
    }

    /** {@link #writeNoSignal(int, MemorySegment)} from {@code a[off, off+len)}. */
    public static long writeNoSignal(int fd, byte[] a, int off, int len) {
        return writeNoSignal(fd, MemorySegment.ofArray(a).asSlice(off, len));
    }

    /**
     * The soft limit of {@code resource}, getrlimit(2) (RLIMIT_NOFILE: one more than the highest
     * fd number this process may open); {@link Long#MAX_VALUE} for RLIM_INFINITY, or -errno.
     */
    public static long getrlimitSoft(int resource) {
        Scratch s = scratch();
        try {
            int r = (int) GETRLIMIT.invokeExact(s.errno, resource, s.value);
            if (r < 0) return -s.errno();
            long soft = s.value.get(JAVA_LONG, Structs.RLIMIT.byteOffset(PathElement.groupElement("rlim_cur")));
            return soft < 0 ? Long.MAX_VALUE : soft; // RLIM_INFINITY is ~0UL
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** getuid(2). */
    public static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** getgid(2). */
    public static int getgid() {
        try {
            return (int) GETGID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---- addresses -------------------------------------------------------------------------------

    /** getsockname(2); on success returns the address length, the address via {@link #lastAddress()}. */
    public static int getsockname(int fd) {
        return name(GETSOCKNAME, fd);
    }

    /** getpeername(2); on success returns the address length, the address via {@link #lastAddress()}. */
    public static int getpeername(int fd) {
        return name(GETPEERNAME, fd);
    }

    /** getsockname or getpeername: they share a signature. */
    private static int name(MethodHandle call, int fd) {
        Scratch s = scratch();
        s.addrLen.set(JAVA_INT, 0, (int) s.addr.byteSize());
        try {
            int r = (int) call.invokeExact(s.errno, fd, s.addr, s.addrLen);
            return r < 0 ? -s.errno() : s.addrLen.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * The address the calling thread's last accept4, recvfrom, recvmsg, getsockname or
     * getpeername returned. A new object each time: call it only when the address is wanted.
     */
    public static SockAddr lastAddress() {
        Scratch s = scratch();
        int len = Math.min(s.addrLen.get(JAVA_INT, 0), (int) s.addr.byteSize());
        byte[] b = new byte[(int) Structs.SOCKADDR_STORAGE.byteSize()];
        MemorySegment.copy(s.addr, JAVA_BYTE_LAYOUT, 0, b, 0, Math.max(len, 0));
        return new SockAddr(b, Math.max(len, 0));
    }

    /**
     * Whether the calling thread's last returned address equals {@code known}: lets a caller
     * reuse the object it made for the same sender last time instead of allocating.
     */
    public static boolean lastAddressIs(SockAddr known) {
        Scratch s = scratch();
        int len = s.addrLen.get(JAVA_INT, 0);
        if (known == null || len != known.length) return false;
        for (int i = 0; i < len; i++) {
            if (s.addr.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != known.bytes[i]) return false;
        }
        return true;
    }

    /**
     * An AF_INET send target ({@code ip}: the address as an int, first octet highest) in this
     * thread's reusable address: valid until this thread's next call here. For sends whose target
     * changes every call, without an object each.
     */
    public static SockAddr inetTarget(int ip, int port) {
        return scratch().target.setInet(ip, port);
    }

    /** An AF_INET6 send target ({@code high}, {@code low}: the address's two halves) in this thread's reusable address, as {@link #inetTarget}. */
    public static SockAddr inet6Target(long high, long low, int port, int scopeId) {
        return scratch().target.setInet6(high, low, port, scopeId);
    }

    // ---- data ------------------------------------------------------------------------------------

    /** send(2) from a segment (native, or heap when {@code mayBlock} is false). */
    public static long send(int fd, MemorySegment data, int flags, boolean mayBlock) {
        Scratch s = scratch();
        try {
            long r;
            if (data.isNative()) {
                r = (long) SEND.invokeExact(s.errno, fd, data, data.byteSize(), flags);
            } else if (!mayBlock) {
                r = (long) SEND_HEAP.invokeExact(s.errno, fd, data, data.byteSize(), flags | Const.MSG_DONTWAIT);
            } else {
                MemorySegment b = s.bounce(data.byteSize());
                long n = Math.min(data.byteSize(), b.byteSize());
                MemorySegment.copy(data, 0, b, 0, n);
                r = (long) SEND.invokeExact(s.errno, fd, b, n, flags);
            }
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * send(2) from {@code a[off, off+len)}, allocating nothing whatever the window: a call that
     * may block copies the bytes into the thread's bounce buffer (no heap segment at all); one
     * that cannot passes the array itself through the thread's segment cache, as
     * {@link #segment(byte[], int, int)}. The caller checks the bounds.
     */
    public static long send(int fd, byte[] a, int off, int len, int flags, boolean mayBlock) {
        if (!mayBlock) return send(fd, segment(a, off, len), flags, false);
        Scratch s = scratch();
        try {
            MemorySegment b = s.bounce(len);
            int n = (int) Math.min(len, b.byteSize());
            MemorySegment.copy(a, off, b, JAVA_BYTE_LAYOUT, 0, n);
            long r = (long) SEND.invokeExact(s.errno, fd, b, (long) n, flags);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** send(2) from the buffer's remaining bytes; the position is not moved. */
    public static long send(int fd, ByteBuffer buffer, int flags, boolean mayBlock) {
        return send(fd, MemorySegment.ofBuffer(buffer), flags, mayBlock);
    }

    /** recv(2) into a segment (native, or heap when {@code mayBlock} is false). */
    public static long recv(int fd, MemorySegment data, int flags, boolean mayBlock) {
        Scratch s = scratch();
        try {
            long r;
            if (data.isNative()) {
                r = (long) RECV.invokeExact(s.errno, fd, data, data.byteSize(), flags);
            } else if (!mayBlock) {
                r = (long) RECV_HEAP.invokeExact(s.errno, fd, data, data.byteSize(), flags | Const.MSG_DONTWAIT);
            } else {
                MemorySegment b = s.bounce(data.byteSize());
                long n = Math.min(data.byteSize(), b.byteSize());
                r = (long) RECV.invokeExact(s.errno, fd, b, n, flags);
                if (r > 0) MemorySegment.copy(b, 0, data, 0, Math.min(r, n));
            }
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recv(2) into {@code a[off, off+len)}, allocating nothing whatever the window (a buffered
     * reader refills at a new offset after every partial read): a call that may block receives
     * into the thread's bounce buffer and copies out; one that cannot passes the array itself
     * through the thread's segment cache. The caller checks the bounds.
     */
    public static long recv(int fd, byte[] a, int off, int len, int flags, boolean mayBlock) {
        if (!mayBlock) return recv(fd, segment(a, off, len), flags, false);
        Scratch s = scratch();
        try {
            MemorySegment b = s.bounce(len);
            int n = (int) Math.min(len, b.byteSize());
            long r = (long) RECV.invokeExact(s.errno, fd, b, (long) n, flags);
            if (r > 0) MemorySegment.copy(b, JAVA_BYTE_LAYOUT, 0, a, off, (int) Math.min(r, n));
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** recv(2) into the buffer's remaining space; the position is not moved. */
    public static long recv(int fd, ByteBuffer buffer, int flags, boolean mayBlock) {
        return recv(fd, MemorySegment.ofBuffer(buffer), flags, mayBlock);
    }

    /** sendto(2) from a segment to {@code to}. */
    public static long sendto(int fd, MemorySegment data, int flags, SockAddr to, boolean mayBlock) {
        Scratch s = scratch();
        MemorySegment.copy(to.bytes, 0, s.addr, JAVA_BYTE_LAYOUT, 0, to.length);
        try {
            long r;
            if (data.isNative()) {
                r = (long) SENDTO.invokeExact(s.errno, fd, data, data.byteSize(), flags, s.addr, to.length);
            } else if (!mayBlock) {
                r = (long) SENDTO_HEAP.invokeExact(s.errno, fd, data, data.byteSize(), flags | Const.MSG_DONTWAIT, s.addr, to.length);
            } else {
                MemorySegment b = s.bounce(data.byteSize());
                long n = Math.min(data.byteSize(), b.byteSize());
                MemorySegment.copy(data, 0, b, 0, n);
                r = (long) SENDTO.invokeExact(s.errno, fd, b, n, flags, s.addr, to.length);
            }
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** sendto(2) from {@code a[off, off+len)}. */
    public static long sendto(int fd, byte[] a, int off, int len, int flags, SockAddr to, boolean mayBlock) {
        return sendto(fd, MemorySegment.ofArray(a).asSlice(off, len), flags, to, mayBlock);
    }

    /** sendto(2) from the buffer's remaining bytes. */
    public static long sendto(int fd, ByteBuffer buffer, int flags, SockAddr to, boolean mayBlock) {
        return sendto(fd, MemorySegment.ofBuffer(buffer), flags, to, mayBlock);
    }

    /** recvfrom(2) into a segment; the sender is then available from {@link #lastAddress()}. */
    public static long recvfrom(int fd, MemorySegment data, int flags, boolean mayBlock) {
        Scratch s = scratch();
        s.addrLen.set(JAVA_INT, 0, (int) s.addr.byteSize());
        try {
            long r;
            if (data.isNative()) {
                r = (long) RECVFROM.invokeExact(s.errno, fd, data, data.byteSize(), flags, s.addr, s.addrLen);
            } else if (!mayBlock) {
                r = (long) RECVFROM_HEAP.invokeExact(s.errno, fd, data, data.byteSize(), flags | Const.MSG_DONTWAIT, s.addr, s.addrLen);
            } else {
                MemorySegment b = s.bounce(data.byteSize());
                long n = Math.min(data.byteSize(), b.byteSize());
                r = (long) RECVFROM.invokeExact(s.errno, fd, b, n, flags, s.addr, s.addrLen);
                if (r > 0) MemorySegment.copy(b, 0, data, 0, Math.min(r, n));
            }
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** recvfrom(2) into {@code a[off, off+len)}. */
    public static long recvfrom(int fd, byte[] a, int off, int len, int flags, boolean mayBlock) {
        return recvfrom(fd, MemorySegment.ofArray(a).asSlice(off, len), flags, mayBlock);
    }

    /** recvfrom(2) into the buffer's remaining space. */
    public static long recvfrom(int fd, ByteBuffer buffer, int flags, boolean mayBlock) {
        return recvfrom(fd, MemorySegment.ofBuffer(buffer), flags, mayBlock);
    }

    // ---- messages --------------------------------------------------------------------------------

    /**
     * sendmsg(2): the remaining bytes of each buffer (gathered in order), the control messages,
     * and the destination ({@code null} for a connected socket). Buffer positions are not moved.
     * Heap buffers are copied to native memory first (an iovec cannot point into the Java heap).
     */
    public static long sendmsg(int fd, ByteBuffer[] buffers, List<Cmsg> control, SockAddr to, int flags) {
        if (buffers.length > MAX_IOV) throw new IllegalArgumentException("sendmsg: more than " + MAX_IOV + " buffers");
        Scratch s = scratch();
        long heapBytes = 0;
        for (ByteBuffer b : buffers) if (!b.isDirect()) heapBytes += b.remaining();
        MemorySegment bounce = heapBytes == 0 ? MemorySegment.NULL : s.bounce(heapBytes);
        if (bounce.byteSize() < heapBytes) {
            bounce = Arena.ofAuto().allocate(heapBytes, 16); // larger than the per-thread cap: one-off
        }
        long at = 0;
        for (int i = 0; i < buffers.length; i++) {
            MemorySegment src = MemorySegment.ofBuffer(buffers[i]);
            MemorySegment base;
            if (buffers[i].isDirect()) {
                base = src;
            } else {
                base = bounce.asSlice(at, src.byteSize());
                MemorySegment.copy(src, 0, base, 0, src.byteSize());
                at += src.byteSize();
            }
            s.iovecs.set(ADDRESS, i * Structs.IOVEC.byteSize() + IOV_BASE, base);
            s.iovecs.set(JAVA_LONG, i * Structs.IOVEC.byteSize() + IOV_LEN, src.byteSize());
        }
        MemorySegment m = s.msghdr;
        m.fill((byte) 0);
        if (to != null) {
            MemorySegment.copy(to.bytes, 0, s.addr, JAVA_BYTE_LAYOUT, 0, to.length);
            m.set(ADDRESS, MSG_NAME, s.addr);
            m.set(JAVA_INT, MSG_NAMELEN, to.length);
        }
        m.set(ADDRESS, MSG_IOV, s.iovecs);
        m.set(JAVA_LONG, MSG_IOVLEN, buffers.length);
        if (!control.isEmpty()) {
            MemorySegment c = s.control(Cmsg.spaceOf(control));
            long len = Cmsg.write(control, c);
            m.set(ADDRESS, MSG_CONTROL, c);
            m.set(JAVA_LONG, MSG_CONTROLLEN, len);
        }
        try {
            long r = (long) SENDMSG.invokeExact(s.errno, fd, m, flags);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recvmsg(2) into the remaining space of each buffer (scattered in order) with up to
     * {@code controlSpace} bytes of control data. Buffer positions are not moved. Afterwards
     * {@link #lastMsgFlags()}, {@link #lastControl()} and {@link #lastAddress()} describe what came.
     */
    public static long recvmsg(int fd, ByteBuffer[] buffers, int controlSpace, int flags) {
        if (buffers.length > MAX_IOV) throw new IllegalArgumentException("recvmsg: more than " + MAX_IOV + " buffers");
        Scratch s = scratch();
        long heapBytes = 0;
        for (ByteBuffer b : buffers) if (!b.isDirect()) heapBytes += b.remaining();
        MemorySegment bounce = heapBytes == 0 ? MemorySegment.NULL : s.bounce(heapBytes);
        if (bounce.byteSize() < heapBytes) bounce = Arena.ofAuto().allocate(heapBytes, 16); // one-off
        MemorySegment[] targets = new MemorySegment[buffers.length];
        long at = 0;
        for (int i = 0; i < buffers.length; i++) {
            MemorySegment dst = MemorySegment.ofBuffer(buffers[i]);
            MemorySegment base;
            if (buffers[i].isDirect()) {
                base = dst;
            } else {
                base = bounce.asSlice(at, dst.byteSize());
                targets[i] = dst;
                at += dst.byteSize();
            }
            s.iovecs.set(ADDRESS, i * Structs.IOVEC.byteSize() + IOV_BASE, base);
            s.iovecs.set(JAVA_LONG, i * Structs.IOVEC.byteSize() + IOV_LEN, dst.byteSize());
        }
        MemorySegment m = s.msghdr;
        m.fill((byte) 0);
        m.set(ADDRESS, MSG_NAME, s.addr);
        m.set(JAVA_INT, MSG_NAMELEN, (int) s.addr.byteSize());
        m.set(ADDRESS, MSG_IOV, s.iovecs);
        m.set(JAVA_LONG, MSG_IOVLEN, buffers.length);
        if (controlSpace > 0) {
            MemorySegment c = s.control(controlSpace);
            m.set(ADDRESS, MSG_CONTROL, c);
            m.set(JAVA_LONG, MSG_CONTROLLEN, controlSpace);
        }
        try {
            long r = (long) RECVMSG.invokeExact(s.errno, fd, m, flags);
            if (r < 0) return -s.errno();
            s.lastMsgFlags = m.get(JAVA_INT, MSG_FLAGS);
            s.lastControlLen = controlSpace > 0 ? m.get(JAVA_LONG, MSG_CONTROLLEN) : 0;
            s.addrLen.set(JAVA_INT, 0, m.get(JAVA_INT, MSG_NAMELEN));
            // Copy what landed in the bounce regions back to the heap buffers, iovec by iovec.
            long left = Math.min(r, totalRemaining(buffers));
            long off = 0;
            for (int i = 0; i < buffers.length && left > 0; i++) {
                long n = Math.min(left, buffers[i].remaining());
                if (targets[i] != null) MemorySegment.copy(bounce, off, targets[i], 0, n);
                if (targets[i] != null) off += buffers[i].remaining();
                left -= n;
            }
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recvmsg(2) of one message into {@code data} (heap data lands in the bounce buffer first) with
     * up to {@code controlSpace} bytes of control data, described in {@code into}: msg_flags, the
     * sender's IP address, and the control messages decoded as {@link Cmsg#decode} does (fds that
     * arrive are closed). Allocates nothing once the thread's buffers exist.
     */
    public static long recvmsg(int fd, MemorySegment data, int controlSpace, int flags, ControlFields into) {
        Scratch s = scratch();
        MemorySegment m = s.infoHeader(data, controlSpace);
        try {
            long r = (long) RECVMSG.invokeExact(s.errno, fd, m, flags);
            if (r < 0) return -s.errno();
            s.afterInfoReceive(data, r, into);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static long totalRemaining(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) n += b.remaining();
        return n;
    }

    /** The msg_flags the calling thread's last recvmsg returned (MSG_TRUNC, MSG_CTRUNC, MSG_EOR ...). */
    public static int lastMsgFlags() {
        return scratch().lastMsgFlags;
    }

    /** The control messages the calling thread's last recvmsg returned. */
    public static List<Cmsg> lastControl() {
        Scratch s = scratch();
        return s.lastControlLen == 0 ? List.of() : Cmsg.read(s.control, s.lastControlLen);
    }

    /**
     * Whether the calling thread's last recvmsg, which set MSG_CTRUNC, lost fds that its control
     * buffer had room for: the kernel stopped installing them because it could not (scm_detach_fds
     * in net/core/scm.c ends at the first fd it fails to install, EMFILE at RLIMIT_NOFILE, and
     * closes the rest), not for lack of space. The kernel writes credentials and security labels
     * before the fds and SCM_PIDFD after them, and fits as many fds as
     * {@code (room - sizeof(struct cmsghdr)) / 4} where they go; fewer than that (and fewer than
     * 253, the most a message carries) means the room was not what stopped it. A message cut for
     * space leaves no room behind it.
     *
     * @param controlSpace the control space that recvmsg was given
     */
    public static boolean lastFdsRefused(int controlSpace) {
        return fdsRefused(lastControl(), scratch().lastControlLen, controlSpace);
    }

    /**
     * {@link #lastFdsRefused} for any recvmsg that set MSG_CTRUNC: {@code control} is what it
     * delivered, {@code controlLen} its msg_controllen, {@code controlSpace} the room it was given.
     */
    public static boolean fdsRefused(List<Cmsg> control, long controlLen, int controlSpace) {
        long at = 0;
        boolean pidfd = false;
        for (Cmsg c : control) {
            if (c.level() == Const.SOL_SOCKET && c.type() == Const.SCM_RIGHTS) {
                long room = controlSpace - at;
                long fit = room <= Structs.CMSGHDR.byteSize() ? 0 : (room - Structs.CMSGHDR.byteSize()) / 4;
                return c.data().length / 4 < Math.min(fit, SCM_MAX_FD);
            }
            if (c.level() == Const.SOL_SOCKET && c.type() == Const.AfterHeaders.SCM_PIDFD) {
                pidfd = true;
                break;
            }
            at += Cmsg.space(c.data().length);
        }
        if (!pidfd) at = Math.max(at, controlLen);
        return controlSpace - at >= Cmsg.len(4); // no fd arrived, yet one had room
    }

    /** SCM_MAX_FD, include/net/scm.h: the most fds one SCM_RIGHTS message carries. */
    private static final int SCM_MAX_FD = 253;

    // ---- options ---------------------------------------------------------------------------------

    /** setsockopt(2) with an int value. */
    public static int setsockoptInt(int fd, int level, int name, int value) {
        Scratch s = scratch();
        s.value.set(JAVA_INT, 0, value);
        return setsockopt(s, fd, level, name, 4);
    }

    /** setsockopt(2) with the bytes of {@code value} (at most 256) as the option value. */
    public static int setsockopt(int fd, int level, int name, byte[] value) {
        Scratch s = scratch();
        if (value.length > s.value.byteSize()) throw new IllegalArgumentException("option value too long");
        MemorySegment.copy(value, 0, s.value, JAVA_BYTE_LAYOUT, 0, value.length);
        return setsockopt(s, fd, level, name, value.length);
    }

    /** setsockopt(2) with a struct of ints (linger, ip_mreqn ...) in host order. */
    public static int setsockoptInts(int fd, int level, int name, int... values) {
        Scratch s = scratch();
        for (int i = 0; i < values.length; i++) s.value.set(JAVA_INT, 4L * i, values[i]);
        return setsockopt(s, fd, level, name, 4 * values.length);
    }

    /** setsockopt(2) with a struct timeval. */
    public static int setsockoptTimeval(int fd, int level, int name, long seconds, long micros) {
        Scratch s = scratch();
        s.value.set(JAVA_LONG, 0, seconds);
        s.value.set(JAVA_LONG, 8, micros);
        return setsockopt(s, fd, level, name, (int) Structs.TIMEVAL.byteSize());
    }

    private static int setsockopt(Scratch s, int fd, int level, int name, int length) {
        try {
            int r = (int) SETSOCKOPT.invokeExact(s.errno, fd, level, name, s.value, length);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * getsockopt(2) of an int option. Returns the value as an unsigned 32-bit number (cast it back
     * with {@code (int)}), or -errno: errno values are below 4096, so the two never overlap.
     */
    public static long getsockoptInt(int fd, int level, int name) {
        Scratch s = scratch();
        int r = getsockopt(s, fd, level, name, 4);
        if (r < 0) return r;
        // Some options (IP_TTL on old kernels, SO_* booleans) may write fewer bytes: read what came.
        int v = r >= 4 ? s.value.get(JAVA_INT, 0) : r == 1 ? s.value.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 0xff : 0;
        return v & 0xFFFFFFFFL;
    }

    /** getsockopt(2) of a struct of ints into {@code out}; returns the bytes written or -errno. */
    public static int getsockoptInts(int fd, int level, int name, int[] out) {
        Scratch s = scratch();
        int r = getsockopt(s, fd, level, name, 4 * out.length);
        if (r < 0) return r;
        for (int i = 0; i < out.length; i++) out[i] = s.value.get(JAVA_INT, 4L * i);
        return r;
    }

    /** getsockopt(2) of a struct timeval into {@code out} (seconds, microseconds). */
    public static int getsockoptTimeval(int fd, int level, int name, long[] out) {
        Scratch s = scratch();
        int r = getsockopt(s, fd, level, name, (int) Structs.TIMEVAL.byteSize());
        if (r < 0) return r;
        out[0] = s.value.get(JAVA_LONG, 0);
        out[1] = s.value.get(JAVA_LONG, 8);
        return r;
    }

    /** getsockopt(2) of raw bytes into {@code out} (at most 256); returns the length or -errno. */
    public static int getsockopt(int fd, int level, int name, byte[] out) {
        Scratch s = scratch();
        int n = Math.min(out.length, (int) s.value.byteSize());
        int r = getsockopt(s, fd, level, name, n);
        if (r < 0) return r;
        MemorySegment.copy(s.value, JAVA_BYTE_LAYOUT, 0, out, 0, Math.min(r, n));
        return r;
    }

    private static int getsockopt(Scratch s, int fd, int level, int name, int length) {
        s.value.fill((byte) 0);
        s.valueLen.set(JAVA_INT, 0, length);
        try {
            int r = (int) GETSOCKOPT.invokeExact(s.errno, fd, level, name, s.value, s.valueLen);
            return r < 0 ? -s.errno() : s.valueLen.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---- errno -----------------------------------------------------------------------------------

    /** The errno symbol, e.g. {@code ECONNREFUSED} (glibc's strerrorname_np), or {@code errno N}. */
    public static String errnoName(int errno) {
        try {
            MemorySegment p = (MemorySegment) STRERRORNAME_NP.invokeExact(errno);
            return p.equals(MemorySegment.NULL) ? "errno " + errno : p.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The errno text, e.g. {@code Connection refused} (glibc's strerrordesc_np). */
    public static String errnoDescription(int errno) {
        try {
            MemorySegment p = (MemorySegment) STRERRORDESC_NP.invokeExact(errno);
            return p.equals(MemorySegment.NULL) ? "Unknown error " + errno : p.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---- linking ---------------------------------------------------------------------------------

    private static final java.lang.foreign.ValueLayout.OfByte JAVA_BYTE_LAYOUT = java.lang.foreign.ValueLayout.JAVA_BYTE;

    static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    static MethodHandle errnoHandle(String name, java.lang.foreign.MemoryLayout result,
                                    java.lang.foreign.MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), ERRNO);
    }

    static MethodHandle heapHandle(String name, java.lang.foreign.MemoryLayout result,
                                   java.lang.foreign.MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), ERRNO, HEAP);
    }

    static MethodHandle plainHandle(String name, java.lang.foreign.MemoryLayout result,
                                    java.lang.foreign.MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args));
    }

    static AssertionError unexpected(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        return new AssertionError("downcall failed", t);
    }
}
