package io.ffsock.hardening;

import static io.ffsock.internal.sys.Const.*;
import static io.ffsock.internal.sys.Const.AfterHeaders.SCM_PIDFD;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ffsock.ControlMessage;
import io.ffsock.OwnedFd;
import io.ffsock.internal.sys.Cmsg;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Coverage-guided fuzzing (Jazzer) of what recvmsg(2) does with the control buffer the kernel
 * filled: {@code Cmsg.read} walks it as CMSG_FIRSTHDR/CMSG_NXTHDR do, {@code Messages.fromKernel}
 * types each message and takes ownership of every fd of an SCM_RIGHTS or SCM_PIDFD message, and
 * the received message closes them. Here the buffer is anything the fuzzer makes.
 *
 * <p>Properties: reading never throws and never reads past {@code controlLen} (checked against an
 * independent walker with overflow-safe arithmetic); typing never throws (an odd payload becomes
 * {@link ControlMessage.Raw}); every int of every SCM_RIGHTS and SCM_PIDFD payload becomes exactly
 * one owned fd, and closing the message closes exactly those. The fd numbers are never garbage:
 * before typing, each such int is replaced by a fresh dup of a pipe this test opened, so the JVM's own fds
 * are never touched, and after close each of those numbers must no longer name that pipe.
 */
class CmsgFuzzTest {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final int[] PIPE = new int[2];
    private static final String PIPE_TARGET;
    /** More fd ints (SCM_RIGHTS, SCM_PIDFD) than this in one input are not mapped (the kernel sends at most 253 per message). */
    private static final int MAX_MAPPED_FDS = 600;

    static {
        if (POSIX.pipe(PIPE) != 0) throw new AssertionError("pipe: errno " + POSIX.errno());
        PIPE_TARGET = target(PIPE[0]);
    }

