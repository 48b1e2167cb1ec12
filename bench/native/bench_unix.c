/*
 * bench_unix MODE ROLE PATH A B: the C side of ffsock's AF_UNIX benchmarks, the same protocol as
 * the Java peers (src/bench/java/io/ffsock/bench/Peer.java). Both ends are this program.
 *
 *   MODE pp-stream | pp-seqpacket  ping-pong of 64-byte messages; the client measures round trips/s
 *                                  (A = warm-up seconds, B = measured seconds)
 *        stream                    64 KiB writes one way; the server (receiver) measures bytes/s
 *                                  (A = warm-up seconds, B = measured MiB)
 *        dgram | dgram-batch       64-byte datagrams one way, send/recv or sendmmsg/recvmmsg of 32;
 *                                  the server (receiver) measures messages/s (A, B seconds)
 *   ROLE server: binds PATH, prints READY; client: connects to PATH.
 * The measuring side prints "RESULT <per second>".
 *
 * With BENCH_IDLE_THREAD=1 in the environment the process first starts one thread that only
 * sleeps (the "c-mt" row). A process with more than one thread shares its fd table, and Linux
 * then takes the slower path in every fd lookup (fdget: a reference count on the file, instead
 * of none); a JVM always has many threads, so this row shows what C pays under the same rule.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define CHUNK (64 * 1024)
#define BATCH 32

static void die(const char *what) {
    perror(what);
    exit(2);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* CPU time of the calling thread, in nanoseconds. */
static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static struct sockaddr_un addr(const char *path, socklen_t *len) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path) {
        fprintf(stderr, "path too long\n");
        exit(2);
    }
    strcpy(a.sun_path, path);
    *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
    return a;
}

static int serve(const char *path, int type) {
    socklen_t len;
    struct sockaddr_un a = addr(path, &len);
    unlink(path);
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (bind(fd, (struct sockaddr *) &a, len) != 0) die("bind");
    if (type != SOCK_DGRAM) {
        if (listen(fd, 16) != 0) die("listen");
    }
    printf("READY\n");
    fflush(stdout);
    if (type == SOCK_DGRAM) return fd;
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) die("accept");
    close(fd);
    return c;
}

static int dial(const char *path, int type) {
    socklen_t len;
    struct sockaddr_un a = addr(path, &len);
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *) &a, len) != 0) die("connect");
    return fd;
}

/* Reads exactly n bytes (a stream may deliver fewer per call); 0 at end of stream. */
static int read_full(int fd, char *b, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, b + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) return 0;
        got += (size_t) r;
    }
    return 1;
}

static int write_full(int fd, const char *b, size_t n) {
    size_t put = 0;
    while (put < n) {
        ssize_t r = send(fd, b + put, n - put, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        put += (size_t) r;
    }
    return 0;
}

static void pp_server(int fd) {
    char b[MSG];
    for (;;) {
        if (read_full(fd, b, MSG) <= 0) break;
        if (write_full(fd, b, MSG) != 0) break;
    }
}

static void pp_client(int fd, double warm, double measure) {
    char b[MSG];
    memset(b, 'x', MSG);
    double start = now(), t0 = 0, c0 = 0;
    long n = 0;
    int measuring = 0;
    for (;;) {
        for (int i = 0; i < 256; i++) {
            if (write_full(fd, b, MSG) != 0) die("send");
            if (read_full(fd, b, MSG) <= 0) die("recv");
        }
        double t = now();
        if (!measuring) {
            if (t - start >= warm) {
                measuring = 1;
                t0 = t;
                c0 = cpu();
            }
        } else {
            n += 256;
            if (t - t0 >= measure) {
                printf("RESULT %.1f %.1f\n", n / (t - t0), (cpu() - c0) / n);
                return;
            }
        }
    }
}

/* Receives for warm seconds, then measures measureBytes (at least), in full 64 KiB reads. */
static void stream_receiver(int fd, double warm, long measureBytes) {
    char *b = malloc(CHUNK);
    double start = now();
    long got = 0;
    double t0 = 0, c0 = 0;
    int measuring = 0;
    for (;;) {
        ssize_t r = recv(fd, b, CHUNK, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            die("recv");
        }
        if (r == 0) {
            fprintf(stderr, "sender left early\n");
            exit(2);
        }
        got += r;
        if (!measuring) {
            if (now() - start >= warm) {
                measuring = 1;
                got = 0;
                t0 = now();
                c0 = cpu();
            }
        } else if (got >= measureBytes) {
            printf("RESULT %.1f %.1f\n", got / (now() - t0), (cpu() - c0) / (got / 1048576.0));
            fflush(stdout);
            break;
        }
    }
    free(b);
}

/* Sends 64 KiB at a time until the receiver leaves. */
static void stream_sender(int fd) {
    char *b = malloc(CHUNK);
    memset(b, 'x', CHUNK);
    for (;;) {
        ssize_t r = send(fd, b, CHUNK, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR) continue;
            break; /* the receiver has what it needs and left */
        }
    }
    free(b);
}

