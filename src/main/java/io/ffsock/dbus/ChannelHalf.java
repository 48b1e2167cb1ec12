package io.ffsock.dbus;

import io.ffsock.net.UnixSocketChannel;
import java.io.Closeable;
import java.io.IOException;

/**
 * What the reader and writer of one connection share: the channel, and whether fd passing was
 * agreed. dbus-java closes the connection through either of them; both close the one channel.
 */
abstract class ChannelHalf implements Closeable {
    final UnixSocketChannel channel;
    final boolean fdPassing;

    ChannelHalf(UnixSocketChannel channel, boolean fdPassing) {
        this.channel = channel;
        this.fdPassing = fdPassing;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + channel + ", fd passing " + (fdPassing ? "agreed" : "off") + "]";
    }
}
