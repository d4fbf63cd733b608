/* syscall: what codegen needs to read system-call arguments when syscalls:*
 * tracepoints are compiled onto raw_tracepoint/sys_enter and sys_exit.
 * There, ctx[0] is the caller's saved `struct pt_regs *` and ctx[1] the
 * syscall number (enter) or return value (exit). */
#ifndef SONDE_PROBES_SYSCALL_H
#define SONDE_PROBES_SYSCALL_H

#include "types/tracepoint_format.h"

/* Byte offset in the x86-64 `struct pt_regs` of the register holding syscall
 * argument `argument_index` (0..5: di, si, dx, r10, r8, r9): the fixed ptrace
 * layout, so that no kernel BTF is needed. -1 for an index outside 0..5. */
int probe_syscall_register_offset(int argument_index);

/* Which argument a sys_enter format field is: the fields after __syscall_nr
 * sit in 8-byte slots from offset 16. (unsigned)-1 for __syscall_nr itself. */
unsigned probe_syscall_argument_index(const struct tracepoint_field *field);

#endif
