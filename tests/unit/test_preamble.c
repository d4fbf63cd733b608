/* The C preamble: #include, #define, #ifdef and struct/union/enum/typedef
 * definitions at the top of a script become program->c_definitions in the
 * shape the type builders expect, and the probes after them keep their exact
 * line and column. Every bpftrace tool Debian ships parses. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/parse.h"
#include "front/preamble_expr.h"
#include "test.h"
#include "types/cdefs.h"

static struct arena arena;
static struct diag diag;

static struct ast_program *parse(const char *source)
{
    diag_free(&diag);
    diag_init(&diag, "test", source);
    return front_parse(source, &arena, &diag);
}

static const struct ast_c_definition *definition_at(const struct ast_program *program, size_t i)
{
    return i < program->c_definitions.count ? vec_get(&program->c_definitions, i) : NULL;
}

static const struct ast_c_field *field_at(const struct ast_c_definition *definition, size_t i)
{
    return vec_get(&definition->fields, i);
}

static const struct diag_entry *first_error(void)
{
    return diag.entries.count ? vec_get(&diag.entries, 0) : NULL;
}

static void test_struct_fields_have_normalized_types(void)
{
    struct ast_program *program = parse("struct conn {\n"
                                        "    struct sock *sk;\n"
                                        "    long unsigned int bytes, *counts;\n"
                                        "    char name[16];\n"
                                        "    unsigned flags : 3;\n"
                                        "    const char **argv;\n"
                                        "};\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    const struct ast_c_definition *conn = definition_at(program, 0);
    CHECK(conn->kind == C_STRUCT);
    CHECK_STR(conn->name, "conn");
    CHECK(conn->fields.count == 6);
    CHECK_STR(field_at(conn, 0)->type_text, "struct sock *");
    CHECK_STR(field_at(conn, 0)->name, "sk");
    CHECK(field_at(conn, 0)->loc.line == 2 && field_at(conn, 0)->loc.column == 18);
    CHECK_STR(field_at(conn, 1)->type_text, "unsigned long");
    CHECK_STR(field_at(conn, 2)->type_text, "unsigned long *");
    CHECK_STR(field_at(conn, 2)->name, "counts");
    CHECK_STR(field_at(conn, 3)->type_text, "char");
    CHECK(field_at(conn, 3)->array_length == 16 && field_at(conn, 3)->bit_width == -1);
    CHECK_STR(field_at(conn, 4)->type_text, "unsigned int");
    CHECK(field_at(conn, 4)->bit_width == 3);
    CHECK_STR(field_at(conn, 5)->type_text, "char **");
    struct ast_probe *probe = vec_get(&program->probes, 0);
    CHECK(probe->loc.line == 8 && probe->loc.column == 1);
}

static void test_union_enum_typedef_define_include(void)
{
    struct ast_program *program =
        parse("#include <linux/blkdev.h>\n" /* a header with no known constants */
              "#define LIMIT 100\n"
              "union value { int i; char c[4]; };\n"
              "enum color { RED, GREEN = 4, BLUE, MIX = GREEN | 1 << 4 };\n"
              "typedef unsigned int u32_t;\n"
              "typedef struct pair { int a; int b; } pair_t;\n"
              "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(program->c_definitions.count == 7);
    CHECK(definition_at(program, 0)->kind == C_INCLUDE);
    CHECK_STR(definition_at(program, 0)->name, "<linux/blkdev.h>");
    const struct ast_c_definition *limit = definition_at(program, 1);
    CHECK(limit->kind == C_DEFINE);
    CHECK_STR(limit->name, "LIMIT");
    CHECK_STR(limit->define_value, "100");
    CHECK(definition_at(program, 2)->kind == C_UNION);
    CHECK(field_at(definition_at(program, 2), 1)->array_length == 4);
    const struct ast_c_definition *color = definition_at(program, 3);
    CHECK(color->kind == C_ENUM && color->enumerators.count == 4);
    const struct ast_c_enumerator *blue = vec_get(&color->enumerators, 2);
    const struct ast_c_enumerator *mix = vec_get(&color->enumerators, 3);
    CHECK_STR(blue->name, "BLUE");
    CHECK(blue->value == 5);
    CHECK(mix->value == (4 | 1 << 4));
    CHECK(definition_at(program, 4)->kind == C_TYPEDEF);
    CHECK_STR(definition_at(program, 4)->typedef_target, "unsigned int");
    CHECK(definition_at(program, 5)->kind == C_STRUCT);
    CHECK_STR(definition_at(program, 5)->name, "pair");
    CHECK_STR(definition_at(program, 6)->name, "pair_t");
    CHECK_STR(definition_at(program, 6)->typedef_target, "struct pair");
}

