package io.ffsock.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.ffsock.Family;
import io.ffsock.IcmpFilter;
import io.ffsock.LinuxSocketOptions;
import io.ffsock.Protocol;
import io.ffsock.Received;
import io.ffsock.Socket;
import io.ffsock.SocketType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

/**
 * {@code IcmpPing WARM MEASURE [bare]}: W5 with ffsock (with {@code bare}: the loop's calls are
 * plain FFM downcalls instead, the "ffm-bare" floor), the same work as bench/native/bench_icmp.c: ICMP
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
        boolean bare = args.length > 2 && args[2].equals("bare");
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
            Peer.Step step;
            if (!bare) {
                step = () -> {
                    for (int k = 0; k < 64; k++) {
                        int q = next(seq, icmp, pkt, ipHeader);
                        s.sendTo(pkt, to);
                        for (;;) {
                            Received got = s.recvFrom(in);
                            if (isOurReply(in, got.length(), id, q)) break;
                        }
                    }
                    return 64;
                };
            } else {
                // ffm-bare: the same loop with one plain downcall per call (see BareFfmTransport).
                int fd = s.fdNumber();
                MemorySegment errno = Arena.ofAuto().allocate(Linker.Option.captureStateLayout());
                MemorySegment dest = Arena.ofAuto().allocate(16, 8);
                dest.set(JAVA_SHORT, 0, (short) 2); // AF_INET, port 0
                MemorySegment.copy(lo, 0, dest, JAVA_BYTE, 4, 4);
                MemorySegment from = Arena.ofAuto().allocate(128, 8);
                MemorySegment fromLength = Arena.ofAuto().allocate(JAVA_INT);
                step = () -> {
                    for (int k = 0; k < 64; k++) {
                        int q = next(seq, icmp, pkt, ipHeader);
                        try {
                            if ((long) SENDTO.invokeExact(errno, fd, pkt, pkt.byteSize(), 0, dest, 16) < 0) {
                                throw new java.io.IOException("sendto: errno " + errno.get(JAVA_INT, 0));
                            }
                            for (;;) {
                                fromLength.set(JAVA_INT, 0, 128);
                                long n = (long) RECVFROM.invokeExact(errno, fd, in, in.byteSize(), 0, from, fromLength);
                                if (n < 0) throw new java.io.IOException("recvfrom: errno " + errno.get(JAVA_INT, 0));
                                if (isOurReply(in, n, id, q)) break;
                            }
                        } catch (java.io.IOException | RuntimeException | Error e) {
                            throw e;
                        } catch (Throwable t) {
                            throw new java.io.IOException(t);
                        }
                    }
                    return 64;
                };
            }
            Peer.Rate r = Peer.timed(warm, measure, step);
            System.out.printf(java.util.Locale.ROOT, "RESULT %.1f %.1f%n", r.perSecond(), r.cpuNanosPerOp());
        }
    }

    /** The next sequence number into the request, and both checksums for it. */
    private static int next(int[] seq, MemorySegment icmp, MemorySegment pkt, MemorySegment ipHeader) {
        int q = seq[0] = (seq[0] + 1) & 0xffff;
        icmp.set(BE16, 6, (short) q);
        icmp.set(BE16, 2, (short) 0);
        icmp.set(BE16, 2, (short) checksum(icmp, ICMP_LEN));
        pkt.set(BE16, 10, (short) 0);
        pkt.set(BE16, 10, (short) checksum(ipHeader, IP_LEN));
        return q;
    }

    /** Whether the {@code n} bytes in {@code in} are the echo reply with our id and sequence number. */
    private static boolean isOurReply(MemorySegment in, long n, int id, int q) {
        int ihl = (in.get(JAVA_BYTE, 0) & 15) * 4;
        return n >= ihl + 8 && in.get(JAVA_BYTE, ihl) == 0 && (in.get(BE16, ihl + 4) & 0xffff) == id
                && (in.get(BE16, ihl + 6) & 0xffff) == q;
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SENDTO = LINKER.downcallHandle(LINKER.defaultLookup().find("sendto").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle RECVFROM = LINKER.downcallHandle(LINKER.defaultLookup().find("recvfrom").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS),
            Linker.Option.captureCallState("errno"));

    static int checksum(MemorySegment p, int n) {
        int sum = 0;
        for (int i = 0; i + 1 < n; i += 2) sum += p.get(BE16, i) & 0xffff;
        if ((n & 1) != 0) sum += (p.get(JAVA_BYTE, n - 1) & 0xff) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }
}
