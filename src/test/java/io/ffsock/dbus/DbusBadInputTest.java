package io.ffsock.dbus;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.OwnedFd;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import io.ffsock.net.UnixSocketChannel;
import io.ffsock.testing.FdLeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.connections.impl.DirectConnection;
import org.freedesktop.dbus.connections.impl.DirectConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MessageFactory;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.messages.constants.Endian;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad addresses, a bus that dies mid-call, and a hostile peer (more fds than announced, a
 * truncated message): each ends in a dbus-java exception that names the cause, with no fd left
 * open and no thread left blocked.
 */
@ExtendWith(FdLeakCheck.class)
class DbusBadInputTest {
    @TempDir Path dir;
    long fdsBefore;

    @BeforeEach
    void countFds() throws Exception {
        fdsBefore = DbusBusTest.openFds();
    }

    @AfterEach
    void noFdLeftOpen() throws Exception {
        long now = DbusBusTest.openFds();
        for (int i = 0; i < 50 && now > fdsBefore; i++) { // dbus-java's threads wind down asynchronously
            System.gc();
            Thread.sleep(100);
            now = DbusBusTest.openFds();
        }
        assertEquals(fdsBefore, now, "fds open before and after the test");
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (; t != null; t = t.getCause()) b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" / ");
        return b.toString();
    }

    /** One connect attempt: dbus-java retries a failed connect every 500 ms until its timeout (10 s by default). */
    private static DBusConnection once(String address) throws DBusException {
        return DBusConnectionBuilder.forAddress(address).withShared(false).transportConfig().withTimeout(500).back().build();
    }

    @Test
    void aPathThatDoesNotExist() {
        Path missing = dir.resolve("no-bus-here");
        DBusException e = assertThrows(DBusException.class,
                () -> once("unix:path=" + missing));
        String all = chain(e);
        assertTrue(all.contains("ENOENT") && all.contains(missing.toString()), all);
    }

    @Test
    void aFileThatIsNotASocket() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "not a socket");
        DBusException e = assertThrows(DBusException.class,
                () -> once("unix:path=" + file));
        String all = chain(e);
        assertTrue(all.contains("ECONNREFUSED") && all.contains(file.toString()), all);
    }

    @Test
    void anAddressWithUnknownKeys() {
        DBusException e = assertThrows(DBusException.class,
                () -> once("unix:path=/tmp/x,tmpdir=/tmp"));
        assertTrue(chain(e).contains("key 'tmpdir'"), chain(e));
        e = assertThrows(DBusException.class,
                () -> once("unix:guid=0123"));
        assertTrue(chain(e).contains("neither 'path' nor 'abstract'"), chain(e));
    }

    /** An object whose method blocks until released: a call that is in flight when the bus dies. */
    public interface Stall extends org.freedesktop.dbus.interfaces.DBusInterface {
        void Wait();
    }

    @Test
    void aDaemonThatDiesMidCall() throws Exception {
        DbusDaemon daemon = new DbusDaemon();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        try (DBusConnection service = DBusConnectionBuilder.forAddress(daemon.address).withShared(false).build();
             DBusConnection client = DBusConnectionBuilder.forAddress(daemon.address).withShared(false).build()) {
            String name = "io.ffsock.test.Stall" + ProcessHandle.current().pid();
            service.requestBusName(name);
            service.exportObject("/stall", new Stall() {
                @Override
                public void Wait() {
                    entered.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public String getObjectPath() {
                    return "/stall";
                }
            });
            Stall stall = client.getRemoteObject(name, "/stall", Stall.class);
            CompletableFuture<Throwable> call = CompletableFuture.supplyAsync(() -> {
                try {
                    stall.Wait();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            daemon.kill();
            long start = System.nanoTime();
            Throwable t = call.get(15, TimeUnit.SECONDS); // dbus-java's default call timeout is longer: this is the disconnect
            assertNotNull(t, "the call must fail");
            assertTrue(chain(t).contains("closed the connection"), chain(t));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15));
        } finally {
            release.countDown();
            daemon.close();
        }
    }

    // ---- a hostile peer: a fake D-Bus server of ours, speaking the wire format by hand -------------

    /** Accepts one client, answers its SASL with OK and AGREE_UNIX_FD, then reads its first call. */
    private static MethodCall fakeServerHandshake(UnixSocketChannel c) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        for (;;) {
            one.clear();
            if (c.read(one) < 0) throw new IOException("client left during SASL");
            byte b = one.get(0);
            if (b == 0) continue;
            if (b != '\n') {
                line.write(b);
                continue;
            }
            String l = line.toString(StandardCharsets.US_ASCII).trim();
            line.reset();
            String reply = l.startsWith("AUTH EXTERNAL") ? "OK 0123456789abcdef0123456789abcdef"
                    : l.startsWith("AUTH") ? "REJECTED EXTERNAL"
                    : l.equals("NEGOTIATE_UNIX_FD") ? "AGREE_UNIX_FD"
                    : l.equals("BEGIN") ? null : "ERROR";
            if (reply == null) break;
            c.write(ByteBuffer.wrap((reply + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        }
        Message m = new FfsockMessageReader(c, true).readMessage();
        return assertInstanceOf(MethodCall.class, m);
    }

    /** Runs a fake server that answers the client's first call with {@code answer}, and a client calling OpenWith. */
    private Throwable callAFakeServer(FakeAnswer answer) throws Exception {
        UnixAddress address = UnixAddress.abstractName("ffsock-dbus-hostile-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try (Socket listener = Socket.open(Family.UNIX, SocketType.STREAM)) {
            listener.bind(address);
            listener.listen();
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try (UnixSocketChannel c = UnixSocketChannel.of(listener.accept())) {
                    MethodCall call = fakeServerHandshake(c);
                    // The call's bytes are here, but the client's sending thread may not have left
                    // its sendmsg yet; a hostile answer that makes the client close the connection
                    // at once would interrupt that thread, and the call would fail as "Message
                    // Failed to Send" instead of with the error under test (seen on a busy machine).
                    Thread.sleep(200);
                    answer.send(c, call);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            String text = "unix:abstract=" + new String(address.nameBytes(), StandardCharsets.US_ASCII);
            try (DirectConnection client = DirectConnectionBuilder.forAddress(text).build()) {
                Calculator calc = client.getRemoteObject(CalculatorService.PATH, Calculator.class);
                Throwable t = assertThrows(Throwable.class, () -> calc.OpenWith("x"));
                server.get(20, TimeUnit.SECONDS);
                return t;
            }
        }
    }

    /** Stays until the client has reacted: it is the client that must end the connection. */
    private static void awaitClientLeaving(UnixSocketChannel c) {
        try {
            c.read(ByteBuffer.allocate(1));
        } catch (IOException reset) {
            // ECONNRESET: the client closed with our bytes unread, which is how it should react
        }
    }

    interface FakeAnswer {
        void send(UnixSocketChannel c, MethodCall call) throws Exception;
    }

    @Test
    void aPeerThatSendsMoreFdsThanAnnounced() throws Exception {
        Throwable t = callAFakeServer((c, call) -> {
            OwnedFd[] pipe = OwnedFd.pipe();
            try (OwnedFd r = pipe[0]; OwnedFd w = pipe[1]) {
                // The reply announces one fd (UNIX_FDS=1) and carries three.
                Message reply = new MessageFactory(Endian.LITTLE).createMethodReturn(call, "h", new FileDescriptor(r.fdNumber()));
                c.ffsockSocket().sendMsg(List.of(ByteBuffer.wrap(HeaderFieldsTest.wire(reply))),
                        List.of(ControlMessage.rights(r, w, r)), Set.of(), null);
                awaitClientLeaving(c);
            }
        });
        assertTrue(chain(t).contains("announces 1 unix fds (UNIX_FDS) but 3 arrived"), chain(t));
    }

    @Test
    void aPeerThatSendsATruncatedMessage() throws Exception {
        Throwable t = callAFakeServer((c, call) -> {
            OwnedFd[] pipe = OwnedFd.pipe();
            try (OwnedFd r = pipe[0]; OwnedFd w = pipe[1]) {
                Message reply = new MessageFactory(Endian.LITTLE).createMethodReturn(call, "h", new FileDescriptor(r.fdNumber()));
                byte[] all = HeaderFieldsTest.wire(reply);
                // Half the reply, with its fd, then the connection ends.
                c.ffsockSocket().sendMsg(List.of(ByteBuffer.wrap(all, 0, all.length / 2)),
                        List.of(ControlMessage.rights(r)), Set.of(), null);
            }
        });
        assertTrue(chain(t).contains("truncated message"), chain(t));
    }

    @Test
    void aPeerThatSendsGarbage() throws Exception {
        Throwable t = callAFakeServer((c, call) -> {
            c.write(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            awaitClientLeaving(c);
        });
        assertTrue(chain(t).contains("not an endianness mark"), chain(t));
    }

    @Test
    void noDbusThreadIsLeftBlocked() throws Exception {
        aPeerThatSendsMoreFdsThanAnnounced();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> left = new ArrayList<>();
        do {
            left.clear();
            for (Thread th : Thread.getAllStackTraces().keySet()) {
                if (th.getName().startsWith("DBusConnection [listener=false]") && th.isAlive()) left.add(th.getName());
            }
            if (!left.isEmpty()) Thread.sleep(100);
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        assertEquals(List.of(), left, "reader threads of closed connections");
    }
}
