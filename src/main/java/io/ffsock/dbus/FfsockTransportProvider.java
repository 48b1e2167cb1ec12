package io.ffsock.dbus;

import org.freedesktop.dbus.connections.BusAddress;
import org.freedesktop.dbus.connections.config.TransportConfig;
import org.freedesktop.dbus.connections.transports.AbstractTransport;
import org.freedesktop.dbus.exceptions.TransportConfigurationException;
import org.freedesktop.dbus.spi.transport.ITransportProvider;
import org.freedesktop.dbus.utils.Util;

/**
 * dbus-java's entry point to this transport, registered for {@link java.util.ServiceLoader} (in
 * {@code META-INF/services} and in {@code module-info}): it serves the {@code UNIX} bus type.
 * dbus-java refuses two providers of one bus type, so another unix transport
 * (dbus-java-transport-junixsocket, -jnr-unixsocket, -native-unixsocket) must not be on the path
 * beside it.
 */
public final class FfsockTransportProvider implements ITransportProvider {
    /** For ServiceLoader. */
    public FfsockTransportProvider() {}

    /** {@code dbus-java-transport-ffsock}, the name dbus-java logs. */
    @Override
    public String getTransportName() {
        return "dbus-java-transport-ffsock";
    }

    /** A transport for a {@code unix:} address; the address is checked here (see {@link FfsockUnixTransport}). */
    @Override
    public AbstractTransport createTransport(BusAddress address, TransportConfig config) throws TransportConfigurationException {
        return new FfsockUnixTransport(address, config);
    }

    /** {@code UNIX}. */
    @Override
    public String getSupportedBusType() {
        return "UNIX";
    }

    /** A new {@code unix:path=} address in the temp directory, for a bus or peer this process starts. */
    @Override
    public String createDynamicSessionAddress(boolean listeningSocket) {
        return Util.createDynamicSessionAddress(listeningSocket, false);
    }
}
