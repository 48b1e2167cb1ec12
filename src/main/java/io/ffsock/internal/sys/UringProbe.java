package io.ffsock.internal.sys;

import static io.ffsock.internal.sys.Const.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process can use io_uring, probed once: io_uring_setup(2) of a small ring, then
 * IORING_REGISTER_PROBE for the opcodes and the IORING_FEAT_* bits the kernel reports. Shared by
 * {@code io.ffsock.uring.UringSupport} (the public face) and the io_uring backend of
 * {@code io.ffsock.EventLoop}, which sits below that package and so cannot ask it.
 */
public final class UringProbe {
    private UringProbe() {}

    private static final class Result {
        static final String REASON;
        static final int ERRNO;
        static final long[] OPS;
        static final int FEATURES;

        static {
            int[] err = new int[1];
            long[] ops = Uring.probeOpcodes(err);
            int features = 0;
            String reason = null;
            if (ops == null) {
                reason = explain(err[0]);
            } else {
                Uring.Ring[] out = new Uring.Ring[1];
                if (Uring.Ring.open(2, 0, 0, out) >= 0) {
                    features = out[0].features;
                    out[0].close();
                }
            }
            REASON = reason;
            ERRNO = ops == null ? err[0] : 0;
            OPS = ops == null ? new long[4] : ops;
            FEATURES = features;
        }
    }

    /** The system property that makes io_uring unavailable on purpose (its value becomes the reason). */
    public static final String DISABLE_PROPERTY = "ffsock.uring.disable";

    /** Why io_uring cannot be used here, or null if it can. */
    public static String unavailableReason() {
        String forced = System.getProperty(DISABLE_PROPERTY);
        if (forced != null) {
            return "io_uring disabled by the system property " + DISABLE_PROPERTY + (forced.isEmpty() ? "" : " (" + forced + ")");
        }
        return Result.REASON;
    }

    /** The errno io_uring_setup(2) failed with when the probe ran, or 0 if it worked. */
    public static int setupErrno() {
        return Result.ERRNO;
    }

    /** Whether the kernel has opcode {@code op} (false when io_uring is unavailable). */
    public static boolean supports(int op) {
        return unavailableReason() == null && (Result.OPS[op >>> 6] & 1L << (op & 63)) != 0;
    }

    /** The IORING_FEAT_* bits io_uring_setup(2) reports (0 when unavailable). */
    public static int features() {
        return unavailableReason() == null ? Result.FEATURES : 0;
    }

    private static String explain(int errno) {
        String sysctl = readSysctl();
        String base = "io_uring_setup: " + Syscalls.errnoName(errno) + " (" + Syscalls.errnoDescription(errno) + ")";
        if (sysctl != null && !sysctl.equals("0")) {
            return base + ": the sysctl kernel.io_uring_disabled is " + sysctl
                    + (sysctl.equals("1") ? " (only members of kernel.io_uring_group may use io_uring)" : " (io_uring is off for every process)");
        }
        if (errno == ENOSYS) {
            return base + ": this kernel has no io_uring (before Linux 5.1, or built without CONFIG_IO_URING),"
                    + " or a seccomp filter (a container runtime's) blocks it";
        }
        if (errno == EPERM) {
            return base + ": a seccomp filter or security policy refuses io_uring to this process";
        }
        return base;
    }

    private static String readSysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
        } catch (IOException | RuntimeException e) {
            return null; // kernels before 6.6 have no such sysctl
        }
    }
}
