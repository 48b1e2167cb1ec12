package io.ffsock.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ffsock.Family;
import io.ffsock.Received;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.UnixAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Python's socket module as the independent other side of AF_UNIX SEQPACKET and DGRAM exchanges
 * with ffsock, both ways round, over paths and abstract names. Every message is answered with its
 * bytes reversed, and each side checks the exact bytes it got; zero-length messages included.
 */
class PythonInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final HexFormat HEX = HexFormat.of();

    /** argv: TYPE ADDR COUNT. Receives COUNT messages, prints each, answers each reversed. */
    private static final String PY_SERVER = """
            import socket, sys
            typ = {'seqpacket': socket.SOCK_SEQPACKET, 'dgram': socket.SOCK_DGRAM}[sys.argv[1]]
            a = sys.argv[2]
            addr = '\\0' + a[1:] if a.startswith('@') else a
            s = socket.socket(socket.AF_UNIX, typ)
            s.settimeout(20)
            s.bind(addr)
            if typ == socket.SOCK_SEQPACKET:
                s.listen(1)
                print('READY', flush=True)
                c, _ = s.accept()
                c.settimeout(20)
            else:
                print('READY', flush=True)
                c = s
            for i in range(int(sys.argv[3])):
                data, sender = c.recvfrom(1 << 17)
                print('GOT ' + data.hex(), flush=True)
                if typ == socket.SOCK_SEQPACKET:
                    c.send(data[::-1])
                else:
                    c.sendto(data[::-1], sender)
            if typ == socket.SOCK_SEQPACKET:
                print('END ' + (c.recv(16).hex() or 'hang-up'), flush=True)
            print('DONE', flush=True)
            """;

    /** argv: TYPE ADDR HEX... Sends each message, prints the answer. DGRAM autobinds first. */
    private static final String PY_CLIENT = """
            import socket, sys
            typ = {'seqpacket': socket.SOCK_SEQPACKET, 'dgram': socket.SOCK_DGRAM}[sys.argv[1]]
            a = sys.argv[2]
            addr = '\\0' + a[1:] if a.startswith('@') else a
            s = socket.socket(socket.AF_UNIX, typ)
            s.settimeout(20)
            if typ == socket.SOCK_DGRAM:
                s.bind('')
            s.connect(addr)
            print('READY', flush=True)
            for h in sys.argv[3:]:
                s.send(bytes.fromhex(h))
                print('GOT ' + s.recv(1 << 17).hex(), flush=True)
            s.close()
            print('DONE', flush=True)
            """;

    @TempDir
    Path dir;

    /** Text, empty, every byte value (NUL included), empty again, a large one. */
    private static List<byte[]> messages() {
        List<byte[]> m = new ArrayList<>();
        m.add("hello from the other side".getBytes(StandardCharsets.UTF_8));
        m.add(new byte[0]);
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        m.add(all);
        m.add(new byte[0]);
        byte[] big = new byte[60_000]; // 120 000 hex digits: fits one argv string (128 KiB)
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31 + 7);
        m.add(big);
        m.add("é\u0000end".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    private static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) r[i] = b[b.length - 1 - i];
        return r;
    }

    private String address(String kind) {
        return kind.equals("path") ? dir.resolve("py.sock").toString() : "@ffsock-py-" + UUID.randomUUID();
    }

    private static SocketType type(String name) {
        return name.equals("seqpacket") ? SocketType.SEQPACKET : SocketType.DGRAM;
    }

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({"seqpacket,path", "seqpacket,abstract", "dgram,path", "dgram,abstract"})
    @SuppressWarnings("try") // closed early on purpose: Python must see the hang-up
    void pythonServerFfsockClient(String typeName, String kind) throws Exception {
        String addr = address(kind);
        List<byte[]> messages = messages();
        try (PythonPeer py = PythonPeer.start(PY_SERVER, typeName, addr, Integer.toString(messages.size()));
             Socket s = Socket.open(Family.UNIX, type(typeName))) {
            py.expect("READY");
            s.setTimeout(TIMEOUT);
            if (typeName.equals("dgram")) s.bind(UnixAddress.unnamed()); // so that Python can answer
            s.connect(UnixAddress.parse(addr));
            byte[] buf = new byte[1 << 17];
            for (byte[] m : messages) {
                assertEquals(m.length, s.send(m));
                int n = s.recv(buf);
                assertArrayEquals(reversed(m), Arrays.copyOf(buf, n), "answer to a " + m.length + "-byte message");
                py.expect("GOT " + HEX.formatHex(m));
            }
            if (typeName.equals("seqpacket")) {
                s.close();
                py.expect("END hang-up"); // Python's recv returned b'': our close, not a message
            }
            py.expect("DONE");
            py.assertExitsCleanly();
        }
    }

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({"seqpacket,path", "seqpacket,abstract", "dgram,path", "dgram,abstract"})
    void ffsockServerPythonClient(String typeName, String kind) throws Exception {
        String addr = address(kind);
        List<byte[]> messages = messages();
        String[] args = new String[2 + messages.size()];
        args[0] = typeName;
        args[1] = addr;
        for (int i = 0; i < messages.size(); i++) args[2 + i] = HEX.formatHex(messages.get(i));
        boolean seqpacket = typeName.equals("seqpacket");
        try (Socket server = Socket.open(Family.UNIX, type(typeName))) {
            server.setTimeout(TIMEOUT);
            server.bind(UnixAddress.parse(addr));
            if (seqpacket) server.listen(1);
            try (PythonPeer py = PythonPeer.start(PY_CLIENT, args);
                 Socket c = seqpacket ? server.accept() : null) {
                Socket s = seqpacket ? c : server;
                s.setTimeout(TIMEOUT);
                py.expect("READY");
                byte[] buf = new byte[1 << 17];
                for (byte[] m : messages) {
                    Received r = s.recvFrom(buf, 0, buf.length);
                    assertArrayEquals(m, Arrays.copyOf(buf, (int) r.length()), "a " + m.length + "-byte message");
                    if (seqpacket) {
                        // Python's client is not bound: the kernel reports no address.
                        assertNull(r.sender());
                        s.send(reversed(m));
                    } else {
                        UnixAddress from = assertInstanceOf(UnixAddress.class, r.sender());
                        assertEquals(UnixAddress.Kind.ABSTRACT, from.kind(), "Python autobound: " + from);
                        s.sendTo(reversed(m), from);
                    }
                    py.expect("GOT " + HEX.formatHex(reversed(m)));
                }
                py.expect("DONE");
                py.assertExitsCleanly();
                if (seqpacket) {
                    assertEquals(0, s.recv(buf), "hang-up after Python closed");
                    assertEquals(0, s.recv(buf), "and it stays so");
                }
            }
        }
    }
}
