package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.*;

import io.ffsock.OwnedFd;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.SyscallException;
import io.ffsock.testing.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An fd has one ffsock owner: adopting a number a live Socket or OwnedFd owns is refused with a
 * message naming the fd and its owner, and the owner keeps working. Bare numbers (what a parent
 * process or native code hands over) come from jnr-posix dup(2), which ffsock does not see.
 */
@ExtendWith(FdLeakCheck.class)
class AdoptOwnershipTest {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private static int bareDup(int fd) {
        int r = POSIX.dup(fd);
        if (r < 0) throw new AssertionError("jnr dup(" + fd + ") failed: errno " + POSIX.errno());
        return r;
    }

    @Test
    void adoptingTheNumberOfALiveSocketIsRefusedAndTheOwnerKeepsWorking() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            int fd = p.first().fdNumber();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Socket.adopt(fd));
            assertEquals("adopt(fd " + fd + "): fd " + fd + " is already owned by a live ffsock Socket"
                    + " (AF_UNIX SOCK_STREAM); an fd may have only one owner, or it would be closed twice."
                    + " Use that object, or close it first", e.getMessage());
            IllegalStateException o = assertThrows(IllegalStateException.class, () -> OwnedFd.adopt(fd));
            assertTrue(o.getMessage().startsWith("adopt(fd " + fd + "): fd " + fd + " is already owned by a live ffsock Socket"),
                    o.getMessage());
            // the refusals closed nothing: the owner still talks
            p.first().send("still here".getBytes(StandardCharsets.US_ASCII));
            byte[] b = new byte[16];
            assertEquals("still here", new String(b, 0, p.second().recv(b), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void adoptingTheNumberOfALiveOwnedFdIsRefused() throws Exception {
        OwnedFd[] pipe = OwnedFd.pipe();
        try {
            int fd = pipe[1].fdNumber();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> OwnedFd.adopt(fd));
            assertTrue(e.getMessage().startsWith("adopt(fd " + fd + "): fd " + fd + " is already owned by a live ffsock OwnedFd"),
                    e.getMessage());
            // not a socket: Socket.adopt says so first, and still takes nothing over
            SyscallException s = assertThrows(SyscallException.class, () -> Socket.adopt(fd));
            assertEquals("ENOTSOCK", s.errno().symbol());
            assertEquals(1, pipe[1].write(new byte[] {42}, 0, 1));
            byte[] b = new byte[1];
            assertEquals(1, pipe[0].read(b, 0, 1));
            assertEquals(42, b[0]);
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
    }

    /** The decision for an inherited fd adopted twice: one owner, then a refusal; after close, EBADF. */
    @Test
    void anInheritedFdAdoptedTwiceHasOneOwner() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.DGRAM)) {
            int bare = bareDup(p.first().fdNumber());
            Socket first = Socket.adopt(bare);
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Socket.adopt(bare));
                assertTrue(e.getMessage().contains("fd " + bare + " is already owned by a live ffsock Socket (AF_UNIX SOCK_DGRAM)"),
                        e.getMessage());
            } finally {
                first.close();
            }
            assertEquals(-1, first.fdNumber(), "a closed socket's fdNumber");
            // closed: the number is no longer the inherited socket (nothing else took it yet here,
            // unless another test thread opened an fd, which would make this ENOTSOCK or succeed)
            try {
                Socket again = Socket.adopt(bare);
                again.close(); // someone else's fd: not ours to test further
                fail("adopt after close found an open socket at fd " + bare + " (reused by a concurrent open?)");
            } catch (SyscallException expected) {
                assertTrue(expected.errno().symbol().equals("EBADF") || expected.errno().symbol().equals("ENOTSOCK"),
                        expected.getMessage());
            }
        }
    }

    @Test
    void toSocketMovesTheRegistrationAndAdoptOfTheMovedNumberIsRefused() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.SEQPACKET)) {
            int bare = bareDup(p.first().fdNumber());
            OwnedFd owned = OwnedFd.adopt(bare);
            try (Socket s = owned.toSocket()) {
                assertTrue(owned.isClosed());
                assertEquals(-1, owned.fdNumber());
                assertEquals(bare, s.fdNumber());
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> OwnedFd.adopt(bare));
                assertTrue(e.getMessage().contains("owned by a live ffsock Socket"), e.getMessage());
                s.send(new byte[] {7});
                byte[] b = new byte[4];
                assertEquals(1, p.second().recv(b));
            }
        }
    }

    @Test
    void toSocketOfANonSocketKeepsTheOwnedFdOpen() throws Exception {
        OwnedFd[] pipe = OwnedFd.pipe();
        try {
            SyscallException e = assertThrows(SyscallException.class, pipe[0]::toSocket);
            assertEquals("ENOTSOCK", e.errno().symbol());
            assertFalse(pipe[0].isClosed());
            assertEquals(1, pipe[1].write(new byte[] {1}, 0, 1));
            assertEquals(1, pipe[0].read(new byte[1], 0, 1));
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
    }

    /** Many threads adopting one bare number at the same moment: exactly one becomes its owner. */
    @Test
    void concurrentAdoptionsOfOneNumberMakeOneOwner() throws Exception {
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            for (int round = 0; round < 50; round++) {
                int bare = bareDup(p.first().fdNumber());
                int threads = 8;
                CountDownLatch start = new CountDownLatch(1);
                AtomicInteger refused = new AtomicInteger();
                List<Socket> owners = java.util.Collections.synchronizedList(new ArrayList<>());
                List<Thread> ts = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    ts.add(Thread.ofPlatform().start(() -> {
                        try {
                            start.await();
                            owners.add(Socket.adopt(bare));
                        } catch (IllegalStateException e) {
                            refused.incrementAndGet();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }));
                }
                start.countDown();
                for (Thread t : ts) t.join();
                assertEquals(1, owners.size(), "owners in round " + round);
                assertEquals(threads - 1, refused.get());
                owners.get(0).close();
            }
        }
    }
}
