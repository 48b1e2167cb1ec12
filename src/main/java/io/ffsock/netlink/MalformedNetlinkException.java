package io.ffsock.netlink;

import java.io.Serial;

/**
 * Bytes that are not a well-formed netlink message or attribute: a length shorter than its
 * header, a length running past the bytes received, a fixed struct cut short. The message names
 * the field, the offset and the lengths involved.
 *
 * <p>Unchecked, like {@link io.ffsock.packet.MalformedPacketException}: the bytes are an argument
 * that does not meet the parser's contract. The socket classes of this package never let it
 * escape as anything else than this type.
 */
public final class MalformedNetlinkException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is malformed, naming the field and the values involved
     */
    public MalformedNetlinkException(String message) {
        super(message);
    }
}
