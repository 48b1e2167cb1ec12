/*
 * bench_many ROLE ...: W7, many TCP loopback connections each doing 64-byte ping-pong (echo),
 * built on liburing (Debian liburing-dev).
 *
 *   bench_many server CONNS
 *       The C liburing echo server, the limit W7's servers are measured against: one thread, one
 *       ring; multishot accept, a multishot recv per connection over a provided-buffer ring,
 *       and a send of each received buffer straight from that buffer (recycled when the send
 *       completes). Listens on 127.0.0.1, an ephemeral port; prints "PORT <n>" then "READY";
 *       exits once CONNS connections have come and gone.
 *
 *   bench_many pp-stream|pp-seqpacket server|client PATH A B
 *       W1/W2 through liburing (c-liburing rows): see pp_ring below.
 *
 *   bench_many dgram server|client PATH A B
 *       W4 through liburing (c-liburing row): see dgram_ring below.
 *
 *   bench_many client PORT CONNS WARM MEASURE
 *       The load generator, the same for every server: opens CONNS connections to 127.0.0.1:PORT,
 *       keeps one 64-byte message in flight on each (send, wait until 64 bytes came back, send
 *       again), driven through its own io_uring (multishot recv per connection, sends batched
 *       into one io_uring_enter), so that it costs as little CPU per round trip as we know how
 *       to make it. After WARM seconds it prints "MEASURING", counts the round trips of all
 *       connections for MEASURE seconds and prints "RESULT <round trips/s> <its own CPU ns per
 *       round trip>". It closes with SO_LINGER 0 (no TIME_WAIT), so that runs of 10,000
 *       connections do not use up the ephemeral ports.
 *
 * Both ends set TCP_NODELAY. The ring setup flags are those ffsock's Ring uses on a platform
 * thread (RING_FLAGS below), plus a CQ large enough for every connection's multishot recv and
 * send to be in flight at once.
 */
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define BGID 1
#define NBUF 16384 /* provided buffers: one per connection with data waiting, and then some */
#define BUFSZ 512
#define CQ_ENTRIES 65536
#define SQ_ENTRIES 4096
/* What io.ffsock.uring.Ring sets up on a platform thread; _DEFERRED for Ring.TaskRun.DEFERRED. */
#define RING_FLAGS (IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN \
                    | IORING_SETUP_TASKRUN_FLAG)
#define RING_FLAGS_DEFERRED (IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN \
                             | IORING_SETUP_TASKRUN_FLAG)

enum { T_ACCEPT = 1, T_RECV = 2, T_SEND = 3 };

static uint64_t ud(int type, int fd, int bid) {
    return (uint64_t) type << 56 | (uint64_t) (uint32_t) bid << 24 | (uint32_t) fd;
}
static int ud_type(uint64_t u) { return (int) (u >> 56); }
static int ud_fd(uint64_t u) { return (int) (u & 0xffffff); }
static int ud_bid(uint64_t u) { return (int) ((u >> 24) & 0xffffffff); }

