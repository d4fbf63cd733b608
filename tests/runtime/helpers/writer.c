/* writer N SIZE: after the go signal, exactly N write()s of SIZE bytes to
 * /dev/null on fd 43 (a fixed fd, so tests can expect "fd 43"), then exit. */
#include "go.h"

#define WRITER_FD 43

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: writer N SIZE\n");
        return 2;
    }
    long count = helper_number(argv[1], "N");
    long size = helper_number(argv[2], "SIZE");

    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || dup2(fd, WRITER_FD) < 0) {
        perror("writer: /dev/null");
        return 1;
    }
    if (fd != WRITER_FD)
        close(fd);
    char *buffer = calloc(1, (size_t)size + 1);
    if (!buffer) {
        perror("writer: calloc");
        return 1;
    }

    go_wait();
    for (long i = 0; i < count; i++) {
        if (write(WRITER_FD, buffer, (size_t)size) < 0) {
            perror("writer: write");
            return 1;
        }
    }
    return 0;
}
