package io.ffsock.dbus;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.Credentials;
import io.ffsock.OwnedFd;
import io.ffsock.testing.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.errors.ServiceUnknown;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * dbus-java over the ffsock transport against a real dbus-daemon that this class starts: the
 * bus's own methods, an object exported on one connection and called from another, signals,
 * errors, a large argument, and fds passed through the daemon.
 */
@ExtendWith(FdLeakCheck.class)
class DbusBusTest {
    static final String NAME = "io.ffsock.test.Calc" + ProcessHandle.current().pid();
    static DbusDaemon daemon;
    static DBusConnection service;
    static DBusConnection client;

    @BeforeAll
    static void start() throws Exception {
        daemon = new DbusDaemon();
        service = DBusConnectionBuilder.forAddress(daemon.address).withShared(false).build();
        service.requestBusName(NAME);
        service.exportObject(CalculatorService.PATH, new CalculatorService());
        client = DBusConnectionBuilder.forAddress(daemon.address).withShared(false).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.close();
        if (service != null) service.close();
        if (daemon != null) daemon.close();
    }

    private static DBus bus() throws Exception {
        return client.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
    }

    private static Calculator calculator() throws Exception {
        return client.getRemoteObject(NAME, CalculatorService.PATH, Calculator.class);
    }

    @Test
    void serviceLoaderFindsTheFfsockProviders() {
        var transports = java.util.ServiceLoader.load(org.freedesktop.dbus.spi.transport.ITransportProvider.class).stream()
                .map(p -> p.type()).toList();
        assertEquals(List.of(FfsockTransportProvider.class), transports);
        var sockets = java.util.ServiceLoader.load(org.freedesktop.dbus.spi.message.ISocketProvider.class).stream()
                .map(p -> p.type()).toList();
        assertEquals(List.of(FfsockSocketProvider.class), sockets);
    }

    @Test
    void busMethods() throws Exception {
        DBus bus = bus();
        String unique = client.getUniqueName(); // the answer to the Hello the connection sent
        assertTrue(unique.startsWith(":"), unique);
        List<String> names = Arrays.asList(bus.ListNames());
        assertTrue(names.containsAll(List.of("org.freedesktop.DBus", unique, service.getUniqueName(), NAME)), names.toString());
        String id = bus.GetId();
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertEquals(Credentials.ofThisProcess().uid(), bus.GetConnectionUnixUser(unique).intValue());
        assertEquals(Credentials.ofThisProcess().uid(), bus.GetConnectionUnixUser(NAME).intValue());
        assertEquals(service.getUniqueName(), bus.GetNameOwner(NAME));
    }

    @Test
    void aSecondHelloIsAnErrorOfTheBus() throws Exception {
        DBusExecutionException e = assertThrows(DBusExecutionException.class, () -> bus().Hello());
        assertTrue(String.valueOf(e.getMessage()).contains("Hello"), e.getMessage());
    }

    @Test
    void callAnObjectExportedOnAnotherConnection() throws Exception {
        assertEquals(42, calculator().Add(40, 2));
    }

    @Test
    void errorsBecomeExceptions() throws Exception {
        Refused e = assertThrows(Refused.class, () -> calculator().Refuse("no thanks"));
        assertEquals("no thanks", e.getMessage());
        Calculator nobody = client.getRemoteObject("io.ffsock.test.Nobody", "/x", Calculator.class);
        assertThrows(ServiceUnknown.class, () -> nobody.Add(1, 2));
    }

    @Test
    void oneMegabyteArgument() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(16).nextBytes(data);
        assertArrayEquals(data, calculator().Echo(data));
    }

    @Test
    void signalsReachAMatchingHandler() throws Exception {
        BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
        // A typed handler: dbus-java adds the match rule (type, interface, member) on the bus.
        var handle = client.addSigHandler(Calculator.Ping.class, s -> got.add(s.text));
        try {
            service.sendMessage(new Calculator.Ping(CalculatorService.PATH, "hello"));
            assertEquals("hello", got.poll(20, TimeUnit.SECONDS));
        } finally {
            handle.close();
        }
    }

    @Test
    void anFdSentThroughTheDaemonIsUsedOnTheOtherSide() throws Exception {
        Calculator calc = calculator();
        OwnedFd[] pipe = OwnedFd.pipe();
        try (OwnedFd read = pipe[0]; OwnedFd write = pipe[1]) {
            calc.WriteTo(new FileDescriptor(write.fdNumber()), "through the bus");
            write.close(); // the service closed its copy: now the pipe ends here
            byte[] b = new byte[64];
            int n = read.read(b, 0, b.length);
            assertEquals("through the bus", new String(b, 0, n, StandardCharsets.UTF_8));
            assertEquals(0, read.read(b, 0, b.length), "no writer is left open anywhere");
        }
    }

    @Test
    void anFdReturnedThroughTheDaemon() throws Exception {
        FileDescriptor fd = calculator().OpenWith("returned");
        try (OwnedFd read = OwnedFd.adopt(fd.getIntFileDescriptor())) {
            byte[] b = new byte[64];
            int n = read.read(b, 0, b.length);
            assertEquals("returned", new String(b, 0, n, StandardCharsets.UTF_8));
        }
    }

    @Test
    void thousandFdRoundsLeakNothing() throws Exception {
        Calculator calc = calculator();
        calc.Add(0, 0);
        long before = openFds();
        byte[] b = new byte[16];
        for (int i = 0; i < 1000; i++) {
            OwnedFd[] pipe = OwnedFd.pipe();
            try (OwnedFd read = pipe[0]; OwnedFd write = pipe[1]) {
                calc.WriteTo(new FileDescriptor(write.fdNumber()), "r" + i);
                write.close();
                int n = read.read(b, 0, b.length);
                assertEquals("r" + i, new String(b, 0, n, StandardCharsets.UTF_8));
            }
        }
        assertEquals(before, openFds(), "fds open in this process before and after 1,000 rounds");
    }

    static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
