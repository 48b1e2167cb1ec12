package io.ffsock.msg;

import io.ffsock.Family;
import io.ffsock.OwnedFd;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.testing.NativePeers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Shared set-up of the message tests: addresses, listeners, files, reading fds. */
final class Fixtures {
    private Fixtures() {}

    static final Duration TIMEOUT = Duration.ofSeconds(Child.TIMEOUT_SECONDS);

    /** A fresh address of {@code kind} ("path" or "abstract") in the peers' notation. */
    static String address(String kind, String stem) {
        return switch (kind) {
            case "path" -> NativePeers.socketPath(stem).toString();
            case "abstract" -> NativePeers.abstractAddress(stem);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** The -t argument of the peers for {@code type}. */
    static String typeArg(SocketType type) {
        if (type.equals(SocketType.STREAM)) return "stream";
        if (type.equals(SocketType.SEQPACKET)) return "seqpacket";
        if (type.equals(SocketType.DGRAM)) return "dgram";
        throw new IllegalArgumentException(type.toString());
    }

    static SocketType type(String name) {
        return switch (name) {
            case "stream" -> SocketType.STREAM;
            case "seqpacket" -> SocketType.SEQPACKET;
            case "dgram" -> SocketType.DGRAM;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * A socket bound to {@code address}, listening if the type is connection-oriented, with a
     * timeout so a test whose peer died fails instead of hanging.
     */
    static Socket listen(SocketType type, String address) throws IOException {
        Socket s = Socket.open(Family.UNIX, type);
        try {
            s.bind(UnixAddress.parse(address));
            if (type.isConnectionOriented()) s.listen();
            s.setTimeout(TIMEOUT);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Removes the socket file of a path address (bound by this JVM). */
    static void unlink(String address) throws IOException {
        if (!address.startsWith("@")) Files.deleteIfExists(Path.of(address));
    }

    /** A connected client socket with a timeout (dgram: autobound first, so it can be answered). */
    static Socket connect(SocketType type, String address) throws IOException {
        Socket s = Socket.open(Family.UNIX, type);
        try {
            if (type.equals(SocketType.DGRAM)) s.bind(UnixAddress.unnamed());
            s.connect(UnixAddress.parse(address));
            s.setTimeout(TIMEOUT);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@code n} files "file-0".. in {@code dir} holding "content-0".. (no newline). */
    static List<Path> files(Path dir, int n) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve("file-" + i);
            Files.writeString(f, "content-" + i);
            files.add(f);
        }
        return files;
    }

    /** Reads through the fd itself (read(2) from its current offset) until end of file. */
    static String readThroughFd(OwnedFd fd) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[256];
        for (int n; (n = fd.read(buf, 0, buf.length)) > 0; ) sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        return sb.toString();
    }

    /** Reads the whole file through {@link OwnedFd#reopen} (its own offset). */
    static String readThroughReopen(OwnedFd fd) throws IOException {
        try (FileChannel ch = fd.reopen()) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {}
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }
    }

    /** Receives into a fresh buffer of {@code size} bytes and returns the text. */
    static String recvText(Socket s, int size) throws IOException {
        byte[] b = new byte[size];
        int n = s.recv(b);
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** Reads a stream socket to end of file. */
    static String recvAll(Socket s) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] b = new byte[8192];
        for (int n; (n = s.recv(b)) > 0; ) sb.append(new String(b, 0, n, StandardCharsets.UTF_8));
        return sb.toString();
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Python's address expression for a peer-notation address (abstract: leading NUL). */
    /** The pid a pidfd names, from the Pid: line of its /proc fdinfo. */
    static long pidOf(OwnedFd pidfd) throws IOException {
        String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + pidfd.fdNumber()));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Pid:\\s+(-?\\d+)$").matcher(fdinfo);
        if (!m.find()) throw new AssertionError("a pidfd's fdinfo has a Pid: line:\n" + fdinfo);
        return Long.parseLong(m.group(1));
    }

    static final String PY_PRELUDE = """
            import os, socket, sys
            arg = sys.argv[1]
            addr = '\\0' + arg[1:] if arg.startswith('@') else arg
            """;
}
