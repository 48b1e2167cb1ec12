package io.ffsock.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Register before {@link FdLeakCheck} in a test class that uses the JDK's own NIO channels as
 * peers, or makes a java.net.Socket (a UnixSocket is one): the first of these in a JVM makes the JDK keep one socket fd for the JVM's
 * life (sun.nio.ch.UnixDispatcher's pre-close socketpair end, the fd it dup2()s over a channel's
 * fd while closing it). Opening one channel here makes that fd exist before the leak check's
 * snapshot, so it is not counted as a leak of the test.
 */
public final class JdkChannelsWarmUp implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        SocketChannel.open(StandardProtocolFamily.UNIX).close();
    }
}
