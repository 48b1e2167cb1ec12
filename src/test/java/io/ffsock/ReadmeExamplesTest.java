package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.packet.IcmpEcho;
import io.ffsock.packet.IcmpMessage;
import io.ffsock.packet.Icmpv6Echo;
import io.ffsock.packet.Icmpv6Message;
import io.ffsock.packet.Icmpv6TimeExceeded;
import io.ffsock.packet.Ipv4Header;
import io.ffsock.packet.Ipv6Header;
import io.ffsock.packet.QuotedIpv6Packet;
import java.net.Inet6Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's Java examples, verbatim where possible, so they stay true. */
class ReadmeExamplesTest {
    @Test
    void linuxIpcQuickStart() throws Exception {
        try (Socket server = Socket.open(Family.UNIX, SocketType.SEQPACKET)) {
            server.bind(UnixAddress.abstractName("readme-demo-" + ProcessHandle.current().pid()));
            server.listen();
            try (Socket client = Socket.open(Family.UNIX, SocketType.SEQPACKET)) {
                client.connect(UnixAddress.parse("@readme-demo-" + ProcessHandle.current().pid()));
                try (Socket conn = server.accept()) {
                    client.send("hello".getBytes());
                    byte[] buf = new byte[64];
                    int n = conn.recv(buf);
                    assertEquals(5, n);
                    Credentials who = conn.peerCredentials();
                    assertEquals(ProcessHandle.current().pid(), who.pid());
                }
            }
        }
        try (SocketPair pair = Socket.pair(SocketType.DGRAM)) {
            pair.second().setTimeout(java.time.Duration.ofSeconds(2));
            pair.first().send(new byte[0]);
            Datagram d = pair.second().recvFrom(1500);
            assertEquals(0, d.data().length);
        }
    }

