/* Enums in maps, variables and print(): the type checker keeps an enum's
 * names on what maps and variables hold, and the output shows the names as
 * current bpftrace does: text output by enumerator name (the number when no
 * enumerator matches), JSON values as numbers, JSON map keys by name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "sema_fixture.h"

static const struct sema_options options = {.max_strlen = 64};
static struct arena arena;

/* ---- type checking ---- */

static const char *map_value_type(const struct checked *checked, const char *name)
{
    const struct sema_map *map = checked_map(checked, name);
    char text[96];
    return arena_strdup(&arena, describe_type(map ? map->value : NULL, text, sizeof(text)));
}

static const char *map_key_type(const struct checked *checked, const char *name)
{
    const struct sema_map *map = checked_map(checked, name);
    char text[96];
    return arena_strdup(&arena, describe_type(map ? map->key : NULL, text, sizeof(text)));
}

static void test_maps_keep_the_enum(void)
{
    struct checked checked;
    check_with(&checked,
               "enum e { A = 1, B = 2 };"
               "BEGIN { @m = (enum e)1; @k[(enum e)2] = 1; @t[(enum e)1, \"x\"] = ((enum e)2, 3);"
               "  @n = A + 1; @named = B; @again = (enum e)1; @again = (enum e)2; exit(); }",
               &options);
    CHECK(checked.status == 0);
    CHECK_STR(map_value_type(&checked, "@m"), "enum e");
    CHECK_STR(map_key_type(&checked, "@k"), "enum e");
    CHECK_STR(map_key_type(&checked, "@t"), "(enum e, string[2])");
    CHECK_STR(map_value_type(&checked, "@t"), "(enum e, int64)");
    CHECK_STR(map_value_type(&checked, "@named"), "enum e");
    CHECK_STR(map_value_type(&checked, "@again"), "enum e"); /* two writes of one enum */
    /* Arithmetic makes a plain number, as in bpftrace. */
    CHECK_STR(map_value_type(&checked, "@n"), "int64");
    const struct sema_map *m = checked_map(&checked, "@m");
    CHECK(m && m->value->size == 8 && m->value->enumerator_count == 2);
    release(&checked);
}

static void test_first_write_fixes_the_type(void)
{
    /* bpftrace: `@[ONE+1] = TWO-1; @[ONE] = ONE;` prints @[1]: 1, numbers. */
    struct checked checked;
    check_with(&checked, "enum { ONE = 1, TWO = 2 }; BEGIN { @[ONE + 1] = TWO - 1; @[ONE] = ONE; }",
               &options);
    CHECK(checked.status == 0);
    CHECK_STR(map_key_type(&checked, "@"), "int64");
    CHECK_STR(map_value_type(&checked, "@"), "int64");
    release(&checked);
}

static void test_variables_keep_the_enum(void)
{
    char text[64];
    struct checked checked;
    check_with(&checked, "enum e { A = 1 }; BEGIN { $x = (enum e)1; $x = 7; printf(\"%s\", $x); }",
               &options);
    CHECK_STR(describe_type(first_printf_arg_type(&checked), text, sizeof(text)), "enum e");
    release(&checked);
    check_with(&checked, "enum { FOO = 333, BAR }; BEGIN { $t = (FOO, BAR); printf(\"%s\", $t); }",
               &options);
    const struct type *tuple = first_printf_arg_type(&checked);
    CHECK(tuple && tuple->kind == TYPE_TUPLE && tuple->fields[1].type->enumerators &&
          strcmp(type_enumerator_name(tuple->fields[1].type, 334), "BAR") == 0);
    release(&checked);
}

static void test_enum_casts_checked(void)
{
    expect_accepted("enum e { A = 1 }; BEGIN { @[(enum e)1] = count(); print((enum e)2); }",
                    &options);
    expect_error("BEGIN { @m = (enum no_such_enum_here)1; }", &options, 1, 15,
                 "unknown type 'enum no_such_enum_here'");
}

/* ---- output ---- */

static const struct type_enumerator enumerators[] = {{"A", 1}, {"B", 2}, {"MINUS", -4}};

static const struct type *enum_e(void)
{
    return type_widened(type_enum(&arena, type_int(4, true), "enum e", enumerators, 3));
}

static const char *text_of(const struct type *type, const void *bytes)
{
    struct strbuf out = {0};
    output_format_value(type, bytes, NULL, &out);
    const char *text = arena_strdup(&arena, strbuf_text(&out));
    strbuf_free(&out);
    return text;
}

static const char *json_of(const struct type *type, const void *bytes)
{
    struct strbuf out = {0};
    output_json_value(type, bytes, 0, NULL, &out);
    const char *text = arena_strdup(&arena, strbuf_text(&out));
    strbuf_free(&out);
    return text;
}

static void test_text_shows_names(void)
{
    const struct type *e = enum_e();
    int64_t two = 2, minus = -4, nine = 9, minus_one = -1;
    CHECK_STR(text_of(e, &two), "B");
    CHECK_STR(text_of(e, &minus), "MINUS");
    CHECK_STR(text_of(e, &nine), "9"); /* no enumerator: the number */
    CHECK_STR(text_of(e, &minus_one), "-1");
    int32_t narrow = 1;
    CHECK_STR(text_of(type_enum(&arena, type_int(4, true), "enum e", enumerators, 3), &narrow),
              "A");
    const struct type *elements[] = {e, type_int(8, true)};
    int64_t pair[2] = {1, 5};
    CHECK_STR(text_of(type_tuple(&arena, elements, 2), pair), "(A, 5)");
    /* print(@m, top, div) divides numbers, never an enum. */
    struct strbuf out = {0};
    output_format_map_value(e, &two, 2, NULL, &out);
    CHECK_STR(strbuf_text(&out), "B");
    strbuf_free(&out);
}

static void test_json_values_stay_numbers(void)
{
    const struct type *e = enum_e();
    int64_t two = 2;
    CHECK_STR(json_of(e, &two), "2");
    const struct type *elements[] = {e, type_int(8, true)};
    int64_t pair[2] = {1, 5};
    CHECK_STR(json_of(type_tuple(&arena, elements, 2), pair), "[1,5]");
}

static char *map_lines(struct output *(*make)(FILE *, FILE *, struct output_names),
                       const struct output_map *map, struct output_map_entry *entries, size_t count)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream(&text, &size);
    struct output *output = make(file, stderr, (struct output_names){0});
    output->ops->map(output, map, entries, count);
    output->ops->destroy(output);
    fclose(file);
    return text;
}

static void test_map_lines(void)
{
    const struct type *e = enum_e();
    int64_t keys[2] = {1, 7}, values[2] = {2, 1};
    struct output_map_entry entries[2] = {{&keys[0], &values[0]}, {&keys[1], &values[1]}};
    struct output_map map = {.name = "@k", .key = e, .value = e};
    char *text = map_lines(output_text_new, &map, entries, 2);
    CHECK_STR(text, "@k[7]: A\n@k[A]: B\n");
    free(text);
    /* bpftrace's JSON keys are the text form (so names); values numbers. */
    text = map_lines(output_json_new, &map, entries, 2);
    CHECK_STR(text, "{\"type\": \"map\", \"data\": {\"@k\": {\"7\": 1, \"A\": 2}}}\n");
    free(text);
}

int main(void)
{
    arena_init(&arena);
    test_maps_keep_the_enum();
    test_first_write_fixes_the_type();
    test_variables_keep_the_enum();
    test_enum_casts_checked();
    test_text_shows_names();
    test_json_values_stay_numbers();
    test_map_lines();
    arena_free(&arena);
    return TEST_DONE();
}
