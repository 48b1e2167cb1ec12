package io.ffsock;

import java.time.Duration;
import java.util.Set;

/**
 * The child JVM of {@link EventLoopFallbackTest}: opens an {@link EventLoop} with
 * {@link EventLoop.Backend#AUTO} and uses it, then asks for {@link EventLoop.Backend#IO_URING}
 * explicitly. Prints one {@code key=value} line per finding on stdout; the AUTO fallback's log
 * line goes to stderr (java.util.logging's console handler).
 */
public final class EventLoopFallbackMain {
    private EventLoopFallbackMain() {}

    public static void main(String[] args) throws Exception {
        try (EventLoop loop = EventLoop.open(EventLoop.Backend.AUTO); SocketPair p = Socket.pair(SocketType.STREAM)) {
            System.out.println("auto=" + loop.backend());
            loop.register(p.first(), Set.of(EventLoop.Event.READ));
            p.second().send(new byte[] {1});
            System.out.println("ready=" + loop.poll(Duration.ofSeconds(5)).size());
        }
        try (EventLoop loop = EventLoop.open(EventLoop.Backend.IO_URING)) {
            System.out.println("explicit=" + loop.backend());
        } catch (SyscallException e) {
            System.out.println("explicit.errno=" + e.errno().symbol());
            System.out.println("explicit.message=" + e.getMessage());
        }
    }
}
