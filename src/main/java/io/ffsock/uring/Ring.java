package io.ffsock.uring;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.ControlMessage;
import io.ffsock.ControlTruncatedException;
import io.ffsock.FdOwner;
import io.ffsock.Socket;
import io.ffsock.internal.bridge.FdAccess;
import io.ffsock.internal.sys.Cmsg;
import io.ffsock.internal.sys.SigpipeBlock;
import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.Syscalls;
import io.ffsock.internal.sys.Uring;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An io_uring(7) instance: operations are queued as submission entries, handed to the kernel in
 * batches by one io_uring_enter(2), and their results come back as completions delivered to a
 * {@link Completion} (or an {@link Acceptor}).
 *
 * <pre>{@code
 * try (Ring ring = Ring.open(256)) {
 *     RingBuffer buf = ring.allocate(4096);
 *     ring.recv(socket, buf, 0, 4096, (op, n, flags) -> System.out.println("got " + n));
 *     ring.submitAndWait(1);                       // io_uring_enter(2): submit, wait, dispatch
 * }
 * }</pre>
 *
 * <p><b>Operations.</b> Each submitting method fills one SQE and returns the operation's id (for
 * {@link #cancel} and the callback); nothing reaches the kernel before {@link #submit()} or
 * {@link #submitAndWait}, so many operations cost one system call. Sends add MSG_NOSIGNAL.
 * {@link #link()} chains the next operation to the last one (IOSQE_IO_LINK: it starts only if that
 * one succeeds), {@link #linkTimeout} bounds the last one.
 *
 * <p><b>Threads.</b> One ring per thread: the thread that opened the ring is the only one that may
 * use it, its buffers and groups (others get a {@link WrongThreadException}). On a platform
 * thread the ring is set up IORING_SETUP_SINGLE_ISSUER and IORING_SETUP_COOP_TASKRUN accordingly
 * (the kernel finishes completions when that thread next enters it, instead of interrupting it);
 * a virtual thread may use a ring too, set up without them, since it moves between carrier
 * threads. Callbacks run on the ring's thread, inside {@link #complete()} or
 * {@link #submitAndWait}, and may submit more.
 *
 * <p><b>Ownership.</b> An operation holds its socket (or fd) and its {@link RingBuffer} until its
 * last completion has arrived: the socket's fd number is not released meanwhile (closing the
 * socket shuts it down, which ends its operations, and the fd is released by the last
 * completion) and the buffer refuses to be freed; a sendmsg holds the fds it sends the same way.
 * fds a recvmsg receives are the ring's until {@link #control} hands them over (else closed after
 * the callback). {@link #close()} cancels what is in flight,
 * waits for every completion (delivering them), unregisters files and buffers, and frees the
 * ring's memory; it closes no socket. A ring that becomes unreachable unclosed is closed by a
 * {@link java.lang.ref.Cleaner}: its fd is closed (the kernel cancels what was in flight, and no
 * callback runs), the sockets and fds its operations held are let go, and its memory is freed
 * unless operations were in flight (then it stays allocated: the kernel may write into it while
 * it cancels them).
 *
 * <p><b>Back-pressure.</b> At most {@link #capacity()} operations are in flight (the CQ size): a
 * submitting method that finds none left submits what is queued and waits for completions first,
 * running their callbacks; it never drops one. (If every operation in flight waits for something
 * that never comes, that wait lasts as long, like a blocking call; an interrupt ends it with an
 * {@link java.io.InterruptedIOException}.) The kernel keeps completions that do not fit
 * (IORING_FEAT_NODROP, required here) and they are fetched when the ring says IORING_SQ_CQ_OVERFLOW.
 * A multishot operation whose completion would not fit is ended by the kernel instead (its last
 * completion has no {@link #hasMore}); nothing is lost, the data waits in the socket: submit it again.
 *
 * <p>Steady state allocates nothing per operation: the callbacks, slots and argument memory are
 * reused.
 */
public final class Ring implements AutoCloseable {
    /** poll(2) events for {@link #poll}. */
    public static final int POLL_IN = POLLIN;
    /** poll(2) events for {@link #poll}. */
    public static final int POLL_OUT = POLLOUT;

    private static final FdAccess ACCESS = FdAccess.get();
    private static final long INTERNAL = Long.MIN_VALUE; // user_data of our own cancel requests
    private static final int SLOT_BYTES = 256;
    private static final int TS = 0, MSGHDR = 16, IOV = 72, ADDR = 88, ADDR_LEN_BYTES = 128;
    private static final int MAX_FIXED_FILES = 1024;
    private static final Cleaner CLEANER = Cleaner.create();
    // The IORING_SETUP_* flags open() tries in turn while the kernel says EINVAL (it refuses flags it
    // does not know), newest first.
    private static final int[] PLATFORM_SETUPS = {
        IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG, // 6.1
        IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, // 6.0
        IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, // 5.19
        IORING_SETUP_SUBMIT_ALL, // 5.18
        0};
    private static final int[] VIRTUAL_SETUPS = {IORING_SETUP_SUBMIT_ALL, 0};

    private final Thread owner;
    private final Uring.Ring ring;
    private final int setupFlags;
    // IORING_SETUP_TASKRUN_FLAG: the kernel sets IORING_SQ_TASKRUN while completion work waits
    // for this thread's next system call (COOP_TASKRUN); complete() then makes that call.
    private final boolean taskrunFlag;
    private final int capacity;
    private final Uring.Memory slotMemory;
    // Per in-flight slot: user_data = generation << 32 | slot.
    private final Object[] handlers;
    private final FdOwner[] held;
    private final RingBuffer[] buffers;
    private final int[] generation;
    private final byte[] opcode;
    // Control messages: per slot, the control buffer (grown on demand, reused), the fds a sendmsg
    // holds, and what a completing recvmsg received.
    private final Uring.Memory[] controlMemory;
    private final int[] controlSpace;
    private final FdOwner[][] heldFds;
    private final List<?>[] received;
    private final boolean[] receivedTaken;
    private final IOException[] truncated;
    private final boolean[] completing;
    private final int[] freeSlots;
    private int freeCount;
    private int lastSqe = -1; // the SQE filled last, while not yet submitted (for link/linkTimeout)
    private boolean linkNext;
    private final List<RingBuffer> allocated = new ArrayList<>();
    private final List<BufferGroup> groups = new ArrayList<>();
    private final Map<FdOwner, Integer> fixedFiles = new IdentityHashMap<>();
    private int fixedFilesRegistered = -1; // table size once registered
    private int nextFixed;
    private boolean buffersRegistered;
    private boolean closing;
    private boolean closed;
    private final Abandoned abandoned;
    private final Cleaner.Cleanable cleanable;

    private Ring(Uring.Ring ring, int setupFlags) {
        this.owner = Thread.currentThread();
        this.ring = ring;
        this.setupFlags = setupFlags;
        this.taskrunFlag = (setupFlags & IORING_SETUP_TASKRUN_FLAG) != 0;
        this.capacity = ring.cqEntries;
        this.slotMemory = new Uring.Memory((long) capacity * SLOT_BYTES);
        this.handlers = new Object[capacity];
        this.held = new FdOwner[capacity];
        this.buffers = new RingBuffer[capacity];
        this.generation = new int[capacity];
        this.opcode = new byte[capacity];
        this.controlMemory = new Uring.Memory[capacity];
        this.controlSpace = new int[capacity];
        this.heldFds = new FdOwner[capacity][];
        this.received = new List<?>[capacity];
        this.receivedTaken = new boolean[capacity];
        this.truncated = new IOException[capacity];
        this.completing = new boolean[capacity];
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) freeSlots[i] = capacity - 1 - i;
        this.freeCount = capacity;
        this.abandoned = new Abandoned(ring, held, heldFds, fixedFiles, slotMemory, controlMemory);
        this.cleanable = CLEANER.register(this, abandoned);
    }

    /**
     * What the Cleaner does for a ring that became unreachable without {@link #close()}; refers to
     * the ring's parts, never to the ring. Nobody can submit to or complete on such a ring any
     * more, so no callback runs: closing the ring fd makes the kernel cancel what is in flight,
     * the fds the operations held are released (the kernel holds its own references to their
     * files, and no queued SQE can reach the kernel after the fd is closed, so no fd number is
     * used again), and the memory is freed if nothing was in flight; else it stays allocated, as
     * close() leaves it, since a cancelled operation may still write into it for a moment.
     * It holds no callback, RingBuffer or BufferGroup (each refers to the ring, which would then
     * never become unreachable), only their memory.
     */
    private static final class Abandoned implements Runnable {
        private final Uring.Ring ring;
        private final FdOwner[] held;
        private final FdOwner[][] heldFds;
        private final Map<FdOwner, Integer> fixedFiles;
        final List<Uring.Memory> buffers = new ArrayList<>(); // of the ring's RingBuffers
        final List<Uring.BufRing> bufRings = new ArrayList<>(); // of its BufferGroups
        private final Uring.Memory slotMemory;
        private final Uring.Memory[] controlMemory;
        int inFlight;
        volatile boolean closed; // by close(): nothing left to do

        Abandoned(Uring.Ring ring, FdOwner[] held, FdOwner[][] heldFds, Map<FdOwner, Integer> fixedFiles,
                  Uring.Memory slotMemory, Uring.Memory[] controlMemory) {
            this.ring = ring;
            this.held = held;
            this.heldFds = heldFds;
            this.fixedFiles = fixedFiles;
            this.slotMemory = slotMemory;
            this.controlMemory = controlMemory;
        }

        @Override
        public void run() {
            if (closed) return;
            closed = true;
            boolean idle = inFlight == 0;
            ring.close();
            for (FdOwner f : held) if (f != null) ACCESS.release(f);
            for (FdOwner[] fds : heldFds) if (fds != null) for (FdOwner f : fds) ACCESS.release(f);
            for (FdOwner f : fixedFiles.keySet()) ACCESS.release(f);
            if (!idle) return;
            for (Uring.BufRing b : bufRings) b.free();
            for (Uring.Memory m : buffers) m.free();
            slotMemory.free();
            for (Uring.Memory m : controlMemory) if (m != null) m.free();
        }
    }

    /**
     * When the kernel does the completion work of a platform thread's ring (what turns a socket's
     * readiness into a CQE). A virtual thread's ring ignores this: the kernel interrupts whichever
     * carrier submitted.
     */
    public enum TaskRun {
        /**
         * At the owning thread's next system call, whatever it is, instead of interrupting the
         * thread (IORING_SETUP_COOP_TASKRUN). The default; best where completions stream in
         * (multishot receives, many connections).
         */
        COOPERATIVE,
        /**
         * Only while the owning thread waits for completions ({@link #submitAndWait}, or
         * {@link #complete()} when the ring says work is pending; IORING_SETUP_DEFER_TASKRUN,
         * Linux 6.1): the cheapest wake-up for one request and its answer at a time (a ring
         * ping-pong ran at 0.93-1.02 x C's plain calls in C, against 0.78-0.94 cooperative).
         * Falls back to {@link #COOPERATIVE} on an older kernel; {@link #setupFlags()} says which.
         */
        DEFERRED
    }

    /** {@link #open(int, int)} with the kernel's default CQ size, twice {@code entries}. */
    public static Ring open(int entries) throws IOException {
        return open(entries, 0);
    }

    /** {@link #open(int, int, TaskRun)} with {@link TaskRun#COOPERATIVE}. */
    public static Ring open(int entries, int completionEntries) throws IOException {
        return open(entries, completionEntries, TaskRun.COOPERATIVE);
    }

    /**
     * Sets up a ring, io_uring_setup(2), with {@code entries} submission entries and
     * {@code completionEntries} completion entries (0: twice {@code entries}), and maps it, mmap(2);
     * {@code taskRun} says when the kernel does its completion work.
     *
     * @throws IllegalArgumentException if a size is not a power of two or above 32768 (65536 for
     *         the CQ)
     * @throws IOException if io_uring is unavailable: {@link UringSupport#unavailableReason()} says why
     */
    public static Ring open(int entries, int completionEntries, TaskRun taskRun) throws IOException {
        Objects.requireNonNull(taskRun, "taskRun");
        if (entries < 1 || entries > Uring.MAX_ENTRIES || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("Ring.open: entries " + entries + " is not a power of two in 1..32768");
        }
        if (completionEntries != 0 && (completionEntries < entries || completionEntries > 2 * Uring.MAX_ENTRIES
                || Integer.bitCount(completionEntries) != 1)) {
            throw new IllegalArgumentException("Ring.open: completionEntries " + completionEntries
                    + " is not a power of two in " + entries + "..65536");
        }
        UringSupport.requireAvailable();
        Uring.Ring[] out = new Uring.Ring[1];
        // On a platform thread the ring has one kernel task for its life: SINGLE_ISSUER lets the
        // kernel skip submission locking, and COOP_TASKRUN runs completion work at this thread's
        // next system call instead of interrupting it with an IPI (W4's multishot receiver went
        // from 0.63 to 1.12-1.17 x C with it, pinned, in C). A virtual thread moves between
        // carrier threads, so neither applies: the kernel would refuse a submission from another
        // carrier (EEXIST) or park completion work on a carrier that is busy elsewhere.
        // DEFERRED goes further: the work waits until the thread asks for completions, so a
        // wake-up costs the kernel no task work notification at all.
        boolean virtual = Thread.currentThread().isVirtual();
        int[] tries = virtual ? VIRTUAL_SETUPS : PLATFORM_SETUPS;
        int first = virtual || taskRun == TaskRun.DEFERRED ? 0 : 1; // PLATFORM_SETUPS[0] is DEFERRED's
        int r = -EINVAL;
        int flags = 0;
        for (int t = first; t < tries.length && r == -EINVAL; t++) {
            flags = tries[t];
            r = Uring.Ring.open(entries, completionEntries, flags, out);
        }
        if (r < 0) throw ACCESS.error("io_uring_setup", -r, entries + " entries");
        if ((out[0].features & IORING_FEAT_NODROP) == 0) {
            out[0].close();
            throw new IOException("io_uring_setup: this kernel lacks IORING_FEAT_NODROP (Linux 5.5), which ffsock needs"
                    + " so that no completion is ever lost");
        }
        return new Ring(out[0], flags);
    }

    /** The most operations in flight at once (the CQ size). */
    public int capacity() {
        return capacity;
    }

    /** Operations submitted or queued whose last completion has not arrived yet. */
    public int inFlight() {
        return capacity - freeCount;
    }

    /** The kernel's IORING_FEAT_* bits for this ring. */
    public int features() {
        return ring.features;
    }

    /**
     * The IORING_SETUP_* flags this ring was set up with: on a platform thread SUBMIT_ALL,
     * SINGLE_ISSUER, COOP_TASKRUN (DEFER_TASKRUN for {@link TaskRun#DEFERRED}) and TASKRUN_FLAG,
     * less what an older kernel lacks; on a virtual thread SUBMIT_ALL only.
     */
    public int setupFlags() {
        return setupFlags;
    }

    // ---- memory ----------------------------------------------------------------------------------

    /** Native memory of {@code size} bytes that this ring's operations may use; see {@link RingBuffer}. */
    public RingBuffer allocate(int size) throws IOException {
        checkOpen("allocate");
        if (size < 1) throw new IllegalArgumentException("Ring.allocate: size " + size + " < 1");
        RingBuffer b = new RingBuffer(this, size);
        allocated.add(b);
        abandoned.buffers.add(b.memory());
        return b;
    }

    void forget(RingBuffer b) {
        allocated.remove(b);
        abandoned.buffers.remove(b.memory());
    }

    /**
     * Registers buffers with the kernel, io_uring_register(2) IORING_REGISTER_BUFFERS, so that
     * {@link #read} and {@link #write} on them use IORING_OP_READ_FIXED / WRITE_FIXED (no page
     * pinning per operation). Once per ring; they stay registered until the ring closes.
     */
    public void registerBuffers(RingBuffer... list) throws IOException {
        checkOpen("io_uring_register(IORING_REGISTER_BUFFERS)");
        if (buffersRegistered) throw new IllegalStateException("registerBuffers: this ring already has registered buffers");
        java.lang.foreign.MemorySegment[] segs = new java.lang.foreign.MemorySegment[list.length];
        for (int i = 0; i < list.length; i++) {
            RingBuffer b = list[i];
            if (b.isFreed() || !allocated.contains(b)) {
                throw new IllegalArgumentException("registerBuffers: " + b + " is not an open buffer of this ring");
            }
            segs[i] = b.segment();
        }
        int r = ring.registerBuffers(segs);
        if (r < 0) throw ACCESS.error("io_uring_register(IORING_REGISTER_BUFFERS)", -r, list.length + " buffers");
        buffersRegistered = true;
        for (int i = 0; i < list.length; i++) list[i].registeredIndex = i;
    }

    /**
     * A provided-buffer ring of {@code count} buffers of {@code size} bytes as group {@code id},
     * io_uring_register(2) IORING_REGISTER_PBUF_RING.
     *
     * @throws IllegalArgumentException if {@code count} is not a power of two up to 32768
     */
    public BufferGroup bufferGroup(int id, int count, int size) throws IOException {
        checkOpen("io_uring_register(IORING_REGISTER_PBUF_RING)");
        if (count < 1 || count > Uring.MAX_BUF_RING_ENTRIES || Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("bufferGroup: count " + count + " is not a power of two in 1..32768");
        }
        if (id < 0 || id > 0xffff) throw new IllegalArgumentException("bufferGroup: id " + id + " is not in 0..65535");
        if (size < 1) throw new IllegalArgumentException("bufferGroup: size " + size + " < 1");
        Uring.BufRing bufs = new Uring.BufRing(count, size);
        int r = ring.registerBufRing(bufs, id);
        if (r < 0) {
            bufs.free();
            throw ACCESS.error("io_uring_register(IORING_REGISTER_PBUF_RING)", -r, "group " + id);
        }
        BufferGroup g = new BufferGroup(this, id, bufs);
        groups.add(g);
        abandoned.bufRings.add(bufs);
        return g;
    }

    /**
     * Puts {@code file} in the ring's registered-file table, io_uring_register(2)
     * IORING_REGISTER_FILES(_UPDATE): its operations then skip the fd lookup (IOSQE_FIXED_FILE).
     * The ring holds the fd until {@link #unregisterFile} or {@link #close()}, so a close of the
     * socket meanwhile completes only then.
     */
    public void registerFile(FdOwner file) throws IOException {
        String call = "io_uring_register(IORING_REGISTER_FILES_UPDATE)";
        checkOpen(call);
        if (fixedFiles.containsKey(file)) return;
        if (fixedFilesRegistered < 0) {
            int r = ring.registerSparseFiles(MAX_FIXED_FILES);
            if (r < 0) throw ACCESS.error("io_uring_register(IORING_REGISTER_FILES)", -r, MAX_FIXED_FILES + " slots");
            fixedFilesRegistered = MAX_FIXED_FILES;
        }
        int slot = freeFixedSlot();
        if (slot < 0) throw new IllegalStateException(call + ": all " + MAX_FIXED_FILES + " registered-file slots are used");
        if (!ACCESS.tryAcquire(file)) throw ACCESS.closed(call, file);
        int r = ring.updateFile(slot, ACCESS.fd(file));
        if (r < 0) {
            ACCESS.release(file);
            throw ACCESS.error(call, -r, file);
        }
        fixedFiles.put(file, slot);
    }

    private int freeFixedSlot() {
        for (int k = 0; k < MAX_FIXED_FILES; k++) {
            int s = (nextFixed + k) % MAX_FIXED_FILES;
            if (!fixedFiles.containsValue(s)) {
                nextFixed = s + 1;
                return s;
            }
        }
        return -1;
    }

    /** Takes {@code file} out of the registered-file table and lets go of its fd. */
    public void unregisterFile(FdOwner file) throws IOException {
        checkThread();
        Integer slot = fixedFiles.remove(file);
        if (slot == null) return;
        int r = ring.updateFile(slot, -1);
        ACCESS.release(file);
        if (r < 0) throw ACCESS.error("io_uring_register(IORING_REGISTER_FILES_UPDATE)", -r, file);
    }

    // ---- operations ------------------------------------------------------------------------------

    /** Receives into {@code buffer[at, at+len)}, IORING_OP_RECV (recv(2)). */
    public long recv(Socket socket, RingBuffer buffer, int at, int len, int flags, Completion done) throws IOException {
        long addr = addressOf(buffer, at, len);
        int i = begin(IORING_OP_RECV, socket, buffer, done);
        prepFile(i, IORING_OP_RECV, socket, addr, len, 0);
        ring.opFlags(i, flags);
        return end(i);
    }

    /**
     * Receives again and again into buffers of {@code group}, IORING_OP_RECV with
     * IORING_RECV_MULTISHOT (Linux 6.0): one completion per arrival, with {@link #bufferId} set and
     * {@link #hasMore} true while it goes on. It ends at end of stream (result 0), on an error, or
     * with ENOBUFS when the group has no free buffer (submit it again after recycling).
     */
    public long recvMultishot(Socket socket, BufferGroup group, Completion done) throws IOException {
        checkGroup(group);
        int i = begin(IORING_OP_RECV, socket, null, done);
        prepFile(i, IORING_OP_RECV, socket, 0, 0, 0);
        ring.ioprio(i, IORING_RECV_MULTISHOT);
        ring.sqeFlags(i, ring.sqeFlags(i) | IOSQE_BUFFER_SELECT);
        ring.bufIndex(i, group.id);
        return end(i);
    }

    /** Receives one message into a buffer the kernel picks from {@code group} (IOSQE_BUFFER_SELECT). */
    public long recv(Socket socket, BufferGroup group, Completion done) throws IOException {
        checkGroup(group);
        int i = begin(IORING_OP_RECV, socket, null, done);
        prepFile(i, IORING_OP_RECV, socket, 0, group.bufferSize(), 0);
        ring.sqeFlags(i, ring.sqeFlags(i) | IOSQE_BUFFER_SELECT);
        ring.bufIndex(i, group.id);
        return end(i);
    }

    /** Sends {@code buffer[at, at+len)}, IORING_OP_SEND (send(2)) with MSG_NOSIGNAL added. */
    public long send(Socket socket, RingBuffer buffer, int at, int len, int flags, Completion done) throws IOException {
        long addr = addressOf(buffer, at, len);
        int i = begin(IORING_OP_SEND, socket, buffer, done);
        prepFile(i, IORING_OP_SEND, socket, addr, len, 0);
        ring.opFlags(i, flags | MSG_NOSIGNAL);
        return end(i);
    }

    /**
     * Sends {@code buffer[at, at+len)} to {@code target} (null: the connected peer),
     * IORING_OP_SENDMSG (sendmsg(2)) with MSG_NOSIGNAL. The msghdr and address live in the ring
     * until the completion.
     */
    public long sendMsg(Socket socket, RingBuffer buffer, int at, int len, SocketAddress target, Completion done)
            throws IOException {
        long addr = addressOf(buffer, at, len);
        SockAddr to = target == null ? null : ACCESS.toKernel(socket, target, "io_uring sendmsg");
        int i = begin(IORING_OP_SENDMSG, socket, buffer, done);
        long base = slotBase(currentSlot);
        int nameLen = to == null ? 0 : Uring.putSockAddr(slotMemory.segment, base + ADDR, to);
        Uring.putMsghdr(slotMemory.segment, base + MSGHDR, base + IOV, addr, len,
                slotMemory.segment.address() + base + ADDR, nameLen, 0, 0);
        prepFile(i, IORING_OP_SENDMSG, socket, slotMemory.segment.address() + base + MSGHDR, 1, 0);
        ring.opFlags(i, MSG_NOSIGNAL);
        return end(i);
    }

    /**
     * As {@link #sendMsg(Socket, RingBuffer, int, int, SocketAddress, Completion)}, with control
     * messages (ancillary data), encoded as {@link Socket#sendMsg(List, List, java.util.Set, SocketAddress)}
     * encodes them: fds ({@link ControlMessage.Rights}), credentials, TTL, packet info ...
     *
     * <p>The control buffer lives in the ring until the completion. The fds sent stay the
     * caller's, but the operation holds each of them as it holds the socket: closing one meanwhile
     * closes its fd number only when the completion has arrived (or the ring has cancelled the
     * operation in {@link #close()}), so the number the kernel reads is never another file.
     *
     * <p>Refused before anything is queued, with the messages Socket gives: a null list or message,
     * fds on a SOCK_STREAM socket with {@code len} 0, a message that can only be received, an fd
     * already closed. (A Rights message holds 1 to 253 fds by construction.)
     */
    public long sendMsg(Socket socket, RingBuffer buffer, int at, int len, SocketAddress target,
                        List<? extends ControlMessage> control, Completion done) throws IOException {
        Objects.requireNonNull(control, "io_uring sendmsg: control is null");
        long addr = addressOf(buffer, at, len);
        Objects.requireNonNull(socket, "socket");
        SockAddr to = target == null ? null : ACCESS.toKernel(socket, target, "io_uring sendmsg");
        List<FdOwner> fds = control.isEmpty() ? List.of() : new ArrayList<>();
        List<Cmsg> cmsgs = control.isEmpty() ? List.of() : ACCESS.encodeControl(socket, control, len, "io_uring sendmsg", fds);
        int i;
        try {
            i = begin(IORING_OP_SENDMSG, socket, buffer, done);
        } catch (IOException | RuntimeException e) {
            for (FdOwner f : fds) ACCESS.release(f);
            throw e;
        }
        int slot = currentSlot;
        long base = slotBase(slot);
        if (!fds.isEmpty()) heldFds[slot] = fds.toArray(new FdOwner[0]);
        long space = Uring.controlSpace(cmsgs);
        long controlAt = 0;
        long controlLen = 0;
        if (space > 0) {
            Uring.Memory m = controlBuffer(slot, space);
            controlLen = Uring.putControl(m.segment, cmsgs);
            controlAt = m.segment.address();
        }
        int nameLen = to == null ? 0 : Uring.putSockAddr(slotMemory.segment, base + ADDR, to);
        Uring.putMsghdr(slotMemory.segment, base + MSGHDR, base + IOV, addr, len,
                slotMemory.segment.address() + base + ADDR, nameLen, controlAt, controlLen);
        prepFile(i, IORING_OP_SENDMSG, socket, slotMemory.segment.address() + base + MSGHDR, 1, 0);
        ring.opFlags(i, MSG_NOSIGNAL);
        return end(i);
    }

    /** The control buffer of {@code slot}, at least {@code size} bytes (kept for the slot's next operations). */
    private Uring.Memory controlBuffer(int slot, long size) {
        Uring.Memory m = controlMemory[slot];
        if (m == null || m.segment.byteSize() < size) {
            if (m != null) m.free();
            m = new Uring.Memory(size);
            controlMemory[slot] = m;
        }
        return m;
    }

    /**
     * Receives one message into {@code buffer[at, at+len)} with its sender, IORING_OP_RECVMSG
     * (recvmsg(2)); inside the callback {@link #sender(long)} gives the sender and
     * {@link #messageFlags(long)} the msg_flags (MSG_TRUNC ...). No control data is taken: fds a
     * peer sends with it are discarded by the kernel (MSG_CTRUNC, see {@link #control}).
     */
    public long recvMsg(Socket socket, RingBuffer buffer, int at, int len, Completion done) throws IOException {
        long addr = addressOf(buffer, at, len);
        int i = begin(IORING_OP_RECVMSG, socket, buffer, done);
        long base = slotBase(currentSlot);
        long mem = slotMemory.segment.address();
        Uring.putMsghdr(slotMemory.segment, base + MSGHDR, base + IOV, addr, len, mem + base + ADDR, ADDR_LEN_BYTES, 0, 0);
        prepFile(i, IORING_OP_RECVMSG, socket, mem + base + MSGHDR, 1, 0);
        return end(i);
    }

    /**
     * As {@link #recvMsg(Socket, RingBuffer, int, int, Completion)}, taking up to
     * {@code controlSpace} bytes of control messages (recvmsg(2) with MSG_CMSG_CLOEXEC), which the
     * callback reads with {@link #control(long)}; the control buffer lives in the ring until the
     * completion. {@link Socket#DEFAULT_CONTROL_SPACE} holds the most a message can carry.
     *
     * @throws IllegalArgumentException if {@code controlSpace} is not in 0..1 MiB
     */
    public long recvMsg(Socket socket, RingBuffer buffer, int at, int len, int controlSpace, Completion done)
            throws IOException {
        if (controlSpace < 0 || controlSpace > 1 << 20) {
            throw new IllegalArgumentException("io_uring recvmsg: control space " + controlSpace + " is not in 0..1 MiB");
        }
        if (controlSpace == 0) return recvMsg(socket, buffer, at, len, done);
        long addr = addressOf(buffer, at, len);
        int i = begin(IORING_OP_RECVMSG, socket, buffer, done);
        int slot = currentSlot;
        long base = slotBase(slot);
        long mem = slotMemory.segment.address();
        Uring.Memory control = controlBuffer(slot, controlSpace);
        this.controlSpace[slot] = controlSpace;
        Uring.putMsghdr(slotMemory.segment, base + MSGHDR, base + IOV, addr, len, mem + base + ADDR, ADDR_LEN_BYTES,
                control.segment.address(), controlSpace);
        prepFile(i, IORING_OP_RECVMSG, socket, mem + base + MSGHDR, 1, 0);
        ring.opFlags(i, MSG_CMSG_CLOEXEC);
        return end(i);
    }

    /**
     * The control messages of a {@link #recvMsg(Socket, RingBuffer, int, int, int, Completion)}
     * that is completing (call it from the callback), typed as
     * {@link io.ffsock.ReceivedMessage#control()} types them; empty for a recvmsg without control
     * space or one that failed.
     *
     * <p><b>fds.</b> The fds that arrived (SCM_RIGHTS as {@link ControlMessage.Rights} of
     * {@link io.ffsock.OwnedFd}s, SCM_PIDFD as {@link ControlMessage.PidFd}; close-on-exec) are
     * owned by the ring until this is called: calling it hands all of them over to the caller, who
     * must close them. If the callback does not call it, the ring closes them when the callback
     * returns (or throws). Called again in the same callback, it returns the same list.
     *
     * @throws ControlTruncatedException if the kernel set MSG_CTRUNC (control space too small, or
     *         the fd table full): as {@link Socket#recvMsg(List, int, java.util.Set)} does, the fds
     *         that arrived were closed before the callback ran, so none leak; the data is in the
     *         buffer as usual and {@link #messageFlags} shows MSG_CTRUNC
     * @throws IllegalStateException if {@code op} is not a recvmsg completing now
     */
    @SuppressWarnings("unchecked")
    public List<ControlMessage> control(long op) throws IOException {
        int slot = liveSlot(op, IORING_OP_RECVMSG, "control");
        if (truncated[slot] != null) throw truncated[slot];
        List<?> got = received[slot];
        if (got == null) {
            if ((Uring.msgFlags(slotMemory.segment, slotBase(slot) + MSGHDR) & MSG_CTRUNC) != 0 && completing[slot]) {
                throw ACCESS.controlTruncated("io_uring recvmsg(" + held[slot] + ")", 0, 0, 0, false);
            }
            if (!completing[slot]) throw new IllegalStateException("control: " + Long.toHexString(op) + " has not completed");
            return List.of();
        }
        receivedTaken[slot] = true;
        return (List<ControlMessage>) got;
    }

    /** The sender of a {@link #recvMsg} that is completing (call it from the callback); null if none. */
    public SocketAddress sender(long op) {
        int slot = liveSlot(op, IORING_OP_RECVMSG, "sender");
        long base = slotBase(slot);
        int len = Uring.msgNameLen(slotMemory.segment, base + MSGHDR);
        if (len <= 0) return null;
        return ACCESS.fromKernel(Uring.getSockAddr(slotMemory.segment, base + ADDR, len));
    }

    /** msg_flags of a {@link #recvMsg} that is completing (call it from the callback). */
    public int messageFlags(long op) {
        int slot = liveSlot(op, IORING_OP_RECVMSG, "messageFlags");
        return Uring.msgFlags(slotMemory.segment, slotBase(slot) + MSGHDR);
    }

    /** Connects {@code socket} to {@code address}, IORING_OP_CONNECT (connect(2)). */
    public long connect(Socket socket, SocketAddress address, Completion done) throws IOException {
        SockAddr to = ACCESS.toKernel(socket, address, "io_uring connect");
        int i = begin(IORING_OP_CONNECT, socket, null, done);
        long base = slotBase(currentSlot);
        int len = Uring.putSockAddr(slotMemory.segment, base + ADDR, to);
        // connect takes the address length in off.
        prepFile(i, IORING_OP_CONNECT, socket, slotMemory.segment.address() + base + ADDR, 0, len);
        return end(i);
    }

    /** Accepts one connection, IORING_OP_ACCEPT (accept4(2) with SOCK_CLOEXEC). */
    public long accept(Socket listener, Acceptor done) throws IOException {
        int i = begin(IORING_OP_ACCEPT, listener, null, done);
        prepFile(i, IORING_OP_ACCEPT, listener, 0, 0, 0);
        ring.opFlags(i, SOCK_CLOEXEC);
        return end(i);
    }

    /**
     * Accepts connections until cancelled, IORING_OP_ACCEPT with IORING_ACCEPT_MULTISHOT
     * (Linux 5.19): one callback per connection.
     */
    public long acceptMultishot(Socket listener, Acceptor done) throws IOException {
        int i = begin(IORING_OP_ACCEPT, listener, null, done);
        prepFile(i, IORING_OP_ACCEPT, listener, 0, 0, 0);
        ring.opFlags(i, SOCK_CLOEXEC);
        ring.ioprio(i, IORING_ACCEPT_MULTISHOT);
        return end(i);
    }

    /**
     * Reads into {@code buffer[at, at+len)} at {@code fileOffset} (-1: the current position),
     * IORING_OP_READ (read(2)/pread(2)), or IORING_OP_READ_FIXED if the buffer is registered.
     */
    public long read(FdOwner file, RingBuffer buffer, int at, int len, long fileOffset, Completion done) throws IOException {
        return transfer(buffer.isRegistered() ? IORING_OP_READ_FIXED : IORING_OP_READ, file, buffer, at, len, fileOffset, done);
    }

    /**
     * Writes {@code buffer[at, at+len)}, IORING_OP_WRITE or WRITE_FIXED; see {@link #read}. To a
     * {@link Socket} it is {@link #send} instead (IORING_OP_SEND with MSG_NOSIGNAL, the buffer
     * passed by address even if registered, {@code fileOffset} ignored): a write to a socket whose
     * peer is gone raises SIGPIPE, which ends the process where SIGPIPE is at its default action.
     */
    public long write(FdOwner file, RingBuffer buffer, int at, int len, long fileOffset, Completion done) throws IOException {
        if (file instanceof Socket socket) return send(socket, buffer, at, len, 0, done);
        checkThread(); // the signal mask below is this thread's
        if (nonSocketWrites == 0) {
            if (sigpipe == null) sigpipe = new SigpipeBlock();
            int e = sigpipe.block();
            if (e != 0) throw ACCESS.error("pthread_sigmask(SIG_BLOCK, SIGPIPE)", e, null);
        }
        nonSocketWrites++;
        try {
            return transfer(buffer.isRegistered() ? IORING_OP_WRITE_FIXED : IORING_OP_WRITE, file, buffer, at, len, fileOffset, done);
        } catch (IOException | RuntimeException e) {
            nonSocketWriteEnded(false);
            throw e;
        }
    }

    /**
     * A write to a pipe or FIFO whose read end is closed raises SIGPIPE at the thread that runs
     * it, and the kernel runs a ring's operations on the ring's thread (at submission, or later as
     * task work when the pipe has room or hangs up). So while a write to an fd that is not a
     * socket is in flight, SIGPIPE is blocked in the ring's thread ({@link SigpipeBlock}); a write
     * that ends with EPIPE takes back the SIGPIPE it raised; the last one to end restores the mask.
     */
    private SigpipeBlock sigpipe;
    private int nonSocketWrites;

    private void nonSocketWriteEnded(boolean epipe) {
        if (epipe) sigpipe.takeRaised();
        if (--nonSocketWrites == 0) sigpipe.restore();
    }

    /** A read or write SQE over {@code buffer[at, at+len)}; a registered buffer also names its index. */
    private long transfer(int op, FdOwner file, RingBuffer buffer, int at, int len, long fileOffset, Completion done)
            throws IOException {
        long addr = addressOf(buffer, at, len);
        int i = begin(op, file, buffer, done);
        prepFile(i, op, file, addr, len, fileOffset);
        if (buffer.isRegistered()) ring.bufIndex(i, buffer.registeredIndex);
        return end(i);
    }

    /**
     * Waits for {@code events} ({@link #POLL_IN}, {@link #POLL_OUT}, any poll(2) bits) on
     * {@code file}, IORING_OP_POLL_ADD; with {@code multishot} (IORING_POLL_ADD_MULTI) it reports
     * every time until cancelled. The result is the revents.
     */
    public long poll(FdOwner file, int events, boolean multishot, Completion done) throws IOException {
        int i = begin(IORING_OP_POLL_ADD, file, null, done);
        prepFile(i, IORING_OP_POLL_ADD, file, 0, multishot ? IORING_POLL_ADD_MULTI : 0, 0);
        ring.opFlags(i, events);
        return end(i);
    }

    /**
     * Takes {@code file}'s fd from it and closes it through the ring, IORING_OP_CLOSE (close(2)):
     * from now on {@code file} is closed.
     *
     * @throws IllegalStateException if an operation or call is using it (cancel those first), or
     *         it is a registered file
     */
    public long close(FdOwner file, Completion done) throws IOException {
        checkOpen("io_uring close");
        if (fixedFiles.containsKey(file)) {
            throw new IllegalStateException("io_uring close: " + file + " is registered with the ring; unregisterFile first");
        }
        int slot = takeSlot();
        int fd = ACCESS.detach(file);
        if (fd < 0) {
            releaseSlot(slot);
            if (file instanceof Socket s && s.isClosed()) throw ACCESS.closed("io_uring close", file);
            throw new IllegalStateException("io_uring close: " + file + " is in use by a call or an operation in flight");
        }
        int i = sqe();
        fill(slot, IORING_OP_CLOSE, null, null, done);
        ring.prep(i, IORING_OP_CLOSE, fd, 0, 0, 0, userData(slot));
        return end(i);
    }

    /** Completes after {@code timeout} with -ETIME, IORING_OP_TIMEOUT (unless cancelled). */
    public long timeout(Duration timeout, Completion done) throws IOException {
        long nanos = nanos(timeout, "timeout");
        checkOpen("io_uring timeout");
        int slot = takeSlot();
        int i = sqe();
        fill(slot, IORING_OP_TIMEOUT, null, null, done);
        long base = slotBase(slot);
        Uring.putTimespec(slotMemory.segment, base + TS, nanos);
        ring.prep(i, IORING_OP_TIMEOUT, -1, slotMemory.segment.address() + base + TS, 1, 0, userData(slot));
        return end(i);
    }

    /**
     * Bounds the operation submitted just before by {@code timeout}, IORING_OP_LINK_TIMEOUT: if it
     * has not completed by then it is cancelled (its result -ECANCELED) and this completes with
     * -ETIME; otherwise this completes with -ECANCELED.
     *
     * @throws IllegalStateException if there is no operation queued since the last submit
     */
    public long linkTimeout(Duration timeout, Completion done) throws IOException {
        long nanos = nanos(timeout, "linkTimeout");
        checkOpen("io_uring link timeout");
        if (lastSqe < 0) throw new IllegalStateException("linkTimeout: no operation queued since the last submit to bound");
        ring.sqeFlags(lastSqe, ring.sqeFlags(lastSqe) | IOSQE_IO_LINK);
        int slot = takeSlot();
        if (lastSqe < 0) { // takeSlot had to submit to make room: the link is gone
            releaseSlot(slot);
            throw new IllegalStateException("linkTimeout: the ring was full and the operation to bound was submitted");
        }
        int i = sqe();
        fill(slot, IORING_OP_LINK_TIMEOUT, null, null, done);
        long base = slotBase(slot);
        Uring.putTimespec(slotMemory.segment, base + TS, nanos);
        ring.prep(i, IORING_OP_LINK_TIMEOUT, -1, slotMemory.segment.address() + base + TS, 1, 0, userData(slot));
        return end(i);
    }

    /**
     * Links the next operation to the one just queued (IOSQE_IO_LINK): it starts when that one
     * completes successfully, and is cancelled (-ECANCELED) if it fails or is short.
     *
     * @throws IllegalStateException if nothing was queued since the last submit
     */
    public void link() {
        checkThread();
        if (lastSqe < 0) throw new IllegalStateException("link: no operation queued since the last submit");
        ring.sqeFlags(lastSqe, ring.sqeFlags(lastSqe) | IOSQE_IO_LINK);
        linkNext = true;
    }

    /**
     * Asks the kernel to cancel operation {@code op}, IORING_OP_ASYNC_CANCEL; its callback then
     * gets -ECANCELED (or its result, if it finished first). Queued like any operation.
     *
     * @return false if {@code op} has already completed (nothing is sent)
     */
    public boolean cancel(long op) throws IOException {
        checkOpen("io_uring cancel");
        if (!isLive(op)) return false;
        int i = sqe();
        ring.prep(i, IORING_OP_ASYNC_CANCEL, -1, op, 0, 0, INTERNAL);
        lastSqe = -1;
        return true;
    }

    /** Whether {@code op} is still in flight (its last completion not yet delivered). */
    public boolean isLive(long op) {
        int slot = (int) op;
        if (op < 0 || slot < 0 || slot >= capacity) return false;
        return handlers[slot] != null && generation[slot] == (int) (op >>> 32);
    }

    // ---- submitting and completing ----------------------------------------------------------------

    /** Hands every queued operation to the kernel, io_uring_enter(2); returns how many. */
    public int submit() throws IOException {
        checkOpen("io_uring_enter");
        return submitQueued();
    }

    /**
     * Submits what is queued and waits until at least {@code minCompletions} completions are
     * there, io_uring_enter(2) with IORING_ENTER_GETEVENTS, then delivers all that arrived.
     *
     * @return the completions delivered
     */
    public int submitAndWait(int minCompletions) throws IOException {
        checkOpen("io_uring_enter");
        if (minCompletions < 0) throw new IllegalArgumentException("submitAndWait: minCompletions " + minCompletions + " < 0");
        // What is posted already, without a system call: the io_uring_enter below runs the
        // kernel's pending completion work itself (one system call where complete() would add one).
        int delivered = reap(false);
        if (delivered >= minCompletions && ring.unflushed() == 0) return minCompletions == 0 ? delivered + complete() : delivered;
        int want = Math.max(0, minCompletions - delivered);
        int n = ring.flush();
        lastSqe = -1;
        for (;;) {
            int r = ring.enter(n, want, IORING_ENTER_GETEVENTS);
            if (r >= 0 || r == -ETIME) break;
            if (r == -EINTR) {
                n = 0;
                if (Thread.currentThread().isInterrupted()) break;
                continue;
            }
            if (r == -EBUSY || r == -EAGAIN) { // completions must be reaped before more can be submitted
                n = 0;
                break;
            }
            throw ACCESS.error("io_uring_enter", -r, "ring fd " + ring.fd);
        }
        return delivered + reap(false);
    }

    /**
     * As {@link #submitAndWait(int)}, waiting at most {@code timeout} (IORING_ENTER_EXT_ARG).
     *
     * @return the completions delivered (0 if the time passed)
     */
    public int submitAndWait(int minCompletions, Duration timeout) throws IOException {
        long nanos = nanos(timeout, "submitAndWait");
        checkOpen("io_uring_enter");
        int delivered = reap(false);
        if (delivered >= minCompletions && ring.unflushed() == 0) return minCompletions == 0 ? delivered + complete() : delivered;
        int n = ring.flush();
        lastSqe = -1;
        int r = ring.enterTimed(n, Math.max(0, minCompletions - delivered), nanos);
        if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN) {
            throw ACCESS.error("io_uring_enter", -r, "ring fd " + ring.fd);
        }
        return delivered + reap(false);
    }

    /**
     * Delivers the completions already there, without a system call unless the kernel holds
     * overflowed ones (IORING_SQ_CQ_OVERFLOW) or has completion work waiting for this thread
     * (IORING_SQ_TASKRUN): then io_uring_enter(2) fetches them.
     *
     * @return how many were delivered
     */
    public int complete() throws IOException {
        return reap(true);
    }

    /**
     * Delivers the completions in the CQ; with {@code enter}, first makes the kernel post what it
     * holds back (overflowed completions, completion work waiting for this thread), which costs an
     * io_uring_enter(2) when the ring flags say there is some.
     */
    private int reap(boolean enter) throws IOException {
        checkThread();
        int done = 0;
        for (;;) {
            if (ring.cqReady() == 0) {
                if (!enter) return done;
                int wanted = taskrunFlag ? IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN : IORING_SQ_CQ_OVERFLOW;
                if ((ring.sqFlags() & wanted) == 0) return done;
                int r = ring.enter(0, 0, IORING_ENTER_GETEVENTS);
                if (r < 0 && r != -EINTR && r != -EBUSY && r != -EAGAIN) {
                    throw ACCESS.error("io_uring_enter", -r, "ring fd " + ring.fd);
                }
                if (ring.cqReady() == 0) return done;
            }
            long ud = ring.cqeUserData(0);
            int res = ring.cqeRes(0);
            int flags = ring.cqeFlags(0);
            ring.cqAdvance(1); // before the callback, which may wait for more
            if (ud != INTERNAL) {
                done++;
                deliver(ud, res, flags);
            }
        }
    }

    private void deliver(long ud, int res, int flags) throws IOException {
        int slot = (int) ud;
        if (slot < 0 || slot >= capacity || generation[slot] != (int) (ud >>> 32) || handlers[slot] == null) {
            throw new IllegalStateException("io_uring: a completion for unknown user_data " + Long.toHexString(ud));
        }
        boolean more = (flags & IORING_CQE_F_MORE) != 0;
        Object h = handlers[slot];
        if ((opcode[slot] == IORING_OP_WRITE || opcode[slot] == IORING_OP_WRITE_FIXED) && !(held[slot] instanceof Socket)) {
            nonSocketWriteEnded(res == -EPIPE); // before the callback, which may block or throw
        }
        completing[slot] = true;
        try {
            if (controlSpace[slot] > 0 && res >= 0) receiveControl(slot, res);
            if (h instanceof Acceptor a) {
                Socket accepted = null;
                IOException failure = null;
                if (res >= 0) {
                    accepted = ACCESS.accepted((Socket) held[slot], res);
                } else {
                    failure = exception(ud, res);
                }
                a.accepted(ud, accepted, failure, more);
            } else {
                ((Completion) h).complete(ud, res, flags);
            }
        } finally {
            completing[slot] = false;
            List<?> got = received[slot];
            received[slot] = null;
            truncated[slot] = null;
            try {
                if (got != null && !receivedTaken[slot]) {
                    @SuppressWarnings("unchecked")
                    List<ControlMessage> untaken = (List<ControlMessage>) got;
                    ACCESS.closeArrived(untaken);
                }
            } finally {
                receivedTaken[slot] = false;
                if (!more) finish(slot);
            }
        }
    }

    /**
     * Decodes what a recvmsg with control space received into {@link #received} (every fd owned at
     * once); on MSG_CTRUNC closes those fds and keeps Socket's exception for {@link #control}.
     */
    private void receiveControl(int slot, int res) {
        long base = slotBase(slot);
        long len = Math.min(Uring.msgControlLen(slotMemory.segment, base + MSGHDR), controlSpace[slot]);
        List<Cmsg> raw = Uring.readControl(controlMemory[slot].segment, len);
        List<ControlMessage> got = raw.isEmpty() ? List.of() : ACCESS.decodeControl(raw);
        if ((Uring.msgFlags(slotMemory.segment, base + MSGHDR) & MSG_CTRUNC) != 0) {
            boolean fdLimit = Syscalls.fdsRefused(raw, len, controlSpace[slot]);
            int closed = ACCESS.closeArrived(got);
            truncated[slot] = ACCESS.controlTruncated("io_uring recvmsg(" + held[slot] + ")", controlSpace[slot], res,
                    closed, fdLimit);
        } else {
            received[slot] = got;
        }
    }

    /** The exception for operation {@code op} ending with {@code result} (negative); call it from the callback. */
    public IOException exception(long op, int result) {
        if (result >= 0) throw new IllegalArgumentException("exception: result " + result + " is not an error");
        int slot = (int) op;
        String call = "io_uring";
        Object what = null;
        if (isLive(op)) {
            call = "io_uring " + opName(opcode[slot]);
            what = held[slot];
        }
        return ACCESS.error(call, -result, what);
    }

    /** Whether a completion's flags say that its (multishot) operation goes on: IORING_CQE_F_MORE. */
    public static boolean hasMore(int flags) {
        return (flags & IORING_CQE_F_MORE) != 0;
    }

    /** The provided buffer a completion used (IORING_CQE_F_BUFFER), or -1. */
    public static int bufferId(int flags) {
        return (flags & IORING_CQE_F_BUFFER) != 0 ? flags >>> IORING_CQE_BUFFER_SHIFT : -1;
    }

    // ---- slots -------------------------------------------------------------------------------------

    private int begin(int op, FdOwner file, RingBuffer buffer, Object done) throws IOException {
        Objects.requireNonNull(file, "socket");
        Objects.requireNonNull(done, "callback");
        // The call's name is built only for an exception: a steady stream of operations allocates nothing.
        checkThread();
        if (closed || closing) throw ACCESS.closed("io_uring " + opName(op), "io_uring ring");
        if (buffer != null && buffer.isFreed()) throw new IllegalStateException("io_uring " + opName(op) + ": " + buffer);
        int slot = takeSlot();
        if (!ACCESS.tryAcquire(file)) {
            releaseSlot(slot);
            throw ACCESS.closed("io_uring " + opName(op), file);
        }
        int i = sqe();
        fill(slot, op, file, buffer, done);
        currentSlot = slot;
        return i;
    }

    private int currentSlot;

    private void fill(int slot, int op, FdOwner file, RingBuffer buffer, Object done) {
        handlers[slot] = done;
        held[slot] = file;
        buffers[slot] = buffer;
        opcode[slot] = (byte) op;
        if (buffer != null) buffer.inFlight++;
        currentSlot = slot;
    }

    private void prepFile(int i, int op, FdOwner file, long addr, int len, long offset) {
        Integer fixed = fixedFiles.isEmpty() ? null : fixedFiles.get(file);
        if (fixed != null) {
            ring.prep(i, op, fixed, addr, len, offset, userData(currentSlot));
            ring.sqeFlags(i, IOSQE_FIXED_FILE);
        } else {
            ring.prep(i, op, ACCESS.fd(file), addr, len, offset, userData(currentSlot));
        }
    }

    private long end(int i) {
        lastSqe = i;
        linkNext = false;
        return userData(currentSlot);
    }

    /** The address of {@code buffer[at, at+len)}, once the ring is known to be open. */
    private long addressOf(RingBuffer buffer, int at, int len) throws IOException {
        checkOpen("io_uring");
        Objects.requireNonNull(buffer, "buffer");
        return buffer.address(at, len);
    }

    private long userData(int slot) {
        return (long) generation[slot] << 32 | slot;
    }

    private long slotBase(int slot) {
        return (long) slot * SLOT_BYTES;
    }

    /** A free slot; when none is left, submits and delivers completions until one is (back-pressure). */
    private int takeSlot() throws IOException {
        while (freeCount == 0) {
            if (linkNext) throw new IllegalStateException("io_uring: the ring is full; a linked chain cannot wait for room");
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("io_uring: interrupted while waiting for room in a full ring ("
                        + capacity + " operations in flight)");
            }
            submitAndWait(1);
            checkOpen("io_uring");
        }
        abandoned.inFlight++;
        return freeSlots[--freeCount];
    }

    private void releaseSlot(int slot) {
        abandoned.inFlight--;
        freeSlots[freeCount++] = slot;
    }

    /** An SQE; when the SQ is full, submits what is queued first. */
    private int sqe() throws IOException {
        int i = ring.nextSqe();
        while (i < 0) {
            if (linkNext) throw new IllegalStateException("io_uring: the submission queue is full inside a linked chain");
            submitQueued();
            i = ring.nextSqe();
            if (i < 0) { // the kernel wants completions reaped first
                ring.enter(0, 1, IORING_ENTER_GETEVENTS);
                complete();
                i = ring.nextSqe();
            }
        }
        return i;
    }

    private int submitQueued() throws IOException {
        int n = ring.flush();
        lastSqe = -1;
        int total = 0;
        while (n > 0) {
            int r = ring.enter(n, 0, 0);
            if (r == -EINTR) continue;
            if (r == -EBUSY || r == -EAGAIN) {
                complete();
                ring.enter(0, 1, IORING_ENTER_GETEVENTS);
                complete();
                continue;
            }
            if (r < 0) throw ACCESS.error("io_uring_enter", -r, "ring fd " + ring.fd);
            total += r;
            n -= r;
        }
        return total;
    }

    private void finish(int slot) {
        FdOwner f = held[slot];
        RingBuffer b = buffers[slot];
        handlers[slot] = null;
        held[slot] = null;
        buffers[slot] = null;
        generation[slot]++;
        FdOwner[] fds = heldFds[slot];
        heldFds[slot] = null;
        controlSpace[slot] = 0;
        if (b != null) b.inFlight--;
        releaseSlot(slot);
        if (f != null) ACCESS.release(f);
        if (fds != null) for (FdOwner fd : fds) ACCESS.release(fd);
    }

    private int liveSlot(long op, int wantOp, String what) {
        if (!isLive(op) || opcode[(int) op] != (byte) wantOp) {
            throw new IllegalStateException(what + ": " + Long.toHexString(op) + " is not a " + opName(wantOp) + " in flight");
        }
        return (int) op;
    }

    private void checkGroup(BufferGroup group) {
        if (group.ring != this) throw new IllegalArgumentException(group + " belongs to another ring");
    }

    private static long nanos(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) throw new IllegalArgumentException(what + ": negative duration " + d);
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    static String opName(int op) {
        return switch (op) {
            case IORING_OP_RECV -> "recv";
            case IORING_OP_SEND -> "send";
            case IORING_OP_SENDMSG -> "sendmsg";
            case IORING_OP_RECVMSG -> "recvmsg";
            case IORING_OP_ACCEPT -> "accept";
            case IORING_OP_CONNECT -> "connect";
            case IORING_OP_READ -> "read";
            case IORING_OP_WRITE -> "write";
            case IORING_OP_READ_FIXED -> "read_fixed";
            case IORING_OP_WRITE_FIXED -> "write_fixed";
            case IORING_OP_POLL_ADD -> "poll_add";
            case IORING_OP_CLOSE -> "close";
            case IORING_OP_TIMEOUT -> "timeout";
            case IORING_OP_LINK_TIMEOUT -> "link_timeout";
            case IORING_OP_ASYNC_CANCEL -> "async_cancel";
            default -> "op " + op;
        };
    }

    // ---- threads and life ---------------------------------------------------------------------------

    void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new WrongThreadException("io_uring Ring belongs to thread " + owner.getName()
                    + "; one ring per thread (" + Thread.currentThread().getName() + " is not it)");
        }
    }

    private void checkOpen(String call) throws IOException {
        checkThread();
        if (closed || closing) throw ACCESS.closed(call, "io_uring ring");
    }

    /** Whether {@link #close()} has begun. */
    public boolean isClosed() {
        return closed || closing;
    }

    /** Completions in the CQ not yet delivered (for tests). */
    int completionsReady() {
        return ring.cqReady();
    }

    /** Whether {@link #close()} has ended (its memory is freed, or left to the kernel). */
    boolean isFreed() {
        return closed;
    }

    /**
     * Cancels every operation in flight (IORING_OP_ASYNC_CANCEL with IORING_ASYNC_CANCEL_ANY),
     * waits for all their completions and delivers them (most with -ECANCELED), unregisters the
     * files, buffers and groups, frees the ring's memory and closes the ring fd. Closes no socket.
     * Idempotent; from the ring's thread only. A callback's exception during close is rethrown at
     * the end.
     */
    @Override
    public void close() {
        checkThread();
        if (closed || closing) return;
        closing = true;
        RuntimeException thrown = null;
        try {
            if (inFlight() > 0) {
                int i;
                while ((i = ring.nextSqe()) < 0) {
                    ring.flush();
                    ring.enter(ring.sqEntries - ring.sqSpace(), 0, 0);
                }
                ring.prep(i, IORING_OP_ASYNC_CANCEL, -1, 0, 0, 0, INTERNAL);
                ring.opFlags(i, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
            }
            ring.flush();
            int pending = ring.sqEntries - ring.sqSpace(); // queued before close, and the cancel
            while (pending > 0) {
                int r = ring.enter(pending, 0, 0);
                if (r == -EBUSY || r == -EAGAIN) { // the CQ is full: make room, then submit the rest
                    try {
                        drain();
                        ring.enter(0, 1, IORING_ENTER_GETEVENTS);
                        drain();
                    } catch (RuntimeException e) {
                        if (thrown == null) thrown = e;
                    }
                } else if (r < 0 && r != -EINTR) {
                    break; // refused: what was never submitted never completes, so waiting below could not end
                }
                pending = ring.sqEntries - ring.sqSpace();
            }
            while (inFlight() > 0 && pending == 0) {
                try {
                    int r = ring.enter(0, 1, IORING_ENTER_GETEVENTS);
                    if (r < 0 && r != -EINTR && r != -ETIME && r != -EBUSY) break; // cannot wait: give up the memory below
                    drain();
                } catch (RuntimeException e) {
                    if (thrown == null) thrown = e;
                }
            }
        } finally {
            closed = true;
            if (inFlight() == 0) {
                for (Map.Entry<FdOwner, Integer> e : fixedFiles.entrySet()) ACCESS.release(e.getKey());
                fixedFiles.clear();
                if (fixedFilesRegistered > 0) ring.unregisterFiles();
                if (buffersRegistered) ring.unregisterBuffers();
                for (BufferGroup g : groups) ring.unregisterBufRing(g.id);
                ring.close();
                for (BufferGroup g : groups) g.bufs.free();
                for (RingBuffer b : allocated) b.free();
                slotMemory.free();
                for (int k = 0; k < capacity; k++) {
                    if (controlMemory[k] != null) controlMemory[k].free();
                    controlMemory[k] = null;
                }
            } else {
                // The kernel could still write into this memory: leave it mapped and allocated
                // (a leak, never a use-after-free); closing the fd makes the kernel cancel the rest.
                ring.close();
            }
            allocated.clear();
            groups.clear();
            abandoned.closed = true;
            cleanable.clean(); // no longer watched: nothing is left for the Cleaner
        }
        if (thrown != null) throw thrown;
    }

    private void drain() {
        while (ring.cqReady() > 0) {
            long ud = ring.cqeUserData(0);
            int res = ring.cqeRes(0);
            int flags = ring.cqeFlags(0);
            ring.cqAdvance(1);
            if (ud == INTERNAL) continue;
            try {
                deliver(ud, res, flags);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Override
    public String toString() {
        return "Ring[fd=" + ring.fd + ", " + ring.sqEntries + "/" + ring.cqEntries + " entries, " + inFlight() + " in flight"
                + (closed ? ", closed" : "") + "]";
    }
}
