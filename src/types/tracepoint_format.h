/* tracepoint_format: the layout of a tracepoint's record, read from tracefs
 * (`events/<category>/<event>/format`), typed for the language. */
#ifndef SONDE_TYPES_TRACEPOINT_FORMAT_H
#define SONDE_TYPES_TRACEPOINT_FORMAT_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/diag.h"
#include "types/type.h"

struct tracepoint_field {
    const char *name;
    const char *c_type;   /* as tracefs writes it: "const char *", "unsigned int", "char[16]" */
    unsigned offset;      /* in the record */
    unsigned size;        /* as tracefs says */
    bool is_signed;
    bool is_data_loc;     /* `__data_loc char[] name`: a u32 (length << 16 | offset) at `offset` */
    const struct type *type; /* the language type of the field's value */
};

struct tracepoint_format {
    const char *category;
    const char *event;
    const struct tracepoint_field *fields; /* without the common_* fields */
    unsigned field_count;
    const struct type *args_type; /* TYPE_RECORD over `fields`, named after the event */
};

struct btf_types;

/* Parse the text of a format file. Returns NULL and sets *error (arena text) on
 * malformed input. `user_pointers`: pointers are user-space (syscall args).
 * Named types (`struct __kernel_timespec *`) stay opaque (void). */
const struct tracepoint_format *tracepoint_format_parse(struct arena *arena, const char *category,
                                                        const char *event, const char *text,
                                                        bool user_pointers, const char **error);
/* The same, with named types (structs, unions, enums, typedefs) from `btf`:
 * `struct __kernel_timespec * rqtp` points to that struct, so
 * `args->rqtp->tv_sec` reads a field. With `user_pointers`, every pointer
 * reached through such a struct is a user pointer too. */
const struct tracepoint_format *tracepoint_format_parse_btf(struct arena *arena,
                                                            const char *category, const char *event,
                                                            const char *text, bool user_pointers,
                                                            struct btf_types *btf,
                                                            const char **error);
/* Read and parse `<tracefs>/events/<category>/<event>/format`. NULL when missing
 * (errno set) or malformed (*error set). Pointers are user-space for the
 * "syscalls" category (syscall arguments), kernel otherwise. With
 * `named_types`, named types come from the kernel's BTF (loaded at the first
 * field that names one); without, they stay opaque as in _parse. */
const struct tracepoint_format *tracepoint_format_read(struct arena *arena, const char *tracefs,
                                                       const char *category, const char *event,
                                                       bool named_types, const char **error);
/* Map a C type as written in a format file to a language type (named types
 * opaque; with _btf, from `btf`). */
const struct type *tracepoint_c_type(struct arena *arena, const char *c_type, unsigned size,
                                     bool is_signed, bool user_pointers);
const struct type *tracepoint_c_type_btf(struct arena *arena, const char *c_type, unsigned size,
                                         bool is_signed, bool user_pointers,
                                         struct btf_types *btf);

#endif
