/* btf: kernel types (BTF) as sonde types.
 *
 * The kernel describes its structs in /sys/kernel/btf/vmlinux. Scripts that
 * name kernel types (`curtask->pid`, `(struct sock *)arg0`, `TASK_RUNNING`)
 * get them from here. Loading the kernel's BTF costs tens of milliseconds, so
 * it happens on the first question only: scripts without kernel types never
 * pay for it.
 *
 * Conversion: structs and unions become TYPE_RECORD (anonymous members
 * flattened so `a.b` finds what C finds), pointers TYPE_POINTER into kernel
 * memory, char arrays TYPE_STRING, other arrays TYPE_ARRAY, enums integers;
 * typedefs and qualifiers disappear. Records fill their fields on first use
 * (type_complete), so recursive types cost nothing until a field is read. */
#ifndef SONDE_TYPES_BTF_H
#define SONDE_TYPES_BTF_H

#include <stdbool.h>
#include <stdint.h>

#include "types/type.h"

struct btf;
struct btf_types;

/* The kernel's types, loaded on the first call; NULL when the kernel has no
 * BTF. Lives until the process ends (types point into it). The only place
 * vmlinux's BTF is parsed: the probe kinds that need it (fentry, raw
 * tracepoints) take it from here, so a run parses it at most once. */
struct btf_types *btf_types_kernel(void);

/* The BTF `types` reads (for the kernel's, vmlinux's). */
const struct btf *btf_types_btf(const struct btf_types *types);

/* Types over any BTF (tests build their own). Does not take ownership of `btf`. */
struct btf_types *btf_types_open(const struct btf *btf);
void btf_types_close(struct btf_types *types);

/* The sonde type of BTF type `id` (0 is void); NULL for kinds sonde cannot
 * represent (functions). */
const struct type *btf_types_convert(struct btf_types *types, uint32_t id);

/* A type by C name: "struct task_struct", "union bpf_attr", "enum pid_type",
 * "pid_t" (a typedef), "unsigned int". NULL when BTF has no such type. */
const struct type *btf_types_find(struct btf_types *types, const char *name);

/* The value of an enumerator such as TASK_RUNNING, from any enum. */
bool btf_types_enum_value(struct btf_types *types, const char *name, int64_t *value);

#endif
