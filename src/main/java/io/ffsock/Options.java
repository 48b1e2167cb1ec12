package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.NativeOption.Codec;
import io.ffsock.internal.sys.OptionValues;
import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Maps socket options to getsockopt/setsockopt calls and their values to and from the kernel's. */
final class Options {
    private Options() {}

    private static final NativeOption<Integer> SO_RCVBUF =
            new NativeOption<>("SO_RCVBUF", Integer.class, SOL_SOCKET, io.ffsock.internal.sys.Const.SO_RCVBUF, Codec.INT, false);
    private static final NativeOption<Integer> SO_SNDBUF =
            new NativeOption<>("SO_SNDBUF", Integer.class, SOL_SOCKET, io.ffsock.internal.sys.Const.SO_SNDBUF, Codec.INT, false);
    private static final NativeOption<Boolean> SO_REUSEADDR =
            new NativeOption<>("SO_REUSEADDR", Boolean.class, SOL_SOCKET, io.ffsock.internal.sys.Const.SO_REUSEADDR, Codec.BOOLEAN, false);
    private static final NativeOption<Boolean> SO_REUSEPORT =
            new NativeOption<>("SO_REUSEPORT", Boolean.class, SOL_SOCKET, io.ffsock.internal.sys.Const.SO_REUSEPORT, Codec.BOOLEAN, false);
    private static final NativeOption<Boolean> SO_KEEPALIVE =
            new NativeOption<>("SO_KEEPALIVE", Boolean.class, SOL_SOCKET, io.ffsock.internal.sys.Const.SO_KEEPALIVE, Codec.BOOLEAN, false);
    private static final NativeOption<Boolean> SO_BROADCAST =
            new NativeOption<>("SO_BROADCAST", Boolean.class, SOL_SOCKET, io.ffsock.internal.sys.Const.SO_BROADCAST, Codec.BOOLEAN, false);
    private static final NativeOption<Integer> SO_LINGER =
            new NativeOption<>("SO_LINGER", Integer.class, SOL_SOCKET, io.ffsock.internal.sys.Const.SO_LINGER, Codec.LINGER, false);
    private static final NativeOption<Boolean> TCP_NODELAY =
            new NativeOption<>("TCP_NODELAY", Boolean.class, SOL_TCP, io.ffsock.internal.sys.Const.TCP_NODELAY, Codec.BOOLEAN, false);
    private static final NativeOption<Integer> IP_TOS =
            new NativeOption<>("IP_TOS", Integer.class, SOL_IP, io.ffsock.internal.sys.Const.IP_TOS, Codec.INT, false);
    private static final NativeOption<Integer> IPV6_TCLASS =
            new NativeOption<>("IPV6_TCLASS", Integer.class, SOL_IPV6, io.ffsock.internal.sys.Const.IPV6_TCLASS, Codec.INT, false);
    private static final NativeOption<Integer> IP_MULTICAST_TTL =
            new NativeOption<>("IP_MULTICAST_TTL", Integer.class, SOL_IP, io.ffsock.internal.sys.Const.IP_MULTICAST_TTL, Codec.INT, false);
    private static final NativeOption<Integer> IPV6_MULTICAST_HOPS =
            new NativeOption<>("IPV6_MULTICAST_HOPS", Integer.class, SOL_IPV6, io.ffsock.internal.sys.Const.IPV6_MULTICAST_HOPS, Codec.INT, false);
    private static final NativeOption<Boolean> IP_MULTICAST_LOOP =
            new NativeOption<>("IP_MULTICAST_LOOP", Boolean.class, SOL_IP, io.ffsock.internal.sys.Const.IP_MULTICAST_LOOP, Codec.BOOLEAN, false);
    private static final NativeOption<Boolean> IPV6_MULTICAST_LOOP =
            new NativeOption<>("IPV6_MULTICAST_LOOP", Boolean.class, SOL_IPV6, io.ffsock.internal.sys.Const.IPV6_MULTICAST_LOOP, Codec.BOOLEAN, false);

    private static final NativeOption<java.net.NetworkInterface> IP_MULTICAST_IF =
            new NativeOption<>("IP_MULTICAST_IF", java.net.NetworkInterface.class, SOL_IP,
                    io.ffsock.internal.sys.Const.IP_MULTICAST_IF, Codec.MULTICAST_INTERFACE, false);
    private static final NativeOption<java.net.NetworkInterface> IPV6_MULTICAST_IF =
            new NativeOption<>("IPV6_MULTICAST_IF", java.net.NetworkInterface.class, SOL_IPV6,
                    io.ffsock.internal.sys.Const.IPV6_MULTICAST_IF, Codec.INTERFACE_INDEX, false);

