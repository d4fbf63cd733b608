/* reader N SIZE: after the go signal, exactly N read()s of SIZE bytes from
 * /dev/zero on fd 42 (a fixed fd, so tests can expect "fd 42"), then exit. */
#include "go.h"

#define READER_FD 42

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: reader N SIZE\n");
        return 2;
    }
    long count = helper_number(argv[1], "N");
    long size = helper_number(argv[2], "SIZE");

    int fd = open("/dev/zero", O_RDONLY);
    if (fd < 0 || dup2(fd, READER_FD) < 0) {
        perror("reader: /dev/zero");
        return 1;
    }
    if (fd != READER_FD)
        close(fd);
    char *buffer = malloc((size_t)size + 1);
    if (!buffer) {
        perror("reader: malloc");
        return 1;
    }

    go_wait();
    for (long i = 0; i < count; i++) {
        if (read(READER_FD, buffer, (size_t)size) < 0) {
            perror("reader: read");
            return 1;
        }
    }
    return 0;
}
