/* resolved: values that only user space can finish when it prints them:
 * stacks and symbols (through the runtime's symbol tables), user names,
 * wall-clock times, buffers, network addresses, errno/syscall/signal
 * names and cgroup paths. */
#ifndef SONDE_OUTPUT_RESOLVED_H
#define SONDE_OUTPUT_RESOLVED_H

#include <stdbool.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "types/type.h"

/* What the runtime knows: the loaded stack maps and the symbol tables. */
struct output_symbolizer {
    void *context;
    /* The addresses of stack `id` (kernel or user, captured with `limit`
     * frames); returns how many were written to `ips` (at most `max`). */
    unsigned (*stack)(void *context, bool user, unsigned limit, int64_t id, uint64_t *ips,
                      unsigned max);
    /* Append the symbol of `address` ("name+off" with `offset`, else "name");
     * false when unknown. `pid` selects the process for user addresses. */
    bool (*symbol)(void *context, bool user, uint32_t pid, uint64_t address, bool offset,
                   struct strbuf *out);
    /* Append the module (binary path or "kernel") holding `address`. */
    void (*module)(void *context, bool user, uint32_t pid, uint64_t address, struct strbuf *out);
};

/* Installed by the runtime once the programs are loaded; NULL removes it. */
void output_set_symbolizer(const struct output_symbolizer *symbolizer);

bool output_is_resolved(const struct type *type);
/* Append the text of a resolved value. Stack frames are each on their own
 * line, indented by `indent` spaces: 4 as map keys, 8 through printf. */
void output_format_resolved(const struct type *type, const void *bytes, unsigned indent,
                            struct strbuf *out);
/* How printf shows a buffer: %r (printable bytes as they are, others \xNN;
 * also print() and maps), %rx (every byte \xNN), %rh (hex pairs with spaces). */
enum output_buffer_style { OUTPUT_BUFFER_ESCAPED, OUTPUT_BUFFER_HEX, OUTPUT_BUFFER_SPACED };
void output_format_buffer(const struct type *type, const void *bytes, enum output_buffer_style style,
                          struct strbuf *out);
/* strftime with bpftrace's `%f` (microseconds) for a boot-relative time. */
void output_format_time(const char *format, uint64_t boot_ns, struct strbuf *out);
/* Wall-clock time of day now, formatted with strftime (time()). */
void output_format_now(const char *format, struct strbuf *out);

#endif
