package io.ffsock;

import java.net.SocketAddress;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An AF_PACKET (link-level) address, packet(7), struct sockaddr_ll: bind an AF_PACKET socket to
 * one interface with {@link #of(int, int)}; received packets report where they came from.
 */
public final class PacketAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;

    /** sll_pkttype values: PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING. */
    public static final int HOST = 0, BROADCAST = 1, MULTICAST = 2, OTHERHOST = 3, OUTGOING = 4;

    /** The sll_protocol, in host byte order. */
    private final int ethertype;
    /** The sll_ifindex. */
    private final int interfaceIndex;
    /** The sll_pkttype. */
    private final int packetType;
    /** The sll_addr, sll_halen bytes of it. */
    private final byte[] hardwareAddress;

    PacketAddress(int ethertype, int interfaceIndex, int packetType, byte[] hardwareAddress) {
        this.ethertype = ethertype;
        this.interfaceIndex = interfaceIndex;
        this.packetType = packetType;
        this.hardwareAddress = hardwareAddress;
    }

    /**
     * An address to bind to: packets of {@code ethertype} (host order, e.g. 0x0800) on the
     * interface with index {@code interfaceIndex} ({@link java.net.NetworkInterface#getIndex()};
     * 0 for every interface).
     */
    public static PacketAddress of(int ethertype, int interfaceIndex) {
        if (ethertype < 0 || ethertype > 0xffff) throw new IllegalArgumentException("ethertype " + ethertype + " is not 16 bits");
        if (interfaceIndex < 0) throw new IllegalArgumentException("negative interface index " + interfaceIndex);
        return new PacketAddress(ethertype, interfaceIndex, 0, new byte[0]);
    }

    /** The ethertype (host order). */
    public int ethertype() {
        return ethertype;
    }

    /** The interface index. */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** The packet type of a received packet (see the constants: {@link #MULTICAST} ...). */
    public int packetType() {
        return packetType;
    }

    /** The link-level address of a received packet's sender. */
    public byte[] hardwareAddress() {
        return hardwareAddress.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PacketAddress p && p.ethertype == ethertype && p.interfaceIndex == interfaceIndex
                && p.packetType == packetType && Arrays.equals(p.hardwareAddress, hardwareAddress);
    }

    @Override
    public int hashCode() {
        return (ethertype * 31 + interfaceIndex) * 31 + packetType;
    }

    @Override
    public String toString() {
        return String.format("packet[ethertype=0x%04x, ifindex=%d, type=%d%s]", ethertype, interfaceIndex, packetType,
                hardwareAddress.length == 0 ? "" : ", " + HexFormat.ofDelimiter(":").formatHex(hardwareAddress));
    }
}
