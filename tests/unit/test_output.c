/* Text output: what a user sees when a script prints maps and values, byte for
 * byte as current bpftrace prints it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "test.h"

static struct arena arena;
static const char *const probe_names[] = {"BEGIN", "tracepoint:sched:sched_switch"};
static const struct output_names names = {probe_names, 2};

static const char *format(const struct type *type, const void *bytes)
{
    struct strbuf out = {0};
    output_format_value(type, bytes, &names, &out);
    const char *text = arena_strdup(&arena, strbuf_text(&out));
    strbuf_free(&out);
    return text;
}

static void test_format_scalars(void)
{
    int64_t minus_seven = -7;
    uint64_t big = 18446744073709551615ULL;
    int16_t minus_two = -2;
    uint8_t yes = 1, no = 0;
    uint64_t address = 0xffff8880deadbeefULL, probe = 1, bad_probe = 9;
    CHECK_STR(format(type_int(8, true), &minus_seven), "-7");
    CHECK_STR(format(type_int(8, false), &big), "18446744073709551615");
    CHECK_STR(format(type_int(2, true), &minus_two), "-2");
    CHECK_STR(format(type_int(2, false), &minus_two), "65534");
    CHECK_STR(format(&type_bool, &yes), "true");
    CHECK_STR(format(&type_bool, &no), "false");
    CHECK_STR(format(type_pointer(&arena, &type_void, SPACE_KERNEL), &address),
              "0xffff8880deadbeef");
    CHECK_STR(format(&type_probe, &probe), "tracepoint:sched:sched_switch");
    CHECK_STR(format(&type_probe, &bad_probe), "<probe 9>");
}

static void test_format_strings(void)
{
    char comm[16] = "bash";
    CHECK_STR(format(type_string(&arena, 16), comm), "bash");
    CHECK_STR(format(type_string(&arena, 16), "\0garbage after NUL"), "");
    /* Filled to the brim without a NUL: it was truncated, bpftrace says "..". */
    CHECK_STR(format(type_string(&arena, 3), "abcdef"), "abc..");
}

static void test_format_aggregates(void)
{
    const struct type *elements[] = {type_int(8, true), type_string(&arena, 8), type_int(1, false)};
    const struct type *tuple = type_tuple(&arena, elements, 3);
    CHECK(tuple->size == 24 && tuple->fields[2].offset == 16);
    char bytes[24] = {0};
    int64_t one = 1;
    memcpy(bytes, &one, 8);
    memcpy(bytes + 8, "abc", 4);
    bytes[16] = 7;
    CHECK_STR(format(tuple, bytes), "(1, abc, 7)");

    const struct type *inner_elements[] = {type_int(4, false), tuple};
    const struct type *nested = type_tuple(&arena, inner_elements, 2);
    char nested_bytes[32] = {0};
    nested_bytes[0] = 2;
    memcpy(nested_bytes + 8, bytes, 24);
    CHECK_STR(format(nested, nested_bytes), "(2, (1, abc, 7))");

    int32_t array_bytes[3] = {1, 2, 3};
    CHECK_STR(format(type_array(&arena, type_int(4, true), 3), array_bytes), "[1,2,3]");

    struct type_field fields[] = {{"m", type_int(4, true), 0}, {"n", type_int(4, true), 4}};
    int32_t record_bytes[2] = {2, 3};
    CHECK_STR(format(type_record(&arena, "pair", fields, 2, 8), record_bytes),
              "{ .m = 2, .n = 3 }");
    CHECK_STR(format(type_record(&arena, "empty", NULL, 0, 0), record_bytes), "{}");
}

static void test_format_map_values(void)
{
    const struct type *signed_value = type_int(8, true);
    uint64_t count = 42;
    int64_t negative_sum = -10;
    uint64_t avg[2] = {3, 10};       /* count 3, total 10 */
    int64_t signed_avg[2] = {2, -7}; /* count 2, total -7 */
    uint64_t empty_avg[2] = {0, 0};
    CHECK_STR(format(type_aggregation(&arena, TYPE_COUNT, NULL), &count), "42");
    CHECK_STR(format(type_aggregation(&arena, TYPE_SUM, signed_value), &negative_sum), "-10");
    CHECK_STR(format(type_aggregation(&arena, TYPE_MIN, signed_value), &negative_sum), "-10");
    CHECK_STR(format(type_aggregation(&arena, TYPE_AVG, type_int(8, false)), avg), "3");
    CHECK_STR(format(type_aggregation(&arena, TYPE_AVG, signed_value), signed_avg), "-3");
    CHECK_STR(format(type_aggregation(&arena, TYPE_AVG, signed_value), empty_avg), "0");
    CHECK_STR(format(type_aggregation(&arena, TYPE_STATS, type_int(8, false)), avg),
              "{ .count = 3, .average = 3, .total = 10 }");
}

