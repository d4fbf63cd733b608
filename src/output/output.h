/* output: how results reach the user. Text (bpftrace's format) and JSON
 * (bpftrace's `-f json`, one object per line) implement one `struct
 * output_ops`; the runtime only calls through it. */
#ifndef SONDE_OUTPUT_OUTPUT_H
#define SONDE_OUTPUT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/strbuf.h"
#include "types/type.h"

/* Names for TYPE_PROBE values (the plan's probe table). */
struct output_names {
    const char *const *probe_names;
    unsigned probe_count;
    /* bpftrace's str_trunc_trailer (NULL: its default ".."; "" for none),
     * shown after a string that was cut short: one with no NUL, or one that
     * fills a buffer of max_strlen bytes (0: no such buffer) as str()
     * leaves a string it cut. */
    const char *truncation_trailer;
    unsigned max_strlen;
};

/* How a hist()/lhist() value's buckets map to numbers. The value itself is
 * `bucket_count` u64 counters. */
struct output_hist_shape {
    bool linear;            /* lhist */
    unsigned bits;          /* hist: k, 2^k sub-buckets per power of two (0..5) */
    int64_t min, max, step; /* lhist */
    unsigned bucket_count;
};

/* hist(x, k): the bucket of `value` (treated as signed, as bpftrace does). */
unsigned output_hist_bucket(int64_t value, unsigned bits);
unsigned output_hist_bucket_count(unsigned bits);
/* lhist(x, min, max, step). */
unsigned output_lhist_bucket(int64_t value, int64_t min, int64_t max, int64_t step);
unsigned output_lhist_bucket_count(int64_t min, int64_t max, int64_t step);

/* One printed row of a histogram, as bpftrace labels it: `[4K, 8K)`. A bound
 * is "plain" when bpftrace keeps it as a number (then adjacent bounds print
 * as one value, `[3]`), otherwise it is a label such as "4K". */
struct output_hist_bound {
    bool present;
    bool plain;
    int64_t value;
    char text[24];
};
struct output_hist_row {
    struct output_hist_bound lower, upper; /* lower absent: (..., x); upper absent: [x, ...) */
    uint64_t count;
};
/* The rows from the first to the last non-empty bucket (none when all are
 * empty); counts divided by `div` (hist only, as in bpftrace). Returns the
 * row count; `rows` must hold shape->bucket_count entries. */
size_t output_hist_rows(const struct output_hist_shape *shape, const uint64_t *buckets,
                        uint64_t div, struct output_hist_row *rows);
/* "[4K, 8K)", "[3]", "(..., 0)", "[10, ...)". */
void output_hist_row_label(const struct output_hist_row *row, struct strbuf *out);

struct output_map_entry {
    const void *key;   /* NULL for a scalar map */
    const void *value; /* already combined over CPUs */
};

/* A map to show: at exit, or when print(@m, top, div) runs. */
struct output_map {
    const char *name;       /* "@bytes" */
    const struct type *key; /* NULL for a scalar map */
    const struct type *value;
    const struct output_hist_shape *hist; /* hist/lhist values only */
    size_t top;                           /* keep only the last `top` entries; 0: all */
    uint64_t div;                         /* divide values by this; 0 or 1: as they are */
};

struct output;

/* Output that actions print besides printf. JSON gives each its own message
 * type, as bpftrace does; text writes them all as they are. */
enum output_action {
    OUTPUT_ACTION_TIME,   /* time(): "time" */
    OUTPUT_ACTION_CAT,    /* cat(): "cat" */
    OUTPUT_ACTION_SYSTEM, /* system()'s command output: "syscall" */
    OUTPUT_ACTION_JOIN,   /* join(), without the newline text output ends it with: "join" */
};

/* errorf() and warnf(): a message from the script, with where its call is. */
enum output_severity { OUTPUT_SEVERITY_ERROR, OUTPUT_SEVERITY_WARNING };
struct output_script_message {
    enum output_severity severity;
    const char *text;
    const char *filename; /* as diagnostics name the script: "stdin", "-e" or its path */
    int line, column, end_column;
};

struct output_ops {
    /* "Attached N probes" (text: on stderr). */
    void (*attached)(struct output *output, unsigned probe_count);
    /* One printf event, already rendered. */
    void (*printf_text)(struct output *output, const char *text, size_t length);
    /* A whole map, entries in any order: the output sorts them as bpftrace does. */
    void (*map)(struct output *output, const struct output_map *map,
                struct output_map_entry *entries, size_t count);
    /* print(value) of anything but a whole map. */
    void (*value)(struct output *output, const struct type *type, const void *bytes);
    /* Events the kernel could not deliver. */
    void (*lost)(struct output *output, uint64_t count);
    void (*flush)(struct output *output);
    void (*destroy)(struct output *output);
    /* The event loop is over and the exit-time maps come next (text: two
     * newlines on `out`, printed even when no map follows). */
    void (*end)(struct output *output);
    /* time(), cat(), system(), join() output and errorf() messages (call
     * them through output_action and output_script_message). */
    void (*action)(struct output *output, enum output_action action, const char *text,
                   size_t length);
    void (*script_message)(struct output *output, const struct output_script_message *message);
};

