package io.ffsock.testing;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * An echo server run as its own process (its fds count against its own RLIMIT_NOFILE): listens on
 * the abstract AF_UNIX name {@code args[1]} with type {@code args[0]} (STREAM or SEQPACKET),
 * accepts on a virtual thread and echoes each connection on a virtual thread of its own. Prints
 * {@code READY} once listening; at a line on stdin (sent after a warm-up connection, so that class
 * loading, which may pin, is over) it starts recording pinned parks and prints {@code RECORDING};
 * when stdin ends it prints
 * {@code DONE connections=N bytes=N errors=N pinned=N}, then each pinned stack, and exits.
 */
public final class VirtualEchoServer {
    public static void main(String[] args) throws Exception {
        SocketType type = args[0].equals("SEQPACKET") ? SocketType.SEQPACKET : SocketType.STREAM;
        AtomicLong connections = new AtomicLong();
        LongAdder bytes = new LongAdder();
        AtomicLong errors = new AtomicLong();
        Socket server = Socket.open(Family.UNIX, type);
        server.bind(UnixAddress.abstractName(args[1]));
        server.listen(4096);
        Thread acceptor = Thread.ofVirtual().start(() -> {
            for (;;) {
                Socket c;
                try {
                    c = server.accept();
                } catch (IOException e) {
                    if (!server.isClosed()) {
                        errors.incrementAndGet();
                        e.printStackTrace();
                    }
                    return;
                }
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> echo(c, bytes, errors));
            }
        });
        System.out.println("READY");
        System.out.flush();
        InputStream in = System.in;
        while (in.read() != '\n') {
            // the test's warm-up connection
        }
        PinnedCarriers pinned = PinnedCarriers.start();
        System.out.println("RECORDING");
        System.out.flush();
        while (in.read() >= 0) {
            // the test closes our stdin when it is done
        }
        server.close();
        acceptor.join();
        List<String> stacks = pinned.stop();
        System.out.println("DONE connections=" + connections + " bytes=" + bytes + " errors=" + errors
                + " pinned=" + stacks.size());
        stacks.forEach(System.out::println);
        System.out.flush();
        System.exit(0);
    }

    private static void echo(Socket c, LongAdder bytes, AtomicLong errors) {
        byte[] buf = new byte[4096];
        try (c) {
            int n;
            while ((n = c.recv(buf)) > 0) {
                c.sendAll(buf, 0, n);
                bytes.add(n);
            }
        } catch (IOException e) {
            errors.incrementAndGet();
            e.printStackTrace();
        }
    }
}
