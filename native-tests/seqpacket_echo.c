/*
 * seqpacket_echo ADDR: AF_UNIX SOCK_SEQPACKET echo server for ffsock's tests.
 *
 * Accepts clients (one forked child each, see peer.h) and sends every message back as one
 * message of the same length, zero-length messages included, until the client leaves.
 *
 * Telling a zero-length message from end-of-file: on Linux AF_UNIX SOCK_SEQPACKET both make
 * recvmsg(2) return 0, with the same msg_flags (no MSG_EOR is reported, msg_namelen is 0 for an
 * unbound sender too), so neither the return value nor the flags can tell them apart, and
 * poll(2)'s POLLRDHUP only says the peer shut down, not whether a message is still queued.
 * What does tell them apart is SO_PASSCRED on the receiving socket: the kernel then attaches an
 * SCM_CREDENTIALS control message to every message it returns (also to messages queued before
 * the option was set), while end-of-file returns no control data at all. Measured on kernel 6.18:
 *   empty message -> 0, msg_controllen 32;  EOF -> 0, msg_controllen 0.
 * So: return 0 with control data = an empty message to echo; return 0 without = the client is gone.
 */
#include "peer.h"

#include <sys/uio.h>

/* Bigger than any AF_UNIX message the default buffer sizes allow; MSG_TRUNC is still checked. */
#define BUF_SIZE (4 * 1024 * 1024)

static void serve(int fd) {
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) peer_die("setsockopt(SO_PASSCRED)");
    char *buf = malloc(BUF_SIZE);
    if (buf == NULL) peer_fail("out of memory");
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(64 * sizeof(int))];
    } control;

    for (;;) {
        struct iovec iov = {.iov_base = buf, .iov_len = BUF_SIZE};
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
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
        if (n == 0 && msg.msg_controllen == 0) break; /* end of file, see above */

        /* File descriptors are not echoed; close any that came so none leak. */
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < count; i++) {
                    int received;
                    memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof received);
                    if (close(received) != 0) peer_die("close(received fd)");
                }
            }
        }
        if (msg.msg_flags & MSG_TRUNC) peer_fail("message larger than the receive buffer");

        ssize_t sent;
        do {
            sent = send(fd, buf, (size_t) n, MSG_NOSIGNAL);
        } while (sent < 0 && errno == EINTR);
        if (sent < 0) {
            if (errno == EPIPE || errno == ECONNRESET) break;
            peer_die("send");
        }
        if (sent != n) peer_fail("short send on a seqpacket socket");
    }
    free(buf);
    if (close(fd) != 0) peer_die("close");
}

int main(int argc, char **argv) {
    int lfd = peer_bind(argc, argv, SOCK_SEQPACKET);
    peer_accept_loop(lfd, serve);
    return 0;
}
