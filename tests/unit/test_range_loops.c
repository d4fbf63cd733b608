/* for ($i : a..b): which range loops run their body as a bpf_loop callback
 * (a bound known only at run time, or more than 100 passes), what such a
 * body may not use, and what codegen makes of each. No kernel. */
#include "ast/sema_loops.h"
#define SEMA_FIXTURE_CHECKS
#include "compile_fixture.h"

/* The first range loop of the first probe's body. */
static struct ast_stmt *first_range_loop(struct checked *checked)
{
    struct ast_probe *probe = vec_get(&checked->program->probes, 0);
    struct vec *statements = &probe->body->block.statements;
    for (size_t i = 0; i < statements->count; i++) {
        struct ast_stmt *stmt = vec_get(statements, i);
        if (stmt->kind == STMT_FOR)
            return stmt;
    }
    return NULL;
}

static bool callback_for(const char *source)
{
    struct checked checked;
    check_with(&checked, source, &defaults);
    CHECK(checked.status == 0);
    struct ast_stmt *loop = checked.status == 0 ? first_range_loop(&checked) : NULL;
    bool callback = loop && sema_for_range_needs_callback(loop);
    release(&checked);
    return callback;
}

static void test_which_loops_are_callbacks(void)
{
    CHECK(!callback_for("BEGIN { for ($i : 0..5) { } }"));
    CHECK(!callback_for("BEGIN { for ($i : 10..110) { } }"));
    CHECK(!callback_for("BEGIN { for ($i : 5..2) { } }"));
    CHECK(callback_for("BEGIN { for ($i : 10..111) { } }"));
    CHECK(callback_for("BEGIN { for ($i : 0..100000) { } }"));
    CHECK(callback_for("BEGIN { $n = 3; for ($i : 0..$n) { } }"));
    CHECK(callback_for("BEGIN { @n = 3; for ($i : 1..@n) { } }"));
    CHECK(callback_for("BEGIN { for ($i : 0..(uint64)rand) { } }"));
}

static void test_callback_bodies(void)
{
    /* A short constant range keeps the probe's context in its body. */
    accepts("interval:s:1 { for ($i : 0..3) { @[kstack] = count(); } }");
    accepts("BEGIN { $n = 3; $s = \"a\"; for ($i : 0..$n) { if ($i == 1) { continue; } "
            "if ($i == 2) { break; } $s = \"b\"; return; } }");
    rejects("interval:s:1 { $n = 3; for ($i : 0..$n) { @[kstack] = count(); } }", 45,
            "kstack cannot be used in a for loop whose range is not a constant");
    rejects("interval:s:1 { for ($i : 0..1000) { @[kstack] = count(); } }", 39,
            "kstack cannot be used in a for loop whose range is not a constant");
    rejects("fn f($n: int64): int64 { for ($i : 0..$n) { if ($i == 3) { return $i; } } return 0; }"
            " BEGIN { @ = f(10); }",
            60, "a fn cannot return from inside a for loop");
    accepts("fn f($n: int64): int64 { $r = 0; for ($i : 0..$n) { if ($i == 3) { $r = $i; break; } }"
            " return $r; } BEGIN { @ = f(10); }");
    /* The counter belongs to the body, as in a plain loop. */
    rejects("BEGIN { $n = 2; for ($i : 0..$n) { } @x = $i; }", 43, "$i is used before");
}

static bool has_callback(const char *source)
{
    struct compiled compiled;
    compile(&compiled, source);
    CHECK(compiled.status == 0);
    bool found = compiled.ir && strstr(compiled.ir, "@sonde_for_0(i64") != NULL;
    release_compiled(&compiled);
    return found;
}

static void test_codegen(void)
{
    CHECK(has_callback("BEGIN { $n = 3; $c = 0; for ($i : 0..$n) { $c += $i; } @c = $c; }"));
    CHECK(has_callback("BEGIN { $c = 0; for ($i : 0..1000) { $c += $i; } @c = $c; }"));
    CHECK(!has_callback("BEGIN { $c = 0; for ($i : 0..10) { $c += $i; } @c = $c; }"));
}

int main(void)
{
    test_which_loops_are_callbacks();
    test_callback_bodies();
    test_codegen();
    return TEST_DONE();
}
