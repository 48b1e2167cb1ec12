package io.ffsock.dbus;

import io.ffsock.OwnedFd;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.net.UnixSocketChannel;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.MessageFormatException;
import org.freedesktop.dbus.exceptions.MessageProtocolVersionException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MessageFactory;
import org.freedesktop.dbus.spi.message.IMessageReader;

/**
 * Reads one D-Bus message per call with recvmsg(2): the 16-byte fixed header, then header fields
 * and body scattered in one call (more only when the kernel hands over less). It never reads past
 * the message's end, so every fd that arrives (SCM_RIGHTS, with MSG_CMSG_CLOEXEC, through ffsock's
 * CTRUNC-safe receive) belongs to this message. The fds are checked against the message's
 * UNIX_FDS header field and handed to dbus-java as numbers, which the application then owns.
 *
 * <p>A peer that breaks the protocol ends the connection with an {@link IOException} that says
 * how (dbus-java then disconnects): an end of stream inside a message, a length past the 128 MiB
 * limit, fds that were not agreed or not announced. The fds that came with such a message are
 * closed first.
 */
final class FfsockMessageReader extends ChannelHalf implements IMessageReader {
    private static final int FIXED = 16;

    private final Socket socket;
    private final ByteBuffer fixed = ByteBuffer.allocate(FIXED);
    private final List<OwnedFd> arrived = new ArrayList<>();

    FfsockMessageReader(UnixSocketChannel channel, boolean fdPassing) {
        super(channel, fdPassing);
        this.socket = channel.ffsockSocket();
    }

    @Override
    public Message readMessage() throws IOException, DBusException {
        try {
            return read();
        } finally {
            // Whatever was not handed over (an exception, a refused message) is closed here.
            arrived.forEach(OwnedFd::close);
            arrived.clear();
        }
    }

    private Message read() throws IOException, DBusException {
        fixed.clear();
        long got = fill(List.of(fixed));
        if (got == 0) throw new EOFException("D-Bus peer closed the connection (" + socket + ")");
        if (got < FIXED) throw truncated(got, FIXED);
        byte[] f = fixed.array();
        byte endian = f[0];
        if (endian != 'l' && endian != 'B') {
            throw new ProtocolException("D-Bus message starts with byte 0x" + Integer.toHexString(endian & 0xff)
                    + ", not an endianness mark ('l' or 'B'): the stream is not D-Bus or out of step");
        }
        if (f[3] > Message.PROTOCOL) {
            throw new MessageProtocolVersionException("D-Bus protocol version " + f[3] + " is unsupported");
        }
        boolean big = endian == 'B';
        long bodyLength = u32(f, 4, big);
        long fieldsLength = u32(f, 12, big);
        long padded = (fieldsLength + 7) & ~7L;
        long total = FIXED + padded + bodyLength;
        if (total > Message.MAXIMUM_MESSAGE_LENGTH) {
            throw new ProtocolException("D-Bus message of " + total + " bytes (header fields " + fieldsLength + ", body "
                    + bodyLength + ") exceeds the limit of " + Message.MAXIMUM_MESSAGE_LENGTH + " bytes");
        }
        // dbus-java's layout: the field array's length, 4 bytes of room, then the padded array.
        byte[] header = new byte[(int) padded + 8];
        System.arraycopy(f, 12, header, 0, 4);
        byte[] body = new byte[(int) bodyLength];
        long rest = padded + bodyLength;
        if (rest > 0) {
            long n = fill(List.of(ByteBuffer.wrap(header, 8, (int) padded), ByteBuffer.wrap(body)));
            if (n < rest) throw truncated(FIXED + n, total);
        }
        long announced = HeaderFields.unixFds(header, 8, (int) fieldsLength, big);
        if (announced != arrived.size()) {
            throw new ProtocolException("D-Bus message serial " + u32(f, 8, big) + " announces " + announced
                    + " unix fds (UNIX_FDS) but " + arrived.size() + " arrived" + (fdPassing ? "" : " and fd passing was not agreed")
                    + "; the fds received were closed");
        }
        List<FileDescriptor> fds = new ArrayList<>(arrived.size());
        for (OwnedFd fd : arrived) fds.add(new FileDescriptor(fd.fdNumber()));
        Message m = MessageFactory.createMessage(f[1], Arrays.copyOf(f, 12), header, body, fds.isEmpty() ? null : fds);
        for (OwnedFd fd : arrived) fd.takeNumber(); // now dbus-java's (and the application's) to close
        arrived.clear();
        return m;
    }

    /**
     * Reads until the buffers are full or the stream ends, recvmsg(2) each time; collects fds.
     *
     * @return the bytes read
     */
    private long fill(List<ByteBuffer> buffers) throws IOException {
        long total = 0;
        for (;;) {
            boolean room = false;
            for (ByteBuffer b : buffers) room |= b.hasRemaining();
            if (!room) return total;
            long n;
            try (ReceivedMessage m = socket.recvMsg(buffers, Socket.DEFAULT_CONTROL_SPACE, Set.of())) {
                arrived.addAll(m.takeFds());
                n = m.length();
            }
            if (n == 0) return total;
            total += n;
        }
    }

    private EOFException truncated(long got, long expected) {
        return new EOFException("D-Bus peer closed the connection inside a message: " + got + " of " + expected
                + " bytes arrived (truncated message)");
    }

    private static long u32(byte[] b, int at, boolean big) {
        return big
                ? (b[at] & 0xffL) << 24 | (b[at + 1] & 0xffL) << 16 | (b[at + 2] & 0xffL) << 8 | (b[at + 3] & 0xffL)
                : (b[at + 3] & 0xffL) << 24 | (b[at + 2] & 0xffL) << 16 | (b[at + 1] & 0xffL) << 8 | (b[at] & 0xffL);
    }
}
