package io.ffsock.internal.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

/**
 * Native memory for sendmmsg(2)/recvmmsg(2): an array of struct mmsghdr, one iovec, one
 * sockaddr_storage and one data slot of {@code maxSize} bytes per message, allocated once and
 * reused for every batch, so a steady stream of batches allocates nothing.
 *
 * <p>Not thread-safe: one batch is used by one thread at a time. {@link #close()} frees the memory.
 */
public final class Mmsg implements AutoCloseable {
    private static final MethodHandle SENDMMSG = Syscalls.errnoHandle("sendmmsg",
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle RECVMMSG = Syscalls.errnoHandle("recvmmsg",
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);

    private static final long HDR = Structs.MMSGHDR.byteSize();
    private static final long IOV = Structs.IOVEC.byteSize();
    private static final long NAME = Structs.SOCKADDR_STORAGE.byteSize();
    private static final long MSG_NAME = Structs.MMSGHDR.byteOffset(PathElement.groupElement("msg_hdr"), PathElement.groupElement("msg_name"));
    private static final long MSG_NAMELEN = Structs.MMSGHDR.byteOffset(PathElement.groupElement("msg_hdr"), PathElement.groupElement("msg_namelen"));
    private static final long MSG_IOV = Structs.MMSGHDR.byteOffset(PathElement.groupElement("msg_hdr"), PathElement.groupElement("msg_iov"));
    private static final long MSG_IOVLEN = Structs.MMSGHDR.byteOffset(PathElement.groupElement("msg_hdr"), PathElement.groupElement("msg_iovlen"));
    private static final long MSG_FLAGS = Structs.MMSGHDR.byteOffset(PathElement.groupElement("msg_hdr"), PathElement.groupElement("msg_flags"));
    private static final long MSG_LEN = Structs.MMSGHDR.byteOffset(PathElement.groupElement("msg_len"));
    private static final long IOV_BASE = Structs.IOVEC.byteOffset(PathElement.groupElement("iov_base"));
    private static final long IOV_LEN = Structs.IOVEC.byteOffset(PathElement.groupElement("iov_len"));

    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final int maxSize;
    private final MemorySegment hdrs;
    private final MemorySegment iovs;
    private final MemorySegment names;
    private final MemorySegment data;

    /** Memory for {@code capacity} messages of at most {@code maxSize} bytes each. */
    public Mmsg(int capacity, int maxSize) {
        this.capacity = capacity;
        this.maxSize = maxSize;
        hdrs = arena.allocate(HDR * capacity, 8);
        iovs = arena.allocate(IOV * capacity, 8);
        names = arena.allocate(NAME * capacity, 8);
        data = arena.allocate((long) maxSize * capacity, 16);
        for (int i = 0; i < capacity; i++) {
            long h = i * HDR;
            iovs.set(ADDRESS, i * IOV + IOV_BASE, data.asSlice((long) i * maxSize, maxSize));
            hdrs.set(ADDRESS, h + MSG_IOV, iovs.asSlice(i * IOV, IOV));
            hdrs.set(JAVA_LONG, h + MSG_IOVLEN, 1);
        }
    }

    public int capacity() {
        return capacity;
    }

    public int maxSize() {
        return maxSize;
    }

    /** Puts message {@code i} to send: the bytes {@code a[off, off+len)} to {@code to} (null: connected peer). */
    public void setSend(int i, byte[] a, int off, int len, SockAddr to) {
        MemorySegment.copy(a, off, data, JAVA_BYTE, (long) i * maxSize, len);
        setSendMeta(i, len, to);
    }

    /** Puts message {@code i} to send: the buffer's remaining bytes (its position is not moved). */
    public void setSend(int i, ByteBuffer b, SockAddr to) {
        int len = b.remaining();
        MemorySegment.copy(MemorySegment.ofBuffer(b), 0, data, (long) i * maxSize, len);
        setSendMeta(i, len, to);
    }

    private void setSendMeta(int i, int len, SockAddr to) {
        long h = i * HDR;
        iovs.set(JAVA_LONG, i * IOV + IOV_LEN, len);
        if (to == null) {
            hdrs.set(ADDRESS, h + MSG_NAME, MemorySegment.NULL);
            hdrs.set(JAVA_INT, h + MSG_NAMELEN, 0);
        } else {
            MemorySegment.copy(to.bytes, 0, names, JAVA_BYTE, i * NAME, to.length);
            hdrs.set(JAVA_LONG, h + MSG_NAME, names.address() + i * NAME);
            hdrs.set(JAVA_INT, h + MSG_NAMELEN, to.length);
        }
        hdrs.set(JAVA_INT, h + MSG_FLAGS, 0);
        hdrs.set(JAVA_INT, h + MSG_LEN, 0);
    }

    /**
     * Makes every slot ready to receive a full-size message and its sender's address. Only the
     * fields a send or the kernel changed are written: the name pointers are computed once.
     */
    private void prepareReceive(int count, boolean senders) {
        for (int i = 0; i < count; i++) {
            long h = i * HDR;
            iovs.set(JAVA_LONG, i * IOV + IOV_LEN, maxSize);
            hdrs.set(JAVA_LONG, h + MSG_NAME, senders ? names.address() + i * NAME : 0L);
            hdrs.set(JAVA_INT, h + MSG_NAMELEN, senders ? (int) NAME : 0);
        }
    }

    /** sendmmsg(2) of messages {@code [from, from+count)}; returns how many were sent, or -errno. */
    public int sendmmsg(int fd, int from, int count, int flags) {
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            int r = (int) SENDMMSG.invokeExact(s.errno, fd, hdrs.asSlice(from * HDR), count, flags);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /**
     * recvmmsg(2) of up to {@code count} messages, no timeout; returns how many came, or -errno.
     * With {@code senders} false the headers carry no msg_name, and the kernel stores no addresses.
     */
    public int recvmmsg(int fd, int count, int flags, boolean senders) {
        prepareReceive(count, senders);
        Syscalls.Scratch s = Syscalls.scratch();
        try {
            int r = (int) RECVMMSG.invokeExact(s.errno, fd, hdrs, count, flags, MemorySegment.NULL);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Syscalls.unexpected(t);
        }
    }

    /** The bytes received in (or sent from) message {@code i}: msg_len. */
    public int length(int i) {
        return hdrs.get(JAVA_INT, i * HDR + MSG_LEN);
    }

    /** The msg_flags of received message {@code i}. */
    public int flags(int i) {
        return hdrs.get(JAVA_INT, i * HDR + MSG_FLAGS);
    }

    /** Copies up to {@code len} bytes of received message {@code i} to {@code dst[off...]}; returns the count. */
    public int copyOut(int i, byte[] dst, int off, int len) {
        int n = Math.min(Math.min(len, length(i)), maxSize);
        MemorySegment.copy(data, JAVA_BYTE, (long) i * maxSize, dst, off, n);
        return n;
    }

    /** Copies received message {@code i} into the buffer's remaining space; returns the count (position not moved). */
    public int copyOut(int i, ByteBuffer dst) {
        int n = Math.min(Math.min(dst.remaining(), length(i)), maxSize);
        MemorySegment.copy(data, (long) i * maxSize, MemorySegment.ofBuffer(dst), 0, n);
        return n;
    }

    /** The sender of received message {@code i}. */
    public SockAddr sender(int i) {
        int len = Math.min(hdrs.get(JAVA_INT, i * HDR + MSG_NAMELEN), (int) NAME);
        byte[] b = new byte[(int) NAME];
        MemorySegment.copy(names, JAVA_BYTE, i * NAME, b, 0, Math.max(len, 0));
        return new SockAddr(b, Math.max(len, 0));
    }

    @Override
    public void close() {
        arena.close();
    }
}
