/*
 * cputime CMD [ARGS...]: runs CMD, waits for it with wait4(2) and prints to stderr
 *   CPUTIME <wall ns> <user ns> <system ns> <exit status>
 * (the child's rusage to the microsecond, where bash's `times` gives milliseconds and GNU time
 * hundredths). Used by the sweep benchmark (SweepBench) around fping and the Pinger's JVM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long tv_ns(struct timeval t) { return t.tv_sec * 1000000000LL + t.tv_usec * 1000LL; }

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: cputime CMD [ARGS...]\n");
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) {
        perror("cputime: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("cputime: execvp");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("cputime: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr, "CPUTIME %lld %lld %lld %d\n", ns(end) - ns(start), tv_ns(ru.ru_utime), tv_ns(ru.ru_stime), code);
    return code;
}
