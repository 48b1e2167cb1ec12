package io.ffsock.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of jdk.VirtualThreadPinned with threshold 0: every time a virtual thread parks
 * while pinned to its carrier. {@link #stop()} returns the stacks of those with an ffsock frame.
 */
public final class PinnedCarriers implements AutoCloseable {
    private final Recording recording = new Recording();

    private PinnedCarriers() {
        recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
        recording.start();
    }

    /** Starts recording. */
    public static PinnedCarriers start() {
        return new PinnedCarriers();
    }

    /** Stops and returns one line per pinned park whose stack has an io.ffsock frame. */
    public List<String> stop() throws IOException {
        recording.stop();
        Path f = Files.createTempFile("ffsock-pinned", ".jfr");
        try {
            recording.dump(f);
            List<String> found = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(f)) {
                if (e.getStackTrace() == null) continue;
                StringBuilder stack = new StringBuilder();
                boolean ours = false;
                for (RecordedFrame fr : e.getStackTrace().getFrames()) {
                    String cls = fr.getMethod().getType().getName();
                    ours |= cls.startsWith("io.ffsock.");
                    stack.append(" <- ").append(cls).append('.').append(fr.getMethod().getName());
                }
                if (ours) found.add(e.getEventType().getName() + stack);
            }
            return found;
        } finally {
            Files.deleteIfExists(f);
            recording.close();
        }
    }

    @Override
    public void close() {
        recording.close();
    }
}
