package io.ffsock.tools;

import io.ffsock.LinuxSocketOptions;
import io.ffsock.Socket;
import io.ffsock.netlink.Address;
import io.ffsock.netlink.NetlinkException;
import io.ffsock.netlink.Rtnetlink;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This host's interfaces as rtnetlink gives them (RTM_GETLINK, RTM_GETADDR), for the tools'
 * interface options: the IGMP/MLD tools' -i, and binding ping's and traceroute's sockets to what
 * {@link SourceSelection} chose.
 */
final class LocalInterfaces {
    private LocalInterfaces() {}

    /** IFNAMSIZ - 1: the longest interface name the kernel holds, in bytes. */
    private static final int MAX_NAME_BYTES = 15;

    /**
     * An interface and its addresses, in the kernel's order (an interface's primary address of a
     * family comes before its secondaries).
     */
    record Interface(String name, int index, List<Address> addresses) {
        /** The first IPv4 address that is not a secondary one, if any. */
        Optional<Inet4Address> ipv4() {
            return addresses.stream().filter(a -> a.local() instanceof Inet4Address && (a.flags() & IFA_F_SECONDARY) == 0)
                    .map(a -> (Inet4Address) a.local()).findFirst();
        }

        /** The first link-local IPv6 address (fe80::/10) whose duplicate address detection has ended, if any. */
        Optional<Inet6Address> linkLocalIpv6() {
            return addresses.stream().filter(a -> a.local() instanceof Inet6Address v && v.isLinkLocalAddress() && !a.isTentative())
                    .map(a -> (Inet6Address) a.local()).findFirst();
        }

        /** {@code a} scoped to this interface (its index as the scope id), as a link-local address needs. */
        Inet6Address scoped(Inet6Address a) throws UnknownHostException {
            return Inet6Address.getByAddress(null, a.getAddress(), index);
        }
    }

    /** IFA_F_SECONDARY, linux/if_addr.h. */
    private static final int IFA_F_SECONDARY = 0x01;

    /**
     * The interface named {@code name} with its addresses. A missing interface, or a name the
     * kernel could not hold (longer than 15 bytes, holding '/' or white space), is
     * {@code NAME: no such interface}.
     */
    static Interface byName(String name) throws NetSupport.ToolException {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new NetSupport.ToolException(name + ": no such interface (an interface name has at most " + MAX_NAME_BYTES
                    + " bytes, this has " + bytes + ")");
        }
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            int index;
            try {
                index = rtnl.link(name).index();
            } catch (IllegalArgumentException e) {
                throw new NetSupport.ToolException(name + ": no such interface (" + e.getMessage() + ")");
            } catch (NetlinkException e) {
                if (e.errno().symbol().equals("ENODEV")) throw new NetSupport.ToolException(name + ": no such interface");
                throw e;
            }
            List<Address> own = new ArrayList<>();
            for (Address a : rtnl.addresses()) if (a.interfaceIndex() == index && a.local() != null) own.add(a);
            return new Interface(name, index, List.copyOf(own));
        } catch (IOException e) {
            throw new NetSupport.ToolException("rtnetlink: " + e.getMessage());
        }
    }

    /**
     * Binds {@code s} to what {@link SourceSelection} chose: to the interface first
     * (SO_BINDTODEVICE) when {@code toDevice}, as iputils does for an interface name, then to the
     * source address (port 0; a link-local IPv6 source scoped to the interface). Errors are one
     * line in ping's words: {@code SO_BINDTODEVICE eth1: ...}, {@code bind: ...}.
     */
    static void bindSource(Socket s, SourceSelection from, boolean toDevice) throws NetSupport.ToolException {
        if (toDevice) {
            try {
                s.setOption(LinuxSocketOptions.SO_BINDTODEVICE, from.interfaceName());
            } catch (IOException e) {
                throw new NetSupport.ToolException("SO_BINDTODEVICE " + from.interfaceName() + ": " + e.getMessage());
            }
        }
        InetAddress source = from.source();
        try {
            if (source instanceof Inet6Address v && v.isLinkLocalAddress() && v.getScopeId() == 0) {
                source = Inet6Address.getByAddress(null, v.getAddress(), from.interfaceIndex());
            }
            s.bind(new InetSocketAddress(source, 0));
        } catch (IOException e) {
            throw new NetSupport.ToolException("bind: " + e.getMessage());
        }
    }
}
