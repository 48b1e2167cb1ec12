package io.ffsock.packet;

import java.io.Serial;

/**
 * Thrown when bytes handed to a parser are not a well-formed packet of the expected kind; the
 * message names what is wrong, e.g. {@code "IPv4 header too short: 12 bytes, need 20"}.
 *
 * <p>It is unchecked, a subtype of {@link IllegalArgumentException}: the bytes are an argument
 * that does not satisfy the method's contract, exactly like a malformed number handed to
 * {@code Integer.parseInt}. Code that parses untrusted traffic catches it explicitly around the
 * parse call; code that parses packets it built itself is not forced to write a handler that can
 * never run.
 */
public final class MalformedPacketException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is malformed, naming the field and the values involved
     */
    public MalformedPacketException(String message) {
        super(message);
    }
}
