package io.ffsock;

import java.net.SocketAddress;

/**
 * What a {@code recvFrom} into a caller's buffer returned.
 *
 * @param length the bytes stored in the buffer (or, with {@link MsgFlag#TRUNC}, the real length of
 *               the datagram, which may be larger)
 * @param sender the sender's address: a {@link UnixAddress} or an {@link java.net.InetSocketAddress};
 *               {@link UnixAddress#unnamed()} for an unbound AF_UNIX sender, null for a
 *               connection-oriented socket (where the kernel reports no address)
 */
public record Received(long length, SocketAddress sender) {}