static void die(const char *what, int err) {
    fprintf(stderr, "bench_many: %s: %s\n", what, strerror(err));
    exit(2);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* CPU time of the calling thread, in nanoseconds. */
static double thread_cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static char *bufs;

/*
 * Registers a provided-buffer ring of COUNT buffers of SIZE bytes as group BGID of the ring and
 * hands every buffer to the kernel; the buffers' memory goes to *memory. (liburing 2.3, Debian 12,
 * has no io_uring_setup_buf_ring: mapped and registered by hand.)
 */
static struct io_uring_buf_ring *provide_buffers(int count, int size, char **memory) {
    struct io_uring_buf_ring *b = mmap(NULL, count * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
                                       MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (b == MAP_FAILED) die("mmap", errno);
    io_uring_buf_ring_init(b);
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (unsigned long) b;
    reg.ring_entries = count;
    reg.bgid = BGID;
    int r = io_uring_register_buf_ring(&ring, &reg, 0);
    if (r < 0) die("io_uring_register_buf_ring", -r);
    *memory = aligned_alloc(4096, (size_t) count * size);
    if (*memory == NULL) die("aligned_alloc", ENOMEM);
    for (int i = 0; i < count; i++) {
        io_uring_buf_ring_add(b, *memory + (size_t) i * size, size, (unsigned short) i, io_uring_buf_ring_mask(count), i);
    }
    io_uring_buf_ring_advance(b, count);
    return b;
}

static void setup_ring(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = RING_FLAGS | IORING_SETUP_CQSIZE;
    p.cq_entries = CQ_ENTRIES;
    int r = io_uring_queue_init_params(SQ_ENTRIES, &ring, &p);
    if (r < 0) die("io_uring_queue_init_params", -r);
    br = provide_buffers(NBUF, BUFSZ, &bufs);
}

static void recycle(int bid) {
    io_uring_buf_ring_add(br, bufs + (size_t) bid * BUFSZ, BUFSZ, (unsigned short) bid, io_uring_buf_ring_mask(NBUF), 0);
    io_uring_buf_ring_advance(br, 1);
}

/* An SQE; when the SQ is full, submits what is queued first. */
static struct io_uring_sqe *sqe(void) {
    struct io_uring_sqe *s = io_uring_get_sqe(&ring);
    while (s == NULL) {
        io_uring_submit(&ring);
        s = io_uring_get_sqe(&ring);
    }
    return s;
}

static void arm_recv(int fd) {
    struct io_uring_sqe *s = sqe();
    io_uring_prep_recv_multishot(s, fd, NULL, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = BGID;
    io_uring_sqe_set_data64(s, ud(T_RECV, fd, 0));
}

static void send_from(int fd, const char *data, int len, int bid) {
    struct io_uring_sqe *s = sqe();
    io_uring_prep_send(s, fd, data, (size_t) len, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(s, ud(T_SEND, fd, bid));
}

static void nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int server(int conns) {
    setup_ring();
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket", errno);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(lfd, (struct sockaddr *) &a, sizeof a) != 0) die("bind", errno);
    if (listen(lfd, 4096) != 0) die("listen", errno);
    if (getsockname(lfd, (struct sockaddr *) &a, &len) != 0) die("getsockname", errno);
    printf("PORT %d\nREADY\n", ntohs(a.sin_port));
    fflush(stdout);
    struct io_uring_sqe *s = sqe();
    io_uring_prep_multishot_accept(s, lfd, NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(s, ud(T_ACCEPT, lfd, 0));
    int accepted = 0, closed = 0;
    while (closed < conns) {
        int r = io_uring_submit_and_wait(&ring, 1);
        if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) die("io_uring_submit_and_wait", -r);
        struct io_uring_cqe *c;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, c) {
            seen++;
            uint64_t u = c->user_data;
            int more = (c->flags & IORING_CQE_F_MORE) != 0;
            switch (ud_type(u)) {
            case T_ACCEPT:
                if (c->res >= 0) {
                    accepted++;
                    nodelay(c->res);
                    arm_recv(c->res);
                }
                if (!more && accepted < conns) {
                    s = sqe();
                    io_uring_prep_multishot_accept(s, lfd, NULL, NULL, SOCK_CLOEXEC);
                    io_uring_sqe_set_data64(s, ud(T_ACCEPT, lfd, 0));
                }
                break;
            case T_RECV: {
                int fd = ud_fd(u);
                if (c->res > 0) {
                    int bid = (int) (c->flags >> IORING_CQE_BUFFER_SHIFT);
                    send_from(fd, bufs + (size_t) bid * BUFSZ, c->res, bid);
                    if (!more) arm_recv(fd);
                } else if (c->res == -ENOBUFS) {
                    arm_recv(fd); /* every buffer was in use: the data waits in the socket */
                } else if (!more) {
                    close(fd); /* end of stream or reset: the client left */
                    closed++;
                }
                break;
            }
            case T_SEND:
                recycle(ud_bid(u));
                break;
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
    close(lfd);
    io_uring_queue_exit(&ring);
    return 0;
}

struct conn {
    int fd;
    int got; /* bytes of the current echo received so far */
};

static int client(int port, int conns, double warm, double measure) {
    setup_ring();
    struct conn *cs = calloc((size_t) conns, sizeof *cs);
    static char out[MSG];
    memset(out, 'x', MSG);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short) port);
    struct linger lg = {1, 0};
    for (int i = 0; i < conns; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) die("socket", errno);
        if (fd >= 1 << 24) die("fd number too large", EMFILE);
        if (connect(fd, (struct sockaddr *) &a, sizeof a) != 0) die("connect", errno);
        nodelay(fd);
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        cs[i].fd = fd;
    }
    /* fd -> connection: fds are small and dense */
    int maxfd = 0;
    for (int i = 0; i < conns; i++) if (cs[i].fd > maxfd) maxfd = cs[i].fd;
    struct conn **byfd = calloc((size_t) maxfd + 1, sizeof *byfd);
    for (int i = 0; i < conns; i++) byfd[cs[i].fd] = &cs[i];
    for (int i = 0; i < conns; i++) {
        arm_recv(cs[i].fd);
        send_from(cs[i].fd, out, MSG, 0);
    }
    long count = 0, c0 = 0;
    double start = now(), t0 = 0, cpu0 = 0;
    int measuring = 0;
    for (;;) {
        int r = io_uring_submit_and_wait(&ring, 1);
        if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) die("io_uring_submit_and_wait", -r);
        struct io_uring_cqe *c;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, c) {
            seen++;
            uint64_t u = c->user_data;
            if (ud_type(u) == T_SEND) {
                if (c->res < 0) die("send", -c->res);
                continue;
            }
            int fd = ud_fd(u);
            int more = (c->flags & IORING_CQE_F_MORE) != 0;
            if (c->res > 0) {
                recycle((int) (c->flags >> IORING_CQE_BUFFER_SHIFT));
                struct conn *k = byfd[fd];
                k->got += c->res;
                while (k->got >= MSG) {
                    k->got -= MSG;
                    count++;
                    send_from(fd, out, MSG, 0);
                }
                if (!more) arm_recv(fd);
            } else if (c->res == -ENOBUFS) {
                arm_recv(fd);
            } else {
                die("recv (the server left?)", c->res == 0 ? EPIPE : -c->res);
            }
        }
        io_uring_cq_advance(&ring, seen);
        double t = now();
        if (!measuring) {
            if (t - start >= warm) {
                measuring = 1;
                printf("MEASURING\n");
                fflush(stdout);
                t0 = now();
                cpu0 = cpu();
                c0 = count;
            }
        } else if (t - t0 >= measure) {
            long n = count - c0;
            printf("RESULT %.1f %.1f\n", n / (t - t0), (cpu() - cpu0) / n);
            fflush(stdout);
            break;
        }
    }
    for (int i = 0; i < conns; i++) close(cs[i].fd);
    return 0;
}

/* PATH as a struct sockaddr_un in *a; returns its length. */
static socklen_t unix_address(const char *path, struct sockaddr_un *a) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path) die("path too long", ENAMETOOLONG);
    strcpy(a->sun_path, path);
    return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

