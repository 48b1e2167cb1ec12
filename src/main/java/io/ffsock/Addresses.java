package io.ffsock;

import io.ffsock.internal.sys.Const;
import io.ffsock.internal.sys.SockAddr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/** Converts between the public address types and the kernel's sockaddr bytes, checking first. */
final class Addresses {
    private Addresses() {}

    /**
     * The kernel form of {@code address} for a socket of {@code family}.
     *
     * @throws IllegalArgumentException if the address is of a type or family the socket cannot use,
     *         or unresolved
     */
    static SockAddr toKernel(SocketAddress address, Family family, String call) {
        Objects.requireNonNull(address, () -> call + ": address is null");
        if (address instanceof UnixDomainSocketAddress u) {
            address = UnixAddress.of(u);
        }
        if (address instanceof UnixAddress u) {
            requireFamily(family, Family.UNIX, address, call);
            return switch (u.kind()) {
                case PATH -> SockAddr.unixPath(u.rawName());
                case ABSTRACT -> SockAddr.unixAbstract(u.rawName());
                case UNNAMED -> SockAddr.unixUnnamed();
            };
        }
        if (address instanceof PacketAddress pa) {
            requireFamily(family, Family.PACKET, address, call);
            return SockAddr.packet(pa.ethertype(), pa.interfaceIndex());
        }
        if (address instanceof NetlinkAddress nl) {
            requireFamily(family, Family.NETLINK, address, call);
            return SockAddr.netlink(nl.pid(), nl.groups());
        }
        if (address instanceof InetSocketAddress in) {
            if (in.isUnresolved()) {
                throw new IllegalArgumentException(call + ": unresolved address " + in.getHostString() + ":" + in.getPort());
            }
            InetAddress ip = in.getAddress();
            if (family.equals(Family.INET)) {
                if (!(ip instanceof Inet4Address)) {
                    throw new IllegalArgumentException(call + ": IPv6 address " + Errors.describe(address) + " given to an AF_INET socket");
                }
                return SockAddr.inet(ip.getAddress(), in.getPort());
            }
            if (family.equals(Family.INET6)) {
                if (ip instanceof Inet6Address v6) {
                    return SockAddr.inet6(v6.getAddress(), in.getPort(), 0, v6.getScopeId());
                }
                // An AF_INET6 socket reaches IPv4 peers through v4-mapped addresses, as the JDK does.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(ip.getAddress(), 0, mapped, 12, 4);
                return SockAddr.inet6(mapped, in.getPort(), 0, 0);
            }
            throw new IllegalArgumentException(call + ": " + (ip instanceof Inet4Address ? Family.INET : Family.INET6)
                    + " address " + Errors.describe(address) + " given to an " + family + " socket");
        }
        throw new IllegalArgumentException(call + ": unsupported address type " + address.getClass().getName()
                + " (use UnixAddress, UnixDomainSocketAddress, InetSocketAddress, PacketAddress or NetlinkAddress)");
    }

    private static void requireFamily(Family have, Family want, SocketAddress address, String call) {
        if (!have.equals(want)) {
            throw new IllegalArgumentException(call + ": " + want + " address " + Errors.describe(address) + " given to an " + have + " socket");
        }
    }

    /** The public form of an address the kernel returned; null when it returned none. */
    static SocketAddress fromKernel(SockAddr a) {
        return switch (a.family()) {
            case Const.AF_UNIX -> switch (a.unixKind()) {
                case PATH -> UnixAddress.fromKernel(UnixAddress.Kind.PATH, a.unixName());
                case ABSTRACT -> UnixAddress.fromKernel(UnixAddress.Kind.ABSTRACT, a.unixName());
                case UNNAMED -> UnixAddress.unnamed();
            };
            case Const.AF_INET -> inet(a);
            case Const.AF_INET6 -> inet6(a);
            case Const.AF_PACKET -> new PacketAddress(a.packetProtocol(), a.packetIfindex(), a.packetType(),
                    a.packetHardwareAddress());
            case Const.AF_NETLINK -> new NetlinkAddress(a.netlinkPid(), a.netlinkGroups());
            case Const.AF_UNSPEC -> null;
            default -> new OtherAddress(a.family(), a.length());
        };
    }

    private static InetSocketAddress inet(SockAddr a) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(a.ip()), a.port());
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 bytes is always a valid IPv4 address
        }
    }

    private static InetSocketAddress inet6(SockAddr a) {
        try {
            if (a.scopeId() == 0 && isV4Mapped(a.ip())) {
                // An IPv4 peer of a dual-stack AF_INET6 socket: given as the Inet4Address it is,
                // as the JDK's own sockets do; sending to it maps it back (toKernel above).
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(a.ip(), 12, 16)), a.port());
            }
            // sin6_scope_id 0 means "no scope": -1 leaves the scope unset, so the address prints
            // as "::1" (as the JDK's own sockets give it), not "::1%0".
            return new InetSocketAddress(Inet6Address.getByAddress(null, a.ip(), a.scopeId() == 0 ? -1 : a.scopeId()),
                    a.port());
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 16 bytes is always a valid IPv6 address
        }
    }

    /** ::ffff:a.b.c.d */
    private static boolean isV4Mapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) return false;
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    /** An address of a family ffsock does not decode: keeps the family for printing. */
    static final class OtherAddress extends SocketAddress {
        private static final long serialVersionUID = 1L;
        private final int family;
        private final int length;

        OtherAddress(int family, int length) {
            this.family = family;
            this.length = length;
        }

        @Override
        public String toString() {
            return "address of family " + new Family(family) + " (" + length + " bytes)";
        }
    }
}
