/* `fn` subprograms: how they parse (signature, params as typed declarations,
 * `args.fn` still a field), and each rule of the type checker with the exact
 * place of its error. */
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

static void test_parse_signature(void)
{
    struct arena arena;
    struct diag diag;
    arena_init(&arena);
    const char *source = "fn add($a: int64, $s: string[8]): uint32 { return $a; }\n"
                         "fn hello() { printf(\"hi\\n\"); }\n"
                         "BEGIN { add(1, \"x\"); hello(); }";
    diag_init(&diag, "test.bt", source);
    struct ast_program *program = front_parse(source, &arena, &diag);
    CHECK(program != NULL);
    if (program) {
        CHECK(program->functions.count == 2);
        CHECK(program->probes.count == 1);
        struct ast_function *add = vec_get(&program->functions, 0);
        CHECK_STR(add->name, "add");
        CHECK(add->loc.line == 1 && add->loc.column == 4);
        CHECK_STR(add->return_type_text, "uint32");
        CHECK(add->params.count == 2);
        struct ast_stmt *second = vec_get(&add->params, 1);
        CHECK(second->kind == STMT_LET && second->let.value == NULL);
        CHECK_STR(second->let.variable->variable.name, "s");
        CHECK_STR(second->let.type_text, "string[8]");
        struct ast_function *hello = vec_get(&program->functions, 1);
        CHECK(hello->return_type_text == NULL && hello->params.count == 0);
    }
    diag_free(&diag);
    arena_free(&arena);
}

static void test_accepted(void)
{
    accepts("fn add($a: int64, $b: int64): int64 { return $a + $b; }\n"
            "BEGIN { printf(\"%d\\n\", add(1, 2)); }");
    /* `fn` stays an ordinary name inside bodies. */
    accepts("fn f(): int64 { return 1; } BEGIN { @fn = f(); $x = (1, 2); @y = $x.0 }");
    accepts("fn sign($x: int64): int64 { if ($x < 0) { return -1; } else { return 1; } }\n"
            "BEGIN { @s = sign(-3) }");
    accepts("fn g($s: string): string { return $s; } fn f(): string { return g(\"x\"); }\n"
            "BEGIN { printf(\"%s\\n\", f()); }");
    accepts("fn note($n: int64): void { @seen[$n] = count(); return; } BEGIN { note(1); }");
    accepts("fn mine(): uint32 { return pid + cpu; } BEGIN { @p = mine() }");
    accepts("fn id($x: int64): int64 { return $x; } BEGIN { @m[id(1)] = id(2); }");
    /* The '{' after a pointer return type opens the body, not a block value. */
    accepts("fn same($p: int64 *): int64 * { return $p; } BEGIN { $x = 1; @v = *same(&$x); }");
}

static void test_rejected(void)
{
    rejects("fn add($a: int64, $b: int64): int64 { return $a + $b; }\nBEGIN { add(1); }", 2, 9,
            "fn add takes 2 arguments, got 1");
    rejects("fn add($a: int64): int64 { return $a; }\nBEGIN { add(comm); }", 2, 13,
            "argument 1 of fn add ($a) must be int64, got string[16]");
    rejects("fn f($a: int64): int64 {\n  if ($a) { return 1; }\n}\nBEGIN { f(1); }", 1, 4,
            "not all code paths of fn f return a value");
    rejects("fn f(): int64 { return; } BEGIN { f(); }", 1, 17, "fn f must return int64");
    rejects("fn f(): void { return 1; } BEGIN { f(); }", 1, 23, "fn f returns void, not int64");
    rejects("fn f(): string { return 1; } BEGIN { f(); }", 1, 25, "fn f returns string[64]");
    rejects("fn f($n: int64): int64 { return f($n); } BEGIN { f(1); }", 1, 33,
            "fn f calls itself: recursion is not supported");
    rejects("fn f(): int64 { return g(); }\nfn g(): int64 { return f(); }\nBEGIN { f(); }", 1, 24,
            "fn f calls itself through fn g");
    rejects("fn average($a: int64): int64 { return $a; } BEGIN { averag(1); }", 1, 53,
            "unknown function 'averag'");
    rejects("fn f(): int64 { return retval; } BEGIN { f(); }", 1, 24,
            "'retval' cannot be used in fn f");
    rejects("fn f(): int64 { return arg0; } BEGIN { f(); }", 1, 24, "'arg0' cannot be used");
    rejects("fn f(): int64 { return $x; } BEGIN { $x = 1; f(); }", 1, 24,
            "variable $x is used before it is assigned");
    rejects("fn f(): void { } BEGIN { $x = f(); }", 1, 31, "no value to assign");
    rejects("fn f(): int64 { return 1; }\nfn f(): int64 { return 2; }\nBEGIN { f(); }", 2, 4,
            "fn f is already defined at line 1");
    rejects("fn f($a: no_such_t): int64 { return 1; } BEGIN { f(1); }", 1, 10, "no_such_t");
    rejects("fn f(): int64 { while (1) { } break; } BEGIN { f(); }", 1, 31, "break outside");
}

int main(void)
{
    test_parse_signature();
    test_accepted();
    test_rejected();
    return TEST_DONE();
}
