/* text: bpftrace's human-readable output, byte for byte as current bpftrace
 * prints it (its src/output/text.cpp and the map ordering in
 * src/types_format.cpp), which differs from 0.17 in places noted below. */
#include "output/output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- ordering of map entries ---- */

/* How bpftrace orders a map's entries: by value for integer-like values, by
 * average for avg/stats, otherwise by key. */
enum entry_order { ORDER_BY_INTEGER, ORDER_BY_MIN_MAX, ORDER_BY_AVERAGE, ORDER_BY_KEY };

struct sort_context {
    const struct type *key;
    const struct type *value;
    const struct output_map_entry *entries;
    enum entry_order order;
    const struct output_names *names; /* probe keys sort by their names */
};

static uint64_t read_signed_or_not(const void *bytes, unsigned size, bool is_signed)
{
    int64_t s;
    uint64_t u = 0;
    memcpy(&u, bytes, size < 8 ? size : 8);
    if (!is_signed || size >= 8)
        return u;
    /* Sign-extend from the top bit of `size` bytes. */
    unsigned shift = 64 - size * 8;
    s = (int64_t)(u << shift) >> shift;
    return (uint64_t)s;
}

static int compare_u64(uint64_t a, uint64_t b, bool is_signed)
{
    if (is_signed)
        return (int64_t)a < (int64_t)b ? -1 : (int64_t)a > (int64_t)b;
    return a < b ? -1 : a > b;
}

/* bpftrace compares integer keys as signed whatever their type says, so an
 * unsigned key of 2^63 or more sorts first; strings compare bytewise over the
 * whole buffer; in tuples only integer and string fields count, first field
 * first; other key types keep the order the kernel gave. */
static const char *probe_name(const struct output_names *names, const char *bytes)
{
    uint64_t index;
    memcpy(&index, bytes, 8);
    return names && index < names->probe_count ? names->probe_names[index] : "";
}

static int compare_keys(const struct type *key, const char *a, const char *b,
                        const struct output_names *names)
{
    switch (key->kind) {
    case TYPE_PROBE:
        return strcmp(probe_name(names, a), probe_name(names, b));
    case TYPE_INT:
        return compare_u64(read_signed_or_not(a, key->size, true),
                           read_signed_or_not(b, key->size, true), true);
    case TYPE_STRING:
        return memcmp(a, b, key->size);
    case TYPE_TUPLE:
        for (unsigned i = 0; i < key->field_count; i++) {
            const struct type_field *field = &key->fields[i];
            if (field->type->kind != TYPE_INT && field->type->kind != TYPE_STRING &&
                field->type->kind != TYPE_PROBE)
                continue;
            int result = compare_keys(field->type, a + field->offset, b + field->offset, names);
            if (result)
                return result;
        }
        return 0;
    default:
        return 0;
    }
}

static uint64_t average(const void *bytes, bool is_signed)
{
    uint64_t count, total;
    memcpy(&count, bytes, 8);
    memcpy(&total, (const char *)bytes + 8, 8);
    if (count == 0)
        return 0;
    return is_signed ? (uint64_t)((int64_t)total / (int64_t)count) : total / count;
}

static int compare_values(const struct sort_context *context, const void *a, const void *b)
{
    const struct type *value = context->value;
    switch (context->order) {
    case ORDER_BY_INTEGER:
        return compare_u64(read_signed_or_not(a, value->size, value->is_signed),
                           read_signed_or_not(b, value->size, value->is_signed), value->is_signed);
    case ORDER_BY_MIN_MAX:
        /* Current bpftrace compares min/max as unsigned even when signed
         * (0.17 compared them signed): negative values sort last. */
        return compare_u64(read_signed_or_not(a, 8, false), read_signed_or_not(b, 8, false), false);
    case ORDER_BY_AVERAGE:
        return compare_u64(average(a, value->is_signed), average(b, value->is_signed),
                           value->is_signed);
    default:
        return 0;
    }
}

/* Ties in value are broken by key. bpftrace leaves them in whatever order its
 * unstable sort makes of the kernel's hash order; a fixed order is kinder. */
static int compare_entries(const struct sort_context *context, size_t a, size_t b)
{
    const struct output_map_entry *x = &context->entries[a], *y = &context->entries[b];
    int result = compare_values(context, x->value, y->value);
    if (result == 0 && context->key && x->key && y->key)
        result = compare_keys(context->key, x->key, y->key, context->names);
    return result;
}

