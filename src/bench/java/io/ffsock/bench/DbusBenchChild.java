package io.ffsock.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.connections.impl.DirectConnection;
import org.freedesktop.dbus.connections.impl.DirectConnectionBuilder;

/**
 * One cell of {@link DbusBench}, in a JVM whose class path holds exactly one dbus-java unix
 * transport (so this class names none of them): a service and a client connection in this JVM,
 * either both on a dbus-daemon ({@code bus ADDRESS}) or peer to peer ({@code p2p ADDRESS}, the
 * service listening), then Add calls back to back for warm + measure seconds. Prints
 * {@code rate <calls per second> transport <name>}.
 */
public final class DbusBenchChild {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String address = args[1];
        double warm = Double.parseDouble(args[2]);
        double measure = Double.parseDouble(args[3]);
        if (mode.equals("bus")) {
            try (DBusConnection service = DBusConnectionBuilder.forAddress(address).withShared(false).build();
                 DBusConnection client = DBusConnectionBuilder.forAddress(address).withShared(false).build()) {
                String name = "io.ffsock.bench.Adder" + ProcessHandle.current().pid();
                service.requestBusName(name);
                DbusAdder.Impl impl = new DbusAdder.Impl();
                service.exportObject(impl.getObjectPath(), impl);
                report(loop(client.getRemoteObject(name, impl.getObjectPath(), DbusAdder.class), warm, measure));
            }
        } else {
            CountDownLatch done = new CountDownLatch(1);
            CompletableFuture<Void> listening = new CompletableFuture<>();
            Thread server = new Thread(() -> {
                try (DirectConnection dc = DirectConnectionBuilder.forAddress(address + ",listen=true").build()) {
                    DbusAdder.Impl impl = new DbusAdder.Impl();
                    dc.exportObject(impl.getObjectPath(), impl);
                    dc.listen();
                    listening.complete(null);
                    done.await();
                } catch (Throwable e) {
                    listening.completeExceptionally(e);
                }
            });
            server.setDaemon(true);
            server.start();
            // dbus-java's client retries its connect every 500 ms until the server has bound.
            try (DirectConnection client = DirectConnectionBuilder.forAddress(address).build()) {
                listening.get(30, TimeUnit.SECONDS);
                report(loop(client.getRemoteObject("/io/ffsock/bench/Adder", DbusAdder.class), warm, measure));
            } finally {
                done.countDown();
            }
        }
        System.exit(0); // dbus-java's executor threads may linger
    }

    private static double loop(DbusAdder adder, double warm, double measure) {
        long end = System.nanoTime() + (long) (warm * 1e9);
        int x = 0;
        while (System.nanoTime() < end) x = adder.Add(x, 1);
        long calls = 0;
        long start = System.nanoTime();
        end = start + (long) (measure * 1e9);
        long now;
        do {
            for (int i = 0; i < 64; i++) x = adder.Add(x, 1);
            calls += 64;
            now = System.nanoTime();
        } while (now < end);
        if (x == 42) System.err.print(""); // keep x alive
        return calls / ((now - start) / 1e9);
    }

    private static void report(double rate) {
        System.out.printf(java.util.Locale.ROOT, "rate %.1f%n", rate);
    }
}
