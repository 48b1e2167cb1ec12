package io.ffsock.uring;

import io.ffsock.internal.sys.Uring;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Native memory owned by a {@link Ring}, for operations the kernel finishes later: it cannot be
 * freed while an operation may still read or write it. {@link #close()} then refuses (an
 * {@link IllegalStateException}, not a use-after-free); {@link Ring#close()} frees every buffer
 * once the ring's last completion has arrived. Made by {@link Ring#allocate}.
 *
 * <p>Like the ring, a buffer is used from the ring's thread; its memory is page-aligned.
 */
public final class RingBuffer implements AutoCloseable {
    private final Ring ring;
    private final Uring.Memory memory;
    private final MemorySegment segment;
    int inFlight;
    /** The index given by {@link Ring#registerBuffers}, or -1. */
    int registeredIndex = -1;
    private boolean freed;

    RingBuffer(Ring ring, int size) {
        this.ring = ring;
        this.memory = new Uring.Memory(size);
        this.segment = memory.segment.asSlice(0, size);
    }

    /** The size in bytes. */
    public int size() {
        return (int) segment.byteSize();
    }

    /**
     * The memory, for reading what a receive stored and writing what a send takes. Reading or
     * writing it while an operation is in flight on it races with the kernel (no crash, but
     * undefined contents); after the buffer is freed the segment throws IllegalStateException.
     */
    public MemorySegment segment() {
        return segment;
    }

    /** Copies {@code src[off, off+len)} to {@code at}. */
    public void put(int at, byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        Uring.copyIn(src, off, segment, at, len);
    }

    /** Copies {@code len} bytes from {@code at} to {@code dst[off, off+len)}. */
    public void get(int at, byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        Uring.copyOut(segment, at, dst, off, len);
    }

    /** Operations that may still use this buffer. */
    public int inFlight() {
        return inFlight;
    }

    /** Whether the registered-buffer table of the ring has it (its operations then use the fixed forms). */
    public boolean isRegistered() {
        return registeredIndex >= 0;
    }

    /**
     * Frees the memory. Idempotent.
     *
     * @throws IllegalStateException if an operation is in flight on it: cancel it and wait for its
     *         completion first; or if the ring has it registered (freed with the ring)
     */
    @Override
    public void close() {
        ring.checkThread();
        if (freed) return;
        if (inFlight > 0) {
            throw new IllegalStateException("RingBuffer.close: " + inFlight + " operation(s) in flight may still"
                    + " use this buffer; cancel them and wait for their completions first");
        }
        if (registeredIndex >= 0) {
            throw new IllegalStateException("RingBuffer.close: the ring has this buffer registered"
                    + " (IORING_REGISTER_BUFFERS); it is freed when the ring closes");
        }
        free();
        ring.forget(this);
    }

    void free() {
        if (freed) return;
        freed = true;
        memory.free();
    }

    boolean isFreed() {
        return freed;
    }

    /** Its memory, for the ring's Cleaner (which must not refer to this buffer). */
    Uring.Memory memory() {
        return memory;
    }

    long address(int at, int len) {
        if (freed) throw new IllegalStateException("RingBuffer is closed");
        Objects.checkFromIndexSize(at, len, size());
        return segment.address() + at;
    }

    @Override
    public String toString() {
        return "RingBuffer[" + size() + " bytes" + (freed ? ", closed" : inFlight > 0 ? ", " + inFlight + " in flight" : "") + "]";
    }
}
