package io.ffsock.netlink;

import static io.ffsock.netlink.NetlinkConst.*;

import java.net.InetAddress;

/**
 * An interface address as RTM_NEWADDR describes it, rtnetlink(7): struct ifaddrmsg and its
 * IFA_* attributes.
 *
 * @param family            AF_INET (2) or AF_INET6 (10)
 * @param interfaceIndex    ifa_index
 * @param prefixLength      ifa_prefixlen
 * @param local             the interface's own address: IFA_LOCAL, else IFA_ADDRESS (what {@code ip} calls "local")
 * @param peer              IFA_ADDRESS when it differs from IFA_LOCAL (a point-to-point peer), else null
 * @param broadcast         IFA_BROADCAST, or null
 * @param scope             ifa_scope, RT_SCOPE_*: 0 universe ("global"), 253 link, 254 host ({@link #scopeName()})
 * @param flags             IFA_FLAGS when present (32 bits), else ifa_flags: IFA_F_PERMANENT, IFA_F_SECONDARY ...
 * @param label             IFA_LABEL (IPv4 only), "" if absent
 * @param preferredLifetime IFA_CACHEINFO ifa_prefered, seconds; 4294967295 is forever
 * @param validLifetime     IFA_CACHEINFO ifa_valid, seconds; 4294967295 is forever
 */
public record Address(int family, int interfaceIndex, int prefixLength, InetAddress local, InetAddress peer,
        InetAddress broadcast, int scope, int flags, String label, long preferredLifetime, long validLifetime)
        implements RtnetlinkObject {

    /** The value of a lifetime that never ends. */
    public static final long FOREVER = 0xffffffffL;

    /** The scope as {@code ip} prints it: global, site, link, host, nowhere, or the number. */
    public String scopeName() {
        return Names.scope(scope);
    }

    /** IFA_F_PERMANENT: configured, not learned (no lifetimes running). */
    public boolean isPermanent() {
        return (flags & IFA_F_PERMANENT) != 0;
    }

    /** IFA_F_TENTATIVE: IPv6 duplicate address detection has not finished. */
    public boolean isTentative() {
        return (flags & IFA_F_TENTATIVE) != 0;
    }

    /** Decodes the RTM_NEWADDR / RTM_DELADDR message at {@code at}. */
    static Address decode(byte[] b, int at, int length) {
        int p = at + SIZEOF_NLMSGHDR;
        Structs.require(length, SIZEOF_IFADDRMSG, "ifaddrmsg");
        InetAddress address = null, local = null, broadcast = null;
        String label = "";
        int flags = Bytes.u8(b, p + OFFSETOF_IFADDRMSG_IFA_FLAGS);
        long preferred = FOREVER, valid = FOREVER;
        AttributeCursor c = new AttributeCursor(b, p + SIZEOF_IFADDRMSG, at + length);
        while (c.next()) {
            switch (c.type()) {
                case IFA_ADDRESS -> address = c.address();
                case IFA_LOCAL -> local = c.address();
                case IFA_BROADCAST -> broadcast = c.address();
                case IFA_LABEL -> label = c.string();
                case IFA_FLAGS -> flags = c.u32();
                case IFA_CACHEINFO -> {
                    if (c.length() < SIZEOF_IFA_CACHEINFO) {
                        throw new MalformedNetlinkException("IFA_CACHEINFO of " + c.length() + " bytes, need " + SIZEOF_IFA_CACHEINFO);
                    }
                    preferred = Integer.toUnsignedLong(Bytes.i32(b, c.valueOffset() + OFFSETOF_IFA_CACHEINFO_IFA_PREFERED));
                    valid = Integer.toUnsignedLong(Bytes.i32(b, c.valueOffset() + OFFSETOF_IFA_CACHEINFO_IFA_VALID));
                }
                default -> { }
            }
        }
        InetAddress own = local != null ? local : address;
        InetAddress peer = local != null && address != null && !address.equals(local) ? address : null;
        return new Address(Bytes.u8(b, p + OFFSETOF_IFADDRMSG_IFA_FAMILY), Bytes.i32(b, p + OFFSETOF_IFADDRMSG_IFA_INDEX),
                Bytes.u8(b, p + OFFSETOF_IFADDRMSG_IFA_PREFIXLEN), own, peer, broadcast,
                Bytes.u8(b, p + OFFSETOF_IFADDRMSG_IFA_SCOPE), flags, label, preferred, valid);
    }

    @Override
    public String toString() {
        return (local == null ? "?" : local.getHostAddress()) + "/" + prefixLength + " dev#" + interfaceIndex
                + " scope " + scopeName() + (label.isEmpty() ? "" : " " + label);
    }
}
