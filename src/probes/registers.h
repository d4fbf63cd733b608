/* registers: where the x86-64 `struct pt_regs` keeps each register, for the
 * contexts that hand a program the saved registers (kprobes, uprobes, the
 * sys_enter tracepoint's regs argument). */
#ifndef SONDE_PROBES_REGISTERS_H
#define SONDE_PROBES_REGISTERS_H

/* Byte offset of register `name` ("di", "ax", "sp", ...) as the running
 * kernel's BTF lays the struct out (built-in values when BTF is unreadable);
 * -1 for a name pt_regs does not have. */
int probe_register_offset(const char *name);

/* The register holding argument `index` of a C function call (0..5: di, si,
 * dx, cx, r8, r9); NULL beyond, where arguments are on the stack. */
const char *probe_argument_register(int index);

enum { PROBE_REGISTER_ARGUMENTS = 6 };

#endif