static void dgram_receiver(int fd, double warm, double measure, int batch) {
    char b[BATCH][MSG];
    struct mmsghdr h[BATCH];
    struct iovec v[BATCH];
    for (int i = 0; i < BATCH; i++) {
        v[i].iov_base = b[i];
        v[i].iov_len = MSG;
        memset(&h[i], 0, sizeof h[i]);
        h[i].msg_hdr.msg_iov = &v[i];
        h[i].msg_hdr.msg_iovlen = 1;
    }
    double start = now(), t0 = 0, c0 = 0;
    long n = 0, sinceCheck = 0;
    int measuring = 0;
    for (;;) {
        int got;
        if (batch) {
            got = recvmmsg(fd, h, BATCH, MSG_WAITFORONE, NULL);
        } else {
            got = recv(fd, b[0], MSG, 0) < 0 ? -1 : 1;
        }
        if (got < 0) {
            if (errno == EINTR) continue;
            die("recv");
        }
        n += got;
        sinceCheck += got;
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
            return;
        }
    }
}

static void dgram_sender(int fd, int batch) {
    char b[MSG];
    memset(b, 'x', MSG);
    struct mmsghdr h[BATCH];
    struct iovec v[BATCH];
    for (int i = 0; i < BATCH; i++) {
        v[i].iov_base = b;
        v[i].iov_len = MSG;
        memset(&h[i], 0, sizeof h[i]);
        h[i].msg_hdr.msg_iov = &v[i];
        h[i].msg_hdr.msg_iovlen = 1;
    }
    for (;;) {
        int r = batch ? sendmmsg(fd, h, BATCH, MSG_NOSIGNAL) : (int) send(fd, b, MSG, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR) continue;
            return; /* ECONNREFUSED: the receiver has measured and left */
        }
    }
}

static void *sleeper(void *unused) {
    (void) unused;
    for (;;) pause();
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: bench_unix MODE server|client PATH A B\n");
        return 2;
    }
    const char *idle = getenv("BENCH_IDLE_THREAD");
    if (idle != NULL && strcmp(idle, "1") == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, sleeper, NULL) != 0) die("pthread_create");
    }
    const char *mode = argv[1], *path = argv[3];
    int server = strcmp(argv[2], "server") == 0;
    double a = atof(argv[4]), b = atof(argv[5]);
    if (strcmp(mode, "pp-stream") == 0 || strcmp(mode, "pp-seqpacket") == 0) {
        int type = mode[3] == 's' && mode[4] == 't' ? SOCK_STREAM : SOCK_SEQPACKET;
        int fd = server ? serve(path, type) : dial(path, type);
        if (server) pp_server(fd); else pp_client(fd, a, b);
        close(fd);
    } else if (strcmp(mode, "stream") == 0) {
        long measure = (long) (b * 1048576);
        int fd = server ? serve(path, SOCK_STREAM) : dial(path, SOCK_STREAM);
        if (server) stream_receiver(fd, a, measure); else stream_sender(fd);
        close(fd);
    } else if (strcmp(mode, "dgram") == 0 || strcmp(mode, "dgram-batch") == 0) {
        int batch = mode[5] == '-';
        int fd = server ? serve(path, SOCK_DGRAM) : dial(path, SOCK_DGRAM);
        if (server) dgram_receiver(fd, a, b, batch); else dgram_sender(fd, batch);
        close(fd);
        if (server) unlink(path);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
