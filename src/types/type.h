/* types: the value types of the sonde language.
 *
 * A type says how a value is laid out in memory wherever it travels (BPF
 * stack, map key or value, ring-buffer event) and how user space prints it.
 * Types are immutable once built; integer types are shared singletons and
 * the rest are allocated in the compilation's arena. */
#ifndef SONDE_TYPES_TYPE_H
#define SONDE_TYPES_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/strbuf.h"

enum type_kind {
    TYPE_VOID,    /* statements and functions that produce nothing */
    TYPE_INT,     /* 1, 2, 4 or 8 bytes, signed or not */
    TYPE_BOOL,    /* 1 byte, printed true/false */
    TYPE_STRING,  /* fixed capacity `size` bytes, NUL-terminated inside it */
    TYPE_POINTER, /* 8 bytes; `element` is what it points to, `space` where */
    TYPE_ARRAY,   /* `length` elements of `element` */
    TYPE_TUPLE,   /* anonymous fields, packed with natural alignment */
    TYPE_RECORD,  /* named fields: tracepoint args, C/BTF structs */
    TYPE_PROBE,   /* the `probe` builtin: 8-byte index into the plan's probe names */
    TYPE_COUNT,   /* aggregation results, only as map values */
    TYPE_SUM,
    TYPE_MIN,
    TYPE_MAX,
    TYPE_AVG,
    TYPE_STATS,
    TYPE_HIST,
    TYPE_LHIST,
    /* Values user space finishes when it prints them (src/output/resolved.c). */
    TYPE_KSTACK,    /* {i64 stack id, u64 pid}; `length` = frame limit, `name` = mode */
    TYPE_USTACK,    /* the same, for user stacks */
    TYPE_KSYM,      /* u64 kernel address, printed as its symbol */
    TYPE_USYM,      /* {u64 address, u64 pid}, printed as the process's symbol */
    TYPE_USERNAME,  /* u64 uid, printed as the user's name */
    TYPE_TIMESTAMP, /* u64 boot-relative ns; `name` = strftime format */
    TYPE_BUFFER,    /* buf(): {u64 length, u8 bytes[`length` capacity]}, printed escaped */
    TYPE_INET,      /* ntop(): {u64 address family, u8 address[16]}, printed as text */
    TYPE_MACADDR,   /* macaddr(): {u8 address[6], 2 bytes padding}, printed AA:BB:.. */
    TYPE_NUMBER_NAME, /* u64 number printed as text; `name` = strerror, syscall_name or signal_name */
    TYPE_CGROUP_PATH, /* cgroup_path(): u64 cgroup id; `name` = hierarchy filter */
};

enum address_space { SPACE_NONE, SPACE_KERNEL, SPACE_USER };

struct type;

struct type_field {
    const char *name; /* NULL for tuple fields */
    const struct type *type;
    unsigned offset; /* bytes from the start of the aggregate */
    /* Bitfields: the value is `bit_size` bits starting `bit_offset` bits
     * above `offset` (little-endian); `type` is the declared integer type.
     * bit_size 0: an ordinary field. */
    unsigned short bit_offset;
    unsigned short bit_size;
};

/* One name of an enum (TYPE_INT with `enumerators`). */
struct type_enumerator {
    const char *name;
    int64_t value;
};

/* A record whose fields are filled on first use: kernel structs reach each
 * other through pointers (task_struct -> real_parent -> task_struct), so
 * converting them eagerly would walk most of the kernel's types. */
struct type_lazy {
    void (*complete)(struct type_lazy *lazy, struct type *record);
};

struct type {
    enum type_kind kind;
    unsigned size;  /* bytes of storage */
    unsigned align; /* 1, 2, 4 or 8 */
    bool is_signed; /* TYPE_INT (and aggregations of signed values) */
    enum address_space space;   /* TYPE_POINTER: which memory it refers to */
    const struct type *element; /* TYPE_POINTER target, TYPE_ARRAY element */
    unsigned length;            /* TYPE_ARRAY element count */
    const char *name;           /* TYPE_RECORD: struct name, for messages */
    const struct type_field *fields; /* TYPE_TUPLE, TYPE_RECORD */
    unsigned field_count;
    struct type_lazy *lazy; /* TYPE_RECORD: non-NULL until its fields are filled */
    /* TYPE_RECORD, TYPE_TUPLE: type_complete has filled every record held
     * by value inside (fields, array elements, nested), not only this one. */
    bool complete;
    /* TYPE_INT of an enum (`name` "enum e"): its names, which printf's %s
     * prints for the value; `wide` is the same enum in 8 bytes. */
    const struct type_enumerator *enumerators;
    unsigned enumerator_count;
    const struct type *wide;
};

/* Shared singletons. */
extern const struct type type_void;
extern const struct type type_bool;
extern const struct type type_probe;
const struct type *type_int(unsigned size, bool is_signed);

const struct type *type_string(struct arena *arena, unsigned capacity);
const struct type *type_pointer(struct arena *arena, const struct type *element,
                                enum address_space space);
const struct type *type_array(struct arena *arena, const struct type *element, unsigned length);
/* Lays the fields out with natural alignment; `fields[i].offset` is ignored on input. */
const struct type *type_tuple(struct arena *arena, const struct type *const *elements,
                              unsigned count);
/* Fields keep the offsets given (they come from a kernel layout). */
const struct type *type_record(struct arena *arena, const char *name,
                               const struct type_field *fields, unsigned count, unsigned size);
/* The integer type `base` as enum `name` ("enum e") with its names. */
const struct type *type_enum(struct arena *arena, const struct type *base, const char *name,
                             const struct type_enumerator *enumerators, unsigned count);
/* An integer type widened to 8 bytes, as variables and maps hold it: the
 * shared int64/uint64, or an enum's 8-byte twin (keeping its names). */
const struct type *type_widened(const struct type *type);
/* The name of `value` in an enum type; NULL when it has none. */
const char *type_enumerator_name(const struct type *type, int64_t value);

/* Aggregation value types: `value` is the type of what is aggregated. */
const struct type *type_aggregation(struct arena *arena, enum type_kind kind,
                                    const struct type *value);

/* The integer (or bool) type a C or language type name stands for, e.g.
 * "unsigned int", "u64", "pid_t", "uint32"; NULL for other names. */
const struct type *type_c_integer(const char *name);

bool type_equal(const struct type *a, const struct type *b);
bool type_is_integer(const struct type *type);    /* int or bool */
bool type_is_aggregation(const struct type *type);
/* Fills a lazy record's fields, and those of every record it holds by value
 * (not behind pointers), however deep: a value of the type can then be
 * copied, laid out and printed field by field. type_find_field does it by
 * itself. Returns `type`. */
const struct type *type_complete(const struct type *type);
const struct type_field *type_find_field(const struct type *record, const char *name);
/* A bitfield's value out of its record's bytes, stored little-endian in
 * `out` as an ordinary integer of the field's type (8 bytes, sign-extended
 * when that type is signed), so printers read it like any other field. */
void type_bitfield_value(const struct type_field *field, const void *record, unsigned char out[8]);
/* Where a field's value is, to read it as its type: in the record, or for a
 * bitfield its value extracted into `scratch`. */
const void *type_field_value(const struct type_field *field, const void *record,
                             unsigned char scratch[8]);

/* A readable name for messages: "uint64", "string[64]", "struct foo *", "(int64, string[16])". */
void type_describe(const struct type *type, struct strbuf *out);
/* Same, into an arena-allocated string. */
const char *type_name(struct arena *arena, const struct type *type);

#endif
