package io.ffsock.tools;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ffsock.testing.Netns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * For the tests of a multicast tool ({@code ffsock igmp}, {@code ffsock mld}) on one link: two
 * fresh namespaces, the querier Q and the member M (the subclass joins them with a veth pair and
 * gives them addresses), and the tool run in either. Every process a test starts, and both
 * namespaces, are gone after it.
 */
abstract class TwoHostCliTest {
    @TempDir
    Path dir;

    Netns q;
    Netns m;
    final List<CliProcess> started = new ArrayList<>();
    /** Other processes a test starts (tcpdump), killed after it. */
    final List<Process> helpers = new ArrayList<>();
    private final String tool;

    TwoHostCliTest(String tool) {
        this.tool = tool;
    }

    @BeforeEach
    void createNamespaces() throws Exception {
        String why = Netns.unavailableReason();
        assumeTrue(why == null, why);
        q = Netns.create(tool + "q");
        m = Netns.create(tool + "m");
    }

    @AfterEach
    void cleanUp() throws Exception {
        started.forEach(CliProcess::close);
        for (Process h : helpers) {
            h.destroyForcibly();
            h.waitFor(10, TimeUnit.SECONDS);
        }
        try {
            if (q != null) q.close();
        } finally {
            if (m != null) m.close();
        }
    }

    /** Runs {@code ffsock TOOL args...} in {@code ns} to its end. */
    CliProcess run(Netns ns, String... args) throws Exception {
        CliProcess p = CliProcess.runWrapped(Topology.in(ns), withTool(args));
        started.add(p);
        return p;
    }

    /** Starts {@code ffsock TOOL args...} in {@code ns}. */
    CliProcess start(Netns ns, String... args) throws Exception {
        CliProcess p = CliProcess.startWrapped(Topology.in(ns), withTool(args));
        started.add(p);
        return p;
    }

    private String[] withTool(String... args) {
        List<String> all = new ArrayList<>(List.of(tool));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }
}
