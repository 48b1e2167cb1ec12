package io.ffsock;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What {@link Socket#recvMsg} received: the byte count, the flags the kernel set, the sender,
 * and the control messages. It owns the fds that arrived (in SCM_RIGHTS messages, and the pidfd
 * of SCM_PIDFD): closing it closes those not taken with {@link #takeFds()} or
 * {@link #takePidFd()}, so use it in try-with-resources.
 */
public final class ReceivedMessage implements AutoCloseable {
    private final long length;
    private final int flags;
    private final SocketAddress sender;
    private final List<ControlMessage> control;
    private List<OwnedFd> fds;
    /** The SCM_PIDFD fds not taken (the kernel sends at most one a message). */
    private List<OwnedFd> pidFds;

    /** Owns every fd in {@code control} (see {@link #arrivedFds}). */
    ReceivedMessage(long length, int flags, SocketAddress sender, List<ControlMessage> control) {
        this.length = length;
        this.flags = flags;
        this.sender = sender;
        this.control = List.copyOf(control);
        List<OwnedFd> rights = new ArrayList<>();
        List<OwnedFd> pids = new ArrayList<>();
        sortFds(control, rights, pids);
        this.fds = List.copyOf(rights);
        this.pidFds = List.copyOf(pids);
    }

    /**
     * The bytes stored in the buffers; with {@link MsgFlag#TRUNC} among the receive flags, the
     * real length of the datagram, which may be larger.
     */
    public long length() {
        return length;
    }

    /** The flags the kernel set (msg_flags): TRUNC, CTRUNC, EOR, OOB, ERRQUEUE. */
    public Set<MsgFlag> flags() {
        EnumSet<MsgFlag> s = EnumSet.noneOf(MsgFlag.class);
        for (MsgFlag f : MsgFlag.values()) if ((flags & f.bit()) != 0) s.add(f);
        return s;
    }

    /** Whether the message was longer than the buffers and its tail was dropped (MSG_TRUNC). */
    public boolean isTruncated() {
        return (flags & MsgFlag.TRUNC.bit()) != 0;
    }

    /**
     * The sender's address as recvmsg(2) reports it: {@link UnixAddress#unnamed()} for an unbound
     * AF_UNIX datagram sender, null when the kernel gives none on a connection-oriented socket
     * (TCP, an unbound AF_UNIX peer). AF_UNIX names a bound sender on connected stream and
     * seqpacket sockets too: a server's accepted socket reports the listener's address.
     */
    public SocketAddress sender() {
        return sender;
    }

    /** All control messages, in the order the kernel wrote them. */
    public List<ControlMessage> control() {
        return control;
    }

    /** The sender's credentials, if an SCM_CREDENTIALS message came (SO_PASSCRED on). */
    public java.util.Optional<Credentials> credentials() {
        for (ControlMessage m : control) {
            if (m instanceof ControlMessage.CredentialsMessage c) return java.util.Optional.of(c.credentials());
        }
        return java.util.Optional.empty();
    }

    /**
     * The pidfd of the sending process, if an SCM_PIDFD message came ({@link LinuxSocketOptions#SO_PASSPIDFD}
     * on), still owned by this message.
     */
    public java.util.Optional<OwnedFd> pidFd() {
        return pidFds.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(pidFds.get(0));
    }

    /**
     * Takes ownership of the sender's pidfd: closing this message will no longer close it.
     *
     * @throws java.util.NoSuchElementException if no SCM_PIDFD came, or it was taken already
     */
    public OwnedFd takePidFd() {
        if (pidFds.isEmpty()) throw new java.util.NoSuchElementException("no pidfd (SCM_PIDFD) to take in " + this);
        OwnedFd taken = pidFds.get(0);
        pidFds = pidFds.subList(1, pidFds.size());
        return taken;
    }

    /** The fds received (from every SCM_RIGHTS message), still owned by this message. */
    public List<OwnedFd> fds() {
        return fds;
    }

    /** Takes ownership of the received fds: closing this message will no longer close them. */
    public List<OwnedFd> takeFds() {
        List<OwnedFd> taken = fds;
        fds = List.of();
        return taken;
    }

    /**
     * Takes ownership of one received fd (index into {@link #fds()}); the others stay owned by
     * this message and are closed with it.
     */
    public OwnedFd takeFd(int index) {
        java.util.List<OwnedFd> rest = new ArrayList<>(fds);
        OwnedFd taken = rest.remove(index);
        fds = List.copyOf(rest);
        return taken;
    }

    /** Closes the received fds (SCM_RIGHTS and SCM_PIDFD) that were not taken. */
    @Override
    public void close() {
        for (OwnedFd f : fds) f.close();
        for (OwnedFd f : pidFds) f.close();
        fds = List.of();
        pidFds = List.of();
    }

    /** Every fd that arrived in {@code control}: those of SCM_RIGHTS and SCM_PIDFD. */
    static List<OwnedFd> arrivedFds(List<ControlMessage> control) {
        List<OwnedFd> all = new ArrayList<>();
        sortFds(control, all, all);
        return all;
    }

    /** Adds the fds of SCM_RIGHTS messages to {@code rights}, those of SCM_PIDFD to {@code pidFds}, in order. */
    private static void sortFds(List<ControlMessage> control, List<OwnedFd> rights, List<OwnedFd> pidFds) {
        for (ControlMessage m : control) {
            if (m instanceof ControlMessage.Rights r) {
                for (FdOwner f : r.fds()) rights.add((OwnedFd) f);
            } else if (m instanceof ControlMessage.PidFd p) {
                pidFds.add(p.pidFd());
            }
        }
    }

    @Override
    public String toString() {
        return "ReceivedMessage[" + length + " bytes, flags=" + flags() + ", from " + sender + ", control=" + control + "]";
    }
}
