/*
 * dgram_echo ADDR: AF_UNIX SOCK_DGRAM echo server for ffsock's tests.
 *
 * Receives each datagram (zero-length ones included) and sends it back with sendto(2) to the
 * address it came from, so a client must be bound to get an answer (autobind, i.e. bind with
 * only sun_family, is enough). Datagrams from unbound senders are reported on stderr and
 * dropped. A reply that cannot be delivered within SO_SNDTIMEO (5 s: the client's queue stays
 * full) or that fails because the client has gone is reported on stderr and dropped; the server
 * goes on with the next datagram.
 */
#include "peer.h"

#include <sys/time.h>
#include <sys/uio.h>

#define BUF_SIZE (4 * 1024 * 1024)

int main(int argc, char **argv) {
    int fd = peer_bind(argc, argv, SOCK_DGRAM);
    struct timeval timeout = {.tv_sec = 5, .tv_usec = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) != 0) peer_die("setsockopt(SO_SNDTIMEO)");
    char *buf = malloc(BUF_SIZE);
    if (buf == NULL) peer_fail("out of memory");

    for (;;) {
        struct sockaddr_un from;
        struct iovec iov = {.iov_base = buf, .iov_len = BUF_SIZE};
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        memset(&from, 0, sizeof from);
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;

        ssize_t n = recvmsg(fd, &msg, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            peer_die("recvmsg");
        }
        if (msg.msg_flags & MSG_TRUNC) {
            fprintf(stderr, "%s: datagram larger than %d bytes dropped\n", argv[0], BUF_SIZE);
            continue;
        }
        if (msg.msg_namelen <= offsetof(struct sockaddr_un, sun_path)) {
            fprintf(stderr, "%s: datagram of %zd bytes from an unbound sender: cannot answer\n", argv[0], n);
            continue;
        }
        ssize_t sent;
        do {
            sent = sendto(fd, buf, (size_t) n, MSG_NOSIGNAL, (struct sockaddr *) &from, msg.msg_namelen);
        } while (sent < 0 && errno == EINTR);
        if (sent < 0) {
            fprintf(stderr, "%s: sendto (reply of %zd bytes): %s\n", argv[0], n, strerror(errno));
            continue;
        }
        if (sent != n) peer_fail("short sendto on a datagram socket");
    }
}
