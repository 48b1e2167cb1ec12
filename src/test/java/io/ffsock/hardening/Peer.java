package io.ffsock.hardening;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer process (python3 running {@link #HOSTILE}) whose stdout is read line by line. Every wait
 * is bounded; {@link #kill()} is SIGKILL; {@link #close()} kills it if it still runs.
 */
final class Peer implements AutoCloseable {
    static final long WAIT_SECONDS = 20;
    private static final String EOF = "\u0000EOF";

    /**
     * The hostile peer. Addresses: a path, {@code @name} (abstract) or {@code tcp:PORT} (127.0.0.1).
     * <ul>
     * <li>{@code fds ADDR N FILE}: connects (seqpacket) and sends N fds of FILE in one SCM_RIGHTS
     *     message with the byte 'F', then waits for EOF.
     * <li>{@code zero ADDR}: connects (seqpacket), sends a 0-byte message, waits for EOF.
     * <li>{@code big ADDR N}: connects (seqpacket), sends two N-byte messages, waits for EOF.
     * <li>{@code sink ADDR}: connects (stream) and never reads: waits to be killed.
     * <li>{@code talk ADDR}: connects (stream), sends 'hello', never reads: waits to be killed.
     * <li>{@code dgramsink ADDR}: binds a datagram socket and never reads.
     * <li>{@code flood ADDR SECONDS}: sends 100-byte datagrams to ADDR as fast as it can.
     * </ul>
     */
    static final String HOSTILE = """
            import os, socket, sys, time, errno
            def addr(a):
                if a.startswith('tcp:'): return (socket.AF_INET, ('127.0.0.1', int(a[4:])))
                return (socket.AF_UNIX, '\\0' + a[1:] if a.startswith('@') else a)
            def wait_eof(s):
                while s.recv(1 << 16): pass
            mode, a = sys.argv[1], sys.argv[2]
            fam, where = addr(a)
            if mode in ('fds', 'zero', 'big'):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(where)
                if mode == 'fds':
                    n, path = int(sys.argv[3]), sys.argv[4]
                    fds = [os.open(path, os.O_RDONLY) for _ in range(n)]
                    socket.send_fds(s, [b'F'], fds)
                    for f in fds: os.close(f)
                elif mode == 'zero':
                    s.send(b'')
                else:
                    s.send(b'x' * int(sys.argv[3])); s.send(b'x' * int(sys.argv[3]))
                print('SENT', flush=True); wait_eof(s)
            elif mode in ('sink', 'talk'):
                s = socket.socket(fam, socket.SOCK_STREAM); s.connect(where)
                if mode == 'talk': s.sendall(b'hello')
                print('READY', flush=True)
                while True: time.sleep(60)
            elif mode == 'dgramsink':
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(where)
                print('READY', flush=True)
                while True: time.sleep(60)
            elif mode == 'flood':
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.setblocking(False)
                end, sent, full = time.time() + float(sys.argv[3]), 0, 0
                print('READY', flush=True)
                while time.time() < end:
                    try: s.sendto(b'f' * 100, where); sent += 1
                    except BlockingIOError: full += 1; time.sleep(0.0005)
                print('FLOODED', sent, full, flush=True)
            """;

    private final Process process;
    private final List<String> command;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> stderr = new CompletableFuture<>();

    private Peer(List<String> command) {
        this.command = command;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command + " (python3 is required): " + e, e);
        }
        Thread.ofPlatform().daemon().name("peer-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                // killed
            } finally {
                lines.add(EOF);
            }
        });
        Thread.ofPlatform().daemon().name("peer-stderr").start(() -> {
            try (var in = process.getErrorStream()) {
                stderr.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                stderr.complete("(" + e + ")");
            }
        });
    }

    static Peer hostile(String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", HOSTILE));
        cmd.addAll(List.of(args));
        return new Peer(cmd);
    }

    /** Waits for a line starting with {@code prefix}; fails if the peer exits or is silent too long. */
    String await(String prefix) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (;;) {
            String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw new AssertionError(command.get(3) + " peer printed no " + prefix + " within " + WAIT_SECONDS + " s");
            if (line.equals(EOF)) {
                throw new AssertionError(command.get(3) + " peer exited before " + prefix + ": " + stderr.getNow("(running)")
                        + stderrWait());
            }
            if (line.startsWith(prefix)) return line;
        }
    }

    private String stderrWait() {
        try {
            return stderr.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "";
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) throw new AssertionError("peer survived SIGKILL");
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
        try {
            process.getInputStream().close();
            process.getErrorStream().close();
        } catch (IOException ignored) {
            // gone
        }
    }
}
