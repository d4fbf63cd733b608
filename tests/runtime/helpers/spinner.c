/* spinner MS: after the go, keeps every online CPU busy for MS milliseconds
 * (one child process pinned to each), then exits. An idle CPU takes no
 * cpu-clock samples here, so profile tests need busy ones. */
#define _GNU_SOURCE /* sched_setaffinity and the CPU_* macros, beyond go.h's POSIX level */
#include "go.h"

#include <sched.h>
#include <sys/wait.h>

static long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void spin_on(int cpu, long until)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        _exit(1);
    while (now_ms() < until)
        ;
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: spinner MILLISECONDS\n");
        return 2;
    }
    long duration = helper_number(argv[1], "MILLISECONDS");
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
        fprintf(stderr, "spinner: sched_getaffinity: %s\n", strerror(errno));
        return 1;
    }
    go_wait();
    long until = now_ms() + duration;
    int children = 0, failed = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed))
            continue;
        pid_t child = fork();
        if (child == 0)
            spin_on(cpu, until);
        children += child > 0;
    }
    for (int status; children > 0; children--)
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    return failed ? 1 : 0;
}
