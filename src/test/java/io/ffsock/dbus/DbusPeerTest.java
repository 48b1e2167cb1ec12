package io.ffsock.dbus;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.OwnedFd;
import io.ffsock.testing.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.impl.DirectConnection;
import org.freedesktop.dbus.connections.impl.DirectConnectionBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Peer to peer, no daemon: dbus-java's server mode (listen=true) and client, both over ffsock. */
@ExtendWith(FdLeakCheck.class)
class DbusPeerTest {
    /** Starts a listening DirectConnection exporting the calculator; returns it once a client connected. */
    static CompletableFuture<DirectConnection> serve(String address, CountDownLatch done) {
        CompletableFuture<DirectConnection> server = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (DirectConnection dc = DirectConnectionBuilder.forAddress(address + ",listen=true").build()) {
                dc.exportObject(CalculatorService.PATH, new CalculatorService());
                dc.listen(); // binds, then waits for one client
                server.complete(dc);
                done.await();
            } catch (Throwable e) {
                server.completeExceptionally(e);
            }
        }, "dbus peer server");
        t.setDaemon(true);
        t.start();
        return server;
    }

    static DirectConnection connectWhenBound(String address, Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (socket != null && !Files.exists(socket) && System.nanoTime() < deadline) Thread.sleep(20);
        return DirectConnectionBuilder.forAddress(address).build();
    }

    private static void exercise(DirectConnection client) throws Exception {
        Calculator calc = client.getRemoteObject(CalculatorService.PATH, Calculator.class);
        assertEquals(5, calc.Add(2, 3));
        assertThrows(Refused.class, () -> calc.Refuse("peer says no"));
        OwnedFd[] pipe = OwnedFd.pipe();
        try (OwnedFd read = pipe[0]; OwnedFd write = pipe[1]) {
            calc.WriteTo(new FileDescriptor(write.fdNumber()), "peer to peer");
            write.close();
            byte[] b = new byte[64];
            int n = read.read(b, 0, b.length);
            assertEquals("peer to peer", new String(b, 0, n, StandardCharsets.UTF_8));
        }
        FileDescriptor fd = calc.OpenWith("back");
        try (OwnedFd read = OwnedFd.adopt(fd.getIntFileDescriptor())) {
            byte[] b = new byte[16];
            assertEquals("back", new String(b, 0, read.read(b, 0, 16), StandardCharsets.UTF_8));
        }
    }

    @Test
    void pathServerAndClient() throws Exception {
        Path dir = Files.createTempDirectory("ffsock-dbus-peer-" + ProcessHandle.current().pid() + "-");
        Path socket = dir.resolve("p2p");
        String address = "unix:path=" + socket;
        CountDownLatch done = new CountDownLatch(1);
        CompletableFuture<DirectConnection> server = serve(address, done);
        try (DirectConnection client = connectWhenBound(address, socket)) {
            server.get(20, TimeUnit.SECONDS);
            exercise(client);
        } finally {
            done.countDown();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(socket) && System.nanoTime() < deadline) Thread.sleep(20);
        assertFalse(Files.exists(socket), "the server removed the socket file it bound");
        Files.delete(dir);
    }

    @Test
    void abstractServerAndClient() throws Exception {
        String address = "unix:abstract=ffsock-dbus-peer-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        CountDownLatch done = new CountDownLatch(1);
        CompletableFuture<DirectConnection> server = serve(address, done);
        try {
            DirectConnection client = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (client == null) {
                try {
                    client = DirectConnectionBuilder.forAddress(address).build();
                } catch (Exception notYetBound) {
                    if (System.nanoTime() > deadline) throw notYetBound;
                    Thread.sleep(20);
                }
            }
            try (DirectConnection c = client) {
                server.get(20, TimeUnit.SECONDS);
                exercise(c);
            }
        } finally {
            done.countDown();
        }
    }
}
