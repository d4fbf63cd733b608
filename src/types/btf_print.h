/* btf_print: `sonde -l 'struct task*'` lists the kernel's struct, union and
 * enum names that match; `sonde -lv 'struct task_struct'` prints their C
 * definitions from BTF, as bpftrace does: `struct task_struct {`, one member
 * a line with its C type, `};`, then an empty line. */
#ifndef SONDE_TYPES_BTF_PRINT_H
#define SONDE_TYPES_BTF_PRINT_H

#include <stdbool.h>
#include <stdio.h>

struct btf;

/* Whether a -l pattern asks for types ("struct X", "union X", "enum X",
 * wildcards allowed) rather than probes. */
bool btf_print_is_type_pattern(const char *pattern);

/* Every named struct, union and enum of `btf` whose C name ("struct
 * task_struct") matches `pattern` (`*` and `?`), sorted, once each; with
 * `verbose`, their definitions instead of their names (a type BTF only
 * declares has none). Returns the count printed, or -errno. */
int btf_print_types(const struct btf *btf, const char *pattern, bool verbose, FILE *out);

#endif
