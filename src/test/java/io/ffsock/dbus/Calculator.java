package io.ffsock.dbus;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;

/** The interface the tests export on one connection and call from another. */
@DBusInterfaceName("io.ffsock.test.Calculator")
public interface Calculator extends DBusInterface {
    int Add(int a, int b);

    byte[] Echo(byte[] data);

    /** Fails with the D-Bus error io.ffsock.dbus.Refused (dbus-java names it after the exception class), carrying {@code why}. */
    void Refuse(String why);

    /** Writes {@code text} into the fd it is given (a pipe's write end) and closes its copy. */
    void WriteTo(FileDescriptor fd, String text);

    /** Returns the read end of a new pipe whose write end got {@code text} and was closed. */
    FileDescriptor OpenWith(String text);

    /** A signal with a string. */
    class Ping extends DBusSignal {
        public final String text;

        public Ping(String path, String text) throws DBusException {
            super(path, text);
            this.text = text;
        }
    }
}
