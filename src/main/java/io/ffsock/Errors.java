package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import java.io.IOException;
import java.io.Serial;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;

/**
 * The one place where a failed system call becomes an exception. Messages read
 * {@code call(address): ESYMBOL (text)}; the JDK's own subtype is used where one fits, always
 * implementing {@link SyscallError} so the errno stays reachable.
 */
final class Errors {
    private Errors() {}

    /*
     * Every class an error path needs, loaded with this one. At EMFILE the JVM cannot open a class
     * file either: with classes loaded from a directory (an IDE, mvn exec) the first error would
     * be a NoClassDefFoundError instead of this exception, and the JVM remembers a failed
     * resolution, so that call site stays broken for the life of the process. Every class that
     * makes system calls calls preload() in its static initializer, which loads this class. A
     * class literal loads a class without initializing it; the JDK's own classes come from the
     * runtime image, which is open already, and are listed for completeness (they cost nothing).
     */
    private static final Class<?>[] ERROR_PATH = {
        Errno.class, SyscallError.class, SyscallException.class, SendAllException.class,
        ControlTruncatedException.class, Connect.class, Bind.class, NoRoute.class, PortUnreachable.class,
        Closed.class, Interrupted.class, AsyncClosed.class,
        // what error messages and CTRUNC handling touch: addresses, control messages
        Addresses.class, UnixAddress.class, UnixAddress.Kind.class, NetlinkAddress.class, PacketAddress.class,
        Messages.class, ControlMessage.class, ReceivedMessage.class, io.ffsock.internal.sys.Cmsg.class,
        ControlMessage.Rights.class, ControlMessage.CredentialsMessage.class, ControlMessage.PidFd.class,
        ControlMessage.Ttl.class, ControlMessage.Tos.class, ControlMessage.HopLimit.class,
        ControlMessage.PacketInfo.class, ControlMessage.ExtendedError.class, ControlMessage.Timestamp.class,
        ControlMessage.Raw.class, Credentials.class, OwnedFd.class,
        Interruption.class, Readiness.class,
        IOException.class, java.net.SocketException.class, SocketTimeoutException.class, ConnectException.class,
        BindException.class, NoRouteToHostException.class, PortUnreachableException.class,
        AsynchronousCloseException.class, ClosedByInterruptException.class, ClosedChannelException.class,
        java.io.UncheckedIOException.class,
    };

    static {
        // Initialized too: their static state (the errno text handles of Syscalls) must not need a
        // class load later either.
        for (Class<?> c : new Class<?>[] {Errno.class, io.ffsock.internal.sys.Cmsg.class, Messages.class}) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
        new Errno(EMFILE).symbol(); // links the strerrorname_np call
        fdLimit();
    }

    /** Loads the error-path classes (see above) if they are not yet; costs nothing after. */
    static void preload() {
        if (ERROR_PATH.length == 0) throw new AssertionError();
    }

    /** The exception for {@code call} failing with {@code errno} on {@code address} (may be null). */
    static IOException of(String call, int errno, Object address) {
        Errno e = new Errno(errno);
        String where = address == null ? call : call + "(" + describe(address) + ")";
        String message = where + ": " + e.symbol() + " (" + e.description() + ")" + hint(call, errno);
        return switch (errno) {
            case ECONNREFUSED -> call.startsWith("connect")
                    ? new Connect(call, e, message) : new PortUnreachable(call, e, message);
            case ENOENT, ETIMEDOUT, ECONNRESET -> call.startsWith("connect")
                    ? new Connect(call, e, message) : new SyscallException(call, e, message);
            case ENETUNREACH, EHOSTUNREACH -> new NoRoute(call, e, message);
            case EADDRINUSE, EADDRNOTAVAIL -> call.equals("bind") || call.startsWith("connect")
                    ? new Bind(call, e, message) : new SyscallException(call, e, message);
            case EACCES, EPERM -> call.equals("bind") ? new Bind(call, e, message) : new SyscallException(call, e, message);
            default -> new SyscallException(call, e, message);
        };
    }

