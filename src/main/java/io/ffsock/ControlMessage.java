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
        permits ControlMessage.Rights, ControlMessage.CredentialsMessage, ControlMessage.Raw {

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
