package io.ffsock.testing;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a socket fd open: records /proc/self/fd (number and readlink
 * target) before the class and, after it, asserts that no socket fd exists that was not there
 * before.
 *
 * <p>Only {@code socket:[inode]} entries are compared. The JVM opens and closes other fds on its
 * own while tests run (jar and class files, pipes and eventfds of the virtual-thread poller,
 * {@code anon_inode:[eventpoll]}, /dev/random, the surefire fork's pipes), and those come and go
 * for reasons no test controls; a socket, on the other hand, is only ever opened by the code
 * under test here. An entry counts as new when its fd number is new or the same number now
 * names another inode (the fd was closed and reused for a new socket, which is also a leak).
 *
 * <p>A socket the test forgot to close is closed by ffsock's Cleaner once it is unreachable, so
 * before failing the check retries for a short grace period, asking for a GC each round. A leak
 * that survives that is real: an fd nothing refers to any more, or one still held by a socket a
 * test did not close.
 */
public final class FdLeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FdLeakCheck.class);
    private static final String BEFORE = "before";
    private static final int GRACE_ROUNDS = 30;
    private static final long GRACE_SLEEP_MS = 100;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put(BEFORE, Fds.snapshot());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        @SuppressWarnings("unchecked")
        Map<Integer, String> before = (Map<Integer, String>) context.getStore(NS).get(BEFORE, Map.class);
        List<Integer> leaked = Fds.newSockets(before, Fds.snapshot());
        for (int i = 0; i < GRACE_ROUNDS && !leaked.isEmpty(); i++) {
            System.gc();
            Thread.sleep(GRACE_SLEEP_MS);
            leaked = Fds.newSockets(before, Fds.snapshot());
        }
        if (!leaked.isEmpty()) {
            Map<Integer, String> now = Fds.snapshot();
            StringBuilder b = new StringBuilder();
            for (int fd : leaked) b.append(' ').append(fd).append("->").append(now.get(fd));
            throw new AssertionError(context.getDisplayName() + " leaked socket fds:" + b);
        }
    }
}
