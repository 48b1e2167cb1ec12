package io.ffsock;

import static io.ffsock.internal.sys.Const.*;
import static io.ffsock.internal.sys.Const.AfterHeaders.SCM_PIDFD;

import io.ffsock.internal.sys.Cmsg;
import io.ffsock.internal.sys.OptionValues;
import java.util.ArrayList;
import java.util.List;

/** Turns the kernel's control messages into typed ones; received fds become owned at once. */
final class Messages {
    private Messages() {}

    /**
     * The typed messages. Every fd that arrived (each of every SCM_RIGHTS message, each SCM_PIDFD)
     * is owned first, before anything else is decoded; should decoding still throw, those fds are
     * closed before the exception leaves, so none is left to the Cleaner.
     */
    static List<ControlMessage> fromKernel(List<Cmsg> raw) {
        List<List<OwnedFd>> received = new ArrayList<>();
        for (Cmsg c : raw) {
            if (carriesFds(c)) {
                List<OwnedFd> fds = new ArrayList<>();
                for (int n : c.ints()) fds.add(OwnedFd.received(n));
                received.add(fds);
            }
        }
        try {
            return typed(raw, received.iterator());
        } catch (RuntimeException | Error e) {
            for (List<OwnedFd> fds : received) fds.forEach(OwnedFd::close);
            throw e;
        }
    }

    /** SCM_RIGHTS and SCM_PIDFD: the kernel installed new fds in this process for them. */
    private static boolean carriesFds(Cmsg c) {
        return c.level() == SOL_SOCKET && (c.type() == SCM_RIGHTS || c.type() == SCM_PIDFD);
    }

    private static List<ControlMessage> typed(List<Cmsg> raw, java.util.Iterator<List<OwnedFd>> received) {
        List<ControlMessage> out = new ArrayList<>(raw.size());
        for (Cmsg c : raw) {
            if (c.level() == SOL_SOCKET && c.type() == SCM_RIGHTS) {
                // One Rights holds at most 253 fds (SCM_MAX_FD); the kernel sends no more in one
                // message, but a longer payload is split rather than refused.
                List<OwnedFd> fds = received.next();
                for (int i = 0; i < fds.size(); i += ControlMessage.MAX_FDS) {
                    out.add(new ControlMessage.Rights(fds.subList(i, Math.min(fds.size(), i + ControlMessage.MAX_FDS))));
                }
            } else if (c.level() == SOL_SOCKET && c.type() == SCM_PIDFD) {
                // One int, the kernel's put_cmsg of a single fd; anything more would be owned and
                // kept all the same, so no fd is left unowned.
                for (OwnedFd f : received.next()) out.add(new ControlMessage.PidFd(f));
            } else if (c.level() == SOL_SOCKET && c.type() == SCM_CREDENTIALS && c.data().length >= 12) {
                int[] u = c.ints();
                out.add(new ControlMessage.CredentialsMessage(new Credentials(u[0], u[1], u[2])));
            } else if (c.level() == SOL_IP && c.type() == IP_TTL && c.data().length >= 1 && isByte(c.firstInt())) {
                out.add(new ControlMessage.Ttl(c.firstInt()));
            } else if (c.level() == SOL_IP && c.type() == IP_TOS && c.data().length >= 1) {
                out.add(new ControlMessage.Tos(c.firstByte()));
            } else if (c.level() == SOL_IPV6 && c.type() == IPV6_HOPLIMIT && c.data().length >= 4 && isByte(c.firstInt())) {
                out.add(new ControlMessage.HopLimit(c.firstInt()));
            } else if (c.level() == SOL_IP && c.type() == IP_PKTINFO && c.data().length >= 12) {
                OptionValues.PacketInfo p = OptionValues.inPktinfo(c.data());
                out.add(new ControlMessage.PacketInfo(p.ifindex(), ip(p.localAddress()), ip(p.destination())));
            } else if (c.level() == SOL_IPV6 && c.type() == IPV6_PKTINFO && c.data().length >= 20) {
                OptionValues.PacketInfo p = OptionValues.in6Pktinfo(c.data());
                out.add(new ControlMessage.PacketInfo(p.ifindex(), null, ip(p.destination())));
            } else if (((c.level() == SOL_IP && c.type() == IP_RECVERR) || (c.level() == SOL_IPV6 && c.type() == IPV6_RECVERR))
                    && c.data().length >= 16) {
                OptionValues.ExtendedError e = OptionValues.extendedError(c.data());
                java.net.InetSocketAddress offender = e.offender() == null ? null
                        : Addresses.fromKernel(e.offender()) instanceof java.net.InetSocketAddress a ? a : null;
                out.add(new ControlMessage.ExtendedError(new Errno(e.errno()), e.origin(), e.type(), e.code(),
                        e.info(), e.data(), offender));
            } else if (c.level() == SOL_SOCKET && c.type() == SCM_TIMESTAMPNS && OptionValues.timespec(c.data()) != null
                    && validNanos(OptionValues.timespec(c.data()).nanoseconds())) {
                OptionValues.Timespec t = OptionValues.timespec(c.data());
                out.add(new ControlMessage.Timestamp(t.seconds(), t.nanoseconds()));
            } else {
                out.add(new ControlMessage.Raw(c.level(), c.type(), c.data()));
            }
        }
        return out;
    }

