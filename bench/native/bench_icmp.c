/*
 * bench_icmp WARM MEASURE: ICMP echo round trips to 127.0.0.1 over a raw socket with IP_HDRINCL,
 * the C side of ffsock's W5 (the Java side is src/bench/java/io/ffsock/bench/IcmpPing.java and
 * does the same work). Each round trip: fill in the sequence number and both checksums, sendto,
 * recvfrom until the reply with our id and sequence comes (ICMP_FILTER passes only echo replies).
 * Prints "RESULT <round trips per second>". Needs CAP_NET_RAW.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IP_LEN 20
#define ICMP_LEN 64 /* 8-byte header + 56 bytes of data, as ping sends */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static uint16_t checksum(const uint8_t *p, int n) {
    uint32_t sum = 0;
    for (int i = 0; i + 1 < n; i += 2) sum += (uint32_t) (p[i] << 8 | p[i + 1]);
    if (n & 1) sum += (uint32_t) p[n - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t) ~sum;
}

static void put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench_icmp WARM_SECONDS MEASURE_SECONDS\n");
        return 2;
    }
    double warm = atof(argv[1]), measure = atof(argv[2]);
    int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) {
        perror("socket");
        return 2;
    }
    int one = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) != 0) perror("IP_HDRINCL");
    struct icmp_filter filter = {.data = ~(1U << ICMP_ECHOREPLY)};
    if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0) perror("ICMP_FILTER");
    struct sockaddr_in to = {.sin_family = AF_INET};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    uint16_t id = (uint16_t) getpid();

    uint8_t pkt[IP_LEN + ICMP_LEN], in[1500];
    memset(pkt, 0, sizeof pkt);
    pkt[0] = 0x45;                      /* IPv4, 5 words */
    put16(pkt + 2, sizeof pkt);         /* total length (the kernel fills it in anyway) */
    pkt[8] = 64;                        /* TTL */
    pkt[9] = IPPROTO_ICMP;
    memcpy(pkt + 12, &to.sin_addr, 4);  /* source 127.0.0.1 */
    memcpy(pkt + 16, &to.sin_addr, 4);  /* destination */
    uint8_t *icmp = pkt + IP_LEN;
    icmp[0] = ICMP_ECHO;
    put16(icmp + 4, id);
    for (int i = 8; i < ICMP_LEN; i++) icmp[i] = (uint8_t) i;

    double start = now(), t0 = 0, c0 = 0;
    long n = 0;
    int measuring = 0;
    uint16_t seq = 0;
    for (;;) {
        for (int k = 0; k < 64; k++) {
            seq++;
            put16(icmp + 6, seq);
            put16(icmp + 2, 0);
            put16(icmp + 2, checksum(icmp, ICMP_LEN));
            put16(pkt + 10, 0);
            put16(pkt + 10, checksum(pkt, IP_LEN));
            if (sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *) &to, sizeof to) < 0) {
                perror("sendto");
                return 2;
            }
            for (;;) {
                struct sockaddr_in from;
                socklen_t fl = sizeof from;
                ssize_t r = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *) &from, &fl);
                if (r < 0) {
                    if (errno == EINTR) continue;
                    perror("recvfrom");
                    return 2;
                }
                int ihl = (in[0] & 15) * 4;
                if (r < ihl + 8) continue;
                uint8_t *reply = in + ihl;
                if (reply[0] == ICMP_ECHOREPLY && (reply[4] << 8 | reply[5]) == id
                        && (uint16_t) (reply[6] << 8 | reply[7]) == seq) break;
            }
        }
        double t = now();
        if (!measuring) {
            if (t - start >= warm) {
                measuring = 1;
                t0 = t;
                c0 = cpu();
            }
        } else {
            n += 64;
            if (t - t0 >= measure) {
                printf("RESULT %.1f %.1f\n", n / (t - t0), (cpu() - c0) / n);
                return 0;
            }
        }
    }
}
