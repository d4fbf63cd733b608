/* Variables of both dialects: a bpftrace 0.21 script that assigns $x inside an
 * if and reads it after the if keeps working (one slot, with a warning), while
 * `let`, loop counters, for-map bodies and fn bodies stay block-scoped as in
 * bpftrace 0.22+. Also the statement forms without parentheses
 * (`for $i : 0..n {`, `for $kv : @m {`) and the discard `_ = expr;`. */
#include "sema_fixture.h"

static const struct sema_options defaults = {.max_strlen = 64};

static void accepts(const char *source)
{
    expect_accepted(source, &defaults);
}

static void rejects(const char *source, int line, int column, const char *text)
{
    expect_error(source, &defaults, line, column, text);
}

static int count_warnings(const struct checked *checked, const char *text)
{
    int count = 0;
    for (size_t i = 0; i < checked->diag.entries.count; i++) {
        const struct diag_entry *entry = vec_get(&checked->diag.entries, i);
        if (entry->severity == DIAG_WARNING && strstr(entry->message, text))
            count++;
    }
    return count;
}

/* Accepted, with exactly `expected` warnings; the first is at line:column
 * and contains `text`. */
static void accepts_warning(const char *source, int expected, int line, int column,
                            const char *text)
{
    struct checked checked;
    check_with(&checked, source, &defaults);
    CHECK(checked.status == 0);
    int warnings = count_warnings(&checked, "");
    CHECK(warnings == expected);
    const struct diag_entry *first = NULL;
    for (size_t i = 0; i < checked.diag.entries.count && !first; i++) {
        const struct diag_entry *entry = vec_get(&checked.diag.entries, i);
        if (entry->severity == DIAG_WARNING)
            first = entry;
    }
    if (expected > 0) {
        CHECK(first && first->loc.line == line && first->loc.column == column);
        CHECK(first && strstr(first->message, text));
    }
    if (checked.status != 0 || warnings != expected ||
        (expected && (!first || first->loc.column != column))) {
        fprintf(stderr, "  %s\n", source);
        diag_print(&checked.diag, stderr);
    }
    release(&checked);
}

struct symbols {
    const char *name;
    const void *symbol;
    int count;
    bool shared;
};

static bool collect(struct ast_expr *expr, void *context)
{
    struct symbols *symbols = context;
    if (expr->kind != EXPR_VARIABLE || strcmp(expr->variable.name, symbols->name) != 0)
        return true;
    if (symbols->count++ == 0)
        symbols->symbol = expr->variable.symbol;
    else if (symbols->symbol != expr->variable.symbol)
        symbols->shared = false;
    return true;
}

/* Every $name of the first probe is one variable (one slot in codegen). */
static void expect_one_variable(const char *source, const char *name, int uses)
{
    struct checked checked;
    check_with(&checked, source, &defaults);
    CHECK(checked.status == 0);
    struct symbols symbols = {.name = name, .shared = true};
    if (checked.status == 0) {
        struct ast_probe *probe = vec_get(&checked.program->probes, 0);
        struct ast_variant *variant = vec_get(&probe->variants, 0);
        ast_walk_stmt(variant->body, collect, &symbols);
    }
    CHECK(symbols.count == uses);
    CHECK(symbols.shared && symbols.symbol);
    release(&checked);
}

