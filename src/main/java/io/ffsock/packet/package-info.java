/**
 * Wire formats for raw IP tooling: the internet checksum, the IPv4 header with its options, the
 * fixed IPv6 header, ICMPv4 and ICMPv6 (with the packets their errors quote), IGMP v1/v2/v3 and
 * its IPv6 counterpart MLD v1/v2 (ICMPv6 messages).
 *
 * <p>Pure Java: nothing here touches a socket or native memory, so every codec can be used (and
 * tested) on plain byte arrays. Values are immutable records or sealed interfaces; each message
 * type has a static {@code parse(byte[], int, int)} and an encoder ({@code writeTo}/{@code
 * toBytes}) that computes the checksum itself. Multi-byte fields are always in network byte order
 * (big-endian).
 *
 * <p>Parsers never throw {@link java.lang.IndexOutOfBoundsException} because of what the bytes
 * say: every malformed input becomes a {@link io.ffsock.packet.MalformedPacketException} whose
 * message names the field that is wrong. (An {@code off}/{@code len} pair outside the array is a
 * caller bug and is reported as the JDK reports it, with an {@code IndexOutOfBoundsException}.)
 * Unknown message types are kept as raw bodies rather than rejected, so a listener never loses a
 * packet it merely does not understand.
 */
package io.ffsock.packet;
