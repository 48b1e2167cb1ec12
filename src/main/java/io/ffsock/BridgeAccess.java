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
    public java.util.List<io.ffsock.internal.sys.Cmsg> encodeControl(Socket socket,
            java.util.List<? extends ControlMessage> control, long dataBytes, String call,
            java.util.List<FdOwner> held) throws IOException {
        return Messages.encode(control, Messages.checkSendable(control, socket.type(), dataBytes, call), held);
    }

    @Override
    public java.util.List<ControlMessage> decodeControl(java.util.List<io.ffsock.internal.sys.Cmsg> raw) {
        return Messages.fromKernel(raw);
    }

    @Override
    public int closeArrived(java.util.List<ControlMessage> control) {
        return Messages.closeArrived(control);
    }

    @Override
    public IOException controlTruncated(String call, int controlSpace, long received, int closed, boolean fdLimit) {
        return ControlTruncatedException.of(call, controlSpace, received, closed, fdLimit);
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
