# A D-Bus client in Python (python3-dbus), for DbusInteropTest: calls the Java service exported
# over the ffsock transport, with an fd. argv: bus address, bus name, object path.
import os
import sys

import dbus

bus = dbus.bus.BusConnection(sys.argv[1])
calc = dbus.Interface(bus.get_object(sys.argv[2], sys.argv[3]), "io.ffsock.test.Calculator")
print("add", int(calc.Add(40, 2)))
r, w = os.pipe()
calc.WriteTo(dbus.types.UnixFd(w), "from python")
os.close(w)
print("pipe", os.read(r, 100).decode())
os.close(r)
fd = calc.OpenWith("to python").take()
print("returned", os.read(fd, 100).decode())
os.close(fd)
try:
    calc.Refuse("nope")
except dbus.exceptions.DBusException as e:
    print("error", e.get_dbus_name(), e.get_dbus_message())
