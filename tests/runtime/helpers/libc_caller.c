/* libc_caller N: after the go, calls libc's getppid() exactly N times, for
 * uprobes on a shared library named by its short name (uprobe:libc:getppid). */
#include "go.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: libc_caller N\n");
        return 2;
    }
    long calls = helper_number(argv[1], "N");
    go_wait();
    /* Through a volatile pointer: the compiler may not merge the calls. */
    pid_t (*volatile call)(void) = getppid;
    for (long i = 0; i < calls; i++)
        call();
    return 0;
}
