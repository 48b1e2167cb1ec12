/*
 * stream_echo ADDR: AF_UNIX SOCK_STREAM echo server for ffsock's tests.
 *
 * Accepts clients (one forked child each, see peer.h), writes back every byte read until the
 * client shuts down its sending side (read returns 0), then closes that connection.
 */
#include "peer.h"

#define BUF_SIZE (256 * 1024)

static void serve(int fd) {
    char *buf = malloc(BUF_SIZE);
    if (buf == NULL) peer_fail("out of memory");
    for (;;) {
        ssize_t n = recv(fd, buf, BUF_SIZE, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ECONNRESET) break;
            peer_die("recv");
        }
        if (n == 0) break;
        if (peer_send_all(fd, buf, (size_t) n) != 0) {
            if (errno == EPIPE || errno == ECONNRESET) break;
            peer_die("send");
        }
    }
    free(buf);
    if (close(fd) != 0) peer_die("close");
}

int main(int argc, char **argv) {
    int lfd = peer_bind(argc, argv, SOCK_STREAM);
    peer_accept_loop(lfd, serve);
    return 0;
}
