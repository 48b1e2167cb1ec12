package io.ffsock;

import io.ffsock.internal.sys.Const;
import io.ffsock.internal.sys.ControlFields;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * What one {@link Socket#recvMsg(byte[], int, int, MessageInfo, java.util.Set)} said besides its
 * data, in a mutable holder that a receive loop reuses for every call so that it allocates
 * nothing: the message flags, the sender's IP address, and the control messages an IP socket
 * gets most — the receive timestamp ({@link LinuxSocketOptions#SO_TIMESTAMPNS}), the TTL or hop
 * limit, the TOS or traffic class, and an extended error (IP_RECVERR, IPV6_RECVERR). The typed,
 * allocating form of the same is {@link ReceivedMessage}.
 *
 * <p>Each receive overwrites every field. Not for concurrent use: one holder per receiving thread.
 * Readers that make objects ({@link #sender()}, {@link #errorOffender()}) say so.
 */
public final class MessageInfo {
    final ControlFields fields = new ControlFields();
    long length;

    /** An empty holder, to pass to receives. */
    public MessageInfo() {
        fields.senderFamily = Const.AF_UNSPEC;
        fields.offenderFamily = Const.AF_UNSPEC;
        fields.ttl = -1;
        fields.tos = -1;
    }

    /** The bytes the last receive stored (with {@link MsgFlag#TRUNC} asked for: the datagram's real length). */
    public long length() {
        return length;
    }

    /** Whether the message was longer than the buffer and its tail was dropped (MSG_TRUNC). */
    public boolean isTruncated() {
        return (fields.msgFlags & Const.MSG_TRUNC) != 0;
    }

    /** Whether control data was dropped for lack of room (MSG_CTRUNC). */
    public boolean isControlTruncated() {
        return (fields.msgFlags & Const.MSG_CTRUNC) != 0;
    }

    /** The raw msg_flags of recvmsg(2). */
    public int flagBits() {
        return fields.msgFlags;
    }

    /** The sender's IP address length: 4 (IPv4), 16 (IPv6), or 0 when the kernel named none or not an IP address. */
    public int senderAddressLength() {
        return addressLength(fields.senderFamily);
    }

    /**
     * Copies the sender's IP address (network order) into {@code into} from index 0; returns the
     * bytes copied, as {@link #senderAddressLength()}. Allocates nothing.
     */
    public int copySenderAddress(byte[] into) {
        int n = senderAddressLength();
        System.arraycopy(fields.sender, 0, into, 0, n);
        return n;
    }

    /** Whether the sender's IP address is exactly {@code address} (4 or 16 bytes, network order). Allocates nothing. */
    public boolean senderAddressIs(byte[] address) {
        int n = senderAddressLength();
        return n != 0 && address.length == n && Arrays.equals(fields.sender, 0, n, address, 0, n);
    }

    /** The sender's port (0 for ICMP). */
    public int senderPort() {
        return fields.senderPort;
    }

    /** The sender as a new address object, or null when it has no IP address (allocates). */
    public InetSocketAddress sender() {
        InetAddress a = inet(fields.senderFamily, fields.sender);
        return a == null ? null : new InetSocketAddress(a, fields.senderPort);
    }

    /** Whether a receive timestamp (SCM_TIMESTAMPNS) came. */
    public boolean hasTimestamp() {
        return fields.hasTimestamp;
    }

    /** The receive timestamp in nanoseconds since the epoch (CLOCK_REALTIME), or 0 if none came. */
    public long timestampNanos() {
        return fields.hasTimestamp ? fields.timestampNanos : 0;
    }

    /** The TTL (IP_RECVTTL) or hop limit (IPV6_RECVHOPLIMIT) of the message, or -1 if none came. */
    public int ttl() {
        return fields.ttl;
    }

    /** The TOS (IP_RECVTOS) or traffic class (IPV6_RECVTCLASS) of the message, or -1 if none came. */
    public int tos() {
        return fields.tos;
    }

    /** Whether an extended error (struct sock_extended_err, from the error queue) came; the {@code error...} readers describe it. */
    public boolean hasError() {
        return fields.hasError;
    }

    /** ee_errno: the error number (EHOSTUNREACH for time exceeded, say). */
    public int errorErrno() {
        return fields.errorErrno;
    }

    /** ee_origin: {@link ControlMessage.ExtendedError#ORIGIN_ICMP}, ORIGIN_ICMP6, ORIGIN_LOCAL ... */
    public int errorOrigin() {
        return fields.errorOrigin;
    }

    /** ee_type: the ICMP type for ICMP origins. */
    public int errorType() {
        return fields.errorType;
    }

    /** ee_code: the ICMP code for ICMP origins. */
    public int errorCode() {
        return fields.errorCode;
    }

    /** ee_info: the MTU for "fragmentation needed" and local EMSGSIZE errors. */
    public int errorInfo() {
        return fields.errorInfo;
    }

    /** ee_data. */
    public int errorData() {
        return fields.errorData;
    }

    /** The error's offender (SO_EE_OFFENDER: the router that sent it) as a new object, or null if none (allocates). */
    public InetAddress errorOffender() {
        return fields.hasError ? inet(fields.offenderFamily, fields.offender) : null;
    }

    /** fds that arrived (SCM_RIGHTS, SCM_PIDFD): this form keeps none, so they were closed at once. */
    public int fdsClosed() {
        return fields.fdsClosed;
    }

    /** Control messages of other kinds, which this form skips ({@link Socket#recvMsg(java.util.List, int, java.util.Set)} types them). */
    public int otherControlMessages() {
        return fields.others;
    }

    private static int addressLength(int family) {
        return family == Const.AF_INET ? 4 : family == Const.AF_INET6 ? 16 : 0;
    }

    private static InetAddress inet(int family, byte[] bytes) {
        int n = addressLength(family);
        if (n == 0) return null;
        try {
            return InetAddress.getByAddress(Arrays.copyOf(bytes, n));
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes
        }
    }

    @Override
    public String toString() {
        return "MessageInfo[length=" + length + ", flags=0x" + Integer.toHexString(fields.msgFlags) + ", sender=" + sender()
                + (fields.hasTimestamp ? ", timestamp=" + fields.timestampNanos : "") + (fields.ttl >= 0 ? ", ttl=" + fields.ttl : "")
                + (fields.tos >= 0 ? ", tos=" + fields.tos : "") + (fields.hasError ? ", error errno=" + fields.errorErrno
                + " origin=" + fields.errorOrigin + " type=" + fields.errorType + " code=" + fields.errorCode : "") + "]";
    }
}
