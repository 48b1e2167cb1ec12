/**
 * Bridges from ffsock to the JDK's socket types, for programs and libraries that speak
 * {@code java.net}: {@link io.ffsock.net.UnixSocket} (a {@link java.net.Socket} over AF_UNIX
 * stream), {@link io.ffsock.net.UnixServerSocket} (a {@link java.net.ServerSocket}) and
 * {@link io.ffsock.net.UnixSocketFactory} (a {@link javax.net.SocketFactory} that JDBC drivers
 * and HTTP clients take by class name). Built on the public {@link io.ffsock.Socket} only.
 */
package io.ffsock.net;
