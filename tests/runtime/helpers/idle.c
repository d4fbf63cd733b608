/* idle [COMMAND [ARG...]]: waits for the go signal, then exits, or runs
 * COMMAND in its place (same pid), so any command can be a paused trigger. */
#include "go.h"

int main(int argc, char **argv)
{
    go_wait();
    if (argc < 2)
        return 0;
    execvp(argv[1], argv + 1);
    fprintf(stderr, "idle: cannot run %s: %s\n", argv[1], strerror(errno));
    return 127;
}
