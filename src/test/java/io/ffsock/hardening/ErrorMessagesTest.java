package io.ffsock.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ffsock.Family;
import io.ffsock.Socket;
import io.ffsock.SocketPair;
import io.ffsock.SocketType;
import io.ffsock.SyscallException;
import io.ffsock.UnixAddress;
import io.ffsock.testing.FdLeakCheck;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Rows of the README's bad-input table, pinned: the message each wrong call gives. */
@ExtendWith(FdLeakCheck.class)
class ErrorMessagesTest {

    @Test
    void wrongCallsGiveTheseMessages() throws Exception {
        try (Socket unix = Socket.open(Family.UNIX, SocketType.STREAM); Socket dgram = Socket.open(Family.UNIX, SocketType.DGRAM);
                Socket tcp = Socket.open(Family.INET, SocketType.STREAM)) {
            assertEquals("bind: AF_INET address 127.0.0.1:0 given to an AF_UNIX socket", assertThrows(IllegalArgumentException.class,
                    () -> unix.bind(new InetSocketAddress("127.0.0.1", 0))).getMessage());
            assertEquals("connect: IPv6 address [0:0:0:0:0:0:0:1]:80 given to an AF_INET socket", assertThrows(IllegalArgumentException.class,
                    () -> tcp.connect(new InetSocketAddress("::1", 80))).getMessage());
            assertEquals("accept(fd " + dgram.fdNumber() + "): EOPNOTSUPP (Operation not supported)",
                    assertThrows(SyscallException.class, dgram::accept).getMessage());
            assertEquals("send(fd " + unix.fdNumber() + "): ENOTCONN (Transport endpoint is not connected)",
                    assertThrows(SyscallException.class, () -> unix.send(new byte[1])).getMessage());
            assertEquals("connect(@ffsock-nobody-listens): ECONNREFUSED (Connection refused)", assertThrows(ConnectException.class,
                    () -> dgram.connect(UnixAddress.abstractName("ffsock-nobody-listens"))).getMessage());
            unix.bind(UnixAddress.abstractName("ffsock-errors-" + ProcessHandle.current().pid()));
            assertEquals("bind(@ffsock-errors-b): EINVAL (Invalid argument)", assertThrows(SyscallException.class,
                    () -> unix.bind(UnixAddress.abstractName("ffsock-errors-b"))).getMessage());
        }
        try (SocketPair p = Socket.pair(SocketType.STREAM)) {
            p.first().setTimeout(Duration.ofMillis(20));
            assertEquals("recv(fd " + p.first().fdNumber() + "): timed out after 20 ms",
                    assertThrows(SocketTimeoutException.class, () -> p.first().recv(new byte[1])).getMessage());
            p.first().setTimeout(Duration.ZERO);
            assertEquals("recv(fd " + p.first().fdNumber() + "): EAGAIN (Resource temporarily unavailable)",
                    assertThrows(SyscallException.class, () -> p.first().recv(new byte[1])).getMessage());
            p.first().close();
            assertEquals("recv: socket is closed",
                    assertThrows(ClosedChannelException.class, () -> p.first().recv(new byte[1])).getMessage());
        }
    }
}
