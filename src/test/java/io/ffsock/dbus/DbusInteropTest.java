package io.ffsock.dbus;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.OwnedFd;
import io.ffsock.testing.FdLeakCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Programs we did not write on the other end: dbus-send, busctl and gdbus call the object that
 * Java exports over the ffsock transport; a python3-dbus client calls it with fds; and our client
 * calls a python3-dbus service (GLib main loop), passing fds both ways.
 */
@ExtendWith(FdLeakCheck.class)
class DbusInteropTest {
    static final String NAME = "io.ffsock.test.Interop" + ProcessHandle.current().pid();
    static final String PY_NAME = "io.ffsock.test.Python" + ProcessHandle.current().pid();
    static final String PYTHON = "/usr/bin/python3"; // Debian's, where python3-dbus and python3-gi are
    static DbusDaemon daemon;
    static DBusConnection service;

    @BeforeAll
    static void start() throws Exception {
        daemon = new DbusDaemon();
        service = DBusConnectionBuilder.forAddress(daemon.address).withShared(false).build();
        service.requestBusName(NAME);
        service.exportObject(CalculatorService.PATH, new CalculatorService());
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) service.close();
        if (daemon != null) daemon.close();
    }

    /** Runs a program to its end (at most 60 s) and returns its output; fails on a non-zero exit. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
            assertEquals(0, p.exitValue(), String.join(" ", command) + " said: " + out);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    static Path script(String name) throws IOException {
        Path f = daemon.dir.resolve(name);
        try (var in = DbusInteropTest.class.getResourceAsStream(name)) {
            Files.write(f, in.readAllBytes());
        }
        return f;
    }

    @Test
    void dbusSendCallsOurObject() throws Exception {
        String out = run("dbus-send", "--bus=" + daemon.address, "--print-reply", "--dest=" + NAME,
                CalculatorService.PATH, "io.ffsock.test.Calculator.Add", "int32:40", "int32:2");
        assertTrue(out.contains("int32 42"), out);
        out = run("dbus-send", "--bus=" + daemon.address, "--print-reply", "--dest=" + NAME,
                CalculatorService.PATH, "io.ffsock.test.Calculator.Echo", "array:byte:1,2,3");
        assertTrue(out.replaceAll("\\s+", " ").contains("array of bytes [ 01 02 03 ]"), out);
    }

    @Test
    void busctlCallsOurObject() throws Exception {
        String out = run("busctl", "--address=" + daemon.address, "call", NAME, CalculatorService.PATH,
                "io.ffsock.test.Calculator", "Add", "ii", "40", "2");
        assertEquals("i 42", out.trim());
        out = run("busctl", "--address=" + daemon.address, "introspect", NAME, CalculatorService.PATH);
        assertTrue(out.contains(".WriteTo") && out.contains("hs"), out);
    }

    @Test
    void gdbusCallsOurObject() throws Exception {
        String out = run("gdbus", "call", "--address", daemon.address, "--dest", NAME, "--object-path",
                CalculatorService.PATH, "--method", "io.ffsock.test.Calculator.Add", "40", "2");
        assertEquals("(42,)", out.trim());
    }

    @Test
    void aPythonClientCallsOurObjectWithFds() throws Exception {
        String out = run(PYTHON, script("py_client.py").toString(), daemon.address, NAME, CalculatorService.PATH);
        assertTrue(out.contains("add 42"), out);
        assertTrue(out.contains("pipe from python"), out);
        assertTrue(out.contains("returned to python"), out);
        assertTrue(out.contains("error io.ffsock.dbus.Refused nope"), out);
    }

    @Test
    void ourClientCallsAPythonServiceWithFds() throws Exception {
        Process py = new ProcessBuilder(PYTHON, script("py_service.py").toString(), daemon.address, PY_NAME)
                .redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (DBusConnection client = DBusConnectionBuilder.forAddress(daemon.address).withShared(false).build()) {
            BufferedReader r = new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null && !line.equals("ready")) output.add(line);
            assertEquals("ready", line, "python service said: " + output);
            PyService svc = client.getRemoteObject(PY_NAME, "/io/ffsock/test/Py", PyService.class);
            assertEquals("SHOUT", svc.Upper("shout"));

            OwnedFd[] pipe = OwnedFd.pipe();
            try (OwnedFd read = pipe[0]; OwnedFd write = pipe[1]) {
                byte[] b = "to python".getBytes(StandardCharsets.UTF_8);
                write.write(b, 0, b.length);
                write.close();
                // Python reads the read end to its end: no writer is left anywhere.
                assertEquals("to python", svc.ReadFd(new FileDescriptor(read.fdNumber())));
            }

            FileDescriptor fd = svc.OpenFd("from python");
            try (OwnedFd read = OwnedFd.adopt(fd.getIntFileDescriptor())) {
                byte[] b = new byte[64];
                int n = read.read(b, 0, b.length);
                assertEquals("from python", new String(b, 0, n, StandardCharsets.UTF_8));
            }
            svc.Quit();
            assertTrue(py.waitFor(30, TimeUnit.SECONDS));
        } finally {
            py.destroyForcibly();
            py.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
