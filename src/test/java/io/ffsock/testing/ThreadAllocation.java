package io.ffsock.testing;

import java.util.function.LongSupplier;

/**
 * Bytes the calling thread has allocated so far, for tests that check a steady state allocates
 * nothing: {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}, reached by
 * reflection (the test module does not read jdk.management).
 */
public final class ThreadAllocation {
    private ThreadAllocation() {}

    /** A counter of the calling thread's allocated bytes (call it from the thread to measure). */
    public static LongSupplier counter() {
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            java.lang.reflect.Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            return () -> {
                try {
                    return (long) m.invoke(mx);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            };
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
