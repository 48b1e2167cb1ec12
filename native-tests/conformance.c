/*
 * Layout and constant conformance probe for ffsock.
 *
 * Prints one line "NAME VALUE" (decimal) for
 *   - every constant listed in conformance-names.txt (via the generated conformance-names.h);
 *     a listed name these headers do not define prints "UNDEFINED NAME" instead,
 *   - UNIX_PATH_MAX = sizeof(((struct sockaddr_un *) 0)->sun_path),
 *   - CMSG_LEN_n / CMSG_SPACE_n for a few payload sizes,
 *   - for each struct S (named in upper case, as the StructLayout fields of
 *     io.ffsock.internal.sys.Structs): SIZEOF_S, ALIGNOF_S, and for each member m
 *     OFFSETOF_S_M and MEMBERSIZE_S_M (M upper-cased).
 * It is a superset of what the Java side declares; the Java test (ConformanceTest) checks the
 * names it knows and ignores the rest.
 *
 * Headers: glibc first, then the linux/ uapi headers. The order matters: linux/libc-compat.h
 * suppresses the uapi duplicates of struct in6_addr, struct ifreq, ... only when the glibc
 * header (netinet/in.h, net/if.h) came first. glibc's netinet/ip_icmp.h is not included at all:
 * it redefines struct icmphdr from linux/icmp.h (which is the one that has ICMP_FILTER).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netpacket/packet.h>

#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <linux/sockios.h>
/* io.ffsock.netlink: rtnetlink and sock_diag (linux/rtnetlink.h brings if_link, if_addr, neighbour) */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

static void constant(const char *name, long long value) {
    printf("%s %lld\n", name, value);
}

static void undefined(const char *name) {
    printf("UNDEFINED %s\n", name);
}

static void upper(const char *s) {
    for (; *s; s++) putchar(toupper((unsigned char) *s));
}

static void struct_line(const char *what, const char *s, const char *m, size_t value) {
    printf("%s_%s", what, s);
    if (m != NULL) {
        putchar('_');
        upper(m);
    }
    printf(" %zu\n", value);
}

/* Casting through long long keeps unsigned 32-bit values (EPOLLET, INADDR_NONE) positive. */
#define C(name) constant(#name, (long long) (name))
#define U(name) undefined(name)

