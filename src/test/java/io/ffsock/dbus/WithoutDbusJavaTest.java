package io.ffsock.dbus;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbus-java is an optional dependency: ffsock must work without it. A child JVM gets only
 * target/classes (no dbus-java, no slf4j), once on the module path and once on the class path,
 * and runs a program that uses sockets, fd passing and UnixSocketChannel, and checks that
 * dbus-java is indeed absent.
 */
class WithoutDbusJavaTest {
    @TempDir Path dir;

    static final String PROGRAM = """
            import io.ffsock.*;
            import io.ffsock.net.UnixSocketChannel;
            import java.nio.ByteBuffer;

            public class Probe {
                public static void main(String[] args) throws Exception {
                    try {
                        Class.forName("org.freedesktop.dbus.connections.BusAddress");
                        throw new AssertionError("dbus-java is present");
                    } catch (ClassNotFoundException expected) {
                        // as it should be
                    }
                    try (SocketPair p = Socket.pair(SocketType.STREAM)) {
                        OwnedFd[] pipe = OwnedFd.pipe();
                        p.first().sendMsg(ByteBuffer.wrap(new byte[] {1}), ControlMessage.rights(pipe[0]));
                        try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(1))) {
                            System.out.println("fds " + m.fds().size());
                        }
                        pipe[0].close();
                        pipe[1].close();
                        try (UnixSocketChannel c = UnixSocketChannel.of(p.first())) {
                            c.write(ByteBuffer.wrap("ok".getBytes()));
                            byte[] b = new byte[2];
                            p.second().recv(b);
                            System.out.println("channel " + new String(b));
                        }
                    }
                    System.out.println("module " + Socket.class.getModule().getName());
                }
            }
            """;

    private String runChild(String... pathArgs) throws Exception {
        Path program = dir.resolve("Probe.java");
        Files.writeString(program, PROGRAM);
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(pathArgs));
        command.add(program.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + " said: " + out);
        assertTrue(out.contains("fds 1") && out.contains("channel ok"), out);
        return out;
    }

    private static String classes() {
        return Path.of("target", "classes").toAbsolutePath().toString();
    }

    @Test
    void onTheModulePath() throws Exception {
        String out = runChild("--module-path", classes(), "--add-modules", "io.ffsock", "--enable-native-access=io.ffsock");
        assertTrue(out.contains("module io.ffsock"), out);
    }

    @Test
    void onTheClassPath() throws Exception {
        String out = runChild("-cp", classes(), "--enable-native-access=ALL-UNNAMED");
        assertTrue(out.contains("module null"), out);
    }
}
