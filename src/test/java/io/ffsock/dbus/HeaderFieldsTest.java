package io.ffsock.dbus;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.exceptions.MessageFormatException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MessageFactory;
import org.freedesktop.dbus.messages.constants.Endian;
import org.junit.jupiter.api.Test;

/** UNIX_FDS read from header-field arrays that dbus-java marshals, in both byte orders, and from broken ones. */
class HeaderFieldsTest {
    /** A message as it goes on the wire. */
    static byte[] wire(Message m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : m.getWireData()) {
            if (part == null) break;
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int fieldsLength(byte[] w) {
        boolean big = w[0] == 'B';
        return big ? (w[12] & 0xff) << 24 | (w[13] & 0xff) << 16 | (w[14] & 0xff) << 8 | (w[15] & 0xff)
                : (w[15] & 0xff) << 24 | (w[14] & 0xff) << 16 | (w[13] & 0xff) << 8 | (w[12] & 0xff);
    }

    private static long fds(byte[] w) throws MessageFormatException {
        return HeaderFields.unixFds(w, 16, fieldsLength(w), w[0] == 'B');
    }

    @Test
    void countsTheAnnouncedFdsInBothByteOrders() throws Exception {
        for (byte endian : new byte[] {Endian.LITTLE, Endian.BIG}) {
            MessageFactory f = new MessageFactory(endian);
            byte[] none = wire(f.createMethodCall("org.example.Dest", "/a/b", "org.example.I", "Plain", (byte) 0, "si", "x", 1));
            assertEquals(0, fds(none));
            byte[] three = wire(f.createMethodCall("org.example.Dest", "/a/b", "org.example.I", "Three", (byte) 0, "hsh",
                    new FileDescriptor(5), "between", new FileDescriptor(6)));
            assertEquals(2, fds(three));
        }
    }

    @Test
    void brokenArraysAreRefused() throws Exception {
        byte[] w = wire(new MessageFactory(Endian.LITTLE).createMethodCall("org.example.Dest", "/a/b", "org.example.I",
                "M", (byte) 0, "h", new FileDescriptor(5)));
        int length = fieldsLength(w);
        for (int cut = 1; cut < length; cut++) {
            byte[] shortened = Arrays.copyOf(w, 16 + cut);
            try {
                HeaderFields.unixFds(shortened, 16, cut, false);
            } catch (MessageFormatException expected) {
                // a cut inside a field
            }
        }
        byte[] bad = w.clone();
        bad[17] = 1; // the first field's signature length
        bad[18] = '!';
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> fds(bad));
        assertTrue(e.getMessage().contains("unknown type code '!'"), e.getMessage());
    }
}
