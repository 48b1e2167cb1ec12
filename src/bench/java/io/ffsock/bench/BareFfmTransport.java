package io.ffsock.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.ffsock.Socket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * "ffm-bare": the floor for any library built on FFM. The sockets are set up with ffsock, then
 * every data call is one plain downcall to libc's send(2) or recv(2) (static final handle,
 * invokeExact, errno captured, native memory) and nothing else: no fd lifetime count, no interrupt
 * hook, no timeouts, no virtual threads. What ffsock adds on top of this is its own cost; what
 * this lacks against C is the JVM's and FFM's.
 */
final class BareFfmTransport implements Transport {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle SEND = LINKER.downcallHandle(LINKER.defaultLookup().find("send").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    private static final MethodHandle RECV = LINKER.downcallHandle(LINKER.defaultLookup().find("recv").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EINTR = 4;

    /** One socket's fd, its buffer and the errno capture area; the Socket keeps the fd open. */
    private static final class Bare {
        final Socket owner;
        final int fd;
        final MemorySegment buffer;
        final MemorySegment errno = Arena.ofAuto().allocate(Linker.Option.captureStateLayout());

        Bare(Socket owner, int size) {
            this.owner = owner;
            this.fd = owner.fdNumber();
            this.buffer = Arena.ofAuto().allocate(size, 64);
        }

        int send(long n) throws IOException {
            for (;;) {
                long r;
                try {
                    r = (long) SEND.invokeExact(errno, fd, buffer, n, MSG_NOSIGNAL);
                } catch (Throwable t) {
                    throw new IOException(t);
                }
                if (r >= 0) return (int) r;
                int e = errno.get(JAVA_INT, 0);
                if (e != EINTR) throw new IOException("send: errno " + e);
            }
        }

        int recv(long n) throws IOException {
            for (;;) {
                long r;
                try {
                    r = (long) RECV.invokeExact(errno, fd, buffer, n, 0);
                } catch (Throwable t) {
                    throw new IOException(t);
                }
                if (r >= 0) return (int) r;
                int e = errno.get(JAVA_INT, 0);
                if (e != EINTR) throw new IOException("recv: errno " + e);
            }
        }
    }

    @Override
    public Conn accept(String path, boolean seqpacket, Runnable ready) throws IOException {
        return conn(FfsockTransport.acceptOne(path, seqpacket, ready));
    }

    @Override
    public Conn connect(String path, boolean seqpacket) throws IOException {
        return conn(FfsockTransport.connectTo(path, seqpacket));
    }

    private static Conn conn(Socket s) {
        Bare b = new Bare(s, 64 * 1024);
        return new Conn() {
            public int send(int n) throws IOException { return b.send(n); }
            public int recv(int n) throws IOException { return b.recv(n); }
            public void close() { s.close(); }
        };
    }

    @Override
    public Dgram bindDgram(String path, Runnable ready) throws IOException {
        return dgram(FfsockTransport.boundDgram(path, ready));
    }

    @Override
    public Dgram connectDgram(String path) throws IOException {
        return dgram(FfsockTransport.connectedDgram(path));
    }

    private static Dgram dgram(Socket s) {
        Bare b = new Bare(s, 64);
        return new Dgram() {
            public void send64() throws IOException { b.send(64); }
            public int recv64() throws IOException { return b.recv(64); }
            public void close() { s.close(); }
        };
    }
}
