/**
 * A dbus-java transport over ffsock: {@code unix:path=} and {@code unix:abstract=} bus addresses,
 * client and server (listen) mode, SASL EXTERNAL, and unix fd passing (D-Bus type {@code h}) in
 * both directions through SCM_RIGHTS.
 *
 * <p>dbus-java finds it by {@link java.util.ServiceLoader} once ffsock and
 * {@code com.github.hypfvieh:dbus-java-core} are both present: {@link FfsockTransportProvider}
 * for the {@code UNIX} bus type and {@link FfsockSocketProvider} for reading and writing
 * messages. dbus-java is an optional dependency of ffsock: only this package refers to it, and
 * nothing outside this package loads it, so ffsock works without dbus-java.
 */
package io.ffsock.dbus;
