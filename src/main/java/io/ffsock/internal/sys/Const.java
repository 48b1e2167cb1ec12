package io.ffsock.internal.sys;

/**
 * The C constants ffsock passes to the kernel, named exactly as the C macros.
 *
 * <p>Values are those of Linux on x86_64 and aarch64 (glibc). Every field here is compared with the
 * real headers by the conformance test ({@code native-tests/conformance.c}), which reads this class
 * by reflection: a constant added here is checked automatically, so keep the C name.
 */
public final class Const {
    private Const() {}

    // Address families, socket(2).
    public static final int AF_UNSPEC = 0;
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_PACKET = 17;

    // Socket types and the flags that may be or'ed into the type argument.
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    // Protocol numbers, protocols(5).
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_IGMP = 2;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int IPPROTO_RAW = 255;

    // Option levels.
    public static final int SOL_SOCKET = 1;
    public static final int SOL_IP = 0;
    public static final int SOL_TCP = 6;
    public static final int SOL_IPV6 = 41;
    public static final int SOL_ICMPV6 = 58;
    public static final int SOL_RAW = 255;

    // SOL_SOCKET options, socket(7).
    public static final int SO_DEBUG = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_DONTROUTE = 5;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_OOBINLINE = 10;
    public static final int SO_PRIORITY = 12;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_PASSCRED = 16;
    public static final int SO_PEERCRED = 17;
    public static final int SO_RCVLOWAT = 18;
    public static final int SO_SNDLOWAT = 19;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_SNDTIMEO = 21;
    public static final int SO_BINDTODEVICE = 25;
    public static final int SO_TIMESTAMP = 29;
    /** SO_TIMESTAMPNS (SO_TIMESTAMPNS_OLD: struct timespec of the native time_t); also its cmsg type SCM_TIMESTAMPNS. */
    public static final int SO_TIMESTAMPNS = 35;
    public static final int SCM_TIMESTAMPNS = 35;
    public static final int SO_ACCEPTCONN = 30;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_MARK = 36;
    public static final int SO_PROTOCOL = 38;
    public static final int SO_DOMAIN = 39;
    public static final int SO_PEEK_OFF = 42;
    public static final int SO_BUSY_POLL = 46;
    public static final int SO_INCOMING_CPU = 49;

    // IPPROTO_TCP options, tcp(7).
    public static final int TCP_NODELAY = 1;
    public static final int TCP_MAXSEG = 2;
    public static final int TCP_CORK = 3;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;
    public static final int TCP_QUICKACK = 12;
    public static final int TCP_USER_TIMEOUT = 18;

    // IPPROTO_IP options, ip(7).
    public static final int IP_TOS = 1;
    public static final int IP_TTL = 2;
    public static final int IP_HDRINCL = 3;
    public static final int IP_OPTIONS = 4;
    public static final int IP_PKTINFO = 8;
    public static final int IP_MTU_DISCOVER = 10;
    public static final int IP_RECVERR = 11;
    public static final int IP_RECVTTL = 12;
    public static final int IP_RECVTOS = 13;
    public static final int IP_MTU = 14;
    public static final int IP_FREEBIND = 15;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int IP_DROP_MEMBERSHIP = 36;
    public static final int IP_ADD_SOURCE_MEMBERSHIP = 39;
    public static final int IP_DROP_SOURCE_MEMBERSHIP = 40;
    public static final int IP_MULTICAST_ALL = 49;
    public static final int IP_ROUTER_ALERT = 5;
    public static final int IP_PMTUDISC_DONT = 0;
    public static final int IP_PMTUDISC_WANT = 1;
    public static final int IP_PMTUDISC_DO = 2;
    public static final int IP_PMTUDISC_PROBE = 3;

    // IPPROTO_IPV6 options, ipv6(7).
    public static final int IPV6_CHECKSUM = 7;
    public static final int IPV6_HDRINCL = 36;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_MULTICAST_LOOP = 19;
    public static final int IPV6_JOIN_GROUP = 20;
    public static final int IPV6_LEAVE_GROUP = 21;
    public static final int IPV6_MTU_DISCOVER = 23;
    public static final int IPV6_RECVERR = 25;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;
    public static final int IPV6_RECVHOPLIMIT = 51;
    public static final int IPV6_HOPLIMIT = 52;
    public static final int IPV6_RECVTCLASS = 66;
    public static final int IPV6_TCLASS = 67;

