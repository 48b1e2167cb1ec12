package io.ffsock;

import io.ffsock.internal.sys.Mmsg;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A batch of datagram or seqpacket messages for {@link Socket#sendBatch} (sendmmsg(2)) and
 * {@link Socket#recvBatch} (recvmmsg(2)): many messages in one system call.
 *
 * <p>The native memory (headers, addresses and one slot of {@code maxMessageSize} bytes per
 * message) is allocated once, here, and reused for every batch: filling, sending, receiving and
 * copying out allocate nothing. A batch is used by one thread at a time; close it to free the memory.
 *
 * <pre>{@code
 * try (MessageBatch batch = new MessageBatch(32, 2048)) {
 *     batch.clear();
 *     for (byte[] m : messages) batch.add(m, 0, m.length);
 *     int sent = socket.sendBatch(batch);
 *
 *     int n = socket.recvBatch(batch);
 *     for (int i = 0; i < n; i++) handle(batch.length(i), batch.copy(i, buffer, 0));
 * }
 * }</pre>
 */
public final class MessageBatch implements AutoCloseable {
    private final Mmsg memory;
    private int size;
    private int received;
    private CachedTarget lastTarget;
    private SocketAddress noName;
    private boolean collectSenders = true;
    /** Whether the last receive asked for senders (so {@link #sender} has something to read). */
    private boolean sendersReceived;

    private record CachedTarget(SocketAddress address, Family family, io.ffsock.internal.sys.SockAddr kernel) {}

    /**
     * A batch of {@code capacity} message slots, each of {@code maxMessageSize} bytes, in native
     * memory allocated once here.
     *
     * @param capacity       the most messages one batch holds (1..1024; UIO_MAXIOV is the kernel's limit)
     * @param maxMessageSize the largest message a slot holds, in bytes (1..16 MiB); longer
     *                       received messages are truncated (see {@link #isTruncated(int)})
     */
    public MessageBatch(int capacity, int maxMessageSize) {
        if (capacity < 1 || capacity > 1024) throw new IllegalArgumentException("batch capacity " + capacity + " is not in 1..1024");
        if (maxMessageSize < 1 || maxMessageSize > 1 << 24) {
            throw new IllegalArgumentException("message size " + maxMessageSize + " is not in 1..16 MiB");
        }
        memory = new Mmsg(capacity, maxMessageSize);
    }

    /** The most messages the batch holds. */
    public int capacity() {
        return memory.capacity();
    }

    /** The largest message a slot holds. */
    public int maxMessageSize() {
        return memory.maxSize();
    }

    /** Empties the batch for filling. */
    public void clear() {
        size = 0;
        received = 0;
    }

    /** The messages added since {@link #clear()}. */
    public int size() {
        return size;
    }

    /** Adds a message to send on a connected socket: {@code data[offset, offset+length)}, copied now. */
    public MessageBatch add(byte[] data, int offset, int length) {
        return add(data, offset, length, null, null);
    }

    /**
     * Adds a message to send to {@code target} (checked against the socket's family when sent).
     * Adding many messages to the same target object converts the address once.
     */
    public MessageBatch add(byte[] data, int offset, int length, SocketAddress target, Family family) {
        Objects.checkFromIndexSize(offset, length, data.length);
        checkRoom(length);
        memory.setSend(size++, data, offset, length, kernel(target, family));
        return this;
    }

    /** Adds the buffer's remaining bytes as a message (position not moved), copied now. */
    public MessageBatch add(ByteBuffer data) {
        checkRoom(data.remaining());
        memory.setSend(size++, data, null);
        return this;
    }

    private void checkRoom(int length) {
        if (size == memory.capacity()) throw new IllegalStateException("batch is full (" + size + " messages)");
        if (length > memory.maxSize()) {
            throw new IllegalArgumentException("message of " + length + " bytes is larger than the batch's slots of " + memory.maxSize());
        }
    }

    private io.ffsock.internal.sys.SockAddr kernel(SocketAddress target, Family family) {
        if (target == null) return null;
        Objects.requireNonNull(family, "family of the socket the batch is for");
        CachedTarget c = lastTarget;
        if (c != null && c.address == target && c.family.equals(family)) return c.kernel;
        io.ffsock.internal.sys.SockAddr k = Addresses.toKernel(target, family, "sendmmsg");
        lastTarget = new CachedTarget(target, family, k);
        return k;
    }

    /**
     * Whether {@link Socket#recvBatch} asks the kernel for each message's sender (the default).
     * Off, the headers carry no address buffer (msg_name NULL), the kernel copies no addresses, and
     * {@link #sender} throws: worth it when the senders are not needed, on a connected socket say.
     * Measured with W4b here, receiving senders costs about 100 ns a message, an eighth of the
     * receiver's time.
     */
    public MessageBatch collectSenders(boolean collect) {
        this.collectSenders = collect;
        return this;
    }

    /** Whether receives ask for senders; see {@link #collectSenders(boolean)}. */
    public boolean collectsSenders() {
        return collectSenders;
    }

    /** The messages the last {@link Socket#recvBatch} stored. */
    public int received() {
        return received;
    }

    /** Records a receive; {@code noName} is what a sender without address stands for (or null). */
    void setReceived(int n, SocketAddress noName, boolean senders) {
        received = n;
        this.noName = noName;
        this.sendersReceived = senders;
    }

    /** The length of message {@code i}: bytes received (or sent). */
    public int length(int i) {
        Objects.checkIndex(i, memory.capacity());
        return memory.length(i);
    }

    /** Whether received message {@code i} was longer than its slot and its tail was dropped. */
    public boolean isTruncated(int i) {
        Objects.checkIndex(i, memory.capacity());
        return (memory.flags(i) & io.ffsock.internal.sys.Const.MSG_TRUNC) != 0;
    }

    /** Copies received message {@code i} into {@code dst} from {@code offset}; returns the bytes copied. */
    public int copy(int i, byte[] dst, int offset) {
        Objects.checkIndex(i, received);
        return memory.copyOut(i, dst, offset, dst.length - offset);
    }

    /** Copies received message {@code i} into the buffer; its position moves by the bytes copied. */
    public int copy(int i, ByteBuffer dst) {
        Objects.checkIndex(i, received);
        int n = memory.copyOut(i, dst);
        dst.position(dst.position() + n);
        return n;
    }

    /** Received message {@code i} as a new array. */
    public byte[] data(int i) {
        byte[] b = new byte[Math.min(length(i), memory.maxSize())];
        copy(i, b, 0);
        return b;
    }

    /**
     * The sender of received message {@code i} (a new object).
     *
     * @throws IllegalStateException if the receive did not collect senders ({@link #collectSenders})
     */
    public SocketAddress sender(int i) {
        Objects.checkIndex(i, received);
        if (!sendersReceived) {
            throw new IllegalStateException("sender(" + i + "): this batch was received without senders (collectSenders(false))");
        }
        SocketAddress a = Addresses.fromKernel(memory.sender(i));
        return a != null ? a : noName; // an unbound AF_UNIX sender comes with no address at all
    }

    Mmsg memory() {
        return memory;
    }

    /** Frees the native memory. */
    @Override
    public void close() {
        memory.close();
    }
}
