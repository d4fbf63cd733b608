/* output: how results reach the user. Text (bpftrace's format) and, later,
 * JSON implement one `struct output_ops`; the runtime only calls through it. */
#ifndef SONDE_OUTPUT_OUTPUT_H
#define SONDE_OUTPUT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/strbuf.h"
#include "types/type.h"

/* Names for TYPE_PROBE values (the plan's probe table). */
struct output_names {
    const char *const *probe_names;
    unsigned probe_count;
};

struct output_map_entry {
    const void *key;   /* NULL for a scalar map */
    const void *value; /* already combined over CPUs */
};

struct output;

struct output_ops {
    /* "Attached N probes" (text: on stderr). */
    void (*attached)(struct output *output, unsigned probe_count);
    /* One printf event, already rendered. */
    void (*printf_text)(struct output *output, const char *text, size_t length);
    /* A whole map, entries in any order: the output sorts them as bpftrace does. */
    void (*map)(struct output *output, const char *name, const struct type *key,
                const struct type *value, struct output_map_entry *entries, size_t count);
    /* Events the kernel could not deliver. */
    void (*lost)(struct output *output, uint64_t count);
    void (*flush)(struct output *output);
    void (*destroy)(struct output *output);
    /* The event loop is over and the exit-time maps come next (text: two
     * newlines on `out`, printed even when no map follows). */
    void (*end)(struct output *output);
};

struct output {
    const struct output_ops *ops;
    FILE *out;  /* results */
    FILE *err;  /* messages such as "Attached N probes" */
    struct output_names names;
};

struct output *output_text_new(FILE *out, FILE *err, struct output_names names);

/* Append a value as bpftrace's text output shows it (map keys and values,
 * print()): integers in decimal, strings as text, tuples "(1, abc)", probes by name. */
void output_format_value(const struct type *type, const void *bytes,
                         const struct output_names *names, struct strbuf *out);

/* Combine one map value stored per CPU (`cpu_count` copies of `value_size`
 * bytes, each 8-byte aligned as the kernel lays them out) into `out`
 * (`value_size` bytes) according to the value type: counts and sums add,
 * min/max reduce, plain values take the copy of the first CPU that has one.
 * Aggregation values are 8-byte words: count/sum {value}; min/max {value,
 * set flag}, so their kernel slot is 16 bytes although the type's size is 8;
 * avg/stats {count, total}. */
void output_combine_per_cpu(const struct type *value, const void *per_cpu_values,
                            unsigned value_size, unsigned cpu_count, void *out);

#endif
