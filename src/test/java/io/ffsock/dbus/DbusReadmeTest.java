package io.ffsock.dbus;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Credentials;
import io.ffsock.OwnedFd;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.interfaces.DBus;
import org.junit.jupiter.api.Test;

/** The README's D-Bus quick start, as written there, against a dbus-daemon of its own. */
class DbusReadmeTest {
    @Test
    void quickStart() throws Exception {
        try (DbusDaemon daemon = new DbusDaemon();
             DBusConnection service = DBusConnectionBuilder.forAddress(daemon.address).withShared(false).build()) {
            service.requestBusName("org.example.Calc");
            service.exportObject("/org/example/Calculator", new CalculatorService());

            try (DBusConnection bus = DBusConnectionBuilder.forAddress(daemon.address).withShared(false).build()) {
                DBus dbus = bus.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
                String[] names = dbus.ListNames();
                int uid = dbus.GetConnectionUnixUser(bus.getUniqueName()).intValue();
                assertTrue(Arrays.asList(names).contains("org.example.Calc"));
                assertEquals(Credentials.ofThisProcess().uid(), uid);

                Calculator calc = bus.getRemoteObject("org.example.Calc", "/org/example/Calculator", Calculator.class);
                OwnedFd[] pipe = OwnedFd.pipe();
                try (OwnedFd read = pipe[0]; OwnedFd write = pipe[1]) {
                    calc.WriteTo(new FileDescriptor(write.fdNumber()), "through the bus");
                    write.close();
                    byte[] buf = new byte[64];
                    int n = read.read(buf, 0, buf.length);
                    assertEquals("through the bus", new String(buf, 0, n, StandardCharsets.UTF_8));
                }
                try (OwnedFd got = OwnedFd.adopt(calc.OpenWith("hello").getIntFileDescriptor())) {
                    byte[] buf = new byte[64];
                    int n = got.read(buf, 0, buf.length);
                    assertEquals("hello", new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            }
        }
    }
}
