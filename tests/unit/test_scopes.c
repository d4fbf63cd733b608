/* Declarations, range loops and block scopes: `let`, `for ($i : a..b)`,
 * config entries and macros, checked through the parser, the macro pass and
 * the type checker, with the exact place and text of each error. Probes are
 * BEGIN/END so no kernel access is needed. */
#include "sema_fixture.h"

static const struct sema_options defaults = {.max_strlen = 64};

static void check_source(struct checked *out, const char *source)
{
    check_with(out, source, &defaults);
}

static void accepts(const char *source)
{
    expect_accepted(source, &defaults);
}

static void rejects(const char *source, int line, int column, const char *text)
{
    expect_error(source, &defaults, line, column, text);
}

static void test_let(void)
{
    accepts("BEGIN { let $x; $x = 5; printf(\"%d\\n\", $x); }");
    accepts("BEGIN { let $x = 1; $x += 2; }");
    accepts("BEGIN { let $s: string = \"abc\"; printf(\"%s\\n\", $s); }");
    accepts("BEGIN { let $s: string[8]; $s = \"abc\"; }");
    accepts("BEGIN { let $n: uint32 = 7; printf(\"%u\\n\", $n); }");
    rejects("BEGIN { let $x = 1; let $x = 2; }", 1, 25, "variable $x is already declared");
    rejects("BEGIN { $x = 1; if (1) { let $x = 2; } }", 1, 30, "already declared");
    rejects("BEGIN { let $n: uint32 = \"a\"; }", 1, 26, "cannot be assigned string");
    rejects("BEGIN { let $x; printf(\"%d\\n\", $x); }", 1, 32, "used before it is assigned");
}

static void test_block_scopes(void)
{
    /* A let variable ends with its block (a plain assignment in a block is
     * probe-wide for old scripts: see test_scoping.c)... */
    rejects("BEGIN { if (1) { let $a = 1; } printf(\"%d\\n\", $a); }", 1, 47,
            "$a is used before it is assigned");
    rejects("BEGIN { if (1) { let $a = 1; } $b = $a; }", 1, 37, "used before it is assigned");
    /* ...but one assigned before it is visible inside, and keeps its writes. */
    accepts("BEGIN { $a = 1; if (1) { $a = 2; } printf(\"%d\\n\", $a); }");
    /* Sibling blocks may each declare their own. */
    accepts("BEGIN { if (1) { let $t = 1; } else { let $t = \"x\"; } }");
}

static void test_for_range(void)
{
    accepts("BEGIN { for ($i : 0..5) { printf(\"%d\\n\", $i); } }");
    accepts("BEGIN { $n = 3; for ($i : 1..$n + 1) { if ($i == 2) { continue; } break; } }");
    rejects("BEGIN { for ($i : 0..3) { } printf(\"%d\\n\", $i); }", 1, 44,
            "used before it is assigned");
    rejects("BEGIN { $i = 0; for ($i : 0..3) { } }", 1, 22, "already declared");
    rejects("BEGIN { for ($i : 0..\"a\") { } }", 1, 22, "a range bound must be an integer");
    accepts("BEGIN { for ($i : 0..2) { } for ($i : 0..2) { } }");
}

static void test_config(void)
{
    struct checked checked;
    check_source(&checked, "config = { max_strlen = 16; BPFTRACE_MAX_MAP_KEYS = 10 }\n"
                           "BEGIN { exit(); }");
    CHECK(checked.status == 0);
    CHECK(checked.program && checked.program->config.count == 2);
    if (checked.program) {
        CHECK_STR(ast_config_setting(checked.program, "max_strlen"), "16");
        CHECK_STR(ast_config_setting(checked.program, "max_map_keys"), "10");
        CHECK(ast_config_setting(checked.program, "missing_probes") == NULL);
    }
    release(&checked);
    rejects("config = { max_strlen = 16; no_such_key = 1 }\nBEGIN { }", 1, 29,
            "unknown config key 'no_such_key'");
    rejects("config = { max_strlen = \"big\" }\nBEGIN { }", 1, 25, "needs a positive integer");
    accepts("config = { missing_probes = \"warn\" }\nBEGIN { }");
}

static void test_macros(void)
{
    accepts("macro add_one(x) { x + 1 }\nBEGIN { printf(\"%d\\n\", add_one(41)); }");
    /* $v by reference: the macro writes the caller's variable. */
    accepts("macro bump($v) { $v += 1; }\nBEGIN { $n = 1; bump($n); printf(\"%d\\n\", $n); }");
    accepts("macro hit(@m) { @m[1] = 1; }\nBEGIN { hit(@seen); }");
    /* Hygiene: the body cannot see the caller's variables. */
    rejects("macro leak() { $secret }\nBEGIN { $secret = 1; printf(\"%d\\n\", leak()); }", 1, 16,
            "used before it is assigned");
    /* Zero-argument macros may be called bare; overloads differ by arity. */
    accepts("macro answer() { 42 }\nmacro answer(x) { x }\n"
            "BEGIN { printf(\"%d %d\\n\", answer, answer(7)); }");
    rejects("macro a(x) { x }\nBEGIN { a(1, 2); }", 2, 9, "no macro a takes 2 arguments");
    rejects("macro f(x) { g(x) }\nmacro g(x) { f(x) }\nBEGIN { f(1); }", 2, 14,
            "macro f calls itself");
    rejects("macro m(@x) { @x = 1; }\nBEGIN { m(1); }", 2, 11, "expects a map for @x");
    rejects("macro m(x) { x }\nmacro m(y) { y }\nBEGIN { }", 2, 7, "already defined");
    /* A macro used twice gets two sets of private variables. */
    accepts("macro sq(x) { let $t = x; $t * $t }\nBEGIN { printf(\"%d\\n\", sq(2) + sq(3)); }");
    accepts("macro twice(x) { x * 2 }\nBEGIN { printf(\"%d\\n\", twice(twice(3))); }");
}

static void test_elvis(void)
{
    accepts("BEGIN { $x = 0; printf(\"%d\\n\", $x ?: 5); }");
    accepts("BEGIN { @a = 1; @b = @a ?: 2; }");
}

int main(void)
{
    test_let();
    test_block_scopes();
    test_for_range();
    test_config();
    test_macros();
    test_elvis();
    return TEST_DONE();
}
