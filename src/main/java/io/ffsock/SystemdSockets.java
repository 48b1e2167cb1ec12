package io.ffsock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sockets passed by systemd socket activation (sd_listen_fds(3)): the fds from 3 on, counted by
 * {@code LISTEN_FDS}, named by {@code LISTEN_FDNAMES}, meant for the process in {@code LISTEN_PID}.
 * Each is adopted as a {@link Socket} (family and type asked from the kernel; FD_CLOEXEC set, so
 * they pass no further). The environment is left as it is: Java cannot unset variables, so do not
 * call this twice: while the sockets of the first call are open, a second call is refused with
 * the {@link IllegalStateException} of {@link Socket#adopt} (an fd has one owner).
 */
public final class SystemdSockets {
    private SystemdSockets() {}

    /** The first fd systemd passes (SD_LISTEN_FDS_START). */
    public static final int FIRST_FD = 3;

    /**
     * A socket passed by systemd and its name ({@code FileDescriptorName=} in the .socket unit;
     * "unknown" when none was given).
     *
     * @param name   the name from LISTEN_FDNAMES
     * @param socket the adopted socket
     */
    public record Named(String name, Socket socket) {}

    /** The sockets passed to this process; empty when it was not socket-activated. */
    public static List<Named> listen() throws IOException {
        return listen(System.getenv(), ProcessHandle.current().pid());
    }

    /**
     * The sockets described by {@code env} for process {@code pid}: the logic of {@link #listen()},
     * for callers that read the variables elsewhere.
     *
     * @throws IllegalArgumentException if LISTEN_FDS or LISTEN_PID is not a number
     */
    public static List<Named> listen(Map<String, String> env, long pid) throws IOException {
        String pidText = env.get("LISTEN_PID");
        String countText = env.get("LISTEN_FDS");
        if (pidText == null || countText == null) return List.of();
        long listenPid;
        int count;
        try {
            listenPid = Long.parseLong(pidText.trim());
            count = Integer.parseInt(countText.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LISTEN_PID=" + pidText + " LISTEN_FDS=" + countText + ": not numbers", e);
        }
        if (listenPid != pid || count <= 0) return List.of();
        String namesText = env.getOrDefault("LISTEN_FDNAMES", "");
        String[] names = namesText.isEmpty() ? new String[0] : namesText.split(":", -1);
        List<Named> out = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                out.add(new Named(i < names.length ? names[i] : "unknown", Socket.adopt(FIRST_FD + i)));
            }
        } catch (IOException | RuntimeException e) {
            for (Named n : out) n.socket().close();
            throw e;
        }
        return List.copyOf(out);
    }
}
