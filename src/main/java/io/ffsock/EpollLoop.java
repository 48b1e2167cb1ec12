package io.ffsock;

import static io.ffsock.internal.sys.Const.*;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.Syscalls;
import java.io.IOException;

/**
 * {@link EventLoop}'s epoll(7) backend. The data word of each struct epoll_event is the socket's
 * fd number, mapped back to the {@link Socket} here; an eventfd wakes a wait.
 */
final class EpollLoop implements EventLoop.Impl {
    private static final long WAKE = -1L;

    private final FdLife life;
    private final int wake; // an eventfd, Epoll.wakeFd
    private final Epoll.Events events;
    private final Object lock = new Object();
    private Socket[] sockets = new Socket[64]; // by fd number; guarded by lock

    private EpollLoop(int epfd, int wake, int maxEvents) {
        this.life = new FdLife(epfd, "EventLoop", false, wake);
        this.wake = wake;
        this.events = new Epoll.Events(maxEvents);
    }

    /** epoll_create1(2) with EPOLL_CLOEXEC, and the wake-up eventfd in the set. */
    static EpollLoop open(int maxEvents) throws IOException {
        int ep = Epoll.epollCreate1();
        if (ep < 0) throw Errors.of("epoll_create1", -ep, null);
        int wake = Epoll.wakeFd();
        if (wake < 0) {
            Syscalls.close(ep);
            throw Errors.of("eventfd", -wake, null);
        }
        int r = Epoll.epollCtl(ep, EPOLL_CTL_ADD, wake, EPOLLIN, WAKE);
        if (r < 0) {
            Syscalls.close(ep);
            Syscalls.close(wake);
            throw Errors.of("epoll_ctl(EPOLL_CTL_ADD)", -r, "wake-up eventfd");
        }
        return new EpollLoop(ep, wake, maxEvents);
    }

    @Override
    public void control(int op, Socket socket, int interest, EventLoop.Trigger trigger) throws IOException {
        String call = switch (op) {
            case EPOLL_CTL_ADD -> "epoll_ctl(EPOLL_CTL_ADD)";
            case EPOLL_CTL_MOD -> "epoll_ctl(EPOLL_CTL_MOD)";
            default -> "epoll_ctl(EPOLL_CTL_DEL)";
        };
        if (!life.tryAcquire()) throw Errors.closed(call, null, "event loop");
        try {
            FdLife s = socket.life();
            if (!s.tryAcquire()) throw Errors.closed(call, socket);
            try {
                int fd = s.fd;
                synchronized (lock) {
                    int r = Epoll.epollCtl(life.fd, op, fd, interest | trigger.bit, fd);
                    if (r < 0) throw Errors.of(call, -r, socket);
                    if (op == EPOLL_CTL_DEL) {
                        if (fd < sockets.length && sockets[fd] == socket) sockets[fd] = null;
                    } else {
                        if (fd >= sockets.length) sockets = java.util.Arrays.copyOf(sockets, Math.max(fd + 1, sockets.length * 2));
                        sockets[fd] = socket;
                    }
                }
            } finally {
                s.release();
            }
        } finally {
            life.release();
        }
    }

    @Override
    public int poll(long nanos, EventLoop.Ready[] ready, Interruption.Waking interruptor) throws IOException {
        if (!life.tryAcquire()) throw Errors.closed("epoll_wait", null, "event loop");
        try {
            long deadline = nanos <= 0 ? 0 : Math.max(1, System.nanoTime() + nanos);
            int n;
            if (nanos != 0 && Readiness.parks()) {
                n = awaitParked(deadline);
            } else {
                interruptor.enter();
                try {
                    n = awaitInKernel(nanos, deadline);
                } finally {
                    interruptor.exit();
                }
            }
            if (life.isClosed()) throw Errors.closedDuringCall("epoll_wait", "event loop");
            return collect(n, ready);
        } finally {
            life.release();
        }
    }

    /** A virtual thread: epoll_wait without waiting, and park in the poller between tries. */
    private int awaitParked(long deadline) throws IOException {
        for (;;) {
            int token = Readiness.token(life, POLLIN);
            int n = events.await(life.fd, 0);
            if (n != 0 && n != -EINTR) return check(n);
            if (life.isClosed()) return 0;
            if (Readiness.await(life, POLLIN, token, deadline) != Readiness.READY) return 0;
        }
    }

    /** A platform thread: epoll_wait blocks, woken by events, wakeup, interrupt or close. */
    private int awaitInKernel(long nanos, long deadline) throws IOException {
        for (;;) {
            int millis;
            if (nanos < 0) {
                millis = -1;
            } else if (nanos == 0) {
                millis = 0;
            } else {
                long left = deadline - System.nanoTime();
                millis = left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
            }
            int n = events.await(life.fd, millis);
            if (n != -EINTR) return check(n);
            if (Thread.currentThread().isInterrupted() || life.isClosed()) return 0;
        }
    }

    private int check(int n) throws IOException {
        if (n < 0) throw Errors.of("epoll_wait", -n, "event loop");
        return n;
    }

    /** Turns the kernel's events into Ready objects, dropping wake-ups and closed sockets. */
    private int collect(int n, EventLoop.Ready[] ready) {
        int k = 0;
        synchronized (lock) {
            for (int i = 0; i < n; i++) {
                long data = events.data(i);
                if (data == WAKE) {
                    Epoll.drain(wake);
                    continue;
                }
                int fd = (int) data;
                Socket s = fd >= 0 && fd < sockets.length ? sockets[fd] : null;
                if (s == null || s.isClosed()) continue;
                EventLoop.Ready r = ready[k++];
                r.socket = s;
                r.bits = events.events(i);
            }
        }
        return k;
    }

    @Override
    public void wakeup() {
        if (!life.tryAcquire()) return;
        try {
            Epoll.wake(wake);
        } finally {
            life.release();
        }
    }

    @Override
    public void close() {
        if (!life.tryAcquire()) return; // already closed
        try {
            life.close(); // our own hold keeps the fds open until release, so the wake-up below lands
            Epoll.wake(wake);
        } finally {
            life.release();
        }
        synchronized (lock) {
            java.util.Arrays.fill(sockets, null);
        }
    }

    @Override
    public boolean isClosed() {
        return life.isClosed();
    }

    @Override
    public Runnable cleanup() {
        return life;
    }

    @Override
    public String toString() {
        return "EventLoop[epoll, epfd=" + life.fd + (life.isClosed() ? " closed" : "") + "]";
    }
}
