package io.ffsock;

import java.net.SocketOption;

/**
 * A socket option as the kernel sees it: level, option name, and how its value is encoded.
 * The public constants are in {@link LinuxSocketOptions}; the JDK's {@link java.net.StandardSocketOptions}
 * map onto instances of this class in {@link Socket#getOption}.
 */
record NativeOption<T>(String name, Class<T> type, int level, int optName, Codec codec, boolean readOnly)
        implements SocketOption<T> {

    /** How the value travels: all are ints in the kernel but for the struct and string ones. */
    enum Codec {
        /** int, as Integer. */
        INT,
        /** int 0/1, as Boolean. */
        BOOLEAN,
        /** struct linger, as Integer seconds, or -1 when off (the JDK's convention). */
        LINGER,
        /** struct timeval, as java.time.Duration (ZERO means no timeout). */
        TIMEVAL,
        /** int AF_*, as {@link Family}. */
        FAMILY,
        /** int SOCK_*, as {@link SocketType}. */
        SOCKET_TYPE,
        /** int IPPROTO_*, as {@link Protocol}. */
        PROTOCOL,
        /** bytes, as a String (an interface name, SO_BINDTODEVICE). */
        STRING,
        /** bytes as they are (IP_OPTIONS). */
        BYTES,
        /** u32 bit mask, as {@link IcmpFilter} (ICMP_FILTER). */
        ICMP_FILTER,
        /** struct icmp6_filter, as {@link IcmpFilter}. */
        ICMP6_FILTER,
        /** struct ip_mreqn with only the interface index set, as a NetworkInterface (IP_MULTICAST_IF). */
        MULTICAST_INTERFACE,
        /** struct ip_mreqn with only the local address set, as an Inet4Address (IP_MULTICAST_IF). */
        MULTICAST_INTERFACE_ADDRESS,
        /** int interface index, as a NetworkInterface (IPV6_MULTICAST_IF). */
        INTERFACE_INDEX
    }

    @Override
    public String toString() {
        return name;
    }
}