static void test_combine_per_cpu(void)
{
    const struct type *count = type_aggregation(&arena, TYPE_COUNT, NULL);
    uint64_t counts[4] = {1, 0, 5, 10};
    uint64_t total = 0;
    output_combine_per_cpu(count, counts, 8, 4, &total);
    CHECK(total == 16);

    /* Signed sums wrap the same way: -3 + 1 = -2. */
    int64_t sums[2] = {-3, 1}, sum = 0;
    output_combine_per_cpu(type_aggregation(&arena, TYPE_SUM, type_int(8, true)), sums, 8, 2, &sum);
    CHECK(sum == -2);

    /* min over the CPUs that have a value: CPU 1 never ran, its 0 must not win. */
    int64_t mins[6] = {5, 1, 0, 0, -4, 1}, min[2] = {0, 0};
    output_combine_per_cpu(type_aggregation(&arena, TYPE_MIN, type_int(8, true)), mins, 16, 3, min);
    CHECK(min[0] == -4 && min[1] == 1);
    uint64_t maxes[6] = {5, 1, 0, 0, 3, 1}, max[2] = {0, 0};
    output_combine_per_cpu(type_aggregation(&arena, TYPE_MAX, type_int(8, false)), maxes, 16, 3,
                           max);
    CHECK(max[0] == 5 && max[1] == 1);
    uint64_t unset[4] = {0, 0, 0, 0}, none[2] = {9, 9};
    output_combine_per_cpu(type_aggregation(&arena, TYPE_MAX, type_int(8, false)), unset, 16, 2,
                           none);
    CHECK(none[0] == 0 && none[1] == 0);

    /* avg: {count, total} add word-wise. */
    uint64_t avgs[4] = {2, 10, 1, 5}, avg[2];
    output_combine_per_cpu(type_aggregation(&arena, TYPE_AVG, type_int(8, false)), avgs, 16, 2,
                           avg);
    CHECK(avg[0] == 3 && avg[1] == 15);

    /* A 4-byte plain value: stride 8, the first CPU that has one. */
    uint32_t plain[6] = {0, 0xaaaa, 7, 0xbbbb, 9, 0}, first = 0;
    output_combine_per_cpu(type_int(4, false), plain, 4, 3, &first);
    CHECK(first == 7);
}

/* A text output writing into memory, as a user's terminal would see it. */
struct capture {
    char *out_text, *err_text;
    size_t out_size, err_size;
    FILE *out, *err;
    struct output *output;
};

static void show_map(struct output *output, const char *name, const struct type *key,
                     const struct type *value, struct output_map_entry *entries, size_t count)
{
    struct output_map map = {.name = name, .key = key, .value = value};
    output->ops->map(output, &map, entries, count);
}

static void capture_open(struct capture *capture)
{
    memset(capture, 0, sizeof(*capture));
    capture->out = open_memstream(&capture->out_text, &capture->out_size);
    capture->err = open_memstream(&capture->err_text, &capture->err_size);
    capture->output = output_text_new(capture->out, capture->err, names);
}

static void capture_close(struct capture *capture)
{
    capture->output->ops->flush(capture->output);
    capture->output->ops->destroy(capture->output);
    fclose(capture->out);
    fclose(capture->err);
}

static void capture_free(struct capture *capture)
{
    free(capture->out_text);
    free(capture->err_text);
}

static void test_messages(void)
{
    struct capture c;
    capture_open(&c);
    c.output->ops->attached(c.output, 1);
    c.output->ops->attached(c.output, 3);
    c.output->ops->printf_text(c.output, "hi\0there\n", 9);
    c.output->ops->lost(c.output, 12);
    c.output->ops->end(c.output);
    capture_close(&c);
    CHECK_STR(c.err_text, "Attached 1 probe\nAttached 3 probes\nLost 12 events\n");
    CHECK(c.out_size == 11 && memcmp(c.out_text, "hi\0there\n\n\n", 11) == 0);
    capture_free(&c);
}

static void test_count_map_with_string_keys(void)
{
    const struct type *key = type_string(&arena, 16);
    const struct type *value = type_aggregation(&arena, TYPE_COUNT, NULL);
    char keys[4][16] = {"sshd", "bash", "cron", "apt"};
    uint64_t values[4] = {12, 3, 3, 1};
    struct output_map_entry entries[4];
    for (int i = 0; i < 4; i++)
        entries[i] = (struct output_map_entry){keys[i], &values[i]};
    struct capture c;
    capture_open(&c);
    show_map(c.output, "@syscalls", key, value, entries, 4);
    capture_close(&c);
    /* Ascending by value; the tie between bash and cron goes by key. */
    CHECK_STR(c.out_text, "@syscalls[apt]: 1\n"
                          "@syscalls[bash]: 3\n"
                          "@syscalls[cron]: 3\n"
                          "@syscalls[sshd]: 12\n");
    CHECK_STR(c.err_text, "");
    capture_free(&c);
}

