/*
 * fd_passer: an independent SCM_RIGHTS peer for ffsock's tests, unix(7), cmsg(3).
 *
 *   fd_passer [-t stream|seqpacket|dgram] [-z] send ADDR N FILE...
 *       Connects to ADDR (a path or @abstract-name; dgram sockets autobind first so they can be
 *       answered), prints "READY ADDR", opens N fds (FILE i % count, O_RDWR, each open(2) a new
 *       open file description) and sends all N in one SCM_RIGHTS message with one data byte 'F'
 *       (-z: with zero data bytes). Prints "SENT n=N bytes=B" and then waits until the peer closes
 *       the connection or sends anything back (dgram: a datagram to the autobound address), so
 *       the receiver can still ask about a live peer. Exits 0.
 *
 *   fd_passer [-t stream|seqpacket|dgram] recv ADDR
 *       Binds ADDR (and listens), prints "READY ADDR", accepts one connection (dgram: uses the
 *       bound socket) and receives messages with room for 253 fds. For each message it proves
 *       every fd works: a regular file is read from offset 0 (pread) and the line
 *       "fd_passer <i>\n" is appended to it (pwrite at its size); a socket gets the line
 *       "fd_passer <i>\n" sent on it; a pipe or FIFO gets the line written. It replies with one
 *       message (stream: bytes) and prints the same text on stdout:
 *           "RECV n=<fds> bytes=<data bytes> cloexec=<fds with FD_CLOEXEC>"
 *           one line per fd: "FD <i> <file|socket|fifo|other> <content length> <content>"
 *       (content: the file's first bytes, up to 200, with newlines as '|'; "-" for non-files),
 *       then closes the fds. Ends with exit 0 at end of file (stream/seqpacket) or after one
 *       message (dgram). It receives with MSG_CMSG_CLOEXEC, so cloexec= counts all fds.
 *
 * Diagnostics go to stderr; any failure exits 1.
 */
#include "peer.h"

#include <fcntl.h>
#include <sys/uio.h>

#define MAX_FDS 253
#define REPLY_SIZE (MAX_FDS * 256 + 128)

static int parse_type(const char *s) {
    if (strcmp(s, "stream") == 0) return SOCK_STREAM;
    if (strcmp(s, "seqpacket") == 0) return SOCK_SEQPACKET;
    if (strcmp(s, "dgram") == 0) return SOCK_DGRAM;
    peer_fail("-t takes stream, seqpacket or dgram");
    return -1;
}

static void usage(void) {
    fprintf(stderr, "usage: fd_passer [-t stream|seqpacket|dgram] [-z] send ADDR N FILE...\n"
                    "       fd_passer [-t stream|seqpacket|dgram] recv ADDR\n");
    exit(2);
}

static void print_line(const char *line) {
    if (fputs(line, stdout) < 0 || fflush(stdout) != 0) peer_die("stdout");
}

/* Waits for end of file or any message; fds that come with it are closed. */
static void await_peer(int fd) {
    char buf[256];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_CMSG_CLOEXEC);
        if (n >= 0) return;
        if (errno == EINTR) continue;
        if (errno == ECONNRESET) return;
        peer_die("recv");
    }
}