    /**
     * The kernel option behind {@code option} on a socket of {@code family}: IP-level standard
     * options map to their IPv6 twins on AF_INET6 sockets, as the JDK does.
     */
    @SuppressWarnings("unchecked")
    static <T> NativeOption<T> resolve(SocketOption<T> option, Family family) {
        if (option instanceof NativeOption<T> n) return n;
        boolean v6 = family.equals(Family.INET6);
        Object o;
        if (option == StandardSocketOptions.SO_RCVBUF) o = SO_RCVBUF;
        else if (option == StandardSocketOptions.SO_SNDBUF) o = SO_SNDBUF;
        else if (option == StandardSocketOptions.SO_REUSEADDR) o = SO_REUSEADDR;
        else if (option == StandardSocketOptions.SO_REUSEPORT) o = SO_REUSEPORT;
        else if (option == StandardSocketOptions.SO_KEEPALIVE) o = SO_KEEPALIVE;
        else if (option == StandardSocketOptions.SO_BROADCAST) o = SO_BROADCAST;
        else if (option == StandardSocketOptions.SO_LINGER) o = SO_LINGER;
        else if (option == StandardSocketOptions.TCP_NODELAY) o = TCP_NODELAY;
        else if (option == StandardSocketOptions.IP_TOS) o = v6 ? IPV6_TCLASS : IP_TOS;
        else if (option == StandardSocketOptions.IP_MULTICAST_TTL) o = v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL;
        else if (option == StandardSocketOptions.IP_MULTICAST_LOOP) o = v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP;
        else if (option == StandardSocketOptions.IP_MULTICAST_IF) o = v6 ? IPV6_MULTICAST_IF : IP_MULTICAST_IF;
        else throw new UnsupportedOperationException("socket option " + option.name() + " is not supported by ffsock");
        return (NativeOption<T>) o;
    }

    static <T> T get(int fd, NativeOption<T> o) throws IOException {
        String call = "getsockopt(" + o.name() + ")";
        Object v = switch (o.codec()) {
            case INT, BOOLEAN, FAMILY, SOCKET_TYPE, PROTOCOL -> {
                long r = Syscalls.getsockoptInt(fd, o.level(), o.optName());
                if (r < 0) throw Errors.of(call, (int) -r, null);
                int i = (int) r;
                yield switch (o.codec()) {
                    case BOOLEAN -> i != 0;
                    case FAMILY -> new Family(i);
                    case SOCKET_TYPE -> new SocketType(i);
                    case PROTOCOL -> new Protocol(i);
                    default -> i;
                };
            }
            case LINGER -> {
                int[] l = new int[2];
                int r = Syscalls.getsockoptInts(fd, o.level(), o.optName(), l);
                if (r < 0) throw Errors.of(call, -r, null);
                yield l[0] != 0 ? l[1] : -1;
            }
            case TIMEVAL -> {
                long[] tv = new long[2];
                int r = Syscalls.getsockoptTimeval(fd, o.level(), o.optName(), tv);
                if (r < 0) throw Errors.of(call, -r, null);
                yield Duration.ofSeconds(tv[0]).plusNanos(tv[1] * 1000);
            }
            case BYTES -> {
                byte[] b = new byte[40];
                int r = Syscalls.getsockopt(fd, o.level(), o.optName(), b);
                if (r < 0) throw Errors.of(call, -r, null);
                yield java.util.Arrays.copyOf(b, Math.min(r, b.length));
            }
            case ICMP_FILTER -> {
                long r = Syscalls.getsockoptInt(fd, o.level(), o.optName());
                if (r < 0) throw Errors.of(call, (int) -r, null);
                yield IcmpFilter.fromIcmpv4Mask((int) r);
            }
            case ICMP6_FILTER -> {
                int[] w = new int[8];
                int r = Syscalls.getsockoptInts(fd, o.level(), o.optName(), w);
                if (r < 0) throw Errors.of(call, -r, null);
                yield IcmpFilter.fromIcmpv6Words(w);
            }
            case MULTICAST_INTERFACE, MULTICAST_INTERFACE_ADDRESS -> {
                // getsockopt(IP_MULTICAST_IF) reports the interface's address (struct in_addr).
                byte[] b = new byte[4];
                int r = Syscalls.getsockopt(fd, o.level(), o.optName(), b);
                if (r < 0) throw Errors.of(call, -r, null);
                java.net.InetAddress a = java.net.InetAddress.getByAddress(b);
                if (a.isAnyLocalAddress()) yield null;
                yield o.codec() == Codec.MULTICAST_INTERFACE ? java.net.NetworkInterface.getByInetAddress(a) : a;
            }
            case INTERFACE_INDEX -> {
                long r = Syscalls.getsockoptInt(fd, o.level(), o.optName());
                if (r < 0) throw Errors.of(call, (int) -r, null);
                yield r == 0 ? null : java.net.NetworkInterface.getByIndex((int) r);
            }
            case STRING -> {
                byte[] b = new byte[IFNAMSIZ];
                int r = Syscalls.getsockopt(fd, o.level(), o.optName(), b);
                if (r < 0) throw Errors.of(call, -r, null);
                int n = 0;
                while (n < Math.min(r, b.length) && b[n] != 0) n++;
                yield new String(b, 0, n, StandardCharsets.UTF_8);
            }
        };
        return o.type().cast(v);
    }