struct output {
    const struct output_ops *ops;
    FILE *out; /* results */
    FILE *err; /* messages such as "Attached N probes" */
    struct output_names names;
    bool quiet;    /* -q: no "Attached N probes" */
    bool owns_out; /* output_close closes `out` (-o FILE) */
    /* -B line to a file or pipe: lines are written a batch of events at a
     * time (output_batch_done), not one write() each. */
    bool batch_lines;
};

/* The events read so far are printed: write out what they printed. */
static inline void output_batch_done(struct output *output)
{
    if (output->batch_lines)
        fflush(output->out);
}

struct output *output_text_new(FILE *out, FILE *err, struct output_names names);
/* -f json: every message is one JSON object on `out`. */
struct output *output_json_new(FILE *out, FILE *err, struct output_names names);

/* What the command line says about output; NULL fields take the defaults
 * (text, stdout, line buffering). */
struct output_config {
    const char *format;    /* -f text|json */
    const char *path;      /* -o FILE */
    const char *buffering; /* -B line|full|none */
    bool quiet;            /* -q */
};
/* NULL with *error set (a static message) when the config is wrong or the
 * file cannot be opened. */
struct output *output_open(const struct output_config *config, struct output_names names,
                           const char **error);
/* Flush, destroy, and close the -o file. */
void output_close(struct output *output);

/* An action's output through the output's `action`, or as text: written to
 * `out` like printf output (join's with a newline added). */
void output_action(struct output *output, enum output_action action, const char *text,
                   size_t length);
/* errorf()/warnf() through the output's `script_message`, or as text: on
 * `err` after what is already on `out`, as bpftrace's
 * "file:line:col-endcol: ERROR: text" (WARNING for warnf). */
void output_script_message(struct output *output, const struct output_script_message *message);

/* Append a value as bpftrace's text output shows it (map keys and values,
 * print()): integers in decimal, enums by their enumerator's name (the
 * number when none matches), strings as text, tuples "(1, abc)", probes by name. */
void output_format_value(const struct type *type, const void *bytes,
                         const struct output_names *names, struct strbuf *out);
/* The same for a map value shown with print(@m, top, div): integers,
 * counts, sums, min/max and averages are divided by `div` (0 or 1: not). */
void output_format_map_value(const struct type *type, const void *bytes, uint64_t div,
                             const struct output_names *names, struct strbuf *out);

/* Append `text` as a JSON string literal: quotes, escapes, and bytes that
 * are not UTF-8 as \u00XX, so the line always parses. */
void output_json_string(const char *text, size_t length, struct strbuf *out);
/* Append a value as JSON: numbers (as strings when a double cannot hold
 * them exactly, like bpftrace; enums too, as bpftrace keeps JSON values
 * numeric), strings, tuples and arrays as [..], records and stats as {..}.
 * `div` as for output_format_map_value. */
void output_json_value(const struct type *type, const void *bytes, uint64_t div,
                       const struct output_names *names, struct strbuf *out);

/* Helpers shared by the formats: aggregation words and map ordering. */
uint64_t output_read_word(const void *bytes, unsigned index);
/* avg and stats: total / count, signed or not; 0 when empty. */
uint64_t output_average(const void *bytes, bool is_signed);
/* The one integer a map value shows (ints, count, sum, min, max, avg),
 * divided by `div` when above 1; false for other types. */
bool output_scaled_integer(const struct type *type, const void *bytes, uint64_t div,
                           uint64_t *value);
/* Indices of the entries in the order bpftrace prints them (by value for
 * integer-like values, by average for avg/stats, by total count for
 * histograms, otherwise by key), after `top`. NULL only if out of memory;
 * *shown is how many indices to print. */
size_t *output_sorted_entries(const struct output_map *map, const struct output_map_entry *entries,
                              size_t count, const struct output_names *names, size_t *shown);

/* Combine one map value stored per CPU (`cpu_count` copies of `value_size`
 * bytes, each 8-byte aligned as the kernel lays them out) into `out`
 * (`value_size` bytes) according to the value type: counts and sums add,
 * min/max reduce, plain values take the copy of the first CPU that has one.
 * Aggregation values are 8-byte words: count/sum {value}; min/max {value,
 * set flag}; avg/stats {count, total}; hist/lhist one counter per bucket. */
void output_combine_per_cpu(const struct type *value, const void *per_cpu_values,
                            unsigned value_size, unsigned cpu_count, void *out);

#endif
