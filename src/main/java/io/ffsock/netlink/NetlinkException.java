package io.ffsock.netlink;

import io.ffsock.Errno;
import io.ffsock.SyscallError;
import java.io.IOException;
import java.io.Serial;

/**
 * The kernel refused a netlink request: an NLMSG_ERROR reply with a negative error. The message
 * names the request, the errno symbol and text, and the kernel's own explanation when extended
 * acks gave one, e.g. {@code RTM_NEWADDR(dev veth0 10.0.0.1/24): EPERM (Operation not
 * permitted)} or {@code RTM_NEWLINK: EINVAL (Invalid argument): kernel says "Unknown device
 * type"}.
 */
public final class NetlinkException extends IOException implements SyscallError {
    @Serial
    private static final long serialVersionUID = 1L;
    private final String call;
    private final transient Errno errno;
    private final String kernelMessage;
    private final int attributeOffset;

    NetlinkException(String call, Errno errno, String kernelMessage, int attributeOffset, String detail) {
        super(call + ": " + errno.symbol() + " (" + errno.description() + ")"
                + (kernelMessage.isEmpty() ? "" : ": kernel says \"" + kernelMessage + "\"")
                + (attributeOffset < 0 ? "" : " (at byte " + attributeOffset + " of the request)")
                + (detail.isEmpty() ? "" : "; " + detail));
        this.call = call;
        this.errno = errno;
        this.kernelMessage = kernelMessage;
        this.attributeOffset = attributeOffset;
    }

    /** The request that failed, e.g. {@code RTM_NEWADDR(dev veth0 10.0.0.1/24)}. */
    @Override
    public String call() {
        return call;
    }

    /** The errno the kernel answered with. */
    @Override
    public Errno errno() {
        return errno;
    }

    /** NLMSGERR_ATTR_MSG: the kernel's explanation, or "" when it gave none. */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** NLMSGERR_ATTR_OFFS: the offset in the request of the attribute at fault, or -1. */
    public int attributeOffset() {
        return attributeOffset;
    }
}