    static int interfaceIndex(java.net.NetworkInterface nif, NativeOption<?> o) {
        return interfaceIndex(nif, o.name());
    }

    static int interfaceIndex(java.net.NetworkInterface nif, String what) {
        int i = nif.getIndex();
        if (i <= 0) throw new IllegalArgumentException(what + ": interface " + nif.getName() + " has no index");
        return i;
    }

    static <T> void set(int fd, NativeOption<T> o, T value) throws IOException {
        String call = "setsockopt(" + o.name() + ", " + value + ")";
        int r = switch (o.codec()) {
            case INT -> Syscalls.setsockoptInt(fd, o.level(), o.optName(), (Integer) value);
            case BOOLEAN -> Syscalls.setsockoptInt(fd, o.level(), o.optName(), ((Boolean) value) ? 1 : 0);
            case LINGER -> {
                int secs = (Integer) value;
                yield Syscalls.setsockoptInts(fd, o.level(), o.optName(), secs >= 0 ? 1 : 0, Math.max(secs, 0));
            }
            case TIMEVAL -> {
                Duration d = (Duration) value;
                if (d.isNegative()) throw new IllegalArgumentException(o.name() + ": negative duration " + d);
                yield Syscalls.setsockoptTimeval(fd, o.level(), o.optName(), d.getSeconds(), d.getNano() / 1000);
            }
            case STRING -> {
                byte[] name = ((String) value).getBytes(StandardCharsets.UTF_8);
                if (name.length >= IFNAMSIZ) {
                    throw new IllegalArgumentException(o.name() + ": interface name longer than " + (IFNAMSIZ - 1) + " bytes: " + value);
                }
                yield Syscalls.setsockopt(fd, o.level(), o.optName(), name);
            }
            case BYTES -> {
                byte[] b = (byte[]) value;
                if (b.length > 40) throw new IllegalArgumentException(o.name() + ": " + b.length + " bytes, at most 40");
                yield Syscalls.setsockopt(fd, o.level(), o.optName(), b);
            }
            case ICMP_FILTER -> Syscalls.setsockoptInt(fd, o.level(), o.optName(), ((IcmpFilter) value).toIcmpv4Mask());
            case ICMP6_FILTER -> Syscalls.setsockoptInts(fd, o.level(), o.optName(), ((IcmpFilter) value).toIcmpv6Words());
            // getsockopt(IP_MULTICAST_IF) reports only the address (inet->mc_addr), so an index
            // alone would read back as "none": pass the interface's first IPv4 address too, as the
            // JDK's own sockets do (the index still picks the interface; the address then becomes
            // the source of unbound sockets' multicast). An interface without IPv4 gets the index only.
            case MULTICAST_INTERFACE -> {
                java.net.NetworkInterface nif = (java.net.NetworkInterface) value;
                byte[] address = nif.inetAddresses().filter(a -> a instanceof java.net.Inet4Address).findFirst()
                        .map(java.net.InetAddress::getAddress).orElse(null);
                yield Syscalls.setsockopt(fd, o.level(), o.optName(),
                        OptionValues.ipMreqn(null, address, interfaceIndex(nif, o)));
            }
            case MULTICAST_INTERFACE_ADDRESS -> Syscalls.setsockopt(fd, o.level(), o.optName(),
                    OptionValues.ipMreqn(null, ((java.net.Inet4Address) value).getAddress(), 0));
            case INTERFACE_INDEX -> Syscalls.setsockoptInt(fd, o.level(), o.optName(),
                    interfaceIndex((java.net.NetworkInterface) value, o));
            case FAMILY, SOCKET_TYPE, PROTOCOL -> throw new UnsupportedOperationException(o.name() + " is read-only");
        };
        if (r < 0) throw Errors.of(call, -r, null);
    }
}
