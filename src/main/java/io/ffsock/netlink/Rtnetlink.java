package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The machine's network through rtnetlink(7): links, addresses, routes and neighbours; the route
 * the kernel would pick for a destination; and the changes a privileged user may make (addresses,
 * link up/down, routes). The network is the one of the namespace the socket was opened in.
 *
 * <p>Each list is one dump (sendto(2), then recv(2) until NLMSG_DONE), so the methods are
 * compound; each change is one request and its ack. A refusal is a {@link NetlinkException}
 * with the kernel's errno and its extended-ack text; bad arguments (an interface name longer
 * than 15 bytes, a prefix length out of range) are refused before anything is sent. Methods are
 * synchronized: one request at a time on the one socket. For events, see {@link RtnetlinkEvents}.
 */
public final class Rtnetlink implements AutoCloseable {
    private final NetlinkSocket socket;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens an rtnetlink socket (NETLINK_ROUTE) in the calling thread's network namespace. */
    public static Rtnetlink open() throws IOException {
        return new Rtnetlink(NetlinkSocket.open(NetlinkSocket.ROUTE));
    }

    /** The socket underneath, for its options. */
    public NetlinkSocket socket() {
        return socket;
    }

    // ---- reading -------------------------------------------------------------------------------

    /** Every link, RTM_GETLINK dump. */
    public synchronized List<Link> links() throws IOException {
        return socket.dump(request(RTM_GETLINK, 0, "RTM_GETLINK dump").struct(ifinfomsg(0, 0, 0, 0)), Rtnetlink::link);
    }

    /**
     * The link named {@code name}, RTM_GETLINK with IFLA_IFNAME.
     *
     * @throws NetlinkException         ENODEV if there is none
     * @throws IllegalArgumentException if the name is empty, longer than 15 bytes or holds a NUL, '/' or white space
     */
    public synchronized Link link(String name) throws IOException {
        checkName(name);
        return socket.requestOne(request(RTM_GETLINK, 0, "RTM_GETLINK(dev " + name + ")").struct(ifinfomsg(0, 0, 0, 0))
                .attribute(NetlinkAttribute.ofString(IFLA_IFNAME, name)), Rtnetlink::link);
    }

    /** The link with index {@code index}, RTM_GETLINK; ENODEV if there is none. */
    public synchronized Link link(int index) throws IOException {
        if (index <= 0) throw new IllegalArgumentException("interface index " + index + " is not positive");
        return socket.requestOne(request(RTM_GETLINK, 0, "RTM_GETLINK(index " + index + ")").struct(ifinfomsg(0, index, 0, 0)),
                Rtnetlink::link);
    }

    /** Every address of every family, RTM_GETADDR dump. */
    public synchronized List<Address> addresses() throws IOException {
        return socket.dump(request(RTM_GETADDR, 0, "RTM_GETADDR dump").struct(new byte[SIZEOF_IFADDRMSG]), Rtnetlink::address);
    }

    /** Every route of {@code family} (AF_INET 2, AF_INET6 10) in every table, RTM_GETROUTE dump. */
    public synchronized List<Route> routes(int family) throws IOException {
        checkFamily(family);
        byte[] rtmsg = new byte[SIZEOF_RTMSG];
        rtmsg[OFFSETOF_RTMSG_RTM_FAMILY] = (byte) family;
        return socket.dump(request(RTM_GETROUTE, 0, "RTM_GETROUTE dump").struct(rtmsg), Rtnetlink::route);
    }

    /** Every neighbour entry (ARP and NDP, proxies excluded), RTM_GETNEIGH dump. */
    public synchronized List<Neighbour> neighbours() throws IOException {
        return socket.dump(request(RTM_GETNEIGH, 0, "RTM_GETNEIGH dump").struct(new byte[SIZEOF_NDMSG]), Rtnetlink::neighbour);
    }

    /**
     * The route the kernel would use to send to {@code destination}: its output interface,
     * preferred source address and gateway, RTM_GETROUTE for one address (what {@code ip route
     * get} asks).
     *
     * @throws NetlinkException ENETUNREACH if no route leads there
     */
    public synchronized Route routeTo(InetAddress destination) throws IOException {
        return routeTo(destination, 0);
    }

    /**
     * The route the kernel would use to send to {@code destination} out of the interface with
     * index {@code interfaceIndex} (a socket bound to that device, SO_BINDTODEVICE): RTM_GETROUTE
     * with RTA_OIF, what {@code ip route get DESTINATION oif NAME} asks. Its preferred source is
     * the address the kernel picks on that interface. An index of 0 means any interface, as
     * {@link #routeTo(InetAddress)}.
     *
     * @throws NetlinkException ENETUNREACH if no route leads there through that interface, ENODEV if there is no such interface
     */
    public synchronized Route routeTo(InetAddress destination, int interfaceIndex) throws IOException {
        Objects.requireNonNull(destination, "destination");
        if (interfaceIndex < 0) throw new IllegalArgumentException("interface index " + interfaceIndex + " is negative");
        byte[] rtmsg = new byte[SIZEOF_RTMSG];
        rtmsg[OFFSETOF_RTMSG_RTM_FAMILY] = (byte) Bytes.family(destination);
        rtmsg[OFFSETOF_RTMSG_RTM_DST_LEN] = (byte) (destination.getAddress().length * 8);
        String what = "RTM_GETROUTE(" + destination.getHostAddress() + (interfaceIndex == 0 ? "" : " oif " + interfaceIndex) + ")";
        NetlinkRequest r = request(RTM_GETROUTE, 0, what).struct(rtmsg).attribute(NetlinkAttribute.ofAddress(RTA_DST, destination));
        if (interfaceIndex != 0) r.attribute(NetlinkAttribute.ofInt(RTA_OIF, interfaceIndex));
        return socket.requestOne(r, Rtnetlink::route);
    }

