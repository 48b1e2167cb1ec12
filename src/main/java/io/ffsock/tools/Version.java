package io.ffsock.tools;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The ffsock version, from a resource Maven fills in with {@code project.version} at build time. */
final class Version {
    private Version() {}

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}; the jar manifest's if the resource is missing, else "unknown". */
    static String get() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) return v;
            }
        } catch (IOException ignored) {
            // falls back to the manifest
        }
        String manifest = Version.class.getPackage().getImplementationVersion();
        return manifest != null ? manifest : "unknown";
    }

    /** The line {@code --version} prints for {@code tool}: "ffsock TOOL VERSION" (or "ffsock VERSION"). */
    static String line(String tool) {
        return (tool == null ? "ffsock " : "ffsock " + tool + " ") + get();
    }
}
