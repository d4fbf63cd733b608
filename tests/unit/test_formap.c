/* for ($kv : @map), block values and casts to typedef names: how they parse,
 * what $kv's type is, which variables the loop body takes from the probe,
 * and the exact place and text of each error. BEGIN/END only: no kernel. */
#define SEMA_FIXTURE_CHECKS
#include "sema_fixture.h"

static const struct sema_options defaults = {.max_strlen = 64};

static void check_source(struct checked *out, const char *source)
{
    check_with(out, source, &defaults);
}

/* The first statement of the first variant's body with this kind. */
static struct ast_stmt *find_statement(struct checked *checked, enum ast_stmt_kind kind)
{
    struct ast_probe *probe = vec_get(&checked->program->probes, 0);
    struct ast_variant *variant = vec_get(&probe->variants, 0);
    struct vec *statements = &variant->body->block.statements;
    for (size_t i = 0; i < statements->count; i++) {
        struct ast_stmt *stmt = vec_get(statements, i);
        if (stmt->kind == kind)
            return stmt;
    }
    return NULL;
}

static void test_pair_types(void)
{
    struct checked checked;
    check_source(&checked, "BEGIN { @m[1, \"a\"] = \"v\"; for ($kv : @m) { $k = $kv.0.1; } }");
    CHECK(checked.status == 0);
    struct ast_stmt *loop = checked.status == 0 ? find_statement(&checked, STMT_FOR_MAP) : NULL;
    CHECK(loop != NULL);
    if (loop)
        CHECK_STR(type_name(&checked.arena, loop->for_map.variable->type),
                  "((int64, string[2]), string[2])");
    release(&checked);

    /* A count map's value is its total: an unsigned integer. */
    check_source(&checked, "BEGIN { @c[comm] = count(); for ($kv : @c) { $n = $kv.1; } }");
    loop = checked.status == 0 ? find_statement(&checked, STMT_FOR_MAP) : NULL;
    CHECK(loop != NULL);
    if (loop)
        CHECK_STR(type_name(&checked.arena, loop->for_map.variable->type), "(string[16], uint64)");
    release(&checked);
}

static void test_captures(void)
{
    struct checked checked;
    check_source(&checked, "BEGIN { $a = 1; $b = \"x\"; $unused = 2; @m[1] = 2;"
                           " for ($kv : @m) { $a += $kv.1; $local = $b; } }");
    CHECK(checked.status == 0);
    struct ast_stmt *loop = checked.status == 0 ? find_statement(&checked, STMT_FOR_MAP) : NULL;
    CHECK(loop && loop->for_map.captures.count == 2);
    if (loop && loop->for_map.captures.count == 2) {
        const struct sema_variable *first = vec_get(&loop->for_map.captures, 0);
        const struct sema_variable *second = vec_get(&loop->for_map.captures, 1);
        CHECK_STR(first->name, "a");
        CHECK_STR(second->name, "b");
    }
    release(&checked);
}

static void test_loops(void)
{
    accepts("BEGIN { @m[1] = 1; for ($kv : @m) { if ($kv.0 == 1) { break; } continue; } }");
    accepts("BEGIN { @m[1] = 1; for ($kv : @m) { return; } }");
    accepts(
        "BEGIN { @a[1] = 1; @b[2] = 2; for ($x : @a) { for ($y : @b) { @p[$x.0, $y.0] = 1; } } }");
    /* Assigned by a later probe: still typed, from the first pass. */
    accepts("END { for ($kv : @m) { printf(\"%d\\n\", $kv.1); } } BEGIN { @m[\"k\"] = 5; }");

    rejects("BEGIN { @m[1] = 1; for ($kv : @m[1]) { } }", 31,
            "a for loop goes over a map or a range");
    rejects("BEGIN { for ($kv : @zz) { } }", 20, "@zz is never assigned");
    rejects("BEGIN { @m = 1; for ($kv : @m) { } }", 28, "@m has none");
    rejects("BEGIN { @m[1] = avg(3); for ($kv : @m) { } }", 36, "cannot go over @m");
    rejects("BEGIN { @m[1] = hist(3); for ($kv : @m) { } }", 37, "cannot go over @m");
    rejects("BEGIN { @m[1] = 1; $kv = 1; for ($kv : @m) { } }", 34, "$kv is already declared");
    rejects("BEGIN { @m[1] = 1; for ($kv : @m) { $in = 1; } @x = $in; }", 53, "$in is used before");
    rejects("BEGIN { @m[1] = 1; for ($kv : @m) { } @x = $kv; }", 44, "$kv is used before");
    rejects("BEGIN { @m[1] = 1; for ($kv : @m) { @s = kstack; } }", 42,
            "kstack cannot be used in a for loop");
}

static void test_block_values(void)
{
    accepts("BEGIN { $x = { let $a = 1; $a + 1 }; @y = { $x * 2 }; let $z = { 5 }; }");
    accepts("BEGIN { $x = { let $a = { 1 }; $a }; }");
    rejects("BEGIN { $x = { let $a = 1; $a + 1; }; }", 14, "no value to assign");
    rejects("BEGIN { $x = { let $a = 1; $a }; @y = $a; }", 39, "$a is used before");
}

static void test_typedef_casts(void)
{
    /* `(name) operand` parses as a cast; `(name)` alone stays a value. */
    struct checked checked;
    check_source(&checked, "BEGIN { $a = (pid_t)1; $b = (size_t)-1; $c = (pid) - 1; $d = (pid); }");
    CHECK(checked.program != NULL);
    if (checked.program) {
        struct ast_probe *probe = vec_get(&checked.program->probes, 0);
        struct vec *statements = &probe->body->block.statements;
        enum ast_expr_kind expected[] = {EXPR_CAST, EXPR_CAST, EXPR_BINARY, EXPR_IDENTIFIER};
        for (size_t i = 0; i < 4 && i < statements->count; i++) {
            struct ast_stmt *stmt = vec_get(statements, i);
            CHECK(stmt->assign.value->kind == expected[i]);
        }
        struct ast_stmt *first = vec_get(statements, 0);
        CHECK_STR(first->assign.value->cast.type_text, "pid_t");
    }
    release(&checked);
}

int main(void)
{
    test_pair_types();
    test_captures();
    test_loops();
    test_block_values();
    test_typedef_casts();
    return TEST_DONE();
}
