package io.ffsock.netlink;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The netlink benchmark (bench/netlink-routes runs it inside a namespace it fills with 10,000
 * routes and 1,000 addresses): the wall time of one route dump through ffsock
 * ({@link Rtnetlink#routes}) against {@code ip -j route show} with its JSON parsed, and of the
 * address list ({@link Rtnetlink#addresses}) against {@code java.net.NetworkInterface}
 * enumeration and {@code ip -j addr show}. The implementations alternate within each round;
 * medians are printed. Also the bytes the receive path allocates per route message when the
 * decoder keeps nothing (ThreadMXBean).
 */
public final class RouteDumpBench {
    private RouteDumpBench() {}

    private interface Op {
        int run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        try (Rtnetlink r = Rtnetlink.open()) {
            Op ffsockRoutes = () -> r.routes(2).size();
            Op ipRoutes = () -> Json.array(run("ip", "-j", "route", "show", "table", "all")).size();
            Op ffsockAddrs = () -> r.addresses().size();
            Op jdkAddrs = RouteDumpBench::jdkAddresses;
            Op ipAddrs = () -> {
                int n = 0;
                for (Map<String, Object> link : Json.array(run("ip", "-j", "addr", "show"))) n += ((List<?>) link.get("addr_info")).size();
                return n;
            };
            String[] names = {"ffsock routes", "ip -j route show (+JSON)", "ffsock addresses", "NetworkInterface addresses",
                "ip -j addr show (+JSON)"};
            Op[] ops = {ffsockRoutes, ipRoutes, ffsockAddrs, jdkAddrs, ipAddrs};
            int[] counts = new int[ops.length];
            for (int w = 0; w < 3; w++) for (int i = 0; i < ops.length; i++) counts[i] = ops[i].run(); // warm-up
            List<List<Double>> ms = new ArrayList<>();
            for (Op o : ops) ms.add(new ArrayList<>());
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < ops.length; k++) {
                    int i = (k + round) % ops.length; // rotate the order every round
                    long t0 = System.nanoTime();
                    counts[i] = ops[i].run();
                    ms.get(i).add((System.nanoTime() - t0) / 1e6);
                }
            }
            System.out.printf("%-30s %8s %10s %10s %10s%n", "implementation", "records", "median ms", "min ms", "max ms");
            double[] median = new double[ops.length];
            for (int i = 0; i < ops.length; i++) {
                List<Double> l = ms.get(i);
                Collections.sort(l);
                median[i] = l.get(l.size() / 2);
                System.out.printf("%-30s %8d %10.2f %10.2f %10.2f%n", names[i], counts[i], median[i], l.get(0), l.get(l.size() - 1));
            }
            System.out.printf("routes: ip / ffsock wall time = %.2f (>= 1.0: ffsock is at least as fast)%n", median[1] / median[0]);
            System.out.printf("addresses: NetworkInterface / ffsock = %.2f, ip / ffsock = %.2f%n", median[3] / median[2],
                    median[4] / median[2]);
            receivePathAllocation(r);
        }
    }

    /** Bytes allocated per route message by a dump whose decoder keeps nothing: the receive path alone. */
    private static void receivePathAllocation(Rtnetlink r) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        byte[] rtmsg = new byte[NetlinkConst.SIZEOF_RTMSG];
        rtmsg[NetlinkConst.OFFSETOF_RTMSG_RTM_FAMILY] = 2;
        NetlinkRequest request = NetlinkRequest.of(NetlinkConst.RTM_GETROUTE, 0, "RTM_GETROUTE dump").struct(rtmsg);
        int[] seen = new int[1];
        Replies.Decoder<Object> count = (b, at, len, type) -> {
            seen[0]++;
            return null;
        };
        for (int i = 0; i < 20; i++) r.socket().dump(request, count);
        seen[0] = 0;
        int dumps = 20;
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < dumps; i++) r.socket().dump(request, count);
        long bytes = threads.getThreadAllocatedBytes(id) - before;
        System.out.printf("receive path: %d B per dump of %d messages = %.3f B/message (request encoding and the"
                + " reply state included)%n", bytes / dumps, seen[0] / dumps, (double) bytes / seen[0]);
    }

    private static int jdkAddresses() throws Exception {
        int n = 0;
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (var a : nif.getInterfaceAddresses()) {
                if (a.getAddress() instanceof InetAddress) n++;
            }
        }
        return n;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) throw new IOException(Arrays.toString(command) + ": " + new String(out, StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }
}
