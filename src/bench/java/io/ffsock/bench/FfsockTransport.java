package io.ffsock.bench;

import io.ffsock.Family;
import io.ffsock.MessageBatch;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ffsock. {@code heap == false}: data in a native {@link MemorySegment} (the zero-copy path);
 * {@code heap == true}: data in a {@code byte[]} (a blocking call copies it through the thread's
 * native bounce buffer, see Syscalls).
 */
final class FfsockTransport implements Transport {
    private final boolean heap;

    FfsockTransport(boolean heap) {
        this.heap = heap;
    }

    @Override
    public Conn accept(String path, boolean seqpacket, Runnable ready) throws IOException {
        return conn(acceptOne(path, seqpacket, ready));
    }

    @Override
    public Conn connect(String path, boolean seqpacket) throws IOException {
        return conn(connectTo(path, seqpacket));
    }

    /** Binds {@code path}, listens, calls {@code ready} and returns the one connection accepted. */
    static Socket acceptOne(String path, boolean seqpacket, Runnable ready) throws IOException {
        Files.deleteIfExists(Path.of(path));
        try (Socket l = Socket.open(Family.UNIX, seqpacket ? SocketType.SEQPACKET : SocketType.STREAM)) {
            l.bind(UnixAddress.path(path));
            l.listen(16);
            ready.run();
            return l.accept();
        }
    }

    static Socket connectTo(String path, boolean seqpacket) throws IOException {
        Socket s = Socket.open(Family.UNIX, seqpacket ? SocketType.SEQPACKET : SocketType.STREAM);
        s.connect(UnixAddress.path(path));
        return s;
    }

    @Override
    public Listener listen(String path, int backlog, int buffer) throws IOException {
        Files.deleteIfExists(Path.of(path));
        Socket l = Socket.open(Family.UNIX, SocketType.STREAM);
        l.bind(UnixAddress.path(path));
        l.listen(backlog);
        return new Listener() {
            public Conn accept() throws IOException { return conn(l.accept(), buffer); }
            public void close() { l.close(); }
        };
    }

    @Override
    public Conn connect(String path, int buffer) throws IOException {
        return conn(connectTo(path, false), buffer);
    }

    private Conn conn(Socket s) {
        return conn(s, 64 * 1024);
    }

    private Conn conn(Socket s, int size) {
        if (heap) {
            byte[] b = new byte[size];
            return new Conn() {
                public int send(int n) throws IOException { return s.send(b, 0, n); }
                public int recv(int n) throws IOException { return s.recv(b, 0, n); }
                public void close() { s.close(); }
            };
        }
        MemorySegment seg = Arena.ofAuto().allocate(size, 64);
        MemorySegment[] slices = new MemorySegment[size + 1];
        return new Conn() {
            private MemorySegment slice(int n) {
                MemorySegment m = slices[n];
                if (m == null) m = slices[n] = seg.asSlice(0, n);
                return m;
            }

            public int send(int n) throws IOException { return (int) s.send(slice(n)); }
            public int recv(int n) throws IOException { return (int) s.recv(slice(n)); }
            public void close() { s.close(); }
        };
    }

    @Override
    public Dgram bindDgram(String path, Runnable ready) throws IOException {
        return dgram(boundDgram(path, ready));
    }

    @Override
    public Dgram connectDgram(String path) throws IOException {
        return dgram(connectedDgram(path));
    }

    /** A datagram socket bound to {@code path}; {@code ready} is called once it is. */
    static Socket boundDgram(String path, Runnable ready) throws IOException {
        Files.deleteIfExists(Path.of(path));
        Socket s = Socket.open(Family.UNIX, SocketType.DGRAM);
        s.bind(UnixAddress.path(path));
        ready.run();
        return s;
    }

    static Socket connectedDgram(String path) throws IOException {
        Socket s = Socket.open(Family.UNIX, SocketType.DGRAM);
        s.connect(UnixAddress.path(path));
        return s;
    }

    private Dgram dgram(Socket s) {
        // No senders, as the C receiver passes no msg_name: the same work in the kernel.
        MessageBatch batch = new MessageBatch(32, 64).collectSenders(false);
        byte[] msg = new byte[64];
        for (int i = 0; i < 32; i++) batch.add(msg, 0, 64);
        if (heap) {
            byte[] b = new byte[64];
            return new Dgram() {
                public void send64() throws IOException { s.send(b, 0, 64); }
                public int recv64() throws IOException { return s.recv(b, 0, 64); }
                public int sendBatch32() throws IOException { return s.sendBatch(batch); }
                public int recvBatch32() throws IOException { return s.recvBatch(batch); }
                public void close() { s.close(); batch.close(); }
            };
        }
        MemorySegment seg = Arena.ofAuto().allocate(64, 64);
        return new Dgram() {
            public void send64() throws IOException { s.send(seg); }
            public int recv64() throws IOException { return (int) s.recv(seg); }
            public int sendBatch32() throws IOException { return s.sendBatch(batch); }
            public int recvBatch32() throws IOException { return s.recvBatch(batch); }
            public void close() { s.close(); batch.close(); }
        };
    }
}
