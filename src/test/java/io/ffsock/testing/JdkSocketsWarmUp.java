package io.ffsock.testing;

import java.io.IOException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes the JDK open the one socketpair it keeps for the life of the JVM before
 * {@link FdLeakCheck} takes its snapshot: the first {@code java.net.Socket} or
 * {@code ServerSocket} (for instance {@code io.ffsock.net.UnixSocket}, which extends it) initialises
 * the JDK's socket dispatcher, whose static pre-close socketpair (sun.nio.ch.UnixDispatcher) is
 * never closed and would otherwise count as a leak of the first test class to touch java.net.
 * Use as {@code @ExtendWith({JdkSocketsWarmUp.class, FdLeakCheck.class})}, in that order.
 */
public final class JdkSocketsWarmUp implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        new java.net.Socket().close();
    }
}
