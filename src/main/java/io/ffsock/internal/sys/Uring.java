package io.ffsock.internal.sys;

import static io.ffsock.internal.sys.Const.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * io_uring(7) at the syscall floor: io_uring_setup(2), io_uring_enter(2) and io_uring_register(2)
 * through syscall(2) (glibc has no wrappers), the two rings and the SQE array mapped with mmap(2),
 * and provided-buffer rings.
 *
 * <p>Same conventions as {@link Syscalls}: results or {@code -errno}, errno captured at the call.
 * The ring heads and tails are shared with the kernel, so they are read with acquire and written
 * with release ordering ({@link VarHandle#getAcquire}/{@link VarHandle#setRelease}), the same
 * barriers liburing's {@code io_uring_smp_load_acquire}/{@code store_release} give: our SQE
 * writes are visible before the tail that publishes them, and the kernel's CQE writes before the
 * tail we read. A {@link Ring} is used by one thread (the kernel's single-issuer model); nothing
 * here locks.
 */
public final class Uring {
    private Uring() {}

    private static final Linker LINKER = Linker.nativeLinker();
    // syscall is variadic; every argument after the number is passed as a long, as the kernel takes it.
    private static final MethodHandle SYSCALL_3 = LINKER.downcallHandle(Syscalls.symbol("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_4 = LINKER.downcallHandle(Syscalls.symbol("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_6 = LINKER.downcallHandle(Syscalls.symbol("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = Syscalls.errnoHandle("mmap",
            ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle MUNMAP = Syscalls.errnoHandle("munmap", JAVA_INT, ADDRESS, JAVA_LONG);

    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();

    private static long off(StructLayout s, String... path) {
        PathElement[] p = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) p[i] = PathElement.groupElement(path[i]);
        return s.byteOffset(p);
    }

    private static final StructLayout P = Structs.IO_URING_PARAMS;
    private static final long P_SQ_ENTRIES = off(P, "sq_entries");
    private static final long P_CQ_ENTRIES = off(P, "cq_entries");
    private static final long P_FLAGS = off(P, "flags");
    private static final long P_FEATURES = off(P, "features");
    private static final long SQ_HEAD = off(P, "sq_off", "head");
    private static final long SQ_TAIL = off(P, "sq_off", "tail");
    private static final long SQ_MASK = off(P, "sq_off", "ring_mask");
    private static final long SQ_FLAGS = off(P, "sq_off", "flags");
    private static final long SQ_DROPPED = off(P, "sq_off", "dropped");
    private static final long SQ_ARRAY = off(P, "sq_off", "array");
    private static final long CQ_HEAD = off(P, "cq_off", "head");
    private static final long CQ_TAIL = off(P, "cq_off", "tail");
    private static final long CQ_MASK = off(P, "cq_off", "ring_mask");
    private static final long CQ_OVERFLOW = off(P, "cq_off", "overflow");
    private static final long CQ_CQES = off(P, "cq_off", "cqes");

    private static final StructLayout SQE = Structs.IO_URING_SQE;
    private static final long SQE_SIZE = SQE.byteSize();
    private static final long SQE_OPCODE = off(SQE, "opcode");
    private static final long SQE_FLAGS = off(SQE, "flags");
    private static final long SQE_IOPRIO = off(SQE, "ioprio");
    private static final long SQE_FD = off(SQE, "fd");
    private static final long SQE_OFF = off(SQE, "off");
    private static final long SQE_ADDR = off(SQE, "addr");
    private static final long SQE_LEN = off(SQE, "len");
    private static final long SQE_OP_FLAGS = off(SQE, "rw_flags");
    private static final long SQE_USER_DATA = off(SQE, "user_data");
    private static final long SQE_BUF_INDEX = off(SQE, "buf_index");
    private static final long SQE_FILE_INDEX = off(SQE, "file_index");

    private static final long CQE_SIZE = Structs.IO_URING_CQE.byteSize();
    private static final long CQE_USER_DATA = off(Structs.IO_URING_CQE, "user_data");
    private static final long CQE_RES = off(Structs.IO_URING_CQE, "res");
    private static final long CQE_FLAGS = off(Structs.IO_URING_CQE, "flags");

    private static final long BUF_SIZE = Structs.IO_URING_BUF.byteSize();
    private static final long BUF_ADDR = off(Structs.IO_URING_BUF, "addr");
    private static final long BUF_LEN = off(Structs.IO_URING_BUF, "len");
    private static final long BUF_BID = off(Structs.IO_URING_BUF, "bid");
    private static final long GETEVENTS_TS = off(Structs.IO_URING_GETEVENTS_ARG, "ts");
    private static final long MSG_NAME = off(Structs.MSGHDR, "msg_name");
    private static final long MSG_NAMELEN = off(Structs.MSGHDR, "msg_namelen");
    private static final long MSG_IOV = off(Structs.MSGHDR, "msg_iov");
    private static final long MSG_IOVLEN = off(Structs.MSGHDR, "msg_iovlen");
    private static final long MSG_CONTROL = off(Structs.MSGHDR, "msg_control");
    private static final long MSG_CONTROLLEN = off(Structs.MSGHDR, "msg_controllen");
    private static final long MSG_FLAGS = off(Structs.MSGHDR, "msg_flags");
    private static final long BUF_RING_TAIL = off(Structs.IO_URING_BUF_RING, "tail");

    /** The most entries io_uring_setup(2) takes for the submission queue (IORING_MAX_ENTRIES). */
    public static final int MAX_ENTRIES = 32768;
    /** The most entries a provided-buffer ring may have. */
    public static final int MAX_BUF_RING_ENTRIES = 32768;

    // ---- the three system calls ------------------------------------------------------------------

    /** io_uring_setup(2); {@code params} is a struct io_uring_params. Returns the ring fd or -errno. */
    static int setup(int entries, MemorySegment params) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            long r = (long) SYSCALL_3.invokeExact(s.errno, (long) SYS_io_uring_setup, (long) entries, params.address(), 0L);
            return r < 0 ? -s.errno() : (int) r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /**
     * io_uring_enter(2) without a signal mask: submits {@code toSubmit} entries and, with
     * IORING_ENTER_GETEVENTS, waits until {@code minComplete} completions are there. Returns the
     * number submitted or -errno (EINTR included; the caller decides).
     */
    public static int enter(int ringFd, int toSubmit, int minComplete, int flags) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            long r = (long) SYSCALL_6.invokeExact(s.errno, (long) SYS_io_uring_enter, (long) ringFd,
                    (long) toSubmit, (long) minComplete, (long) flags, 0L, 0L);
            return r < 0 ? -s.errno() : (int) r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** io_uring_register(2) with {@code arg} (may be NULL). Returns what the kernel does, or -errno. */
    static int register(int ringFd, int opcode, MemorySegment arg, int nrArgs) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            long r = (long) SYSCALL_4.invokeExact(s.errno, (long) SYS_io_uring_register, (long) ringFd,
                    (long) opcode, arg.address(), (long) nrArgs);
            return r < 0 ? -s.errno() : (int) r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** mmap(2) of {@code size} bytes; returns the mapping, or {@code null} with errno in {@code err[0]}. */
    @SuppressWarnings("restricted")
    private static MemorySegment mmap(long size, int prot, int flags, int fd, long offset, int[] err, Arena scope) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(s.errno, MemorySegment.NULL, size, prot, flags, fd, offset);
            if (p.address() == -1L) {
                err[0] = s.errno();
                return null;
            }
            // Scoped to the ring's arena: once the ring is closed, a stray access throws instead of
            // touching unmapped memory.
            return p.reinterpret(size, scope, null);
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** munmap of a segment whose arena is already closed: by address and size. */
    @SuppressWarnings("restricted")
    private static int munmapAt(MemorySegment m) {
        return munmap(MemorySegment.ofAddress(m.address()).reinterpret(m.byteSize()));
    }

    private static int munmap(MemorySegment m) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            int r = (int) MUNMAP.invokeExact(s.errno, m, m.byteSize());
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /**
     * IORING_REGISTER_PROBE on a throw-away ring: which opcodes this kernel has. Returns a bit set
     * indexed by opcode (bit {@code op % 64} of word {@code op / 64}) or {@code null} with errno in
     * {@code err[0]} when no ring can be made at all.
     */
    public static long[] probeOpcodes(int[] err) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(P);
            int fd = setup(2, params);
            if (fd < 0) {
                err[0] = -fd;
                return null;
            }
            try {
                return probe(fd, err);
            } finally {
                Syscalls.close(fd);
            }
        }
    }

    private static long[] probe(int ringFd, int[] err) {
        int ops = 256;
        long opSize = Structs.IO_URING_PROBE_OP.byteSize();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(Structs.IO_URING_PROBE.byteSize() + ops * opSize, 8);
            int r = register(ringFd, IORING_REGISTER_PROBE, p, ops);
            if (r < 0) {
                err[0] = -r;
                return null;
            }
            int len = p.get(JAVA_BYTE, off(Structs.IO_URING_PROBE, "ops_len")) & 0xff;
            long[] bits = new long[4];
            long base = Structs.IO_URING_PROBE.byteSize();
            long flagsOff = off(Structs.IO_URING_PROBE_OP, "flags");
            long opOff = off(Structs.IO_URING_PROBE_OP, "op");
            for (int i = 0; i < len; i++) {
                int op = p.get(JAVA_BYTE, base + i * opSize + opOff) & 0xff;
                short f = p.get(JAVA_SHORT, base + i * opSize + flagsOff);
                if ((f & IO_URING_OP_SUPPORTED) != 0) bits[op >>> 6] |= 1L << (op & 63);
            }
            return bits;
        }
    }

    // ---- a ring ----------------------------------------------------------------------------------

    /**
     * One io_uring instance with its rings mapped. SQEs are filled in place ({@link #nextSqe} then
     * the {@code prep} setters), published by {@link #flush} and handed to the kernel by
     * {@link #enter}; completions are read in place ({@link #cqReady}, {@link #cqeUserData} ...)
     * and given back with {@link #cqAdvance}.
     */
    public static final class Ring {
        public final int fd;
        public final int features;
        public final int sqEntries;
        public final int cqEntries;
        private final MemorySegment rings;   // SQ and CQ rings (IORING_FEAT_SINGLE_MMAP), or the SQ ring
        private final MemorySegment cqRing;  // the same as rings, or the separately mapped CQ ring
        private final MemorySegment sqes;
        private final long sqHead, sqTail, sqFlags, sqDropped;
        private final long cqHead, cqTail, cqOverflow, cqes;
        private final int sqMask, cqMask;
        private final Arena arena;
        private final MemorySegment registerArg;
        private int sqeTail;      // next SQE to fill (ours only until flush publishes it)
        private int sqePublished; // the SQ tail the kernel has seen
        private int cqHeadLocal;
        private boolean closed;

        private Ring(int fd, MemorySegment params, MemorySegment rings, MemorySegment cqRing, MemorySegment sqes, Arena arena) {
            this.fd = fd;
            this.arena = arena;
            this.registerArg = arena.allocate(256, 8);
            this.features = params.get(JAVA_INT, P_FEATURES);
            this.sqEntries = params.get(JAVA_INT, P_SQ_ENTRIES);
            this.cqEntries = params.get(JAVA_INT, P_CQ_ENTRIES);
            this.rings = rings;
            this.cqRing = cqRing;
            this.sqes = sqes;
            this.sqHead = params.get(JAVA_INT, SQ_HEAD);
            this.sqTail = params.get(JAVA_INT, SQ_TAIL);
            this.sqFlags = params.get(JAVA_INT, SQ_FLAGS);
            this.sqDropped = params.get(JAVA_INT, SQ_DROPPED);
            this.sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, SQ_MASK));
            this.cqHead = params.get(JAVA_INT, CQ_HEAD);
            this.cqTail = params.get(JAVA_INT, CQ_TAIL);
            this.cqOverflow = params.get(JAVA_INT, CQ_OVERFLOW);
            this.cqes = params.get(JAVA_INT, CQ_CQES);
            this.cqMask = cqRing.get(JAVA_INT, params.get(JAVA_INT, CQ_MASK));
            // The SQ array maps ring slots to SQEs; ffsock keeps them in step, so it is the
            // identity, written once (liburing rewrites it on every submit).
            long array = params.get(JAVA_INT, SQ_ARRAY);
            for (int i = 0; i < sqEntries; i++) rings.set(JAVA_INT, array + 4L * i, i);
            this.sqeTail = (int) INT.getAcquire(rings, sqTail);
            this.sqePublished = sqeTail;
            this.cqHeadLocal = (int) INT.getAcquire(cqRing, cqHead);
        }

        /**
         * io_uring_setup(2) with {@code entries} SQ entries and {@code cqEntries} CQ entries (0: the
         * kernel's default of twice the SQ), then mmap(2) of the rings. Returns the ring fd (>= 0)
         * with the ring in {@code out[0]}, or -errno (EINVAL from setup for a bad size, the mmap
         * errno otherwise; nothing stays open then).
         */
        public static int open(int entries, int cqEntries, int setupFlags, Ring[] out) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment params = a.allocate(P);
                int flags = setupFlags;
                if (cqEntries > 0) {
                    flags |= IORING_SETUP_CQSIZE;
                    params.set(JAVA_INT, P_CQ_ENTRIES, cqEntries);
                }
                params.set(JAVA_INT, P_FLAGS, flags);
                int fd = setup(entries, params);
                if (fd < 0) return fd;
                int features = params.get(JAVA_INT, P_FEATURES);
                long sqSize = params.get(JAVA_INT, SQ_ARRAY) + 4L * params.get(JAVA_INT, P_SQ_ENTRIES);
                long cqSize = params.get(JAVA_INT, CQ_CQES) + CQE_SIZE * params.get(JAVA_INT, P_CQ_ENTRIES);
                int[] err = new int[1];
                Arena scope = Arena.ofShared();
                int prot = PROT_READ | PROT_WRITE;
                int map = MAP_SHARED | MAP_POPULATE;
                MemorySegment rings, cqRing, sqes = null;
                if ((features & IORING_FEAT_SINGLE_MMAP) != 0) {
                    rings = mmap(Math.max(sqSize, cqSize), prot, map, fd, IORING_OFF_SQ_RING, err, scope);
                    cqRing = rings;
                } else {
                    rings = mmap(sqSize, prot, map, fd, IORING_OFF_SQ_RING, err, scope);
                    cqRing = rings == null ? null : mmap(cqSize, prot, map, fd, IORING_OFF_CQ_RING, err, scope);
                }
                if (cqRing != null) {
                    sqes = mmap(SQE_SIZE * params.get(JAVA_INT, P_SQ_ENTRIES), prot, map, fd, IORING_OFF_SQES, err, scope);
                }
                if (sqes == null) {
                    if (rings != null) munmap(rings);
                    if (cqRing != null && cqRing != rings) munmap(cqRing);
                    Syscalls.close(fd);
                    scope.close();
                    return -err[0];
                }
                out[0] = new Ring(fd, params, rings, cqRing, sqes, scope);
                return fd;
            }
        }

        /** Free SQEs: the ring's size less those filled but not yet consumed by the kernel. */
        public int sqSpace() {
            int head = (int) INT.getAcquire(rings, sqHead);
            return sqEntries - (sqeTail - head);
        }

        /** SQEs filled since the last {@link #flush}. */
        public int unflushed() {
            return sqeTail - sqePublished;
        }

        /**
         * The next free SQE, zeroed, as an index for the {@code prep} setters; -1 if the SQ is full
         * (submit first).
         */
        public int nextSqe() {
            if (sqSpace() <= 0) return -1;
            int i = sqeTail & sqMask;
            sqeTail++;
            long b = i * SQE_SIZE;
            for (long k = 0; k < SQE_SIZE; k += 8) sqes.set(JAVA_LONG, b + k, 0L);
            return i;
        }

        /** Fills the common fields of SQE {@code i}. */
        public void prep(int i, int opcode, int fd, long addr, int len, long offset, long userData) {
            long b = i * SQE_SIZE;
            sqes.set(JAVA_BYTE, b + SQE_OPCODE, (byte) opcode);
            sqes.set(JAVA_INT, b + SQE_FD, fd);
            sqes.set(JAVA_LONG, b + SQE_ADDR, addr);
            sqes.set(JAVA_INT, b + SQE_LEN, len);
            sqes.set(JAVA_LONG, b + SQE_OFF, offset);
            sqes.set(JAVA_LONG, b + SQE_USER_DATA, userData);
        }

        /** The IOSQE_* flags of SQE {@code i}. */
        public void sqeFlags(int i, int flags) {
            sqes.set(JAVA_BYTE, i * SQE_SIZE + SQE_FLAGS, (byte) flags);
        }

        /** The IOSQE_* flags already set on SQE {@code i}. */
        public int sqeFlags(int i) {
            return sqes.get(JAVA_BYTE, i * SQE_SIZE + SQE_FLAGS) & 0xff;
        }

        /** The per-opcode flags word (msg_flags, poll32_events, timeout_flags, accept_flags ...). */
        public void opFlags(int i, int flags) {
            sqes.set(JAVA_INT, i * SQE_SIZE + SQE_OP_FLAGS, flags);
        }

        /** ioprio, which multishot accept and recv use for their IORING_*_MULTISHOT flag. */
        public void ioprio(int i, int ioprio) {
            sqes.set(JAVA_SHORT, i * SQE_SIZE + SQE_IOPRIO, (short) ioprio);
        }

        /** buf_index (a registered buffer) or buf_group (a provided-buffer group). */
        public void bufIndex(int i, int index) {
            sqes.set(JAVA_SHORT, i * SQE_SIZE + SQE_BUF_INDEX, (short) index);
        }

        /** file_index / splice_fd_in. */
        public void fileIndex(int i, int index) {
            sqes.set(JAVA_INT, i * SQE_SIZE + SQE_FILE_INDEX, index);
        }

        /** Publishes the SQEs filled so far (release store of the SQ tail); returns how many. */
        public int flush() {
            int n = sqeTail - sqePublished;
            if (n > 0) {
                INT.setRelease(rings, sqTail, sqeTail);
                sqePublished = sqeTail;
            }
            return n;
        }

        /** io_uring_enter(2) on this ring; see {@link Uring#enter}. */
        public int enter(int toSubmit, int minComplete, int flags) {
            return Uring.enter(fd, toSubmit, minComplete, flags);
        }

        /**
         * io_uring_enter(2) with IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG: submits
         * {@code toSubmit} and waits for {@code minComplete} completions or {@code timeoutNanos}
         * (then -ETIME). Needs IORING_FEAT_EXT_ARG (Linux 5.11).
         */
        public int enterTimed(int toSubmit, int minComplete, long timeoutNanos) {
            // registerArg[64, 88) is the io_uring_getevents_arg, [96, 112) its timespec.
            putTimespec(registerArg, 96, timeoutNanos);
            registerArg.set(JAVA_LONG, 64 + GETEVENTS_TS, registerArg.address() + 96);
            Syscalls.Scratch s = Syscalls.scratch();
            try {
                long r = (long) SYSCALL_6.invokeExact(s.errno, (long) SYS_io_uring_enter, (long) fd,
                        (long) toSubmit, (long) minComplete, (long) (IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG),
                        registerArg.address() + 64, Structs.IO_URING_GETEVENTS_ARG.byteSize());
                return r < 0 ? -s.errno() : (int) r;
            } catch (Throwable t) {
                throw Syscalls.unexpected(t);
            }
        }

        /** The SQ ring's flags (IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN ...), read with acquire. */
        public int sqFlags() {
            return (int) INT.getAcquire(rings, sqFlags);
        }

        /** SQEs the kernel dropped as invalid (sq_off.dropped). */
        public int sqDropped() {
            return (int) INT.getAcquire(rings, sqDropped);
        }

        /** Completions the kernel could not post (cq_off.overflow); stays 0 with IORING_FEAT_NODROP. */
        public int cqOverflow() {
            return (int) INT.getAcquire(cqRing, cqOverflow);
        }

        /** Completions waiting to be read. */
        public int cqReady() {
            return (int) INT.getAcquire(cqRing, cqTail) - cqHeadLocal;
        }

        private long cqe(int k) {
            return cqes + ((cqHeadLocal + k) & cqMask) * CQE_SIZE;
        }

        /** user_data of the {@code k}th waiting completion. */
        public long cqeUserData(int k) {
            return cqRing.get(JAVA_LONG, cqe(k) + CQE_USER_DATA);
        }

        /** res of the {@code k}th waiting completion. */
        public int cqeRes(int k) {
            return cqRing.get(JAVA_INT, cqe(k) + CQE_RES);
        }

        /** flags of the {@code k}th waiting completion. */
        public int cqeFlags(int k) {
            return cqRing.get(JAVA_INT, cqe(k) + CQE_FLAGS);
        }

        /** Gives {@code n} read completions back to the kernel (release store of the CQ head). */
        public void cqAdvance(int n) {
            cqHeadLocal += n;
            INT.setRelease(cqRing, cqHead, cqHeadLocal);
        }

        /** IORING_REGISTER_PROBE on this ring; see {@link Uring#probeOpcodes}. */
        public long[] probe(int[] err) {
            return Uring.probe(fd, err);
        }

        /** IORING_REGISTER_FILES with {@code count} empty (-1) slots, to be filled by {@link #updateFile}. */
        public int registerSparseFiles(int count) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment fds = a.allocate(4L * count, 4);
                fds.fill((byte) 0xff);
                return register(fd, IORING_REGISTER_FILES, fds, count);
            }
        }

        /** IORING_REGISTER_FILES_UPDATE of one slot to {@code fileFd} (-1 empties it). */
        public int updateFile(int slot, int fileFd) {
            MemorySegment u = registerArg;
            u.set(JAVA_INT, 0, slot);
            u.set(JAVA_INT, 4, 0);
            u.set(JAVA_INT, 16, fileFd);
            u.set(JAVA_LONG, off(Structs.IO_URING_FILES_UPDATE, "fds"), u.address() + 16);
            return register(fd, IORING_REGISTER_FILES_UPDATE, u, 1);
        }

        /** IORING_UNREGISTER_FILES. */
        public int unregisterFiles() {
            return register(fd, IORING_UNREGISTER_FILES, MemorySegment.NULL, 0);
        }

        /** IORING_REGISTER_BUFFERS of native segments (an array of struct iovec is built here). */
        public int registerBuffers(MemorySegment[] buffers) {
            try (Arena a = Arena.ofConfined()) {
                long iov = Structs.IOVEC.byteSize();
                MemorySegment v = a.allocate(iov * buffers.length, 8);
                for (int i = 0; i < buffers.length; i++) {
                    v.set(JAVA_LONG, i * iov, buffers[i].address());
                    v.set(JAVA_LONG, i * iov + 8, buffers[i].byteSize());
                }
                return register(fd, IORING_REGISTER_BUFFERS, v, buffers.length);
            }
        }

        /** IORING_UNREGISTER_BUFFERS. */
        public int unregisterBuffers() {
            return register(fd, IORING_UNREGISTER_BUFFERS, MemorySegment.NULL, 0);
        }

        /** IORING_REGISTER_PBUF_RING of {@code ring} as group {@code bgid}. */
        public int registerBufRing(BufRing ring, int bgid) {
            MemorySegment r = registerArg.asSlice(0, Structs.IO_URING_BUF_REG.byteSize());
            r.fill((byte) 0);
            r.set(JAVA_LONG, off(Structs.IO_URING_BUF_REG, "ring_addr"), ring.ring.address());
            r.set(JAVA_INT, off(Structs.IO_URING_BUF_REG, "ring_entries"), ring.entries);
            r.set(JAVA_SHORT, off(Structs.IO_URING_BUF_REG, "bgid"), (short) bgid);
            return register(fd, IORING_REGISTER_PBUF_RING, r, 1);
        }

        /** IORING_UNREGISTER_PBUF_RING of group {@code bgid}. */
        public int unregisterBufRing(int bgid) {
            MemorySegment r = registerArg.asSlice(0, Structs.IO_URING_BUF_REG.byteSize());
            r.fill((byte) 0);
            r.set(JAVA_SHORT, off(Structs.IO_URING_BUF_REG, "bgid"), (short) bgid);
            return register(fd, IORING_UNREGISTER_PBUF_RING, r, 1);
        }

        /** munmap(2) of the rings and close(2) of the ring fd. Once only. */
        public void close() {
            if (closed) return;
            unmap();
            Syscalls.close(fd);
        }

        /**
         * munmap(2) of the rings, leaving the ring fd open for an owner that closes it itself
         * (io.ffsock.EventLoop's, whose fd another thread may still be entering). Once only.
         */
        public void unmap() {
            if (closed) return;
            closed = true;
            arena.close(); // first: from now on the segments refuse access
            munmapAt(sqes);
            if (cqRing != rings) munmapAt(cqRing);
            munmapAt(rings);
        }
    }

    // ---- native memory the kernel reads and writes asynchronously --------------------------------

    /**
     * Native memory for buffers and per-operation arguments (timespecs, msghdrs, addresses) that
     * must stay put until a completion arrives: allocated page-aligned from a shared arena, freed
     * only by {@link #free}, which its owner calls once no operation can still use it.
     */
    public static final class Memory {
        private final Arena arena = Arena.ofShared();
        public final MemorySegment segment;

        public Memory(long size) {
            segment = arena.allocate(Math.max(size, 1), 4096);
        }

        public void free() {
            arena.close();
        }
    }

    /** Writes a struct __kernel_timespec at {@code offset} of {@code m}. */
    public static void putTimespec(MemorySegment m, long offset, long nanos) {
        m.set(JAVA_LONG, offset, nanos / 1_000_000_000L);
        m.set(JAVA_LONG, offset + 8, nanos % 1_000_000_000L);
    }

    /** Copies a socket address into {@code m} at {@code offset}; returns its length. */
    public static int putSockAddr(MemorySegment m, long offset, SockAddr a) {
        MemorySegment.copy(a.bytes, 0, m, JAVA_BYTE, offset, a.length);
        return a.length;
    }

    /**
     * Builds a struct msghdr at {@code offset} of {@code m} with one iovec (at {@code iovOffset}),
     * a name area and a control area (either may have length 0).
     */
    public static void putMsghdr(MemorySegment m, long offset, long iovOffset, long data, long dataLen,
                                 long name, int nameLen, long control, long controlLen) {
        m.set(JAVA_LONG, iovOffset, data);
        m.set(JAVA_LONG, iovOffset + 8, dataLen);
        for (long k = 0; k < Structs.MSGHDR.byteSize(); k += 8) m.set(JAVA_LONG, offset + k, 0L);
        m.set(JAVA_LONG, offset + MSG_NAME, nameLen == 0 ? 0 : name);
        m.set(JAVA_INT, offset + MSG_NAMELEN, nameLen);
        m.set(JAVA_LONG, offset + MSG_IOV, m.address() + iovOffset);
        m.set(JAVA_LONG, offset + MSG_IOVLEN, 1L);
        m.set(JAVA_LONG, offset + MSG_CONTROL, controlLen == 0 ? 0 : control);
        m.set(JAVA_LONG, offset + MSG_CONTROLLEN, controlLen);
    }

    /** msg_namelen of a msghdr built by {@link #putMsghdr}, after recvmsg. */
    public static int msgNameLen(MemorySegment m, long offset) {
        return m.get(JAVA_INT, offset + MSG_NAMELEN);
    }

    /** msg_flags of a msghdr built by {@link #putMsghdr}, after recvmsg. */
    public static int msgFlags(MemorySegment m, long offset) {
        return m.get(JAVA_INT, offset + MSG_FLAGS);
    }

    /** The control space {@code messages} take (the sum of their CMSG_SPACE), for a sendmsg. */
    public static long controlSpace(java.util.List<Cmsg> messages) {
        return Cmsg.spaceOf(messages);
    }

    /** Writes {@code messages} at the start of {@code control} ({@link Cmsg}'s encoding); returns msg_controllen. */
    public static long putControl(MemorySegment control, java.util.List<Cmsg> messages) {
        return Cmsg.write(messages, control);
    }

    /** The control messages in {@code control[0, controlLen)} after a recvmsg ({@link Cmsg}'s decoding). */
    public static java.util.List<Cmsg> readControl(MemorySegment control, long controlLen) {
        return controlLen <= 0 ? java.util.List.of() : Cmsg.read(control, controlLen);
    }

    /** msg_controllen of a msghdr built by {@link #putMsghdr}, after recvmsg. */
    public static long msgControlLen(MemorySegment m, long offset) {
        return m.get(JAVA_LONG, offset + MSG_CONTROLLEN);
    }

    /** A copy of the {@code length}-byte socket address at {@code offset} of {@code m}. */
    public static SockAddr getSockAddr(MemorySegment m, long offset, int length) {
        byte[] b = new byte[Math.min(length, (int) Structs.SOCKADDR_STORAGE.byteSize())];
        MemorySegment.copy(m, JAVA_BYTE, offset, b, 0, b.length);
        return new SockAddr(b, b.length);
    }

    /** The size of struct msghdr. */
    public static final long MSGHDR_SIZE = Structs.MSGHDR.byteSize();

    /**
     * A provided-buffer ring (IORING_REGISTER_PBUF_RING, Linux 5.19): {@code entries} buffers of
     * {@code size} bytes each, which the kernel picks from for IOSQE_BUFFER_SELECT reads and
     * gives back in a completion's IORING_CQE_F_BUFFER bits; {@link #recycle} returns one.
     */
    public static final class BufRing {
        final MemorySegment ring;
        public final int entries;
        public final int size;
        private final int mask;
        private final Memory memory;
        private final MemorySegment buffers;
        private int tail;

        public BufRing(int entries, int size) {
            this.entries = entries;
            this.size = size;
            this.mask = entries - 1;
            long ringBytes = (BUF_SIZE * entries + 4095) & ~4095L;
            this.memory = new Memory(ringBytes + (long) entries * size);
            this.ring = memory.segment.asSlice(0, ringBytes);
            this.buffers = memory.segment.asSlice(ringBytes);
            for (int bid = 0; bid < entries; bid++) add(bid);
            publish();
        }

        /** Buffer {@code bid}'s memory, {@code length} bytes of it. */
        public MemorySegment buffer(int bid, int length) {
            return buffers.asSlice((long) bid * size, length);
        }

        private void add(int bid) {
            long e = (tail & mask) * BUF_SIZE;
            ring.set(JAVA_LONG, e + BUF_ADDR, buffers.address() + (long) bid * size);
            ring.set(JAVA_INT, e + BUF_LEN, size);
            ring.set(JAVA_SHORT, e + BUF_BID, (short) bid);
            tail++;
        }

        private void publish() {
            SHORT.setRelease(ring, BUF_RING_TAIL, (short) tail);
        }

        /** Gives buffer {@code bid} back to the kernel. */
        public void recycle(int bid) {
            add(bid);
            publish();
        }

        /** Frees the memory; only after the group is unregistered. */
        public void free() {
            memory.free();
        }
    }

    /** Copies {@code src[off, off+len)} into native memory at {@code dst + at}; for io.ffsock.uring's buffers. */
    public static void copyIn(byte[] src, int off, MemorySegment dst, long at, int len) {
        MemorySegment.copy(src, off, dst, JAVA_BYTE, at, len);
    }

    /** Copies {@code len} bytes of native memory at {@code src + at} into {@code dst[off, off+len)}. */
    public static void copyOut(MemorySegment src, long at, byte[] dst, int off, int len) {
        MemorySegment.copy(src, JAVA_BYTE, at, dst, off, len);
    }
}
