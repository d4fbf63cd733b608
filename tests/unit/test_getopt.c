/* getopt(): each call becomes the literal the command line gives, typed by
 * its default; options the script does not declare, or values of the wrong
 * type, are errors; --help lists the declared options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast/getopt.h"
#include "front/parse.h"
#include "test.h"

static struct arena arena;
static struct diag diag;

/* The first argument of the first statement's call (print(x) or similar). */
static struct ast_expr *first_argument(struct ast_program *program)
{
    struct ast_probe *probe = vec_get(&program->probes, 0);
    struct ast_stmt *stmt = vec_get(&probe->body->block.statements, 0);
    return vec_get(&stmt->expr.expr->call.args, 0);
}

static int resolve(const char *source, const char *const *args, int count, struct ast_program **out,
                   char *listing, size_t listing_size)
{
    diag_free(&diag);
    diag_init(&diag, "test", source);
    *out = front_parse(source, &arena, &diag);
    if (!*out)
        return -100;
    struct ast_named_params params = {args, count};
    FILE *help = fmemopen(listing, listing_size, "w");
    int result = ast_resolve_getopt(*out, &params, "test.bt", help, &arena, &diag);
    fclose(help);
    return result;
}

static const char *first_error(void)
{
    const struct diag_entry *entry = diag.entries.count ? vec_get(&diag.entries, 0) : NULL;
    return entry ? entry->message : "";
}

static void test_values_and_defaults(void)
{
    static const char *const args[] = {"--n=0x10", "--flag", "--name=bob", "--off=False"};
    struct ast_program *program;
    char listing[256] = "";
    const char *source = "BEGIN { print(getopt(\"n\", 1)); print(getopt(\"flag\")); "
                         "print(getopt(\"name\", \"x\")); print(getopt(\"off\", true)); "
                         "print(getopt(\"missing\", -7)); }";
    CHECK(resolve(source, args, 4, &program, listing, sizeof(listing)) == 0);
    struct ast_probe *probe = vec_get(&program->probes, 0);
    struct ast_expr *values[5];
    for (int i = 0; i < 5; i++) {
        struct ast_stmt *stmt = vec_get(&probe->body->block.statements, (size_t)i);
        values[i] = vec_get(&stmt->expr.expr->call.args, 0);
    }
    CHECK(values[0]->kind == EXPR_INTEGER && values[0]->integer.value == 16);
    CHECK(values[1]->kind == EXPR_BOOL && values[1]->boolean.value);
    CHECK(values[2]->kind == EXPR_STRING);
    CHECK_STR(values[2]->string.bytes, "bob");
    CHECK(values[3]->kind == EXPR_BOOL && !values[3]->boolean.value);
    CHECK(values[4]->kind == EXPR_UNARY && values[4]->unary.op == OP_NEGATE &&
          values[4]->unary.operand->integer.value == 7);
}

static void test_errors(void)
{
    struct ast_program *program;
    char listing[256] = "";
    static const char *const unknown[] = {"--a=1", "--b", "--c=2"};
    CHECK(resolve("BEGIN { print(getopt(\"a\", 1)); }", unknown, 3, &program, listing,
                  sizeof(listing)) == -EINVAL);
    CHECK_STR(first_error(), "unexpected command line options: b, c");

    static const char *const bad_int[] = {"--a=many"};
    CHECK(resolve("BEGIN { print(getopt(\"a\", 1)); }", bad_int, 1, &program, listing,
                  sizeof(listing)) == -EINVAL);
    CHECK_STR(first_error(), "option --a needs an integer value, got 'many'");

    static const char *const no_value[] = {"--s"};
    CHECK(resolve("BEGIN { print(getopt(\"s\", \"x\")); }", no_value, 1, &program, listing,
                  sizeof(listing)) == -EINVAL);
    CHECK_STR(first_error(), "option --s needs a string value, got 'nothing'");

    CHECK(resolve("BEGIN { print(getopt(\"a\", 1)); print(getopt(\"a\", \"x\")); }", NULL, 0,
                  &program, listing, sizeof(listing)) == -EINVAL);
    CHECK_STR(first_error(), "option 'a' is a string here but an integer before");

    CHECK(resolve("BEGIN { print(getopt(\"a\", pid)); }", NULL, 0, &program, listing,
                  sizeof(listing)) == -EINVAL);
    CHECK_STR(first_error(),
              "getopt()'s default must be a literal: an integer, a string or a bool");
}

static void test_help_lists_options(void)
{
    static const char *const help[] = {"--help"};
    struct ast_program *program;
    char listing[256] = "";
    CHECK(resolve("BEGIN { print(getopt(\"depth\", 35, \"how deep\")); }", help, 1, &program,
                  listing, sizeof(listing)) == 1);
    CHECK_STR(listing, "Named options of test.bt:\n"
                       "  --depth=INT               how deep (default: 35)\n");
    /* A script may declare an option named help itself. */
    CHECK(resolve("BEGIN { print(getopt(\"help\")); }", help, 1, &program, listing,
                  sizeof(listing)) == 0);
    CHECK(first_argument(program)->kind == EXPR_BOOL && first_argument(program)->boolean.value);
}

static void test_named_param_syntax(void)
{
    CHECK(ast_is_named_param("--x"));
    CHECK(ast_is_named_param("--x=1"));
    CHECK(!ast_is_named_param("--"));
    CHECK(!ast_is_named_param("--=1"));
    CHECK(!ast_is_named_param("-x"));
    CHECK(!ast_is_named_param("x"));
}

int main(void)
{
    arena_init(&arena);
    diag_init(&diag, "test", "");
    test_values_and_defaults();
    test_errors();
    test_help_lists_options();
    test_named_param_syntax();
    diag_free(&diag);
    arena_free(&arena);
    return TEST_DONE();
}