    // ---- changing ------------------------------------------------------------------------------

    /**
     * Adds {@code address}/{@code prefixLength} to interface {@code name}, RTM_NEWADDR with
     * NLM_F_CREATE | NLM_F_EXCL (what {@code ip addr add} sends). Needs CAP_NET_ADMIN.
     *
     * @throws NetlinkException EEXIST if the interface has it already, EPERM without the privilege
     */
    public synchronized void addAddress(String name, InetAddress address, int prefixLength) throws IOException {
        changeAddress(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, name, address, prefixLength);
    }

    /** Removes {@code address}/{@code prefixLength} from interface {@code name}, RTM_DELADDR. Needs CAP_NET_ADMIN. */
    public synchronized void deleteAddress(String name, InetAddress address, int prefixLength) throws IOException {
        changeAddress(RTM_DELADDR, 0, name, address, prefixLength);
    }

    private void changeAddress(int type, int flags, String name, InetAddress address, int prefixLength) throws IOException {
        Objects.requireNonNull(address, "address");
        checkPrefix(address, prefixLength);
        int index = indexOf(name);
        byte[] ifaddrmsg = new byte[SIZEOF_IFADDRMSG];
        ifaddrmsg[OFFSETOF_IFADDRMSG_IFA_FAMILY] = (byte) Bytes.family(address);
        ifaddrmsg[OFFSETOF_IFADDRMSG_IFA_PREFIXLEN] = (byte) prefixLength;
        Bytes.putI32(ifaddrmsg, OFFSETOF_IFADDRMSG_IFA_INDEX, index);
        String what = (type == RTM_NEWADDR ? "RTM_NEWADDR" : "RTM_DELADDR") + "(dev " + name + " "
                + address.getHostAddress() + "/" + prefixLength + ")";
        NetlinkRequest r = request(type, flags, what).struct(ifaddrmsg).attribute(NetlinkAttribute.ofAddress(IFA_LOCAL, address));
        // IPv4 wants IFA_ADDRESS too (the peer; the same address on a broadcast link), as ip sends it.
        if (address instanceof Inet4Address) r.attribute(NetlinkAttribute.ofAddress(IFA_ADDRESS, address));
        socket.execute(r);
    }

    /**
     * Sets interface {@code name} administratively up or down (IFF_UP), RTM_NEWLINK with
     * ifi_change = IFF_UP (what {@code ip link set dev NAME up} sends). Needs CAP_NET_ADMIN.
     */
    public synchronized void setLinkUp(String name, boolean up) throws IOException {
        int index = indexOf(name);
        socket.execute(request(RTM_NEWLINK, 0, "RTM_NEWLINK(dev " + name + (up ? " up)" : " down)"))
                .struct(ifinfomsg(0, index, up ? IFF_UP : 0, IFF_UP)));
    }

    /**
     * Adds a unicast route to {@code destination}/{@code prefixLength} in the main table, via
     * {@code gateway} (null: directly on the link) out of interface {@code name} (null: the
     * kernel finds it from the gateway), RTM_NEWROUTE with NLM_F_CREATE | NLM_F_EXCL. Protocol
     * "boot" and scope as {@code ip route add} chooses them. Needs CAP_NET_ADMIN.
     *
     * @throws NetlinkException EEXIST if the route exists, ENETUNREACH if the gateway is not on a link
     */
    public synchronized void addRoute(InetAddress destination, int prefixLength, InetAddress gateway, String name)
            throws IOException {
        socket.execute(routeRequest(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, destination, prefixLength, gateway, name));
    }

    /** Deletes the route {@link #addRoute} with the same arguments added, RTM_DELROUTE. Needs CAP_NET_ADMIN. */
    public synchronized void deleteRoute(InetAddress destination, int prefixLength, InetAddress gateway, String name)
            throws IOException {
        socket.execute(routeRequest(RTM_DELROUTE, 0, destination, prefixLength, gateway, name));
    }