static void test_conditionals(void)
{
    struct ast_program *program = parse("#ifndef BPFTRACE_HAVE_BTF\n"
                                        "#include <linux/sched.h>\n"
                                        "struct hidden { int x; };\n"
                                        "#else\n"
                                        "#define SEEN 1\n"
                                        "#endif\n"
                                        "#ifdef SEEN\n"
                                        "#define ALSO 2 // a comment\n"
                                        "#endif\n"
                                        "/* before the probes */ BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(program->c_definitions.count == 2);
    CHECK_STR(definition_at(program, 0)->name, "SEEN");
    CHECK_STR(definition_at(program, 1)->define_value, "2");
    struct ast_probe *probe = vec_get(&program->probes, 0);
    CHECK(probe->loc.line == 10 && probe->loc.column == 25);
}

static void test_known_header_constants(void)
{
    struct ast_program *program = parse("#include <sys/socket.h>\nBEGIN { exit(); }");
    CHECK(program != NULL);
    bool found = false;
    for (size_t i = 0; program && i < program->c_definitions.count; i++) {
        const struct ast_c_definition *d = definition_at(program, i);
        if (d->kind == C_DEFINE && strcmp(d->name, "AF_INET6") == 0)
            found = strcmp(d->define_value, "10") == 0;
    }
    CHECK(found);
}

static void test_typedef_names_cast(void)
{
    struct ast_program *program =
        parse("typedef int my_pid;\nBEGIN { $p = (my_pid)5; let $q: my_pid = 1; }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = vec_get(&program->probes, 0);
    struct ast_stmt *assign = vec_get(&probe->body->block.statements, 0);
    CHECK(assign->assign.value->kind == EXPR_CAST);
    CHECK_STR(assign->assign.value->cast.type_text, "my_pid");
}

static void check_error(const char *source, int line, int column, const char *message)
{
    CHECK(parse(source) == NULL);
    const struct diag_entry *error = first_error();
    CHECK(error != NULL);
    if (!error)
        return;
    if (error->loc.line != line || error->loc.column != column || !strstr(error->message, message))
        fprintf(stderr, "  got %d:%d %s\n", error->loc.line, error->loc.column, error->message);
    CHECK(error->loc.line == line && error->loc.column == column);
    CHECK(strstr(error->message, message) != NULL);
}

static void test_errors_point_into_the_preamble(void)
{
    check_error("#ifdef X\nstruct a { int b; };\nBEGIN {}", 1, 1, "never closed with #endif");
    check_error("#include \"mine.h\"\nBEGIN {}", 1, 1, "local header");
    check_error("#endif\nBEGIN {}", 1, 1, "no matching");
    check_error("struct a { int b }\nBEGIN {}", 1, 18, "expected ';'");
    check_error("struct a { void (*f)(int); };", 1, 17, "function pointers");
    check_error("BEGIN { exit(); }\n#include <linux/fs.h>\n", 2, 1, "before the probes");
    check_error("BEGIN { exit(); }\nstruct a { int b; };\n", 2, 1, "before the probes");
    check_error("#define A 1\nBEGIN { $x = ; }", 2, 14, "unexpected ';'");
}

/* ---- #if expressions: the evaluator on its own ---------------------------- */

static const char *test_macro(void *context, const char *name)
{
    (void)context;
    static const char *const table[][2] = {
        {"A", "3"},       {"B", "A + 1"},       {"SELF", "SELF + 1"}, {"EMPTY", ""},
        {"PING", "PONG"}, {"PONG", "PING * 2"}, {NULL, NULL},
    };
    for (size_t i = 0; table[i][0]; i++)
        if (strcmp(table[i][0], name) == 0)
            return table[i][1];
    return NULL;
}

static bool test_enumerator(void *context, const char *name, int64_t *value)
{
    (void)context;
    *value = 40;
    return strcmp(name, "RED") == 0;
}

static bool evaluate(const char *text, bool in_directive, int64_t *value)
{
    diag_free(&diag);
    diag_init(&diag, "test", text);
    struct front_pp_names names = {test_macro, in_directive ? NULL : test_enumerator, NULL,
                                   in_directive};
    return front_pp_evaluate_text(&arena, &diag, text, (struct srcloc){1, 1, 1}, &names, value);
}

static void check_value(const char *text, int64_t expected)
{
    int64_t value = 0;
    bool ok = evaluate(text, true, &value);
    if (!ok || value != expected)
        fprintf(stderr, "  #if %s: got %s %lld, expected %lld\n", text, ok ? "" : "an error",
                (long long)value, (long long)expected);
    CHECK(ok && value == expected);
}

static void test_if_operators(void)
{
    check_value("1 + 2 * 3", 7);
    check_value("(1 + 2) * 3", 9);
    check_value("1 - 2 - 3", -4); /* left to right */
    check_value("7 / 2", 3);
    check_value("-7 / 2", -3);
    check_value("7 % 3", 1);
    check_value("-7 % 3", -1);
    check_value("1 << 4", 16);
    check_value("256 >> 4", 16);
    check_value("-16 >> 2", -4);
    check_value("1 << -1", 0); /* cpp shifts the other way */
    check_value("1 << 64", 0);
    check_value("2 < 3", 1);
    check_value("3 <= 3", 1);
    check_value("3 > 4", 0);
    check_value("4 >= 5", 0);
    check_value("3 == 3", 1);
    check_value("3 != 3", 0);
    check_value("6 & 3", 2);
    check_value("6 ^ 3", 5);
    check_value("6 | 3", 7);
    check_value("2 && 3", 1);
    check_value("1 && 0", 0);
    check_value("0 || 2", 1);
    check_value("0 || 0", 0);
    check_value("!0", 1);
    check_value("!5", 0);
    check_value("~0", -1);
    check_value("-(3)", -3);
    check_value("+4", 4);
    check_value("- -4", 4);
    check_value("1 ? 2 : 3", 2);
    check_value("0 ? 2 : 0 ? 3 : 4", 4);
}

static void test_if_literals(void)
{
    check_value("0x1F", 31);
    check_value("0X1f", 31);
    check_value("017", 15);
    check_value("0", 0);
    check_value("0b101", 5);
    check_value("10U + 10L + 10UL + 10lu + 10LL + 10ull + 10LLU", 70);
    check_value("'a'", 97);
    check_value("'\\n'", 10);
    check_value("'\\x41'", 65);
    check_value("'\\101'", 65);
    check_value("'\\0'", 0);
    check_value("'\\''", 39);
    check_value("'\\xff'", -1); /* char is signed */
    /* unsigned wins in mixed arithmetic, as C's usual conversions say */
    check_value("-1 < 0", 1);
    check_value("-1 < 0u", 0);
    check_value("-1 > 0u", 1);
    check_value("0xffffffffffffffff == -1", 1);
    check_value("0xffffffffffffffff > 0", 1); /* too big for signed: unsigned */
    check_value("18446744073709551615 > 0", 1);
    check_value("(0 ? 1u : -1) > 0", 1);
    check_value("-9223372036854775807 - 1 < 0", 1);
}

static void test_if_precedence_and_names(void)
{
    check_value("1 | 2 ^ 3 & 4", 3);
    check_value("1 + 2 << 1", 6);
    check_value("1 < 2 == 1", 1);
    check_value("2 + 3 == 5 && 1", 1);
    check_value("1 || 0 && 0", 1);
    check_value("0 && 0 || 1", 1);
    check_value("1 ? 0 : 1 ? 2 : 3", 0);
    check_value("-2 * -3 + ~1 * !0", 4);
    check_value("defined(A) && defined A && !defined(NOPE) && !defined NOPE", 1);
    check_value("defined EMPTY", 1);
    check_value("A * 2", 6);
    check_value("B * 2", 5); /* B is A + 1, replaced as text as cpp does: 3 + 1 * 2 */
    check_value("UNKNOWN", 0);
    check_value("UNKNOWN + 1", 1);
    check_value("SELF", 1); /* not replaced inside itself: SELF + 1 with SELF = 0 */
    check_value("PING", 0); /* PONG -> PING * 2 -> 0 * 2 */
    check_value("EMPTY 5", 5);
    /* operands not evaluated cannot fail, as in cpp */
    check_value("0 && 1 / 0", 0);
    check_value("1 || 1 % 0", 1);
    check_value("1 ? 5 : 1 / 0", 5);
    check_value("0 ? 1 / 0 : 6", 6);
    int64_t value = 0;
    CHECK(evaluate("RED + 2", false, &value) && value == 42); /* an enumerator */
}

static void check_if_error(const char *text, bool in_directive, int column, const char *message)
{
    int64_t value;
    CHECK(!evaluate(text, in_directive, &value));
    const struct diag_entry *error = first_error();
    CHECK(error != NULL);
    if (!error)
        return;
    if (error->loc.column != column || !strstr(error->message, message))
        fprintf(stderr, "  %s: got %d %s\n", text, error->loc.column, error->message);
    CHECK(error->loc.line == 1 && error->loc.column == column);
    CHECK(strstr(error->message, message) != NULL);
}

static void test_if_errors(void)
{
    check_if_error("1 / 0", true, 3, "division by zero");
    check_if_error("4 % (A - 3)", true, 3, "division by zero");
    check_if_error("(1 + 2", true, 7, "expected ')'");
    check_if_error("1 +", true, 4, "expected a value");
    check_if_error("1 2", true, 3, "expected an operator before '2'");
    check_if_error("1 = 2", true, 3, "unexpected '='");
    check_if_error("* 2", true, 1, "expected a value, found '*'");
    check_if_error("1 ? 2", true, 6, "expected ':'");
    check_if_error("1.5", true, 1, "floating constant");
    check_if_error("08", true, 1, "invalid digit '8'");
    check_if_error("12abc", true, 1, "invalid suffix");
    check_if_error("1lL", true, 1, "invalid suffix");
    check_if_error("99999999999999999999", true, 1, "does not fit in 64 bits");
    check_if_error("''", true, 1, "empty character constant");
    check_if_error("'ab'", true, 1, "multi-character");
    check_if_error("\"s\"", true, 1, "string");
    check_if_error("defined", true, 1, "macro name after 'defined'");
    check_if_error("defined(A", true, 9, "expected ')'");
    check_if_error("1 + RED + NOPE", false, 11, "'NOPE' is not a constant");
    check_if_error("", true, 1, "expected a value");
}

/* ---- #if, #elif and #define in scripts ------------------------------------ */

static const char *define_value(const struct ast_program *program, const char *name)
{
    const char *value = NULL;
    for (size_t i = 0; program && i < program->c_definitions.count; i++) {
        const struct ast_c_definition *d = definition_at(program, i);
        if (d->kind == C_DEFINE && strcmp(d->name, name) == 0)
            value = d->define_value;
    }
    return value;
}

static void test_if_elif_chains_nest(void)
{
    struct ast_program *program =
        parse("#define FOO 1\n"
              "#ifdef FOO\n"
              "#define BAR 5\n"
              "#endif\n"
              "#if BAR > 4\n"
              "#define BAZ 9\n"
              "#endif\n"
              "#if BAR == 1\n"
              "#define PICK 1\n"
              "#elif BAR == 5 && defined(BAZ)\n"
              "#  if BAZ < 9\n"
              "#    define PICK 2\n"
              "#  elif BAZ == 9\n"
              "#    define PICK 3\n"
              "#  else\n"
              "#    define PICK 4\n"
              "#  endif\n"
              "#elif 1 / 0\n" /* a branch was taken: not evaluated */
              "#define PICK 5\n"
              "#else\n"
              "#define PICK 6\n"
              "#endif\n"
              "#if 0\n"
              "#if 1 / 0 garbage (\n" /* a group not taken: not evaluated */
              "#elif also garbage\n"
              "#endif\n"
              "#elif !defined NOPE\n"
              "#define LAST 7\n"
              "#endif\n"
              "BEGIN { exit(); }");
    CHECK(program != NULL);
    CHECK_STR(define_value(program, "BAZ"), "9");
    CHECK_STR(define_value(program, "PICK"), "3");
    CHECK_STR(define_value(program, "LAST"), "7");
}

static void test_define_values_and_undef(void)
{
    struct ast_program *program = parse("#define N 4\n"
                                        "#define MASK (N << 4 | 0x3)\n"
                                        "#define NAME \"text\"\n"
                                        "#define GONE 1\n"
                                        "#undef GONE\n"
                                        "#ifdef GONE\n"
                                        "#error not reached\n"
                                        "#endif\n"
                                        "struct s { char a[N * 2]; unsigned b : N - 1; };\n"
                                        "enum e { X = N << 1, Y, Z = MASK + Y };\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK_STR(define_value(program, "MASK"), "67");
    CHECK_STR(define_value(program, "NAME"), "\"text\"");
    CHECK(define_value(program, "GONE") == NULL);
    const struct ast_c_definition *s = NULL, *e = NULL;
    for (size_t i = 0; i < program->c_definitions.count; i++) {
        const struct ast_c_definition *d = definition_at(program, i);
        s = d->kind == C_STRUCT ? d : s;
        e = d->kind == C_ENUM ? d : e;
    }
    CHECK(s && field_at(s, 0)->array_length == 8 && field_at(s, 1)->bit_width == 3);
    CHECK(e && ((const struct ast_c_enumerator *)vec_get(&e->enumerators, 2))->value == 76);
}

/* ---- #defines that are no integer: the probes' macros --------------------- */

static const struct ast_macro *macro_named(const struct ast_program *program, const char *name)
{
    const struct ast_macro *found = NULL;
    for (size_t i = 0; program && i < program->macros.count; i++) {
        const struct ast_macro *macro = vec_get(&program->macros, i);
        if (strcmp(macro->name, name) == 0)
            found = macro;
    }
    return found;
}

/* `#define MAX(a, b) ...` is read as `macro MAX(a, b) { ... }`, each token
 * where the script has it; an integer #define stays a constant. */
static void test_defines_become_macros(void)
{
    struct ast_program *program = parse("#define GREETING \"hello\"\n"
                                        "#define MYPID pid\n"
                                        "#define TASK ((struct task_struct *)curtask)\n"
                                        "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n"
                                        "#define NS_TO_MS(x) \\\n"
                                        "    ((x) / 1000000) // ns\n"
                                        "#define N 4\n"
                                        "#define SIZE sizeof(struct point)\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(program->macros.count == 6);
    const struct ast_macro *greeting = macro_named(program, "GREETING");
    CHECK(greeting && greeting->params.count == 0 && greeting->value &&
          greeting->value->kind == EXPR_STRING);
    CHECK(greeting && greeting->loc.line == 1 && greeting->loc.column == 9);
    CHECK(greeting && greeting->value && greeting->value->loc.column == 18);
    const struct ast_macro *mypid = macro_named(program, "MYPID");
    CHECK(mypid && mypid->value && mypid->value->kind == EXPR_IDENTIFIER);
    const struct ast_macro *task = macro_named(program, "TASK");
    CHECK(task && task->value && task->value->kind == EXPR_CAST);
    const struct ast_macro *max = macro_named(program, "MAX");
    CHECK(max && max->params.count == 2 && max->value && max->value->kind == EXPR_TERNARY);
    const struct ast_macro *ms = macro_named(program, "NS_TO_MS");
    CHECK(ms && ms->params.count == 1 && ms->value && ms->value->loc.line == 6 &&
          ms->value->loc.column == 6); /* `(x) / 1000000` inside the parentheses */
    CHECK(macro_named(program, "SIZE") != NULL);
    CHECK(macro_named(program, "N") == NULL);
    CHECK_STR(define_value(program, "N"), "4");
    CHECK(define_value(program, "MAX") == NULL);
}

/* The last #define of a name wins and #undef forgets it, for macros too. */
static void test_define_macros_redefined_and_undefined(void)
{
    struct ast_program *program = parse("#define TEXT \"a\"\n"
                                        "#define TEXT \"b\"\n"
                                        "#define GONE(x) (x)\n"
                                        "#undef GONE\n"
                                        "#define N 1\n"
                                        "#define N(x) ((x) + 1)\n"
                                        "#define TYPE unsigned long\n"
                                        "#define EMPTY\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    const struct ast_macro *text = macro_named(program, "TEXT");
    CHECK(program->macros.count == 2);
    CHECK(text && text->value && text->value->kind == EXPR_STRING &&
          strcmp(text->value->string.bytes, "b") == 0);
    CHECK(macro_named(program, "GONE") == NULL);
    const struct ast_macro *n = macro_named(program, "N");
    CHECK(n && n->params.count == 1);
    CHECK(define_value(program, "N") == NULL); /* no constant: N(x) replaced it */
    /* C-only text the probes may never use: kept as text, no error */
    CHECK(macro_named(program, "TYPE") == NULL);
    CHECK_STR(define_value(program, "TYPE"), "unsigned long");
    CHECK(macro_named(program, "EMPTY") == NULL);
}

/* cpp replaces function-like macros in #if, enum values and array sizes. */
static void test_function_like_in_constants(void)
{
    struct ast_program *program = parse("#define MAX(a, b) ((a) > (b) ? (a) : (b))\n"
                                        "#define SQ(x) ((x) * (x))\n"
                                        "#define AREA SQ(3)\n"
                                        "#define NEST MAX(SQ(2), (3))\n"
                                        "#if MAX(2, 5) == 5 && defined(SQ) && defined SQ\n"
                                        "#define PICK 1\n"
                                        "#else\n"
                                        "#define PICK 0\n"
                                        "#endif\n"
                                        "#if SQ\n"
                                        "#error SQ without arguments is no call: 0\n"
                                        "#endif\n"
                                        "enum e { A = SQ(4) };\n"
                                        "struct s { char b[MAX(2, 8)]; };\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK_STR(define_value(program, "PICK"), "1");
    CHECK_STR(define_value(program, "AREA"), "9");
    CHECK_STR(define_value(program, "NEST"), "4");
    CHECK(macro_named(program, "AREA") == NULL);
    const struct ast_c_definition *e = NULL, *st = NULL;
    for (size_t i = 0; i < program->c_definitions.count; i++) {
        const struct ast_c_definition *d = definition_at(program, i);
        e = d->kind == C_ENUM ? d : e;
        st = d->kind == C_STRUCT ? d : st;
    }
    CHECK(e && ((const struct ast_c_enumerator *)vec_get(&e->enumerators, 0))->value == 16);
    CHECK(st && field_at(st, 0)->array_length == 8);
}

static const struct ast_c_definition *last_of_kind(const struct ast_program *program,
                                                   enum ast_c_kind kind)
{
    const struct ast_c_definition *found = NULL;
    for (size_t i = 0; i < program->c_definitions.count; i++)
        if (definition_at(program, i)->kind == kind)
            found = definition_at(program, i);
    return found;
}

/* cpp rescans a replacement together with what follows it: after
 * `#define G F`, `G(2)` is `F(2)`, in #if, enum values and #defines alike,
 * through chains and through a function-like macro that yields a name. */
static void test_define_naming_a_function_like_one_in_constants(void)
{
    struct ast_program *program = parse("#define F(x) ((x) + 1)\n"
                                        "#define G F\n"
                                        "#define H G\n"
                                        "#define PICK_F(x) F\n"
                                        "#if G(2) == 3 && H(5) == 6 && PICK_F(0)(9) == 10\n"
                                        "#define OK 1\n"
                                        "#else\n"
                                        "#define OK 0\n"
                                        "#endif\n"
                                        "#define K H(4) * 2\n"
                                        "enum e { A = G(7) };\n"
                                        "struct s { char b[H(1)]; };\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    const struct ast_c_definition *e = last_of_kind(program, C_ENUM);
    CHECK(e && ((const struct ast_c_enumerator *)vec_get(&e->enumerators, 0))->value == 8);
    CHECK_STR(define_value(program, "OK"), "1");
    CHECK_STR(define_value(program, "K"), "10");
    const struct ast_c_definition *st = last_of_kind(program, C_STRUCT);
    CHECK(st && field_at(st, 0)->array_length == 2);
}

/* ... and in the probes: `G(2)` calls F's macro, as cpp's `F(2)` would. */
static void test_define_naming_a_function_like_one_in_probes(void)
{
    struct ast_program *program = parse("#define F(x) ((x) + 1)\n"
                                        "#define G F\n"
                                        "#define H G\n"
                                        "BEGIN { $a = G(2); $b = H(G(5)); exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(ast_expand_macros(program, &arena, &diag) == 0);
    CHECK(diag.error_count == 0);
    const struct ast_probe *probe = vec_get(&program->probes, 0);
    const struct ast_stmt *a = vec_get(&probe->body->block.statements, 0);
    const struct ast_stmt *b = vec_get(&probe->body->block.statements, 1);
    CHECK(a->kind == STMT_ASSIGN && b->kind == STMT_ASSIGN);
    const struct ast_expr *g = a->assign.value; /* ((2) + 1) */
    CHECK(g->kind == EXPR_BINARY && g->binary.op == OP_ADD);
    if (g->kind != EXPR_BINARY)
        return;
    CHECK(g->binary.left->kind == EXPR_INTEGER && g->binary.left->integer.value == 2);
    CHECK(g->binary.right->kind == EXPR_INTEGER && g->binary.right->integer.value == 1);
    const struct ast_expr *h = b->assign.value; /* (((5) + 1) + 1) */
    CHECK(h->kind == EXPR_BINARY && h->binary.left->kind == EXPR_BINARY);
    if (h->kind != EXPR_BINARY || h->binary.left->kind != EXPR_BINARY)
        return;
    CHECK(h->binary.left->binary.left->kind == EXPR_INTEGER &&
          h->binary.left->binary.left->integer.value == 5);
}

/* C-isms a macro cannot hold: an error that names the #define, at the place. */
static void test_define_macro_errors(void)
{
    check_error("#define LOG(x) do { x; } while (0)\nBEGIN {}", 1, 19,
                "#define LOG is not an expression sonde can read: unexpected '{'");
    check_error("#define CAT(a, b) a ## b\nBEGIN {}", 1, 21, "#define CAT: token pasting (##)");
    check_error("#define STR(x) #x\nBEGIN {}", 1, 16, "#define STR: stringification (#)");
    check_error("#define JOIN a ## b\nBEGIN {}", 1, 16, "token pasting");
    check_error("#define P(fmt, ...) printf(fmt)\nBEGIN {}", 1, 16,
                "#define P: variadic macros are not supported");
    check_error("#define ADD(a, b) ((a) +\nBEGIN {}", 1, 9,
                "#define ADD ends before its expression does");
    check_error("#define FIELD(p, f) ((p)->f)\nBEGIN {}", 1, 27,
                "#define FIELD: parameter 'f' is used where no expression goes");
    check_error("#define TWO(a b) a\nBEGIN {}", 1, 15, "expected ',' or ')'");
    /* the body cannot close the macro it becomes and add a probe */
    check_error("#define X(a) 1 } BEGIN { printf(\"no\")\nBEGIN {}", 1, 14, "has no '{'");
    check_error("#define M(a) \\\n  (a +\\\n  ))\nBEGIN {}", 3, 3,
                "#define M is not an expression");
    check_error("#define MAX(a, b) ((a) > (b) ? (a) : (b))\n#if MAX(1)\n#endif\nBEGIN {}", 2, 5,
                "macro MAX takes 2 arguments, not 1");
    check_error("#define MAX(a, b) ((a) > (b) ? (a) : (b))\n#if MAX(1, 2\n#endif\nBEGIN {}", 2, 5,
                "never closed with ')'");
    check_error("#define F(x) (x)\n#define G F\n#if G\n#endif\n#if G(1, 2)\n#endif\nBEGIN {}", 5, 5,
                "macro F takes 1 argument, not 2");
    /* a macro is not replaced inside its own expansion, rescan or not */
    check_error("#define SELF(x) SELF\n#if SELF(1)(2)\n#endif\nBEGIN {}", 2, 12,
                "expected an operator before '('");
}

/* A parameter named in a comment or a string, or a $variable of that name,
 * is no use of it. */
static void test_define_macro_params_in_comments(void)
{
    struct ast_program *program = parse("#define ADD(a, f) ((a) + f) /* f */\n"
                                        "#define SAY(x) printf(\"x=%d\\n\", x + $x)\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    CHECK(macro_named(program, "ADD") && macro_named(program, "SAY"));
}

/* Directives work inside struct and enum bodies too, as cpp runs first. */
static void test_directives_inside_bodies(void)
{
    struct ast_program *program = parse("#define WIDE 1\n"
                                        "struct s {\n"
                                        "#if WIDE\n"
                                        "    long a;\n"
                                        "#else\n"
                                        "    int a;\n"
                                        "#endif\n"
                                        "#ifdef NOPE\n"
                                        "    } not C at all {\n"
                                        "#endif\n"
                                        "};\n"
                                        "enum e {\n"
                                        "    A = 1,\n"
                                        "#if !WIDE\n"
                                        "    B,\n"
                                        "#endif\n"
                                        "    C\n"
                                        "#define D 9\n"
                                        "};\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    const struct ast_c_definition *s = NULL, *e = NULL;
    for (size_t i = 0; i < program->c_definitions.count; i++) {
        const struct ast_c_definition *d = definition_at(program, i);
        s = d->kind == C_STRUCT ? d : s;
        e = d->kind == C_ENUM ? d : e;
    }
    CHECK(s && s->fields.count == 1 && strcmp(field_at(s, 0)->type_text, "long") == 0);
    CHECK(e && e->enumerators.count == 2);
    CHECK(e && ((const struct ast_c_enumerator *)vec_get(&e->enumerators, 1))->value == 2);
    CHECK_STR(define_value(program, "D"), "9");
}

/* A #define of the script wins over a header's constant of the same name,
 * before the #include or after it. */
static void test_script_define_beats_header_constant(void)
{
    struct ast_program *program = parse("#define AF_INET 99\n"
                                        "#include <sys/socket.h>\n"
                                        "#include <linux/sched.h>\n"
                                        "#define TASK_RUNNING 7\n"
                                        "#define TWICE (TASK_RUNNING * 2)\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct cdefs *cdefs = cdefs_build(&arena, &program->c_definitions, NULL, &diag);
    CHECK(cdefs != NULL);
    int64_t value = 0;
    CHECK(cdefs && cdefs_constant(cdefs, "TASK_RUNNING", &value) && value == 7);
    CHECK(cdefs && cdefs_constant(cdefs, "TWICE", &value) && value == 14);
    CHECK(cdefs && cdefs_constant(cdefs, "AF_INET", &value) && value == 99);
    CHECK(cdefs && cdefs_constant(cdefs, "AF_INET6", &value) && value == 10);
}

static void test_if_errors_point_into_the_script(void)
{
    check_error("#define A 0\n#if 4 / A\n#endif\nBEGIN {}", 2, 7, "division by zero");
    check_error("#if 0\n#elif\n#endif\nBEGIN {}", 2, 1, "expected an expression");
    check_error("#if 0\n#elif (1\n#endif\nBEGIN {}", 2, 9, "expected ')'");
    check_error("#if 0\n#else\n#elif 1\n#endif\nBEGIN {}", 3, 1, "after the #else");
    check_error("#if 0\n#else\n#else\n#endif\nBEGIN {}", 3, 1, "after the #else");
    check_error("#elif 1\nBEGIN {}", 1, 1, "no matching");
    check_error("#if 1\n#if 2\n#endif\nBEGIN {}", 1, 1, "never closed");
    check_error("enum e { A = 1 / 0 };\nBEGIN {}", 1, 16, "division by zero");
    check_error("#if 2 > 1\n#error needs a newer kernel\n#endif\nBEGIN {}", 2, 1,
                "#error needs a newer kernel");
    check_error("struct s { char a[NOPE]; };\nBEGIN {}", 1, 19, "'NOPE' is not a constant");
}

/* Debian's bpftrace tools: every one parses (many cannot run here for want
 * of kprobes, which is a later stage's business). */
static void test_debian_tools_parse(void)
{
    DIR *dir = opendir("/usr/sbin");
    if (!dir)
        return;
    struct dirent *entry;
    int parsed = 0;
    while ((entry = readdir(dir))) {
        size_t length = strlen(entry->d_name);
        if (length < 4 || strcmp(entry->d_name + length - 3, ".bt") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof(path), "/usr/sbin/%s", entry->d_name);
        FILE *file = fopen(path, "r");
        if (!file)
            continue;
        static char text[1 << 16];
        size_t size = fread(text, 1, sizeof(text) - 1, file);
        text[size] = '\0';
        fclose(file);
        struct ast_program *program = parse(text);
        if (!program) {
            const struct diag_entry *error = first_error();
            fprintf(stderr, "%s:%d:%d: %s\n", path, error ? error->loc.line : 0,
                    error ? error->loc.column : 0, error ? error->message : "?");
        }
        CHECK(program != NULL);
        parsed++;
    }
    closedir(dir);
    printf("parsed %d tools from /usr/sbin\n", parsed);
}

/* The standard library parses and joins the script's macros, which win. */
static void test_stdlib_prelude(void)
{
    struct ast_program *program = parse("macro ppid() { 7 }\nBEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(front_add_stdlib(program, &arena, &diag) == 0);
    CHECK(diag.error_count == 0);
    int ppids = 0;
    for (size_t i = 0; i < program->macros.count; i++) {
        const struct ast_macro *macro = vec_get(&program->macros, i);
        if (strcmp(macro->name, "ppid") == 0 && macro->params.count == 0) {
            ppids++;
            CHECK(macro->stdlib_file == NULL);
        } else if (strcmp(macro->name, "ppid") == 0) {
            CHECK(macro->stdlib_file != NULL); /* ppid(task): the script has no such overload */
        }
    }
    CHECK(ppids == 1);
}

int main(void)
{
    arena_init(&arena);
    test_struct_fields_have_normalized_types();
    test_union_enum_typedef_define_include();
    test_conditionals();
    test_known_header_constants();
    test_typedef_names_cast();
    test_errors_point_into_the_preamble();
    test_if_operators();
    test_if_literals();
    test_if_precedence_and_names();
    test_if_errors();
    test_if_elif_chains_nest();
    test_defines_become_macros();
    test_define_macros_redefined_and_undefined();
    test_function_like_in_constants();
    test_define_naming_a_function_like_one_in_constants();
    test_define_naming_a_function_like_one_in_probes();
    test_define_macro_errors();
    test_define_macro_params_in_comments();
    test_define_values_and_undef();
    test_script_define_beats_header_constant();
    test_directives_inside_bodies();
    test_if_errors_point_into_the_script();
    test_debian_tools_parse();
    test_stdlib_prelude();
    diag_free(&diag);
    arena_free(&arena);
    return TEST_DONE();
}
