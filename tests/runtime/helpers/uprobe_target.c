/* uprobe_target [N]: after the go, calls sonde_uprobe_target(i, "sonde")
 * for i = 0..N-1 (N defaults to 37); each call returns 2 * i. A known
 * function in a known binary, called a known number of times, for uprobe
 * and uretprobe tests. */
#include "go.h"

/* noipa: no inlining, cloning or other interprocedural change, so the
 * symbol exists under this name and every call reaches it. */
__attribute__((noinline, noipa, used)) int sonde_uprobe_target(int index, const char *label)
{
    __asm__ volatile("" ::"r"(label) : "memory");
    return 2 * index;
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? helper_number(argv[1], "N") : 37;
    go_wait();
    int total = 0;
    for (long i = 0; i < calls; i++)
        total += sonde_uprobe_target((int)i, "sonde");
    return total == (int)(calls * (calls - 1)) ? 0 : 1;
}