/*
 * bench_many pp-stream|pp-seqpacket server|client PATH A B: W1/W2 through C liburing, the same
 * protocol as bench_unix (server binds PATH and prints READY; the client measures A seconds of
 * warm-up, B measured, and prints RESULT), each round trip a send linked to a recv (the server: a
 * recv linked to a send) in one io_uring_enter, as ffsock-uring does: how fast io_uring itself
 * makes a ping-pong, next to C's plain system calls.
 */
static int pp_ring(const char *mode, int server, const char *path, double warm, double measure) {
    int type = strcmp(mode, "pp-seqpacket") == 0 ? SOCK_SEQPACKET : SOCK_STREAM;
    struct sockaddr_un a;
    socklen_t len = unix_address(path, &a);
    int fd;
    if (server) {
        unlink(path);
        int l = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (l < 0 || bind(l, (struct sockaddr *) &a, len) != 0 || listen(l, 16) != 0) die("bind/listen", errno);
        printf("READY\n");
        fflush(stdout);
        fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) die("accept", errno);
        close(l);
    } else {
        fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &a, len) != 0) die("connect", errno);
    }
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = RING_FLAGS_DEFERRED; /* as ffsock-uring's ping-pong ring */
    int r = io_uring_queue_init_params(8, &ring, &p);
    if (r < 0) die("io_uring_queue_init_params", -r);
    static char out[MSG], in[MSG];
    memset(out, 'x', MSG);
    int recv_flags = type == SOCK_STREAM ? MSG_WAITALL : 0;
    double start = now(), t0 = 0, c0 = 0;
    long n = 0;
    int measuring = 0;
    for (;;) {
        for (int i = 0; i < 256; i++) {
            struct io_uring_sqe *s1 = io_uring_get_sqe(&ring), *s2 = io_uring_get_sqe(&ring);
            if (server) {
                io_uring_prep_recv(s1, fd, in, MSG, recv_flags);
                io_uring_prep_send(s2, fd, in, MSG, MSG_NOSIGNAL);
            } else {
                io_uring_prep_send(s1, fd, out, MSG, MSG_NOSIGNAL);
                io_uring_prep_recv(s2, fd, in, MSG, recv_flags);
            }
            s1->flags |= IOSQE_IO_LINK;
            r = io_uring_submit_and_wait(&ring, 2);
            if (r < 0) die("io_uring_submit_and_wait", -r);
            struct io_uring_cqe *c;
            unsigned head, seen = 0;
            int ok = 1;
            io_uring_for_each_cqe(&ring, head, c) {
                seen++;
                if (c->res != MSG) ok = 0;
            }
            io_uring_cq_advance(&ring, seen);
            if (seen != 2) die("io_uring: fewer than 2 completions", EIO);
            if (!ok) {
                if (server) return 0; /* the client measured and left */
                die("round trip", EIO);
            }
        }
        if (server) continue;
        double t = now();
        if (!measuring) {
            if (t - start >= warm) {
                measuring = 1;
                t0 = t;
                c0 = thread_cpu();
            }
        } else {
            n += 256;
            if (t - t0 >= measure) {
                printf("RESULT %.1f %.1f\n", n / (t - t0), (thread_cpu() - c0) / n);
                return 0;
            }
        }
    }
}

