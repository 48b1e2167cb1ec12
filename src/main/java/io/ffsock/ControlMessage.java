package io.ffsock;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A control message (ancillary data) of sendmsg(2)/recvmsg(2), cmsg(3). Typed for what ffsock
 * knows; anything else is kept as {@link Raw} bytes.
 */
public sealed interface ControlMessage
        permits ControlMessage.Rights, ControlMessage.CredentialsMessage, ControlMessage.PidFd, ControlMessage.Ttl, ControlMessage.Tos,
                ControlMessage.HopLimit, ControlMessage.PacketInfo, ControlMessage.ExtendedError, ControlMessage.Timestamp,
                ControlMessage.Raw {

    /** The most fds one SCM_RIGHTS message may carry (the kernel's SCM_MAX_FD). */
    int MAX_FDS = 253;

    /**
     * SCM_RIGHTS: passes open fds to the peer, unix(7). 1 to 253 fds. On a SOCK_STREAM socket the
     * message must carry at least one data byte (the kernel drops fds sent with none); on DGRAM and
     * SEQPACKET zero data bytes are fine.
     */
    static Rights rights(FdOwner... fds) {
        return new Rights(List.of(fds));
    }

    /** SCM_CREDENTIALS: sends these credentials (your own need no privilege), unix(7). */
    static CredentialsMessage credentials(Credentials credentials) {
        return new CredentialsMessage(credentials);
    }

    /**
     * SCM_RIGHTS. Sent: the fds of the listed owners (they stay open here; the peer gets new
     * numbers for the same open files). Received: {@link OwnedFd}s, owned by the
     * {@link ReceivedMessage} until taken with {@link ReceivedMessage#takeFds()}.
     *
     * @param fds the fds
     */
    record Rights(List<? extends FdOwner> fds) implements ControlMessage {
        /** Checks the count (1..253) and copies the list. */
        public Rights {
            fds = List.copyOf(fds);
            if (fds.isEmpty()) throw new IllegalArgumentException("SCM_RIGHTS needs at least one fd");
            if (fds.size() > MAX_FDS) {
                throw new IllegalArgumentException("SCM_RIGHTS carries at most " + MAX_FDS
                        + " fds (the kernel's SCM_MAX_FD); " + fds.size() + " given");
            }
        }
    }

    /**
     * SCM_CREDENTIALS: the sender's pid, uid and gid. Received only when SO_PASSCRED is on
     * ({@link LinuxSocketOptions#SO_PASSCRED}).
     *
     * @param credentials the credentials
     */
    record CredentialsMessage(Credentials credentials) implements ControlMessage {
        /** Checks for null. */
        public CredentialsMessage {
            Objects.requireNonNull(credentials, "credentials");
        }
    }

    /**
     * SCM_PIDFD (Linux 6.5+): a pidfd for the process that sent the message, received only when
     * {@link LinuxSocketOptions#SO_PASSPIDFD} is on. Unlike the pid of SCM_CREDENTIALS it cannot
     * come to name another process once the sender exits and its pid is reused. The fd is new in
     * this process (close-on-exec) and owned by the {@link ReceivedMessage} until
     * {@link ReceivedMessage#takePidFd()}. The kernel makes these itself: one cannot be sent.
     *
     * @param pidFd the pidfd
     */
    record PidFd(OwnedFd pidFd) implements ControlMessage {
        /** Checks for null. */
        public PidFd {
            Objects.requireNonNull(pidFd, "pidFd");
        }
    }

    /**
     * IP_TTL: the TTL of a received IPv4 packet (with {@link LinuxSocketOptions#IP_RECVTTL}), or
     * the TTL for one sent packet.
     *
     * @param ttl 0..255
     */
    record Ttl(int ttl) implements ControlMessage {
        /** Checks the range. */
        public Ttl {
            if (ttl < 0 || ttl > 255) throw new IllegalArgumentException("TTL " + ttl + " is not in 0..255");
        }
    }

    /**
     * IP_TOS: the TOS byte of a received IPv4 packet (with {@link LinuxSocketOptions#IP_RECVTOS}),
     * or the TOS for one sent packet.
     *
     * @param tos 0..255
     */
    record Tos(int tos) implements ControlMessage {
        /** Checks the range. */
        public Tos {
            if (tos < 0 || tos > 255) throw new IllegalArgumentException("TOS " + tos + " is not in 0..255");
        }
    }

    /**
     * IPV6_HOPLIMIT: the hop limit of a received IPv6 packet (with
     * {@link LinuxSocketOptions#IPV6_RECVHOPLIMIT}), or the hop limit for one sent packet.
     *
     * @param hopLimit 0..255
     */
    record HopLimit(int hopLimit) implements ControlMessage {
        /** Checks the range. */
        public HopLimit {
            if (hopLimit < 0 || hopLimit > 255) throw new IllegalArgumentException("hop limit " + hopLimit + " is not in 0..255");
        }
    }

    /**
     * IP_PKTINFO / IPV6_PKTINFO: the interface a packet came in on and its addresses, ip(7). Sent,
     * it picks the interface and source address of one packet.
     *
     * @param interfaceIndex the interface index (0: let the kernel choose when sending)
     * @param localAddress   IPv4: the local address the kernel would answer from (ipi_spec_dst);
     *                       null for IPv6
     * @param destination    the destination address in the packet's header (received), or the
     *                       source address to use (sent, IPv6)
     */
    record PacketInfo(int interfaceIndex, java.net.InetAddress localAddress, java.net.InetAddress destination)
            implements ControlMessage {}

    /**
     * An extended error from the error queue (IP_RECVERR / IPV6_RECVERR, read with
     * {@link MsgFlag#ERRQUEUE}), struct sock_extended_err, ip(7).
     *
     * @param errno    the error (EHOSTUNREACH for a time exceeded, ECONNREFUSED for port unreachable ...)
     * @param origin   where it came from: {@link #ORIGIN_LOCAL}, {@link #ORIGIN_ICMP}, {@link #ORIGIN_ICMP6}
     * @param type     the ICMP type, for ICMP origins
     * @param code     the ICMP code, for ICMP origins
     * @param info     extra information (the MTU for "fragmentation needed")
     * @param data     more data, origin-specific
     * @param offender the address of the node that reported the error (the router), or null
     */
    record ExtendedError(Errno errno, int origin, int type, int code, int info, int data,
                         java.net.InetSocketAddress offender) implements ControlMessage {
        /** SO_EE_ORIGIN_LOCAL: a local error (e.g. EMSGSIZE). */
        public static final int ORIGIN_LOCAL = 1;
        /** SO_EE_ORIGIN_ICMP: an ICMPv4 error message. */
        public static final int ORIGIN_ICMP = 2;
        /** SO_EE_ORIGIN_ICMP6: an ICMPv6 error message. */
        public static final int ORIGIN_ICMP6 = 3;
    }

    /**
     * SCM_TIMESTAMPNS: when the kernel received the packet (CLOCK_REALTIME), with
     * {@link LinuxSocketOptions#SO_TIMESTAMPNS}, socket(7). Receive only.
     *
     * @param seconds     seconds since the epoch (tv_sec)
     * @param nanoseconds 0..999,999,999 (tv_nsec)
     */
    record Timestamp(long seconds, long nanoseconds) implements ControlMessage {
        /** Checks the range of the nanoseconds. */
        public Timestamp {
            if (nanoseconds < 0 || nanoseconds > 999_999_999L) {
                throw new IllegalArgumentException("tv_nsec " + nanoseconds + " is not in 0..999999999");
            }
        }

        /** The time as nanoseconds since the epoch (fits a long until the year 2262). */
        public long epochNanos() {
            return seconds * 1_000_000_000L + nanoseconds;
        }
    }

    /**
     * A control message ffsock has no type for, as bytes.
     *
     * @param level the cmsg_level
     * @param type  the cmsg_type
     * @param data  the payload, in host byte order as the kernel wrote it
     */
    record Raw(int level, int type, byte[] data) implements ControlMessage {
        /** Copies the payload. */
        public Raw {
            data = data.clone();
        }

        /** A copy of the payload (the record keeps its own). */
        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Raw r && r.level == level && r.type == type && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return (level * 31 + type) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Raw[level=" + level + ", type=" + type + ", " + HexFormat.of().formatHex(data) + "]";
        }
    }
}
