/* Histograms: which bucket a value lands in, and the rows, labels and bars
 * bpftrace prints for hist() and lhist(). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "test.h"

static struct arena arena;

static struct output_hist_shape hist_shape(unsigned bits)
{
    return (struct output_hist_shape){.bits = bits, .bucket_count = output_hist_bucket_count(bits)};
}

static struct output_hist_shape lhist_shape(int64_t min, int64_t max, int64_t step)
{
    return (struct output_hist_shape){.linear = true,
                                      .min = min,
                                      .max = max,
                                      .step = step,
                                      .bucket_count = output_lhist_bucket_count(min, max, step)};
}

static void add(const struct output_hist_shape *shape, uint64_t *buckets, int64_t value)
{
    unsigned bucket = shape->linear
                          ? output_lhist_bucket(value, shape->min, shape->max, shape->step)
                          : output_hist_bucket(value, shape->bits);
    CHECK(bucket < shape->bucket_count);
    if (bucket < shape->bucket_count)
        buckets[bucket]++;
}

/* The text bpftrace prints for a scalar histogram map `@h`. */
static char *render(const struct output_hist_shape *shape, const uint64_t *buckets, uint64_t div)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct output *output = output_text_new(out, stderr, (struct output_names){0});
    const struct type *value =
        type_aggregation(&arena, shape->linear ? TYPE_LHIST : TYPE_HIST, NULL);
    struct output_map map = {.name = "@h", .value = value, .hist = shape, .div = div};
    struct output_map_entry entry = {NULL, buckets};
    output->ops->map(output, &map, &entry, 1);
    output->ops->destroy(output);
    fclose(out);
    return text;
}

static const char *label_of(const struct output_hist_shape *shape, unsigned bucket)
{
    static char text[64];
    uint64_t *buckets = calloc(shape->bucket_count, sizeof(*buckets));
    struct output_hist_row *rows = calloc(shape->bucket_count, sizeof(*rows));
    buckets[bucket] = 1;
    struct strbuf label = {0};
    if (output_hist_rows(shape, buckets, 0, rows) == 1)
        output_hist_row_label(&rows[0], &label);
    snprintf(text, sizeof(text), "%s", strbuf_text(&label));
    strbuf_free(&label);
    free(rows);
    free(buckets);
    return text;
}

static void test_log2_buckets(void)
{
    CHECK(output_hist_bucket_count(0) == 65);
    CHECK(output_hist_bucket(-5, 0) == 0);
    CHECK(output_hist_bucket(0, 0) == 1);
    CHECK(output_hist_bucket(1, 0) == 2);
    CHECK(output_hist_bucket(2, 0) == 3 && output_hist_bucket(3, 0) == 3);
    CHECK(output_hist_bucket(4, 0) == 4 && output_hist_bucket(7, 0) == 4);
    CHECK(output_hist_bucket(1024, 0) == 12 && output_hist_bucket(2047, 0) == 12);
    CHECK(output_hist_bucket(INT64_MAX, 0) == 64);
    /* k = 2: four buckets per power of two. */
    CHECK(output_hist_bucket(3, 2) == 4);
    CHECK(output_hist_bucket(4, 2) == 5 && output_hist_bucket(7, 2) == 8);
    CHECK(output_hist_bucket(8, 2) == 9 && output_hist_bucket(9, 2) == 9);
    CHECK(output_hist_bucket(10, 2) == 10);
    CHECK(output_hist_bucket(INT64_MAX, 5) == output_hist_bucket_count(5) - 1);
}

static void test_log2_labels(void)
{
    struct output_hist_shape shape = hist_shape(0);
    CHECK_STR(label_of(&shape, 0), "(..., 0)");
    CHECK_STR(label_of(&shape, 1), "[0]");
    CHECK_STR(label_of(&shape, 2), "[1]");
    CHECK_STR(label_of(&shape, 3), "[2, 4)");
    CHECK_STR(label_of(&shape, 11), "[512, 1K)");
    CHECK_STR(label_of(&shape, output_hist_bucket(5000000, 0)), "[4M, 8M)");
    CHECK_STR(label_of(&shape, 64), "[4E, 8E)");
    struct output_hist_shape quarters = hist_shape(2);
    CHECK_STR(label_of(&quarters, output_hist_bucket(7, 2)), "[7]");
    CHECK_STR(label_of(&quarters, output_hist_bucket(9, 2)), "[8, 10)");
    CHECK_STR(label_of(&quarters, output_hist_bucket(3000, 2)), "[2560, 3072)");
    CHECK_STR(label_of(&quarters, output_hist_bucket(4096, 2)), "[4K, 5K)");
}

