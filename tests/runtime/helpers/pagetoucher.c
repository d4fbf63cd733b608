/* pagetoucher N: maps N fresh pages, then after the go writes one byte to
 * each, so the process takes at least N page faults (one per page: huge
 * pages are turned off for the mapping). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS and madvise, beyond go.h's POSIX level */
#include "go.h"

#include <sys/mman.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pagetoucher N\n");
        return 2;
    }
    long pages = helper_number(argv[1], "N");
    long page_size = sysconf(_SC_PAGESIZE);
    size_t bytes = (size_t)(pages > 0 ? pages : 1) * (size_t)page_size;
    volatile char *memory =
        mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        fprintf(stderr, "pagetoucher: mmap: %s\n", strerror(errno));
        return 1;
    }
    madvise((void *)memory, bytes, MADV_NOHUGEPAGE);
    go_wait();
    for (long i = 0; i < pages; i++)
        memory[i * page_size] = 1;
    return 0;
}
