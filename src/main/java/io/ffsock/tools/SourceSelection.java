package io.ffsock.tools;

import io.ffsock.netlink.Address;
import io.ffsock.netlink.NetlinkException;
import io.ffsock.netlink.Route;
import io.ffsock.netlink.Rtnetlink;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a probe to a destination leaves from (interface and source address), resolved through
 * rtnetlink (RTM_GETROUTE).
 *
 * @param source         the source address to bind
 * @param interfaceName  the interface the probe leaves by
 * @param interfaceIndex its index
 */
record SourceSelection(InetAddress source, String interfaceName, int interfaceIndex) {
    /** IFNAMSIZ - 1: the longest interface name the kernel holds, in bytes. */
    private static final int MAX_NAME_BYTES = 15;

    /**
     * The -I argument: an interface name (its address of the destination's family, the one the
     * kernel prefers on that interface: RTM_GETROUTE with RTA_OIF, as {@code ip route get DST oif
     * NAME}) or an address literal (which must be local: its interface is the one holding it in
     * the address list). Errors are one line in iputils ping's words: {@code SO_BINDTODEVICE
     * eth9: No such device} (IPv4) or {@code unknown iface: eth9} (IPv6) for a missing interface
     * or a name longer than 15 bytes, {@code bind: Cannot assign requested address} for an
     * address that is not local, {@code connect: Network is unreachable} when the interface has
     * no address of that family or no route there.
     */
    static SourceSelection resolve(String interfaceOrAddress, InetAddress destination) throws NetSupport.ToolException {
        boolean v6 = destination instanceof Inet6Address;
        InetAddress literal = addressLiteral(interfaceOrAddress);
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            if (literal != null) return byAddress(rtnl, literal, destination);
            return byName(rtnl, interfaceOrAddress, destination, v6);
        } catch (IOException e) {
            throw new NetSupport.ToolException("rtnetlink: " + e.getMessage());
        }
    }

    /**
     * No -I: the route the kernel would take (RTM_GETROUTE, {@code ip route get DST}): its
     * interface and preferred source. No route: {@code connect: Network is unreachable}, as ping
     * says.
     */
    static SourceSelection forDestination(InetAddress destination) throws NetSupport.ToolException {
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            Route route;
            try {
                route = rtnl.routeTo(destination);
            } catch (NetlinkException e) {
                throw new NetSupport.ToolException("connect: " + e.errno().description() + " (" + e.call() + ")");
            }
            String name = rtnl.link(route.interfaceIndex()).name();
            InetAddress source = route.preferredSource();
            if (source == null) {
                List<Address> own = addressesOf(rtnl, route.interfaceIndex(), destination instanceof Inet6Address);
                if (own.isEmpty()) {
                    throw new NetSupport.ToolException("connect: Network is unreachable (" + name + " has no "
                            + family(destination) + " address)");
                }
                source = own.get(0).local();
            }
            return new SourceSelection(source, name, route.interfaceIndex());
        } catch (IOException e) {
            throw new NetSupport.ToolException("rtnetlink: " + e.getMessage());
        }
    }

    /**
     * True if the -I argument is an address literal (IPv4 dotted quad, or IPv6 text with a
     * colon), false if it names an interface. With a name the tools also bind the socket to the
     * device (SO_BINDTODEVICE), as iputils does; with an address they only bind the address.
     */
    static boolean isAddress(String interfaceOrAddress) {
        return addressLiteral(interfaceOrAddress) != null;
    }

    private static InetAddress addressLiteral(String text) {
        if (!text.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !(text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]+(%[^%\\s]+)?"))) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static SourceSelection byAddress(Rtnetlink rtnl, InetAddress literal, InetAddress destination)
            throws IOException, NetSupport.ToolException {
        if ((literal instanceof Inet6Address) != (destination instanceof Inet6Address)) {
            throw new NetSupport.ToolException("bind: Address family not supported by protocol (" + NetSupport.text(literal)
                    + " is " + family(literal) + ", " + NetSupport.text(destination) + " is " + family(destination) + ")");
        }
        for (Address a : rtnl.addresses()) {
            if (a.local() != null && Arrays.equals(a.local().getAddress(), literal.getAddress())) {
                return new SourceSelection(a.local(), rtnl.link(a.interfaceIndex()).name(), a.interfaceIndex());
            }
        }
        throw new NetSupport.ToolException("bind: Cannot assign requested address (" + NetSupport.text(literal)
                + " is not an address of this host)");
    }

    private static SourceSelection byName(Rtnetlink rtnl, String name, InetAddress destination, boolean v6)
            throws IOException, NetSupport.ToolException {
        String noDevice = v6 ? "unknown iface: " + name : "SO_BINDTODEVICE " + name + ": No such device";
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new NetSupport.ToolException(noDevice + " (an interface name has at most " + MAX_NAME_BYTES + " bytes, this has "
                    + bytes + ")");
        }
        int index;
        try {
            index = rtnl.link(name).index();
        } catch (IllegalArgumentException e) {
            throw new NetSupport.ToolException(noDevice + " (" + e.getMessage() + ")");
        } catch (NetlinkException e) {
            if (e.errno().symbol().equals("ENODEV")) throw new NetSupport.ToolException(noDevice);
            throw e;
        }
        List<Address> own = addressesOf(rtnl, index, v6);
        if (own.isEmpty()) {
            throw new NetSupport.ToolException("connect: Network is unreachable (" + name + " has no " + family(destination)
                    + " address)");
        }
        Route route;
        try {
            route = rtnl.routeTo(destination, index);
        } catch (NetlinkException e) {
            throw new NetSupport.ToolException("connect: " + e.errno().description() + " (no route to "
                    + NetSupport.text(destination) + " through " + name + ")");
        }
        InetAddress source = route.preferredSource() != null ? route.preferredSource() : own.get(0).local();
        return new SourceSelection(source, name, index);
    }

    /** The addresses of the family on the interface, global scope first (the kernel's preference for a source). */
    private static List<Address> addressesOf(Rtnetlink rtnl, int index, boolean v6) throws IOException {
        List<Address> out = new ArrayList<>();
        for (Address a : rtnl.addresses()) {
            if (a.interfaceIndex() == index && a.family() == (v6 ? 10 : 2) && a.local() != null) out.add(a);
        }
        out.sort((x, y) -> Integer.compare(x.scope(), y.scope()));
        return out;
    }

    private static String family(InetAddress a) {
        return a instanceof Inet4Address ? "IPv4" : "IPv6";
    }
}
