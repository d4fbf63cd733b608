/* printf formats: a script's printf("...") is parsed once, checked against its
 * arguments, and every event renders exactly as C's printf would. */
#include <stdint.h>
#include <string.h>

#include "output/printf_format.h"
#include "test.h"

static struct arena arena;

static const struct printf_format *parse(const char *text)
{
    const char *error = NULL;
    unsigned offset = 0;
    return printf_format_parse(&arena, text, strlen(text), &error, &offset);
}

/* The error message, and its offset through *offset. */
static const char *parse_error(const char *text, unsigned *offset)
{
    const char *error = NULL;
    *offset = 999;
    const struct printf_format *format =
        printf_format_parse(&arena, text, strlen(text), &error, offset);
    return format ? NULL : error;
}

/* Render `text` with one argument. */
static const char *render1(const char *text, const struct type *type, const void *value)
{
    static struct strbuf out;
    strbuf_free(&out);
    const struct printf_format *format = parse(text);
    if (!format)
        return "(parse error)";
    const struct type *types[] = {type};
    const void *values[] = {value};
    printf_format_render(format, types, values, NULL, &out);
    return arena_strndup(&arena, strbuf_text(&out), out.length);
}

/* Render `text` with every argument the same value. */
static const char *render_same(const char *text, const struct type *type, const void *value)
{
    static struct strbuf out;
    strbuf_free(&out);
    const struct printf_format *format = parse(text);
    if (!format || format->conversion_count > 8)
        return "(parse error)";
    const struct type *types[8];
    const void *values[8];
    for (unsigned i = 0; i < 8; i++) {
        types[i] = type;
        values[i] = value;
    }
    printf_format_render(format, types, values, NULL, &out);
    return arena_strndup(&arena, strbuf_text(&out), out.length);
}

static void test_parse_errors(void)
{
    unsigned offset;
    CHECK_STR(parse_error("%q", &offset), "unknown format specifier '%q'");
    CHECK(offset == 0);
    CHECK_STR(parse_error("abc %", &offset), "incomplete format specifier '%'");
    CHECK(offset == 4);
    CHECK_STR(parse_error("x=%d %-5n", &offset), "format specifier '%-5n' is not supported");
    CHECK(offset == 5);
    CHECK(parse_error("%*d", &offset) != NULL);
    CHECK(offset == 0);
    CHECK(parse_error("ab %.*s", &offset) != NULL);
    CHECK(offset == 3);
    CHECK_STR(parse_error("%lq", &offset), "unknown format specifier '%lq'");
    CHECK(parse_error("%f", &offset) != NULL);
    CHECK(parse_error("%d %s %% %x", &offset) == NULL);
}

static void test_parse_pieces(void)
{
    const struct printf_format *format = parse("pid %-8d comm %s 100%%\n");
    CHECK(format && format->conversion_count == 2 && format->piece_count == 3);
    if (format && format->piece_count == 3) {
        const struct format_piece *p = format->pieces;
        CHECK_STR(p[0].literal, "pid ");
        CHECK(p[0].conversion == CONVERSION_SIGNED && p[0].width == 8 && p[0].precision == -1);
        CHECK_STR(p[0].flags, "-");
        CHECK(p[0].offset == 4);
        CHECK_STR(p[1].literal, " comm ");
        CHECK(p[1].conversion == CONVERSION_STRING && p[1].width == -1);
        CHECK_STR(p[2].literal, " 100%\n");
        CHECK(p[2].conversion == CONVERSION_NONE && p[2].literal_length == 6);
    }
    format = parse("%%%%");
    CHECK(format && format->conversion_count == 0 && format->piece_count == 1);
    format = parse("");
    CHECK(format && format->conversion_count == 0 && format->piece_count == 0);
    format = parse("%lld%hhx%zu%ju%.s");
    CHECK(format && format->conversion_count == 5);
    if (format && format->piece_count == 5) {
        CHECK(format->pieces[0].length == LENGTH_LL);
        CHECK(format->pieces[1].length == LENGTH_HH);
        CHECK(format->pieces[2].length == LENGTH_Z);
        CHECK(format->pieces[3].length == LENGTH_J);
        CHECK(format->pieces[4].precision == 0);
    }
}

