package io.ffsock.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} whose sockets are {@link UnixSocket}s: code that takes a socket
 * factory (JDBC drivers by class name, HTTP clients) talks over AF_UNIX without knowing it.
 * The host and port the caller asks for pick the AF_UNIX address through the factory's target:
 *
 * <ul>
 * <li><b>one address</b> for every host and port (the host and port are ignored), given as a
 *     path ({@code /run/postgresql/.s.PGSQL.5432}), an abstract name ({@code @name}), or a
 *     {@code unix:} URI of either ({@code unix:/run/app.sock}, {@code unix:///run/app.sock},
 *     percent-decoded; {@code unix:@name});
 * <li>or a <b>mapping</b> from host names to addresses, as text
 *     {@code api=/run/api.sock,db=@db,*=/run/default.sock} (each target as above; {@code *} is
 *     any other host; the text is a mapping when what comes before its first {@code =} is a
 *     host name, so a relative path holding {@code =} is written {@code ./a=b}) or as a
 *     {@link Map}. The host is {@link InetSocketAddress#getHostString()}, never looked up in DNS;
 *     an unmapped host gives {@link java.net.UnknownHostException}.
 * </ul>
 *
 * <p><b>PostgreSQL JDBC:</b>
 * {@code jdbc:postgresql://localhost/db?socketFactory=io.ffsock.net.UnixSocketFactory&socketFactoryArg=/run/postgresql/.s.PGSQL.5432}.
 * pgjdbc calls the {@link #UnixSocketFactory(Properties)} constructor with the connection
 * properties, which hold {@code socketFactoryArg}; then {@link #createSocket()} and
 * {@code connect(InetSocketAddress(host, port), timeout)}, which goes to the path.
 *
 * <p><b>HTTP clients</b> (OkHttp's {@code socketFactory(...)}): {@link #createSocket()}, then
 * {@code connect(InetSocketAddress, timeout)} with the URL's host: the mapping (or the single
 * target) says where. A host that DNS cannot resolve needs the client's own resolver to
 * answer with any address (OkHttp: a {@code Dns} returning
 * {@code InetAddress.getByAddress(host, new byte[4])}), since the client resolves before connecting.
 *
 * <p>A missing path or a path nobody listens on fails at once with a
 * {@link java.net.ConnectException} naming the path and the errno (ENOENT, ECONNREFUSED); a
 * connect waits only while a listener's backlog is full, at most the caller's connect timeout.
 */
public final class UnixSocketFactory extends SocketFactory {
    /**
     * The system property that the no-argument constructor (and the Properties constructor,
     * without {@code socketFactoryArg}) reads: a target or a mapping, as above.
     */
    public static final String PROPERTY = "io.ffsock.net.UnixSocketFactory.arg";

    /** The key of pgjdbc's connection property that carries the factory's argument. */
    public static final String SOCKET_FACTORY_ARG = "socketFactoryArg";

    private final UnixTargets targets;

    /**
     * A factory configured by the system property {@value #PROPERTY}, read now. Without it, the
     * factory is made, and each connect throws a {@link java.net.SocketException} saying what to set.
     *
     * @throws IllegalArgumentException if the property's text is not a valid target or mapping
     */
    public UnixSocketFactory() {
        this.targets = fromProperty();
    }

    /**
     * A factory for the target or mapping {@code arg} (see the class comment); the constructor
     * that pgjdbc's {@code socketFactoryArg} and junixsocket-style configuration use.
     *
     * @throws IllegalArgumentException if {@code arg} is empty, a path holds a NUL or is longer than sun_path
     */
    public UnixSocketFactory(String arg) {
        this.targets = UnixTargets.parse(Objects.requireNonNull(arg, "UnixSocketFactory argument"));
    }

    /**
     * A factory configured by {@code info}'s {@value #SOCKET_FACTORY_ARG} (the JDBC connection
     * properties pgjdbc passes), else by the system property {@value #PROPERTY}.
     *
     * @throws IllegalArgumentException if the text is not a valid target or mapping
     */
    public UnixSocketFactory(Properties info) {
        String arg = info == null ? null : info.getProperty(SOCKET_FACTORY_ARG);
        this.targets = arg != null ? UnixTargets.parse(arg) : fromProperty();
    }

    /** A factory whose sockets all connect to {@code target} (UnixAddress or UnixDomainSocketAddress). */
    public UnixSocketFactory(SocketAddress target) {
        this.targets = UnixTargets.single(target);
    }

    /**
     * A factory that maps host names (case-insensitive; {@code "*"}: any other) to addresses
     * (UnixAddress or UnixDomainSocketAddress).
     */
    public UnixSocketFactory(Map<String, ? extends SocketAddress> hostToAddress) {
        this.targets = UnixTargets.mapping(hostToAddress);
    }

    private static UnixTargets fromProperty() {
        String p = System.getProperty(PROPERTY);
        if (p == null) {
            return UnixTargets.none("UnixSocketFactory has no AF_UNIX target: give it a path (socketFactoryArg,"
                    + " or the constructor argument) or set the system property " + PROPERTY);
        }
        return UnixTargets.parse(p);
    }

    /**
     * An unconnected {@link UnixSocket} whose {@code connect(InetSocketAddress, timeout)} goes to
     * this factory's target for that host.
     */
    @Override
    public java.net.Socket createSocket() {
        return new UnixSocket(targets);
    }

    /** A UnixSocket connected to the target for {@code host} ({@code port} is ignored). */
    @Override
    public java.net.Socket createSocket(String host, int port) throws IOException {
        return connected(targets.forHost(host, port));
    }

    /** As {@link #createSocket(String, int)}; the local address and port are ignored (AF_UNIX). */
    @Override
    public java.net.Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket(host, port);
    }

    /** A UnixSocket connected to the target for {@code host}'s name as given (no reverse lookup). */
    @Override
    public java.net.Socket createSocket(InetAddress host, int port) throws IOException {
        Objects.requireNonNull(host, "host");
        return connected(targets.forHost(new InetSocketAddress(host, Math.max(0, Math.min(port, 65535)))));
    }

    /** As {@link #createSocket(InetAddress, int)}; the local address and port are ignored. */
    @Override
    public java.net.Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return createSocket(address, port);
    }

    private java.net.Socket connected(SocketAddress target) throws IOException {
        UnixSocket s = new UnixSocket(targets);
        s.connect(target); // closes itself on failure
        return s;
    }

    /** {@code UnixSocketFactory[/run/app.sock]} or the mapping. */
    @Override
    public String toString() {
        return "UnixSocketFactory[" + targets + "]";
    }
}
