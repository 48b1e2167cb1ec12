package io.ffsock.net;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Fds;
import io.ffsock.testing.JdkChannelsWarmUp;
import io.ffsock.testing.SocketKind;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input table: each wrong call is made on the JDK's own java.net.Socket (or ServerSocket)
 * and on UnixSocket (UnixServerSocket) in the same state, and both must throw the same exception
 * type; ours must also say what is wrong. No fd may be left open by any of it.
 */
@ExtendWith({JdkChannelsWarmUp.class, FdLeakCheck.class})
class JavaNetBadInputTest {

    enum State { UNCONNECTED, CLOSED }

    interface Call {
        void on(Socket s, SocketAddress sameFamily, SocketAddress otherFamily) throws Exception;
    }

    interface ServerCall {
        void on(ServerSocket s, SocketAddress sameFamily, SocketAddress otherFamily) throws Exception;
    }

    static Stream<Arguments> clientCases() {
        Map<String, Call> calls = new java.util.LinkedHashMap<>();
        calls.put("connect(null)", (s, a, o) -> s.connect(null));
        calls.put("connect(null, 100)", (s, a, o) -> s.connect(null, 100));
        calls.put("connect(address, -1)", (s, a, o) -> s.connect(a, -1));
        calls.put("connect(other family)", (s, a, o) -> s.connect(o, 100));
        calls.put("bind(other family)", (s, a, o) -> s.bind(o));
        calls.put("getInputStream", (s, a, o) -> s.getInputStream());
        calls.put("getOutputStream", (s, a, o) -> s.getOutputStream());
        calls.put("shutdownInput", (s, a, o) -> s.shutdownInput());
        calls.put("shutdownOutput", (s, a, o) -> s.shutdownOutput());
        calls.put("setSoTimeout(-1)", (s, a, o) -> s.setSoTimeout(-1));
        calls.put("setSoTimeout(5)", (s, a, o) -> s.setSoTimeout(5));
        calls.put("getSoTimeout", (s, a, o) -> s.getSoTimeout());
        calls.put("setReceiveBufferSize(0)", (s, a, o) -> s.setReceiveBufferSize(0));
        calls.put("setSendBufferSize(-1)", (s, a, o) -> s.setSendBufferSize(-1));
        calls.put("getReceiveBufferSize", (s, a, o) -> s.getReceiveBufferSize());
        calls.put("setSoLinger(true, -1)", (s, a, o) -> s.setSoLinger(true, -1));
        calls.put("setTrafficClass(256)", (s, a, o) -> s.setTrafficClass(256));
        calls.put("setTcpNoDelay", (s, a, o) -> s.setTcpNoDelay(true));
        calls.put("setKeepAlive", (s, a, o) -> s.setKeepAlive(true));
        calls.put("getSoLinger", (s, a, o) -> s.getSoLinger());
        calls.put("setOOBInline", (s, a, o) -> s.setOOBInline(true));
        calls.put("setReuseAddress", (s, a, o) -> s.setReuseAddress(true));
        calls.put("setOption(null)", (s, a, o) -> s.setOption(null, 1));
        calls.put("getOption(null)", (s, a, o) -> s.getOption(null));
        calls.put("setOption(unsupported)", (s, a, o) -> s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1));
        calls.put("setOption(SO_RCVBUF, null)", (s, a, o) -> s.setOption(StandardSocketOptions.SO_RCVBUF, null));
        calls.put("setOption(SO_RCVBUF, 4096)", (s, a, o) -> s.setOption(StandardSocketOptions.SO_RCVBUF, 4096));
        return calls.entrySet().stream().flatMap(e -> Stream.of(State.values()).map(st -> Arguments.of(e.getKey(), st, e.getValue())));
    }

    private static Class<?> outcome(Socket s, State state, Call call, SocketAddress same, SocketAddress other, String[] message) {
        try {
            if (state == State.CLOSED) s.close();
            call.on(s, same, other);
            return null;
        } catch (Exception e) {
            message[0] = e.getMessage();
            return e.getClass();
        } finally {
            try {
                s.close();
            } catch (java.io.IOException ignored) {
                // closing twice
            }
        }
    }

    @ParameterizedTest(name = "{0} on a {1} socket")
    @MethodSource("clientCases")
    void aUnixSocketThrowsWhatJavaNetSocketThrows(String name, State state, Call call) throws Exception {
        String[] jdkMessage = new String[1];
        String[] ourMessage = new String[1];
        Class<?> jdk = outcome(new Socket(), state, call, new InetSocketAddress("localhost", 9), UnixDomainSocketAddress.of("/x"), jdkMessage);
        Class<?> ours = outcome(new UnixSocket(), state, call, SocketKind.uniqueAbstractName(), new InetSocketAddress("localhost", 9), ourMessage);
        assertEquals(jdk, ours, () -> name + ": the JDK said " + jdkMessage[0] + ", we said " + ourMessage[0]);
        if (ours != null && ours != NullPointerException.class) {
            assertNotNull(ourMessage[0], name);
            assertFalse(ourMessage[0].isBlank(), name);
        }
    }

    static Stream<Arguments> serverCases() {
        Map<String, ServerCall> calls = new java.util.LinkedHashMap<>();
        calls.put("accept unbound", (s, a, o) -> s.accept());
        calls.put("bind(other family)", (s, a, o) -> s.bind(o));
        calls.put("setSoTimeout(-1)", (s, a, o) -> s.setSoTimeout(-1));
        calls.put("getSoTimeout", (s, a, o) -> s.getSoTimeout());
        calls.put("setReceiveBufferSize(0)", (s, a, o) -> s.setReceiveBufferSize(0));
        calls.put("setReuseAddress", (s, a, o) -> s.setReuseAddress(true));
        calls.put("setOption(unsupported)", (s, a, o) -> s.setOption(StandardSocketOptions.TCP_NODELAY, true));
        calls.put("setOption(null)", (s, a, o) -> s.setOption(null, 1));
        calls.put("bind twice", (s, a, o) -> {
            s.bind(a);
            s.bind(a);
        });
        return calls.entrySet().stream().flatMap(e -> Stream.of(State.values()).map(st -> Arguments.of(e.getKey(), st, e.getValue())));
    }

    @ParameterizedTest(name = "{0} on a {1} server socket")
    @MethodSource("serverCases")
    void aUnixServerSocketThrowsWhatJavaNetServerSocketThrows(String name, State state, ServerCall call) throws Exception {
        String[] m = new String[2];
        Class<?> jdk;
        try (ServerSocket s = new ServerSocket()) {
            jdk = serverOutcome(s, state, call, new InetSocketAddress("127.0.0.1", 0), UnixDomainSocketAddress.of("/x"), m, 0);
        }
        Class<?> ours;
        try (UnixServerSocket s = new UnixServerSocket()) {
            ours = serverOutcome(s, state, call, SocketKind.uniqueAbstractName(), new InetSocketAddress("127.0.0.1", 0), m, 1);
        }
        assertEquals(jdk, ours, () -> name + ": the JDK said " + m[0] + ", we said " + m[1]);
        if (ours != null && ours != NullPointerException.class) assertFalse(m[1] == null || m[1].isBlank(), name);
    }

    private static Class<?> serverOutcome(ServerSocket s, State state, ServerCall call, SocketAddress same, SocketAddress other,
                                          String[] m, int i) {
        try {
            if (state == State.CLOSED) s.close();
            call.on(s, same, other);
            return null;
        } catch (Exception e) {
            m[i] = e.getMessage();
            return e.getClass();
        }
    }

    @Test
    void aPathTooLongIsTheSocketExceptionOfTheJdksUnixChannelAndOpensNoFd() throws Exception {
        UnixDomainSocketAddress tooLong = UnixDomainSocketAddress.of("/tmp/" + "x".repeat(200));
        Class<?> jdk;
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            jdk = assertThrows(SocketException.class, () -> c.connect(tooLong)).getClass();
        }
        Map<Integer, String> before = Fds.snapshot();
        UnixSocket s = new UnixSocket();
        SocketException e = assertThrows(SocketException.class, () -> s.connect(tooLong, 100));
        assertEquals(jdk, e.getClass());
        assertTrue(e.getMessage().contains("205 bytes") && e.getMessage().contains("107"), e.getMessage());
        assertTrue(s.isClosed());
        UnixServerSocket ss = new UnixServerSocket();
        assertThrows(SocketException.class, () -> ss.bind(tooLong));
        assertEquals(List.of(), Fds.newSockets(before, Fds.snapshot()), "no fd left by the refused calls");
        // ffsock's own UnixAddress refuses a NUL or a long path when it is made
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> UnixAddress.path("/tmp/a\0b"));
        assertTrue(nul.getMessage().contains("NUL"), nul.getMessage());
    }

    @Test
    void wrappingAnythingButAnOpenUnixStreamSocketIsRefused() throws Exception {
        try (io.ffsock.Socket dgram = io.ffsock.Socket.open(io.ffsock.Family.UNIX, io.ffsock.SocketType.DGRAM)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new UnixSocket(dgram));
            assertTrue(e.getMessage().contains("SOCK_STREAM"), e.getMessage());
        }
        io.ffsock.Socket closed = io.ffsock.Socket.open(io.ffsock.Family.UNIX, io.ffsock.SocketType.STREAM);
        closed.close();
        assertThrows(SocketException.class, () -> new UnixSocket(closed));
        assertThrows(NullPointerException.class, () -> new UnixSocket((io.ffsock.Socket) null));
    }
}
