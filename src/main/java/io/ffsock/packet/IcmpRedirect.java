package io.ffsock.packet;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * Redirect (type 5, RFC 792 page 12): a router tells the sender of the quoted datagram that a
 * better first hop for that destination is {@link #gateway()} on the same network.
 *
 * @param code {@code 0} network, {@code 1} host, {@code 2} TOS and network, {@code 3} TOS and
 *     host, or any other value {@code 0..255} as received
 * @param gateway the address of the better gateway
 * @param quote the start of the datagram that took the worse route
 */
public record IcmpRedirect(int code, Inet4Address gateway, QuotedDatagram quote) implements IcmpMessage {
    /** Code 0: redirect datagrams for the network. */
    public static final int FOR_NETWORK = 0;
    /** Code 1: redirect datagrams for the host. */
    public static final int FOR_HOST = 1;
    /** Code 2: redirect datagrams for the type of service and network. */
    public static final int FOR_TOS_AND_NETWORK = 2;
    /** Code 3: redirect datagrams for the type of service and host. */
    public static final int FOR_TOS_AND_HOST = 3;

    /**
     * Validates.
     *
     * @param code the code
     * @param gateway the gateway address
     * @param quote the quoted datagram
     */
    public IcmpRedirect {
        Wire.checkRange("code", code, 0, 255);
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(quote, "quote");
    }

    @Override
    public int type() {
        return TYPE_REDIRECT;
    }

    @Override
    public int length() {
        return 8 + quote.length();
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) TYPE_REDIRECT;
        dst[off + 1] = (byte) code;
        Wire.putInet4(dst, off + 4, gateway);
        quote.writeTo(dst, off + 8);
        Wire.sealChecksum(dst, off, len, off + 2);
        return len;
    }

    static IcmpRedirect parseBody(byte[] b, int off, int len) {
        Wire.requireLength("ICMP redirect", len, 8);
        return new IcmpRedirect(Wire.u8(b, off + 1), Wire.inet4(b, off + 4),
                QuotedDatagram.of(Wire.copy(b, off + 8, len - 8)));
    }

    @Override
    public String toString() {
        String name = switch (code) {
            case FOR_NETWORK -> " (network)";
            case FOR_HOST -> " (host)";
            case FOR_TOS_AND_NETWORK -> " (TOS and network)";
            case FOR_TOS_AND_HOST -> " (TOS and host)";
            default -> "";
        };
        return "IcmpRedirect[" + code + name + ", gateway " + Wire.str(gateway) + ", " + quote + "]";
    }
}
