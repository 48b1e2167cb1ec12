package io.ffsock;

import io.ffsock.internal.sys.Syscalls;

/**
 * An errno value, errno(3): prints as its symbol ({@code ECONNREFUSED}).
 *
 * @param value the errno number
 */
public record Errno(int value) {
    /** The symbol, e.g. {@code ECONNREFUSED}, from glibc (or {@code errno N} if unknown). */
    public String symbol() {
        return Syscalls.errnoName(value);
    }

    /** The text strerror(3) gives, e.g. {@code Connection refused}. */
    public String description() {
        return Syscalls.errnoDescription(value);
    }

    @Override
    public String toString() {
        return symbol();
    }
}
