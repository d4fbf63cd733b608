/* names: the text of numbers that name something, for strerror(),
 * syscall_name() and signal_name(). The probe sends the number; these
 * tables turn it into the text bpftrace prints for it. */
#ifndef SONDE_OUTPUT_NAMES_H
#define SONDE_OUTPUT_NAMES_H

#include <stdint.h>

#include "base/strbuf.h"

/* The message of an errno value, as a 32-bit int, either sign (-ENOENT
 * reads as ENOENT); "Unknown error" for a number with no message. */
void output_errno_text(int64_t number, struct strbuf *out);
/* The name of a system call of this architecture; "Unknown syscall". */
void output_syscall_text(int64_t number, struct strbuf *out);
/* The description of a signal, as strsignal(3) words it ("Killed" for
 * 9); "N/A" outside 0..64. */
void output_signal_text(int64_t number, struct strbuf *out);

#endif
