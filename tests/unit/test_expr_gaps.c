/* String casts, tuple indexes, enum names and the builtins ncpus, jiffies,
 * usermode and comm(pid): the types they give, each argument check at its
 * exact place, and how printf's %s renders an enum. */
#include "ast/sema_functions.h"
#include "output/printf_format.h"
#define SEMA_FIXTURE_CHECKS
#include "sema_fixture.h"

#include <stdlib.h>

static const struct sema_options options = {.max_strlen = 64};

static const char *type_of(const char *source, char *out, size_t size)
{
    return first_printf_arg_text(source, &options, out, size);
}

static void test_string_casts(void)
{
    char type[64];
    CHECK_STR(type_of("BEGIN { printf(\"%s\", (string[8])\"hello world\"); }", type, sizeof(type)),
              "string[8]");
    CHECK_STR(type_of("BEGIN { printf(\"%s\", (string[4])comm); }", type, sizeof(type)),
              "string[4]");
    CHECK_STR(type_of("BEGIN { printf(\"%s\", (string)\"abc\"); }", type, sizeof(type)),
              "string[4]");
    CHECK_STR(type_of("BEGIN { printf(\"%s\", (string[32])comm); }", type, sizeof(type)),
              "string[32]");
    accepts("BEGIN { $s = (string[8])\"hello world\"; print($s); @[(string[3])comm] = count(); }");
    rejects("BEGIN { print((string[4])pid); }", 15, "cannot cast uint32 to string[4]");
    rejects("BEGIN { print((string[0])comm); }", 16, "positive integer");
    rejects("BEGIN { print((string[5000])comm); }", 16, "longer than 4096 bytes");
    rejects("BEGIN { print((string[4])(1, 2)); }", 15, "cannot cast");
}

static void test_tuple_index(void)
{
    char type[64];
    CHECK_STR(type_of("BEGIN { $t = (1, \"x\"); printf(\"%s\", $t[1]); }", type, sizeof(type)),
              "string[2]");
    CHECK_STR(type_of("BEGIN { $t = (1, \"x\"); printf(\"%d\", $t[0]); }", type, sizeof(type)),
              "int64");
    CHECK_STR(
        type_of("BEGIN { printf(\"%d\", (1, (2, 3))[2 - 1][4 / 2 - 1]); }", type, sizeof(type)),
        "int64");
    accepts("BEGIN { $t = (1, \"x\"); @[$t[1]] = $t[0]; print($t[-1 + 1]); }");
    rejects("BEGIN { $t = (1, \"x\"); print($t[2]); }", 33, "index 2 is out of range");
    rejects("BEGIN { $t = (1, \"x\"); print($t[-1]); }", 33, "index -1 is out of range");
    rejects("BEGIN { $i = 0; $t = (1, \"x\"); print($t[$i]); }", 41,
            "must be known at compile time");
    rejects("BEGIN { $t = (1, \"x\"); print($t[\"a\"]); }", 33, "an index must be an integer");
}

static void test_constant_integers(void)
{
    struct ast_expr one = {.kind = EXPR_INTEGER, .integer.value = 7};
    struct ast_expr two = {.kind = EXPR_INTEGER, .integer.value = 2};
    struct ast_expr sum = {.kind = EXPR_BINARY, .binary = {OP_MOD, &one, &two}};
    struct ast_expr negated = {.kind = EXPR_UNARY, .unary = {OP_NEGATE, &sum}};
    int64_t value = 0;
    CHECK(sema_constant_integer(&negated, &value) && value == -1);
    struct ast_expr zero = {.kind = EXPR_INTEGER, .integer.value = 0};
    struct ast_expr divide = {.kind = EXPR_BINARY, .binary = {OP_DIV, &one, &zero}};
    CHECK(sema_constant_integer(&divide, &value) && value == 0); /* BPF: x / 0 = 0 */
    struct ast_expr smallest = {.kind = EXPR_INTEGER, .integer.value = (uint64_t)INT64_MIN};
    struct ast_expr minus_one = {.kind = EXPR_INTEGER, .integer.value = (uint64_t)-1};
    struct ast_expr overflow = {.kind = EXPR_BINARY, .binary = {OP_DIV, &smallest, &minus_one}};
    CHECK(sema_constant_integer(&overflow, &value) && value == INT64_MIN); /* no trap */
    struct ast_expr variable = {.kind = EXPR_VARIABLE};
    struct ast_expr mixed = {.kind = EXPR_BINARY, .binary = {OP_ADD, &one, &variable}};
    CHECK(!sema_constant_integer(&mixed, &value));
}

