/* printf_format: C-style format strings, parsed once at compile time, checked
 * against the argument types, and rendered in user space for each event. */
#ifndef SONDE_OUTPUT_PRINTF_FORMAT_H
#define SONDE_OUTPUT_PRINTF_FORMAT_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/strbuf.h"
#include "output/output.h"
#include "types/type.h"

enum format_conversion {
    CONVERSION_NONE,     /* a literal-only piece */
    CONVERSION_SIGNED,   /* d i */
    CONVERSION_UNSIGNED, /* u */
    CONVERSION_HEX,      /* x */
    CONVERSION_HEX_UPPER,/* X */
    CONVERSION_OCTAL,    /* o */
    CONVERSION_STRING,   /* s */
    CONVERSION_CHAR,     /* c */
    CONVERSION_POINTER,  /* p */
    CONVERSION_BUFFER,        /* r: a buf(), printable bytes as they are, others \xNN */
    CONVERSION_BUFFER_HEX,    /* rx: every byte \xNN */
    CONVERSION_BUFFER_SPACED, /* rh: hex pairs separated by spaces */
};

enum format_length { LENGTH_NONE, LENGTH_HH, LENGTH_H, LENGTH_L, LENGTH_LL, LENGTH_J, LENGTH_Z };

/* A literal run of text followed by at most one conversion. */
struct format_piece {
    const char *literal; /* with %% already turned into % */
    size_t literal_length;
    enum format_conversion conversion;
    char flags[6];       /* any of "-+ #0", NUL-terminated */
    int width;           /* -1 when absent */
    int precision;       /* -1 when absent */
    enum format_length length;
    unsigned offset;     /* byte offset of the '%' in the format text, for errors */
};

struct printf_format {
    const struct format_piece *pieces;
    unsigned piece_count;
    unsigned conversion_count;
};

/* Parse. On error returns NULL, sets *error (arena text) and *error_offset to
 * the byte offset of the bad specifier. */
const struct printf_format *printf_format_parse(struct arena *arena, const char *text,
                                                size_t length, const char **error,
                                                unsigned *error_offset);
/* Check argument `index` against its conversion. NULL when it fits, else a
 * message (arena text) such as "%s expects a string, got uint64". */
const char *printf_format_check(struct arena *arena, const struct printf_format *format,
                                unsigned index, const struct type *type);
/* Render with each argument's bytes as laid out by its type. `names`
 * resolves TYPE_PROBE values and says how cut strings end (may be NULL). */
void printf_format_render(const struct printf_format *format, const struct type *const *types,
                          const void *const *values, const struct output_names *names,
                          struct strbuf *out);

#endif
