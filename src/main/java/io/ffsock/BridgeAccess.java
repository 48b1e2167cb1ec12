package io.ffsock;

import io.ffsock.internal.bridge.FdAccess;
import io.ffsock.internal.sys.SockAddr;
import java.io.IOException;
import java.net.SocketAddress;

/** io.ffsock's side of {@link FdAccess}, installed when {@link Socket} is initialized. */
final class BridgeAccess implements FdAccess {
    @Override
    public boolean tryAcquire(FdOwner owner) {
        return OwnedFd.lifeOf(owner).tryAcquire();
    }

    @Override
    public void release(FdOwner owner) {
        OwnedFd.lifeOf(owner).release();
    }

    @Override
    public int fd(FdOwner owner) {
        return OwnedFd.lifeOf(owner).fd;
    }

    @Override
    public Socket accepted(Socket listener, int fd) {
        return Socket.acceptedFrom(listener, fd);
    }

    @Override
    public SockAddr toKernel(Socket socket, SocketAddress address, String call) {
        return Addresses.toKernel(address, socket.family(), call);
    }

    @Override
    public SocketAddress fromKernel(SockAddr address) {
        return Addresses.fromKernel(address);
    }

    @Override
    public int detach(FdOwner owner) {
        FdLife life = OwnedFd.lifeOf(owner);
        return life.detach() ? life.fd : -1;
    }

    @Override
    public IOException error(String call, int errno, Object what) {
        return Errors.of(call, errno, what);
    }

    @Override
    public IOException closed(String call, Object what) {
        return Errors.closed(call, what);
    }
}