static void test_enums(void)
{
    char type[64];
    const char *script = "enum e { A = 1, B = 2 }; BEGIN { printf(\"%s\", (enum e)2); }";
    CHECK_STR(type_of(script, type, sizeof(type)), "enum e");
    CHECK_STR(type_of("enum e { A = 1, B = 2 }; BEGIN { printf(\"%s\", B); }", type, sizeof(type)),
              "enum e");
    accepts("enum { C = 3 }; BEGIN { printf(\"%s %d\", C, C + 1); }");
    accepts("enum e { A = 1 }; BEGIN { $v = (enum e)1; print($v + 1); @[(enum e)1] = count(); }");
}

static void test_enum_rendering(void)
{
    struct arena arena;
    arena_init(&arena);
    const struct type_enumerator names[] = {{"A", 1}, {"B", 2}, {"MINUS", -1}};
    const struct type *e = type_enum(&arena, type_int(4, true), "enum e", names, 3);
    CHECK(type_widened(e)->size == 8 && type_widened(e)->enumerators == names);
    CHECK(type_widened(type_widened(e)) == type_widened(e));
    CHECK(type_widened(type_int(2, false)) == type_int(8, false));
    CHECK_STR(type_enumerator_name(e, 2), "B");
    CHECK(type_enumerator_name(e, 3) == NULL);
    const char *error = NULL;
    unsigned offset = 0;
    const char *text = "%s %d %s %s|%5s";
    const struct printf_format *format =
        printf_format_parse(&arena, text, strlen(text), &error, &offset);
    CHECK(format != NULL);
    int32_t two = 2, seven = 7, minus = -1;
    int64_t wide_one = 1;
    const struct type *types[] = {e, e, e, e, type_widened(e)};
    const void *values[] = {&two, &two, &seven, &minus, &wide_one};
    struct strbuf out = {0};
    if (format)
        printf_format_render(format, types, values, NULL, &out);
    CHECK_STR(strbuf_text(&out), "B 2 7 MINUS|    A");
    strbuf_free(&out);
    arena_free(&arena);
}

static void test_builtins(void)
{
    char type[64];
    CHECK_STR(type_of("BEGIN { printf(\"%d\", jiffies); }", type, sizeof(type)), "uint64");
    CHECK_STR(type_of("BEGIN { printf(\"%d\", jiffies()); }", type, sizeof(type)), "uint64");
    CHECK_STR(type_of("interval:s:1 { printf(\"%d\", usermode); }", type, sizeof(type)), "uint8");
    CHECK_STR(type_of("interval:s:1 { printf(\"%d\", usermode()); }", type, sizeof(type)), "uint8");
    CHECK_STR(type_of("BEGIN { printf(\"%s\", comm()); }", type, sizeof(type)), "string[16]");
    /* ncpus is a constant: a loop bound, a map size, an integer. */
    struct checked checked;
    check_with(&checked, "BEGIN { for ($i : 0..ncpus) { @[$i] = 1; } printf(\"%d\", ncpus()); }",
               &options);
    CHECK(checked.status == 0);
    release(&checked);
    rejects("BEGIN { print(ncpus(1)); }", 15, "ncpus() takes 0 arguments");
    rejects("BEGIN { print(usermode); }", 15, "usermode is not available in BEGIN probes");
    rejects("END { print(usermode()); }", 13, "usermode is not available in END probes");
    rejects("BEGIN { print(jiffies(1)); }", 15, "jiffies() takes 0 arguments");
}

static void test_comm_of_pid(void)
{
    char type[64];
    CHECK_STR(type_of("interval:s:1 { printf(\"%s\", comm(1)); }", type, sizeof(type)),
              "string[16]");
    accepts("interval:s:1 { $p = 1; @[comm($p)] = count(); }");
    rejects("BEGIN { print(comm(1)); }", 15,
            "comm(pid) is not available in BEGIN probes: the kernel lets only tracepoint, "
            "perf-event and fentry programs call bpf_task_from_pid()");
    rejects("interval:s:1 { print(comm(\"x\")); }", 27, "comm() takes an integer pid");
    rejects("interval:s:1 { print(comm(1, 2)); }", 22, "comm() takes at most 1 argument");
}

int main(void)
{
    test_string_casts();
    test_tuple_index();
    test_constant_integers();
    test_enums();
    test_enum_rendering();
    test_builtins();
    test_comm_of_pid();
    return TEST_DONE();
}
