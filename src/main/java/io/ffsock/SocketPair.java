package io.ffsock;

/**
 * Two connected AF_UNIX sockets from socketpair(2); closing the pair closes both.
 *
 * @param first  one end
 * @param second the other end
 */
public record SocketPair(Socket first, Socket second) implements AutoCloseable {
    @Override
    public void close() {
        first.close();
        second.close();
    }
}
