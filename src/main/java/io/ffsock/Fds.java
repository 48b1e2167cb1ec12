package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;

/** fcntl(2) helpers shared by {@link Socket} and {@link OwnedFd}. */
final class Fds {
    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
    }

    private Fds() {}

    static boolean isCloexec(int fd) throws IOException {
        int flags = Syscalls.fcntl(fd, F_GETFD, 0);
        if (flags < 0) throw Errors.of("fcntl(F_GETFD)", -flags, "fd " + fd);
        return (flags & FD_CLOEXEC) != 0;
    }

    static void setCloexec(int fd, boolean on) throws IOException {
        int flags = Syscalls.fcntl(fd, F_GETFD, 0);
        if (flags < 0) throw Errors.of("fcntl(F_GETFD)", -flags, "fd " + fd);
        int want = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        if (want != flags) {
            int r = Syscalls.fcntl(fd, F_SETFD, want);
            if (r < 0) throw Errors.of("fcntl(F_SETFD)", -r, "fd " + fd);
        }
    }

    static boolean isNonBlocking(int fd) throws IOException {
        int flags = Syscalls.fcntl(fd, F_GETFL, 0);
        if (flags < 0) throw Errors.of("fcntl(F_GETFL)", -flags, "fd " + fd);
        return (flags & O_NONBLOCK) != 0;
    }
}
