package io.ffsock;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.Set;

/**
 * How {@link Thread#interrupt()} reaches a thread blocked in ffsock. The JDK offers one public
 * hook for this: the protected {@code begin()}/{@code end()} of {@link AbstractInterruptibleChannel}
 * (which closes the channel on interrupt) and of {@link AbstractSelector} (which wakes the
 * selector). Around a call that may wait, ffsock brackets it with one of these, exactly as the
 * JDK's own channels do; the subclasses below exist only to reach those two methods.
 */
final class Interruption {
    private Interruption() {}

    /**
     * For a socket: an interrupt closes it ({@link FdLife#close()}: shutdown(2) wakes a platform
     * thread blocked in the kernel, the poller unparks a virtual one) and the interrupted call
     * throws {@link java.nio.channels.ClosedByInterruptException}: InterruptibleChannel semantics.
     */
    static final class Closing extends AbstractInterruptibleChannel {
        private final FdLife life;

        Closing(FdLife life) {
            this.life = life;
        }

        /** Before a call that may wait; closes at once if the thread is already interrupted. */
        void enter() {
            begin();
        }

        /** After it: throws ClosedByInterruptException if an interrupt closed the socket. */
        void exit() throws AsynchronousCloseException {
            end(true);
        }

        @Override
        protected void implCloseChannel() {
            life.close();
        }
    }

    /** For an {@link EventLoop}: an interrupt wakes its wait, as it does a {@link Selector}'s. */
    static final class Waking extends AbstractSelector {
        private final Runnable wakeup;

        Waking(Runnable wakeup) {
            super(null);
            this.wakeup = wakeup;
        }

        void enter() {
            begin();
        }

        void exit() {
            end();
        }

        @Override
        public Selector wakeup() {
            wakeup.run();
            return this;
        }

        @Override
        protected void implCloseSelector() {}

        @Override
        protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<SelectionKey> keys() {
            return Set.of();
        }

        @Override
        public Set<SelectionKey> selectedKeys() {
            return Set.of();
        }

        @Override
        public int selectNow() throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public int select(long timeout) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public int select() throws IOException {
            throw new UnsupportedOperationException();
        }
    }
}