    private NetlinkRequest routeRequest(int type, int flags, InetAddress destination, int prefixLength, InetAddress gateway,
            String name) throws IOException {
        Objects.requireNonNull(destination, "destination");
        checkPrefix(destination, prefixLength);
        if (gateway != null && Bytes.family(gateway) != Bytes.family(destination)) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress() + " is not of the destination's family");
        }
        int index = name == null ? 0 : indexOf(name);
        boolean add = type == RTM_NEWROUTE;
        byte[] rtmsg = new byte[SIZEOF_RTMSG];
        rtmsg[OFFSETOF_RTMSG_RTM_FAMILY] = (byte) Bytes.family(destination);
        rtmsg[OFFSETOF_RTMSG_RTM_DST_LEN] = (byte) prefixLength;
        rtmsg[OFFSETOF_RTMSG_RTM_TABLE] = (byte) RT_TABLE_MAIN;
        // ip route: a new route is boot/unicast, scope link without a gateway; a delete matches any scope.
        rtmsg[OFFSETOF_RTMSG_RTM_PROTOCOL] = (byte) (add ? RTPROT_BOOT : RTPROT_UNSPEC);
        rtmsg[OFFSETOF_RTMSG_RTM_TYPE] = (byte) (add ? RTN_UNICAST : RTN_UNSPEC);
        rtmsg[OFFSETOF_RTMSG_RTM_SCOPE] = (byte) (!add ? RT_SCOPE_NOWHERE : gateway == null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
        String what = (add ? "RTM_NEWROUTE(" : "RTM_DELROUTE(") + destination.getHostAddress() + "/" + prefixLength
                + (gateway == null ? "" : " via " + gateway.getHostAddress()) + (name == null ? "" : " dev " + name) + ")";
        NetlinkRequest r = request(type, flags, what).struct(rtmsg).attribute(NetlinkAttribute.ofInt(RTA_TABLE, RT_TABLE_MAIN));
        if (prefixLength > 0) r.attribute(NetlinkAttribute.ofAddress(RTA_DST, destination));
        if (gateway != null) r.attribute(NetlinkAttribute.ofAddress(RTA_GATEWAY, gateway));
        if (index != 0) r.attribute(NetlinkAttribute.ofInt(RTA_OIF, index));
        return r;
    }

    private int indexOf(String name) throws IOException {
        return link(name).index();
    }

    // ---- checks and decoders -------------------------------------------------------------------

    /** An interface name the kernel could hold: 1..15 bytes (IFNAMSIZ - 1), no NUL, '/' or white space. */
    static void checkName(String name) {
        Objects.requireNonNull(name, "interface name");
        if (name.isEmpty()) throw new IllegalArgumentException("interface name is empty");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > IFNAMSIZ - 1) {
            throw new IllegalArgumentException("interface name \"" + name + "\" is " + bytes + " bytes; IFNAMSIZ allows "
                    + (IFNAMSIZ - 1));
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0 || c == '/' || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("interface name \"" + name.replace("\0", "\\0")
                        + "\" holds a character the kernel refuses (NUL, '/' or white space)");
            }
        }
    }

    private static void checkFamily(int family) {
        if (family != 2 && family != 10) throw new IllegalArgumentException("family " + family + " is not AF_INET (2) or AF_INET6 (10)");
    }

    private static void checkPrefix(InetAddress a, int prefixLength) {
        int max = a.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not in 0.." + max + " for " + a.getHostAddress());
        }
    }

    private static NetlinkRequest request(int type, int flags, String description) {
        return NetlinkRequest.of(type, flags, description);
    }

    static byte[] ifinfomsg(int family, int index, int flags, int change) {
        byte[] b = new byte[SIZEOF_IFINFOMSG];
        b[OFFSETOF_IFINFOMSG_IFI_FAMILY] = (byte) family;
        Bytes.putI32(b, OFFSETOF_IFINFOMSG_IFI_INDEX, index);
        Bytes.putI32(b, OFFSETOF_IFINFOMSG_IFI_FLAGS, flags);
        Bytes.putI32(b, OFFSETOF_IFINFOMSG_IFI_CHANGE, change);
        return b;
    }

    private static Link link(byte[] b, int at, int len, int type) {
        return type == RTM_NEWLINK ? Link.decode(b, at, len) : null;
    }

    private static Address address(byte[] b, int at, int len, int type) {
        return type == RTM_NEWADDR ? Address.decode(b, at, len) : null;
    }

    private static Route route(byte[] b, int at, int len, int type) {
        return type == RTM_NEWROUTE ? Route.decode(b, at, len) : null;
    }

    private static Neighbour neighbour(byte[] b, int at, int len, int type) {
        return type == RTM_NEWNEIGH ? Neighbour.decode(b, at, len) : null;
    }

    /** Decodes any rtnetlink message this package has a record for; null for the others. */
    static RtnetlinkObject decode(byte[] b, int at, int len, int type) {
        return switch (type) {
            case RTM_NEWLINK, RTM_DELLINK -> Link.decode(b, at, len);
            case RTM_NEWADDR, RTM_DELADDR -> Address.decode(b, at, len);
            case RTM_NEWROUTE, RTM_DELROUTE -> Route.decode(b, at, len);
            case RTM_NEWNEIGH, RTM_DELNEIGH -> Neighbour.decode(b, at, len);
            default -> null;
        };
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        socket.close();
    }
}
