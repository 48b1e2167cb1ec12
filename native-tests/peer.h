/*
 * Shared code of the ffsock echo peers (seqpacket_echo, dgram_echo, stream_echo).
 *
 * Contract of every peer:
 *   - argv[1] is the address: a filesystem path, or "@name" for the Linux abstract name "\0name"
 *     (address length exactly offsetof(sun_path) + 1 + strlen(name), no trailing NUL);
 *   - once bound (and listening), it prints exactly one line "READY <argv[1]>" to stdout and
 *     flushes; nothing else is ever written to stdout, diagnostics go to stderr;
 *   - SIGTERM (or SIGINT/SIGHUP) ends it with status 0 and unlinks a path socket it bound;
 *   - an existing file at the path is never removed: bind fails with EADDRINUSE and the peer exits 1.
 * Connection-oriented peers fork one child per client and never touch the path. On SIGTERM the
 * parent sends SIGTERM to its live children and reaps them before it exits, so nothing is left
 * behind (not even a zombie: PID 1 in some containers does not reap). PR_SET_PDEATHSIG covers a
 * parent killed with SIGKILL.
 */
#ifndef FFSOCK_PEER_H
#define FFSOCK_PEER_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Path to unlink on exit; set only once this process has bound it. */
static const char *volatile peer_path;
static const char *peer_name = "peer";

/* Live children (0 = free slot). Changed only with SIGCHLD and SIGTERM blocked or in their handlers. */
#define PEER_MAX_CHILDREN 1024
static volatile pid_t peer_children[PEER_MAX_CHILDREN];

static inline void peer_die(const char *what) {
    fprintf(stderr, "%s: %s: %s\n", peer_name, what, strerror(errno));
    exit(1);
}

static inline void peer_fail(const char *what) {
    fprintf(stderr, "%s: %s\n", peer_name, what);
    exit(1);
}

/* Async-signal-safe: kill(2), waitpid(2), unlink(2) and _exit(2) only. */
static inline void peer_on_term(int sig) {
    (void) sig;
    for (int i = 0; i < PEER_MAX_CHILDREN; i++) {
        if (peer_children[i] > 0) kill(peer_children[i], SIGTERM);
    }
    for (int i = 0; i < PEER_MAX_CHILDREN; i++) {
        pid_t child = peer_children[i];
        if (child > 0) {
            while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
            peer_children[i] = 0;
        }
    }
    const char *path = peer_path;
    if (path != NULL) unlink(path);
    _exit(0);
}

/* Reaps exited children and frees their slots. */
static inline void peer_on_child(int sig) {
    (void) sig;
    int saved = errno;
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
        for (int i = 0; i < PEER_MAX_CHILDREN; i++) {
            if (peer_children[i] == pid) peer_children[i] = 0;
        }
    }
    errno = saved;
}

static inline void peer_signal_set(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGCHLD);
}

static inline void peer_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = peer_on_term;
    peer_signal_set(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0
            || sigaction(SIGHUP, &sa, NULL) != 0) {
        peer_die("sigaction");
    }
    sa.sa_handler = peer_on_child;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL) != 0) peer_die("sigaction(SIGCHLD)");
    /* Sends use MSG_NOSIGNAL; this is a second guard. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) peer_die("signal(SIGPIPE)");
}

/* Blocks SIGTERM, SIGINT, SIGHUP and SIGCHLD. */
static inline void peer_block_term(sigset_t *old) {
    sigset_t set;
    peer_signal_set(&set);
    if (sigprocmask(SIG_BLOCK, &set, old) != 0) peer_die("sigprocmask");
}

static inline void peer_restore(const sigset_t *old) {
    if (sigprocmask(SIG_SETMASK, old, NULL) != 0) peer_die("sigprocmask");
}

static inline socklen_t peer_parse_address(const char *arg, struct sockaddr_un *sa) {
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    size_t len;
    if (arg[0] == '@') {
        len = strlen(arg + 1);
        if (len == 0 || len + 1 > sizeof sa->sun_path) peer_fail("abstract name empty or too long");
        memcpy(sa->sun_path + 1, arg + 1, len);
        return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + len);
    }
    len = strlen(arg);
    if (len == 0 || len >= sizeof sa->sun_path) peer_fail("path empty or too long for sun_path");
    memcpy(sa->sun_path, arg, len);
    return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len + 1);
}

/* Creates, binds (and for stream/seqpacket listens on) the server socket, then prints READY. */
static inline int peer_bind(int argc, char **argv, int type) {
    peer_name = argv[0];
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH|@abstract-name\n", argv[0]);
        exit(2);
    }
    const char *arg = argv[1];
    peer_signals();

    struct sockaddr_un sa;
    socklen_t len = peer_parse_address(arg, &sa);
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) peer_die("socket");

    /* No SIGTERM between a successful bind and recording the path to unlink. */
    sigset_t old;
    peer_block_term(&old);
    if (bind(fd, (struct sockaddr *) &sa, len) != 0) peer_die(arg);
    if (arg[0] != '@') peer_path = arg;
    peer_restore(&old);

    if (type != SOCK_DGRAM && listen(fd, 64) != 0) peer_die("listen");
    if (printf("READY %s\n", arg) < 0 || fflush(stdout) != 0) peer_die("stdout");
    return fd;
}

/*
 * Accept loop for connection-oriented peers: one forked child per client runs serve(fd) and
 * exits; the parent only accepts, so clients are served concurrently and one misbehaving client
 * cannot stall the next.
 */
static inline void peer_accept_loop(int lfd, void (*serve)(int fd)) {
    pid_t parent = getpid();
    for (;;) {
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            peer_die("accept4");
        }
        sigset_t old;
        peer_block_term(&old);
        int slot = -1;
        for (int i = 0; i < PEER_MAX_CHILDREN && slot < 0; i++) {
            if (peer_children[i] == 0) slot = i;
        }
        if (slot < 0) {
            fprintf(stderr, "%s: more than %d clients at once, closing the new one\n", peer_name, PEER_MAX_CHILDREN);
            if (close(c) != 0) peer_die("close(client)");
            peer_restore(&old);
            continue;
        }
        pid_t pid = fork();
        if (pid < 0) peer_die("fork");
        if (pid == 0) {
            /* Child: must never unlink the parent's path; dies when the parent does. */
            peer_path = NULL;
            if (signal(SIGTERM, SIG_DFL) == SIG_ERR || signal(SIGINT, SIG_DFL) == SIG_ERR
                    || signal(SIGHUP, SIG_DFL) == SIG_ERR || signal(SIGCHLD, SIG_DFL) == SIG_ERR) {
                peer_die("signal");
            }
            if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) peer_die("prctl(PR_SET_PDEATHSIG)");
            peer_restore(&old);
            if (getppid() != parent) _exit(0);
            if (close(lfd) != 0) peer_die("close(listener)");
            serve(c);
            _exit(0);
        }
        peer_children[slot] = pid;
        peer_restore(&old);
        if (close(c) != 0) peer_die("close(client)");
    }
}

/* send(2) of the whole buffer with MSG_NOSIGNAL; returns 0, or -1 with errno when the peer left. */
static inline int peer_send_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t) n;
    }
    return 0;
}

#endif
