package io.ffsock.dbus;

import org.freedesktop.dbus.exceptions.DBusExecutionException;

/** The D-Bus error io.ffsock.test.Refused, mapped to this exception on both ends by dbus-java. */
public class Refused extends DBusExecutionException {
    private static final long serialVersionUID = 1L;

    public Refused(String message) {
        super(message);
    }
}
