/** ffsock: typed Linux sockets through the Foreign Function and Memory API. */
module io.ffsock {
    exports io.ffsock;
    exports io.ffsock.packet;
    exports io.ffsock.net;
    exports io.ffsock.icmp;
    exports io.ffsock.netlink;
    exports io.ffsock.dbus;
    exports io.ffsock.uring;
    // jdk.net: the TCP keep-alive options io.ffsock.net.UnixSocket accepts without effect.
    requires jdk.net;
    // dbus-java is optional: only io.ffsock.dbus uses it, and nothing else in ffsock loads that package.
    requires static org.freedesktop.dbus;
    provides org.freedesktop.dbus.spi.transport.ITransportProvider with io.ffsock.dbus.FfsockTransportProvider;
    provides org.freedesktop.dbus.spi.message.ISocketProvider with io.ffsock.dbus.FfsockSocketProvider;
}