    @Test
    void rawIcmpQuickStart() throws Exception {
        Inet4Address lo = (Inet4Address) InetAddress.getByName("127.0.0.1");
        try (Socket raw = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
            raw.setOption(LinuxSocketOptions.IP_HDRINCL, true);
            raw.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(0));
            raw.setTimeout(java.time.Duration.ofSeconds(5));
            IcmpEcho echo = IcmpEcho.request(0x1234, 1, "hi".getBytes());
            Ipv4Header ip = Ipv4Header.of(Ipv4Header.PROTOCOL_ICMP, 64, lo, lo, List.of(), echo.length());
            byte[] packet = new byte[ip.totalLength()];
            int at = ip.writeTo(packet, 0);
            echo.writeTo(packet, at);
            raw.sendTo(packet, new InetSocketAddress(lo, 0));
            byte[] in = new byte[1500];
            int n = raw.recv(in);
            Ipv4Header h = Ipv4Header.parse(in, 0, n);
            IcmpMessage reply = IcmpMessage.parse(in, h.headerLength(), n - h.headerLength());
            // Other ICMP on the host could also be an echo reply; ours carries our id and data.
            assertInstanceOf(IcmpEcho.class, reply);
            assertTrue(((IcmpEcho) reply).reply());
        }
    }

    @Test
    void fdPassingQuickStart() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM); SocketPair passed = Socket.pair(SocketType.STREAM)) {
            p.first().sendMsg(ByteBuffer.wrap(new byte[] {1}), ControlMessage.rights(passed.first()));
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(16))) {
                for (OwnedFd fd : m.takeFds()) {
                    try (Socket s = fd.toSocket()) {
                        assertEquals(SocketType.STREAM, s.type());
                    }
                }
            }
        }
    }

    @Test
    void childProcessQuickStart() throws Exception {
        try (SocketPair pair = Socket.pair(SocketType.STREAM);
             ChildProcess child = Spawn.command("python3", "-c",
                             "import socket; s = socket.socket(fileno=3); s.sendall(s.recv(64).upper())")
                     .fd(3, pair.second())
                     .start()) {
            pair.first().setTimeout(java.time.Duration.ofSeconds(10));
            pair.first().sendAll("hello".getBytes());
            byte[] buf = new byte[64];
            int n = pair.first().recv(buf);
            assertEquals("HELLO", new String(buf, 0, n));
            ExitStatus how = child.waitFor();
            assertEquals("exit 0", how.toString());
            assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/" + child.pid())));
        }
    }

    @Test
    void eventLoopQuickStartEchoesOneClient() throws Exception {
        String name = "readme-echo-" + ProcessHandle.current().pid();
        try (EventLoop loop = EventLoop.open();
             Socket server = Socket.open(Family.UNIX, SocketType.STREAM);
             Socket client = Socket.open(Family.UNIX, SocketType.STREAM)) {
            server.bind(UnixAddress.abstractName(name));
            server.listen();
            server.setBlocking(false);
            loop.register(server, java.util.Set.of(EventLoop.Event.READ));
            client.connect(UnixAddress.abstractName(name));
            client.send("ping".getBytes());
            client.setTimeout(java.time.Duration.ofSeconds(5));
            byte[] buf = new byte[4096];
            Socket accepted = null;
            boolean echoed = false;
            for (int round = 0; round < 20 && !echoed; round++) {
                for (EventLoop.Ready r : loop.poll(java.time.Duration.ofSeconds(1))) {
                    if (r.socket() == server) {
                        Socket c = server.accept();
                        accepted = c;
                        c.setBlocking(false);
                        loop.register(c, java.util.Set.of(EventLoop.Event.READ));
                    } else if (r.isReadable()) {
                        int n = r.socket().recv(buf);
                        if (n == 0) { loop.unregister(r.socket()); r.socket().close(); }
                        else { r.socket().sendAll(buf, 0, n); echoed = true; }
                    }
                }
            }
            assertTrue(echoed);
            byte[] back = new byte[4];
            assertEquals(4, client.recv(back));
            assertEquals("ping", new String(back));
            if (accepted != null) { loop.unregister(accepted); accepted.close(); }
        }
    }

    @Test
    void quotedIpv6PacketMatchesAProbe() throws Exception {
        // What a raw ICMPv6 socket would hand over for a probe whose hop limit ran out.
        Inet6Address a = (Inet6Address) InetAddress.getByName("fd00:100::1");
        Inet6Address b = (Inet6Address) InetAddress.getByName("fd00:102::2");
        byte[] request = Icmpv6Echo.request(0x1234, 7, new byte[32]).toBytes(a, b);
        byte[] in = new Icmpv6TimeExceeded(0, QuotedIpv6Packet.of(
                Ipv6Header.of(Ipv6Header.NEXT_HEADER_ICMPV6, 1, a, b, request.length), request)).toBytes();
        int n = in.length;
        boolean matched = false;
        // The README's snippet, with the print turned into assertions.
        if (Icmpv6Message.parse(in, 0, n) instanceof Icmpv6TimeExceeded t
                && t.quote().header().orElse(null) instanceof Ipv6Header probe
                && probe.nextHeader() == Ipv6Header.NEXT_HEADER_ICMPV6
                && Icmpv6Message.parse(t.quote().payload()) instanceof Icmpv6Echo e) {
            assertEquals(7, e.sequence());
            assertEquals(b, probe.destination());
            matched = true;
        }
        assertTrue(matched);
    }

    /** The java.net quick start, as the README has it (imports spelled out in place). */
    @Test
    void javaNetQuickStart() throws Exception {
        java.nio.file.Path path = java.nio.file.Files.createTempDirectory("demo").resolve("app.sock");
        try (io.ffsock.net.UnixServerSocket server = new io.ffsock.net.UnixServerSocket(java.net.UnixDomainSocketAddress.of(path))) {
            javax.net.SocketFactory factory = new io.ffsock.net.UnixSocketFactory(path.toString());
            try (java.net.Socket client = factory.createSocket("localhost", 80);
                 io.ffsock.net.UnixSocket conn = server.accept()) {
                client.setSoTimeout(5_000);
                new java.io.PrintWriter(client.getOutputStream(), true).println("hello");
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(conn.getInputStream()));
                String line = in.readLine();
                long pid = conn.peerCredentials().pid();
                assertEquals("hello", line);
                assertEquals(ProcessHandle.current().pid(), pid);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(path);
            java.nio.file.Files.deleteIfExists(path.getParent());
        }
    }
}
