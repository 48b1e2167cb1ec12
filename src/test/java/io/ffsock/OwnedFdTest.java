package io.ffsock;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnedFdTest {
    @TempDir Path dir;

    @Test
    void openFilePassItAndReadItBack() throws Exception {
        Path f = dir.resolve("data.txt");
        Files.writeString(f, "contents");
        try (OwnedFd file = OwnedFd.open(f); SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            assertFalse(file.isInheritable());
            p.first().sendMsg(ByteBuffer.allocate(0), ControlMessage.rights(file));
            try (ReceivedMessage m = p.second().recvMsg(ByteBuffer.allocate(1)); OwnedFd got = m.takeFd(0)) {
                assertTrue(m.fds().isEmpty());
                byte[] b = new byte[32];
                int n = got.read(b, 0, b.length);
                assertEquals("contents", new String(b, 0, n, StandardCharsets.UTF_8));
                assertFalse(got.isSocket());
            }
        }
    }

    @Test
    void takeNumberHandsTheFdOverWithoutClosingIt() throws Exception {
        OwnedFd[] pipe = OwnedFd.pipe();
        try (OwnedFd write = pipe[1]) {
            int n = pipe[0].takeNumber();
            assertTrue(pipe[0].isClosed());
            pipe[0].close(); // a no-op now: the number is no longer this object's
            System.gc();
            try (OwnedFd again = OwnedFd.adopt(n)) { // still open: adopt's fcntl(F_GETFD) succeeds
                write.write(new byte[] {7}, 0, 1);
                byte[] b = new byte[1];
                assertEquals(1, again.read(b, 0, 1));
                assertEquals(7, b[0]);
            }
            assertThrows(IllegalStateException.class, pipe[0]::takeNumber);
        }
    }

    @Test
    void duplicateGivesANewOwnerOfTheSameFileAndLeavesTheOriginalToItsOwner() throws Exception {
        OwnedFd[] pipe = OwnedFd.pipe();
        try (OwnedFd r = pipe[0]; OwnedFd w = pipe[1]) {
            // adopting a live object's fd is refused; duplicating it is how to borrow it
            assertThrows(IllegalStateException.class, () -> OwnedFd.adopt(w.fdNumber()));
            try (OwnedFd copy = OwnedFd.duplicate(w.fdNumber())) {
                assertNotEquals(w.fdNumber(), copy.fdNumber());
                copy.write(new byte[] {9}, 0, 1);
            }
            w.write(new byte[] {8}, 0, 1); // the original is still open after the copy closed
            byte[] b = new byte[2];
            assertEquals(2, r.read(b, 0, 2));
            assertArrayEquals(new byte[] {9, 8}, b);
        }
        SyscallException e = assertThrows(SyscallException.class, () -> OwnedFd.duplicate(999_999));
        assertEquals("EBADF", e.errno().symbol());
        assertTrue(e.getMessage().startsWith("fcntl(F_DUPFD_CLOEXEC)(fd 999999): EBADF"), e.getMessage());
    }

    @Test
    void createWriteAndPipe() throws Exception {
        Path f = dir.resolve("new.txt");
        try (OwnedFd w = OwnedFd.open(f, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            w.write("abc".getBytes(), 0, 3);
        }
        assertEquals("abc", Files.readString(f));
        SyscallException e = assertThrows(SyscallException.class,
                () -> OwnedFd.open(f, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW));
        assertEquals("EEXIST", e.errno().symbol());
        assertTrue(e.getMessage().startsWith("open(" + f + "): EEXIST"), e.getMessage());
        OwnedFd[] pipe = OwnedFd.pipe();
        try (OwnedFd r = pipe[0]; OwnedFd w = pipe[1]) {
            w.write(new byte[] {1, 2}, 0, 2);
            byte[] b = new byte[4];
            assertEquals(2, r.read(b, 0, 4));
        }
        // a closed fd says so, naming the call and the number it had
        java.nio.channels.ClosedChannelException c = assertThrows(java.nio.channels.ClosedChannelException.class,
                () -> pipe[0].read(new byte[1], 0, 1));
        assertTrue(c.getMessage().matches("read\\(fd \\d+\\): fd is closed"), c.getMessage());
    }
}
