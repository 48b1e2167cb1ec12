package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.PinnedCarriers;
import io.ffsock.testing.VirtualEchoServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 10,000 concurrent AF_UNIX connections, each on its own virtual thread, echoing 100 messages each
 * through an ffsock server that runs a virtual thread per accepted connection; every byte checked,
 * and no virtual thread parks pinned to its carrier inside ffsock (JFR jdk.VirtualThreadPinned,
 * threshold 0, in both processes).
 *
 * <p>The server runs in a child JVM: 10,000 connections are 20,000 fds, and RLIMIT_NOFILE here is
 * 20,000 (soft and hard, not raisable in this container), so one process cannot hold both ends.
 */
class ManyConnectionsTest {
    private static final int CONNECTIONS = Integer.getInteger("ffsock.many.connections", 10_000);
    private static final int MESSAGES = 100;
    private static final int SIZE = 64;
    /** Typically 15-30 s on this 2-core machine, depending on what else runs. */
    private static final int LIMIT_SECONDS = 90;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"STREAM", "SEQPACKET"})
    void tenThousandVirtualThreadConnectionsEcho(String typeName) throws Exception {
        SocketType type = typeName.equals("STREAM") ? SocketType.STREAM : SocketType.SEQPACKET;
        String name = "ffsock-many-" + ProcessHandle.current().pid() + "-" + typeName;
        Process server = startServer(typeName, name);
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        try {
            assertEquals("READY", out.readLine());
            UnixAddress address = UnixAddress.abstractName(name);
            warmUp(type, address);
            server.getOutputStream().write('\n');
            server.getOutputStream().flush();
            assertEquals("RECORDING", out.readLine());
            PinnedCarriers pinned = PinnedCarriers.start();
            Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
            Queue<Socket> open = new ConcurrentLinkedQueue<>();
            CountDownLatch connected = new CountDownLatch(CONNECTIONS);
            LongAdder echoed = new LongAdder();
            long t0 = System.nanoTime();
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            for (int c = 0; c < CONNECTIONS; c++) {
                int id = c;
                threads.submit(() -> {
                    try (Socket s = Socket.open(Family.UNIX, type)) {
                        open.add(s);
                        try {
                            s.connect(address);
                        } finally {
                            connected.countDown();
                        }
                        // All connections are open at once before any traffic.
                        if (!connected.await(30, TimeUnit.SECONDS)) throw new AssertionError("connect phase stuck");
                        byte[] msg = new byte[SIZE];
                        byte[] back = new byte[SIZE];
                        for (int m = 0; m < MESSAGES; m++) {
                            fill(msg, id, m);
                            s.sendAll(msg);
                            int got = 0;
                            while (got < SIZE) {
                                int n = s.recv(back, got, SIZE - got);
                                if (n == 0) throw new AssertionError("connection " + id + ": end of stream at message " + m);
                                if (type.equals(SocketType.SEQPACKET) && n != SIZE) {
                                    throw new AssertionError("seqpacket message of " + n + " bytes");
                                }
                                got += n;
                            }
                            if (!java.util.Arrays.equals(msg, back)) {
                                throw new AssertionError("connection " + id + " message " + m + ": bytes differ");
                            }
                            echoed.add(SIZE);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                    return null;
                });
            }
            threads.shutdown();
            boolean finished = threads.awaitTermination(LIMIT_SECONDS, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (!finished) {
                open.forEach(Socket::close); // close wakes every waiter: the threads end
                threads.awaitTermination(10, TimeUnit.SECONDS);
            }
            List<String> pinnedHere = pinned.stop();
            server.getOutputStream().close(); // the server reports and exits
            String done = out.readLine();
            List<String> serverPinned = new ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) serverPinned.add(line);
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "server exits");

            System.out.printf("%s: %d connections x %d messages echoed in %d ms; server: %s%n",
                    typeName, CONNECTIONS, MESSAGES, ms, done);
            assertTrue(finished, "deadlock? not finished in " + LIMIT_SECONDS + " s; " + connected.getCount() + " not connected, "
                    + echoed.sum() / SIZE + " messages echoed, " + errors.size() + " errors, first: " + errors.peek());
            if (!errors.isEmpty()) {
                Throwable first = errors.peek();
                AssertionError e = new AssertionError(errors.size() + " connections failed; first: " + first, first);
                throw e;
            }
            assertEquals((long) CONNECTIONS * MESSAGES * SIZE, echoed.sum());
            // ... plus the warm-up connection's one message.
            String expected = "connections=" + (CONNECTIONS + 1) + " bytes=" + ((long) CONNECTIONS * MESSAGES * SIZE + SIZE)
                    + " errors=0 pinned=0";
            assertEquals("DONE " + expected, done, "server side; pinned stacks: " + serverPinned);
            assertEquals(List.of(), pinnedHere, "client virtual threads pinned in ffsock");
        } finally {
            server.destroyForcibly();
        }
    }

    /** One connection on a virtual thread first: the classes load (class loading may pin). */
    private static void warmUp(SocketType type, UnixAddress address) throws Exception {
        Thread t = Thread.ofVirtual().start(() -> {
            try (Socket s = Socket.open(Family.UNIX, type)) {
                s.connect(address);
                byte[] m = new byte[SIZE];
                s.sendAll(m);
                int got = 0;
                while (got < SIZE) got += s.recv(m, got, SIZE - got);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(t.join(java.time.Duration.ofSeconds(10)));
    }

    private static void fill(byte[] msg, int id, int m) {
        long x = id * 1_000_003L + m * 7919L + 1;
        for (int i = 0; i < msg.length; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            msg[i] = (byte) (x >>> 56);
        }
    }

    private static Process startServer(String type, String name) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xss256k");
        cmd.add("-cp");
        cmd.add(location(Socket.class) + java.io.File.pathSeparator + location(VirtualEchoServer.class));
        cmd.add(VirtualEchoServer.class.getName());
        cmd.add(type);
        cmd.add(name);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
