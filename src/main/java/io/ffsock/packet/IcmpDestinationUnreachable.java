package io.ffsock.packet;

import java.util.Objects;

/**
 * Destination Unreachable (type 3, RFC 792 page 4; codes 6 to 15 from RFC 1122 section 3.2.2.1
 * and RFC 1812 section 5.2.7.1): the datagram in {@link #quote()} could not be delivered.
 *
 * <p>For code 4, "fragmentation needed and DF set", the low 16 bits of the otherwise unused word
 * carry the next-hop MTU (RFC 1191 section 4) that path MTU discovery needs. Other codes write
 * that word as zero; on parse it is ignored (RFC 4884's length field lives there too, and is not
 * decoded).
 *
 * @param code why the datagram was not delivered, {@code 0..255}, e.g. {@link #PORT_UNREACHABLE}
 * @param nextHopMtu the MTU of the next hop for code 4, {@code 0..65535}; 0 for other codes
 * @param quote the start of the datagram that was not delivered
 */
public record IcmpDestinationUnreachable(int code, int nextHopMtu, QuotedDatagram quote)
        implements IcmpMessage {
    /** Code 0: net unreachable. */
    public static final int NET_UNREACHABLE = 0;
    /** Code 1: host unreachable. */
    public static final int HOST_UNREACHABLE = 1;
    /** Code 2: protocol unreachable. */
    public static final int PROTOCOL_UNREACHABLE = 2;
    /** Code 3: port unreachable. */
    public static final int PORT_UNREACHABLE = 3;
    /** Code 4: fragmentation needed and DF set; {@link #nextHopMtu()} says the MTU. */
    public static final int FRAGMENTATION_NEEDED = 4;
    /** Code 5: source route failed. */
    public static final int SOURCE_ROUTE_FAILED = 5;
    /** Code 13: communication administratively prohibited (RFC 1812). */
    public static final int ADMINISTRATIVELY_PROHIBITED = 13;

    private static final String[] NAMES = {
        "net unreachable", "host unreachable", "protocol unreachable", "port unreachable",
        "fragmentation needed", "source route failed", "destination network unknown",
        "destination host unknown", "source host isolated", "network administratively prohibited",
        "host administratively prohibited", "network unreachable for TOS",
        "host unreachable for TOS", "communication administratively prohibited",
        "host precedence violation", "precedence cutoff in effect",
    };

    /**
     * Validates.
     *
     * @param code the code
     * @param nextHopMtu the next-hop MTU, only for code 4
     * @param quote the quoted datagram
     */
    public IcmpDestinationUnreachable {
        Wire.checkRange("code", code, 0, 255);
        Wire.checkRange("next-hop MTU", nextHopMtu, 0, 0xFFFF);
        if (code != FRAGMENTATION_NEEDED && nextHopMtu != 0) {
            throw new IllegalArgumentException(
                    "next-hop MTU " + nextHopMtu + " is only carried by code 4, not code " + code);
        }
        Objects.requireNonNull(quote, "quote");
    }

    @Override
    public int type() {
        return TYPE_DESTINATION_UNREACHABLE;
    }

    @Override
    public int length() {
        return 8 + quote.length();
    }

    @Override
    public int writeTo(byte[] dst, int off) {
        int len = length();
        Wire.checkWindow(dst, off, len);
        dst[off] = (byte) TYPE_DESTINATION_UNREACHABLE;
        dst[off + 1] = (byte) code;
        Wire.putU32(dst, off + 4, nextHopMtu);
        quote.writeTo(dst, off + 8);
        Wire.sealChecksum(dst, off, len, off + 2);
        return len;
    }

    static IcmpDestinationUnreachable parseBody(byte[] b, int off, int len) {
        Wire.requireLength("ICMP destination unreachable", len, 8);
        int code = Wire.u8(b, off + 1);
        int mtu = code == FRAGMENTATION_NEEDED ? Wire.u16(b, off + 6) : 0;
        return new IcmpDestinationUnreachable(code, mtu, QuotedDatagram.of(Wire.copy(b, off + 8, len - 8)));
    }

    static String codeName(int code) {
        return code < NAMES.length ? NAMES[code] : "code " + code;
    }

    @Override
    public String toString() {
        return "IcmpDestinationUnreachable[" + code + " (" + codeName(code) + ")"
                + (code == FRAGMENTATION_NEEDED ? ", next-hop MTU " + nextHopMtu : "")
                + ", " + quote + "]";
    }
}