static void test_old_scripts(void)
{
    /* tcpdrop.bt (bpftrace 0.17): both branches assign, the code after reads. */
    const char *tcpdrop = "BEGIN {\n"
                          "  $family = 2;\n"
                          "  if ($family == 2) {\n"
                          "    $daddr = \"a\";\n"
                          "  } else {\n"
                          "    $daddr = \"b\";\n"
                          "  }\n"
                          "  printf(\"%s\\n\", $daddr);\n"
                          "}";
    accepts_warning(tcpdrop, 1, 8, 18,
                    "$daddr is used after the block that assigns it (line 4) has ended");
    expect_one_variable(tcpdrop, "daddr", 3);
    /* Nested a level deeper, read in the enclosing block and in a sibling. */
    accepts_warning(
        "BEGIN { if (1) { if (pid) { $a = 1; } else { $a = 2; } } printf(\"%d\\n\", $a);"
        " if (1) { @x = $a; } }",
        1, 1, 73, "$a is used after the block");
    /* Never assigned on this path: it reads 0, but it is the same variable. */
    expect_one_variable("BEGIN { if (0) { $b = 5; } printf(\"%d\\n\", $b); }", "b", 2);
    /* Reads through ++, += and & count as reads. */
    accepts_warning("BEGIN { if (1) { $n = 1; } $n += 1; $n++; printf(\"%d\\n\", $n); }", 1, 1, 28,
                    "$n is used after the block");
    accepts_warning("BEGIN { if (1) { $n = 1; } $p = &$n; }", 1, 1, 34, "$n is used after");
    /* A plain assignment after the block goes on using the slot: no warning. */
    expect_one_variable("BEGIN { if (1) { $c = 1; } $c = 2; printf(\"%d\\n\", $c); }", "c", 3);
    accepts_warning("BEGIN { if (1) { $c = 1; } $c = 2; printf(\"%d\\n\", $c); }", 0, 0, 0, "");
    /* A longer string is a new variable (the branch's $s keeps its size). */
    expect_one_variable("BEGIN { if (1) { $s = comm; } else { $s = \"ab\"; } printf(\"%s\", $s); }",
                        "s", 3);
    /* One warning however many probes share the body. */
    accepts_warning("interval:s:1, interval:s:2 { if (1) { $v = 1; } @v = $v; }", 1, 1, 54,
                    "$v is used after");
}

static void test_new_dialect_kept(void)
{
    /* Siblings may hold different types as long as nothing reads after them... */
    accepts_warning("BEGIN { if (1) { $t = 1; } else { $t = \"x\"; } }", 0, 0, 0, "");
    /* ...a read after them cannot mean one of the two. */
    rejects("BEGIN { if (1) { $t = 1; } else { $t = \"x\"; } @x = $t; }", 1, 52,
            "$t is used after blocks that assign it different types");
    /* let, loop counters, for-map bodies and fn bodies keep block scope. */
    rejects("BEGIN { if (1) { let $a = 1; } printf(\"%d\\n\", $a); }", 1, 47,
            "variable $a is used before it is assigned");
    rejects("BEGIN { for ($i : 0..3) { } @x = $i; }", 1, 34, "used before it is assigned");
    rejects("BEGIN { @m[1] = 1; for ($kv : @m) { $in = 1; } @x = $in; }", 1, 53,
            "$in is used before it is assigned");
    rejects("BEGIN { @m[1] = 1; if (1) { $a = 1; } for ($kv : @m) { @x = $a; } }", 1, 61,
            "$a is used before it is assigned");
    rejects("fn f(): int64 { if (1) { $a = 1; } return $a; }\nBEGIN { @x = f(); }", 1, 43,
            "$a is used before it is assigned");
    rejects("BEGIN { $x = { $in = 1; $in }; let $y = 2; @x = $y; }\n"
            "fn g(): int64 { { $z = 1; } return $z; }",
            2, 36, "$z is used before it is assigned");
    /* Shadowing is still refused; a let after the block is a new variable. */
    rejects("BEGIN { $a = 1; if (1) { let $a = 2; } }", 1, 30, "already declared");
    accepts_warning("BEGIN { if (1) { $a = \"s\"; } let $a = 2; printf(\"%d\\n\", $a); }", 0, 0, 0,
                    "");
    /* The old rule needs a block that has ended: a plain typo is still an error. */
    rejects("BEGIN { $abc = 1; @x = $abd; }", 1, 24, "variable $abd is used before");
}

