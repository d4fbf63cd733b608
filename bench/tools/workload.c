/* workload: N cheap, identical syscalls, timed from the inside.
 *
 *   workload N [RATE]
 *
 * Reads one byte from /dev/zero N times and prints
 *   workload: pid=... n=... elapsed_ns=... cpu_ns=... ns_per_op=... cpu_ns_per_op=...
 * Elapsed time is what the traced program lives through; CPU time (its own,
 * user and system, which includes the BPF programs run in its syscalls) is
 * what it paid, and is less disturbed by whatever else the machine runs.
 * With RATE (events per second) the reads come in bursts paced to that
 * rate, for the streaming benchmark; without it they come as fast as they can.
 *
 * Under launch (BENCH_GO_FD and BENCH_WAITING_FD set) it opens /dev/zero,
 * says it is waiting and then poll()s for the go byte: it makes no read()
 * of its own outside the loop, so a tracer counting this pid's reads must
 * count exactly N. Linked statically, so no dynamic loader reads either.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Paced runs read in bursts of this many between sleeps. */
enum { BURST = 256 };
/* Unpaced runs are timed in this many slices; the fastest slice is the
 * least disturbed by the rest of the machine (see min_ns_per_op). */
enum { SLICES = 20 };

static long long clock_ns(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static long long now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static int env_fd(const char *name)
{
    const char *value = getenv(name);
    return value ? atoi(value) : -1;
}

static void wait_for_go(void)
{
    int waiting = env_fd("BENCH_WAITING_FD"), go = env_fd("BENCH_GO_FD");
    if (waiting < 0 || go < 0)
        return;
    if (write(waiting, "w", 1) != 1)
        exit(1);
    close(waiting);
    struct pollfd wait_go = {.fd = go, .events = POLLIN};
    while (poll(&wait_go, 1, -1) != 1)
        ;
}

/* Sleeps until the time at which `done` events are due at `rate` per second. */
static void pace(long long start, long long done, double rate)
{
    long long due = start + (long long)((double)done * 1e9 / rate);
    long long now = now_ns();
    if (due <= now)
        return;
    struct timespec pause = {.tv_sec = (due - now) / 1000000000LL,
                             .tv_nsec = (due - now) % 1000000000LL};
    nanosleep(&pause, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: workload N [RATE]\n", stderr);
        return 2;
    }
    long n = atol(argv[1]);
    double rate = argc > 2 ? atof(argv[2]) : 0;
    int fd = open("/dev/zero", O_RDONLY);
    if (fd < 0) {
        perror("/dev/zero");
        return 1;
    }
    char byte;
    wait_for_go();
    long long start = now_ns();
    long long cpu_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    long slice = n / SLICES > 0 ? n / SLICES : n;
    double fastest = 0;
    long long slice_start = start;
    for (long done = 0; done < n;) {
        long burst = rate > 0 && n - done > BURST ? BURST : n - done;
        if (rate <= 0 && burst > slice)
            burst = slice;
        for (long i = 0; i < burst; i++)
            if (read(fd, &byte, 1) != 1)
                return 1;
        done += burst;
        if (rate > 0) {
            pace(start, done, rate);
            continue;
        }
        long long now = now_ns();
        double per_op = (double)(now - slice_start) / (double)burst;
        if (fastest == 0 || per_op < fastest)
            fastest = per_op;
        slice_start = now;
    }
    long long elapsed = now_ns() - start;
    long long cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    printf("workload: pid=%d n=%ld elapsed_ns=%lld cpu_ns=%lld ns_per_op=%.1f cpu_ns_per_op=%.1f "
           "min_ns_per_op=%.1f\n",
           (int)getpid(), n, elapsed, cpu, (double)elapsed / (double)n, (double)cpu / (double)n,
           fastest);
    return 0;
}