    // Origins of a struct sock_extended_err, linux/errqueue.h.
    public static final int SO_EE_ORIGIN_NONE = 0;
    public static final int SO_EE_ORIGIN_LOCAL = 1;
    public static final int SO_EE_ORIGIN_ICMP = 2;
    public static final int SO_EE_ORIGIN_ICMP6 = 3;

    // AF_PACKET, packet(7).
    public static final int SOL_PACKET = 263;
    public static final int ETH_P_ALL = 3;
    public static final int ETH_P_IP = 0x800;
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;

    // SOL_RAW / SOL_ICMPV6 filters.
    public static final int ICMP_FILTER = 1;
    public static final int ICMP6_FILTER = 1;

    // send(2)/recv(2) flags.
    public static final int MSG_OOB = 0x1;
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTROUTE = 0x4;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_EOR = 0x80;
    public static final int MSG_WAITALL = 0x100;
    public static final int MSG_CONFIRM = 0x800;
    public static final int MSG_ERRQUEUE = 0x2000;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_MORE = 0x8000;
    public static final int MSG_WAITFORONE = 0x10000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    // fchmodat(2).
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;

    // Control message types at SOL_SOCKET, unix(7).
    public static final int SCM_RIGHTS = 1;
    public static final int SCM_CREDENTIALS = 2;

    // shutdown(2).
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // fcntl(2).
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = 0x800;

    // open(2).
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int O_TRUNC = 0x200;
    public static final int O_APPEND = 0x400;
    public static final int O_CLOEXEC = 0x80000;

    // poll(2).
    public static final int POLLIN = 0x1;
    public static final int POLLPRI = 0x2;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLNVAL = 0x20;

    // epoll(7): epoll_create1(2), epoll_ctl(2) and the event bits of struct epoll_event.
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLONESHOT = 1 << 30;
    /** 1u << 31 in C: negative here, compared as unsigned by the conformance test. */
    public static final int EPOLLET = 1 << 31;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLL_CLOEXEC = 0x80000;

    // errno values the library acts on, errno(3).
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EEXIST = 17;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int EWOULDBLOCK = 11;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ENOTSOCK = 88;
    public static final int EDESTADDRREQ = 89;
    public static final int EMSGSIZE = 90;
    public static final int EPROTOTYPE = 91;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int ESOCKTNOSUPPORT = 94;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;

    /** ioctl: bytes queued to read (SIOCINQ); on a datagram socket, the size of the next datagram. */
    public static final long FIONREAD = 0x541B;

    // posix_spawn(3) attribute flags, waitpid(2) options, signal(7) numbers.
    public static final int POSIX_SPAWN_SETPGROUP = 0x02;
    public static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc 2.26 and later. */
    public static final int POSIX_SPAWN_SETSID = 0x80;
    public static final int WNOHANG = 1;
    public static final int SIGKILL = 9;
    public static final int SIGPIPE = 13;
    public static final int SIGTERM = 15;
    // pthread_sigmask(3) how.
    public static final int SIG_BLOCK = 0;
    public static final int SIG_SETMASK = 2;
    // getrlimit(2) resources.
    public static final int RLIMIT_NOFILE = 7;

    // syscall(2) numbers of calls older glibc has no wrapper for (the same on x86_64 and aarch64).
    public static final int SYS_pidfd_send_signal = 424;
    public static final int SYS_pidfd_open = 434;

    // Sizes from the headers.
    /** sizeof(((struct sockaddr_un *) 0)->sun_path). */
    public static final int UNIX_PATH_MAX = 108;
    /** Interface name buffer size, net/if.h. */
    public static final int IFNAMSIZ = 16;

    // AF_NETLINK sockets, netlink(7): protocols and SOL_NETLINK options.
    public static final int AF_NETLINK = 16;
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_SOCK_DIAG = 4;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    public static final int NETLINK_PKTINFO = 3;
    public static final int NETLINK_BROADCAST_ERROR = 4;
    public static final int NETLINK_NO_ENOBUFS = 5;
    public static final int NETLINK_LISTEN_ALL_NSID = 8;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;

