/* exit_maps: an output that drops the maps printed at exit. The runtime calls
 * `end` when the event loop is over and END has run; every map after that is
 * one of the exit-time ones (bpftrace still prints the blank lines of `end`). */
#include "output/exit_maps.h"

#include <stdlib.h>

struct exit_maps_filter {
    struct output base; /* first: the runtime sees a plain struct output */
    struct output *inner;
    bool ended;
};

static struct output *inner_of(struct output *output)
{
    return ((struct exit_maps_filter *)output)->inner;
}

static void filter_attached(struct output *output, unsigned probe_count)
{
    struct output *inner = inner_of(output);
    inner->ops->attached(inner, probe_count);
}

static void filter_printf(struct output *output, const char *text, size_t length)
{
    struct output *inner = inner_of(output);
    inner->ops->printf_text(inner, text, length);
}

static void filter_map(struct output *output, const struct output_map *map,
                       struct output_map_entry *entries, size_t count)
{
    struct output *inner = inner_of(output);
    if (!((struct exit_maps_filter *)output)->ended)
        inner->ops->map(inner, map, entries, count);
}

static void filter_value(struct output *output, const struct type *type, const void *bytes)
{
    struct output *inner = inner_of(output);
    inner->ops->value(inner, type, bytes);
}

static void filter_lost(struct output *output, uint64_t count)
{
    struct output *inner = inner_of(output);
    inner->ops->lost(inner, count);
}

static void filter_flush(struct output *output)
{
    struct output *inner = inner_of(output);
    inner->ops->flush(inner);
}

static void filter_action(struct output *output, enum output_action action, const char *text,
                          size_t length)
{
    output_action(inner_of(output), action, text, length);
}

static void filter_script_message(struct output *output,
                                  const struct output_script_message *message)
{
    output_script_message(inner_of(output), message);
}

static void filter_destroy(struct output *output)
{
    output_close(inner_of(output));
    free(output);
}

static void filter_end(struct output *output)
{
    struct output *inner = inner_of(output);
    if (inner->ops->end)
        inner->ops->end(inner);
    ((struct exit_maps_filter *)output)->ended = true;
}

static const struct output_ops filter_ops = {
    .attached = filter_attached,
    .printf_text = filter_printf,
    .map = filter_map,
    .value = filter_value,
    .lost = filter_lost,
    .flush = filter_flush,
    .destroy = filter_destroy,
    .end = filter_end,
    .action = filter_action,
    .script_message = filter_script_message,
};

struct output *output_without_exit_maps(struct output *inner)
{
    struct exit_maps_filter *filter = calloc(1, sizeof(*filter));
    if (!filter)
        return NULL;
    filter->base = *inner; /* its streams, names and modes */
    filter->base.ops = &filter_ops;
    filter->base.owns_out = false; /* closing `inner` closes the file */
    filter->inner = inner;
    return &filter->base;
}
