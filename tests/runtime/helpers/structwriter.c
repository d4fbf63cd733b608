/* structwriter: after the go signal, one kill(getppid(), 0), so a test can
 * compare its parent's pid with curtask->real_parent->tgid, then one
 * write(43, &s, sizeof s) to /dev/null of a struct with known contents:
 *   struct mine { char a; int b; char c[3]; long d; unsigned lo:3, hi:5; }
 *   = { 'x', 123456, "hi", -9876543210, 5, 17 }   (sizeof 32) */
#include "go.h"

#include <signal.h>

#define WRITER_FD 43

struct mine {
    char a;
    int b;
    char c[3];
    long d;
    unsigned lo : 3, hi : 5;
};

int main(void)
{
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || dup2(fd, WRITER_FD) < 0) {
        perror("structwriter: /dev/null");
        return 1;
    }
    struct mine s = {.a = 'x', .b = 123456, .c = "hi", .d = -9876543210L, .lo = 5, .hi = 17};

    go_wait();
    kill(getppid(), 0);
    if (write(WRITER_FD, &s, sizeof s) < 0) {
        perror("structwriter: write");
        return 1;
    }
    return 0;
}
