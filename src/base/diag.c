#include "base/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *format, va_list args)
{
    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    char *text = malloc((size_t)length + 1);
    if (!text)
        abort();
    vsnprintf(text, (size_t)length + 1, format, args);
    return text;
}

void diag_init(struct diag *diag, const char *filename, const char *source)
{
    memset(diag, 0, sizeof(*diag));
    diag->filename = filename;
    diag->source = source;
}

static void entry_free(struct diag_entry *entry)
{
    free(entry->message);
    free(entry->hint);
    free(entry->detail);
    free(entry);
}

void diag_free(struct diag *diag)
{
    for (size_t i = 0; i < diag->entries.count; i++)
        entry_free(vec_get(&diag->entries, i));
    vec_free(&diag->entries);
}

static struct diag_entry *add(struct diag *diag, enum diag_severity severity, struct srcloc loc,
                              const char *format, va_list args)
{
    struct diag_entry *entry = calloc(1, sizeof(*entry));
    if (!entry)
        abort();
    entry->severity = severity;
    entry->loc = loc;
    entry->message = vformat(format, args);
    vec_push(&diag->entries, entry);
    if (severity == DIAG_ERROR)
        diag->error_count++;
    return entry;
}

struct diag_entry *diag_error(struct diag *diag, struct srcloc loc, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    struct diag_entry *entry = add(diag, DIAG_ERROR, loc, format, args);
    va_end(args);
    return entry;
}

struct diag_entry *diag_warning(struct diag *diag, struct srcloc loc, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    struct diag_entry *entry = add(diag, DIAG_WARNING, loc, format, args);
    va_end(args);
    return entry;
}

void diag_hint(struct diag_entry *entry, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    free(entry->hint);
    entry->hint = vformat(format, args);
    va_end(args);
}

void diag_detail(struct diag_entry *entry, const char *text)
{
    free(entry->detail);
    entry->detail = strdup(text);
}

/* Find the start and length of 1-based `line` in `source`. */
static const char *find_line(const char *source, int line, size_t *length)
{
    if (!source || line < 1)
        return NULL;
    const char *start = source;
    for (int current = 1; current < line; current++) {
        start = strchr(start, '\n');
        if (!start)
            return NULL;
        start++;
    }
    const char *end = strchr(start, '\n');
    *length = end ? (size_t)(end - start) : strlen(start);
    return start;
}

static const char *severity_name(enum diag_severity severity)
{
    switch (severity) {
    case DIAG_ERROR:
        return "error";
    case DIAG_WARNING:
        return "warning";
    default:
        return "note";
    }
}

/* Lines longer than this (generated one-liners, minified scripts) are shown
 * as a window around the caret rather than flooding the terminal. */
enum { LONG_LINE = 200, WINDOW_CONTEXT = 80 };

/* The part of the line that is shown: [start, end) in bytes. */
struct line_window {
    size_t start;
    size_t end;
};

static struct line_window window_around(const char *line, size_t line_length, size_t caret)
{
    struct line_window window = {0, line_length};
    if (line_length <= LONG_LINE)
        return window;
    if (caret > WINDOW_CONTEXT)
        window.start = caret - WINDOW_CONTEXT;
    if (caret + 1 + WINDOW_CONTEXT < line_length)
        window.end = caret + 1 + WINDOW_CONTEXT;
    /* Cut between UTF-8 characters, never inside one. */
    while (window.start < caret && ((unsigned char)line[window.start] & 0xC0) == 0x80)
        window.start++;
    while (window.end < line_length && window.end > caret + 1 &&
           ((unsigned char)line[window.end] & 0xC0) == 0x80)
        window.end--;
    return window;
}

static void print_caret(FILE *out, const char *line, size_t line_length, struct srcloc loc)
{
    size_t caret = loc.column > 1 ? (size_t)loc.column - 1 : 0;
    if (caret > line_length)
        caret = line_length;
    struct line_window window = window_around(line, line_length, caret);
    const char *before = window.start > 0 ? "..." : "";
    const char *after = window.end < line_length ? "..." : "";
    fprintf(out, "    %s%.*s%s\n    %*s", before, (int)(window.end - window.start),
            line + window.start, after, (int)strlen(before), "");
    /* Keep tabs so the caret lines up under tab-indented source. */
    for (size_t i = window.start; i < caret; i++)
        fputc(line[i] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    int width = loc.length;
    if (caret + (size_t)(width > 0 ? width : 0) > window.end)
        width = (int)(window.end - caret);
    for (int i = 1; i < width; i++)
        fputc('~', out);
    fputc('\n', out);
}

static void print_entry(const struct diag *diag, const struct diag_entry *entry, FILE *out)
{
    if (entry->loc.line > 0)
        fprintf(out, "%s:%d:%d: ", diag->filename, entry->loc.line, entry->loc.column);
    else
        fprintf(out, "%s: ", diag->filename ? diag->filename : "sonde");
    fprintf(out, "%s: %s\n", severity_name(entry->severity), entry->message);
    size_t line_length = 0;
    const char *line = find_line(diag->source, entry->loc.line, &line_length);
    if (line)
        print_caret(out, line, line_length, entry->loc);
    if (entry->hint)
        fprintf(out, "  hint: %s\n", entry->hint);
    if (entry->detail) {
        fputs(entry->detail, out);
        size_t length = strlen(entry->detail);
        if (length && entry->detail[length - 1] != '\n')
            fputc('\n', out);
    }
}

void diag_print(const struct diag *diag, FILE *out)
{
    for (size_t i = 0; i < diag->entries.count; i++)
        print_entry(diag, vec_get(&diag->entries, i), out);
    fflush(out);
}

void diag_flush(struct diag *diag, FILE *out)
{
    diag_print(diag, out);
    for (size_t i = 0; i < diag->entries.count; i++)
        entry_free(vec_get(&diag->entries, i));
    diag->entries.count = 0;
}

struct srcloc srcloc_join(struct srcloc a, struct srcloc b)
{
    if (a.line == 0)
        return b;
    if (b.line == 0 || b.line != a.line)
        return a;
    struct srcloc joined = a;
    joined.length = b.column + b.length - a.column;
    if (joined.length < 1)
        joined.length = 1;
    return joined;
}
