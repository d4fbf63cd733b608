/* text: bpftrace's human-readable output, byte for byte as current bpftrace
 * prints it (its src/output/text.cpp), which differs from 0.17 in places
 * noted below. */
#include "output/output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { BAR_WIDTH = 52 };

static void write_text(FILE *file, const struct strbuf *text)
{
    fwrite(strbuf_text(text), 1, text->length, file);
}

/* One row per bucket from the first to the last non-empty one: the label
 * left-aligned in 16 columns, the count right-aligned in 8, and a bar of '@'
 * scaled so the largest count fills 52 columns. bpftrace computes the bar in
 * single-precision float; so does this, so the bars match to the character. */
static void append_histogram(const struct output_map *map, const void *value, struct strbuf *out)
{
    unsigned bucket_count = map->hist->bucket_count;
    uint64_t *buckets = malloc(bucket_count * sizeof(*buckets));
    struct output_hist_row *rows = malloc(bucket_count * sizeof(*rows));
    if (!buckets || !rows) {
        free(buckets);
        free(rows);
        return;
    }
    memcpy(buckets, value, bucket_count * sizeof(*buckets));
    size_t row_count = output_hist_rows(map->hist, buckets, map->div, rows);
    uint64_t largest = 0;
    for (size_t i = 0; i < row_count; i++)
        if (rows[i].count > largest)
            largest = rows[i].count;
    struct strbuf label = {0};
    for (size_t i = 0; i < row_count; i++) {
        strbuf_reset(&label);
        output_hist_row_label(&rows[i], &label);
        int bar = (int)((float)rows[i].count / (float)largest * (float)BAR_WIDTH);
        strbuf_printf(out, "%-16s%8" PRIu64 " |", strbuf_text(&label), rows[i].count);
        for (int column = 0; column < BAR_WIDTH; column++)
            strbuf_putc(out, column < bar ? '@' : ' ');
        strbuf_puts(out, "|\n");
    }
    strbuf_free(&label);
    free(rows);
    free(buckets);
}

static bool is_histogram(const struct output_map *map)
{
    return (map->value->kind == TYPE_HIST || map->value->kind == TYPE_LHIST) && map->hist;
}

/* `@name[key]` (no colon). A tuple key loses its parentheses, so two keys
 * read `@name[1, abc]`; like bpftrace this looks only at the text, so a
 * string key "(x)" prints as `@name[x]` too (0.17 kept it). */
static void append_key(struct output *output, const struct output_map *map, const void *key,
                       struct strbuf *line)
{
    struct strbuf key_text = {0};
    output_format_value(map->key, key, &output->names, &key_text);
    const char *text = strbuf_text(&key_text);
    size_t length = key_text.length;
    if (length >= 2 && text[0] == '(' && text[length - 1] == ')') {
        text++;
        length -= 2;
    }
    strbuf_printf(line, "%s[", map->name);
    strbuf_append(line, text, length);
    strbuf_putc(line, ']');
    strbuf_free(&key_text);
}

/* A histogram starts on the line after its name and ends with a blank line;
 * any other value follows on the same line. */
static void append_entry(struct output *output, const struct output_map *map,
                         const struct output_map_entry *entry, struct strbuf *text)
{
    if (map->key && entry->key)
        append_key(output, map, entry->key, text);
    else
        strbuf_puts(text, map->name);
    if (is_histogram(map)) {
        strbuf_puts(text, ":\n");
        append_histogram(map, entry->value, text);
        strbuf_putc(text, '\n');
        return;
    }
    strbuf_puts(text, ": ");
    output_format_map_value(map->value, entry->value, map->div, &output->names, text);
    strbuf_putc(text, '\n');
}

static void text_map(struct output *output, const struct output_map *map,
                     struct output_map_entry *entries, size_t count)
{
    /* Current bpftrace prints nothing for an empty map (0.17 printed a blank line). */
    if (count == 0)
        return;
    struct strbuf text = {0};
    size_t shown = 0;
    size_t *order = output_sorted_entries(map, entries, count, &output->names, &shown);
    for (size_t i = 0; order && i < shown; i++)
        append_entry(output, map, &entries[order[i]], &text);
    free(order);
    write_text(output->out, &text);
    strbuf_free(&text);
}

static void text_value(struct output *output, const struct type *type, const void *bytes)
{
    struct strbuf text = {0};
    output_format_value(type, bytes, &output->names, &text);
    strbuf_putc(&text, '\n');
    write_text(output->out, &text);
    strbuf_free(&text);
}

/* Current bpftrace: "Attached N probes" on stderr; 0.17 printed
 * "Attaching N probes..." on stdout. */
static void text_attached(struct output *output, unsigned probe_count)
{
    if (!output->quiet)
        fprintf(output->err, "Attached %u probe%s\n", probe_count, probe_count == 1 ? "" : "s");
}

static void text_printf(struct output *output, const char *text, size_t length)
{
    fwrite(text, 1, length, output->out);
}

/* On stderr in current bpftrace (stdout in 0.17). */
static void text_lost(struct output *output, uint64_t count)
{
    fprintf(output->err, "Lost %" PRIu64 " events\n", count);
}

/* The two blank lines bpftrace prints when its main loop ends, before the
 * maps printed at exit. */
static void text_end(struct output *output)
{
    fputs("\n\n", output->out);
}

static void text_flush(struct output *output)
{
    fflush(output->out);
    fflush(output->err);
}

/* The streams belong to the caller. */
static void text_destroy(struct output *output)
{
    free(output);
}

/* time(), cat(), system() as printed text; join() as a line. */
static void text_action(struct output *output, enum output_action action, const char *text,
                        size_t length)
{
    if (action != OUTPUT_ACTION_JOIN) {
        text_printf(output, text, length);
        return;
    }
    struct strbuf line = {0};
    strbuf_append(&line, text, length);
    strbuf_putc(&line, '\n');
    text_printf(output, strbuf_text(&line), line.length);
    strbuf_free(&line);
}

/* errorf(): on stderr, after the results printed before it. */
static void text_script_message(struct output *output, const struct output_script_message *message)
{
    text_flush(output);
    fprintf(output->err, "%s:%d:%d-%d: %s: %s\n", message->filename, message->line, message->column,
            message->end_column, message->severity == OUTPUT_SEVERITY_WARNING ? "WARNING" : "ERROR",
            message->text);
    fflush(output->err);
}

static const struct output_ops text_ops = {
    .attached = text_attached,
    .printf_text = text_printf,
    .map = text_map,
    .value = text_value,
    .lost = text_lost,
    .flush = text_flush,
    .destroy = text_destroy,
    .end = text_end,
    .action = text_action,
    .script_message = text_script_message,
};

struct output *output_text_new(FILE *out, FILE *err, struct output_names names)
{
    struct output *output = calloc(1, sizeof(*output));
    if (!output)
        return NULL;
    output->ops = &text_ops;
    output->out = out;
    output->err = err;
    output->names = names;
    return output;
}