/*
 * bench_many dgram server|client PATH A B: W4 through C liburing, the protocol of bench_unix (the
 * server binds PATH, prints READY, measures A seconds of warm-up and B measured and prints RESULT
 * <datagrams/s> <its CPU ns per datagram>). The receiver is what ffsock-uring's is: one multishot
 * recv over a provided-buffer ring of 512 buffers of 128 bytes, each buffer handed back as its
 * completion is seen, one io_uring_enter waiting for at least one completion at a time; the
 * client sends with plain blocking send(2), as C's does. On this kernel (6.18) the armed recv now
 * and then misses its wake-up while the sender waits for room in the full queue, and both sleep
 * for ever; so, as ffsock-uring's, the receiver waits at most 20 ms, and a wait that ends with
 * nothing (once datagrams flow) counts a stall and cancels the recv, whose end re-arms it. It
 * prints "STALLS <n>" when there were any.
 */
#define DG_NBUF 512
#define DG_BUFSZ 128
static int dgram_ring(int server, const char *path, double warm, double measure) {
    struct sockaddr_un a;
    socklen_t len = unix_address(path, &a);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket", errno);
    if (!server) {
        if (connect(fd, (struct sockaddr *) &a, len) != 0) die("connect", errno);
        static char b[MSG];
        memset(b, 'x', MSG);
        for (;;) {
            if (send(fd, b, MSG, MSG_NOSIGNAL) < 0 && errno != EINTR) return 0; /* the receiver measured and left */
        }
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *) &a, len) != 0) die("bind", errno);
    printf("READY\n");
    fflush(stdout);
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = RING_FLAGS | IORING_SETUP_CQSIZE;
    p.cq_entries = 1024;
    int r = io_uring_queue_init_params(256, &ring, &p);
    if (r < 0) die("io_uring_queue_init_params", -r);
    char *dbufs;
    struct io_uring_buf_ring *dbr = provide_buffers(DG_NBUF, DG_BUFSZ, &dbufs);
    int mask = io_uring_buf_ring_mask(DG_NBUF);
    double start = now(), t0 = 0, c0 = 0;
    long n = 0, sinceCheck = 0, total = 0, stalls = 0;
    int measuring = 0, armed = 0;
    for (;;) {
        if (!armed) {
            struct io_uring_sqe *s = io_uring_get_sqe(&ring);
            io_uring_prep_recv_multishot(s, fd, NULL, 0, 0);
            s->flags |= IOSQE_BUFFER_SELECT;
            s->buf_group = BGID;
            io_uring_sqe_set_data64(s, 1);
            armed = 1;
        }
        struct __kernel_timespec stall = {0, 20 * 1000 * 1000};
        struct io_uring_cqe *first;
        r = io_uring_submit_and_wait_timeout(&ring, &first, 1, &stall, NULL);
        if (r == -ETIME) {
            if (armed && total > 0) {
                stalls++;
                struct io_uring_sqe *s = io_uring_get_sqe(&ring);
                io_uring_prep_cancel64(s, 1, 0);
                io_uring_sqe_set_data64(s, 2);
            }
            continue;
        }
        if (r < 0 && r != -EINTR) die("io_uring_submit_and_wait_timeout", -r);
        struct io_uring_cqe *c;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, c) {
            seen++;
            if (c->user_data == 2) continue; /* the cancel's own completion */
            if (c->res > 0) {
                if (c->res != MSG) die("datagram size", EIO);
                int bid = (int) (c->flags >> IORING_CQE_BUFFER_SHIFT);
                io_uring_buf_ring_add(dbr, dbufs + (size_t) bid * DG_BUFSZ, DG_BUFSZ, (unsigned short) bid, mask, 0);
                io_uring_buf_ring_advance(dbr, 1);
                n++;
                total++;
                sinceCheck++;
            } else if (c->res != -ENOBUFS && c->res != -ECANCELED) {
                die("multishot recv", -c->res);
            }
            if (!(c->flags & IORING_CQE_F_MORE)) armed = 0;
        }
        io_uring_cq_advance(&ring, seen);
        if (sinceCheck < 64) continue;
        sinceCheck = 0;
        double t = now();
        if (!measuring) {
            if (t - start >= warm) {
                measuring = 1;
                t0 = t;
                c0 = cpu();
                n = 0;
            }
        } else if (t - t0 >= measure) {
            printf("RESULT %.1f %.1f\n", n / (t - t0), (cpu() - c0) / n);
            if (stalls > 0) printf("STALLS %ld\n", stalls);
            unlink(path);
            return 0;
        }
    }
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "server") == 0) return server(atoi(argv[2]));
    if (argc == 6 && strncmp(argv[1], "pp-", 3) == 0) {
        return pp_ring(argv[1], strcmp(argv[2], "server") == 0, argv[3], atof(argv[4]), atof(argv[5]));
    }
    if (argc == 6 && strcmp(argv[1], "dgram") == 0) {
        return dgram_ring(strcmp(argv[2], "server") == 0, argv[3], atof(argv[4]), atof(argv[5]));
    }
    if (argc == 6 && strcmp(argv[1], "client") == 0) {
        return client(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), atof(argv[5]));
    }
    fprintf(stderr, "usage: bench_many server CONNS | bench_many client PORT CONNS WARM MEASURE"
                    " | bench_many pp-stream|pp-seqpacket|dgram server|client PATH A B\n");
    return 2;
}
