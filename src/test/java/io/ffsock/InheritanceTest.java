package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.testing.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.SpawnFileAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Handing fds to child processes on purpose. The JDK's ProcessBuilder closes every fd above 2 in
 * the child. {@link #aSocketMadeInheritableIsUsableInAChildAndOnlyThen} starts its child with
 * posix_spawnp through jnr-posix (an independent library), which leaves exactly the fds without
 * FD_CLOEXEC open across exec: the test of setInheritable itself ({@link Spawn} closes every fd it
 * was not given, inheritable or not). The systemd test uses {@link Spawn}.
 */
@ExtendWith(FdLeakCheck.class)
class InheritanceTest {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private static List<String> env(Map<String, String> extra) {
        List<String> env = new ArrayList<>();
        System.getenv().forEach((k, v) -> { if (!k.startsWith("LISTEN_")) env.add(k + "=" + v); });
        extra.forEach((k, v) -> env.add(k + "=" + v));
        return env;
    }

    private static int spawnAndWait(List<String> argv, List<SpawnFileAction> actions, Map<String, String> extraEnv) {
        long pid = POSIX.posix_spawnp(argv.get(0), actions, argv, env(extraEnv));
        assertTrue(pid > 0, "posix_spawnp failed: " + pid);
        int[] status = new int[1];
        assertEquals(pid, POSIX.waitpid(pid, status, 0));
        return (status[0] >> 8) & 0xff; // WEXITSTATUS
    }

    @Test
    void aSocketMadeInheritableIsUsableInAChildAndOnlyThen() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.second().setTimeout(Duration.ofSeconds(10));
            int fd = p.first().fdNumber();
            String script = "import socket,sys\n"
                    + "try:\n"
                    + "    s = socket.socket(fileno=" + fd + ")\n"
                    + "    s.sendall(b'from child')\n"
                    + "    s.detach()\n"
                    + "except OSError as e:\n"
                    + "    sys.exit(3)\n";
            List<String> argv = List.of("python3", "-c", script);

            assertFalse(p.first().isInheritable(), "ffsock creates fds CLOEXEC");
            assertEquals(3, spawnAndWait(argv, List.of(), Map.of()), "a CLOEXEC fd must not reach the child");

            p.first().setInheritable(true);
            assertTrue(p.first().isInheritable());
            assertEquals(0, spawnAndWait(argv, List.of(), Map.of()));
            byte[] b = new byte[32];
            int n = p.second().recv(b);
            assertEquals("from child", new String(b, 0, n, StandardCharsets.US_ASCII));
            p.first().setInheritable(false);
        }
    }

    /**
     * A child JVM started the way systemd starts a service, by {@link Spawn#socketActivation}:
     * sockets on fds 3 and 4, LISTEN_FDS / LISTEN_FDNAMES set, LISTEN_PID the child's own pid.
     */
    @Test
    void systemdActivatedChildAdoptsItsSocketsByName() throws Exception {
        String name = "ffsock-systemd-" + ProcessHandle.current().pid();
        try (Socket listener = Socket.open(Family.UNIX, SocketType.SEQPACKET);
             SocketPair pair = Socket.pair(SocketType.DGRAM)) {
            listener.bind(UnixAddress.abstractName(name));
            listener.listen();
            pair.second().setTimeout(Duration.ofSeconds(20));
            String java = ProcessHandle.current().info().command().orElseThrow();
            Path err = Files.createTempFile("systemd-child", ".err");
            ExitStatus status;
            long childPid;
            try (OwnedFd errFd = OwnedFd.open(err, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Spawn spawn = Spawn.command(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                                System.getProperty("java.class.path"), SystemdChild.class.getName())
                        .socketActivation(List.of(new SystemdSockets.Named("control", listener),
                                new SystemdSockets.Named("events", pair.first())))
                        .stderr(errFd);
                spawn.environment().put("LISTEN_PID", "1"); // stale values from our own parent are replaced
                try (ChildProcess child = spawn.start()) {
                    childPid = child.pid();
                    status = child.waitFor();
                }
            }
            String childErr = Files.readString(err);
            Files.delete(err);
            assertEquals(new ExitStatus(0, 0), status, "child exit status; its stderr:\n" + childErr);
            byte[] b = new byte[256];
            int n = pair.second().recv(b);
            assertEquals("pid=" + childPid + " control=AF_UNIX/SOCK_SEQPACKET/@" + name + " events=AF_UNIX/SOCK_DGRAM",
                    new String(b, 0, n, StandardCharsets.UTF_8));
        }
    }

    /** The systemd-activated child: adopts fds 3 and 4 and reports what the kernel said they are. */
    public static final class SystemdChild {
        public static void main(String[] args) throws Exception {
            List<SystemdSockets.Named> sockets = SystemdSockets.listen();
            if (sockets.size() != 2) System.exit(10 + sockets.size());
            Socket control = sockets.get(0).socket();
            Socket events = sockets.get(1).socket();
            String report = "pid=" + ProcessHandle.current().pid() + " " + sockets.get(0).name() + "=" + control.family() + "/" + control.type() + "/" + control.localAddress()
                    + " " + sockets.get(1).name() + "=" + events.family() + "/" + events.type();
            if (control.isInheritable() || events.isInheritable()) System.exit(20); // adopt sets FD_CLOEXEC
            events.send(report.getBytes(StandardCharsets.UTF_8));
            control.close();
            events.close();
        }
    }
}