static void test_check(void)
{
    const struct printf_format *format = parse("%d %s %p %-8lu");
    const struct type *str64 = type_string(&arena, 64);
    const struct type *count = type_aggregation(&arena, TYPE_COUNT, type_int(8, false));
    CHECK(printf_format_check(&arena, format, 0, type_int(4, true)) == NULL);
    CHECK(printf_format_check(&arena, format, 0, &type_bool) == NULL);
    CHECK(printf_format_check(&arena, format, 0, count) == NULL);
    CHECK_STR(printf_format_check(&arena, format, 0, str64),
              "%d expects an integer, got string[64]");
    CHECK_STR(printf_format_check(&arena, format, 3, &type_probe),
              "%-8lu expects an integer, got probe");
    /* %s prints anything printable, as current bpftrace does. */
    CHECK(printf_format_check(&arena, format, 1, str64) == NULL);
    CHECK(printf_format_check(&arena, format, 1, type_int(8, false)) == NULL);
    CHECK(printf_format_check(&arena, format, 1, &type_probe) == NULL);
    CHECK(printf_format_check(&arena, format, 1, &type_void) != NULL);
    CHECK(printf_format_check(&arena, format, 2, type_pointer(&arena, &type_void, SPACE_KERNEL)) ==
          NULL);
    CHECK(printf_format_check(&arena, format, 4, type_int(8, false)) != NULL);
}

static void test_render_integers(void)
{
    int64_t minus_one = -1;
    uint64_t big = 4294967301ULL; /* 2^32 + 5 */
    int32_t minus_one_32 = -1;
    uint32_t all_ones_32 = 0xffffffffu;
    const struct type *i64 = type_int(8, true), *u64 = type_int(8, false);
    const struct type *i32 = type_int(4, true), *u32 = type_int(4, false);
    CHECK_STR(render1("%d", i64, &minus_one), "-1");
    CHECK_STR(render1("%d", u64, &big), "5");
    CHECK_STR(render1("%i", u32, &all_ones_32), "-1");
    CHECK_STR(render1("%ld", u64, &big), "4294967301");
    CHECK_STR(render1("%u", i32, &minus_one_32), "4294967295");
    CHECK_STR(render1("%lu", i64, &minus_one), "18446744073709551615");
    CHECK_STR(render_same("%lld|%zu|%jd|%llx", i32, &minus_one_32),
              "-1|18446744073709551615|-1|ffffffffffffffff");
    int64_t v = 70000;
    CHECK_STR(render1("%hd", i64, &v), "4464");
    int64_t w = 300;
    CHECK_STR(render1("%hhd", i64, &w), "44");
    uint8_t b = 200;
    CHECK_STR(render1("%d", type_int(1, false), &b), "200");
    CHECK_STR(render1("%hhd", type_int(1, false), &b), "-56");
    int8_t negative_byte = -2;
    CHECK_STR(render1("%ld", type_int(1, true), &negative_byte), "-2");
}

static void test_render_flags(void)
{
    int64_t ff = 255, n42 = 42, five = 5, minus_five = -5, eight = 8, zero = 0;
    const struct type *i64 = type_int(8, true);
    CHECK_STR(render1("%x", i64, &ff), "ff");
    CHECK_STR(render1("%X", i64, &ff), "FF");
    CHECK_STR(render1("%08x", i64, &ff), "000000ff");
    CHECK_STR(render1("%#x", i64, &ff), "0xff");
    CHECK_STR(render_same("%o|%#o|%#X", i64, &eight), "10|010|0X8");
    CHECK_STR(render1("%#o", i64, &eight), "010");
    CHECK_STR(render1("%-5d|", i64, &n42), "42   |");
    CHECK_STR(render1("%5d|", i64, &n42), "   42|");
    CHECK_STR(render1("%+d", i64, &five), "+5");
    CHECK_STR(render1("% d", i64, &five), " 5");
    CHECK_STR(render1("%05d", i64, &minus_five), "-0005");
    CHECK_STR(render1("%.3d", i64, &five), "005");
    CHECK_STR(render1("%x", i64, &minus_five), "fffffffb");
    CHECK_STR(render1("%lx", i64, &minus_five), "fffffffffffffffb");
    CHECK_STR(render1("[%d]", &type_bool, &(uint8_t){1}), "[1]");
    CHECK_STR(render1("%d", i64, &zero), "0");
}

