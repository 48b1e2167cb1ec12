package io.ffsock.hardening;

import io.ffsock.ControlMessage;
import io.ffsock.OwnedFd;
import io.ffsock.internal.sys.Cmsg;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.List;

/**
 * The package-private parsing steps of recvmsg(2), reached by reflection so the fuzz tests can
 * feed them buffers no kernel would write: {@code Cmsg.read} (CMSG_FIRSTHDR/CMSG_NXTHDR over a
 * control buffer), {@code Messages.fromKernel} (raw control messages to typed ones; received fds
 * become owned) and {@code ReceivedMessage.arrivedFds}. Exceptions come out unwrapped.
 */
final class Internals {
    private Internals() {}

    private static final MethodHandle CMSG_READ = handle(Cmsg.class, "read", MemorySegment.class, long.class);
    private static final MethodHandle CMSG_WRITE = handle(Cmsg.class, "write", List.class, MemorySegment.class);
    private static final MethodHandle FROM_KERNEL = handle(type("io.ffsock.Messages"), "fromKernel", List.class);
    private static final MethodHandle ARRIVED_FDS = handle(type("io.ffsock.ReceivedMessage"), "arrivedFds", List.class);

    private static Class<?> type(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static MethodHandle handle(Class<?> owner, String name, Class<?>... parameters) {
        try {
            Method m = owner.getDeclaredMethod(name, parameters);
            m.setAccessible(true);
            return MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no " + owner.getName() + "." + name, e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Cmsg> cmsgRead(MemorySegment control, long controlLen) {
        try {
            return (List<Cmsg>) CMSG_READ.invoke(control, controlLen);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long cmsgWrite(List<Cmsg> messages, MemorySegment control) {
        try {
            return (long) CMSG_WRITE.invoke(messages, control);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @SuppressWarnings("unchecked")
    static List<ControlMessage> fromKernel(List<Cmsg> raw) {
        try {
            return (List<ControlMessage>) FROM_KERNEL.invoke(raw);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @SuppressWarnings("unchecked")
    static List<OwnedFd> arrivedFds(List<ControlMessage> control) {
        try {
            return (List<OwnedFd>) ARRIVED_FDS.invoke(control);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
