package io.ffsock.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.icmp.PingerConfig;
import io.ffsock.icmp.TraceHop;
import io.ffsock.icmp.TraceProbe;
import io.ffsock.icmp.TraceResult;
import io.ffsock.icmp.Traceroute;
import io.ffsock.icmp.TracerouteConfig;
import io.ffsock.testing.FdLeakCheck;
import io.ffsock.testing.Netns;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@link Traceroute} library through hostA - router1 - router2 - hostB ({@link Topology}),
 * run inside A's namespace: hop records, both probe methods, both families, the parallel window,
 * and two traces at once on raw sockets kept apart by the datagram their errors quote.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(FdLeakCheck.class)
class TracerouteTest {
    private Topology net;
    private final List<Process> helpers = new ArrayList<>();

    @BeforeAll
    void topology() throws Exception {
        String why = Netns.unavailableReason();
        assumeTrue(why == null, why);
        net = Topology.create("tapi", 2);
    }

    @AfterAll
    void removeTopology() throws Exception {
        helpers.forEach(Process::destroyForcibly);
        if (net != null) net.close();
    }

    private static TracerouteConfig quick(TracerouteConfig.Method method) {
        return TracerouteConfig.defaults().withMethod(method).withProbesPerHop(2).withProbeWait(Duration.ofSeconds(2));
    }

    @ParameterizedTest
    @CsvSource({"ICMP, 4", "UDP, 4", "ICMP, 6", "UDP, 6"})
    void hopsNameEachRouterThenTheDestination(TracerouteConfig.Method method, int family) throws Exception {
        InetAddress b = InetAddress.getByName(family == 4 ? net.addressB() : net.addressB6());
        List<String> routers = family == 4 ? List.of(net.routerTowardsA(1), net.routerTowardsA(2))
                : List.of(net.routerTowardsA6(1), net.routerTowardsA6(2));
        TraceResult r = net.a.call(() -> Traceroute.traceAndWait(b, quick(method)));
        assertEquals(b, r.destination());
        assertEquals(3, r.hops().size(), r.toString());
        assertTrue(r.destinationReached(), r.toString());
        for (int i = 0; i < 3; i++) {
            TraceHop hop = r.hops().get(i);
            assertEquals(i + 1, hop.ttl());
            assertEquals(2, hop.probes().size(), hop.toString());
            InetAddress expected = i < 2 ? InetAddress.getByName(routers.get(i)) : b;
            for (TraceProbe p : hop.probes()) {
                TraceProbe.Answer a = (TraceProbe.Answer) p;
                assertEquals(i + 1, a.ttl());
                assertEquals(expected, a.responder(), hop.toString());
                assertTrue(a.rttNanos() > 0, a.toString());
                if (i < 2) {
                    assertEquals(TraceProbe.Kind.TIME_EXCEEDED, a.kind());
                    assertEquals(family == 4 ? 11 : 3, a.type());
                    assertFalse(a.destination() || a.endsTrace());
                } else if (method == TracerouteConfig.Method.ICMP) {
                    assertEquals(TraceProbe.Kind.REPLY, a.kind());
                    assertTrue(a.destination());
                } else {
                    // UDP: port unreachable from the destination itself
                    assertEquals(TraceProbe.Kind.UNREACHABLE, a.kind());
                    assertEquals(family == 4 ? 3 : 1, a.type());
                    assertEquals(family == 4 ? 3 : 4, a.code());
                    assertTrue(a.destination());
                }
            }
            assertEquals(i == 2, hop.destinationReached());
        }
    }

    @Test
    void startHandsEachHopToTheListenerInOrderThenCompletes() throws Exception {
        InetAddress b = InetAddress.getByName(net.addressB());
        List<TraceHop> seen = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<TraceResult> f = net.a.call(() -> Traceroute.open(b, quick(TracerouteConfig.Method.ICMP)).start(seen::add));
        TraceResult r = f.get(30, TimeUnit.SECONDS);
        assertEquals(r.hops(), seen);
        assertEquals(List.of(1, 2, 3), seen.stream().map(TraceHop::ttl).toList());
    }

