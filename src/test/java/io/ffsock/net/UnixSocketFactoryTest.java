package io.ffsock.net;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.JdkChannelsWarmUp;
import io.ffsock.testing.SocketKind;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * UnixSocketFactory: every configuration form (String, Properties as pgjdbc passes them, system
 * property, SocketAddress, Map, mapping text, unix: URIs), the two ways clients connect
 * (createSocket(host, port); createSocket() then connect(InetSocketAddress, timeout), as pgjdbc
 * and OkHttp do), and the errors, against listeners of the JDK's own UNIX channels.
 */
@ExtendWith({JdkChannelsWarmUp.class, FdLeakCheck.class})
class UnixSocketFactoryTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private Path dir;

    @BeforeEach
    void dir() throws IOException {
        dir = Files.createTempDirectory("ffsock-factory-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    }

    @AfterEach
    void clean() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    /** A JDK UNIX listener at dir/name. */
    private ServerSocketChannel listen(String name) throws IOException {
        ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        l.bind(UnixDomainSocketAddress.of(dir.resolve(name)));
        return l;
    }

    /** Sends one byte through {@code s} and checks that {@code l} accepted it: the socket reached l. */
    private static void assertReaches(java.net.Socket s, ServerSocketChannel l) throws IOException {
        try (s; SocketChannel peer = l.accept()) {
            int b = (int) (System.nanoTime() & 0x7f);
            s.getOutputStream().write(b);
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, peer.read(one));
            assertEquals(b, one.get(0));
        }
    }

    @Test
    void pgjdbcFindsThePropertiesConstructorAndItsSocketFactoryArgReachesThePath() throws Exception {
        try (ServerSocketChannel l = listen(".s.PGSQL.5432")) {
            // pgjdbc's ObjectFactory.instantiate: a (Properties) constructor first, given the
            // connection properties, which carry socketFactoryArg from the URL
            Class<? extends SocketFactory> cls = Class.forName("io.ffsock.net.UnixSocketFactory").asSubclass(SocketFactory.class);
            Constructor<? extends SocketFactory> ctor = cls.getConstructor(Properties.class);
            Properties info = new Properties();
            info.setProperty("socketFactory", "io.ffsock.net.UnixSocketFactory");
            info.setProperty("socketFactoryArg", dir.resolve(".s.PGSQL.5432").toString());
            info.setProperty("user", "postgres");
            SocketFactory f = ctor.newInstance(info);
            // PGStream: createSocket(), then, as it is not connected, connect(InetSocketAddress(host, port), timeout)
            java.net.Socket s = f.createSocket();
            assertFalse(s.isConnected());
            s.setTcpNoDelay(true);
            s.setKeepAlive(false);
            s.connect(new InetSocketAddress("localhost", 5432), 10_000);
            assertTrue(s.isConnected());
            assertReaches(s, l);
            // the (String) and () constructors exist too, for drivers that look for them
            assertNotNull(cls.getConstructor(String.class));
            assertNotNull(cls.getConstructor());
        }
    }

    @Test
    void createSocketWithHostAndPortIgnoresThemForASingleTarget() throws Exception {
        try (ServerSocketChannel l = listen("app.sock")) {
            UnixSocketFactory f = new UnixSocketFactory(dir.resolve("app.sock").toString());
            assertReaches(f.createSocket("localhost", 1), l);
            assertReaches(f.createSocket("anything.example", 80, null, 0), l);
            assertReaches(f.createSocket(InetAddress.getLoopbackAddress(), 5432), l);
            assertReaches(f.createSocket(InetAddress.getLoopbackAddress(), 5432, null, 0), l);
            assertReaches(new UnixSocketFactory(UnixDomainSocketAddress.of(dir.resolve("app.sock"))).createSocket("x", 1), l);
            assertReaches(new UnixSocketFactory("unix:" + dir.resolve("app.sock")).createSocket("x", 1), l);
            assertReaches(new UnixSocketFactory("unix://" + dir.resolve("app.sock")).createSocket("x", 1), l);
        }
    }

    @Test
    void aHostMappingSendsEachHostToItsSocketAsOkHttpConnects() throws Exception {
        UnixAddress abstractDb = SocketKind.uniqueAbstractName();
        try (ServerSocketChannel api = listen("api.sock"); ServerSocketChannel other = listen("other.sock");
             UnixServerSocket db = new UnixServerSocket(abstractDb)) {
            String text = "api=" + dir.resolve("api.sock") + ",DB=@" + new String(abstractDb.nameBytes(),
                    java.nio.charset.StandardCharsets.UTF_8) + ",*=unix://" + dir.resolve("other.sock");
            UnixSocketFactory f = new UnixSocketFactory(text);
            // OkHttp: createSocket(), soTimeout, then connect(InetSocketAddress(resolved address, port), timeout);
            // the address keeps the URL's host name (a Dns that answers getByAddress(host, ...))
            java.net.Socket s = f.createSocket();
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress(InetAddress.getByAddress("api", new byte[4]), 80), 10_000);
            assertReaches(s, api);
            java.net.Socket toDb = f.createSocket();
            toDb.connect(InetSocketAddress.createUnresolved("db", 5432), 1000);
            try (toDb; UnixSocket accepted = db.accept()) {
                toDb.getOutputStream().write(1);
                assertEquals(1, accepted.getInputStream().read());
            }
            assertReaches(f.createSocket("elsewhere", 1), other);
            // the same from a Map
            UnixSocketFactory m = new UnixSocketFactory(Map.of("api", UnixDomainSocketAddress.of(dir.resolve("api.sock"))));
            assertReaches(m.createSocket("API", 8080), api);
            java.net.Socket unmapped = m.createSocket();
            UnknownHostException e = assertThrows(UnknownHostException.class,
                    () -> unmapped.connect(InetSocketAddress.createUnresolved("nope", 80), 1000));
            assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
            assertTrue(unmapped.isClosed());
            assertThrows(UnknownHostException.class, () -> m.createSocket("nope", 80));
        }
    }

    @Test
    void theSystemPropertyConfiguresTheNoArgumentAndThePropertiesConstructors() throws Exception {
        String old = System.getProperty(UnixSocketFactory.PROPERTY);
        try (ServerSocketChannel l = listen("prop.sock")) {
            System.clearProperty(UnixSocketFactory.PROPERTY);
            UnixSocketFactory unset = new UnixSocketFactory();
            SocketException e = assertThrows(SocketException.class, () -> unset.createSocket("localhost", 1));
            assertTrue(e.getMessage().contains(UnixSocketFactory.PROPERTY), e.getMessage());
            System.setProperty(UnixSocketFactory.PROPERTY, dir.resolve("prop.sock").toString());
            assertReaches(new UnixSocketFactory().createSocket("localhost", 1), l);
            assertReaches(new UnixSocketFactory(new Properties()).createSocket("localhost", 1), l);
            // socketFactoryArg wins over the property
            Properties p = new Properties();
            p.setProperty("socketFactoryArg", dir.resolve("elsewhere.sock").toString());
            ConnectException c = assertThrows(ConnectException.class, () -> new UnixSocketFactory(p).createSocket("h", 1));
            assertTrue(c.getMessage().contains("elsewhere.sock"), c.getMessage());
        } finally {
            if (old == null) System.clearProperty(UnixSocketFactory.PROPERTY);
            else System.setProperty(UnixSocketFactory.PROPERTY, old);
        }
    }

    @Test
    void aMissingPathFailsAtOnceNamingThePathAndTheErrno() throws Exception {
        Path missing = dir.resolve("no/such/.s.PGSQL.5432");
        UnixSocketFactory f = new UnixSocketFactory(missing.toString());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            ConnectException e = assertThrows(ConnectException.class, () -> f.createSocket("localhost", 5432));
            assertEquals("connect(" + missing + "): ENOENT (No such file or directory)", e.getMessage());
            java.net.Socket s = f.createSocket();
            e = assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress("localhost", 5432), 0));
            assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
            assertTrue(s.isClosed());
        });
        // a socket file nobody listens on
        try (ServerSocketChannel l = listen("gone.sock")) {
            assertNotNull(l);
        }
        ConnectException e = assertThrows(ConnectException.class,
                () -> new UnixSocketFactory(dir.resolve("gone.sock").toString()).createSocket("h", 1));
        assertTrue(e.getMessage().contains("ECONNREFUSED") && e.getMessage().contains("gone.sock"), e.getMessage());
    }

    @Test
    void badArgumentsAreRefusedWhenTheFactoryIsMade() {
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory(""));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory("   "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory("/tmp/a\0b"));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory("/tmp/" + "x".repeat(200)));
        assertTrue(e.getMessage().contains("107"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory("api=/a,api=/b"));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory("api=/a,broken"));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory("unix://host/path"));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketFactory(new InetSocketAddress("localhost", 1)));
        assertThrows(NullPointerException.class, () -> new UnixSocketFactory((String) null));
        assertThrows(NullPointerException.class, () -> new UnixSocketFactory((java.net.SocketAddress) null));
    }

    @Test
    void targetTextForms() {
        assertEquals(UnixAddress.path("/run/a b.sock"), UnixTargets.target("unix:///run/a%20b.sock"));
        assertEquals(UnixAddress.path("/run/a+b.sock"), UnixTargets.target("unix:/run/a+b.sock"));
        assertEquals(UnixAddress.abstractName("name"), UnixTargets.target("unix:@name"));
        assertEquals(UnixAddress.abstractName("name"), UnixTargets.target("@name"));
        assertEquals(UnixAddress.path("rel/x.sock"), UnixTargets.target("rel/x.sock"));
        // a path holding '=' is a path, not a mapping, when it starts with / or ./
        assertEquals("UnixSocketFactory[/tmp/a=b]", new UnixSocketFactory("/tmp/a=b").toString());
        assertEquals("UnixSocketFactory[./a=b]", new UnixSocketFactory("./a=b").toString());
        assertTrue(new UnixSocketFactory("a=/x,b=@y").toString().contains("a="));
    }
}