    /** Raw bytes as the control buffer, controlLen = their length. */
    @FuzzTest(maxDuration = "30s")
    void rawControlBuffer(byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = arena.allocate(Math.max(8, data.length), 8);
            MemorySegment.copy(data, 0, control, ValueLayout.JAVA_BYTE, 0, data.length);
            check(control, data.length);
        }
    }

    /**
     * A buffer of plausible headers (known level/type pairs, cmsg_len exact, off by a little, or
     * arbitrary), payloads of any length, cut at any point: reaches the typed decoders quickly.
     */
    @FuzzTest(maxDuration = "30s")
    void structuredControlBuffer(FuzzedDataProvider in) {
        ByteBuffer b = ByteBuffer.allocate(16 * 1024).order(ByteOrder.nativeOrder());
        int count = in.consumeInt(0, 6);
        for (int i = 0; i < count && b.remaining() > 1024; i++) {
            int[] kind = KINDS[in.consumeInt(0, KINDS.length - 1)];
            int level = kind[0] < -1 ? in.consumeInt() : kind[0];
            int type = kind[1] < -1 ? in.consumeInt() : kind[1];
            byte[] payload = in.consumeBytes(in.consumeInt(0, kind[2]));
            long cmsgLen = switch (in.consumeInt(0, 3)) {
                case 0, 1 -> Cmsg.len(payload.length);
                case 2 -> Cmsg.len(payload.length) + in.consumeInt(-24, 24);
                default -> in.consumeLong();
            };
            b.putLong(cmsgLen).putInt(level).putInt(type).put(payload);
            while (b.position() % 8 != 0) b.put(in.consumeBoolean() ? (byte) 0 : in.consumeByte());
        }
        int total = b.position();
        int controlLen = in.consumeBoolean() ? total : in.consumeInt(0, total);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = arena.allocate(Math.max(8, total), 8);
            MemorySegment.copy(b.array(), 0, control, ValueLayout.JAVA_BYTE, 0, total);
            check(control, controlLen);
        }
    }

    /** What sendmsg writes, recvmsg's walker reads back unchanged. */
    @FuzzTest(maxDuration = "30s")
    void writeThenRead(FuzzedDataProvider in) {
        List<Cmsg> messages = new ArrayList<>();
        int count = in.consumeInt(0, 8);
        for (int i = 0; i < count; i++) {
            messages.add(new Cmsg(in.consumeInt(), in.consumeInt(), in.consumeBytes(in.consumeInt(0, 300))));
        }
        long space = 0;
        for (Cmsg m : messages) space += Cmsg.space(m.data().length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = arena.allocate(Math.max(8, space), 8);
            long written = Internals.cmsgWrite(messages, control);
            if (written != space) throw new AssertionError("write returned " + written + ", CMSG_SPACE sum " + space);
            List<Cmsg> back = Internals.cmsgRead(control, written);
            if (!back.equals(messages)) throw new AssertionError("wrote " + messages + ", read " + back);
        }
    }

    /** level, type (below -1: fuzzed), largest payload. */
    private static final int[][] KINDS = {
        {SOL_SOCKET, SCM_RIGHTS, 64},
        {SOL_SOCKET, SCM_CREDENTIALS, 16},
        {SOL_IP, IP_TTL, 8},
        {SOL_IP, IP_TOS, 8},
        {SOL_IPV6, IPV6_HOPLIMIT, 8},
        {SOL_IP, IP_PKTINFO, 16},
        {SOL_IPV6, IPV6_PKTINFO, 24},
        {SOL_IP, IP_RECVERR, 160},
        {SOL_IPV6, IPV6_RECVERR, 160},
        {-2, -2, 64},
        {SOL_SOCKET, SCM_PIDFD, 8},
    };

    /** The checks of one control buffer. */
    static void check(MemorySegment control, long controlLen) {
        List<Cmsg> raw = Internals.cmsgRead(control, controlLen);
        List<Cmsg> expected = referenceWalk(control, controlLen);
        if (!raw.equals(expected)) throw new AssertionError("Cmsg.read gave " + raw + ", the reference walk " + expected);

        // Replace every fd int (SCM_RIGHTS, SCM_PIDFD) by an fd of our own, so that what gets closed is ours.
        int ints = 0;
        for (Cmsg c : raw) if (carriesFds(c)) ints += c.data().length / 4;
        if (ints > MAX_MAPPED_FDS) return;
        List<Integer> ours = new ArrayList<>();
        List<Cmsg> mapped = new ArrayList<>(raw.size());
        for (Cmsg c : raw) {
            if (!carriesFds(c)) {
                mapped.add(c);
                continue;
            }
            byte[] d = c.data().clone();
            ByteBuffer bb = ByteBuffer.wrap(d).order(ByteOrder.nativeOrder());
            for (int i = 0; i + 4 <= d.length; i += 4) {
                int fd = POSIX.dup(PIPE[0]);
                if (fd < 0) throw new AssertionError("dup: errno " + POSIX.errno());
                ours.add(fd);
                bb.putInt(i, fd);
            }
            mapped.add(new Cmsg(c.level(), c.type(), d));
        }

        List<ControlMessage> typed = Internals.fromKernel(mapped);
        List<OwnedFd> fds = Internals.arrivedFds(typed);
        List<Integer> got = new ArrayList<>();
        for (OwnedFd f : fds) got.add(f.fdNumber());
        if (!got.equals(ours)) throw new AssertionError("fds owned " + got + ", fds received " + ours);
        for (ControlMessage m : typed) m.toString();
        for (OwnedFd f : fds) f.close();
        for (int fd : ours) {
            if (PIPE_TARGET.equals(target(fd))) throw new AssertionError("fd " + fd + " still open after close");
        }
    }

    private static boolean carriesFds(Cmsg c) {
        return c.level() == SOL_SOCKET && (c.type() == SCM_RIGHTS || c.type() == SCM_PIDFD);
    }

    /**
     * CMSG_FIRSTHDR/CMSG_NXTHDR with overflow-safe bounds: a header must fit, cmsg_len must cover
     * the header and must not run past controlLen; the next header starts CMSG_ALIGN(cmsg_len) on.
     */
    static List<Cmsg> referenceWalk(MemorySegment control, long controlLen) {
        List<Cmsg> out = new ArrayList<>();
        long at = 0;
        while (controlLen - at >= 16) {
            long len = control.get(ValueLayout.JAVA_LONG, at);
            if (len < 16 || Long.compareUnsigned(len, controlLen - at) > 0) break;
            byte[] data = new byte[(int) (len - 16)];
            MemorySegment.copy(control, ValueLayout.JAVA_BYTE, at + 16, data, 0, data.length);
            out.add(new Cmsg(control.get(ValueLayout.JAVA_INT, at + 8), control.get(ValueLayout.JAVA_INT, at + 12), data));
            long next = (len + 7) & ~7L;
            if (next > controlLen - at) break;
            at += next;
        }
        return out;
    }

    private static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
