package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ffsock.EventLoop;
import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.SyscallException;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Load: an ffsock SOCK_SEQPACKET echo server on one thread with an {@link EventLoop} holds 1,000
 * concurrent clients (two client threads with an EventLoop each), every client with one message
 * in flight all the time. Every message is checked twice: the server checks each client's
 * sequence numbers and lengths, each client checks that the echo is byte for byte what it sent.
 * At the end every client disconnects and the server closes what it accepted: the process's
 * socket fds are back to the baseline, and the heap after GC is within 16 MiB of what it was after
 * the warm-up second (ffsock's calls allocate nothing in steady state; the test's own checks do).
 *
 * <p>10 s in the normal build; {@code -Dffsock.long=true} runs 60 s,
 * {@code -Dffsock.load.seconds=N} any other length, {@code -Dffsock.load.clients=N} another count.
 */
@ExtendWith(FdLeakCheck.class)
class LoadTest {
    private static final boolean LONG = Boolean.getBoolean("ffsock.long");
    private static final int CLIENTS = Integer.getInteger("ffsock.load.clients", 1000);
    private static final int SECONDS = Integer.getInteger("ffsock.load.seconds", LONG ? 60 : 10);
    private static final int CLIENT_THREADS = 2;
    private static final int MAX_PAYLOAD = 300;
    private static final long HEAP_GROWTH_LIMIT = 16L << 20;

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicLong serverMessages = new AtomicLong();
    private final AtomicLong clientMessages = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong serverOpen = new AtomicLong();
    private final AtomicBoolean clientsStopping = new AtomicBoolean();

    /** The message client {@code id} sends as number {@code seq}: header, then a pattern. */
    static int fill(byte[] b, long id, long seq) {
        int payload = (int) ((id * 31 + seq * 7) % MAX_PAYLOAD);
        ByteBuffer.wrap(b).putLong(id).putLong(seq);
        for (int i = 0; i < payload; i++) b[16 + i] = (byte) (id + seq + i);
        return 16 + payload;
    }

