package io.ffsock.dbus;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/** The interface of the Python service (py_service.py) the tests call. */
@DBusInterfaceName("io.ffsock.test.Py")
public interface PyService extends DBusInterface {
    String Upper(String text);

    /** Python reads the fd to its end and returns what it read. */
    String ReadFd(FileDescriptor fd);

    /** Python returns the read end of a pipe holding {@code text}. */
    FileDescriptor OpenFd(String text);

    void Quit();
}
