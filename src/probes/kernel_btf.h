/* kernel_btf: the kernel's own type information (/sys/kernel/btf), which
 * names the functions fentry/fexit can trace, the raw tracepoints, and the
 * arguments of both. */
#ifndef SONDE_PROBES_KERNEL_BTF_H
#define SONDE_PROBES_KERNEL_BTF_H

#include <stdint.h>

#include "base/arena.h"
#include "base/strbuf.h"
#include "base/vec.h"
#include "types/tracepoint_format.h"

struct btf;

/* The BTF of `module` ("vmlinux" or NULL: the kernel image), loaded once per
 * process; NULL when the kernel (or module) has none. */
const struct btf *probe_kernel_btf(const char *module);

/* "vmlinux", then each module with BTF, as /sys/kernel/btf lists them (sorted). */
void probe_kernel_btf_objects(struct arena *arena, struct vec *out);

/* A type as C writes it: "struct file *", "size_t", "const char *". */
void probe_btf_type_text(const struct btf *btf, uint32_t id, struct strbuf *out);

/* The parameters of function prototype `proto_id` after the first `skip`
 * (raw tracepoints start with their `void *__data`), as a record of u64
 * slots: each parameter at 8 * its first slot (a struct passed by value
 * takes one slot per word), named as BTF names it ("argN" when it
 * has no name), typed as sonde types C declarations. Pointers tagged
 * __user point into the process. */
const struct tracepoint_format *probe_btf_arguments(struct arena *arena, const struct btf *btf,
                                                    uint32_t proto_id, unsigned skip,
                                                    const char *category, const char *event);

/* The prototype's return type (NULL for void), and its C text in *text. */
const struct type *probe_btf_return_type(struct arena *arena, const struct btf *btf,
                                         uint32_t proto_id, const char **text);

/* The FUNC named `name` (its prototype in *proto_id), or 0. */
uint32_t probe_btf_find_function(const struct btf *btf, const char *name, uint32_t *proto_id);

#endif
