/* JSON output (-f json): string escaping, numbers a double cannot hold, and
 * the lines bpftrace writes for maps, histograms, stats and messages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "test.h"

static struct arena arena;
static const char *const probe_names[] = {"BEGIN"};
static const struct output_names names = {probe_names, 1};

static const char *escaped(const char *text, size_t length)
{
    struct strbuf out = {0};
    output_json_string(text, length, &out);
    const char *result = arena_strdup(&arena, strbuf_text(&out));
    strbuf_free(&out);
    return result;
}

static const char *json(const struct type *type, const void *bytes)
{
    struct strbuf out = {0};
    output_json_value(type, bytes, 0, &names, &out);
    const char *result = arena_strdup(&arena, strbuf_text(&out));
    strbuf_free(&out);
    return result;
}

static void test_strings(void)
{
    CHECK_STR(escaped("plain", 5), "\"plain\"");
    CHECK_STR(escaped("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    CHECK_STR(escaped("\n\r\t", 3), "\"\\n\\r\\t\"");
    CHECK_STR(escaped("\x01\x1f", 2), "\"\\u0001\\u001f\"");
    /* UTF-8 passes through; a stray byte becomes \u00XX so the line parses. */
    CHECK_STR(escaped("caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
    CHECK_STR(escaped("\xff"
                      "a\xc3",
                      3),
              "\"\\u00ffa\\u00c3\"");
    CHECK_STR(escaped("\xe2\x82\xac", 3), "\"\xe2\x82\xac\"");
    CHECK_STR(escaped("\0x", 2), "\"\\u0000x\"");
}

static void test_numbers_and_values(void)
{
    int64_t small = -42;
    uint64_t exact = 1ULL << 63, inexact = (1ULL << 63) + 1, largest = UINT64_MAX;
    CHECK_STR(json(type_int(8, true), &small), "-42");
    CHECK_STR(json(type_int(8, false), &exact), "9223372036854775808");
    CHECK_STR(json(type_int(8, false), &inexact), "\"9223372036854775809\"");
    CHECK_STR(json(type_int(8, false), &largest), "\"18446744073709551615\"");
    int64_t most_negative = INT64_MIN, odd = -(1LL << 53) - 1;
    CHECK_STR(json(type_int(8, true), &most_negative), "-9223372036854775808");
    CHECK_STR(json(type_int(8, true), &odd), "\"-9007199254740993\"");

    const struct type *elements[] = {type_int(8, true), type_string(&arena, 8)};
    const struct type *tuple = type_tuple(&arena, elements, 2);
    char bytes[16] = {0};
    bytes[0] = 1;
    memcpy(bytes + 8, "x\"y", 4);
    CHECK_STR(json(tuple, bytes), "[1,\"x\\\"y\"]");
    uint8_t yes = 1;
    CHECK_STR(json(&type_bool, &yes), "true");
    uint64_t probe = 0;
    CHECK_STR(json(&type_probe, &probe), "\"BEGIN\"");
    struct type_field fields[] = {{"a", type_int(4, true), 0}, {"b", type_int(4, true), 4}};
    int32_t record[2] = {2, 3};
    CHECK_STR(json(type_record(&arena, "pair", fields, 2, 8), record), "{\"a\": 2, \"b\": 3}");
    uint64_t stats[2] = {2, 15};
    CHECK_STR(json(type_aggregation(&arena, TYPE_STATS, type_int(8, true)), stats),
              "{\"count\": 2, \"average\": 7, \"total\": 15}");
    CHECK_STR(json(type_aggregation(&arena, TYPE_AVG, type_int(8, true)), stats), "7");
}

/* Lines written through the JSON output, as a jq pipeline would read them. */
struct capture {
    char *text;
    size_t size;
    FILE *file;
    struct output *output;
};

static void capture_open(struct capture *capture)
{
    capture->text = NULL;
    capture->file = open_memstream(&capture->text, &capture->size);
    capture->output = output_json_new(capture->file, stderr, names);
}

static char *capture_close(struct capture *capture)
{
    capture->output->ops->destroy(capture->output);
    fclose(capture->file);
    return capture->text;
}

static void test_messages(void)
{
    struct capture c;
    capture_open(&c);
    c.output->ops->attached(c.output, 2);
    c.output->ops->printf_text(c.output, "hi \"you\"\n", 9);
    c.output->ops->lost(c.output, 7);
    c.output->ops->end(c.output);
    int64_t five = 5;
    c.output->ops->value(c.output, type_int(8, true), &five);
    char *text = capture_close(&c);
    CHECK_STR(text, "{\"type\": \"attached_probes\", \"data\": {\"probes\": 2}}\n"
                    "{\"type\": \"printf\", \"data\": \"hi \\\"you\\\"\\n\"}\n"
                    "{\"type\": \"lost_events\", \"count\": 7, \"data\": {\"events\": 7}}\n"
                    "{\"type\": \"value\", \"data\": 5}\n");
    free(text);
}

/* time(), cat(), system() and join() each have their own message type, as
 * in bpftrace; join's data has no newline. */
static void test_actions(void)
{
    struct capture c;
    capture_open(&c);
    output_action(c.output, OUTPUT_ACTION_TIME, "05:28:43\n", 9);
    output_action(c.output, OUTPUT_ACTION_SYSTEM, "a b c\n", 6);
    output_action(c.output, OUTPUT_ACTION_SYSTEM, "", 0);
    output_action(c.output, OUTPUT_ACTION_CAT, "1.5 \"2\"\n", 8);
    output_action(c.output, OUTPUT_ACTION_JOIN, "/bin/echo,A", 11);
    char *text = capture_close(&c);
    CHECK_STR(text, "{\"type\": \"time\", \"data\": \"05:28:43\\n\"}\n"
                    "{\"type\": \"syscall\", \"data\": \"a b c\\n\"}\n"
                    "{\"type\": \"syscall\", \"data\": \"\"}\n"
                    "{\"type\": \"cat\", \"data\": \"1.5 \\\"2\\\"\\n\"}\n"
                    "{\"type\": \"join\", \"data\": \"/bin/echo,A\"}\n");
    free(text);
}

/* errorf() and warnf() are messages on `out` with the call's place; a -e
 * program is "stdin", as bpftrace names it. */
static void test_script_messages(void)
{
    struct capture c;
    capture_open(&c);
    struct output_script_message error = {OUTPUT_SEVERITY_ERROR, "bad 5 \"x\"", "-e", 1, 9, 28};
    output_script_message(c.output, &error);
    struct output_script_message warning = {
        OUTPUT_SEVERITY_WARNING, "careful", "dir/a.bt", 3, 5, 20};
    output_script_message(c.output, &warning);
    char *text = capture_close(&c);
    CHECK_STR(text, "{\"type\": \"errorf\", \"msg\": \"bad 5 \\\"x\\\"\", \"filename\": "
                    "\"stdin\", \"line\": 1, \"col\": 9}\n"
                    "{\"type\": \"warnf\", \"msg\": \"careful\", \"filename\": \"dir/a.bt\", "
                    "\"line\": 3, \"col\": 5}\n");
    free(text);
}

/* Text output is unchanged: actions' text as printf's (join ends its line),
 * errorf/warnf on stderr after what was printed before. */
static void test_text_fallbacks(void)
{
    char *out_text = NULL, *err_text = NULL;
    size_t out_size, err_size;
    FILE *out = open_memstream(&out_text, &out_size);
    FILE *err = open_memstream(&err_text, &err_size);
    struct output *output = output_text_new(out, err, names);
    output_action(output, OUTPUT_ACTION_TIME, "05:28:43\n", 9);
    output_action(output, OUTPUT_ACTION_SYSTEM, "", 0);
    output_action(output, OUTPUT_ACTION_JOIN, "a,b", 3);
    struct output_script_message error = {OUTPUT_SEVERITY_ERROR, "bad 5", "-e", 1, 9, 28};
    output_script_message(output, &error);
    struct output_script_message warning = {OUTPUT_SEVERITY_WARNING, "hm", "p.bt", 2, 3, 4};
    output_script_message(output, &warning);
    output->ops->destroy(output);
    fclose(out);
    fclose(err);
    CHECK_STR(out_text, "05:28:43\na,b\n");
    CHECK_STR(err_text, "-e:1:9-28: ERROR: bad 5\np.bt:2:3-4: WARNING: hm\n");
    free(out_text);
    free(err_text);
}

static void test_maps(void)
{
    struct capture c;
    capture_open(&c);
    /* Keyed count map, ascending by value; a two-key map's keys lose their
     * parentheses and spaces. */
    const struct type *count = type_aggregation(&arena, TYPE_COUNT, NULL);
    int64_t keys[2] = {2, 1};
    uint64_t counts[2] = {5, 1};
    struct output_map_entry entries[2] = {{&keys[0], &counts[0]}, {&keys[1], &counts[1]}};
    struct output_map map = {.name = "@c", .key = type_int(8, true), .value = count};
    c.output->ops->map(c.output, &map, entries, 2);

    const struct type *elements[] = {type_int(8, true), type_string(&arena, 8)};
    struct {
        int64_t n;
        char s[8];
    } pair = {1, "a b"};
    struct output_map_entry pair_entry = {&pair, &counts[0]};
    struct output_map tuple_map = {
        .name = "@t", .key = type_tuple(&arena, elements, 2), .value = count};
    c.output->ops->map(c.output, &tuple_map, &pair_entry, 1);

    /* Scalar stats and avg maps are of type "stats". */
    uint64_t stats[2] = {2, 15};
    struct output_map_entry scalar = {NULL, stats};
    struct output_map stats_map = {
        .name = "@s", .value = type_aggregation(&arena, TYPE_STATS, type_int(8, true))};
    c.output->ops->map(c.output, &stats_map, &scalar, 1);
    struct output_map avg_map = {.name = "@a",
                                 .value = type_aggregation(&arena, TYPE_AVG, type_int(8, true))};
    c.output->ops->map(c.output, &avg_map, &scalar, 1);
    /* An empty map writes nothing. */
    c.output->ops->map(c.output, &map, NULL, 0);
    char *text = capture_close(&c);
    CHECK_STR(text, "{\"type\": \"map\", \"data\": {\"@c\": {\"1\": 1, \"2\": 5}}}\n"
                    "{\"type\": \"map\", \"data\": {\"@t\": {\"1,ab\": 5}}}\n"
                    "{\"type\": \"stats\", \"data\": {\"@s\": {\"count\": 2, \"average\": 7, "
                    "\"total\": 15}}}\n"
                    "{\"type\": \"stats\", \"data\": {\"@a\": 7}}\n");
    free(text);
}

static void test_histograms(void)
{
    struct capture c;
    capture_open(&c);
    struct output_hist_shape shape = {.bits = 0, .bucket_count = output_hist_bucket_count(0)};
    uint64_t buckets[65] = {0};
    buckets[output_hist_bucket(-1, 0)] = 1;
    buckets[output_hist_bucket(0, 0)] = 1;
    buckets[output_hist_bucket(1100, 0)] = 2;
    struct output_map map = {
        .name = "@h", .value = type_aggregation(&arena, TYPE_HIST, NULL), .hist = &shape};
    struct output_map_entry entry = {NULL, buckets};
    c.output->ops->map(c.output, &map, &entry, 1);

    struct output_hist_shape linear = {.linear = true,
                                       .min = 0,
                                       .max = 10,
                                       .step = 5,
                                       .bucket_count = output_lhist_bucket_count(0, 10, 5)};
    uint64_t linear_buckets[4] = {0, 1, 0, 3};
    struct output_map lmap = {.name = "@l",
                              .key = type_string(&arena, 4),
                              .value = type_aggregation(&arena, TYPE_LHIST, NULL),
                              .hist = &linear};
    struct output_map_entry keyed = {"ab", linear_buckets};
    c.output->ops->map(c.output, &lmap, &keyed, 1);
    char *text = capture_close(&c);
    CHECK_STR(
        text,
        "{\"type\": \"hist\", \"data\": {\"@h\": [{\"max\": -1, \"count\": 1},"
        "{\"min\": 0, \"max\": 0, \"count\": 1},{\"min\": 1, \"max\": 1, \"count\": 0},"
        "{\"min\": 2, \"max\": 3, \"count\": 0},{\"min\": 4, \"max\": 7, \"count\": 0},"
        "{\"min\": 8, \"max\": 15, \"count\": 0},{\"min\": 16, \"max\": 31, \"count\": 0},"
        "{\"min\": 32, \"max\": 63, \"count\": 0},{\"min\": 64, \"max\": 127, \"count\": 0},"
        "{\"min\": 128, \"max\": 255, \"count\": 0},{\"min\": 256, \"max\": 511, \"count\": 0},"
        "{\"min\": 512, \"max\": 1023, \"count\": 0},{\"min\": 1024, \"max\": 2047, "
        "\"count\": 2}]}}\n"
        "{\"type\": \"hist\", \"data\": {\"@l\": {\"ab\": [{\"min\": 0, \"max\": 4, "
        "\"count\": 1},{\"min\": 5, \"max\": 9, \"count\": 0},{\"min\": 10, \"count\": 3}]}}}\n");
    free(text);
}

int main(void)
{
    arena_init(&arena);
    test_strings();
    test_numbers_and_values();
    test_messages();
    test_actions();
    test_script_messages();
    test_text_fallbacks();
    test_maps();
    test_histograms();
    return TEST_DONE();
}