    // io_uring(7): io_uring_setup(2), io_uring_enter(2), io_uring_register(2) and linux/io_uring.h.
    // The syscall numbers are the same on x86_64 and aarch64 (asm-generic since Linux 5.1).
    public static final int SYS_io_uring_setup = 425;
    public static final int SYS_io_uring_enter = 426;
    public static final int SYS_io_uring_register = 427;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final int ECANCELED = 125;
    public static final int ETIME = 62;
    public static final int EBUSY = 16;
    public static final int ENOSYS = 38;
    public static final int EFD_CLOEXEC = 02000000;
    public static final int EFD_NONBLOCK = 04000;
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    public static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    public static final int IORING_FEAT_SINGLE_MMAP = 1 << 0;
    public static final int IORING_FEAT_NODROP = 1 << 1;
    public static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    public static final int IORING_FEAT_FAST_POLL = 1 << 5;
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    public static final int IORING_FEAT_NATIVE_WORKERS = 1 << 9;
    public static final int IORING_FEAT_RSRC_TAGS = 1 << 10;
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;
    public static final int IORING_ENTER_GETEVENTS = 1 << 0;
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;
    public static final int IORING_SQ_NEED_WAKEUP = 1 << 0;
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    public static final int IORING_SQ_TASKRUN = 1 << 2;
    public static final int IOSQE_FIXED_FILE = 1 << 0;
    public static final int IOSQE_IO_DRAIN = 1 << 1;
    public static final int IOSQE_IO_LINK = 1 << 2;
    public static final int IOSQE_IO_HARDLINK = 1 << 3;
    public static final int IOSQE_ASYNC = 1 << 4;
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    public static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;
    public static final int IORING_CQE_F_BUFFER = 1 << 0;
    public static final int IORING_CQE_F_MORE = 1 << 1;
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    public static final int IORING_CQE_F_NOTIF = 1 << 3;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;
    public static final int IORING_OFF_SQ_RING = 0;
    public static final int IORING_OFF_CQ_RING = 0x8000000;
    public static final int IORING_OFF_SQES = 0x10000000;
    public static final int IORING_TIMEOUT_ABS = 1 << 0;
    public static final int IORING_POLL_ADD_MULTI = 1 << 0;
    public static final int IORING_ASYNC_CANCEL_ALL = 1 << 0;
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;
    public static final int IORING_ASYNC_CANCEL_ANY = 1 << 2;
    public static final int IORING_RECVSEND_POLL_FIRST = 1 << 0;
    public static final int IORING_RECV_MULTISHOT = 1 << 1;
    public static final int IORING_ACCEPT_MULTISHOT = 1 << 0;
    public static final int IO_URING_OP_SUPPORTED = 1 << 0;
    // enum io_uring_op
    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_READ_FIXED = 4;
    public static final int IORING_OP_WRITE_FIXED = 5;
    public static final int IORING_OP_POLL_ADD = 6;
    public static final int IORING_OP_POLL_REMOVE = 7;
    public static final int IORING_OP_SENDMSG = 9;
    public static final int IORING_OP_RECVMSG = 10;
    public static final int IORING_OP_TIMEOUT = 11;
    public static final int IORING_OP_TIMEOUT_REMOVE = 12;
    public static final int IORING_OP_ACCEPT = 13;
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    public static final int IORING_OP_LINK_TIMEOUT = 15;
    public static final int IORING_OP_CONNECT = 16;
    public static final int IORING_OP_CLOSE = 19;
    public static final int IORING_OP_READ = 22;
    public static final int IORING_OP_WRITE = 23;
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    public static final int IORING_OP_SHUTDOWN = 34;
    // io_uring_register(2) opcodes
    public static final int IORING_REGISTER_BUFFERS = 0;
    public static final int IORING_UNREGISTER_BUFFERS = 1;
    public static final int IORING_REGISTER_FILES = 2;
    public static final int IORING_UNREGISTER_FILES = 3;
    public static final int IORING_REGISTER_FILES_UPDATE = 6;
    public static final int IORING_REGISTER_PROBE = 8;
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;

    /**
     * Kernel ABI values newer than the C headers the conformance probe is built against (Debian
     * 12's linux-libc-dev 6.1 prints them UNDEFINED), taken from the kernel's
     * include/uapi/asm-generic/socket.h and include/linux/socket.h. The probe cannot check them;
     * the tests that use them can, against the running kernel (msg.PidFdTest, msg.CredentialsTest).
     */
    public static final class AfterHeaders {
        private AfterHeaders() {}

        /** Linux 6.5. */
        public static final int SO_PASSPIDFD = 76;
        /** Linux 6.5. */
        public static final int SO_PEERPIDFD = 77;
        /** Linux 6.5. */
        public static final int SCM_PIDFD = 4;
    }
}
