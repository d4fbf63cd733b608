/* diag: errors and warnings as values that carry a place in the user's script.
 * Every stage records into one `struct diag`; only main.c decides what to print
 * and which exit status follows. */
#ifndef SONDE_BASE_DIAG_H
#define SONDE_BASE_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "base/vec.h"

/* A span in the script: 1-based line and column, `length` columns wide (at
 * least 1 when rendered). line == 0 means "no place" (e.g. a CLI error). */
struct srcloc {
    int line;
    int column;
    int length;
};

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag_entry {
    enum diag_severity severity;
    struct srcloc loc;
    char *message;
    char *hint; /* optional "hint: ..." line, may be NULL */
    char *detail; /* optional extra text printed verbatim (e.g. a verifier log excerpt) */
};

struct diag {
    const char *filename; /* "stdin", "-e" or the script path */
    const char *source;   /* the whole script text, for quoting lines */
    struct vec entries;   /* struct diag_entry * */
    int error_count;
};

void diag_init(struct diag *diag, const char *filename, const char *source);
void diag_free(struct diag *diag);

/* Record an error/warning; returns the entry so callers can add a hint/detail. */
struct diag_entry *diag_error(struct diag *diag, struct srcloc loc, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
struct diag_entry *diag_warning(struct diag *diag, struct srcloc loc, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void diag_hint(struct diag_entry *entry, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void diag_detail(struct diag_entry *entry, const char *text);

static inline bool diag_has_errors(const struct diag *diag)
{
    return diag->error_count > 0;
}

/* Print every entry as `file:line:col: error: message`, the source line, and a
 * caret under the span (a window of ~160 columns around the caret when the
 * line is over 200 columns). Entries are kept, so printing twice prints twice. */
void diag_print(const struct diag *diag, FILE *out);
/* Print and then forget the entries (used for warnings that must appear early). */
void diag_flush(struct diag *diag, FILE *out);

/* Spans that cover `a` through `b` (a before b). */
struct srcloc srcloc_join(struct srcloc a, struct srcloc b);

#endif