static void test_render_char_pointer(void)
{
    int64_t a = 65, wide = 0x141, page = 4096, null = 0;
    const struct type *i64 = type_int(8, true);
    const struct type *ptr = type_pointer(&arena, &type_void, SPACE_KERNEL);
    CHECK_STR(render1("%c", i64, &a), "A");
    CHECK_STR(render1("%c", i64, &wide), "A");
    CHECK_STR(render1("%3c|", i64, &a), "  A|");
    CHECK_STR(render1("%p", ptr, &page), "0x1000");
    CHECK_STR(render1("%p", i64, &page), "0x1000");
    CHECK_STR(render1("%p", ptr, &null), "0");
    CHECK_STR(render1("%-8p|", ptr, &page), "0x1000  |");
    uint64_t high = 0xffffffff81000000ULL;
    CHECK_STR(render1("%p", ptr, &high), "0xffffffff81000000");
    CHECK_STR(render1("%x", ptr, &high), "81000000");
    CHECK_STR(render1("%lx", ptr, &high), "ffffffff81000000");
}

static void test_render_strings(void)
{
    char bash[16] = "bash";
    char abcdef[16] = "abcdef";
    const struct type *str16 = type_string(&arena, 16);
    CHECK_STR(render1("%s", str16, bash), "bash");
    CHECK_STR(render1("[%5s|]", str16, "ab\0\0\0\0\0\0\0\0\0\0\0\0\0"), "[   ab|]");
    CHECK_STR(render1("%-6s|", str16, bash), "bash  |");
    CHECK_STR(render1("%.2s", str16, abcdef), "ab");
    CHECK_STR(render1("%8.3s|", str16, abcdef), "     abc|");
    int64_t n = -12;
    CHECK_STR(render1("%s", type_int(8, true), &n), "-12");
    CHECK_STR(render1("%s", &type_bool, &(uint8_t){0}), "false");
    /* A string filling its buffer was truncated: bpftrace adds "..". */
    CHECK_STR(render1("%s", type_string(&arena, 4), "abcd"), "abcd..");

    const struct printf_format *format = parse("%s fired %d times\n");
    static const char *const names[] = {"BEGIN", "tracepoint:syscalls:sys_enter_read"};
    uint64_t probe = 1;
    int64_t times = 3;
    const struct type *types[] = {&type_probe, type_int(8, true)};
    const void *values[] = {&probe, &times};
    struct strbuf out = {0};
    printf_format_render(format, types, values, &(struct output_names){names, 2, NULL, 0}, &out);
    CHECK_STR(strbuf_text(&out), "tracepoint:syscalls:sys_enter_read fired 3 times\n");
    strbuf_reset(&out);
    probe = 7;
    printf_format_render(format, types, values, &(struct output_names){names, 2, NULL, 0}, &out);
    CHECK_STR(strbuf_text(&out), "<probe 7> fired 3 times\n");
    strbuf_free(&out);
}

static void test_render_tuple(void)
{
    const struct type *elements[] = {type_int(4, true), type_string(&arena, 8)};
    const struct type *tuple = type_tuple(&arena, elements, 2);
    char bytes[16] = {0};
    int32_t one = 1;
    memcpy(bytes, &one, 4);
    memcpy(bytes + 4, "abc", 4);
    CHECK_STR(render1("<%s>", tuple, bytes), "<(1, abc)>");
}

static void test_literal_only(void)
{
    struct strbuf out = {0};
    const struct printf_format *format = parse("100%% done\n");
    printf_format_render(format, NULL, NULL, NULL, &out);
    CHECK_STR(strbuf_text(&out), "100% done\n");
    strbuf_free(&out);
}

int main(void)
{
    arena_init(&arena);
    test_parse_errors();
    test_parse_pieces();
    test_check();
    test_render_integers();
    test_render_flags();
    test_render_char_pointer();
    test_render_strings();
    test_render_tuple();
    test_literal_only();
    arena_free(&arena);
    return TEST_DONE();
}