/* The same values as `bpftrace -e 'BEGIN { @h = hist(0); ... }'` printed. */
static void test_log2_text(void)
{
    struct output_hist_shape shape = hist_shape(0);
    uint64_t buckets[65] = {0};
    int64_t values[] = {0, 1, 2, 3, 5, -1, 1100};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        add(&shape, buckets, values[i]);
    char *text = render(&shape, buckets, 0);
    CHECK_STR(text,
              "@h:\n"
              "(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
              "[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
              "[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
              "[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
              "[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
              "[8, 16)                0 |                                                    |\n"
              "[16, 32)               0 |                                                    |\n"
              "[32, 64)               0 |                                                    |\n"
              "[64, 128)              0 |                                                    |\n"
              "[128, 256)             0 |                                                    |\n"
              "[256, 512)             0 |                                                    |\n"
              "[512, 1K)              0 |                                                    |\n"
              "[1K, 2K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
              "\n");
    free(text);

    /* Bars are scaled in float like bpftrace: 1/3 of 52 is 17 columns. */
    uint64_t thirds[65] = {0};
    thirds[output_hist_bucket(7, 0)] = 1;
    thirds[output_hist_bucket(8, 0)] = 3;
    text = render(&shape, thirds, 0);
    CHECK_STR(text,
              "@h:\n"
              "[4, 8)                 1 |@@@@@@@@@@@@@@@@@                                   |\n"
              "[8, 16)                3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
              "\n");
    free(text);

    /* print(@h, 0, 2) halves the counts. */
    text = render(&shape, thirds, 2);
    CHECK_STR(text,
              "@h:\n"
              "[4, 8)                 0 |                                                    |\n"
              "[8, 16)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
              "\n");
    free(text);

    /* An all-zero histogram (after zero()) keeps its header and blank line. */
    uint64_t empty[65] = {0};
    text = render(&shape, empty, 0);
    CHECK_STR(text, "@h:\n\n");
    free(text);
}

static void test_linear(void)
{
    struct output_hist_shape shape = lhist_shape(0, 10, 3);
    CHECK(shape.bucket_count == 5);
    CHECK(output_lhist_bucket(-1, 0, 10, 3) == 0);
    CHECK(output_lhist_bucket(0, 0, 10, 3) == 1 && output_lhist_bucket(2, 0, 10, 3) == 1);
    CHECK(output_lhist_bucket(8, 0, 10, 3) == 3);
    CHECK(output_lhist_bucket(9, 0, 10, 3) == 4 && output_lhist_bucket(1000, 0, 10, 3) == 4);
    uint64_t buckets[5] = {0};
    int64_t values[] = {0, 9, 10, 11, 13, -1};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        add(&shape, buckets, values[i]);
    char *text = render(&shape, buckets, 0);
    /* bpftrace 0.17 labels the last row [10, ...); current bpftrace labels it
     * from the previous bucket's bound, as here. */
    CHECK_STR(text,
              "@h:\n"
              "(..., 0)               1 |@@@@@@@@@@@@@                                       |\n"
              "[0, 3)                 1 |@@@@@@@@@@@@@                                       |\n"
              "[3, 6)                 0 |                                                    |\n"
              "[6, 9)                 0 |                                                    |\n"
              "[9, ...)               4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
              "\n");
    free(text);

    /* Step 1: adjacent plain bounds print as single values. */
    struct output_hist_shape ones = lhist_shape(0, 5, 1);
    CHECK_STR(label_of(&ones, 1), "[0]");
    CHECK_STR(label_of(&ones, 5), "[4]");
    CHECK_STR(label_of(&ones, 6), "[5, ...)");
    /* K/M suffixes only when the step is a multiple of 1024. */
    struct output_hist_shape kilo = lhist_shape(0, 4 * 1024 * 1024, 1024 * 1024);
    CHECK_STR(label_of(&kilo, 2), "[1M, 2M)");
    struct output_hist_shape by_k = lhist_shape(0, 8192, 2048);
    CHECK_STR(label_of(&by_k, 1), "[0, 2K)");
    struct output_hist_shape plain = lhist_shape(0, 4000, 1000);
    CHECK_STR(label_of(&plain, 2), "[1000, 2000)");
}

int main(void)
{
    arena_init(&arena);
    test_log2_buckets();
    test_log2_labels();
    test_log2_text();
    test_linear();
    return TEST_DONE();
}
