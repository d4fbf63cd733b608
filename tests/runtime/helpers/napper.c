/* napper SEC NSEC: after the go signal, one nanosleep({SEC, NSEC}) system
 * call (glibc's nanosleep() makes clock_nanosleep), then
 * kill(getpid(), 0) and kill(getpid(), SIGURG) (ignored by default), then
 * setpriority(PRIO_PROCESS, 0, -1) (a CAP_SYS_NICE check; it fails
 * harmlessly without the capability), then exit. Tests read the timespec
 * through the nanosleep argument, print the kill arguments and the
 * signal_generate record, and follow cap_capable's cred pointer. */
#define _DEFAULT_SOURCE /* syscall() */
#include "go.h"

#include <sys/resource.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: napper SEC NSEC\n");
        return 2;
    }
    struct timespec nap = {
        .tv_sec = helper_number(argv[1], "SEC"),
        .tv_nsec = helper_number(argv[2], "NSEC"),
    };
    if (nap.tv_nsec >= 1000000000L) {
        fprintf(stderr, "NSEC must be below 1000000000\n");
        return 2;
    }

    go_wait();
    if (syscall(SYS_nanosleep, &nap, NULL) != 0)
        perror("nanosleep");
    kill(getpid(), 0);
    kill(getpid(), SIGURG);
    setpriority(PRIO_PROCESS, 0, -1);
    return 0;
}
