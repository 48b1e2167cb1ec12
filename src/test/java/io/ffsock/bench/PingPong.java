package io.ffsock.bench;

import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import java.util.concurrent.ThreadFactory;

/**
 * Ping-pong of 1-byte messages over an AF_UNIX stream socketpair, both ends blocking, on platform
 * or virtual threads: {@code PingPong platform|virtual [roundTrips]}. Prints the mean round trip.
 * Run it with {@code java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes
 * io.ffsock.bench.PingPong virtual}.
 */
public final class PingPong {
    public static void main(String[] args) throws Exception {
        boolean virtual = args.length > 0 && args[0].equals("virtual");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        ThreadFactory f = virtual ? Thread.ofVirtual().factory() : Thread.ofPlatform().factory();
        for (int round = 0; round < 3; round++) {
            try (SocketPair p = Socket.pair(SocketType.STREAM)) {
                Socket a = p.first();
                Socket b = p.second();
                Thread echo = f.newThread(() -> {
                    byte[] buf = new byte[1];
                    try {
                        for (int i = 0; i < n; i++) {
                            if (b.recv(buf) != 1) throw new IllegalStateException("eof");
                            b.send(buf);
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
                long[] took = new long[1];
                Thread ping = f.newThread(() -> {
                    byte[] buf = new byte[1];
                    try {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < n; i++) {
                            a.send(buf);
                            if (a.recv(buf) != 1) throw new IllegalStateException("eof");
                        }
                        took[0] = System.nanoTime() - t0;
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
                echo.start();
                ping.start();
                ping.join();
                echo.join();
                System.out.printf("%s: %.2f us per round trip (%d)%n", virtual ? "virtual" : "platform",
                        took[0] / 1e3 / n, n);
            }
        }
    }
}
