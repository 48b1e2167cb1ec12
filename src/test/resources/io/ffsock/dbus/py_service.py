# A D-Bus service in Python (python3-dbus + GLib main loop), for DbusInteropTest: a peer we did
# not write the D-Bus side of. argv: bus address, bus name. Prints "ready" once the name is owned.
import os
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

IFACE = "io.ffsock.test.Py"


class Service(dbus.service.Object):
    @dbus.service.method(IFACE, in_signature="s", out_signature="s")
    def Upper(self, text):
        return text.upper()

    @dbus.service.method(IFACE, in_signature="h", out_signature="s")
    def ReadFd(self, fd):
        n = fd.take()  # the fd is ours now
        with os.fdopen(n, "rb") as f:
            return f.read().decode()

    @dbus.service.method(IFACE, in_signature="s", out_signature="h")
    def OpenFd(self, text):
        r, w = os.pipe()
        os.write(w, text.encode())
        os.close(w)
        fd = dbus.types.UnixFd(r)  # UnixFd holds a dup: close our copy
        os.close(r)
        return fd

    @dbus.service.method(IFACE, in_signature="", out_signature="")
    def Quit(self):
        loop.quit()


dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
name = dbus.service.BusName(sys.argv[2], bus)
Service(bus, "/io/ffsock/test/Py")
loop = GLib.MainLoop()
print("ready", flush=True)
loop.run()
