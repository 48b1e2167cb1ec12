package io.ffsock.testing;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The family/type pairs the socket calls apply to, with what a test needs for each: a fresh local
 * address to bind (an abstract name for AF_UNIX, port 0 on the loopback address for IP) and a way
 * to get two connected ends.
 */
public enum SocketKind {
    UNIX_STREAM(Family.UNIX, SocketType.STREAM),
    UNIX_DGRAM(Family.UNIX, SocketType.DGRAM),
    UNIX_SEQPACKET(Family.UNIX, SocketType.SEQPACKET),
    TCP4(Family.INET, SocketType.STREAM),
    UDP4(Family.INET, SocketType.DGRAM),
    TCP6(Family.INET6, SocketType.STREAM),
    UDP6(Family.INET6, SocketType.DGRAM);

    private static final AtomicLong COUNTER = new AtomicLong();

    public final Family family;
    public final SocketType type;

    SocketKind(Family family, SocketType type) {
        this.family = family;
        this.type = type;
    }

    public boolean connectionOriented() {
        return type.isConnectionOriented();
    }

    public boolean isUnix() {
        return family.equals(Family.UNIX);
    }

    public Socket open() throws IOException {
        return Socket.open(family, type);
    }

    /** A unique abstract name, so parallel JVMs and earlier tests never collide. */
    public static UnixAddress uniqueAbstractName() {
        return UnixAddress.abstractName("ffsock-test-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    }

    /** The loopback address of this family. */
    public InetAddress loopback() {
        try {
            return InetAddress.getByName(family.equals(Family.INET6) ? "::1" : "127.0.0.1");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A fresh address to bind: a unique abstract name, or the loopback address with port 0. */
    public SocketAddress bindAddress() {
        return isUnix() ? uniqueAbstractName() : new InetSocketAddress(loopback(), 0);
    }

    /**
     * Two connected ends. STREAM/SEQPACKET: a listener, a client connected to it and the accepted
     * socket (the listener is closed before returning). DGRAM: two bound sockets, each connected to
     * the other.
     */
    public Connected connected() throws IOException {
        if (connectionOriented()) {
            try (Socket listener = open()) {
                listener.bind(bindAddress());
                listener.listen();
                Socket client = open();
                try {
                    client.connect(listener.localAddress());
                    return new Connected(client, listener.accept());
                } catch (IOException | RuntimeException e) {
                    client.close();
                    throw e;
                }
            }
        }
        Socket a = open();
        Socket b = open();
        try {
            a.bind(bindAddress());
            b.bind(bindAddress());
            a.connect(b.localAddress());
            b.connect(a.localAddress());
            return new Connected(a, b);
        } catch (IOException | RuntimeException e) {
            a.close();
            b.close();
            throw e;
        }
    }

    /** Two connected sockets: {@code client} connected, {@code server} accepted (or its dgram twin). */
    public record Connected(Socket client, Socket server) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    /** An address as ffsock's error messages print it: {@code 127.0.0.1:53}, {@code [::1]:53}, a path. */
    public static String printed(java.net.SocketAddress a) {
        if (a instanceof java.net.InetSocketAddress in) {
            String host = in.getAddress().getHostAddress();
            return (in.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + in.getPort();
        }
        return String.valueOf(a);
    }
}
