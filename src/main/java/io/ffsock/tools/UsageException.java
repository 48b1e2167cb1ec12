package io.ffsock.tools;

import java.io.Serial;

/** Bad usage of a command (unknown option, missing or malformed argument): exit status 2. */
public final class UsageException extends Exception {
    @Serial private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
