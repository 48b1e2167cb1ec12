package io.ffsock.bench;

import java.io.IOException;

/**
 * One implementation's AF_UNIX sockets, as the benchmark loops ({@link Peer}) use them. Each
 * process loads exactly one implementation, so every call site in the loops stays monomorphic.
 * Every connection owns its buffers (allocated once): the loops move bytes and nothing else.
 */
interface Transport {
    /** Binds {@code path} (stream or seqpacket), listens, calls {@code ready}, accepts one peer. */
    Conn accept(String path, boolean seqpacket, Runnable ready) throws IOException;

    Conn connect(String path, boolean seqpacket) throws IOException;

    /** Binds a datagram socket to {@code path}, then calls {@code ready}. */
    Dgram bindDgram(String path, Runnable ready) throws IOException;

    /** A datagram socket connected to {@code path}. */
    Dgram connectDgram(String path) throws IOException;

    /**
     * W7: binds a stream listener to {@code path} with {@code backlog}; the connections it accepts
     * have {@code buffer}-byte buffers (1,000 of them at once, so not 64 KiB each).
     */
    default Listener listen(String path, int backlog, int buffer) throws IOException {
        throw new UnsupportedOperationException("no W7 listener");
    }

    /** W7: a stream connection to {@code path} with a {@code buffer}-byte buffer. */
    default Conn connect(String path, int buffer) throws IOException {
        throw new UnsupportedOperationException("no W7 connection");
    }

    /** A listening stream socket, for many connections (W7). */
    interface Listener extends AutoCloseable {
        Conn accept() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A stream or seqpacket connection with a 64 KiB buffer (W7: the size it asked for). */
    interface Conn extends AutoCloseable {
        /** Sends the first {@code n} bytes of the buffer; returns the bytes sent (a stream may take fewer). */
        int send(int n) throws IOException;

        /** Receives up to {@code n} bytes into the buffer; returns the bytes received, 0 at end of stream. */
        int recv(int n) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A datagram socket with room for 32 messages of 64 bytes. */
    interface Dgram extends AutoCloseable {
        void send64() throws IOException;

        /** Receives one message; returns its length (64). */
        int recv64() throws IOException;

        /** sendmmsg of 32 messages of 64 bytes; returns how many went. */
        default int sendBatch32() throws IOException {
            throw new UnsupportedOperationException("no sendmmsg");
        }

        /** recvmmsg of up to 32 messages; returns how many came. */
        default int recvBatch32() throws IOException {
            throw new UnsupportedOperationException("no recvmmsg");
        }

        @Override
        void close() throws IOException;
    }
}
