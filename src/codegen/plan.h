/* plan: everything codegen hands to the runtime. The ELF object, plus what
 * user space must know to attach its programs and decode what they send:
 * maps with their types, printf formats, probe names. */
#ifndef SONDE_CODEGEN_PLAN_H
#define SONDE_CODEGEN_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/vec.h"
#include "output/output.h"
#include "output/printf_format.h"
#include "probes/probe.h"
#include "types/type.h"

/* Every ring-buffer record starts with this header. */
struct plan_event_header {
    uint32_t kind; /* enum plan_event_kind */
    uint32_t id;   /* printf: index in plan.printfs */
};

enum plan_event_kind {
    EVENT_EXIT = 1,   /* payload: int64 exit code */
    EVENT_PRINTF = 2, /* payload: the printf's argument record (plan_printf.record_size) */
    /* runtime/actions.c */
    EVENT_TIME = 30,   /* payload: the strftime format, NUL-terminated */
    EVENT_SYSTEM = 31, /* like EVENT_PRINTF; the text is run by /bin/sh */
    EVENT_CAT = 32,    /* like EVENT_PRINTF; the text names a file to print */
    EVENT_ERRORF = 33, /* like EVENT_PRINTF; the text goes to stderr with the call's place */
    EVENT_JOIN = 34,   /* id: bytes per string; payload: u32 count, u32 separator bytes, the
                          separator (NUL-terminated, padded to 8), then the strings */
    /* Map actions user space carries out when the event arrives; id is the
     * map's plan_map.id. */
    EVENT_PRINT_MAP = 3,   /* payload: u64 top, u64 div */
    EVENT_CLEAR_MAP = 4,   /* no payload */
    EVENT_ZERO_MAP = 5,    /* no payload */
    EVENT_PRINT_VALUE = 6, /* id: index in plan.value_prints; payload: the value */
};

/* print(value) of anything but a whole map: how to read the payload. */
struct plan_value_print {
    const struct type *type;
};

struct plan_printf {
    const struct printf_format *format;
    unsigned arg_count;
    const struct type **arg_types;
    unsigned *arg_offsets; /* in the payload */
    unsigned record_size;  /* payload bytes */
    struct srcloc loc;     /* the call, for errorf() */
};

struct plan_map {
    const char *name;        /* as the user wrote it, with '@': "@", "@bytes" */
    const char *bpf_name;    /* the BPF map's name in the object */
    const struct type *key;  /* NULL for a scalar map (one value, key 0) */
    const struct type *value;
    unsigned key_size;       /* bytes; 8 for scalar maps */
    unsigned value_size;     /* bytes per CPU for per-CPU maps */
    unsigned max_entries;
    bool per_cpu;            /* values must be combined over CPUs when read */
    unsigned id;             /* what map events name it by (sema's index) */
    struct output_hist_shape hist; /* hist/lhist values: the buckets */
};

struct plan_program {
    const char *function_name;  /* the BPF program's name in the object */
    const struct probe_kind *kind;
    const char *section;
    struct vec instances;       /* struct probe_instance *: what it attaches to */
};

struct plan {
    void *elf;                  /* malloc'd object bytes */
    size_t elf_size;
    struct vec programs;        /* struct plan_program * */
    struct vec maps;            /* struct plan_map * (user maps only) */
    struct vec printfs;         /* struct plan_printf * */
    struct vec value_prints;    /* struct plan_value_print *: EVENT_PRINT_VALUE ids */
    struct vec probe_names;     /* const char *: values of TYPE_PROBE index this */
    const char *events_map;     /* the ring buffer's name */
    const char *lost_map;       /* per-CPU array [1] of u64: events the ring buffer refused */
    const char *start_map;      /* array [1] of u64: the runtime stores CLOCK_MONOTONIC ns at
                                   start in key 0, for `elapsed` */
    const char *stop_flag;      /* a u64 global variable in section ".bss": the runtime
                                   sets it when tracing stops; probes then return at once */
    unsigned attach_count;      /* concrete probes, as "Attached N probes" counts them */
};

void plan_free(struct plan *plan);

#endif
