package io.ffsock.testing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace a test creates and always removes ({@code ip netns add/del}), with helpers
 * to wire namespaces together with veth pairs, run commands inside, and run Java code inside:
 * {@link #call} enters the namespace on a fresh platform thread (setns(2) changes only the calling
 * thread), so sockets opened there belong to the namespace for their whole life.
 *
 * <p>Needs root (CAP_SYS_ADMIN) and iproute2; {@link #unavailableReason()} says why not, or null.
 */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int CLONE_NEWNET = 0x40000000;
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Null if this process may create namespaces here (probed with a real add/del), else why not. */
    public static synchronized String unavailableReason() {
        try {
            Netns n = create("probe");
            n.close();
            return null;
        } catch (Throwable t) {
            return "network namespaces unavailable (need root and iproute2): " + t.getMessage();
        }
    }

    /** A new namespace named {@code ffs-<tag>-<pid>-<n>} with its loopback up. */
    public static Netns create(String tag) throws IOException, InterruptedException {
        String name = "ffs-" + tag + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        exec("ip", "netns", "add", name);
        Netns n = new Netns(name);
        try {
            n.ip("link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            n.close();
            throw e;
        }
        return n;
    }

    public String name() {
        return name;
    }

    /** {@code ip -n NAME args...}; returns stdout. */
    public String ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return exec(cmd.toArray(String[]::new));
    }

    /** Runs a command inside the namespace and waits for it (30 s at most); returns stdout. */
    public String run(String... command) throws IOException, InterruptedException {
        return exec(inside(command));
    }

    /** The command line that runs {@code command} inside the namespace. */
    public String[] inside(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return cmd.toArray(String[]::new);
    }

    /** Sets a sysctl inside the namespace, e.g. {@code sysctl("net.ipv4.ip_forward", "1")}. */
    public void sysctl(String key, String value) throws IOException, InterruptedException {
        run("sysctl", "-q", "-w", key + "=" + value);
    }

    /**
     * Connects two namespaces with a veth pair: {@code ifA} in {@code a} with {@code cidrA}
     * (e.g. "10.1.0.1/24"), {@code ifB} in {@code b} with {@code cidrB}; both up.
     */
    public static void veth(Netns a, String ifA, String cidrA, Netns b, String ifB, String cidrB)
            throws IOException, InterruptedException {
        String tmpA = "v" + COUNTER.incrementAndGet() + "a" + ProcessHandle.current().pid() % 10000;
        String tmpB = tmpA.substring(0, tmpA.length() - 5) + "b" + ProcessHandle.current().pid() % 10000;
        exec("ip", "link", "add", tmpA, "type", "veth", "peer", "name", tmpB);
        exec("ip", "link", "set", tmpA, "netns", a.name, "name", ifA);
        exec("ip", "link", "set", tmpB, "netns", b.name, "name", ifB);
        if (cidrA != null) a.ip("addr", "add", cidrA, "dev", ifA);
        if (cidrB != null) b.ip("addr", "add", cidrB, "dev", ifB);
        a.ip("link", "set", ifA, "up");
        b.ip("link", "set", ifB, "up");
    }

    /**
     * Runs {@code body} on a new platform thread that has entered this namespace, and returns
     * its result. Sockets it opens stay in the namespace even when used from other threads later.
     */
    public <T> T call(Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            enter();
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("netns-" + name).start(task);
        try {
            return task.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        } finally {
            t.join(1000);
        }
    }

    @SuppressWarnings("restricted")
    private void enter() throws IOException {
        Linker linker = Linker.nativeLinker();
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(arena.allocateFrom("/var/run/netns/" + name), 0x80000 /* O_CLOEXEC */);
            if (fd < 0) throw new IOException("open /var/run/netns/" + name + " failed");
            int r = (int) setns.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) close.invokeExact(fd);
            if (r != 0) throw new IOException("setns(" + name + ") failed");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Deletes the namespace (processes still inside keep it alive until they exit). */
    @Override
    public void close() throws IOException, InterruptedException {
        exec("ip", "netns", "del", name);
    }

    /** Runs a command in the root namespace, 30 s at most; returns stdout, throws with stderr on failure. */
    public static String exec(String... command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("ffsock-exec", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": "
                        + Files.readString(err).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
