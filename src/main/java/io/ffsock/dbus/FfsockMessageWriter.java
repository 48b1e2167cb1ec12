package io.ffsock.dbus;

import io.ffsock.ControlMessage;
import io.ffsock.OwnedFd;
import io.ffsock.Socket;
import io.ffsock.net.UnixSocketChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.spi.message.IMessageWriter;

/**
 * Writes one D-Bus message per call with one gathering sendmsg(2) (MSG_NOSIGNAL), repeated only
 * when the kernel takes part of it. A message's fds travel as SCM_RIGHTS with its first bytes; they
 * stay open here (they are the caller's). Writers of several threads are serialized, so messages
 * never interleave.
 */
final class FfsockMessageWriter extends ChannelHalf implements IMessageWriter {
    private final Socket socket;

    FfsockMessageWriter(UnixSocketChannel channel, boolean fdPassing) {
        super(channel, fdPassing);
        this.socket = channel.ffsockSocket();
    }

    @Override
    public synchronized void writeMessage(Message message) throws IOException {
        if (message == null || message.getWireData() == null) return;
        List<ByteBuffer> buffers = new ArrayList<>(4);
        for (byte[] part : message.getWireData()) {
            if (part == null) break;
            buffers.add(ByteBuffer.wrap(part));
        }
        List<FileDescriptor> fds = message.getFiledescriptors();
        if (fds.isEmpty()) {
            channel.write(buffers.toArray(new ByteBuffer[0]));
            return;
        }
        if (!fdPassing) {
            throw new IOException("D-Bus message " + message.getName() + " carries " + fds.size()
                    + " unix fds but this connection did not agree to fd passing (NEGOTIATE_UNIX_FD)");
        }
        // The fds are the caller's (dbus-java's FileDescriptors, perhaps owned by an ffsock
        // OwnedFd): duplicates travel, and are closed once the kernel has taken its references.
        List<OwnedFd> copies = new ArrayList<>(fds.size());
        try {
            for (FileDescriptor fd : fds) copies.add(OwnedFd.duplicate(fd.getIntFileDescriptor()));
            socket.sendMsg(buffers, List.of(ControlMessage.rights(copies.toArray(new OwnedFd[0]))), Set.of(), null);
        } finally {
            for (OwnedFd fd : copies) fd.close();
        }
        ByteBuffer[] rest = buffers.stream().filter(ByteBuffer::hasRemaining).toArray(ByteBuffer[]::new);
        if (rest.length > 0) channel.write(rest);
    }
}