    /**
     * An address as people write it: {@code 10.0.0.1:53}, {@code [::1]:53}, a path or
     * {@code @name}; not the JDK's {@code /10.0.0.1:53}.
     */
    static String describe(Object address) {
        if (address instanceof java.net.InetSocketAddress in && !in.isUnresolved()) {
            String host = in.getAddress().getHostAddress();
            return (in.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + in.getPort();
        }
        return String.valueOf(address);
    }

    /** What to do about a refusal the user can fix, appended to the message. */
    private static String hint(String call, int errno) {
        if (errno == EMFILE) {
            return ": this process's fd table is full" + fdLimit() + "; close fds or raise the limit (ulimit -n, prlimit --nofile)";
        }
        if (errno == ENFILE) return ": the system-wide limit on open files (fs.file-max) is reached";
        if (call.startsWith("socket(") && call.contains("SOCK_RAW") && (errno == EPERM || errno == EACCES)) {
            return ": raw sockets need CAP_NET_RAW (run as root, or setcap cap_net_raw+ep on the java binary);"
                    + " for ICMP echo, a ping socket (SOCK_DGRAM + IPPROTO_ICMP) needs no privilege where"
                    + " net.ipv4.ping_group_range includes your group";
        }
        if (call.startsWith("socket(") && call.contains("SOCK_DGRAM") && errno == EACCES) {
            return ": ping sockets are allowed only to groups in net.ipv4.ping_group_range"
                    + " (sysctl -w net.ipv4.ping_group_range='0 2147483647' allows everyone)";
        }
        return "";
    }

    /** {@code " (RLIMIT_NOFILE soft limit N)"}, getrlimit(2); empty if that fails. */
    static String fdLimit() {
        long soft = io.ffsock.internal.sys.Syscalls.getrlimitSoft(RLIMIT_NOFILE);
        if (soft < 0) return "";
        return ", RLIMIT_NOFILE soft limit " + (soft == Long.MAX_VALUE ? "unlimited" : Long.toString(soft));
    }

    /** The timeout of a call that waited longer than the socket's timeout. */
    static SocketTimeoutException timeout(String call, Object address, long timeoutNanos) {
        String where = address == null ? call : call + "(" + describe(address) + ")";
        return new SocketTimeoutException(where + ": timed out after " + formatNanos(timeoutNanos));
    }

    static ClosedChannelException closed(String call, Object address) {
        return closed(call, address, "socket");
    }

    /** As {@link #closed(String, Object)}, for what is not a socket: "fd", "event loop". */
    static ClosedChannelException closed(String call, Object address, String what) {
        return new Closed(call + (address == null ? "" : "(" + describe(address) + ")") + ": " + what + " is closed");
    }

    static AsynchronousCloseException closedDuringCall(String call, Object address) {
        return new AsyncClosed(call + (address == null ? "" : "(" + describe(address) + ")")
                + ": socket closed by another thread during the call");
    }

    /** The call of a thread whose interrupt closed the socket (InterruptibleChannel semantics). */
    static ClosedByInterruptException closedByInterrupt(String call, Object address) {
        return new Interrupted(call + (address == null ? "" : "(" + address + ")")
                + ": thread interrupted; the socket was closed");
    }

    private static String formatNanos(long nanos) {
        if (nanos % 1_000_000 == 0) return nanos / 1_000_000 + " ms";
        return String.format("%.3f ms", nanos / 1e6);
    }

    static final class Connect extends ConnectException implements SyscallError {
        @Serial private static final long serialVersionUID = 1L;
        private final String call;
        private final transient Errno errno;

        Connect(String call, Errno errno, String message) {
            super(message);
            this.call = call;
            this.errno = errno;
        }

        @Override public String call() { return call; }
        @Override public Errno errno() { return errno; }
    }

    static final class Bind extends BindException implements SyscallError {
        @Serial private static final long serialVersionUID = 1L;
        private final String call;
        private final transient Errno errno;

        Bind(String call, Errno errno, String message) {
            super(message);
            this.call = call;
            this.errno = errno;
        }

        @Override public String call() { return call; }
        @Override public Errno errno() { return errno; }
    }

    static final class NoRoute extends NoRouteToHostException implements SyscallError {
        @Serial private static final long serialVersionUID = 1L;
        private final String call;
        private final transient Errno errno;

        NoRoute(String call, Errno errno, String message) {
            super(message);
            this.call = call;
            this.errno = errno;
        }

        @Override public String call() { return call; }
        @Override public Errno errno() { return errno; }
    }

    static final class PortUnreachable extends PortUnreachableException implements SyscallError {
        @Serial private static final long serialVersionUID = 1L;
        private final String call;
        private final transient Errno errno;

        PortUnreachable(String call, Errno errno, String message) {
            super(message);
            this.call = call;
            this.errno = errno;
        }

        @Override public String call() { return call; }
        @Override public Errno errno() { return errno; }
    }

    /** ClosedChannelException has no message constructor; this one says which call and socket. */
    static final class Closed extends ClosedChannelException {
        @Serial private static final long serialVersionUID = 1L;
        private final String message;

        Closed(String message) {
            this.message = message;
        }

        @Override public String getMessage() { return message; }
    }

    static final class Interrupted extends ClosedByInterruptException {
        @Serial private static final long serialVersionUID = 1L;
        private final String message;

        Interrupted(String message) {
            this.message = message;
        }

        @Override public String getMessage() { return message; }
    }

    static final class AsyncClosed extends AsynchronousCloseException {
        @Serial private static final long serialVersionUID = 1L;
        private final String message;

        AsyncClosed(String message) {
            this.message = message;
        }

        @Override public String getMessage() { return message; }
    }
}
