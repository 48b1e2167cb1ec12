package io.ffsock.raw;

import io.ffsock.ControlMessage;
import io.ffsock.Family;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.Protocol;
import io.ffsock.ReceivedMessage;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import io.ffsock.packet.IcmpEcho;
import io.ffsock.packet.IcmpMessage;
import io.ffsock.packet.Icmpv6Echo;
import io.ffsock.packet.Icmpv6Message;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A tiny program the tests run in a child JVM, usually as user nobody, using only ffsock and the
 * JDK. It prints what it saw, one fact per line, and never throws out of main:
 * <ul>
 * <li>{@code raw-open}: tries a raw ICMP socket; prints {@code OPENED} or {@code ERROR class: message}.
 * <li>{@code ping4 ADDR} / {@code ping6 ADDR}: a ping socket (SOCK_DGRAM + ICMP/ICMPv6) sends one
 *     echo request (id 0x4242, seq 7, payload "ffsock-nobody") and prints the reply.
 * </ul>
 */
public final class ChildMain {
    static final int ID = 0x4242;
    static final int SEQ = 7;
    static final byte[] PAYLOAD = "ffsock-nobody".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) {
        try {
            System.out.println("UID " + uid());
            switch (args[0]) {
                case "raw-open" -> {
                    try (Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
                        System.out.println("OPENED " + s);
                    }
                }
                case "ping4" -> ping(false, args[1]);
                case "ping6" -> ping(true, args[1]);
                default -> System.out.println("ERROR unknown mode " + args[0]);
            }
        } catch (Throwable t) {
            System.out.println("ERROR " + t.getClass().getName() + ": " + t.getMessage());
        }
        System.out.flush();
    }

    private static void ping(boolean v6, String address) throws Exception {
        try (Socket s = Socket.open(v6 ? Family.INET6 : Family.INET, SocketType.DGRAM,
                v6 ? Protocol.ICMPV6 : Protocol.ICMP)) {
            System.out.println("OPENED");
            if (!v6) s.setOption(LinuxSocketOptions.IP_RECVTTL, true);
            else s.setOption(LinuxSocketOptions.IPV6_RECVHOPLIMIT, true);
            s.setTimeout(Duration.ofSeconds(5));
            byte[] request = v6 ? Icmpv6Echo.request(ID, SEQ, PAYLOAD).toBytes()
                    : IcmpEcho.request(ID, SEQ, PAYLOAD).toBytes();
            s.sendTo(request, new InetSocketAddress(InetAddress.getByName(address), 0));
            int port = ((InetSocketAddress) s.localAddress()).getPort();
            System.out.println("PORT " + port);
            ByteBuffer in = ByteBuffer.allocate(1500);
            try (ReceivedMessage m = s.recvMsg(List.of(in), Socket.DEFAULT_CONTROL_SPACE, Set.of())) {
                byte[] d = new byte[(int) m.length()];
                in.flip().get(d);
                System.out.println("BYTES " + HexFormat.of().formatHex(d));
                System.out.println("FROM " + ((InetSocketAddress) m.sender()).getAddress().getHostAddress());
                if (v6) {
                    Icmpv6Echo e = (Icmpv6Echo) Icmpv6Message.parse(d);
                    System.out.println("REPLY reply=" + e.reply() + " id=" + e.identifier() + " seq=" + e.sequence()
                            + " data=" + new String(e.data(), StandardCharsets.US_ASCII));
                } else {
                    IcmpEcho e = (IcmpEcho) IcmpMessage.parse(d, 0, d.length, true);
                    System.out.println("REPLY reply=" + e.reply() + " id=" + e.identifier() + " seq=" + e.sequence()
                            + " data=" + new String(e.data(), StandardCharsets.US_ASCII));
                }
                for (ControlMessage c : m.control()) {
                    switch (c) {
                        case ControlMessage.Ttl t -> System.out.println("TTL " + t.ttl());
                        case ControlMessage.HopLimit h -> System.out.println("HOPLIMIT " + h.hopLimit());
                        default -> System.out.println("CONTROL " + c);
                    }
                }
            }
        }
    }

    private static String uid() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) return line.substring(4).strip().split("\\s+")[0];
        }
        return "?";
    }
}
