/* bytewriter: after the go signal, one write(43, "ab\x01c.\xbb", 6) to
 * /dev/null, so a test knows exactly which bytes the probe reads. */
#include "go.h"

#define BYTEWRITER_FD 43

int main(void)
{
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || dup2(fd, BYTEWRITER_FD) < 0) {
        perror("bytewriter: /dev/null");
        return 1;
    }
    static const unsigned char bytes[] = {'a', 'b', 1, 'c', 0x2e, 0xbb};
    go_wait();
    if (write(BYTEWRITER_FD, bytes, sizeof(bytes)) < 0) {
        perror("bytewriter: write");
        return 1;
    }
    return 0;
}