/* A stable merge sort of indices, so entries equal in every respect keep the
 * order they came in. */
static void merge_sort(const struct sort_context *context, size_t *items, size_t *scratch,
                       size_t count)
{
    if (count < 2)
        return;
    size_t half = count / 2;
    merge_sort(context, items, scratch, half);
    merge_sort(context, items + half, scratch, count - half);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < count)
        scratch[k++] = compare_entries(context, items[j], items[i]) < 0 ? items[j++] : items[i++];
    while (i < half)
        scratch[k++] = items[i++];
    while (j < count)
        scratch[k++] = items[j++];
    memcpy(items, scratch, count * sizeof(*items));
}

static enum entry_order order_for(const struct type *value)
{
    switch (value->kind) {
    case TYPE_COUNT:
    case TYPE_SUM:
    case TYPE_INT:
        return ORDER_BY_INTEGER;
    case TYPE_MIN:
    case TYPE_MAX:
        return ORDER_BY_MIN_MAX;
    case TYPE_AVG:
    case TYPE_STATS:
        return ORDER_BY_AVERAGE;
    default:
        return ORDER_BY_KEY;
    }
}

/* Indices of the entries in print order (NULL only if out of memory). */
static size_t *sorted_indices(const struct type *key, const struct type *value,
                              const struct output_map_entry *entries, size_t count,
                              const struct output_names *names)
{
    size_t *items = malloc(count * sizeof(*items));
    size_t *scratch = malloc(count * sizeof(*scratch));
    if (!items || !scratch) {
        free(items);
        free(scratch);
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        items[i] = i;
    struct sort_context context = {key, value, entries, order_for(value), names};
    merge_sort(&context, items, scratch, count);
    free(scratch);
    return items;
}

/* ---- printing ---- */

static void write_text(FILE *file, const struct strbuf *text)
{
    fwrite(strbuf_text(text), 1, text->length, file);
}

/* `@name[key]: value`. A tuple key loses its parentheses, so two keys read
 * `@name[1, abc]`; like bpftrace this looks only at the text, so a string key
 * "(x)" prints as `@name[x]` too (0.17 kept it). */
static void append_keyed_line(struct output *output, const char *name, const struct type *key,
                              const struct type *value, const struct output_map_entry *entry,
                              struct strbuf *line)
{
    struct strbuf key_text = {0};
    output_format_value(key, entry->key, &output->names, &key_text);
    const char *text = strbuf_text(&key_text);
    size_t length = key_text.length;
    if (length >= 2 && text[0] == '(' && text[length - 1] == ')') {
        text++;
        length -= 2;
    }
    strbuf_printf(line, "%s[", name);
    strbuf_append(line, text, length);
    strbuf_puts(line, "]: ");
    output_format_value(value, entry->value, &output->names, line);
    strbuf_putc(line, '\n');
    strbuf_free(&key_text);
}

static void text_map(struct output *output, const char *name, const struct type *key,
                     const struct type *value, struct output_map_entry *entries, size_t count)
{
    /* Current bpftrace prints nothing for an empty map (0.17 printed a blank line). */
    if (count == 0)
        return;
    /* TODO: hist/lhist blocks need the bucket layout the codegen settles on. */
    if (value->kind == TYPE_HIST || value->kind == TYPE_LHIST)
        return;
    struct strbuf text = {0};
    if (!key || key->kind == TYPE_VOID || !entries[0].key) {
        strbuf_printf(&text, "%s: ", name);
        output_format_value(value, entries[0].value, &output->names, &text);
        strbuf_putc(&text, '\n');
    } else {
        size_t *order = sorted_indices(key, value, entries, count, &output->names);
        for (size_t i = 0; i < count; i++)
            append_keyed_line(output, name, key, value, &entries[order ? order[i] : i], &text);
        free(order);
    }
    write_text(output->out, &text);
    strbuf_free(&text);
}

/* Current bpftrace: "Attached N probes" on stderr; 0.17 printed
 * "Attaching N probes..." on stdout. */
static void text_attached(struct output *output, unsigned probe_count)
{
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

static const struct output_ops text_ops = {
    .attached = text_attached,
    .printf_text = text_printf,
    .map = text_map,
    .lost = text_lost,
    .flush = text_flush,
    .destroy = text_destroy,
    .end = text_end,
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
