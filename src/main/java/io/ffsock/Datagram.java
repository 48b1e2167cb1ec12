package io.ffsock;

import java.net.SocketAddress;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A received message and its sender, as Python's {@code recvfrom(bufsize)} returns them.
 *
 * @param data   exactly the bytes received
 * @param sender the sender's address (see {@link Received#sender()})
 */
public record Datagram(byte[] data, SocketAddress sender) {
    @Override
    public boolean equals(Object o) {
        return o instanceof Datagram d && Arrays.equals(d.data, data) && java.util.Objects.equals(d.sender, sender);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 31 + java.util.Objects.hashCode(sender);
    }

    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(data, 0, Math.min(data.length, 32));
        return "Datagram[" + data.length + " bytes " + hex + (data.length > 32 ? "..." : "") + " from " + sender + "]";
    }
}
