/* stacker: after the go, calls getppid() from stacker_leaf(), called by
 * stacker_middle(), so a user stack names both; then stays alive briefly so
 * its mappings can still be read when the stack is printed. Built with frame
 * pointers (see CMakeLists.txt: helpers use -O0 -g -fno-omit-frame-pointer). */
#define _DEFAULT_SOURCE
#include "go.h"

#include <sys/syscall.h>
#include <unistd.h>

/* The system call is made right here, not in libc's syscall(): libc has no
 * frame pointers, and the unwinder would skip this function. x86-64 only. */
__attribute__((noinline)) void stacker_leaf(void)
{
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
}

__attribute__((noinline)) void stacker_middle(void)
{
    stacker_leaf();
}

int main(void)
{
    go_wait();
    stacker_middle();
    usleep(500 * 1000);
    return 0;
}
