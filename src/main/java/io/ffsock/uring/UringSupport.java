package io.ffsock.uring;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.UringProbe;
import java.io.IOException;
import java.util.Optional;

/**
 * Whether this process can use io_uring, and which operations the kernel has: probed once, by
 * setting up a small ring (io_uring_setup(2)) and asking it IORING_REGISTER_PROBE.
 *
 * <p>io_uring may be missing (a kernel before 5.1 or without CONFIG_IO_URING: ENOSYS), refused
 * (the sysctl {@code kernel.io_uring_disabled} = 2, or 1 for a process outside
 * {@code kernel.io_uring_group}; a seccomp filter, as container runtimes install: EPERM or ENOSYS)
 * or too old for an operation. The system property {@code ffsock.uring.disable} (any value, which
 * becomes the reason) makes it unavailable on purpose, to run a program on its epoll path.
 */
public final class UringSupport {
    private UringSupport() {}

    /** Why io_uring cannot be used here, or empty if it can. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(UringProbe.unavailableReason());
    }

    /** Whether io_uring can be used here. */
    public static boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /** Whether the kernel has {@code operation} (IORING_REGISTER_PROBE); false if io_uring is unavailable. */
    public static boolean supports(Operation operation) {
        if (!isAvailable()) return false;
        return UringProbe.supports(operation.opcode);
    }

    /** The IORING_FEAT_* bits io_uring_setup(2) reports on this kernel (0 if unavailable). */
    public static int features() {
        return UringProbe.features();
    }

    static void requireAvailable() throws IOException {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) throw new IOException(why.get());
    }

    /** The io_uring operations ffsock submits, for {@link #supports}. */
    public enum Operation {
        /** IORING_OP_READ (Linux 5.6). */
        READ(IORING_OP_READ),
        /** IORING_OP_WRITE (Linux 5.6). */
        WRITE(IORING_OP_WRITE),
        /** IORING_OP_READ_FIXED (Linux 5.1). */
        READ_FIXED(IORING_OP_READ_FIXED),
        /** IORING_OP_WRITE_FIXED (Linux 5.1). */
        WRITE_FIXED(IORING_OP_WRITE_FIXED),
        /** IORING_OP_POLL_ADD (Linux 5.1; multishot 5.13). */
        POLL_ADD(IORING_OP_POLL_ADD),
        /** IORING_OP_POLL_REMOVE (Linux 5.1). */
        POLL_REMOVE(IORING_OP_POLL_REMOVE),
        /** IORING_OP_SENDMSG (Linux 5.3). */
        SENDMSG(IORING_OP_SENDMSG),
        /** IORING_OP_RECVMSG (Linux 5.3). */
        RECVMSG(IORING_OP_RECVMSG),
        /** IORING_OP_TIMEOUT (Linux 5.4). */
        TIMEOUT(IORING_OP_TIMEOUT),
        /** IORING_OP_ACCEPT (Linux 5.5; multishot 5.19). */
        ACCEPT(IORING_OP_ACCEPT),
        /** IORING_OP_ASYNC_CANCEL (Linux 5.5). */
        ASYNC_CANCEL(IORING_OP_ASYNC_CANCEL),
        /** IORING_OP_LINK_TIMEOUT (Linux 5.5). */
        LINK_TIMEOUT(IORING_OP_LINK_TIMEOUT),
        /** IORING_OP_CONNECT (Linux 5.5). */
        CONNECT(IORING_OP_CONNECT),
        /** IORING_OP_CLOSE (Linux 5.6). */
        CLOSE(IORING_OP_CLOSE),
        /** IORING_OP_SEND (Linux 5.6). */
        SEND(IORING_OP_SEND),
        /** IORING_OP_RECV (Linux 5.6; multishot 6.0). */
        RECV(IORING_OP_RECV);

        final int opcode;

        Operation(int opcode) {
            this.opcode = opcode;
        }
    }
}
