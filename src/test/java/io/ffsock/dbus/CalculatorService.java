package io.ffsock.dbus;

import io.ffsock.OwnedFd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.freedesktop.dbus.FileDescriptor;

/** The exported implementation: plain Java, fds handled through ffsock's OwnedFd. */
final class CalculatorService implements Calculator {
    static final String PATH = "/io/ffsock/test/Calculator";

    @Override
    public int Add(int a, int b) {
        return a + b;
    }

    @Override
    public byte[] Echo(byte[] data) {
        return data;
    }

    @Override
    public void Refuse(String why) {
        throw new Refused(why);
    }

    @Override
    public void WriteTo(FileDescriptor fd, String text) {
        // The received fd is ours to close: adopt it, write, close.
        try (OwnedFd out = OwnedFd.adopt(fd.getIntFileDescriptor())) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public FileDescriptor OpenWith(String text) {
        try {
            OwnedFd[] pipe = OwnedFd.pipe();
            try (OwnedFd w = pipe[1]) {
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                w.write(b, 0, b.length);
            }
            return new FileDescriptor(pipe[0].takeNumber());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String getObjectPath() {
        return PATH;
    }
}
