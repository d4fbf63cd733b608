/* Block expressions `{ ...; value }` wherever an operand goes (while a '{'
 * that starts a statement stays a block), and the address-of operator `&`:
 * what it accepts, its type, and the exact place of its errors. */
#define SEMA_FIXTURE_CHECKS
#include "sema_fixture.h"

static const struct sema_options defaults = {.max_strlen = 64};

static struct ast_stmt *first_statement(struct checked *checked)
{
    struct ast_probe *probe = vec_get(&checked->program->probes, 0);
    return vec_get(&probe->body->block.statements, 0);
}

/* The first statement's expression (after type checking). */
static struct ast_expr *first_expr(struct checked *checked)
{
    struct ast_stmt *stmt = first_statement(checked);
    return stmt->kind == STMT_EXPR ? stmt->expr.expr : stmt->assign.value;
}

static void test_block_expression_places(void)
{
    struct checked checked;
    check_with(&checked, "BEGIN { printf(\"%d\\n\", { let $a = 1; $a + 1 }); }", &defaults);
    CHECK(checked.status == 0);
    if (checked.status == 0) {
        struct ast_expr *call = first_expr(&checked);
        struct ast_expr *block = vec_get(&call->call.args, 1);
        CHECK(block->kind == EXPR_BLOCK && block->block.value != NULL);
        CHECK(block->block.body->block.statements.count == 1);
        CHECK(block->loc.column == 24);
    }
    release(&checked);

    /* At the start of a statement '{' opens a block of statements. */
    check_with(&checked, "BEGIN { { $x = 1; } @y = 2; }", &defaults);
    CHECK(checked.status == 0);
    if (checked.status == 0)
        CHECK(first_statement(&checked)->kind == STMT_BLOCK);
    release(&checked);

    const char *accepted[] = {
        "BEGIN { @m[{ let $k = 3; $k }] = { 5 }; }",
        "BEGIN { if ({ let $c = 1; $c == 1 }) { exit(); } }",
        "BEGIN { if { 1 } { exit(); } else { exit(); } }",
        "BEGIN { $x = 1 + { 2 } * { 3 }; $t = ({ 1 }, { \"s\" }); }",
        "BEGIN /{ let $p = pid; $p } > 1/ { exit(); }",
        "BEGIN { $x = 1 ? { 2 } : { 3 }; while ({ 0 }) { } }",
        "config = { max_strlen = 32 }\nBEGIN { $x = { 1 }; }",
    };
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
        expect_accepted(accepted[i], &defaults);

    rejects("BEGIN { printf(\"%d\\n\", { let $a = 1; }); }", 24, "expects an integer, got void");
    rejects("BEGIN { $x = { let $a = 1; $a }; $y = $a; }", 39, "variable $a is used before");
}

static void test_address_of(void)
{
    struct checked checked;
    check_with(&checked, "BEGIN { $x = 1; $p = &$x; $s = \"ab\"; $q = &$s; }", &defaults);
    CHECK(checked.status == 0);
    if (checked.status == 0) {
        struct ast_probe *probe = vec_get(&checked.program->probes, 0);
        struct ast_stmt *take = vec_get(&probe->body->block.statements, 1);
        CHECK_STR(type_name(&checked.arena, take->assign.value->type), "int64 *");
        struct ast_stmt *take_string = vec_get(&probe->body->block.statements, 3);
        CHECK(take_string->assign.value->type->kind == TYPE_POINTER);
        CHECK(take_string->assign.value->type->element->kind == TYPE_STRING);
    }
    release(&checked);

    expect_accepted("BEGIN { $x = 1; @v = *&$x; @d = &curtask->tgid - &curtask->pid; }", &defaults);
    expect_accepted("BEGIN { $t = curtask; $p = &$t->real_parent->tgid; @v = *$p; }", &defaults);

    rejects("BEGIN { @m = 1; $p = &@m; }", 22, "the address of a map cannot be taken here");
    rejects("BEGIN { $p = &1; }", 14, "cannot take the address of this expression");
    rejects("BEGIN { $p = &pid; }", 14, "cannot take the address of this expression");
    rejects("BEGIN { $p = &$nope; }", 15, "variable $nope is used before it is assigned");
}

int main(void)
{
    test_block_expression_places();
    test_address_of();
    return TEST_DONE();
}
