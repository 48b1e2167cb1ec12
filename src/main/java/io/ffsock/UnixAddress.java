package io.ffsock;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An AF_UNIX socket address, unix(7): a filesystem path, a Linux abstract name, or unnamed.
 *
 * <p>The JDK's {@link UnixDomainSocketAddress} can only say a path; this class also says what Linux
 * adds: abstract names (no file; printed {@code @name}, as ss(8) and socat do) and the unnamed
 * address of a socket that was never bound. Binding {@link #unnamed()} asks the kernel to
 * <em>autobind</em>: it picks a unique abstract name, which {@link Socket#localAddress()} then shows.
 *
 * <p>Names are bytes to the kernel; Strings are encoded as UTF-8. A path may be at most 107 bytes
 * and hold no NUL; an abstract name at most 107 bytes and may hold any byte.
 */
public final class UnixAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;
    private static final int MAX_BYTES = 107;
    private static final UnixAddress UNNAMED = new UnixAddress(Kind.UNNAMED, new byte[0]);

    /** The three kinds of AF_UNIX address. */
    public enum Kind {
        /** Bound to a filesystem path (a socket file). */
        PATH,
        /** A Linux abstract name: no file, gone when the last socket closes. */
        ABSTRACT,
        /** Not bound to any name. */
        UNNAMED
    }

    /** Whether a path, an abstract name or unnamed. */
    private final Kind kind;
    /** The sun_path bytes: the path, or the abstract name without its leading NUL. */
    private final byte[] name;

    private UnixAddress(Kind kind, byte[] name) {
        this.kind = kind;
        this.name = name;
    }

    /**
     * A pathname address.
     *
     * @throws IllegalArgumentException if the path is empty, holds a NUL, or is longer than 107
     *         bytes in UTF-8 (the size of sun_path less its terminating NUL)
     */
    public static UnixAddress path(String path) {
        Objects.requireNonNull(path, "path");
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0) throw new IllegalArgumentException("empty AF_UNIX path");
        for (byte x : b) {
            if (x == 0) throw new IllegalArgumentException("AF_UNIX path holds a NUL byte: " + printable(b));
        }
        if (b.length > MAX_BYTES) {
            throw new IllegalArgumentException("AF_UNIX path is " + b.length
                    + " bytes, sun_path holds at most " + MAX_BYTES + ": " + path);
        }
        return new UnixAddress(Kind.PATH, b);
    }

    /** A pathname address from a {@link Path}; same rules as {@link #path(String)}. */
    public static UnixAddress path(Path path) {
        return path(Objects.requireNonNull(path, "path").toString());
    }

    /** An abstract name from a String (UTF-8, at most 107 bytes, empty allowed). */
    public static UnixAddress abstractName(String name) {
        return abstractName(Objects.requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8));
    }

    /** An abstract name from raw bytes (at most 107, any byte values, empty allowed). */
    public static UnixAddress abstractName(byte[] name) {
        Objects.requireNonNull(name, "name");
        if (name.length > MAX_BYTES) {
            throw new IllegalArgumentException("AF_UNIX abstract name is " + name.length
                    + " bytes, sun_path holds at most " + MAX_BYTES + " after the leading NUL");
        }
        return new UnixAddress(Kind.ABSTRACT, name.clone());
    }

    /** The unnamed address; {@code bind(unnamed())} autobinds to a kernel-chosen abstract name. */
    public static UnixAddress unnamed() {
        return UNNAMED;
    }

    /**
     * Parses the notation ffsock prints: {@code @name} for an abstract name, anything else is a
     * path; the empty string is unnamed.
     */
    public static UnixAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) return UNNAMED;
        if (text.startsWith("@")) return abstractName(text.substring(1));
        return path(text);
    }

    /** Converts the JDK's address (always a path; the empty path is unnamed). */
    public static UnixAddress of(UnixDomainSocketAddress address) {
        String p = address.getPath().toString();
        return p.isEmpty() ? UNNAMED : path(p);
    }

    static UnixAddress fromKernel(Kind kind, byte[] name) {
        return kind == Kind.UNNAMED ? UNNAMED : new UnixAddress(kind, name);
    }

    /** Which kind of address this is. */
    public Kind kind() {
        return kind;
    }

    /** The path or abstract name as bytes (empty when unnamed). */
    public byte[] nameBytes() {
        return name.clone();
    }

    byte[] rawName() {
        return name;
    }

    /** The path, for a {@link Kind#PATH} address. */
    public Path toPath() {
        if (kind != Kind.PATH) throw new IllegalStateException(this + " is not a path");
        return Path.of(new String(name, StandardCharsets.UTF_8));
    }

    /** The JDK's equivalent, for a {@link Kind#PATH} address. */
    public UnixDomainSocketAddress toJdk() {
        return UnixDomainSocketAddress.of(toPath());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixAddress u && u.kind == kind && Arrays.equals(u.name, name);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(name);
    }

    /** The path; {@code @name} for an abstract name; {@code (unnamed)} when unnamed. */
    @Override
    public String toString() {
        return switch (kind) {
            case PATH -> new String(name, StandardCharsets.UTF_8);
            case ABSTRACT -> "@" + printable(name);
            case UNNAMED -> "(unnamed)";
        };
    }

    /** UTF-8 text with NUL and other control bytes shown as \\xNN so a name prints on one line. */
    private static String printable(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) out.append("\\x").append(HexFormat.of().toHexDigits((byte) c));
            else out.append(c);
        }
        return out.toString();
    }
}
