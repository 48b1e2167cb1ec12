package io.ffsock.interop;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.UnixAddress;
import io.ffsock.net.UnixServerSocket;
import io.ffsock.net.UnixSocket;
import io.ffsock.net.UnixSocketFactory;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.JdkChannelsWarmUp;
import io.ffsock.testing.SocketKind;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The java.net adapters (UnixSocket, UnixServerSocket, UnixSocketFactory) against Python's
 * socket module on the other end: a line protocol, peer credentials both ways, a large transfer
 * with end of stream, and a read timeout that loses no byte of a peer that pauses.
 */
@ExtendWith({JdkChannelsWarmUp.class, FdLeakCheck.class})
class JavaNetPythonInteropTest {

    /** argv: PATH. Answers each line with "echo <line>"; first prints READY <pid> <peer pid> on accept. */
    private static final String LINE_SERVER = """
            import os, socket, struct, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(20)
            s.bind(sys.argv[1])
            s.listen(1)
            print('LISTENING', flush=True)
            c, _ = s.accept()
            c.settimeout(20)
            pid, uid, gid = struct.unpack('3i', c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            print('PEER %d %d' % (os.getpid(), pid), flush=True)
            f = c.makefile('rwb')
            for line in f:
                f.write(b'echo ' + line)
                f.flush()
            print('EOF', flush=True)
            """;

    @Test
    void aFactorySocketSpeaksALineProtocolWithAPythonServerAndBothSeeEachOthersPid(@TempDir Path dir) throws Exception {
        Path path = dir.resolve(".s.PGSQL.5432");
        try (PythonPeer py = PythonPeer.start(LINE_SERVER, path.toString())) {
            py.expect("LISTENING");
            UnixSocketFactory f = new UnixSocketFactory(path.toString());
            try (java.net.Socket s = f.createSocket("localhost", 5432)) {
                String[] peer = py.line().split(" ");
                assertEquals("PEER", peer[0]);
                assertEquals(ProcessHandle.current().pid(), Long.parseLong(peer[2]), "python sees our pid");
                assertEquals(Long.parseLong(peer[1]), ((UnixSocket) s).peerCredentials().pid(), "we see python's pid");
                s.setSoTimeout(20_000);
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                for (int i = 0; i < 200; i++) {
                    w.println("SELECT " + i + " — ü");
                    assertEquals("echo SELECT " + i + " — ü", r.readLine());
                }
                s.shutdownOutput();
                py.expect("EOF");
                assertNull(r.readLine());
            }
            py.assertExitsCleanly();
        }
    }

    /** argv: ADDR SIZE. Connects, sends SIZE random bytes, shuts down writing, prints SENT <sha256>, then GOT <sha256> of the answer. */
    private static final String BULK_CLIENT = """
            import hashlib, os, socket, sys
            a = sys.argv[1]
            addr = '\\0' + a[1:] if a.startswith('@') else a
            data = os.urandom(int(sys.argv[2]))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(20)
            s.connect(addr)
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            print('SENT ' + hashlib.sha256(data).hexdigest(), flush=True)
            got = b''
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
            print('GOT %d %s' % (len(got), hashlib.sha256(got).hexdigest()), flush=True)
            """;

    @Test
    void aPythonClientSendsMegabytesToAUnixServerSocketOnAnAbstractNameAndGetsThemBack() throws Exception {
        UnixAddress name = SocketKind.uniqueAbstractName();
        int size = 3 << 20;
        try (UnixServerSocket server = new UnixServerSocket(name);
             PythonPeer py = PythonPeer.start(BULK_CLIENT, name.toString(), Integer.toString(size))) {
            server.setSoTimeout(20_000);
            try (UnixSocket s = server.accept()) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                assertTrue(in.available() >= 0);
                byte[] got = in.readAllBytes();
                assertEquals(size, got.length);
                String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(got));
                assertEquals("SENT " + hex, py.line());
                byte[] answer = new byte[1 << 20];
                ThreadLocalRandom.current().nextBytes(answer);
                s.getOutputStream().write(answer);
                s.shutdownOutput();
                String answerHex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(answer));
                assertEquals("GOT " + answer.length + " " + answerHex, py.line());
            }
            py.assertExitsCleanly();
        }
    }

    /** argv: PATH. Sends 'a', waits for GO on... sleeps 0.6 s, sends 'bc', sleeps 0.6 s, closes. */
    private static final String SLOW_SERVER = """
            import socket, sys, time
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(20)
            s.bind(sys.argv[1])
            s.listen(1)
            print('LISTENING', flush=True)
            c, _ = s.accept()
            c.sendall(b'a')
            time.sleep(0.6)
            c.sendall(b'bc')
            time.sleep(0.6)
            c.close()
            print('DONE', flush=True)
            """;

    @Test
    void readTimeoutsAgainstAPausingPythonPeerLoseNoByte(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("slow.sock");
        try (PythonPeer py = PythonPeer.start(SLOW_SERVER, path.toString())) {
            py.expect("LISTENING");
            try (UnixSocket s = new UnixSocket()) {
                s.connect(java.net.UnixDomainSocketAddress.of(path), 5000);
                s.setSoTimeout(100);
                InputStream in = s.getInputStream();
                StringBuilder got = new StringBuilder();
                int timeouts = 0;
                for (;;) {
                    try {
                        int b = in.read();
                        if (b < 0) break;
                        got.append((char) b);
                    } catch (SocketTimeoutException e) {
                        timeouts++;
                    }
                }
                assertEquals("abc", got.toString());
                assertTrue(timeouts >= 2, "the pauses gave timeouts: " + timeouts);
            }
            py.expect("DONE");
            py.assertExitsCleanly();
        }
    }
}