static void test_scalar_and_empty_maps(void)
{
    int64_t total = -5;
    struct output_map_entry entry = {NULL, &total};
    struct capture c;
    capture_open(&c);
    show_map(c.output, "@total", NULL, type_int(8, true), &entry, 1);
    show_map(c.output, "@nothing", type_int(8, true), type_int(8, true), NULL, 0);
    show_map(c.output, "@", NULL, type_int(8, true), &entry, 1);
    capture_close(&c);
    CHECK_STR(c.out_text, "@total: -5\n@: -5\n");
    capture_free(&c);
}

static void test_two_key_map(void)
{
    const struct type *elements[] = {type_string(&arena, 8), type_int(8, true)};
    const struct type *key = type_tuple(&arena, elements, 2);
    const struct type *value = type_int(8, true);
    struct {
        char name[8];
        int64_t n;
    } keys[3] = {{"b", 2}, {"a", 7}, {"c", 1}};
    int64_t values[3] = {3, 3, 1};
    struct output_map_entry entries[3];
    for (int i = 0; i < 3; i++)
        entries[i] = (struct output_map_entry){&keys[i], &values[i]};
    struct capture c;
    capture_open(&c);
    show_map(c.output, "@t", key, value, entries, 3);
    capture_close(&c);
    CHECK_STR(c.out_text, "@t[c, 1]: 1\n@t[a, 7]: 3\n@t[b, 2]: 3\n");
    capture_free(&c);
}

static void test_ordering_rules(void)
{
    /* Signed values sort signed; the anonymous map prints as "@[...]". */
    int64_t int_keys[3] = {-3, 2, 5}, int_values[3] = {-3, -7, 10};
    struct output_map_entry entries[3];
    for (int i = 0; i < 3; i++)
        entries[i] = (struct output_map_entry){&int_keys[i], &int_values[i]};
    struct capture c;
    capture_open(&c);
    show_map(c.output, "@", type_int(8, true), type_int(8, true), entries, 3);
    capture_close(&c);
    CHECK_STR(c.out_text, "@[2]: -7\n@[-3]: -3\n@[5]: 10\n");
    capture_free(&c);

    /* String values sort by key; a key that looks like a tuple loses its
     * parentheses, as in current bpftrace. */
    char keys[3][8] = {"b", "(p)", "a"};
    char values[3][8] = {"x", "y", "z"};
    for (int i = 0; i < 3; i++)
        entries[i] = (struct output_map_entry){keys[i], values[i]};
    capture_open(&c);
    show_map(c.output, "@s", type_string(&arena, 8), type_string(&arena, 8), entries, 3);
    capture_close(&c);
    CHECK_STR(c.out_text, "@s[p]: y\n@s[a]: z\n@s[b]: x\n");
    capture_free(&c);

    /* min/max compare as unsigned in current bpftrace: negatives sort last. */
    int64_t mins[3][2] = {{-5, 1}, {3, 1}, {-1, 1}};
    char min_keys[3][8] = {"x", "y", "z"};
    for (int i = 0; i < 3; i++)
        entries[i] = (struct output_map_entry){min_keys[i], mins[i]};
    capture_open(&c);
    show_map(c.output, "@m", type_string(&arena, 8),
                       type_aggregation(&arena, TYPE_MIN, type_int(8, true)), entries, 3);
    capture_close(&c);
    CHECK_STR(c.out_text, "@m[y]: 3\n@m[x]: -5\n@m[z]: -1\n");
    capture_free(&c);
}

static void test_stats_map(void)
{
    uint64_t stats[2] = {2, 14};
    struct output_map_entry entry = {NULL, stats};
    struct capture c;
    capture_open(&c);
    show_map(c.output, "@st", NULL,
                       type_aggregation(&arena, TYPE_STATS, type_int(8, false)), &entry, 1);
    show_map(c.output, "@av", NULL,
                       type_aggregation(&arena, TYPE_AVG, type_int(8, false)), &entry, 1);
    capture_close(&c);
    CHECK_STR(c.out_text, "@st: { .count = 2, .average = 7, .total = 14 }\n@av: 7\n");
    capture_free(&c);
}

int main(void)
{
    arena_init(&arena);
    test_format_scalars();
    test_format_strings();
    test_format_aggregates();
    test_format_map_values();
    test_combine_per_cpu();
    test_messages();
    test_count_map_with_string_keys();
    test_scalar_and_empty_maps();
    test_two_key_map();
    test_ordering_rules();
    test_stats_map();
    arena_free(&arena);
    return TEST_DONE();
}