#define STRUCT(S, T) do { \
        struct_line("SIZEOF", #S, NULL, sizeof(T)); \
        struct_line("ALIGNOF", #S, NULL, _Alignof(T)); \
    } while (0)
/* #m is the member as written (ifr_ifindex), offsetof sees its expansion (ifr_ifru.ifru_ivalue). */
#define MEMBER(S, T, m) do { \
        struct_line("OFFSETOF", #S, #m, offsetof(T, m)); \
        struct_line("MEMBERSIZE", #S, #m, sizeof(((T *) 0)->m)); \
    } while (0)

static void constants(void) {
#include "conformance-names.h"
    constant("UNIX_PATH_MAX", (long long) sizeof(((struct sockaddr_un *) 0)->sun_path));
}

static void cmsg_sizes(void) {
    static const size_t sizes[] = {0, 1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 40, 64, 253 * sizeof(int)};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        printf("CMSG_LEN_%zu %zu\n", sizes[i], (size_t) CMSG_LEN(sizes[i]));
        printf("CMSG_SPACE_%zu %zu\n", sizes[i], (size_t) CMSG_SPACE(sizes[i]));
    }
}

static void structs(void) {
    STRUCT(SOCKADDR, struct sockaddr);
    MEMBER(SOCKADDR, struct sockaddr, sa_family);
    MEMBER(SOCKADDR, struct sockaddr, sa_data);

    STRUCT(SOCKADDR_UN, struct sockaddr_un);
    MEMBER(SOCKADDR_UN, struct sockaddr_un, sun_family);
    MEMBER(SOCKADDR_UN, struct sockaddr_un, sun_path);

    STRUCT(IN_ADDR, struct in_addr);
    MEMBER(IN_ADDR, struct in_addr, s_addr);

    STRUCT(IN6_ADDR, struct in6_addr);
    MEMBER(IN6_ADDR, struct in6_addr, s6_addr);

    STRUCT(SOCKADDR_IN, struct sockaddr_in);
    MEMBER(SOCKADDR_IN, struct sockaddr_in, sin_family);
    MEMBER(SOCKADDR_IN, struct sockaddr_in, sin_port);
    MEMBER(SOCKADDR_IN, struct sockaddr_in, sin_addr);
    MEMBER(SOCKADDR_IN, struct sockaddr_in, sin_zero);

    STRUCT(SOCKADDR_IN6, struct sockaddr_in6);
    MEMBER(SOCKADDR_IN6, struct sockaddr_in6, sin6_family);
    MEMBER(SOCKADDR_IN6, struct sockaddr_in6, sin6_port);
    MEMBER(SOCKADDR_IN6, struct sockaddr_in6, sin6_flowinfo);
    MEMBER(SOCKADDR_IN6, struct sockaddr_in6, sin6_addr);
    MEMBER(SOCKADDR_IN6, struct sockaddr_in6, sin6_scope_id);

    STRUCT(SOCKADDR_STORAGE, struct sockaddr_storage);
    MEMBER(SOCKADDR_STORAGE, struct sockaddr_storage, ss_family);

    STRUCT(SOCKADDR_LL, struct sockaddr_ll);
    MEMBER(SOCKADDR_LL, struct sockaddr_ll, sll_family);
    MEMBER(SOCKADDR_LL, struct sockaddr_ll, sll_protocol);
    MEMBER(SOCKADDR_LL, struct sockaddr_ll, sll_ifindex);
    MEMBER(SOCKADDR_LL, struct sockaddr_ll, sll_hatype);
    MEMBER(SOCKADDR_LL, struct sockaddr_ll, sll_pkttype);
    MEMBER(SOCKADDR_LL, struct sockaddr_ll, sll_halen);
    MEMBER(SOCKADDR_LL, struct sockaddr_ll, sll_addr);

    STRUCT(SOCKADDR_NL, struct sockaddr_nl);
    MEMBER(SOCKADDR_NL, struct sockaddr_nl, nl_family);
    MEMBER(SOCKADDR_NL, struct sockaddr_nl, nl_pad);
    MEMBER(SOCKADDR_NL, struct sockaddr_nl, nl_pid);
    MEMBER(SOCKADDR_NL, struct sockaddr_nl, nl_groups);

    STRUCT(IOVEC, struct iovec);
    MEMBER(IOVEC, struct iovec, iov_base);
    MEMBER(IOVEC, struct iovec, iov_len);

    STRUCT(MSGHDR, struct msghdr);
    MEMBER(MSGHDR, struct msghdr, msg_name);
    MEMBER(MSGHDR, struct msghdr, msg_namelen);
    MEMBER(MSGHDR, struct msghdr, msg_iov);
    MEMBER(MSGHDR, struct msghdr, msg_iovlen);
    MEMBER(MSGHDR, struct msghdr, msg_control);
    MEMBER(MSGHDR, struct msghdr, msg_controllen);
    MEMBER(MSGHDR, struct msghdr, msg_flags);

    STRUCT(MMSGHDR, struct mmsghdr);
    MEMBER(MMSGHDR, struct mmsghdr, msg_hdr);
    MEMBER(MMSGHDR, struct mmsghdr, msg_len);

    STRUCT(CMSGHDR, struct cmsghdr);
    MEMBER(CMSGHDR, struct cmsghdr, cmsg_len);
    MEMBER(CMSGHDR, struct cmsghdr, cmsg_level);
    MEMBER(CMSGHDR, struct cmsghdr, cmsg_type);

    STRUCT(LINGER, struct linger);
    MEMBER(LINGER, struct linger, l_onoff);
    MEMBER(LINGER, struct linger, l_linger);

    STRUCT(TIMEVAL, struct timeval);
    MEMBER(TIMEVAL, struct timeval, tv_sec);
    MEMBER(TIMEVAL, struct timeval, tv_usec);

    STRUCT(TIMESPEC, struct timespec);
    MEMBER(TIMESPEC, struct timespec, tv_sec);
    MEMBER(TIMESPEC, struct timespec, tv_nsec);

    STRUCT(POLLFD, struct pollfd);
    MEMBER(POLLFD, struct pollfd, fd);
    MEMBER(POLLFD, struct pollfd, events);
    MEMBER(POLLFD, struct pollfd, revents);

    STRUCT(EPOLL_EVENT, struct epoll_event);
    MEMBER(EPOLL_EVENT, struct epoll_event, events);
    MEMBER(EPOLL_EVENT, struct epoll_event, data);

    STRUCT(UCRED, struct ucred);
    MEMBER(UCRED, struct ucred, pid);
    MEMBER(UCRED, struct ucred, uid);
    MEMBER(UCRED, struct ucred, gid);

    STRUCT(IP_MREQ, struct ip_mreq);
    MEMBER(IP_MREQ, struct ip_mreq, imr_multiaddr);
    MEMBER(IP_MREQ, struct ip_mreq, imr_interface);

    STRUCT(IP_MREQN, struct ip_mreqn);
    MEMBER(IP_MREQN, struct ip_mreqn, imr_multiaddr);
    MEMBER(IP_MREQN, struct ip_mreqn, imr_address);
    MEMBER(IP_MREQN, struct ip_mreqn, imr_ifindex);

    STRUCT(IP_MREQ_SOURCE, struct ip_mreq_source);
    MEMBER(IP_MREQ_SOURCE, struct ip_mreq_source, imr_multiaddr);
    MEMBER(IP_MREQ_SOURCE, struct ip_mreq_source, imr_interface);
    MEMBER(IP_MREQ_SOURCE, struct ip_mreq_source, imr_sourceaddr);

    STRUCT(IPV6_MREQ, struct ipv6_mreq);
    MEMBER(IPV6_MREQ, struct ipv6_mreq, ipv6mr_multiaddr);
    MEMBER(IPV6_MREQ, struct ipv6_mreq, ipv6mr_interface);

    STRUCT(GROUP_REQ, struct group_req);
    MEMBER(GROUP_REQ, struct group_req, gr_interface);
    MEMBER(GROUP_REQ, struct group_req, gr_group);

    STRUCT(GROUP_SOURCE_REQ, struct group_source_req);
    MEMBER(GROUP_SOURCE_REQ, struct group_source_req, gsr_interface);
    MEMBER(GROUP_SOURCE_REQ, struct group_source_req, gsr_group);
    MEMBER(GROUP_SOURCE_REQ, struct group_source_req, gsr_source);

    STRUCT(IN_PKTINFO, struct in_pktinfo);
    MEMBER(IN_PKTINFO, struct in_pktinfo, ipi_ifindex);
    MEMBER(IN_PKTINFO, struct in_pktinfo, ipi_spec_dst);
    MEMBER(IN_PKTINFO, struct in_pktinfo, ipi_addr);

    STRUCT(IN6_PKTINFO, struct in6_pktinfo);
    MEMBER(IN6_PKTINFO, struct in6_pktinfo, ipi6_addr);
    MEMBER(IN6_PKTINFO, struct in6_pktinfo, ipi6_ifindex);

    STRUCT(SOCK_EXTENDED_ERR, struct sock_extended_err);
    MEMBER(SOCK_EXTENDED_ERR, struct sock_extended_err, ee_errno);
    MEMBER(SOCK_EXTENDED_ERR, struct sock_extended_err, ee_origin);
    MEMBER(SOCK_EXTENDED_ERR, struct sock_extended_err, ee_type);
    MEMBER(SOCK_EXTENDED_ERR, struct sock_extended_err, ee_code);
    MEMBER(SOCK_EXTENDED_ERR, struct sock_extended_err, ee_pad);
    MEMBER(SOCK_EXTENDED_ERR, struct sock_extended_err, ee_info);
    MEMBER(SOCK_EXTENDED_ERR, struct sock_extended_err, ee_data);

    STRUCT(ICMP_FILTER, struct icmp_filter);
    MEMBER(ICMP_FILTER, struct icmp_filter, data);

    STRUCT(ICMP6_FILTER, struct icmp6_filter);
    MEMBER(ICMP6_FILTER, struct icmp6_filter, icmp6_filt);

    STRUCT(IFREQ, struct ifreq);
    MEMBER(IFREQ, struct ifreq, ifr_name);
    MEMBER(IFREQ, struct ifreq, ifr_ifindex);
    MEMBER(IFREQ, struct ifreq, ifr_flags);
    MEMBER(IFREQ, struct ifreq, ifr_mtu);
    MEMBER(IFREQ, struct ifreq, ifr_addr);
    MEMBER(IFREQ, struct ifreq, ifr_hwaddr);

    STRUCT(VIFCTL, struct vifctl);
    MEMBER(VIFCTL, struct vifctl, vifc_vifi);
    MEMBER(VIFCTL, struct vifctl, vifc_flags);
    MEMBER(VIFCTL, struct vifctl, vifc_threshold);
    MEMBER(VIFCTL, struct vifctl, vifc_rate_limit);
    MEMBER(VIFCTL, struct vifctl, vifc_lcl_addr);
    MEMBER(VIFCTL, struct vifctl, vifc_lcl_ifindex);
    MEMBER(VIFCTL, struct vifctl, vifc_rmt_addr);

    STRUCT(MFCCTL, struct mfcctl);
    MEMBER(MFCCTL, struct mfcctl, mfcc_origin);
    MEMBER(MFCCTL, struct mfcctl, mfcc_mcastgrp);
    MEMBER(MFCCTL, struct mfcctl, mfcc_parent);
    MEMBER(MFCCTL, struct mfcctl, mfcc_ttls);
    MEMBER(MFCCTL, struct mfcctl, mfcc_pkt_cnt);
    MEMBER(MFCCTL, struct mfcctl, mfcc_byte_cnt);
    MEMBER(MFCCTL, struct mfcctl, mfcc_wrong_if);
    MEMBER(MFCCTL, struct mfcctl, mfcc_expire);

    STRUCT(IGMPMSG, struct igmpmsg);
    MEMBER(IGMPMSG, struct igmpmsg, im_msgtype);
    MEMBER(IGMPMSG, struct igmpmsg, im_mbz);
    MEMBER(IGMPMSG, struct igmpmsg, im_vif);
    MEMBER(IGMPMSG, struct igmpmsg, im_vif_hi);
    MEMBER(IGMPMSG, struct igmpmsg, im_src);
    MEMBER(IGMPMSG, struct igmpmsg, im_dst);

    STRUCT(MIF6CTL, struct mif6ctl);
    MEMBER(MIF6CTL, struct mif6ctl, mif6c_mifi);
    MEMBER(MIF6CTL, struct mif6ctl, mif6c_flags);
    MEMBER(MIF6CTL, struct mif6ctl, vifc_threshold);
    MEMBER(MIF6CTL, struct mif6ctl, mif6c_pifi);
    MEMBER(MIF6CTL, struct mif6ctl, vifc_rate_limit);

    STRUCT(SOCK_FILTER, struct sock_filter);
    MEMBER(SOCK_FILTER, struct sock_filter, code);
    MEMBER(SOCK_FILTER, struct sock_filter, jt);
    MEMBER(SOCK_FILTER, struct sock_filter, jf);
    MEMBER(SOCK_FILTER, struct sock_filter, k);

    STRUCT(SOCK_FPROG, struct sock_fprog);
    MEMBER(SOCK_FPROG, struct sock_fprog, len);
    MEMBER(SOCK_FPROG, struct sock_fprog, filter);

    /* Opaque to ffsock: only their size matters (they are allocated in native memory). */
    STRUCT(POSIX_SPAWN_FILE_ACTIONS_T, posix_spawn_file_actions_t);
    STRUCT(POSIX_SPAWNATTR_T, posix_spawnattr_t);
    STRUCT(SIGSET_T, sigset_t);

    STRUCT(RLIMIT, struct rlimit);
    MEMBER(RLIMIT, struct rlimit, rlim_cur);
    MEMBER(RLIMIT, struct rlimit, rlim_max);
}

/*
 * io.ffsock.netlink's message constants and structs (NetlinkConst.java, checked by
 * NetlinkConformanceTest). Printed directly rather than through conformance-names.txt because
 * most of them are enum members, which #ifdef cannot see.
 */
static void netlink(void) {
    /* nlmsghdr types and flags, linux/netlink.h */
    C(NLMSG_NOOP);
    C(NLMSG_ERROR);
    C(NLMSG_DONE);
    C(NLMSG_OVERRUN);
    C(NLM_F_REQUEST);
    C(NLM_F_MULTI);
    C(NLM_F_ACK);
    C(NLM_F_ECHO);
    C(NLM_F_DUMP_INTR);
    C(NLM_F_DUMP_FILTERED);
    C(NLM_F_ROOT);
    C(NLM_F_MATCH);
    C(NLM_F_ATOMIC);
    C(NLM_F_DUMP);
    C(NLM_F_REPLACE);
    C(NLM_F_EXCL);
    C(NLM_F_CREATE);
    C(NLM_F_APPEND);
    C(NLM_F_NONREC);
    C(NLM_F_CAPPED);
    C(NLM_F_ACK_TLVS);
    C(NLMSGERR_ATTR_MSG);
    C(NLMSGERR_ATTR_OFFS);
    C(NLMSGERR_ATTR_COOKIE);
    C(NLA_F_NESTED);
    C(NLA_F_NET_BYTEORDER);
    C(NLA_TYPE_MASK);
    C(NLMSG_ALIGNTO);
    C(NLA_ALIGNTO);
    C(NLMSG_MIN_TYPE);
    /* rtnetlink message types, linux/rtnetlink.h */
    C(RTM_NEWLINK);
    C(RTM_DELLINK);
    C(RTM_GETLINK);
    C(RTM_SETLINK);
    C(RTM_NEWADDR);
    C(RTM_DELADDR);
    C(RTM_GETADDR);
    C(RTM_NEWROUTE);
    C(RTM_DELROUTE);
    C(RTM_GETROUTE);
    C(RTM_NEWNEIGH);
    C(RTM_DELNEIGH);
    C(RTM_GETNEIGH);
    /* rtnetlink multicast groups (enum rtnetlink_groups) */
    C(RTNLGRP_LINK);
    C(RTNLGRP_NEIGH);
    C(RTNLGRP_IPV4_IFADDR);
    C(RTNLGRP_IPV4_ROUTE);
    C(RTNLGRP_IPV6_IFADDR);
    C(RTNLGRP_IPV6_ROUTE);
    /* link attributes, linux/if_link.h */
    C(IFLA_ADDRESS);
    C(IFLA_BROADCAST);
    C(IFLA_IFNAME);
    C(IFLA_MTU);
    C(IFLA_LINK);
    C(IFLA_QDISC);
    C(IFLA_MASTER);
    C(IFLA_TXQLEN);
    C(IFLA_OPERSTATE);
    C(IFLA_LINKMODE);
    C(IFLA_LINKINFO);
    C(IFLA_GROUP);
    C(IFLA_EXT_MASK);
    C(IFLA_LINK_NETNSID);
    C(IFLA_INFO_KIND);
    C(IFLA_INFO_DATA);
    C(IF_OPER_UNKNOWN);
    C(IF_OPER_NOTPRESENT);
    C(IF_OPER_DOWN);
    C(IF_OPER_LOWERLAYERDOWN);
    C(IF_OPER_TESTING);
    C(IF_OPER_DORMANT);
    C(IF_OPER_UP);
    /* interface flags, net/if.h and linux/if.h */
    /* address attributes and flags, linux/if_addr.h */
    C(IFA_ADDRESS);
    C(IFA_LOCAL);
    C(IFA_LABEL);
    C(IFA_BROADCAST);
    C(IFA_ANYCAST);
    C(IFA_CACHEINFO);
    C(IFA_FLAGS);
    C(IFA_F_SECONDARY);
    C(IFA_F_NODAD);
    C(IFA_F_OPTIMISTIC);
    C(IFA_F_DADFAILED);
    C(IFA_F_HOMEADDRESS);
    C(IFA_F_DEPRECATED);
    C(IFA_F_TENTATIVE);
    C(IFA_F_PERMANENT);
    C(IFA_F_MANAGETEMPADDR);
    C(IFA_F_NOPREFIXROUTE);
    C(IFA_F_MCAUTOJOIN);
    C(IFA_F_STABLE_PRIVACY);
    /* route attributes, types, tables, scopes, protocols, linux/rtnetlink.h */
    C(RTA_DST);
    C(RTA_SRC);
    C(RTA_IIF);
    C(RTA_OIF);
    C(RTA_GATEWAY);
    C(RTA_PRIORITY);
    C(RTA_PREFSRC);
    C(RTA_METRICS);
    C(RTA_MULTIPATH);
    C(RTA_FLOW);
    C(RTA_CACHEINFO);
    C(RTA_TABLE);
    C(RTA_MARK);
    C(RTA_VIA);
    C(RTA_PREF);
    C(RTA_UID);
    C(RTN_UNSPEC);
    C(RTN_UNICAST);
    C(RTN_LOCAL);
    C(RTN_BROADCAST);
    C(RTN_ANYCAST);
    C(RTN_MULTICAST);
    C(RTN_BLACKHOLE);
    C(RTN_UNREACHABLE);
    C(RTN_PROHIBIT);
    C(RTN_THROW);
    C(RTN_NAT);
    C(RTN_XRESOLVE);
    C(RT_TABLE_UNSPEC);
    C(RT_TABLE_DEFAULT);
    C(RT_TABLE_MAIN);
    C(RT_TABLE_LOCAL);
    C(RT_SCOPE_UNIVERSE);
    C(RT_SCOPE_SITE);
    C(RT_SCOPE_LINK);
    C(RT_SCOPE_HOST);
    C(RT_SCOPE_NOWHERE);
    C(RTPROT_UNSPEC);
    C(RTPROT_REDIRECT);
    C(RTPROT_KERNEL);
    C(RTPROT_BOOT);
    C(RTPROT_STATIC);
    C(RTPROT_RA);
    C(RTPROT_DHCP);
    C(RTM_F_NOTIFY);
    C(RTM_F_CLONED);
    C(RTM_F_LOOKUP_TABLE);
    C(RTM_F_FIB_MATCH);
    C(RTNH_F_DEAD);
    C(RTNH_F_ONLINK);
    C(RTNH_F_LINKDOWN);
    /* neighbour attributes and states, linux/neighbour.h */
    C(NDA_DST);
    C(NDA_LLADDR);
    C(NDA_CACHEINFO);
    C(NDA_PROBES);
    C(NUD_NONE);
    C(NUD_INCOMPLETE);
    C(NUD_REACHABLE);
    C(NUD_STALE);
    C(NUD_DELAY);
    C(NUD_PROBE);
    C(NUD_FAILED);
    C(NUD_NOARP);
    C(NUD_PERMANENT);
    C(NTF_USE);
    C(NTF_SELF);
    C(NTF_MASTER);
    C(NTF_PROXY);
    C(NTF_ROUTER);
    /* sock_diag for AF_UNIX, linux/sock_diag.h and linux/unix_diag.h */
    C(SOCK_DIAG_BY_FAMILY);
    C(UDIAG_SHOW_NAME);
    C(UDIAG_SHOW_VFS);
    C(UDIAG_SHOW_PEER);
    C(UDIAG_SHOW_ICONS);
    C(UDIAG_SHOW_RQLEN);
    C(UDIAG_SHOW_MEMINFO);
    C(UDIAG_SHOW_UID);
    C(UNIX_DIAG_NAME);
    C(UNIX_DIAG_VFS);
    C(UNIX_DIAG_PEER);
    C(UNIX_DIAG_ICONS);
    C(UNIX_DIAG_RQLEN);
    C(UNIX_DIAG_MEMINFO);
    C(UNIX_DIAG_SHUTDOWN);
    C(UNIX_DIAG_UID);
    /* socket states the kernel reports for AF_UNIX, as TCP_* (linux/tcp_states.h via netinet/tcp.h) */
    C(TCP_ESTABLISHED);
    C(TCP_SYN_SENT);
    C(TCP_CLOSE);
    C(TCP_LISTEN);
    STRUCT(NLMSGHDR, struct nlmsghdr);
    MEMBER(NLMSGHDR, struct nlmsghdr, nlmsg_len);
    MEMBER(NLMSGHDR, struct nlmsghdr, nlmsg_type);
    MEMBER(NLMSGHDR, struct nlmsghdr, nlmsg_flags);
    MEMBER(NLMSGHDR, struct nlmsghdr, nlmsg_seq);
    MEMBER(NLMSGHDR, struct nlmsghdr, nlmsg_pid);
    STRUCT(NLMSGERR, struct nlmsgerr);
    MEMBER(NLMSGERR, struct nlmsgerr, error);
    MEMBER(NLMSGERR, struct nlmsgerr, msg);
    STRUCT(NLATTR, struct nlattr);
    MEMBER(NLATTR, struct nlattr, nla_len);
    MEMBER(NLATTR, struct nlattr, nla_type);
    STRUCT(RTATTR, struct rtattr);
    MEMBER(RTATTR, struct rtattr, rta_len);
    MEMBER(RTATTR, struct rtattr, rta_type);
    STRUCT(IFINFOMSG, struct ifinfomsg);
    MEMBER(IFINFOMSG, struct ifinfomsg, ifi_family);
    MEMBER(IFINFOMSG, struct ifinfomsg, ifi_type);
    MEMBER(IFINFOMSG, struct ifinfomsg, ifi_index);
    MEMBER(IFINFOMSG, struct ifinfomsg, ifi_flags);
    MEMBER(IFINFOMSG, struct ifinfomsg, ifi_change);
    STRUCT(IFADDRMSG, struct ifaddrmsg);
    MEMBER(IFADDRMSG, struct ifaddrmsg, ifa_family);
    MEMBER(IFADDRMSG, struct ifaddrmsg, ifa_prefixlen);
    MEMBER(IFADDRMSG, struct ifaddrmsg, ifa_flags);
    MEMBER(IFADDRMSG, struct ifaddrmsg, ifa_scope);
    MEMBER(IFADDRMSG, struct ifaddrmsg, ifa_index);
    STRUCT(IFA_CACHEINFO, struct ifa_cacheinfo);
    MEMBER(IFA_CACHEINFO, struct ifa_cacheinfo, ifa_prefered);
    MEMBER(IFA_CACHEINFO, struct ifa_cacheinfo, ifa_valid);
    MEMBER(IFA_CACHEINFO, struct ifa_cacheinfo, cstamp);
    MEMBER(IFA_CACHEINFO, struct ifa_cacheinfo, tstamp);
    STRUCT(RTMSG, struct rtmsg);
    MEMBER(RTMSG, struct rtmsg, rtm_family);
    MEMBER(RTMSG, struct rtmsg, rtm_dst_len);
    MEMBER(RTMSG, struct rtmsg, rtm_src_len);
    MEMBER(RTMSG, struct rtmsg, rtm_tos);
    MEMBER(RTMSG, struct rtmsg, rtm_table);
    MEMBER(RTMSG, struct rtmsg, rtm_protocol);
    MEMBER(RTMSG, struct rtmsg, rtm_scope);
    MEMBER(RTMSG, struct rtmsg, rtm_type);
    MEMBER(RTMSG, struct rtmsg, rtm_flags);
    STRUCT(NDMSG, struct ndmsg);
    MEMBER(NDMSG, struct ndmsg, ndm_family);
    MEMBER(NDMSG, struct ndmsg, ndm_ifindex);
    MEMBER(NDMSG, struct ndmsg, ndm_state);
    MEMBER(NDMSG, struct ndmsg, ndm_flags);
    MEMBER(NDMSG, struct ndmsg, ndm_type);
    STRUCT(UNIX_DIAG_REQ, struct unix_diag_req);
    MEMBER(UNIX_DIAG_REQ, struct unix_diag_req, sdiag_family);
    MEMBER(UNIX_DIAG_REQ, struct unix_diag_req, sdiag_protocol);
    MEMBER(UNIX_DIAG_REQ, struct unix_diag_req, pad);
    MEMBER(UNIX_DIAG_REQ, struct unix_diag_req, udiag_states);
    MEMBER(UNIX_DIAG_REQ, struct unix_diag_req, udiag_ino);
    MEMBER(UNIX_DIAG_REQ, struct unix_diag_req, udiag_show);
    MEMBER(UNIX_DIAG_REQ, struct unix_diag_req, udiag_cookie);
    STRUCT(UNIX_DIAG_MSG, struct unix_diag_msg);
    MEMBER(UNIX_DIAG_MSG, struct unix_diag_msg, udiag_family);
    MEMBER(UNIX_DIAG_MSG, struct unix_diag_msg, udiag_type);
    MEMBER(UNIX_DIAG_MSG, struct unix_diag_msg, udiag_state);
    MEMBER(UNIX_DIAG_MSG, struct unix_diag_msg, pad);
    MEMBER(UNIX_DIAG_MSG, struct unix_diag_msg, udiag_ino);
    MEMBER(UNIX_DIAG_MSG, struct unix_diag_msg, udiag_cookie);
    STRUCT(UNIX_DIAG_RQLEN, struct unix_diag_rqlen);
    MEMBER(UNIX_DIAG_RQLEN, struct unix_diag_rqlen, udiag_rqueue);
    MEMBER(UNIX_DIAG_RQLEN, struct unix_diag_rqlen, udiag_wqueue);
    STRUCT(UNIX_DIAG_VFS, struct unix_diag_vfs);
    MEMBER(UNIX_DIAG_VFS, struct unix_diag_vfs, udiag_vfs_ino);
    MEMBER(UNIX_DIAG_VFS, struct unix_diag_vfs, udiag_vfs_dev);
}

/*
 * io_uring(7): constants and layouts of linux/io_uring.h (the opcodes are enum members, not
 * macros, so they are printed here rather than listed in conformance-names.txt).
 */
#include <sys/mman.h>
#include <linux/io_uring.h>
#include <linux/time_types.h>

static void uring(void) {
    C(SYS_io_uring_setup);
    C(SYS_io_uring_enter);
    C(SYS_io_uring_register);
    C(PROT_READ);
    C(PROT_WRITE);
    C(MAP_SHARED);
    C(MAP_PRIVATE);
    C(MAP_ANONYMOUS);
    C(MAP_POPULATE);
    C(EFD_CLOEXEC);
    C(EFD_NONBLOCK);
    C(IORING_SETUP_CQSIZE);
    C(IORING_SETUP_CLAMP);
    C(IORING_SETUP_SUBMIT_ALL);
    C(IORING_SETUP_COOP_TASKRUN);
    C(IORING_SETUP_TASKRUN_FLAG);
    C(IORING_SETUP_SINGLE_ISSUER);
    C(IORING_SETUP_DEFER_TASKRUN);
    C(IORING_FEAT_SINGLE_MMAP);
    C(IORING_FEAT_NODROP);
    C(IORING_FEAT_SUBMIT_STABLE);
    C(IORING_FEAT_FAST_POLL);
    C(IORING_FEAT_EXT_ARG);
    C(IORING_FEAT_NATIVE_WORKERS);
    C(IORING_FEAT_RSRC_TAGS);
    C(IORING_FEAT_CQE_SKIP);
    C(IORING_ENTER_GETEVENTS);
    C(IORING_ENTER_EXT_ARG);
    C(IORING_SQ_NEED_WAKEUP);
    C(IORING_SQ_CQ_OVERFLOW);
    C(IORING_SQ_TASKRUN);
    C(IOSQE_FIXED_FILE);
    C(IOSQE_IO_DRAIN);
    C(IOSQE_IO_LINK);
    C(IOSQE_IO_HARDLINK);
    C(IOSQE_ASYNC);
    C(IOSQE_BUFFER_SELECT);
    C(IOSQE_CQE_SKIP_SUCCESS);
    C(IORING_CQE_F_BUFFER);
    C(IORING_CQE_F_MORE);
    C(IORING_CQE_F_SOCK_NONEMPTY);
    C(IORING_CQE_F_NOTIF);
    C(IORING_CQE_BUFFER_SHIFT);
    C(IORING_OFF_SQ_RING);
    C(IORING_OFF_CQ_RING);
    C(IORING_OFF_SQES);
    C(IORING_TIMEOUT_ABS);
    C(IORING_POLL_ADD_MULTI);
    C(IORING_ASYNC_CANCEL_ALL);
    C(IORING_ASYNC_CANCEL_FD);
    C(IORING_ASYNC_CANCEL_ANY);
    C(IORING_RECVSEND_POLL_FIRST);
    C(IORING_RECV_MULTISHOT);
    C(IORING_ACCEPT_MULTISHOT);
    C(IO_URING_OP_SUPPORTED);
    C(IORING_OP_NOP);
    C(IORING_OP_READ_FIXED);
    C(IORING_OP_WRITE_FIXED);
    C(IORING_OP_POLL_ADD);
    C(IORING_OP_POLL_REMOVE);
    C(IORING_OP_SENDMSG);
    C(IORING_OP_RECVMSG);
    C(IORING_OP_TIMEOUT);
    C(IORING_OP_TIMEOUT_REMOVE);
    C(IORING_OP_ACCEPT);
    C(IORING_OP_ASYNC_CANCEL);
    C(IORING_OP_LINK_TIMEOUT);
    C(IORING_OP_CONNECT);
    C(IORING_OP_CLOSE);
    C(IORING_OP_READ);
    C(IORING_OP_WRITE);
    C(IORING_OP_SEND);
    C(IORING_OP_RECV);
    C(IORING_OP_SHUTDOWN);
    C(IORING_REGISTER_BUFFERS);
    C(IORING_UNREGISTER_BUFFERS);
    C(IORING_REGISTER_FILES);
    C(IORING_UNREGISTER_FILES);
    C(IORING_REGISTER_FILES_UPDATE);
    C(IORING_REGISTER_PROBE);
    C(IORING_REGISTER_PBUF_RING);
    C(IORING_UNREGISTER_PBUF_RING);

    STRUCT(IO_SQRING_OFFSETS, struct io_sqring_offsets);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, head);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, tail);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, ring_mask);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, ring_entries);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, flags);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, dropped);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, array);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, resv1);
    MEMBER(IO_SQRING_OFFSETS, struct io_sqring_offsets, resv2);

    STRUCT(IO_CQRING_OFFSETS, struct io_cqring_offsets);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, head);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, tail);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, ring_mask);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, ring_entries);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, overflow);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, cqes);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, flags);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, resv1);
    MEMBER(IO_CQRING_OFFSETS, struct io_cqring_offsets, resv2);

    STRUCT(IO_URING_PARAMS, struct io_uring_params);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, sq_entries);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, cq_entries);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, flags);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, sq_thread_cpu);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, sq_thread_idle);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, features);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, wq_fd);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, resv);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, sq_off);
    MEMBER(IO_URING_PARAMS, struct io_uring_params, cq_off);

    STRUCT(IO_URING_SQE, struct io_uring_sqe);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, opcode);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, flags);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, ioprio);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, fd);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, off);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, addr);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, len);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, rw_flags);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, user_data);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, buf_index);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, personality);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, file_index);
    MEMBER(IO_URING_SQE, struct io_uring_sqe, addr3);

    STRUCT(IO_URING_CQE, struct io_uring_cqe);
    MEMBER(IO_URING_CQE, struct io_uring_cqe, user_data);
    MEMBER(IO_URING_CQE, struct io_uring_cqe, res);
    MEMBER(IO_URING_CQE, struct io_uring_cqe, flags);

    STRUCT(IO_URING_BUF, struct io_uring_buf);
    MEMBER(IO_URING_BUF, struct io_uring_buf, addr);
    MEMBER(IO_URING_BUF, struct io_uring_buf, len);
    MEMBER(IO_URING_BUF, struct io_uring_buf, bid);
    MEMBER(IO_URING_BUF, struct io_uring_buf, resv);

    STRUCT(IO_URING_BUF_RING, struct io_uring_buf_ring);
    MEMBER(IO_URING_BUF_RING, struct io_uring_buf_ring, resv1);
    MEMBER(IO_URING_BUF_RING, struct io_uring_buf_ring, resv2);
    MEMBER(IO_URING_BUF_RING, struct io_uring_buf_ring, resv3);
    MEMBER(IO_URING_BUF_RING, struct io_uring_buf_ring, tail);

    STRUCT(IO_URING_BUF_REG, struct io_uring_buf_reg);
    MEMBER(IO_URING_BUF_REG, struct io_uring_buf_reg, ring_addr);
    MEMBER(IO_URING_BUF_REG, struct io_uring_buf_reg, ring_entries);
    MEMBER(IO_URING_BUF_REG, struct io_uring_buf_reg, bgid);
    MEMBER(IO_URING_BUF_REG, struct io_uring_buf_reg, pad);
    MEMBER(IO_URING_BUF_REG, struct io_uring_buf_reg, resv);

    STRUCT(IO_URING_PROBE_OP, struct io_uring_probe_op);
    MEMBER(IO_URING_PROBE_OP, struct io_uring_probe_op, op);
    MEMBER(IO_URING_PROBE_OP, struct io_uring_probe_op, resv);
    MEMBER(IO_URING_PROBE_OP, struct io_uring_probe_op, flags);
    MEMBER(IO_URING_PROBE_OP, struct io_uring_probe_op, resv2);

    STRUCT(IO_URING_PROBE, struct io_uring_probe);
    MEMBER(IO_URING_PROBE, struct io_uring_probe, last_op);
    MEMBER(IO_URING_PROBE, struct io_uring_probe, ops_len);
    MEMBER(IO_URING_PROBE, struct io_uring_probe, resv);
    MEMBER(IO_URING_PROBE, struct io_uring_probe, resv2);

    STRUCT(IO_URING_FILES_UPDATE, struct io_uring_files_update);
    MEMBER(IO_URING_FILES_UPDATE, struct io_uring_files_update, offset);
    MEMBER(IO_URING_FILES_UPDATE, struct io_uring_files_update, resv);
    MEMBER(IO_URING_FILES_UPDATE, struct io_uring_files_update, fds);

    STRUCT(IO_URING_GETEVENTS_ARG, struct io_uring_getevents_arg);
    MEMBER(IO_URING_GETEVENTS_ARG, struct io_uring_getevents_arg, sigmask);
    MEMBER(IO_URING_GETEVENTS_ARG, struct io_uring_getevents_arg, sigmask_sz);
    MEMBER(IO_URING_GETEVENTS_ARG, struct io_uring_getevents_arg, pad);
    MEMBER(IO_URING_GETEVENTS_ARG, struct io_uring_getevents_arg, ts);

    STRUCT(KERNEL_TIMESPEC, struct __kernel_timespec);
    MEMBER(KERNEL_TIMESPEC, struct __kernel_timespec, tv_sec);
    MEMBER(KERNEL_TIMESPEC, struct __kernel_timespec, tv_nsec);
}

int main(void) {
    netlink();
    constants();
    cmsg_sizes();
    structs();
    uring();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("conformance: write");
        return 1;
    }
    return 0;
}
