/* syscall_table_data: the table scripts/gen-syscall-table.sh generates into
 * the build directory (syscall_table_data.c). Private to syscall_table.c. */
#ifndef SONDE_TYPES_SYSCALL_TABLE_DATA_H
#define SONDE_TYPES_SYSCALL_TABLE_DATA_H

struct syscall_table_entry {
    const char *name; /* as in __NR_<name> */
    int number;
};

extern const struct syscall_table_entry syscall_table_entries[];
extern const unsigned syscall_table_count;

#endif
