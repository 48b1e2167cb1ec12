package io.ffsock.internal.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * The structs that travel as option values or control-message payloads, encoded to and decoded
 * from bytes with the layouts of {@link Structs}. IPv4 and IPv6 addresses are byte arrays in
 * network order, as {@link java.net.InetAddress#getAddress()} gives them.
 */
public final class OptionValues {
    private OptionValues() {}

    private static long offset(StructLayout s, String member) {
        return s.byteOffset(PathElement.groupElement(member));
    }

    /** struct ip_mreqn {multiaddr, address, ifindex}; null addresses are INADDR_ANY. */
    public static byte[] ipMreqn(byte[] group, byte[] local, int ifindex) {
        byte[] b = new byte[(int) Structs.IP_MREQN.byteSize()];
        if (group != null) System.arraycopy(group, 0, b, (int) offset(Structs.IP_MREQN, "imr_multiaddr"), 4);
        if (local != null) System.arraycopy(local, 0, b, (int) offset(Structs.IP_MREQN, "imr_address"), 4);
        MemorySegment.ofArray(b).set(JAVA_INT_UNALIGNED, offset(Structs.IP_MREQN, "imr_ifindex"), ifindex);
        return b;
    }

    /** struct ip_mreq_source {multiaddr, interface address, source address}. */
    public static byte[] ipMreqSource(byte[] group, byte[] interfaceAddress, byte[] source) {
        byte[] b = new byte[(int) Structs.IP_MREQ_SOURCE.byteSize()];
        System.arraycopy(group, 0, b, (int) offset(Structs.IP_MREQ_SOURCE, "imr_multiaddr"), 4);
        if (interfaceAddress != null) {
            System.arraycopy(interfaceAddress, 0, b, (int) offset(Structs.IP_MREQ_SOURCE, "imr_interface"), 4);
        }
        System.arraycopy(source, 0, b, (int) offset(Structs.IP_MREQ_SOURCE, "imr_sourceaddr"), 4);
        return b;
    }

    /** struct ipv6_mreq {multiaddr, interface index}. */
    public static byte[] ipv6Mreq(byte[] group, int ifindex) {
        byte[] b = new byte[(int) Structs.IPV6_MREQ.byteSize()];
        System.arraycopy(group, 0, b, (int) offset(Structs.IPV6_MREQ, "ipv6mr_multiaddr"), 16);
        MemorySegment.ofArray(b).set(JAVA_INT_UNALIGNED, offset(Structs.IPV6_MREQ, "ipv6mr_interface"), ifindex);
        return b;
    }

    /** A struct in_pktinfo or in6_pktinfo payload, decoded. Addresses in network order. */
    public record PacketInfo(int ifindex, byte[] localAddress, byte[] destination) {}

    /** Decodes struct in_pktinfo (IP_PKTINFO control message). */
    public static PacketInfo inPktinfo(byte[] b) {
        MemorySegment s = MemorySegment.ofArray(b);
        int spec = (int) offset(Structs.IN_PKTINFO, "ipi_spec_dst");
        int addr = (int) offset(Structs.IN_PKTINFO, "ipi_addr");
        return new PacketInfo(s.get(JAVA_INT_UNALIGNED, offset(Structs.IN_PKTINFO, "ipi_ifindex")),
                Arrays.copyOfRange(b, spec, spec + 4), Arrays.copyOfRange(b, addr, addr + 4));
    }

    /** Decodes struct in6_pktinfo (IPV6_PKTINFO control message); it has no local address. */
    public static PacketInfo in6Pktinfo(byte[] b) {
        int addr = (int) offset(Structs.IN6_PKTINFO, "ipi6_addr");
        return new PacketInfo(MemorySegment.ofArray(b).get(JAVA_INT_UNALIGNED, offset(Structs.IN6_PKTINFO, "ipi6_ifindex")),
                null, Arrays.copyOfRange(b, addr, addr + 16));
    }

    /** Encodes struct in_pktinfo for sending (choose the source address and interface). */
    public static byte[] inPktinfo(int ifindex, byte[] localAddress) {
        byte[] b = new byte[(int) Structs.IN_PKTINFO.byteSize()];
        MemorySegment.ofArray(b).set(JAVA_INT_UNALIGNED, offset(Structs.IN_PKTINFO, "ipi_ifindex"), ifindex);
        if (localAddress != null) System.arraycopy(localAddress, 0, b, (int) offset(Structs.IN_PKTINFO, "ipi_spec_dst"), 4);
        return b;
    }

    /** Encodes struct in6_pktinfo for sending. */
    public static byte[] in6Pktinfo(int ifindex, byte[] source) {
        byte[] b = new byte[(int) Structs.IN6_PKTINFO.byteSize()];
        MemorySegment.ofArray(b).set(JAVA_INT_UNALIGNED, offset(Structs.IN6_PKTINFO, "ipi6_ifindex"), ifindex);
        if (source != null) System.arraycopy(source, 0, b, (int) offset(Structs.IN6_PKTINFO, "ipi6_addr"), 16);
        return b;
    }

    /** A struct timespec as two numbers. */
    public record Timespec(long seconds, long nanoseconds) {}

    /** Decodes a struct timespec (SCM_TIMESTAMPNS); null if {@code b} is not exactly one. */
    public static Timespec timespec(byte[] b) {
        StructLayout l = Structs.TIMESPEC;
        if (b.length != l.byteSize()) return null;
        MemorySegment s = MemorySegment.ofArray(b);
        return new Timespec(s.get(JAVA_LONG_UNALIGNED, offset(l, "tv_sec")), s.get(JAVA_LONG_UNALIGNED, offset(l, "tv_nsec")));
    }

    /**
     * A struct sock_extended_err with the offender's address that follows it (SO_EE_OFFENDER),
     * decoded; {@code offender} is null when the payload has none (its family is AF_UNSPEC).
     */
    public record ExtendedError(int errno, int origin, int type, int code, int info, int data, SockAddr offender) {}

    /** Decodes an IP_RECVERR / IPV6_RECVERR payload. */
    public static ExtendedError extendedError(byte[] b) {
        StructLayout l = Structs.SOCK_EXTENDED_ERR;
        if (b.length < l.byteSize()) throw new IllegalArgumentException("sock_extended_err needs " + l.byteSize() + " bytes, got " + b.length);
        MemorySegment s = MemorySegment.ofArray(b);
        SockAddr offender = null;
        int at = (int) l.byteSize();
        if (b.length >= at + 2) {
            byte[] addr = Arrays.copyOfRange(b, at, b.length);
            SockAddr a = new SockAddr(Arrays.copyOf(addr, Math.max(addr.length, (int) Structs.SOCKADDR_STORAGE.byteSize())), addr.length);
            if (a.family() != Const.AF_UNSPEC) offender = a;
        }
        return new ExtendedError(s.get(JAVA_INT_UNALIGNED, offset(l, "ee_errno")),
                s.get(JAVA_BYTE, offset(l, "ee_origin")) & 0xff,
                s.get(JAVA_BYTE, offset(l, "ee_type")) & 0xff,
                s.get(JAVA_BYTE, offset(l, "ee_code")) & 0xff,
                s.get(JAVA_INT_UNALIGNED, offset(l, "ee_info")),
                s.get(JAVA_INT_UNALIGNED, offset(l, "ee_data")),
                offender);
    }
}