    /**
     * Whether a TTL or hop limit is one (0..255); the kernel writes no other, and anything else is
     * kept as {@link ControlMessage.Raw} rather than thrown at the caller of recvmsg.
     */
    private static boolean isByte(int v) {
        return v >= 0 && v <= 255;
    }

    /** A tv_nsec the kernel writes; anything else stays {@link ControlMessage.Raw}. */
    private static boolean validNanos(long v) {
        return v >= 0 && v <= 999_999_999L;
    }

    /**
     * Refuses, before any call, control messages that sendmsg(2) cannot carry as given: a null
     * list or message, and SCM_RIGHTS with no data byte on a SOCK_STREAM socket (the kernel would
     * drop the fds). Returns the name of the call: {@code call}, or {@code call(SCM_CREDENTIALS)}
     * when credentials are sent.
     */
    static String checkSendable(List<? extends ControlMessage> control, SocketType type, long dataBytes, String call) {
        java.util.Objects.requireNonNull(control, call + ": control is null");
        boolean rights = false;
        boolean credentials = false;
        for (ControlMessage m : control) {
            java.util.Objects.requireNonNull(m, call + ": a control message is null");
            rights |= m instanceof ControlMessage.Rights;
            credentials |= m instanceof ControlMessage.CredentialsMessage;
        }
        if (rights && dataBytes == 0 && type.equals(SocketType.STREAM)) {
            throw new IllegalArgumentException(call + ": on a SOCK_STREAM socket fds (SCM_RIGHTS) must travel"
                    + " with at least one data byte");
        }
        return credentials ? call + "(SCM_CREDENTIALS)" : call;
    }

    /**
     * The kernel form of {@code control} to send. The fds of Rights messages are held (their
     * numbers stay valid, a close waits) and added to {@code held}; the caller releases them after
     * the call. Should one be closed, or a message be one that can only be received, those held
     * so far are released and {@code held} is emptied before the exception leaves.
     */
    static List<Cmsg> encode(List<? extends ControlMessage> control, String call, List<FdOwner> held) throws java.io.IOException {
        List<Cmsg> out = new ArrayList<>(control.size());
        boolean done = false;
        try {
            for (ControlMessage m : control) {
                if (m instanceof ControlMessage.Rights r) {
                    int[] numbers = new int[r.fds().size()];
                    for (int i = 0; i < numbers.length; i++) {
                        FdOwner f = r.fds().get(i);
                        FdLife l = OwnedFd.lifeOf(f);
                        if (!l.tryAcquire()) throw Errors.closed(call, "fd " + l.fd + " to be sent");
                        held.add(f);
                        numbers[i] = l.fd;
                    }
                    out.add(Cmsg.rights(numbers));
                } else {
                    out.add(toKernel(m));
                }
            }
            done = true;
            return out;
        } finally {
            if (!done) {
                for (FdOwner f : held) OwnedFd.lifeOf(f).release();
                held.clear();
            }
        }
    }

    /** Closes every fd that arrived in {@code control} (SCM_RIGHTS, SCM_PIDFD); returns how many. */
    static int closeArrived(List<ControlMessage> control) {
        List<OwnedFd> fds = ReceivedMessage.arrivedFds(control);
        fds.forEach(OwnedFd::close);
        return fds.size();
    }

    /** The kernel form of a control message to send; Rights are handled by the caller (fds must be held). */
    static Cmsg toKernel(ControlMessage m) {
        return switch (m) {
            case ControlMessage.CredentialsMessage c ->
                    Cmsg.credentials(c.credentials().pid(), c.credentials().uid(), c.credentials().gid());
            case ControlMessage.Ttl t -> Cmsg.ofInt(SOL_IP, IP_TTL, t.ttl());
            case ControlMessage.Tos t -> Cmsg.ofInt(SOL_IP, IP_TOS, t.tos());
            case ControlMessage.HopLimit h -> Cmsg.ofInt(SOL_IPV6, IPV6_HOPLIMIT, h.hopLimit());
            // An IPv6 source address in destination() makes it IPV6_PKTINFO; anything else is IPv4.
            case ControlMessage.PacketInfo p when p.destination() instanceof java.net.Inet6Address v6 ->
                    new Cmsg(SOL_IPV6, IPV6_PKTINFO, OptionValues.in6Pktinfo(p.interfaceIndex(), v6.getAddress()));
            case ControlMessage.PacketInfo p -> new Cmsg(SOL_IP, IP_PKTINFO, OptionValues.inPktinfo(p.interfaceIndex(),
                    p.localAddress() == null ? null : p.localAddress().getAddress()));
            case ControlMessage.Raw r -> new Cmsg(r.level(), r.type(), r.data());
            case ControlMessage.ExtendedError e ->
                    throw new IllegalArgumentException("an extended error (IP_RECVERR) can only be received");
            case ControlMessage.Timestamp t ->
                    throw new IllegalArgumentException("a receive timestamp (SCM_TIMESTAMPNS) can only be received");
            case ControlMessage.PidFd p ->
                    throw new IllegalArgumentException("a pidfd (SCM_PIDFD) can only be received: the kernel makes it");
            case ControlMessage.Rights r -> throw new AssertionError("Rights are encoded by Socket.sendMsg");
        };
    }

    private static java.net.InetAddress ip(byte[] b) {
        try {
            return java.net.InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes
        }
    }
}
