package io.ffsock.internal.sys;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;

/**
 * The C structs ffsock reads and writes, as {@link StructLayout}s with the C member names.
 *
 * <p>Layouts are for LP64 Linux (x86_64, aarch64). The conformance test compares every layout here
 * (found by reflection: a {@code public static final StructLayout} named after the struct) with
 * {@code sizeof} and {@code offsetof} from the real headers, so keep struct and member names as in C.
 * Padding is unnamed and not compared.
 */
public final class Structs {
    private Structs() {}

    /** struct sockaddr, the generic address header. */
    public static final StructLayout SOCKADDR = structLayout(
            JAVA_SHORT.withName("sa_family"),
            sequenceLayout(14, JAVA_BYTE).withName("sa_data"));

    /** struct sockaddr_un, unix(7). */
    public static final StructLayout SOCKADDR_UN = structLayout(
            JAVA_SHORT.withName("sun_family"),
            sequenceLayout(Const.UNIX_PATH_MAX, JAVA_BYTE).withName("sun_path"));

    /** struct sockaddr_in, ip(7); port and address in network byte order. */
    public static final StructLayout SOCKADDR_IN = structLayout(
            JAVA_SHORT.withName("sin_family"),
            JAVA_SHORT.withName("sin_port"),
            JAVA_INT.withName("sin_addr"),
            sequenceLayout(8, JAVA_BYTE).withName("sin_zero"));

