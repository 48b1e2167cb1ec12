package io.ffsock.dbus;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.net.UnixSocketChannel;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.Set;
import org.freedesktop.dbus.connections.BusAddress;
import org.freedesktop.dbus.connections.SASL;
import org.freedesktop.dbus.connections.config.TransportConfig;
import org.freedesktop.dbus.connections.transports.AbstractUnixTransport;
import org.freedesktop.dbus.exceptions.TransportConfigurationException;

/**
 * One D-Bus connection (or, with {@code listen=true}, one listening server) over an AF_UNIX
 * stream socket of ffsock. Authenticates with SASL EXTERNAL (the process's real uid, which the
 * peer checks against SO_PEERCRED) and offers fd passing (NEGOTIATE_UNIX_FD).
 *
 * <p>Address keys: {@code path} or {@code abstract} (exactly one), and {@code guid} and
 * {@code listen}, which dbus-java itself reads. Any other key ({@code tmpdir}, {@code dir},
 * {@code runtime}, a typo) is refused by name rather than ignored.
 *
 * <p>As a server it admits only peers whose kernel-reported uid (SO_PEERCRED) is the uid SASL
 * expects: dbus-java's SASL server compares the uid the client claims with its own, but cannot
 * see the kernel's uid through a SocketChannel, so the check is made here, at accept.
 */
final class FfsockUnixTransport extends AbstractUnixTransport {
    private static final Set<String> KEYS = Set.of("path", "abstract", "guid", "listen");
    /** Channels a server of this transport accepted (see {@link #agreedAsServer}). */
    private static final Set<UnixSocketChannel> ACCEPTED =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    private final UnixAddress address;
    private final String addressProblem;
    private volatile UnixSocketChannel channel;
    private volatile Socket server;

    FfsockUnixTransport(BusAddress busAddress, TransportConfig config) throws TransportConfigurationException {
        super(busAddress, config);
        // dbus-java logs a TransportConfigurationException from the provider and then reports only
        // "no transport provider found"; a bad address is therefore reported at connect/bind,
        // where dbus-java passes the message on.
        UnixAddress a = null;
        String problem = null;
        try {
            a = socketAddress(busAddress);
        } catch (TransportConfigurationException e) {
            problem = e.getMessage();
        }
        this.address = a;
        this.addressProblem = problem;
        getSaslConfig().setAuthMode(SASL.AUTH_EXTERNAL);
    }

    /** The socket address of a {@code unix:} bus address; refuses keys this transport does not know. */
    static UnixAddress socketAddress(BusAddress busAddress) throws TransportConfigurationException {
        String text = busAddress.toString();
        if (!"unix".equals(busAddress.getType())) {
            throw new TransportConfigurationException("ffsock D-Bus transport: " + text + " is not a unix: address");
        }
        // BusAddress has no list of its keys; its text has them. A piece whose "key" BusAddress
        // does not know is part of a value holding a comma, not a key.
        for (String piece : text.substring(text.indexOf(':') + 1).split(",")) {
            int eq = piece.indexOf('=');
            String key = eq < 0 ? piece : piece.substring(0, eq);
            if (!key.isEmpty() && busAddress.hasParameter(key) && !KEYS.contains(key)) {
                throw new TransportConfigurationException("ffsock D-Bus transport: key '" + key + "' in " + text
                        + " is not supported (known: path, abstract, guid, listen)");
            }
        }
        boolean path = busAddress.hasParameter("path");
        boolean abstractName = busAddress.hasParameter("abstract");
        if (path == abstractName) {
            throw new TransportConfigurationException("ffsock D-Bus transport: " + text
                    + (path ? " has both 'path' and 'abstract'" : " has neither 'path' nor 'abstract'"));
        }
        try {
            return path ? UnixAddress.path(busAddress.getParameterValue("path"))
                    : UnixAddress.abstractName(busAddress.getParameterValue("abstract"));
        } catch (IllegalArgumentException e) {
            throw new TransportConfigurationException("ffsock D-Bus transport: " + text + ": " + e.getMessage(), e);
        }
    }

    private void requireAddress() throws IOException {
        if (addressProblem != null) throw new IOException(addressProblem);
    }

    /** Always: fds travel with SCM_RIGHTS; whether a connection uses them is agreed in SASL. */
    @Override
    protected boolean hasFileDescriptorSupport() {
        return true;
    }

    /** socket(2) and connect(2) to the bus address. */
    @Override
    protected SocketChannel connectImpl() throws IOException {
        requireAddress();
        UnixSocketChannel c = UnixSocketChannel.open(address);
        channel = c;
        return c;
    }

    /** socket(2), bind(2) and listen(2) on the bus address. */
    @Override
    protected void bindImpl() throws IOException {
        requireAddress();
        Socket s = Socket.open(Family.UNIX, SocketType.STREAM);
        try {
            s.bind(address);
            s.listen();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        server = s;
    }

    /**
     * Waits for the next client, accept(2); a client whose SO_PEERCRED uid is not the uid SASL
     * will require is closed at once and the wait goes on.
     */
    @Override
    protected SocketChannel acceptImpl() throws IOException {
        long expected = getSaslConfig().getSaslUid().orElse(io.ffsock.Credentials.ofThisProcess().uid());
        for (;;) {
            Socket s = server.accept();
            try {
                int uid = s.peerCredentials().uid();
                if (uid == expected) {
                    UnixSocketChannel c = UnixSocketChannel.of(s);
                    ACCEPTED.add(c);
                    channel = c;
                    return c;
                }
                getLogger().warn("ffsock D-Bus server {}: refused a client of uid {} (SO_PEERCRED), only uid {} may connect",
                        address, uid, expected);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            s.close();
        }
    }

    @Override
    protected boolean isBound() {
        Socket s = server;
        return s != null && !s.isClosed();
    }

    /** Closes the connection and the listening socket; removes the socket file this server bound. */
    @Override
    protected void closeTransport() throws IOException {
        UnixSocketChannel c = channel;
        if (c != null) c.close();
        Socket s = server;
        if (s != null && !s.isClosed()) {
            s.close();
            if (address != null && address.kind() == UnixAddress.Kind.PATH) Files.deleteIfExists(address.toPath());
        }
    }

    /**
     * Whether fd passing counts as agreed on a channel a server of this transport accepted.
     * dbus-java's SASL server (5.1, 5.2) answers a client's NEGOTIATE_UNIX_FD with AGREE_UNIX_FD
     * (this transport offers fds) but then reports fd passing as off, so without this a server
     * could not return an fd. The cost: a client that did not negotiate fds could be sent some;
     * dbus-java's clients, GDBus and libdbus always negotiate.
     */
    static boolean agreedAsServer(UnixSocketChannel channel) {
        return ACCEPTED.contains(channel);
    }

    /** The peer's uid from the kernel, SO_PEERCRED (getsockopt(2)). */
    @Override
    public int getUid(SocketChannel socket) throws IOException {
        if (!(socket instanceof UnixSocketChannel c)) {
            throw new IllegalArgumentException("ffsock D-Bus transport: not a UnixSocketChannel: " + socket);
        }
        return c.ffsockSocket().peerCredentials().uid();
    }
}
