/* order: the order in which bpftrace prints a map's entries (its
 * src/types_format.cpp), shared by the text and JSON formats, and
 * print(@m, top) keeping only the last `top` of them. */
#include "output/output.h"

#include <stdlib.h>
#include <string.h>

/* By value for integer-like values, by average for avg/stats, by total
 * count for histograms, otherwise by key. */
enum entry_order {
    ORDER_BY_INTEGER,
    ORDER_BY_MIN_MAX,
    ORDER_BY_AVERAGE,
    ORDER_BY_TOTAL,
    ORDER_BY_KEY
};

struct sort_context {
    const struct type *key;
    const struct type *value;
    const struct output_map_entry *entries;
    enum entry_order order;
    unsigned bucket_count;
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

static uint64_t total_count(const void *buckets, unsigned bucket_count)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < bucket_count; i++)
        total += output_read_word(buckets, i);
    return total;
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
        return compare_u64(output_read_word(a, 0), output_read_word(b, 0), false);
    case ORDER_BY_AVERAGE:
        return compare_u64(output_average(a, value->is_signed), output_average(b, value->is_signed),
                           value->is_signed);
    case ORDER_BY_TOTAL:
        return compare_u64(total_count(a, context->bucket_count),
                           total_count(b, context->bucket_count), false);
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
    case TYPE_HIST:
    case TYPE_LHIST:
        return ORDER_BY_TOTAL;
    default:
        return ORDER_BY_KEY;
    }
}

size_t *output_sorted_entries(const struct output_map *map, const struct output_map_entry *entries,
                              size_t count, const struct output_names *names, size_t *shown)
{
    size_t *items = malloc((count ? count : 1) * sizeof(*items));
    size_t *scratch = malloc((count ? count : 1) * sizeof(*scratch));
    if (!items || !scratch) {
        free(items);
        free(scratch);
        *shown = 0;
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        items[i] = i;
    struct sort_context context = {map->key, map->value, entries, order_for(map->value),
                                   map->hist ? map->hist->bucket_count : 0, names};
    merge_sort(&context, items, scratch, count);
    free(scratch);
    /* top keeps the largest: the tail of the ascending order. */
    size_t skip = map->top && count > map->top ? count - map->top : 0;
    memmove(items, items + skip, (count - skip) * sizeof(*items));
    *shown = count - skip;
    return items;
}
