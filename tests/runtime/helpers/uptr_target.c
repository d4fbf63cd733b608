/* uptr_target [N]: after the go, N (default 1) calls of its own
 * sonde_uptr_probe(&value, &first), which returns first.next (&second).
 * Everything lives on main's stack, in the process's memory:
 *   int32 value = 424242
 *   struct sonde_record { int32 id; uint8 flag; int64 total; const char *name;
 *                         struct sonde_record *next; }        (sizeof 32)
 *   first  = { 7, 0xa5, -9876543210, "first", &second }
 *   second = { 8, 1, 123456789012, "second", NULL }
 * For reads through uprobe arguments and uretprobe return values that are
 * addresses in the traced process. */
#include "go.h"

#include <stdint.h>

struct sonde_record {
    int32_t id;
    uint8_t flag;
    int64_t total;
    const char *name;
    struct sonde_record *next;
};

/* noipa: the symbol exists under this name and every call reaches it. */
__attribute__((noinline, noipa, used)) struct sonde_record *
sonde_uptr_probe(const int32_t *value, const struct sonde_record *record)
{
    __asm__ volatile("" ::"r"(value), "r"(record) : "memory");
    return record->next;
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? helper_number(argv[1], "N") : 1;
    int32_t value = 424242;
    struct sonde_record second = {8, 1, 123456789012LL, "second", NULL};
    struct sonde_record first = {7, 0xa5, -9876543210LL, "first", &second};
    go_wait();
    long found = 0;
    for (long i = 0; i < calls; i++)
        found += sonde_uptr_probe(&value, &first) == &second;
    return found == calls ? 0 : 1;
}
