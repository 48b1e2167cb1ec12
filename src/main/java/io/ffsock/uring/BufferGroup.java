package io.ffsock.uring;

import io.ffsock.internal.sys.Uring;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING, Linux 5.19): buffers of one size that the
 * kernel picks from when data arrives, so a multishot receive needs no buffer per connection.
 * A completion that used one carries its id ({@link Ring#bufferId}); read the data with
 * {@link #get}, then {@link #recycle} the buffer. When all are in use, a receive on the group
 * ends with ENOBUFS. Made by {@link Ring#bufferGroup}, freed with the ring.
 */
public final class BufferGroup {
    final Ring ring;
    final int id;
    final Uring.BufRing bufs;

    BufferGroup(Ring ring, int id, Uring.BufRing bufs) {
        this.ring = ring;
        this.id = id;
        this.bufs = bufs;
    }

    /** The group id (buf_group of the SQEs that select from it). */
    public int id() {
        return id;
    }

    /** How many buffers it has. */
    public int count() {
        return bufs.entries;
    }

    /** The size of each buffer. */
    public int bufferSize() {
        return bufs.size;
    }

    /** Copies the first {@code length} bytes of buffer {@code bufferId} to {@code dst[off, off+length)}. */
    public void get(int bufferId, byte[] dst, int off, int length) {
        check(bufferId, length);
        Objects.checkFromIndexSize(off, length, dst.length);
        Uring.copyOut(bufs.buffer(bufferId, bufs.size), 0, dst, off, length);
    }

    /** Copies the first {@code length} bytes of buffer {@code bufferId} into {@code dst} at {@code at}. */
    public void copyTo(int bufferId, int length, RingBuffer dst, int at) {
        check(bufferId, length);
        MemorySegment.copy(bufs.buffer(bufferId, bufs.size), 0, dst.segment(), at, length);
    }

    /** Buffer {@code bufferId}'s first {@code length} bytes, valid until it is recycled. */
    public MemorySegment segment(int bufferId, int length) {
        check(bufferId, length);
        return bufs.buffer(bufferId, length);
    }

    /**
     * Gives buffer {@code bufferId} back to the kernel for the next receive. While the ring is
     * closing (a callback that {@link Ring#close()} delivers) there is no next receive, and this
     * does nothing.
     *
     * @throws IllegalStateException once the ring is closed (the group's memory is freed)
     */
    public void recycle(int bufferId) {
        ring.checkThread();
        check(bufferId, 0);
        if (ring.isClosed()) return;
        bufs.recycle(bufferId);
    }

    // The memory lives until close() has delivered the last completion: callbacks during close may
    // still read what arrived.
    private void check(int bufferId, int length) {
        if (ring.isFreed()) throw new IllegalStateException("BufferGroup " + id + ": the ring is closed");
        Objects.checkIndex(bufferId, bufs.entries);
        Objects.checkFromIndexSize(0, length, bufs.size);
    }

    @Override
    public String toString() {
        return "BufferGroup[" + id + ": " + count() + " x " + bufferSize() + " bytes]";
    }
}
