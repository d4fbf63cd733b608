/* Lookups in the generated syscall table, by tracepoint name and by number. */
#include "types/syscall_table.h"

#include <string.h>

#include "types/syscall_table_data.h"

/* Syscall tracepoints are named after the kernel's SYSCALL_DEFINE, which
 * differs from the __NR_ name where an old ABI kept the plain name. */
static const struct {
    const char *tracepoint;
    const char *syscall;
} renamed[] = {
    {"newstat", "stat"},   {"newfstat", "fstat"},      {"newlstat", "lstat"},
    {"newuname", "uname"}, {"sendfile64", "sendfile"}, {"umount", "umount2"},
};

static int number_of(const char *name)
{
    for (unsigned i = 0; i < syscall_table_count; i++)
        if (strcmp(syscall_table_entries[i].name, name) == 0)
            return syscall_table_entries[i].number;
    return -1;
}

static const char *strip_prefix(const char *name, const char *prefix)
{
    size_t length = strlen(prefix);
    return strncmp(name, prefix, length) == 0 ? name + length : name;
}

int syscall_table_number(const char *tracepoint_name)
{
    /* Accept the event name itself too: "sys_enter_read" is "read". */
    const char *name = strip_prefix(strip_prefix(tracepoint_name, "sys_enter_"), "sys_exit_");
    for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
        if (strcmp(renamed[i].tracepoint, name) == 0)
            return number_of(renamed[i].syscall);
    return number_of(name);
}

const char *syscall_table_name(int number)
{
    for (unsigned i = 0; i < syscall_table_count; i++)
        if (syscall_table_entries[i].number == number)
            return syscall_table_entries[i].name;
    return NULL;
}

int syscall_table_size(void)
{
    int size = 0;
    for (unsigned i = 0; i < syscall_table_count; i++)
        if (syscall_table_entries[i].number >= size)
            size = syscall_table_entries[i].number + 1;
    return size;
}
