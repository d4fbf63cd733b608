/* opener PATH N: after the go signal, exactly N openat(AT_FDCWD, PATH,
 * O_RDONLY) calls, closing each file that opened, then exit. Whether an
 * open succeeds does not matter: the syscall is what tests trace. */
#include "go.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: opener PATH N\n");
        return 2;
    }
    const char *path = argv[1];
    long count = helper_number(argv[2], "N");

    go_wait();
    for (long i = 0; i < count; i++) {
        int fd = openat(AT_FDCWD, path, O_RDONLY);
        if (fd >= 0)
            close(fd);
    }
    return 0;
}