static void do_send(int type, int zero, const char *addr, int n, char **files, int nfiles) {
    if (n < 1 || n > MAX_FDS) peer_fail("N must be 1..253");
    if (nfiles < 1) usage();
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

    int fds[MAX_FDS];
    for (int i = 0; i < n; i++) {
        fds[i] = open(files[i % nfiles], O_RDWR | O_CLOEXEC);
        if (fds[i] < 0) peer_die(files[i % nfiles]);
    }
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(MAX_FDS * sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    char data = 'F';
    struct iovec iov = {.iov_base = &data, .iov_len = zero ? 0 : 1};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = CMSG_SPACE((size_t) n * sizeof(int));
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN((size_t) n * sizeof(int));
    memcpy(CMSG_DATA(c), fds, (size_t) n * sizeof(int));
    ssize_t sent;
    do {
        sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) peer_die("sendmsg(SCM_RIGHTS)");
    for (int i = 0; i < n; i++) {
        if (close(fds[i]) != 0) peer_die("close(sent fd)");
    }
    printf("SENT n=%d bytes=%zd\n", n, sent);
    if (fflush(stdout) != 0) peer_die("stdout");
    await_peer(fd);
    if (close(fd) != 0) peer_die("close");
}

/* Appends "what" to out (bounded by REPLY_SIZE). */
static void append(char *out, size_t *used, const char *what) {
    size_t l = strlen(what);
    if (*used + l >= REPLY_SIZE) peer_fail("reply too long");
    memcpy(out + *used, what, l + 1);
    *used += l;
}

/* Proves fd works (see the header comment) and describes it in out. */
static void prove(int i, int fd, char *out, size_t *used) {
    struct stat st;
    if (fstat(fd, &st) != 0) peer_die("fstat(received fd)");
    char mark[64];
    int marklen = snprintf(mark, sizeof mark, "fd_passer %d\n", i);
    char line[320];
    if (S_ISREG(st.st_mode)) {
        char content[201];
        ssize_t r = pread(fd, content, 200, 0);
        if (r < 0) peer_die("pread(received fd)");
        content[r] = 0;
        for (ssize_t k = 0; k < r; k++) {
            if (content[k] == '\n') content[k] = '|';
        }
        if (pwrite(fd, mark, (size_t) marklen, st.st_size) != marklen) peer_die("pwrite(received fd)");
        snprintf(line, sizeof line, "FD %d file %zd %s\n", i, r, content);
    } else if (S_ISSOCK(st.st_mode)) {
        if (peer_send_all(fd, mark, (size_t) marklen) != 0) peer_die("send(received socket)");
        snprintf(line, sizeof line, "FD %d socket 0 -\n", i);
    } else if (S_ISFIFO(st.st_mode)) {
        if (write(fd, mark, (size_t) marklen) != marklen) peer_die("write(received pipe)");
        snprintf(line, sizeof line, "FD %d fifo 0 -\n", i);
    } else {
        snprintf(line, sizeof line, "FD %d other 0 -\n", i);
    }
    append(out, used, line);
}

static void do_recv(int type, const char *addr) {
    struct sockaddr_un sa;
    socklen_t len = peer_parse_address(addr, &sa);
    int lfd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (lfd < 0) peer_die("socket");
    if (bind(lfd, (struct sockaddr *) &sa, len) != 0) peer_die(addr);
    if (addr[0] != '@') peer_path = addr;
    if (type != SOCK_DGRAM && listen(lfd, 4) != 0) peer_die("listen");
    printf("READY %s\n", addr);
    if (fflush(stdout) != 0) peer_die("stdout");
    int fd = lfd;
    if (type != SOCK_DGRAM) {
        do {
            fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) peer_die("accept4");
    }
    char *reply = malloc(REPLY_SIZE);
    char *data = malloc(65536);
    if (reply == NULL || data == NULL) peer_fail("out of memory");
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(MAX_FDS * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
    } control;
    for (;;) {
        struct sockaddr_un from;
        struct iovec iov = {.iov_base = data, .iov_len = 65536};
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        memset(&from, 0, sizeof from);
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.bytes;
        msg.msg_controllen = sizeof control.bytes;
        ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ECONNRESET) break;
            peer_die("recvmsg");
        }
        if (n == 0 && msg.msg_controllen == 0 && type != SOCK_DGRAM) break; /* end of file */
        if (msg.msg_flags & MSG_CTRUNC) peer_fail("control data truncated (MSG_CTRUNC)");

        int fds[MAX_FDS];
        int count = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t j = 0; j < k && count < MAX_FDS; j++) {
                    memcpy(&fds[count++], CMSG_DATA(c) + j * sizeof(int), sizeof(int));
                }
            }
        }
        int cloexec = 0;
        for (int i = 0; i < count; i++) {
            int f = fcntl(fds[i], F_GETFD);
            if (f < 0) peer_die("fcntl(F_GETFD)");
            if (f & FD_CLOEXEC) cloexec++;
        }
        size_t used = 0;
        reply[0] = 0;
        char head[96];
        snprintf(head, sizeof head, "RECV n=%d bytes=%zd cloexec=%d\n", count, n, cloexec);
        append(reply, &used, head);
        for (int i = 0; i < count; i++) {
            prove(i, fds[i], reply, &used);
            if (close(fds[i]) != 0) peer_die("close(received fd)");
        }
        print_line(reply);
        if (type == SOCK_STREAM) {
            if (peer_send_all(fd, reply, used) != 0) peer_die("send(reply)");
        } else if (type == SOCK_SEQPACKET) {
            if (send(fd, reply, used, MSG_NOSIGNAL) != (ssize_t) used) peer_die("send(reply)");
        } else {
            if (msg.msg_namelen <= offsetof(struct sockaddr_un, sun_path)) {
                peer_fail("a datagram from an unbound sender: cannot reply");
            }
            if (sendto(fd, reply, used, MSG_NOSIGNAL, (struct sockaddr *) &from, msg.msg_namelen) != (ssize_t) used) {
                peer_die("sendto(reply)");
            }
            break;
        }
    }
    if (fd != lfd && close(fd) != 0) peer_die("close");
    if (close(lfd) != 0) peer_die("close(listener)");
    if (peer_path != NULL && unlink(peer_path) != 0) peer_die("unlink");
    free(reply);
    free(data);
}

int main(int argc, char **argv) {
    peer_name = "fd_passer";
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) peer_die("signal(SIGPIPE)");
    int type = SOCK_SEQPACKET;
    int zero = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            type = parse_type(argv[++i]);
        } else if (strcmp(argv[i], "-z") == 0) {
            zero = 1;
        } else {
            usage();
        }
    }
    if (i + 2 > argc) usage();
    const char *mode = argv[i];
    const char *addr = argv[i + 1];
    if (strcmp(mode, "send") == 0) {
        if (i + 4 > argc) usage();
        do_send(type, zero, addr, atoi(argv[i + 2]), argv + i + 3, argc - i - 3);
    } else if (strcmp(mode, "recv") == 0) {
        if (i + 2 != argc) usage();
        do_recv(type, addr);
    } else {
        usage();
    }
    return 0;
}
