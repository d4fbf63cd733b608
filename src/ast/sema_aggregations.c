/* Typing of the aggregation functions: count() (in sema_calls.c), sum, avg,
 * min, max, stats, hist and lhist. Each makes the value type of the map it
 * is assigned to; the layouts are those of src/output/value.c. */
#include <string.h>

#include "ast/sema_maps.h"

/* bpftrace's limit on lhist's buckets between min and max (two more hold
 * what falls outside): at most 1002 counters, 8016 bytes, well within the
 * 32 KiB a per-CPU map value may have. */
enum { LHIST_MAX_STEPS = 1000, HIST_MAX_BITS = 5 };

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

bool sema_is_aggregation_name(const char *name)
{
    static const char *const names[] = {"count", "sum",   "avg",  "min",
                                        "max",   "stats", "hist", "lhist"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* The integer being aggregated, as stored: 8 bytes, its signedness kept. */
static const struct type *aggregated_value(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *value = argument(call, 0);
    const struct type *type = sema_check_expr(checker, value);
    if (!type)
        return NULL;
    if (!type_is_integer(type)) {
        diag_error(checker->diag, value->loc, "%s() aggregates integers, got %s", call->call.name,
                   type_name(checker->arena, type));
        return NULL;
    }
    return type->kind == TYPE_BOOL ? type_int(8, false) : sema_storage_type(type);
}

/* An aggregation type whose stored value is `size` bytes. */
static const struct type *sized_aggregation(struct checker *checker, enum type_kind kind,
                                            const struct type *value, unsigned size,
                                            unsigned length)
{
    struct type *type = ARENA_NEW(checker->arena, struct type);
    *type = *type_aggregation(checker->arena, kind, value);
    type->size = size;
    type->length = length;
    return type;
}

static const struct type *simple_aggregation(struct checker *checker, struct ast_expr *call,
                                             enum type_kind kind)
{
    const struct type *value = aggregated_value(checker, call);
    return value ? type_aggregation(checker->arena, kind, value) : NULL;
}

const struct type *sema_check_sum(struct checker *checker, struct ast_expr *call)
{
    return simple_aggregation(checker, call, TYPE_SUM);
}

const struct type *sema_check_avg(struct checker *checker, struct ast_expr *call)
{
    return simple_aggregation(checker, call, TYPE_AVG);
}

const struct type *sema_check_stats(struct checker *checker, struct ast_expr *call)
{
    return simple_aggregation(checker, call, TYPE_STATS);
}

/* min/max keep {value, set flag}: 16 bytes. */
static const struct type *min_max(struct checker *checker, struct ast_expr *call,
                                  enum type_kind kind)
{
    const struct type *value = aggregated_value(checker, call);
    return value ? sized_aggregation(checker, kind, value, 16, 0) : NULL;
}

const struct type *sema_check_min(struct checker *checker, struct ast_expr *call)
{
    return min_max(checker, call, TYPE_MIN);
}

const struct type *sema_check_max(struct checker *checker, struct ast_expr *call)
{
    return min_max(checker, call, TYPE_MAX);
}

/* A literal integer argument ($1 counts: it became a literal), possibly negated. */
static bool constant_argument(struct checker *checker, struct ast_expr *call, size_t index,
                              const char *what, int64_t *value)
{
    struct ast_expr *expr = argument(call, index);
    if (!sema_check_expr(checker, expr))
        return false;
    bool negated = expr->kind == EXPR_UNARY && expr->unary.op == OP_NEGATE;
    struct ast_expr *literal = negated ? expr->unary.operand : expr;
    if (literal->kind != EXPR_INTEGER) {
        diag_error(checker->diag, expr->loc, "%s() needs a literal integer for %s", call->call.name,
                   what);
        return false;
    }
    *value = negated ? -(int64_t)literal->integer.value : (int64_t)literal->integer.value;
    return true;
}

static bool hist_shape(struct checker *checker, struct ast_expr *call,
                       struct output_hist_shape *shape)
{
    int64_t bits = 0;
    if (call->call.args.count == 2 && !constant_argument(checker, call, 1, "its bits", &bits))
        return false;
    if (bits < 0 || bits > HIST_MAX_BITS) {
        diag_error(checker->diag, argument(call, 1)->loc,
                   "hist() splits each power of two into 2^k buckets with k from 0 to %d, got %lld",
                   HIST_MAX_BITS, (long long)bits);
        return false;
    }
    *shape = (struct output_hist_shape){.bits = (unsigned)bits,
                                        .bucket_count = output_hist_bucket_count((unsigned)bits)};
    return true;
}

static bool lhist_shape(struct checker *checker, struct ast_expr *call,
                        struct output_hist_shape *shape)
{
    int64_t min, max, step;
    if (!constant_argument(checker, call, 1, "min", &min) ||
        !constant_argument(checker, call, 2, "max", &max) ||
        !constant_argument(checker, call, 3, "step", &step))
        return false;
    if (step <= 0 || max <= min) {
        diag_error(checker->diag, call->loc,
                   "lhist() needs min < max and a positive step, got min %lld, max %lld, step %lld",
                   (long long)min, (long long)max, (long long)step);
        return false;
    }
    /* bpftrace counts the steps between min and max, not the two buckets
     * outside them: lhist(x, 0, 1000, 1) is allowed (cpuwalk.bt). max > min,
     * so the difference fits unsigned even when it overflows signed. */
    uint64_t steps = ((uint64_t)max - (uint64_t)min) / (uint64_t)step;
    if (steps > LHIST_MAX_STEPS) {
        struct diag_entry *entry =
            diag_error(checker->diag, call->loc,
                       "lhist() would need %llu buckets from min to max; at most %d fit",
                       (unsigned long long)steps, LHIST_MAX_STEPS);
        diag_hint(entry, "use a larger step or a narrower range");
        return false;
    }
    *shape = (struct output_hist_shape){.linear = true,
                                        .min = min,
                                        .max = max,
                                        .step = step,
                                        .bucket_count = output_lhist_bucket_count(min, max, step)};
    return true;
}

/* A histogram value is one u64 counter per bucket. */
const struct type *sema_check_hist(struct checker *checker, struct ast_expr *call)
{
    struct output_hist_shape shape;
    const struct type *value = aggregated_value(checker, call);
    if (!value || !hist_shape(checker, call, &shape))
        return NULL;
    return sized_aggregation(checker, TYPE_HIST, value, shape.bucket_count * 8, shape.bucket_count);
}

const struct type *sema_check_lhist(struct checker *checker, struct ast_expr *call)
{
    struct output_hist_shape shape;
    const struct type *value = aggregated_value(checker, call);
    if (!value || !lhist_shape(checker, call, &shape))
        return NULL;
    return sized_aggregation(checker, TYPE_LHIST, value, shape.bucket_count * 8,
                             shape.bucket_count);
}

static bool same_shape(const struct output_hist_shape *a, const struct output_hist_shape *b)
{
    return a->linear == b->linear && a->bits == b->bits && a->min == b->min && a->max == b->max &&
           a->step == b->step && a->bucket_count == b->bucket_count;
}

bool sema_record_hist_shape(struct checker *checker, struct sema_map *map, struct ast_expr *value)
{
    if (value->kind != EXPR_CALL || !value->type ||
        (value->type->kind != TYPE_HIST && value->type->kind != TYPE_LHIST))
        return true;
    struct output_hist_shape shape;
    bool linear = value->type->kind == TYPE_LHIST;
    /* The arguments were checked when the call was typed. */
    struct diag scratch;
    diag_init(&scratch, NULL, NULL);
    struct diag *saved = checker->diag;
    checker->diag = &scratch;
    bool ok = linear ? lhist_shape(checker, value, &shape) : hist_shape(checker, value, &shape);
    checker->diag = saved;
    diag_free(&scratch);
    if (!ok)
        return false;
    if (map->hist.bucket_count == 0) {
        map->hist = shape;
        return true;
    }
    if (same_shape(&map->hist, &shape))
        return true;
    struct diag_entry *entry =
        diag_error(checker->diag, value->loc, "%s has other buckets here than at line %d",
                   map->name, map->first_loc.line);
    diag_hint(entry, "every %s() into one map needs the same arguments", linear ? "lhist" : "hist");
    return false;
}

const struct type *sema_read_aggregation(struct checker *checker, struct sema_map *map,
                                         struct ast_expr *expr)
{
    switch (map->value->kind) {
    case TYPE_COUNT:
        return type_int(8, false);
    case TYPE_SUM:
    case TYPE_MIN:
    case TYPE_MAX:
    case TYPE_AVG:
        return type_int(8, map->value->is_signed);
    default: {
        struct diag_entry *entry =
            diag_error(checker->diag, expr->loc, "%s holds %s, which a probe cannot read",
                       map->name, type_name(checker->arena, map->value));
        diag_hint(entry,
                  "print it with print(%s), or keep count(), sum(), min(), max() or avg() "
                  "in another map to read",
                  map->name);
        return NULL;
    }
    }
}
