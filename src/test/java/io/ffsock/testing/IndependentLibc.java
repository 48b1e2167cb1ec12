package io.ffsock.testing;

import jnr.constants.platform.Fcntl;
import jnr.ffi.LibraryLoader;
import jnr.ffi.byref.IntByReference;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * A second opinion on an fd's kernel state that does not go through ffsock's FFM layer: jnr-posix
 * for fcntl(2) and jnr-ffi (JNI, via jffi) for getsockopt(2), which jnr-posix does not offer.
 */
public final class IndependentLibc {
    private IndependentLibc() {}

    /** The subset of libc we call through jnr-ffi. */
    public interface LibC {
        int getsockopt(int fd, int level, int optname, int[] optval, IntByReference optlen);
    }

    private static final POSIX POSIX_ = POSIXFactory.getNativePOSIX();
    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

    /** O_NONBLOCK from asm-generic/fcntl.h (x86_64 and aarch64). */
    public static final int O_NONBLOCK = 0x800;
    /** FD_CLOEXEC, fcntl(2). */
    public static final int FD_CLOEXEC = 1;

    /** fcntl(fd, F_GETFL), the file status flags. */
    public static int statusFlags(int fd) {
        int r = POSIX_.fcntl(fd, Fcntl.F_GETFL);
        if (r < 0) throw new AssertionError("jnr-posix fcntl(" + fd + ", F_GETFL) failed: errno " + POSIX_.errno());
        return r;
    }

    /** fcntl(fd, F_GETFD), the fd flags. */
    public static int fdFlags(int fd) {
        int r = POSIX_.fcntl(fd, Fcntl.F_GETFD);
        if (r < 0) throw new AssertionError("jnr-posix fcntl(" + fd + ", F_GETFD) failed: errno " + POSIX_.errno());
        return r;
    }

    /** getsockopt(2) of an int option, through jnr-ffi. */
    public static int getsockoptInt(int fd, int level, int optname) {
        int[] value = new int[1];
        IntByReference len = new IntByReference(4);
        int r = LIBC.getsockopt(fd, level, optname, value, len);
        if (r < 0) throw new AssertionError("jnr-ffi getsockopt(" + fd + ", " + level + ", " + optname + ") failed");
        return value[0];
    }
}
