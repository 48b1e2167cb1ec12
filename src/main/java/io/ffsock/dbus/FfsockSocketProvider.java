package io.ffsock.dbus;

import io.ffsock.net.UnixSocketChannel;
import java.nio.channels.SocketChannel;
import org.freedesktop.dbus.spi.message.IMessageReader;
import org.freedesktop.dbus.spi.message.IMessageWriter;
import org.freedesktop.dbus.spi.message.ISocketProvider;

/**
 * Gives dbus-java the message reader and writer for channels of this transport (and declines
 * any other channel, so that a second provider on the path is asked instead). dbus-java makes one
 * provider per connection and tells it whether fd passing was agreed (NEGOTIATE_UNIX_FD) before
 * it asks for the reader and writer.
 */
public final class FfsockSocketProvider implements ISocketProvider {
    private volatile boolean fdPassing;

    /** For ServiceLoader. */
    public FfsockSocketProvider() {}

    /** A reader for a {@link UnixSocketChannel}, null for any other channel. */
    @Override
    public IMessageReader createReader(SocketChannel socket) {
        return socket instanceof UnixSocketChannel c ? new FfsockMessageReader(c, agreed(c)) : null;
    }

    /** A writer for a {@link UnixSocketChannel}, null for any other channel. */
    @Override
    public IMessageWriter createWriter(SocketChannel socket) {
        return socket instanceof UnixSocketChannel c ? new FfsockMessageWriter(c, agreed(c)) : null;
    }

    private boolean agreed(UnixSocketChannel c) {
        return fdPassing || FfsockUnixTransport.agreedAsServer(c);
    }

    /** Whether the connection agreed on fd passing; set by dbus-java after authentication. */
    @Override
    public void setFileDescriptorSupport(boolean support) {
        fdPassing = support;
    }

    /** Whether messages of this connection may carry fds. */
    @Override
    public boolean isFileDescriptorPassingSupported() {
        return fdPassing;
    }
}
