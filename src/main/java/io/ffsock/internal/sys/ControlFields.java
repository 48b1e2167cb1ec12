package io.ffsock.internal.sys;

/**
 * What one recvmsg(2) said besides its data, as plain fields a caller reuses for every call: the
 * msg_flags, the sender's IP address and port, and the common control messages of IP sockets.
 * Filled by {@link Syscalls#recvmsg(int, java.lang.foreign.MemorySegment, int, int, ControlFields)},
 * which allocates nothing; the public holder above this layer reads it.
 */
public final class ControlFields {
    /** msg_flags of the last receive. */
    public int msgFlags;
    /** The sender's sa_family (AF_INET, AF_INET6) or AF_UNSPEC when the kernel gave none. */
    public int senderFamily;
    /** The sender's port (0 for ICMP). */
    public int senderPort;
    /** AF_INET6: the sender's sin6_scope_id. */
    public int senderScopeId;
    /** The sender's address bytes in network order: 4 (AF_INET) or 16 (AF_INET6) are valid, per {@link #senderFamily}. */
    public final byte[] sender = new byte[16];
    /** SCM_TIMESTAMPNS as nanoseconds since the epoch; valid when {@link #hasTimestamp}. */
    public long timestampNanos;
    /** Whether an SCM_TIMESTAMPNS came. */
    public boolean hasTimestamp;
    /** IP_TTL or IPV6_HOPLIMIT, else -1. */
    public int ttl;
    /** IP_TOS or IPV6_TCLASS, else -1. */
    public int tos;
    /** Whether an IP_RECVERR / IPV6_RECVERR message (struct sock_extended_err) came; its fields follow. */
    public boolean hasError;
    /** ee_errno. */
    public int errorErrno;
    /** ee_origin. */
    public int errorOrigin;
    /** ee_type. */
    public int errorType;
    /** ee_code. */
    public int errorCode;
    /** ee_info. */
    public int errorInfo;
    /** ee_data. */
    public int errorData;
    /** The offender's sa_family (SO_EE_OFFENDER), AF_UNSPEC when none. */
    public int offenderFamily;
    /** The offender's address bytes in network order, 4 or 16 valid per {@link #offenderFamily}. */
    public final byte[] offender = new byte[16];
    /** fds that arrived (SCM_RIGHTS, SCM_PIDFD) and were closed at once: this form keeps none. */
    public int fdsClosed;
    /** Control messages of any other kind, skipped. */
    public int others;

    /** Forgets the last receive. */
    void clear() {
        msgFlags = 0;
        senderFamily = Const.AF_UNSPEC;
        senderPort = 0;
        senderScopeId = 0;
        hasTimestamp = false;
        timestampNanos = 0;
        ttl = -1;
        tos = -1;
        hasError = false;
        errorErrno = errorOrigin = errorType = errorCode = errorInfo = errorData = 0;
        offenderFamily = Const.AF_UNSPEC;
        fdsClosed = 0;
        others = 0;
    }
}