    @Test
    void aThousandClientsForTenSeconds() throws Exception {
        String name = "@ffsock-load-" + ProcessHandle.current().pid();
        UnixAddress address = UnixAddress.parse(name);
        Map<Integer, String> baseline = Fds.snapshot();
        AtomicBoolean stopServer = new AtomicBoolean();
        try (Socket listener = Socket.open(Family.UNIX, SocketType.SEQPACKET); EventLoop serverLoop = EventLoop.open(256)) {
            listener.bind(address);
            listener.listen(4096);
            listener.setBlocking(false);
            serverLoop.register(listener, Set.of(EventLoop.Event.READ));
            Thread server = Thread.ofPlatform().name("load-server").start(() -> serve(listener, serverLoop, stopServer));

            AtomicBoolean stopClients = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < CLIENT_THREADS; t++) {
                int first = t * CLIENTS / CLIENT_THREADS;
                int last = (t + 1) * CLIENTS / CLIENT_THREADS;
                clients.add(Thread.ofPlatform().name("load-clients-" + t).start(() -> runClients(address, first, last, stopClients)));
            }
            long start = System.nanoTime();
            Thread.sleep(1000);
            long warmHeap = heapAfterGc();
            long warmMessages = clientMessages.get();
            int peakSockets = Fds.sockets(Fds.snapshot()).size();
            long end = start + SECONDS * 1_000_000_000L;
            while (System.nanoTime() < end && errors.isEmpty()) Thread.sleep(100);
            long endHeap = heapAfterGc();
            long measured = clientMessages.get() - warmMessages;
            double seconds = (System.nanoTime() - start) / 1e9 - 1;
            clientsStopping.set(true);
            stopClients.set(true);
            for (Thread c : clients) c.join();
            // every client has closed: the server sees the end of each connection and closes its side
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (serverOpen.get() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
            stopServer.set(true);
            serverLoop.wakeup();
            server.join();
            System.out.printf("LoadTest: %d clients for %d s: %d echoes checked by the clients (%d by the server),"
                            + " %.0f per second after the first second; %d connections accepted; socket fds %d at"
                            + " the peak, %d server connections left open; heap after GC %.1f MiB after 1 s,"
                            + " %.1f MiB at the end%n",
                    CLIENTS, SECONDS, clientMessages.get(), serverMessages.get(), measured / seconds, accepted.get(),
                    peakSockets, serverOpen.get(), warmHeap / 1048576.0, endHeap / 1048576.0);
            assertEquals(List.of(), errors);
            assertEquals(CLIENTS, accepted.get(), "connections accepted");
            assertEquals(0, serverOpen.get(), "server connections still open after every client left");
            assertTrue(peakSockets >= 2 * CLIENTS, "not all clients were connected at once: " + peakSockets);
            assertTrue(clientMessages.get() >= CLIENTS, "some client never got an echo");
            assertTrue(endHeap - warmHeap < HEAP_GROWTH_LIMIT,
                    "heap grew by " + (endHeap - warmHeap) / 1048576 + " MiB under steady load");
        }
        List<Integer> left = Fds.newSockets(baseline, Fds.snapshot());
        assertEquals(List.of(), left, "socket fds not back to the baseline");
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Per-connection state of the server: the next sequence number it expects. */
    private static final class Conn {
        long id = -1;
        long nextSeq;
    }

    private void serve(Socket listener, EventLoop loop, AtomicBoolean stop) {
        Map<Socket, Conn> conns = new HashMap<>();
        byte[] buf = new byte[16 + MAX_PAYLOAD + 100];
        byte[] expected = new byte[buf.length];
        try {
            while (!stop.get()) {
                for (EventLoop.Ready r : loop.poll(Duration.ofMillis(100))) {
                    Socket s = r.socket();
                    if (s == listener) {
                        for (;;) {
                            Socket c;
                            try {
                                c = listener.accept();
                            } catch (SyscallException e) {
                                if (e.errno().value() == 11) break;
                                throw e;
                            }
                            c.setBlocking(false);
                            loop.register(c, Set.of(EventLoop.Event.READ));
                            conns.put(c, new Conn());
                            accepted.incrementAndGet();
                            serverOpen.incrementAndGet();
                        }
                        continue;
                    }
                    Conn conn = conns.get(s);
                    int n;
                    try {
                        n = s.recv(buf);
                    } catch (SyscallException e) {
                        if (e.errno().value() == 11) continue;
                        // A client that closes with our echo unread resets the connection (unix(7)):
                        // expected once the clients are told to stop, an error before.
                        if (!clientsStopping.get() || !e.errno().symbol().equals("ECONNRESET")) throw e;
                        n = 0;
                    }
                    if (n == 0) { // the client closed (clients never send empty messages)
                        loop.unregister(s);
                        s.close();
                        conns.remove(s);
                        serverOpen.decrementAndGet();
                        continue;
                    }
                    long id = ByteBuffer.wrap(buf).getLong(0);
                    long seq = ByteBuffer.wrap(buf).getLong(8);
                    if (conn.id < 0) conn.id = id;
                    int len = fill(expected, id, seq);
                    if (id != conn.id || seq != conn.nextSeq || n != len
                            || !java.util.Arrays.equals(buf, 0, n, expected, 0, len)) {
                        errors.add("server: connection of client " + conn.id + " expected seq " + conn.nextSeq
                                + ", got client " + id + " seq " + seq + " length " + n);
                        stop.set(true);
                        break;
                    }
                    conn.nextSeq++;
                    serverMessages.incrementAndGet();
                    try {
                        s.send(buf, 0, n); // one message in flight per client: never EAGAIN
                    } catch (SyscallException e) {
                        // A client that closed between its message and our echo: only once told to stop.
                        if (!clientsStopping.get() || !(e.errno().symbol().equals("EPIPE")
                                || e.errno().symbol().equals("ECONNRESET"))) throw e;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            errors.add("server: " + e);
        } finally {
            for (Socket s : conns.keySet()) s.close();
            serverOpen.addAndGet(-conns.size());
        }
    }

    /** Per-client state: its id and the sequence number of the message in flight. */
    private static final class Client {
        final long id;
        long seq;
        final byte[] sent = new byte[16 + MAX_PAYLOAD];
        int sentLength;

        Client(long id) {
            this.id = id;
        }
    }

    private void runClients(UnixAddress address, int first, int last, AtomicBoolean stop) {
        Map<Socket, Client> clients = new HashMap<>();
        byte[] buf = new byte[16 + MAX_PAYLOAD + 100];
        try (EventLoop loop = EventLoop.open(256)) {
            for (int id = first; id < last; id++) {
                Socket s = Socket.open(Family.UNIX, SocketType.SEQPACKET);
                Client c = new Client(id);
                clients.put(s, c);
                s.connect(address);
                s.setBlocking(false);
                loop.register(s, Set.of(EventLoop.Event.READ));
                c.sentLength = fill(c.sent, c.id, c.seq);
                s.send(c.sent, 0, c.sentLength);
            }
            while (!stop.get() && errors.isEmpty()) {
                for (EventLoop.Ready r : loop.poll(Duration.ofMillis(100))) {
                    Socket s = r.socket();
                    Client c = clients.get(s);
                    int n;
                    try {
                        n = s.recv(buf);
                    } catch (SyscallException e) {
                        if (e.errno().value() == 11) continue;
                        throw e;
                    }
                    if (n != c.sentLength || !java.util.Arrays.equals(buf, 0, n, c.sent, 0, n)) {
                        errors.add("client " + c.id + " seq " + c.seq + ": echo of " + n + " bytes differs from the "
                                + c.sentLength + " sent");
                        return;
                    }
                    clientMessages.incrementAndGet();
                    c.seq++;
                    c.sentLength = fill(c.sent, c.id, c.seq);
                    s.send(c.sent, 0, c.sentLength);
                }
            }
        } catch (IOException | RuntimeException e) {
            errors.add("clients " + first + ".." + last + ": " + e);
        } finally {
            for (Socket s : clients.keySet()) s.close();
        }
    }
}
