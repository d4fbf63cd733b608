/* cdefs: the script's C definitions (its preamble) as sonde types, and the
 * resolution of C type names in general.
 *
 * A script may define structs, unions, enums, typedefs and #defines before
 * its probes. They get C's natural layout (x86-64 System V: each field at
 * its alignment, bitfields packed into units of their declared type). Type
 * names resolve against, in order: C and sonde integer names, the script's
 * definitions, then the kernel's BTF (loaded only when a name needs it). */
#ifndef SONDE_TYPES_CDEFS_H
#define SONDE_TYPES_CDEFS_H

#include <stdbool.h>
#include <stdint.h>

#include "ast/ast.h"
#include "base/diag.h"
#include "types/btf.h"
#include "types/type.h"

struct cdefs;

/* Where kernel types come from; NULL: nowhere. Called only on demand. */
typedef struct btf_types *(*cdefs_kernel_source)(void);

/* Convert `definitions` (struct ast_c_definition *, script order). Errors go
 * to `diag`; returns NULL only when one was reported. */
struct cdefs *cdefs_build(struct arena *arena, const struct vec *definitions,
                          cdefs_kernel_source kernel, struct diag *diag);

/* A type from its C text: "struct mine *", "unsigned int", "uint32",
 * "char[16]", "pid_t". Pointers get `space`. NULL when a name is unknown. */
/* Arrays in type names (`int8[N]`) longer than this are refused: nothing
 * that large fits a BPF map value or the stack. */
#define CDEFS_ARRAY_MAX_LENGTH (1u << 20)
/* Whether `text` names an array longer than CDEFS_ARRAY_MAX_LENGTH (for
 * which cdefs_resolve returns NULL). */
bool cdefs_array_too_long(const char *text);
const struct type *cdefs_resolve(struct cdefs *cdefs, const char *text, enum address_space space);

/* An enumerator of the script's enums or the kernel's, or an integer #define. */
bool cdefs_constant(struct cdefs *cdefs, const char *name, int64_t *value);

/* The kernel's types, loading them now if needed; NULL without BTF. */
struct btf_types *cdefs_kernel(struct cdefs *cdefs);

#endif
