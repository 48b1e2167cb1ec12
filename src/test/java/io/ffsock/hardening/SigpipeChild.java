package io.ffsock.hardening;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.ffsock.ControlMessage;
import io.ffsock.OwnedFd;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.net.UnixSocketChannel;
import io.ffsock.uring.Ring;
import io.ffsock.uring.RingBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link SigpipeTest}. It first sets SIGPIPE back to its default action,
 * signal(SIGPIPE, SIG_DFL), through its own downcall: HotSpot installs a handler for SIGPIPE at
 * startup (over whatever the launcher left, SIG_DFL or SIG_IGN), so only a call made after
 * startup gives the state an embedder that resets it leaves. Then it writes to a peer that is
 * gone through every ffsock write path; a SIGPIPE would end it with status 141 (128 + 13) at the
 * path whose {@code TRY} line is the last printed. Each outcome prints as
 * {@code RESULT path|exception class|message}. With the argument {@code control} it ends with a
 * plain write(2) to a closed pipe from the main thread, which must kill it: proof that SIGPIPE was
 * at its default action, and that the main thread's signal mask was left as it was.
 */
public final class SigpipeChild {
    private SigpipeChild() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final byte[] DATA = new byte[64 * 1024];

    interface Write {
        void to(Socket socket, OwnedFd pipeWriteEnd) throws Exception;
    }

    public static void main(String[] args) throws Throwable {
        MethodHandle signal = LINKER.downcallHandle(LINKER.defaultLookup().find("signal").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
        MemorySegment previous = (MemorySegment) signal.invokeExact(13, MemorySegment.NULL); // SIG_DFL
        System.out.println("SIGPIPE handler was " + previous.address() + ", now SIG_DFL");

        attempt("OwnedFd.write socket", (s, p) -> {
            try (OwnedFd fd = OwnedFd.duplicate(s.fdNumber())) {
                fd.write(DATA, 0, DATA.length);
            }
        });
        attempt("OwnedFd.write pipe", (s, p) -> p.write(DATA, 0, DATA.length));
        attempt("OwnedFd.write pipe twice", (s, p) -> {
            try {
                p.write(DATA, 0, DATA.length);
            } catch (java.io.IOException first) {
                p.write(DATA, 0, DATA.length); // a SIGPIPE left pending by the first would strike here
            }
        });
        attempt("OwnedFd.write pipe, virtual thread", (s, p) -> {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    p.write(DATA, 0, DATA.length);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.join();
            if (failure.get() instanceof Exception e) throw e;
        });
        attempt("Socket.send", (s, p) -> s.send(DATA));
        attempt("Socket.send ByteBuffer", (s, p) -> s.send(ByteBuffer.wrap(DATA)));
        attempt("Socket.send direct ByteBuffer", (s, p) -> s.send(ByteBuffer.allocateDirect(DATA.length)));
        attempt("Socket.sendAll", (s, p) -> s.sendAll(DATA));
        attempt("Socket.sendAll MemorySegment", (s, p) -> s.sendAll(Arena.ofAuto().allocate(DATA.length)));
        attempt("Socket.sendMsg", (s, p) -> s.sendMsg(ByteBuffer.wrap(DATA)));
        attempt("Socket.sendMsg with fds", (s, p) -> s.sendMsg(ByteBuffer.wrap(DATA), ControlMessage.rights(p)));
        attempt("Socket.outputStream", (s, p) -> s.outputStream().write(DATA));
        attempt("UnixSocketChannel.write", (s, p) -> UnixSocketChannel.of(s).write(ByteBuffer.wrap(DATA)));
        attempt("Ring.send", (s, p) -> ring((ring, b, done) -> ring.send(s, b, 0, DATA.length, 0, done)));
        attempt("Ring.write socket", (s, p) -> ring((ring, b, done) -> ring.write(s, b, 0, DATA.length, -1, done)));
        attempt("Ring.write pipe", (s, p) -> ring((ring, b, done) -> ring.write(p, b, 0, DATA.length, -1, done)));
        System.out.println("TRY Ring.write pipe, reader closes while it waits");
        try (Ring ring = Ring.open(2)) {
            OwnedFd[] pipe = OwnedFd.pipe();
            try {
                pipe[1].write(DATA, 0, DATA.length); // 64 KiB: the pipe is full
                RingBuffer b = ring.allocate(DATA.length);
                java.io.IOException[] failure = new java.io.IOException[1];
                ring.write(pipe[1], b, 0, DATA.length, -1, (op, r, f) -> {
                    if (r < 0) failure[0] = ring.exception(op, r);
                });
                ring.submit(); // the kernel finds no room and waits for the pipe
                pipe[0].close(); // the retry fails with EPIPE and raises SIGPIPE in this thread, as task work
                ring.submitAndWait(1);
                System.out.println("RESULT Ring.write pipe, reader closes while it waits|"
                        + (failure[0] == null ? "none|" : failure[0].getClass().getName() + "|" + failure[0].getMessage()));
            } finally {
                pipe[0].close();
                pipe[1].close();
            }
        } catch (Throwable t) {
            System.out.println("RESULT Ring.write pipe, reader closes while it waits|" + t.getClass().getName() + "|" + t.getMessage());
        }

        if (args.length > 0 && args[0].equals("control")) {
            System.out.println("TRY control write(2)");
            MethodHandle write = LINKER.downcallHandle(LINKER.defaultLookup().find("write").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
            OwnedFd[] pipe = OwnedFd.pipe();
            pipe[0].close();
            long r = (long) write.invokeExact(pipe[1].fdNumber(), Arena.ofAuto().allocate(1), 1L);
            System.out.println("RESULT control|survived|write returned " + r);
        }
        System.out.println("DONE");
    }

    interface Submit {
        void submit(Ring ring, RingBuffer buffer, io.ffsock.uring.Completion done) throws Exception;
    }

    /** One io_uring operation, waited for; a negative result becomes the ring's exception. */
    private static void ring(Submit submit) throws Exception {
        try (Ring ring = Ring.open(2)) {
            RingBuffer b = ring.allocate(DATA.length);
            int[] result = new int[1];
            long[] id = new long[1];
            java.io.IOException[] failure = new java.io.IOException[1];
            submit.submit(ring, b, (op, r, f) -> {
                if (r < 0) failure[0] = ring.exception(op, r);
            });
            ring.submitAndWait(1);
            if (failure[0] != null) throw failure[0];
        }
    }

    /** Runs one write path against a stream socket whose peer closed and a pipe whose reader closed. */
    private static void attempt(String path, Write write) {
        System.out.println("TRY " + path);
        try (SocketPair pair = Socket.pair(SocketType.STREAM)) {
            OwnedFd[] pipe = OwnedFd.pipe();
            try {
                pair.second().close();
                pipe[0].close();
                write.to(pair.first(), pipe[1]);
                System.out.println("RESULT " + path + "|none|");
            } finally {
                pipe[1].close();
            }
        } catch (Throwable t) {
            System.out.println("RESULT " + path + "|" + t.getClass().getName() + "|" + t.getMessage());
        }
    }
}
