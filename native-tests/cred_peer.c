/*
 * cred_peer: an independent SCM_CREDENTIALS sender for ffsock's tests, unix(7).
 *
 *   cred_peer [-t stream|seqpacket|dgram] [-p PID] [-u UID] [-g GID] ADDR
 *
 * Connects to ADDR (a path or @abstract-name), prints "READY ADDR", then sends one message with
 * the data byte 'C' and an SCM_CREDENTIALS control message: its own pid, uid and gid, or the
 * values given with -p/-u/-g (claiming another pid needs CAP_SYS_ADMIN, another uid CAP_SETUID,
 * another gid CAP_SETGID). Then it prints
 *     "CRED pid=<getpid()> uid=<getuid()> gid=<getgid()> sent pid=<P> uid=<U> gid=<G>"
 * or, when the kernel refused the message,
 *     "REFUSED <errno number> <strerror>"
 * and waits until the peer closes the connection or sends anything back (dgram: to the
 * autobound address), so the receiver can still ask about a live peer. Exits 0 either way.
 * Run it under setpriv(1) to be another user.
 */
#include "peer.h"

#include <sys/uio.h>

static void usage(void) {
    fprintf(stderr, "usage: cred_peer [-t stream|seqpacket|dgram] [-p PID] [-u UID] [-g GID] ADDR\n");
    exit(2);
}

int main(int argc, char **argv) {
    peer_name = "cred_peer";
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) peer_die("signal(SIGPIPE)");
    int type = SOCK_SEQPACKET;
    struct ucred cred = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        const char *v = argv[i + 1];
        if (strcmp(argv[i], "-t") == 0) {
            if (strcmp(v, "stream") == 0) type = SOCK_STREAM;
            else if (strcmp(v, "seqpacket") == 0) type = SOCK_SEQPACKET;
            else if (strcmp(v, "dgram") == 0) type = SOCK_DGRAM;
            else usage();
        } else if (strcmp(argv[i], "-p") == 0) {
            cred.pid = atoi(v);
        } else if (strcmp(argv[i], "-u") == 0) {
            cred.uid = (uid_t) strtoul(v, NULL, 10);
        } else if (strcmp(argv[i], "-g") == 0) {
            cred.gid = (gid_t) strtoul(v, NULL, 10);
        } else {
            usage();
        }
    }
    if (i + 1 != argc) usage();
    const char *addr = argv[i];

    struct sockaddr_un sa;
    socklen_t len = peer_parse_address(addr, &sa);
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) peer_die("socket");
    if (type == SOCK_DGRAM) {
        struct sockaddr_un any = {.sun_family = AF_UNIX};
        if (bind(fd, (struct sockaddr *) &any, sizeof any.sun_family) != 0) peer_die("bind (autobind)");
    }
    if (connect(fd, (struct sockaddr *) &sa, len) != 0) peer_die(addr);
    printf("READY %s\n", addr);
    if (fflush(stdout) != 0) peer_die("stdout");

    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(struct ucred))];
    } control;
    memset(&control, 0, sizeof control);
    char data = 'C';
    struct iovec iov = {.iov_base = &data, .iov_len = 1};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    memcpy(CMSG_DATA(c), &cred, sizeof cred);
    ssize_t sent;
    do {
        sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        printf("REFUSED %d %s\n", errno, strerror(errno));
    } else {
        printf("CRED pid=%d uid=%u gid=%u sent pid=%d uid=%u gid=%u\n", (int) getpid(), (unsigned) getuid(),
                (unsigned) getgid(), (int) cred.pid, (unsigned) cred.uid, (unsigned) cred.gid);
    }
    if (fflush(stdout) != 0) peer_die("stdout");

    char buf[256];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n >= 0 || errno == ECONNRESET) break;
        if (errno != EINTR) peer_die("recv");
    }
    if (close(fd) != 0) peer_die("close");
    return 0;
}
