package io.ffsock.bench;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.ffsock.Family;
import io.ffsock.IcmpFilter;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.Protocol;
import io.ffsock.Received;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

/**
 * {@code IcmpPing WARM MEASURE}: W5 with ffsock, the same work as bench/native/bench_icmp.c: ICMP
 * echo to 127.0.0.1 over a raw socket with IP_HDRINCL, the packet built in a native segment,
 * sequence number and both checksums filled in per round trip, sendto, then recvfrom until our
 * reply (ICMP_FILTER passes only echo replies). Prints {@code RESULT <round trips per second>}.
 */
public final class IcmpPing {
    private static final int IP_LEN = 20;
    private static final int ICMP_LEN = 64;
    private static final java.lang.foreign.ValueLayout.OfShort BE16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    public static void main(String[] args) throws Exception {
        double warm = Double.parseDouble(args[0]);
        double measure = Double.parseDouble(args[1]);
        try (Socket s = Socket.open(Family.INET, SocketType.RAW, Protocol.ICMP)) {
            s.setOption(LinuxSocketOptions.IP_HDRINCL, true);
            s.setOption(LinuxSocketOptions.ICMP_FILTER, IcmpFilter.passingOnly(0)); // only echo replies
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            int id = (int) (ProcessHandle.current().pid() & 0xffff);
            MemorySegment pkt = Arena.ofAuto().allocate(IP_LEN + ICMP_LEN, 8);
            MemorySegment in = Arena.ofAuto().allocate(1500, 8);
            pkt.set(JAVA_BYTE, 0, (byte) 0x45);
            pkt.set(BE16, 2, (short) (IP_LEN + ICMP_LEN));
            pkt.set(JAVA_BYTE, 8, (byte) 64);
            pkt.set(JAVA_BYTE, 9, (byte) 1);
            byte[] lo = {127, 0, 0, 1};
            MemorySegment.copy(lo, 0, pkt, JAVA_BYTE, 12, 4);
            MemorySegment.copy(lo, 0, pkt, JAVA_BYTE, 16, 4);
            MemorySegment icmp = pkt.asSlice(IP_LEN);
            icmp.set(JAVA_BYTE, 0, (byte) 8);
            icmp.set(BE16, 4, (short) id);
            for (int i = 8; i < ICMP_LEN; i++) icmp.set(JAVA_BYTE, i, (byte) i);
            MemorySegment ipHeader = pkt.asSlice(0, IP_LEN);

            int[] seq = {0};
            Peer.Rate r = Peer.timed(warm, measure, () -> {
                for (int k = 0; k < 64; k++) {
                    int q = seq[0] = (seq[0] + 1) & 0xffff;
                    icmp.set(BE16, 6, (short) q);
                    icmp.set(BE16, 2, (short) 0);
                    icmp.set(BE16, 2, (short) checksum(icmp, ICMP_LEN));
                    pkt.set(BE16, 10, (short) 0);
                    pkt.set(BE16, 10, (short) checksum(ipHeader, IP_LEN));
                    s.sendTo(pkt, to);
                    for (;;) {
                        Received got = s.recvFrom(in);
                        int ihl = (in.get(JAVA_BYTE, 0) & 15) * 4;
                        if (got.length() < ihl + 8) continue;
                        if (in.get(JAVA_BYTE, ihl) == 0 && (in.get(BE16, ihl + 4) & 0xffff) == id
                                && (in.get(BE16, ihl + 6) & 0xffff) == q) break;
                    }
                }
                return 64;
            });
            System.out.printf(java.util.Locale.ROOT, "RESULT %.1f %.1f%n", r.perSecond(), r.cpuNanosPerOp());
        }
    }

    static int checksum(MemorySegment p, int n) {
        int sum = 0;
        for (int i = 0; i + 1 < n; i += 2) sum += p.get(BE16, i) & 0xffff;
        if ((n & 1) != 0) sum += (p.get(JAVA_BYTE, n - 1) & 0xff) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }
}
