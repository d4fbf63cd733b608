/* Operators as current bpftrace types them: == and != on tuples, ++/--/+=/-=
 * on pointers, the signed result of `-`, and a positional parameter the user
 * did not pass, which is "" where a string is wanted and 0 elsewhere. */
#define SEMA_FIXTURE_CHECKS
#include "sema_fixture.h"

static const struct sema_options options = {.max_strlen = 64};

/* The type of the first printf argument after checking `source` with
 * `params`, described ("" when rejected). */
static const char *type_with(const char *source, const struct sema_params *params, char *out,
                             size_t size)
{
    struct sema_options with = options;
    if (params)
        with.params = *params;
    return first_printf_arg_text(source, &with, out, size);
}

static const char *type_of(const char *source, char *out, size_t size)
{
    return type_with(source, NULL, out, size);
}

static void test_tuple_equality(void)
{
    accepts("BEGIN { $t = (1, 2); $u = (1, 2); if ($t == $u) { exit(); } }");
    accepts("BEGIN { $t = (1, \"a\"); if ($t != (1, \"ab\")) { exit(); } }");
    /* integers of other widths and signs, strings of other capacities, nested tuples */
    accepts("BEGIN { if (((uint32)1, (2, \"x\")) == (1, (-2, \"xyz\"))) { exit(); } }");
    accepts("BEGIN { @t = (pid, comm); if (@t == (1, \"init\")) { exit(); } }");
    rejects("BEGIN { if ((1, 2) == (1, 2, 3)) { exit(); } }", 13, "cannot compare");
    rejects("BEGIN { if ((1, \"a\") != (1, 2)) { exit(); } }", 13, "cannot compare");
    rejects("BEGIN { if ((1, 2) < (1, 3)) { exit(); } }", 13, "cannot compare");
    rejects("BEGIN { if ((1, probe) == (1, probe)) { exit(); } }", 13, "cannot compare");
    char type[64];
    CHECK_STR(type_of("BEGIN { printf(\"%d\", (1, 2) == (1, 2)); }", type, sizeof(type)), "bool");
}

static void test_pointer_steps(void)
{
    accepts("BEGIN { $p = (int32 *)0; $p++; ++$p; $p--; --$p; $p += 2; $p -= 1; }");
    accepts("BEGIN { @p = (int64 *)0; @p++; --@p; @p += 3; @p -= 1; @q[1] = (int8 *)0; "
            "@q[1] += 1; }");
    char type[64];
    CHECK_STR(type_of("BEGIN { $p = (int32 *)0; printf(\"%p\", $p++); }", type, sizeof(type)),
              "int32 *");
    rejects("BEGIN { $p = (int32 *)0; $p *= 2; }", 32, "cannot be assigned");
    rejects("BEGIN { @p = (int32 *)0; @p *= 2; }", 32, "cannot be assigned");
    rejects("BEGIN { $s = \"a\"; $s++; }", 19, "needs an integer or a pointer, got string");
}

static void test_subtraction_is_signed(void)
{
    char type[64];
    CHECK_STR(type_of("BEGIN { printf(\"%d\", (uint32)5 - 10); }", type, sizeof(type)), "int64");
    CHECK_STR(type_of("BEGIN { printf(\"%d\", (uint64)5 - (uint64)3); }", type, sizeof(type)),
              "int64");
    CHECK_STR(type_of("BEGIN { printf(\"%d\", nsecs - 1); }", type, sizeof(type)), "int64");
    /* the other operators keep C's conversions */
    CHECK_STR(type_of("BEGIN { printf(\"%d\", (uint64)5 + 1); }", type, sizeof(type)), "uint64");
    CHECK_STR(type_of("BEGIN { printf(\"%d\", (uint64)5 * 2); }", type, sizeof(type)), "uint64");
}

/* `--` and `-=` give a signed int64, so the unsigned $variable or @map they
 * update becomes one; `++` and `+=` do not. */
static void test_decrement_is_signed(void)
{
    char type[64];
    CHECK_STR(type_of("BEGIN { $x = (uint32)0; $x--; printf(\"%d\", $x); }", type, sizeof(type)),
              "int64");
    CHECK_STR(type_of("BEGIN { $x = (uint64)0; --$x; printf(\"%d\", $x); }", type, sizeof(type)),
              "int64");
    CHECK_STR(
        type_of("BEGIN { $y = (uint64)5; $y -= 10; printf(\"%d\", $y); }", type, sizeof(type)),
        "int64");
    CHECK_STR(
        type_of("BEGIN { $z = (uint64)5; $z++; $z += 1; printf(\"%d\", $z); }", type, sizeof(type)),
        "uint64");
    struct checked checked;
    check_with(&checked,
               "BEGIN { @c = (uint32)0; @c--; @s = (uint16)1; @s -= 1; @u = nsecs; @u++; }",
               &options);
    CHECK(checked.status == 0);
    const struct sema_map *c = checked_map(&checked, "@c"), *s = checked_map(&checked, "@s");
    const struct sema_map *u = checked_map(&checked, "@u");
    CHECK(c && c->value->is_signed && c->value->size == 8);
    CHECK(s && s->value->is_signed && s->value->size == 8);
    CHECK(u && !u->value->is_signed);
    release(&checked);
}

static void test_missing_positional(void)
{
    char type[64];
    /* nothing passed: "" for %s, 0 for %d and in arithmetic */
    CHECK_STR(type_of("BEGIN { printf(\"%s\", $4); }", type, sizeof(type)), "string[1]");
    CHECK_STR(type_of("BEGIN { printf(\"%d\", $4); }", type, sizeof(type)), "int64");
    CHECK_STR(type_of("BEGIN { printf(\"%d %s\", $4 + 1, $4); }", type, sizeof(type)), "int64");
    accepts("BEGIN { if ($2 == \"\") { exit(); } if (\"x\" != $3) { exit(); } }");
    /* a parameter that was passed keeps its value: 42 is a number, for %s too */
    const char *values[] = {"42"};
    struct sema_params params = {.values = values, .count = 1};
    CHECK_STR(type_with("BEGIN { printf(\"%s\", $1); }", &params, type, sizeof(type)), "int64");
    CHECK_STR(type_with("BEGIN { printf(\"%s\", $2); }", &params, type, sizeof(type)), "string[1]");
}

int main(void)
{
    test_tuple_equality();
    test_pointer_steps();
    test_subtraction_is_signed();
    test_decrement_is_signed();
    test_missing_positional();
    return TEST_DONE();
}
