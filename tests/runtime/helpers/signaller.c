/* signaller SIG: after the go signal, exactly two kill() calls with SIG:
 * kill(own pid, SIG), which succeeds (SIG is ignored, so nothing happens),
 * then kill(2147483647, SIG), which fails with ESRCH: no pid is that large
 * (pid_max is at most 2^22). Known targets and results for killsnoop.bt. */
#include "go.h"

enum { PID_NEVER_USED = 2147483647 };

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: signaller SIG\n");
        return 2;
    }
    int sig = (int)helper_number(argv[1], "SIG");
    if (sig == SIGUSR1 || sig == SIGKILL || sig == SIGSTOP) {
        fprintf(stderr, "signaller: SIG %d cannot be ignored (or is the go signal)\n", sig);
        return 2;
    }
    /* Set up before the go: only the two kill() calls come after it. */
    if (sig != 0 && signal(sig, SIG_IGN) == SIG_ERR) {
        fprintf(stderr, "signaller: cannot ignore signal %d: %s\n", sig, strerror(errno));
        return 2;
    }
    pid_t self = getpid();

    go_wait();
    if (kill(self, sig) != 0) {
        fprintf(stderr, "signaller: kill(self, %d): %s\n", sig, strerror(errno));
        return 1;
    }
    if (kill(PID_NEVER_USED, sig) == 0 || errno != ESRCH) {
        fprintf(stderr, "signaller: kill(%d, %d) did not fail with ESRCH\n", PID_NEVER_USED, sig);
        return 1;
    }
    return 0;
}
