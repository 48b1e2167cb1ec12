package io.ffsock.bench;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/** The object DbusBench calls: one small method, so the figure is the round trip itself. */
@DBusInterfaceName("io.ffsock.bench.Adder")
public interface DbusAdder extends DBusInterface {
    int Add(int a, int b);

    /** The exported implementation. */
    final class Impl implements DbusAdder {
        @Override
        public int Add(int a, int b) {
            return a + b;
        }

        @Override
        public String getObjectPath() {
            return "/io/ffsock/bench/Adder";
        }
    }
}
