package io.ffsock.icmp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The child of {@link PingerTenThousandTest}, run with {@code -Xmx64m} inside the near namespace:
 * pings 10,000 addresses from 10.77.0.0 up, all requests queued at once, and prints how they
 * ended ({@code alive=... timeouts=... other=...}), the most attempts in flight at one moment
 * ({@code maxInFlight=}) and the heap limit ({@code maxHeap=}).
 */
public final class TenThousandTargets {
    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        List<InetAddress> targets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            targets.add(InetAddress.getByAddress(new byte[] {10, 77, (byte) (i >> 8), (byte) i}));
        }
        // 100 us between requests: 10,000 go out in a second or two, the replies of the answering
        // ones come at a pace one receiver keeps up with, and the silent ones wait 4 s, twice:
        // all of them are in flight together once the last one is sent.
        PingerConfig config = PingerConfig.defaults().withSendInterval(Duration.ofNanos(100_000)).withPerTargetInterval(Duration.ZERO);
        PingOptions options = PingOptions.defaults().withTimeout(Duration.ofSeconds(4)).withRetries(1).withBackoff(1.0);
        try (Pinger pinger = Pinger.open(config)) {
            List<CompletableFuture<PingResult>> all = new ArrayList<>(count);
            for (InetAddress t : targets) all.add(pinger.ping(t, options));
            int maxInFlight = 0;
            while (pinger.pending() > 0) {
                maxInFlight = Math.max(maxInFlight, pinger.inFlight());
                Thread.sleep(5);
            }
            int alive = 0, timeouts = 0, other = 0;
            for (CompletableFuture<PingResult> f : all) {
                PingResult r = f.get(60, TimeUnit.SECONDS);
                if (r instanceof PingResult.Reply) alive++;
                else if (r instanceof PingResult.Timeout) timeouts++;
                else other++;
            }
            System.out.println("alive=" + alive + " timeouts=" + timeouts + " other=" + other
                    + " maxInFlight=" + maxInFlight + " maxHeap=" + Runtime.getRuntime().maxMemory());
        }
    }
}
