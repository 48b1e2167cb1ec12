package io.ffsock;

/**
 * A socket type (the {@code type} argument of socket(2)), such as {@code SOCK_STREAM}.
 *
 * <p>Prints as its C name, or the bare number when ffsock has no name for it. The kernel flags
 * SOCK_CLOEXEC and SOCK_NONBLOCK are not types: ffsock always sets CLOEXEC itself and handles
 * blocking through {@link Socket#setTimeout}.
 *
 * @param value the SOCK_* number
 */
public record SocketType(int value) {
    /** Reliable byte stream. */
    public static final SocketType STREAM = new SocketType(1);
    /** Datagrams: connectionless, boundaries kept. */
    public static final SocketType DGRAM = new SocketType(2);
    /** Raw network protocol access, raw(7); needs CAP_NET_RAW. */
    public static final SocketType RAW = new SocketType(3);
    /** Connection-oriented, reliable, boundaries kept. */
    public static final SocketType SEQPACKET = new SocketType(5);

    /** Whether sockets of this type keep message boundaries (every type but STREAM). */
    public boolean keepsBoundaries() {
        return value != 1;
    }

    /** Whether sockets of this type are connection-oriented (STREAM and SEQPACKET). */
    public boolean isConnectionOriented() {
        return value == 1 || value == 5;
    }

    @Override
    public String toString() {
        return switch (value) {
            case 1 -> "SOCK_STREAM";
            case 2 -> "SOCK_DGRAM";
            case 3 -> "SOCK_RAW";
            case 5 -> "SOCK_SEQPACKET";
            default -> Integer.toString(value);
        };
    }
}