    /** struct sockaddr_in6, ipv6(7). */
    public static final StructLayout SOCKADDR_IN6 = structLayout(
            JAVA_SHORT.withName("sin6_family"),
            JAVA_SHORT.withName("sin6_port"),
            JAVA_INT.withName("sin6_flowinfo"),
            sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id"));

    /** struct sockaddr_storage: room for any address. */
    public static final StructLayout SOCKADDR_STORAGE = structLayout(
            JAVA_SHORT.withName("ss_family"),
            sequenceLayout(126, JAVA_BYTE));

    /** struct iovec, readv(2). */
    public static final StructLayout IOVEC = structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));

    /** struct msghdr, recvmsg(2). */
    public static final StructLayout MSGHDR = structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            paddingLayout(4));

    /** struct mmsghdr, recvmmsg(2). */
    public static final StructLayout MMSGHDR = structLayout(
            MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"),
            paddingLayout(4));

    /** struct cmsghdr, cmsg(3). */
    public static final StructLayout CMSGHDR = structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type"));

    /** struct linger, socket(7). */
    public static final StructLayout LINGER = structLayout(
            JAVA_INT.withName("l_onoff"),
            JAVA_INT.withName("l_linger"));

    /** struct timeval, for SO_RCVTIMEO/SO_SNDTIMEO. */
    public static final StructLayout TIMEVAL = structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_usec"));

    /** struct pollfd, poll(2). */
    public static final StructLayout POLLFD = structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents"));

    /**
     * struct epoll_event, epoll_ctl(2). The x86_64 kernel ABI packs it (12 bytes, {@code data} at
     * offset 4, {@code __EPOLL_PACKED} in the header); elsewhere (aarch64) {@code data} is
     * 8-aligned and the struct is 16 bytes. {@code data} is a union (epoll_data_t): ffsock uses
     * its 64-bit member.
     */
    public static final StructLayout EPOLL_EVENT = "amd64".equals(System.getProperty("os.arch"))
                    || "x86_64".equals(System.getProperty("os.arch"))
            ? structLayout(
                    JAVA_INT.withName("events"),
                    JAVA_LONG.withByteAlignment(4).withName("data"))
            : structLayout(
                    JAVA_INT.withName("events"),
                    paddingLayout(4),
                    JAVA_LONG.withName("data"));

    /** struct ip_mreqn, ip(7): IP_ADD_MEMBERSHIP and IP_MULTICAST_IF; addresses in network order. */
    public static final StructLayout IP_MREQN = structLayout(
            JAVA_INT.withName("imr_multiaddr"),
            JAVA_INT.withName("imr_address"),
            JAVA_INT.withName("imr_ifindex"));

    /** struct ip_mreq_source, ip(7): IP_ADD_SOURCE_MEMBERSHIP. */
    public static final StructLayout IP_MREQ_SOURCE = structLayout(
            JAVA_INT.withName("imr_multiaddr"),
            JAVA_INT.withName("imr_interface"),
            JAVA_INT.withName("imr_sourceaddr"));

    /** struct ipv6_mreq, ipv6(7): IPV6_JOIN_GROUP. */
    public static final StructLayout IPV6_MREQ = structLayout(
            sequenceLayout(16, JAVA_BYTE).withName("ipv6mr_multiaddr"),
            JAVA_INT.withName("ipv6mr_interface"));

    /** struct in_pktinfo, ip(7): the IP_PKTINFO control message. */
    public static final StructLayout IN_PKTINFO = structLayout(
            JAVA_INT.withName("ipi_ifindex"),
            JAVA_INT.withName("ipi_spec_dst"),
            JAVA_INT.withName("ipi_addr"));

    /** struct in6_pktinfo, ipv6(7): the IPV6_PKTINFO control message. */
    public static final StructLayout IN6_PKTINFO = structLayout(
            sequenceLayout(16, JAVA_BYTE).withName("ipi6_addr"),
            JAVA_INT.withName("ipi6_ifindex"));

    /** struct sock_extended_err, linux/errqueue.h: IP_RECVERR's control message. */
    public static final StructLayout SOCK_EXTENDED_ERR = structLayout(
            JAVA_INT.withName("ee_errno"),
            JAVA_BYTE.withName("ee_origin"),
            JAVA_BYTE.withName("ee_type"),
            JAVA_BYTE.withName("ee_code"),
            JAVA_BYTE.withName("ee_pad"),
            JAVA_INT.withName("ee_info"),
            JAVA_INT.withName("ee_data"));

    /** struct timespec, time.h: the payload of SCM_TIMESTAMPNS (64-bit time_t and long here). */
    public static final StructLayout TIMESPEC = structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec"));

    /** struct icmp6_filter, RFC 3542: a set bit blocks that ICMPv6 type. */
    public static final StructLayout ICMP6_FILTER = structLayout(
            sequenceLayout(8, JAVA_INT).withName("icmp6_filt"));

    /** struct sockaddr_ll, packet(7): a link-level address. */
    public static final StructLayout SOCKADDR_LL = structLayout(
            JAVA_SHORT.withName("sll_family"),
            JAVA_SHORT.withName("sll_protocol"),
            JAVA_INT.withName("sll_ifindex"),
            JAVA_SHORT.withName("sll_hatype"),
            JAVA_BYTE.withName("sll_pkttype"),
            JAVA_BYTE.withName("sll_halen"),
            sequenceLayout(8, JAVA_BYTE).withName("sll_addr"));

    /** struct sockaddr_nl, netlink(7): a netlink port id and the multicast groups bitmask. */
    public static final StructLayout SOCKADDR_NL = structLayout(
            JAVA_SHORT.withName("nl_family"),
            JAVA_SHORT.withName("nl_pad"),
            JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups"));

    /** struct ucred, unix(7): SO_PEERCRED and SCM_CREDENTIALS. */
    public static final StructLayout UCRED = structLayout(
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"));

    /**
     * posix_spawn_file_actions_t, posix_spawn(3): opaque, only its size is used (and checked), to
     * allocate one in native memory for posix_spawn_file_actions_init.
     */
    public static final StructLayout POSIX_SPAWN_FILE_ACTIONS_T = structLayout(sequenceLayout(10, JAVA_LONG));

    /** posix_spawnattr_t, posix_spawnattr_init(3): opaque, as above. */
    public static final StructLayout POSIX_SPAWNATTR_T = structLayout(sequenceLayout(42, JAVA_LONG));

    /** sigset_t, sigsetops(3): opaque, filled by sigemptyset/sigfillset. */
    public static final StructLayout SIGSET_T = structLayout(sequenceLayout(16, JAVA_LONG));

    /** struct rlimit, getrlimit(2): rlim_t is an unsigned long; RLIM_INFINITY is all ones. */
    public static final StructLayout RLIMIT = structLayout(
            JAVA_LONG.withName("rlim_cur"),
            JAVA_LONG.withName("rlim_max"));

    // ---- io_uring(7), linux/io_uring.h ----------------------------------------------------------

    /** struct io_sqring_offsets: where io_uring_setup(2) put each field of the submission ring. */
    public static final StructLayout IO_SQRING_OFFSETS = structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("resv2"));

    /** struct io_cqring_offsets: where io_uring_setup(2) put each field of the completion ring. */
    public static final StructLayout IO_CQRING_OFFSETS = structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("overflow"),
            JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("resv2"));

    /** struct io_uring_params, io_uring_setup(2): sizes and flags in, features and offsets out. */
    public static final StructLayout IO_URING_PARAMS = structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            sequenceLayout(3, JAVA_INT).withName("resv"),
            IO_SQRING_OFFSETS.withName("sq_off"),
            IO_CQRING_OFFSETS.withName("cq_off"));

    /**
     * struct io_uring_sqe, one submission. The C struct is mostly unions; each is named here by
     * the member ffsock writes ({@code rw_flags} also holds msg_flags, poll32_events,
     * timeout_flags, accept_flags and cancel_flags; {@code buf_index} also buf_group;
     * {@code file_index} also splice_fd_in), which is how the probe prints them.
     */
    public static final StructLayout IO_URING_SQE = structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            JAVA_LONG.withName("off"),
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("rw_flags"),
            JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"),
            JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("file_index"),
            JAVA_LONG.withName("addr3"),
            paddingLayout(8));

    /** struct io_uring_cqe, one completion (without IORING_SETUP_CQE32). */
    public static final StructLayout IO_URING_CQE = structLayout(
            JAVA_LONG.withName("user_data"),
            JAVA_INT.withName("res"),
            JAVA_INT.withName("flags"));

    /** struct io_uring_buf: one provided buffer in a buffer ring. */
    public static final StructLayout IO_URING_BUF = structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv"));

    /**
     * struct io_uring_buf_ring: its header overlays the first io_uring_buf (a union), so only
     * {@code tail} (in the first buffer's resv) is the ring's own.
     */
    public static final StructLayout IO_URING_BUF_RING = structLayout(
            JAVA_LONG.withName("resv1"),
            JAVA_INT.withName("resv2"),
            JAVA_SHORT.withName("resv3"),
            JAVA_SHORT.withName("tail"));

    /** struct io_uring_buf_reg, IORING_REGISTER_PBUF_RING. */
    public static final StructLayout IO_URING_BUF_REG = structLayout(
            JAVA_LONG.withName("ring_addr"),
            JAVA_INT.withName("ring_entries"),
            JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("pad"),
            sequenceLayout(3, JAVA_LONG).withName("resv"));

    /** struct io_uring_probe_op, one opcode in IORING_REGISTER_PROBE's answer. */
    public static final StructLayout IO_URING_PROBE_OP = structLayout(
            JAVA_BYTE.withName("op"),
            JAVA_BYTE.withName("resv"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2"));

    /** struct io_uring_probe, IORING_REGISTER_PROBE; io_uring_probe_op entries follow it. */
    public static final StructLayout IO_URING_PROBE = structLayout(
            JAVA_BYTE.withName("last_op"),
            JAVA_BYTE.withName("ops_len"),
            JAVA_SHORT.withName("resv"),
            sequenceLayout(3, JAVA_INT).withName("resv2"));

    /** struct io_uring_files_update, IORING_REGISTER_FILES_UPDATE. */
    public static final StructLayout IO_URING_FILES_UPDATE = structLayout(
            JAVA_INT.withName("offset"),
            JAVA_INT.withName("resv"),
            JAVA_LONG.withName("fds"));

    /** struct io_uring_getevents_arg, io_uring_enter(2) with IORING_ENTER_EXT_ARG: a wait with a timeout. */
    public static final StructLayout IO_URING_GETEVENTS_ARG = structLayout(
            JAVA_LONG.withName("sigmask"),
            JAVA_INT.withName("sigmask_sz"),
            JAVA_INT.withName("pad"),
            JAVA_LONG.withName("ts"));

    /** struct __kernel_timespec, linux/time_types.h: the timeout of IORING_OP_TIMEOUT. */
    public static final StructLayout KERNEL_TIMESPEC = structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec"));
}
