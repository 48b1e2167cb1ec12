package io.ffsock.net;

import io.ffsock.UnixAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a socket made by {@link UnixSocketFactory} connects: one AF_UNIX address for every host,
 * or a host name to address mapping ({@code *} for any other host). Immutable.
 */
final class UnixTargets {
    /** The single target, or null when {@link #byHost} decides. */
    private final UnixAddress single;
    /** Lower-case host name to address; key {@code *} is the default. */
    private final Map<String, UnixAddress> byHost;
    /** Why there is no target at all (no configuration), or null. */
    private final String missing;

    private UnixTargets(UnixAddress single, Map<String, UnixAddress> byHost, String missing) {
        this.single = single;
        this.byHost = byHost;
        this.missing = missing;
    }

    static UnixTargets none(String why) {
        return new UnixTargets(null, Map.of(), why);
    }

    static UnixTargets single(SocketAddress address) {
        return new UnixTargets(toUnix(Objects.requireNonNull(address, "address")), Map.of(), null);
    }

    static UnixTargets mapping(Map<String, ? extends SocketAddress> hostToAddress) {
        Objects.requireNonNull(hostToAddress, "hostToAddress");
        if (hostToAddress.isEmpty()) throw new IllegalArgumentException("UnixSocketFactory: empty host mapping");
        Map<String, UnixAddress> m = new LinkedHashMap<>();
        hostToAddress.forEach((host, address) -> {
            Objects.requireNonNull(host, "host name in the mapping");
            Objects.requireNonNull(address, () -> "address of host " + host);
            m.put(host.toLowerCase(Locale.ROOT), toUnix(address));
        });
        return new UnixTargets(null, Map.copyOf(m), null);
    }

    /**
     * Parses the factory's argument text: one target ({@code /path}, {@code @abstract},
     * {@code unix:/path}, {@code unix:///path}, {@code unix:@name}) or a mapping
     * ({@code host=target,host2=target2,*=target3}).
     */
    static UnixTargets parse(String text) {
        Objects.requireNonNull(text, "UnixSocketFactory argument");
        String t = text.strip();
        if (t.isEmpty()) throw new IllegalArgumentException("UnixSocketFactory: empty argument (give a socket path)");
        if (!isMapping(t)) return new UnixTargets(target(t), Map.of(), null);
        Map<String, UnixAddress> m = new LinkedHashMap<>();
        for (String entry : t.split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("UnixSocketFactory: mapping entry '" + entry
                        + "' is not host=target (in '" + text + "')");
            }
            String host = entry.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (m.put(host, target(entry.substring(eq + 1).strip())) != null) {
                throw new IllegalArgumentException("UnixSocketFactory: host '" + host + "' mapped twice in '" + text + "'");
            }
        }
        return new UnixTargets(null, Map.copyOf(m), null);
    }

    /** A mapping when the text before the first '=' is a host name (so no path is misread). */
    private static boolean isMapping(String t) {
        int eq = t.indexOf('=');
        if (eq <= 0) return false;
        for (int i = 0; i < eq; i++) {
            char c = t.charAt(i);
            boolean hostChar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == '*' || c == ' ';
            if (!hostChar) return false;
        }
        return true;
    }

    /** One target: a path, {@code @name}, or a {@code unix:} URI of either. */
    static UnixAddress target(String t) {
        if (t.isEmpty()) throw new IllegalArgumentException("UnixSocketFactory: empty target");
        if (t.regionMatches(true, 0, "unix:", 0, 5)) {
            String rest = t.substring(5);
            if (rest.startsWith("@")) return UnixAddress.abstractName(rest.substring(1));
            if (rest.startsWith("//")) {
                URI uri = URI.create(t);
                if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
                    throw new IllegalArgumentException("UnixSocketFactory: '" + t
                            + "' names a host; write unix:///path or unix:/path");
                }
                return UnixAddress.path(uri.getPath());
            }
            return UnixAddress.path(java.net.URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        return UnixAddress.parse(t);
    }

    /**
     * {@link #toUnix} for an adapter's connect or bind: a path too long for sun_path is the
     * SocketException the JDK's own UNIX channels throw, not an IllegalArgumentException.
     */
    static UnixAddress forCall(String call, SocketAddress a) throws java.net.SocketException {
        try {
            return toUnix(a);
        } catch (IllegalArgumentException e) {
            if (a instanceof UnixDomainSocketAddress) throw new java.net.SocketException(call + ": " + e.getMessage());
            throw e;
        }
    }

    static UnixAddress toUnix(SocketAddress a) {
        if (a instanceof UnixAddress u) return u;
        if (a instanceof UnixDomainSocketAddress d) return UnixAddress.of(d);
        throw new IllegalArgumentException("Unsupported address type " + a.getClass().getName()
                + ": an AF_UNIX target is a UnixDomainSocketAddress or an io.ffsock.UnixAddress");
    }

    /**
     * The address for a connect to {@code inet}: the single target whatever the host and port, or
     * the mapping's entry for {@code inet.getHostString()} (no DNS lookup), else its {@code *}.
     */
    UnixAddress forHost(InetSocketAddress inet) throws java.io.IOException {
        if (missing != null) throw new java.net.SocketException(missing);
        if (single != null) return single;
        String host = inet.getHostString().toLowerCase(Locale.ROOT);
        UnixAddress a = byHost.get(host);
        if (a == null) a = byHost.get("*");
        if (a == null) {
            throw new UnknownHostException("UnixSocketFactory: no AF_UNIX socket is mapped for host '"
                    + inet.getHostString() + "' (mapped: " + byHost.keySet() + "; add '*' for a default)");
        }
        return a;
    }

    /** The target of a connect by host name alone (createSocket(host, port)). */
    UnixAddress forHost(String host, int port) throws java.io.IOException {
        return forHost(InetSocketAddress.createUnresolved(host == null ? "localhost" : host, Math.max(0, Math.min(port, 65535))));
    }

    @Override
    public String toString() {
        if (missing != null) return "no target";
        return single != null ? single.toString() : byHost.toString();
    }
}
