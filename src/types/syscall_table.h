/* syscall_table: system-call numbers of the architecture sonde was built for,
 * generated at build time from the kernel UAPI header (asm/unistd_64.h). */
#ifndef SONDE_TYPES_SYSCALL_TABLE_H
#define SONDE_TYPES_SYSCALL_TABLE_H

/* The number for a syscall as named by its tracepoint (`sys_enter_<name>`);
 * knows the tracepoint spellings that differ from __NR_ names (newstat → stat).
 * -1 when unknown. */
int syscall_table_number(const char *tracepoint_name);
/* The __NR_ name for a number, or NULL. */
const char *syscall_table_name(int number);
/* One more than the largest number in the table. */
int syscall_table_size(void);

#endif
