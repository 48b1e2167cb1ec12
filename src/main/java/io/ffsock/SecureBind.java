package io.ffsock;

import static io.ffsock.internal.sys.Const.AT_SYMLINK_NOFOLLOW;
import static io.ffsock.internal.sys.Const.EACCES;
import static io.ffsock.internal.sys.Const.EADDRINUSE;
import static io.ffsock.internal.sys.Const.ECONNREFUSED;
import static io.ffsock.internal.sys.Const.ENOENT;

import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Binding a pathname AF_UNIX socket with a file mode and no window in which the socket file
 * exists at its path with a wider mode (see {@link Socket#bind(UnixAddress, Set, boolean)}).
 *
 * <p>bind(2) creates the socket file with the mode of the socket's own inode less the process
 * umask (unix_bind in net/unix/af_unix.c), and the umask is process-wide (changing it races every
 * other thread). So: fchmod(2) the socket to the mode first, then bind at the final path. The
 * file appears with the mode, or with fewer bits where the umask (or a default ACL of the
 * directory) takes them away; those are then added with fchmodat(2) and AT_SYMLINK_NOFOLLOW, so
 * a symlink put in its place is never followed. The socket keeps its true name.
 *
 * <p>Only a stale socket file is ever replaced, and only when asked: it must be a socket
 * (S_ISSOCK, not followed through a symlink) and connect(2) to it must fail with ECONNREFUSED
 * (nobody listens). To replace it atomically (the path never goes missing), the socket is bound
 * inside a fresh private directory (mode 0700, made next to the target so that the final step
 * stays on one filesystem), its mode set there where nobody else can reach it, and the file
 * renamed over the stale one (rename(2), {@link StandardCopyOption#ATOMIC_MOVE}); the private
 * directory is then removed. The kernel keeps the private name as that socket's address.
 */
final class SecureBind {
    static {
        Errors.preload(); // error paths must not need a class load at EMFILE (see Errors)
    }

    private SecureBind() {}

    /** The private directory's name: ".ffsock-" and 6 random characters; "/s" is the socket. */
    private static final int EXTRA_BYTES = "/.ffsock-XXXXXX/s".length();
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz234567";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private enum Existing { GONE, STALE, LIVE, NOT_A_SOCKET }

    /** Binds {@code socket}; returns the address the kernel knows it by (the private one if a stale file was replaced). */
    static UnixAddress bind(Socket socket, UnixAddress address, Set<PosixFilePermission> mode, boolean replaceStale)
            throws IOException {
        Objects.requireNonNull(address, "bind: address is null");
        Objects.requireNonNull(mode, "bind: mode is null");
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : mode) perms.add(Objects.requireNonNull(p, "bind: a permission in mode is null"));
        if (!socket.family().equals(Family.UNIX)) {
            throw new IllegalArgumentException("bind: AF_UNIX address " + address + " given to an " + socket.family() + " socket");
        }
        if (address.kind() != UnixAddress.Kind.PATH) {
            throw new IllegalArgumentException("bind: a file mode needs a path address, not " + address);
        }
        Path target = address.toPath();
        int bits = bits(perms);
        socket.modeForBind(bits);
        for (int attempt = 0; ; attempt++) {
            try {
                socket.bind(address);
                completeMode(target, bits, address);
                return address;
            } catch (IOException e) {
                if (!(e instanceof SyscallError s) || s.errno().value() != EADDRINUSE) throw e;
                if (!replaceStale) throw inUse(address, "the file exists (not replaced)");
            }
            if (isStale(target, socket.type(), address, attempt)) return bindAndReplace(socket, address, target, perms);
        }
    }

    private static int bits(Set<PosixFilePermission> perms) {
        int bits = 0;
        for (PosixFilePermission p : perms) bits |= 0400 >> p.ordinal(); // OWNER_READ .. OTHERS_EXECUTE
        return bits;
    }

    /**
     * The file bind(2) just made has the mode less what the umask (or a default ACL) took away:
     * adds those bits, never following a symlink.
     */
    private static void completeMode(Path target, int bits, UnixAddress address) throws IOException {
        int now = (Integer) Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        if (now == bits) return;
        int r = Syscalls.fchmodat(target.toString(), bits, AT_SYMLINK_NOFOLLOW);
        if (r < 0) {
            // Something else is at the path now (EOPNOTSUPP: a symlink) or the mode cannot be set:
            // leave no socket file with the wrong mode behind (deleteIfExists follows no symlink).
            IOException e = Errors.of("fchmodat", -r, address);
            Files.deleteIfExists(target);
            throw e;
        }
    }

    /** Binds in a private directory, sets the mode there, and renames the file over the stale one. */
    private static UnixAddress bindAndReplace(Socket socket, UnixAddress address, Path target, Set<PosixFilePermission> perms)
            throws IOException {
        Path parent = target.getParent() != null ? target.getParent() : Path.of(".");
        int bytes = parent.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + EXTRA_BYTES;
        if (bytes > 107) {
            throw new IllegalArgumentException("bind: replacing the stale socket file at " + address + " needs room for"
                    + " the private directory the socket is created in: its directory name plus " + EXTRA_BYTES
                    + " bytes is " + bytes + " bytes, sun_path holds at most 107");
        }
        Path dir = privateDirectory(parent, address);
        Path temporary = dir.resolve("s");
        UnixAddress kernelName = UnixAddress.path(temporary);
        try {
            try {
                socket.bind(kernelName);
            } catch (IOException e) {
                // The private name means nothing to the caller: report the address asked for.
                if (!(e instanceof SyscallError s)) throw e;
                IOException named = Errors.of("bind", s.errno().value(), address);
                named.initCause(e);
                throw named;
            }
            Files.setPosixFilePermissions(temporary, perms);
            place(socket, temporary, target, address);
        } finally {
            Files.deleteIfExists(temporary); // gone already when it was renamed
            Files.deleteIfExists(dir);
        }
        return kernelName;
    }

    private static Path privateDirectory(Path parent, UnixAddress address) throws IOException {
        var attribute = PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
        for (int attempt = 0; ; attempt++) {
            StringBuilder name = new StringBuilder(".ffsock-");
            for (int i = 0; i < 6; i++) name.append(LETTERS.charAt(RANDOM.nextInt(LETTERS.length())));
            try {
                return Files.createDirectory(parent.resolve(name.toString()), attribute); // mkdir(2) with mode 0700
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            } catch (AccessDeniedException e) {
                IOException denied = Errors.of("bind", EACCES, address + " (cannot create a directory in " + parent + ")");
                denied.initCause(e);
                throw denied;
            }
        }
    }

    /**
     * Gives the socket file its final name: over a stale socket (atomically, rename(2)), or, if
     * that went away meanwhile, where nothing is (link(2), which never replaces a file).
     */
    private static void place(Socket socket, Path temporary, Path target, UnixAddress address) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createLink(target, temporary); // link(2): EEXIST if the target exists
                return;
            } catch (FileAlreadyExistsException e) {
                // something is there: replaced below only if it is (still) a stale socket
            }
            if (isStale(target, socket.type(), address, attempt)) {
                // rename(2): the stale file is replaced atomically; the target never goes missing
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
        }
    }

    /**
     * After a try to take {@code target} found something there: true if it is a stale socket
     * (which may be replaced), false if it is gone again (try again); a live socket, a file of
     * another kind, or one that keeps coming back by the fourth try is EADDRINUSE.
     */
    private static boolean isStale(Path target, SocketType type, UnixAddress address, int attempt) throws IOException {
        return switch (probe(target, type)) {
            case NOT_A_SOCKET -> throw inUse(address, "the file exists and is not a socket (not replaced)");
            case LIVE -> throw inUse(address, "a socket is listening on it (not replaced)");
            case STALE -> true;
            case GONE -> {
                if (attempt == 3) throw inUse(address, "the file keeps reappearing");
                yield false;
            }
        };
    }

    /** What is at {@code target}: nothing, a stale socket, a live one, or no socket at all. */
    private static Existing probe(Path target, SocketType type) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Existing.GONE;
        }
        if ((mode & S_IFMT) != S_IFSOCK) return Existing.NOT_A_SOCKET;
        try (Socket probe = Socket.open(Family.UNIX, type)) {
            probe.setTimeout(Duration.ZERO);
            int errno = probe.connectEx(UnixAddress.path(target));
            if (errno == ECONNREFUSED) return Existing.STALE;
            if (errno == ENOENT) return Existing.GONE;
            return Existing.LIVE; // connected, in progress, backlog full, another socket type, no permission...
        }
    }

    private static IOException inUse(UnixAddress address, String why) {
        Errno e = new Errno(EADDRINUSE);
        return new Errors.Bind("bind", e, "bind(" + address + "): " + e.symbol() + " (" + e.description() + "): " + why);
    }
}