static void test_statement_forms(void)
{
    accepts("BEGIN { for $i : 0..5 { printf(\"%d\\n\", $i); } }");
    accepts("BEGIN { $n = 3; for $j : ((uint64)0)..((uint64)$n) { if ($j == 1) { continue; } } }");
    accepts("BEGIN { @m[1] = 2; for $kv : @m { printf(\"%d %d\\n\", $kv.0, $kv.1); } }");
    accepts("BEGIN { for ($i : 0..5) { } for ($i : 0..5) { } for $i : 0..5 { } }");
    rejects("BEGIN { for $kv : 5 { } }", 1, 19, "a for loop goes over a map or a range");
    rejects("BEGIN { for $i : 0..3 printf(\"x\"); }", 1, 23, "expecting '{'");
    rejects("BEGIN { for $i : 0..3 { } @x = $i; }", 1, 32, "used before it is assigned");
    accepts("BEGIN { $i = 0; while $i < 3 { $i++; } unroll 2 { $i++; } if $i > 4 { exit(); } }");
    /* `_ = expr;` evaluates and drops the value; `_` is no variable. */
    accepts("BEGIN { @a[1] = 1; _ = has_key(@a, 1); _ = 5; }");
    rejects("BEGIN { _ += 1; }", 1, 9, "cannot assign to this expression");

    struct checked checked;
    check_with(&checked, "BEGIN { for $i : 0..2 { } @m[1] = 1; for $kv : @m { } _ = 1; }",
               &defaults);
    CHECK(checked.status == 0);
    if (checked.status == 0) {
        struct ast_probe *probe = vec_get(&checked.program->probes, 0);
        struct vec *statements = &probe->body->block.statements;
        CHECK(statements->count == 4);
        if (statements->count == 4) {
            CHECK(((struct ast_stmt *)vec_get(statements, 0))->kind == STMT_FOR);
            CHECK(((struct ast_stmt *)vec_get(statements, 2))->kind == STMT_FOR_MAP);
            CHECK(((struct ast_stmt *)vec_get(statements, 3))->kind == STMT_EXPR);
        }
    }
    release(&checked);
}

/* A failed assignment already says what is wrong: reading the variable later
 * adds no "used before it is assigned" (loads.bt on a kernel without the
 * symbol it reads). */
static void test_one_error_per_mistake(void)
{
    struct checked checked;
    check_with(&checked, "BEGIN { $a = no_such_function(); $b = $a + 1; @x = $b; @y = $a; }",
               &defaults);
    CHECK(checked.status != 0);
    CHECK(checked.diag.error_count == 1);
    const struct diag_entry *error = first_error(&checked);
    CHECK(error && error->loc.column == 14);
    if (checked.diag.error_count != 1)
        diag_print(&checked.diag, stderr);
    release(&checked);
    /* A name that was never assigned at all is still reported. */
    check_with(&checked, "BEGIN { $a = no_such_function(); @x = $b; }", &defaults);
    CHECK(checked.diag.error_count == 2);
    const struct diag_entry *last = vec_get(&checked.diag.entries, checked.diag.entries.count - 1);
    CHECK(strstr(last->message, "variable $b is used before it is assigned"));
    release(&checked);
}

/* bpftrace reads a `let $x;` before its first assignment as 0, with a warning. */
static void test_let_read_early(void)
{
    accepts_warning("BEGIN { let $x: int32; printf(\"%d\\n\", $x); }", 1, 1, 39,
                    "$x is read before it is assigned");
    /* The type comes from the assignment further on. */
    accepts_warning("BEGIN { let $a; printf(\"%d\\n\", $a); $a = 7; printf(\"%d\\n\", $a); }", 1, 1,
                    32, "$a is read before it is assigned");
    accepts_warning("BEGIN { let $s; printf(\"%s\\n\", $s); $s = \"hi\"; }", 1, 1, 32,
                    "$s is read before it is assigned");
    /* Assigned first, or only its address or size taken: no warning. */
    accepts_warning("BEGIN { let $x; $x = 1; printf(\"%d\\n\", $x); }", 0, 0, 0, "");
    accepts_warning("BEGIN { let $x; $x += 1; printf(\"%d\\n\", $x); }", 0, 0, 0, "");
    accepts_warning("BEGIN { let $x; $p = &$x; @s = sizeof($x); $x = 1; }", 0, 0, 0, "");
    /* One warning however many probes share the body. */
    accepts_warning("interval:s:1, interval:s:2 { let $n: int64; @n = $n; }", 1, 1, 50,
                    "$n is read before");
    /* Nothing ever assigned: there is no type to read it as. */
    rejects("BEGIN { let $x; printf(\"%d\\n\", $x); }", 1, 32,
            "variable $x is used before it is assigned");
}

int main(void)
{
    test_old_scripts();
    test_new_dialect_kept();
    test_statement_forms();
    test_one_error_per_mistake();
    test_let_read_early();
    return TEST_DONE();
}
