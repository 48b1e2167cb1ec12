package io.ffsock.internal.bridge;

import io.ffsock.ControlMessage;
import io.ffsock.FdOwner;
import io.ffsock.Socket;
import io.ffsock.internal.sys.Cmsg;
import io.ffsock.internal.sys.SockAddr;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;

/**
 * What packages beside io.ffsock (io.ffsock.uring) need from a socket that its public API rightly
 * does not offer: holding the fd number across an asynchronous operation, as a blocking call does,
 * and ffsock's one way of turning errno into an exception. io.ffsock installs the implementation
 * when {@link Socket} is initialized; this package is not exported.
 */
public interface FdAccess {
    /**
     * Counts one more use of {@code owner}'s fd, so that close(2) waits for {@link #release}: false
     * if it is closed. While held, closing the owner wakes the use with shutdown(2) (sockets).
     */
    boolean tryAcquire(FdOwner owner);

    /** Ends a use begun by {@link #tryAcquire}; the last one to leave a closed fd closes it. */
    void release(FdOwner owner);

    /** The fd number; valid while held. */
    int fd(FdOwner owner);

    /** A new socket owning {@code fd}, accepted from {@code listener} (same family, type, protocol). */
    Socket accepted(Socket listener, int fd);

    /** {@code address} in the kernel's form, checked against {@code socket}'s family. */
    SockAddr toKernel(Socket socket, SocketAddress address, String call);

    /** The kernel's address as ffsock's public address types. */
    SocketAddress fromKernel(SockAddr address);

    /**
     * Gives up {@code owner}'s fd without closing it (for a close(2) done elsewhere): its number,
     * or -1 if it is closed or a call is using it.
     */
    int detach(FdOwner owner);

    /**
     * {@code control} checked and encoded as Socket.sendMsg does for {@code socket} sending
     * {@code dataBytes} bytes: the fds of Rights messages are held and added to {@code held} (the
     * caller releases each once the call is over); on an exception none is left held.
     */
    List<Cmsg> encodeControl(Socket socket, List<? extends ControlMessage> control, long dataBytes, String call,
                             List<FdOwner> held) throws IOException;

    /** The typed messages of a recvmsg, as Socket.recvMsg makes them: every fd that arrived is owned. */
    List<ControlMessage> decodeControl(List<Cmsg> raw);

    /** Closes the fds that arrived in {@code control}; returns how many. */
    int closeArrived(List<ControlMessage> control);

    /** Socket.recvMsg's exception for MSG_CTRUNC, for {@code call} (naming its socket). */
    IOException controlTruncated(String call, int controlSpace, long received, int closed, boolean fdLimit);

    /** The exception for {@code call} failing with {@code errno} on {@code what} (may be null). */
    IOException error(String call, int errno, Object what);

    /** The exception for using {@code what} after close. */
    IOException closed(String call, Object what);

    /** The implementation, once io.ffsock has installed it. */
    static FdAccess get() {
        FdAccess a = Holder.access;
        if (a == null) {
            try {
                Class.forName("io.ffsock.Socket", true, FdAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = Holder.access;
        }
        return a;
    }

    /** Called once by io.ffsock. */
    static void install(FdAccess access) {
        if (Holder.access != null) throw new IllegalStateException("FdAccess already installed");
        Holder.access = access;
    }

    /** The one installed instance. */
    final class Holder {
        private Holder() {}

        private static volatile FdAccess access;
    }
}