    /** A destination that never answers: every hop past the routers is timeouts, up to the max TTL. */
    @Test
    void silentHopsAreTimeoutsUpToTheMaxTtl() throws Exception {
        net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "1");
        try {
            InetAddress b = InetAddress.getByName(net.addressB());
            TracerouteConfig c = quick(TracerouteConfig.Method.ICMP).withTtls(2, 5).withProbeWait(Duration.ofMillis(500));
            TraceResult r = net.a.call(() -> Traceroute.traceAndWait(b, c));
            assertEquals(List.of(2, 3, 4, 5), r.hops().stream().map(TraceHop::ttl).toList());
            assertEquals(InetAddress.getByName(net.routerTowardsA(2)), r.hops().get(0).responder().orElseThrow());
            for (TraceHop h : r.hops().subList(1, 4)) {
                assertTrue(h.probes().stream().allMatch(p -> p instanceof TraceProbe.Timeout), h.toString());
                assertTrue(h.responder().isEmpty());
            }
            assertFalse(r.destinationReached());
        } finally {
            net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "0");
        }
    }

    @Test
    void aRouterWithoutARouteEndsTheTraceAtItsHop() throws Exception {
        routerErrorBudgetRefilled();
        InetAddress nowhere = InetAddress.getByName("10.99.0.1");
        TraceResult r = net.a.call(() -> Traceroute.traceAndWait(nowhere,
                quick(TracerouteConfig.Method.UDP).withProbesPerHop(1).withProbeWait(Duration.ofSeconds(1))));
        assertEquals(1, r.hops().size(), r.toString());
        TraceProbe.Answer a = (TraceProbe.Answer) r.hops().getFirst().probes().getFirst();
        assertEquals(TraceProbe.Kind.UNREACHABLE, a.kind());
        assertEquals(3, a.type());
        assertEquals(0, a.code()); // network unreachable
        assertEquals(InetAddress.getByName(net.routerTowardsA(1)), a.responder());
        assertTrue(a.endsTrace() && !a.destination());
        assertFalse(r.destinationReached());
    }

    /**
     * All TTLs in flight at once (-N): behind a silent destination, when the first hop is handed
     * over (after its wait) every probe of the trace has left A with -N 16, and only that hop's
     * probe with -N 1. A's own count of ICMP echo requests sent (Icmp OutEchos in /proc/net/snmp)
     * says how many left.
     */
    @Test
    void probesOfAllHopsAreInFlightAtOnce() throws Exception {
        net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "1");
        try {
            InetAddress b = InetAddress.getByName(net.addressB());
            for (int sim : new int[] {16, 1}) {
                TracerouteConfig c = quick(TracerouteConfig.Method.ICMP).withTtls(3, 5).withProbesPerHop(1)
                        .withProbeWait(Duration.ofMillis(300)).withSimultaneous(sim);
                long before = outEchos();
                List<Long> sentAtEachHop = new ArrayList<>();
                TraceResult r = net.a.call(() -> {
                    try (Traceroute t = Traceroute.open(b, c)) {
                        return t.run(hop -> {
                            try {
                                sentAtEachHop.add(outEchos() - before);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                    }
                });
                assertEquals(3, r.hops().size(), r.toString());
                assertEquals(sim == 16 ? List.of(3L, 3L, 3L) : List.of(1L, 2L, 3L), sentAtEachHop, "-N " + sim);
            }
        } finally {
            net.b.sysctl("net.ipv4.icmp_echo_ignore_all", "0");
        }
    }

    /**
     * A router sends "network unreachable" (ip_error) from a per-source token bucket it shares
     * with ICMP errors of icmp_ratelimit: with that at 0, each time exceeded it just sent to A
     * empties the bucket, which refills one token per second (net.ipv4.route.error_cost, global
     * only). Waiting that long after earlier tests makes the first probe's answer certain.
     */
    static void routerErrorBudgetRefilled() throws InterruptedException {
        Thread.sleep(1500);
    }

    /** Icmp OutEchos of A's namespace. */
    private long outEchos() throws Exception {
        List<String> snmp = net.a.run("cat", "/proc/net/snmp").lines().filter(l -> l.startsWith("Icmp: ")).toList();
        List<String> names = List.of(snmp.get(0).split(" "));
        return Long.parseLong(snmp.get(1).split(" ")[names.indexOf("OutEchos")]);
    }

    /** Two traces at once over raw ICMP sockets: each takes only the errors quoting its own probes. */
    @Test
    void twoTracesAtOnceKeepTheirOwnAnswers() throws Exception {
        InetAddress b = InetAddress.getByName(net.addressB());
        TracerouteConfig c = quick(TracerouteConfig.Method.ICMP).withSocketKind(PingerConfig.SocketKind.RAW).withProbesPerHop(3);
        List<CompletableFuture<TraceResult>> both = net.a.call(() -> List.of(Traceroute.trace(b, c), Traceroute.trace(b, c)));
        for (CompletableFuture<TraceResult> f : both) {
            TraceResult r = f.get(30, TimeUnit.SECONDS);
            assertEquals(3, r.hops().size(), r.toString());
            for (TraceHop h : r.hops()) {
                assertEquals(3, h.probes().size());
                assertTrue(h.probes().stream().allMatch(TraceProbe::answered), r.toString());
            }
        }
    }

    /** A source that is not local fails at open, naming bind(2); the async form fails its future; no fd is left. */
    @Test
    void aSourceThatIsNotLocalFailsAtOpen() throws Exception {
        InetAddress b = InetAddress.getByName(net.addressB());
        TracerouteConfig c = quick(TracerouteConfig.Method.UDP).withSource(InetAddress.getByName("10.254.254.254"));
        String message = net.a.call(() -> {
            try (Traceroute t = Traceroute.open(b, c)) {
                return "opened";
            } catch (java.io.IOException e) {
                return e.getMessage();
            }
        });
        assertTrue(message.startsWith("bind(") && message.contains("EADDRNOTAVAIL"), message);
        CompletableFuture<TraceResult> f = net.a.call(() -> Traceroute.trace(b, c));
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof java.io.IOException, e.toString());
    }

    @Test
    void badConfigurationIsRefusedBeforeAnythingIsSent() {
        TracerouteConfig d = TracerouteConfig.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withTtls(0, 30));
        assertThrows(IllegalArgumentException.class, () -> d.withTtls(5, 4));
        assertThrows(IllegalArgumentException.class, () -> d.withTtls(1, 256));
        assertThrows(IllegalArgumentException.class, () -> d.withProbesPerHop(11));
        assertThrows(IllegalArgumentException.class, () -> d.withProbeWait(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withSimultaneous(0));
        assertThrows(IllegalArgumentException.class, () -> d.withPort(0));
        assertThrows(IllegalArgumentException.class, () -> d.withInterface("a-name-too-long-16"));
    }
}
