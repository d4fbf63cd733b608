/* hist: the buckets of hist() and lhist() and how bpftrace labels them.
 *
 * The kernel side (codegen) and user space must agree on the bucket of a
 * value, so both use the functions here: codegen emits the same arithmetic
 * and the unit tests pin one against the other.
 *
 * hist(x, k): with N = 2^k, bucket 0 holds negative values, buckets 1..N
 * hold 0..N-1 one value each, and after that every power of two is cut into
 * N equal buckets. A bucket's label is the start of the next bucket, so a
 * row shows [label(i-1), label(i)). Labels up to 2N stay plain numbers (two
 * adjacent numbers print as one value, "[3]"); larger ones get a K/M/G/T/P/E
 * suffix per factor 1024 ("[4K, 8K)").
 *
 * lhist(x, min, max, step): bucket 0 is below min, bucket i covers
 * [min + (i-1)*step, min + i*step), the last one everything from there up. */
#include "output/output.h"

#include <inttypes.h>
#include <stdio.h>

/* floor(log2(value)) for value > 0. */
static unsigned log2_floor(uint64_t value)
{
    unsigned result = 0;
    while (value >>= 1)
        result++;
    return result;
}

unsigned output_hist_bucket(int64_t value, unsigned bits)
{
    uint64_t per_power = 1u << bits;
    if (value < 0)
        return 0;
    if ((uint64_t)value < per_power)
        return (unsigned)value + 1;
    unsigned shift = log2_floor((uint64_t)value) - bits;
    uint64_t within = ((uint64_t)value >> shift) & (per_power - 1);
    return (unsigned)(((uint64_t)(shift + 1) << bits) + within + 1);
}

/* The largest bucket holds INT64_MAX: shift 62 - k. */
unsigned output_hist_bucket_count(unsigned bits)
{
    return (64 - bits) * (1u << bits) + 1;
}

/* The steps from min to max. max > min, so the difference fits unsigned
 * even where it overflows signed (lhist(x, -2^62, 2^62, 2^60)). */
static uint64_t lhist_steps(int64_t min, int64_t max, int64_t step)
{
    return ((uint64_t)max - (uint64_t)min) / (uint64_t)step;
}

unsigned output_lhist_bucket(int64_t value, int64_t min, int64_t max, int64_t step)
{
    if (value < min)
        return 0;
    if (value >= max)
        return (unsigned)(lhist_steps(min, max, step) + 1);
    return (unsigned)(((uint64_t)value - (uint64_t)min) / (uint64_t)step + 1);
}

unsigned output_lhist_bucket_count(int64_t min, int64_t max, int64_t step)
{
    return (unsigned)(lhist_steps(min, max, step) + 2);
}

static void plain_bound(struct output_hist_bound *bound, int64_t value)
{
    bound->present = true;
    bound->plain = true;
    bound->value = value;
    snprintf(bound->text, sizeof(bound->text), "%" PRId64, value);
}

/* The upper bound of hist bucket `index` (the start of the next one). */
static void hist_bound(struct output_hist_bound *bound, unsigned index, unsigned bits)
{
    unsigned per_power = 1u << bits;
    if (index <= 2 * per_power) {
        plain_bound(bound, index);
        return;
    }
    unsigned power = (index >> bits) - 1;
    uint64_t within = index & (per_power - 1);
    uint64_t value = ((uint64_t)1 << power) * (per_power + within);
    unsigned thousands = power / 10;
    uint64_t mantissa = ((uint64_t)1 << (power - 10 * thousands)) * (per_power + within);
    bound->present = true;
    bound->plain = false;
    bound->value = (int64_t)value;
    if (thousands == 0)
        snprintf(bound->text, sizeof(bound->text), "%" PRIu64, mantissa);
    else
        snprintf(bound->text, sizeof(bound->text), "%" PRIu64 "%c", mantissa,
                 "KMGTPE"[thousands - 1]);
}

/* lhist labels get K/M suffixes only when the step is a multiple of 1024. */
static void lhist_bound(struct output_hist_bound *bound, int64_t number, int64_t step)
{
    enum { KILO = 1024, MEGA = 1024 * 1024 };
    if (step % KILO != 0) {
        plain_bound(bound, number);
        return;
    }
    bound->present = true;
    bound->plain = false;
    bound->value = number;
    if (number != 0 && number % MEGA == 0)
        snprintf(bound->text, sizeof(bound->text), "%" PRId64 "M", number / MEGA);
    else if (number != 0 && number % KILO == 0)
        snprintf(bound->text, sizeof(bound->text), "%" PRId64 "K", number / KILO);
    else
        snprintf(bound->text, sizeof(bound->text), "%" PRId64, number);
}

/* Upper bound of bucket `index`; lhist's last bucket has none. */
static void upper_bound(const struct output_hist_shape *shape, unsigned index,
                        struct output_hist_bound *bound)
{
    *bound = (struct output_hist_bound){0};
    if (!shape->linear) {
        hist_bound(bound, index, shape->bits);
        return;
    }
    /* Bound i is min + i*step, present up to the last one not above max. */
    if (index <= lhist_steps(shape->min, shape->max, shape->step))
        lhist_bound(bound,
                    (int64_t)((uint64_t)shape->min + (uint64_t)index * (uint64_t)shape->step),
                    shape->step);
}

size_t output_hist_rows(const struct output_hist_shape *shape, const uint64_t *buckets,
                        uint64_t div, struct output_hist_row *rows)
{
    long first = -1, last = -1;
    for (unsigned i = 0; i < shape->bucket_count; i++) {
        if (buckets[i] > 0) {
            if (first < 0)
                first = i;
            last = i;
        }
    }
    if (first < 0)
        return 0;
    /* div applies to hist only: bpftrace ignores it for lhist. */
    uint64_t divisor = shape->linear || div == 0 ? 1 : div;
    size_t count = 0;
    for (long i = first; i <= last; i++) {
        struct output_hist_row *row = &rows[count++];
        row->lower = (struct output_hist_bound){0};
        if (i > 0)
            upper_bound(shape, (unsigned)i - 1, &row->lower);
        upper_bound(shape, (unsigned)i, &row->upper);
        row->count = buckets[i] / divisor;
    }
    return count;
}

void output_hist_row_label(const struct output_hist_row *row, struct strbuf *out)
{
    const struct output_hist_bound *lower = &row->lower, *upper = &row->upper;
    if (!lower->present)
        strbuf_printf(out, "(..., %s)", upper->text);
    else if (!upper->present)
        strbuf_printf(out, "[%s, ...)", lower->text);
    else if (lower->plain && upper->plain && lower->value + 1 == upper->value)
        strbuf_printf(out, "[%s]", lower->text);
    else
        strbuf_printf(out, "[%s, %s)", lower->text, upper->text);
}
