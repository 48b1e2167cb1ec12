package io.ffsock.msg;

import io.ffsock.OwnedFd;
import java.io.IOException;
import java.nio.file.Path;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * jnr-posix as an independent view of fds: checks ffsock's claims (FD_CLOEXEC) with another
 * library's fcntl(2), and opens files and pipes, which ffsock has no call for.
 */
final class Jnr {
    private Jnr() {}

    static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final int FD_CLOEXEC = 1;

    /** Whether FD_CLOEXEC is set on {@code fd}, as fcntl(F_GETFD) through jnr-posix says. */
    static boolean cloexec(int fd) {
        int flags = POSIX.fcntl(fd, Fcntl.F_GETFD);
        if (flags < 0) throw new AssertionError("jnr fcntl(" + fd + ", F_GETFD) failed: errno " + POSIX.errno());
        return (flags & FD_CLOEXEC) != 0;
    }

    /** open(2) O_RDWR|O_CLOEXEC through jnr-posix, owned by ffsock at once. */
    static OwnedFd open(Path file) throws IOException {
        int fd = POSIX.open(file.toString(), OpenFlags.O_RDWR.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) throw new AssertionError("jnr open(" + file + ") failed: errno " + POSIX.errno());
        return OwnedFd.adopt(fd);
    }

    /** pipe(2) through jnr-posix: {read end, write end}, owned by ffsock. */
    static OwnedFd[] pipe() throws IOException {
        int[] fds = new int[2];
        if (POSIX.pipe(fds) != 0) throw new AssertionError("jnr pipe failed: errno " + POSIX.errno());
        return new OwnedFd[] {OwnedFd.adopt(fds[0]), OwnedFd.adopt(fds[1])};
    }

    /** dup(2) through jnr-posix: a new fd number without FD_CLOEXEC, owned by nobody yet. */
    static int dup(int fd) {
        int r = POSIX.dup(fd);
        if (r < 0) throw new AssertionError("jnr dup(" + fd + ") failed: errno " + POSIX.errno());
        return r;
    }

    static void close(int fd) {
        POSIX.close(fd);
    }
}
