/* ramp N: after the go signal, N read()s from /dev/zero on fd 42 of 1, 2,
 * ..., N bytes, then exit. A histogram of the read sizes has known buckets. */
#include "go.h"

#define RAMP_FD 42

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ramp N\n");
        return 2;
    }
    long count = helper_number(argv[1], "N");

    int fd = open("/dev/zero", O_RDONLY);
    if (fd < 0 || dup2(fd, RAMP_FD) < 0) {
        perror("ramp: /dev/zero");
        return 1;
    }
    if (fd != RAMP_FD)
        close(fd);
    char *buffer = malloc((size_t)count + 1);
    if (!buffer) {
        perror("ramp: malloc");
        return 1;
    }

    go_wait();
    for (long size = 1; size <= count; size++) {
        if (read(RAMP_FD, buffer, (size_t)size) < 0) {
            perror("ramp: read");
            return 1;
        }
    }
    return 0;
}
