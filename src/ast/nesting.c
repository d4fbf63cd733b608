/* nesting.c: refuse trees that the recursive passes cannot walk.
 *
 * The parser's own stack bounds parentheses and prefix operators, but a
 * left-associative chain (`1+1+...`, `x->a->a->...`, `x[0][0]...`) grows the
 * tree without growing the parser's stack. This walk recurses too, but stops
 * at AST_MAX_NESTING, so its own depth is bounded. */
#include "ast/nesting.h"

#include <errno.h>

struct nesting {
    struct diag *diag;
    bool failed;
};

static void check_stmt(const struct ast_stmt *stmt, int depth, struct nesting *n);
static void check_expr(const struct ast_expr *expr, int depth, struct nesting *n);

/* True when the node at `loc` is one level too deep (reported once). */
static bool too_deep(struct srcloc loc, int depth, struct nesting *n)
{
    if (n->failed)
        return true;
    if (depth <= AST_MAX_NESTING)
        return false;
    struct diag_entry *entry = diag_error(
        n->diag, loc, "expressions and statements nest more than %d deep here", AST_MAX_NESTING);
    diag_hint(entry, "split the expression: keep parts in $variables");
    n->failed = true;
    return true;
}

static void check_list(const struct vec *list, int depth, struct nesting *n)
{
    for (size_t i = 0; i < list->count && !n->failed; i++)
        check_expr(vec_get(list, i), depth, n);
}

static void check_expr(const struct ast_expr *expr, int depth, struct nesting *n)
{
    if (!expr || too_deep(expr->loc, depth, n))
        return;
    depth++;
    switch (expr->kind) {
    case EXPR_MAP:
        check_list(&expr->map.keys, depth, n);
        break;
    case EXPR_CALL:
        check_list(&expr->call.args, depth, n);
        break;
    case EXPR_UNARY:
        check_expr(expr->unary.operand, depth, n);
        break;
    case EXPR_BINARY:
        check_expr(expr->binary.left, depth, n);
        check_expr(expr->binary.right, depth, n);
        break;
    case EXPR_TERNARY:
        check_expr(expr->ternary.condition, depth, n);
        check_expr(expr->ternary.then_value, depth, n);
        check_expr(expr->ternary.else_value, depth, n);
        break;
    case EXPR_FIELD:
        check_expr(expr->field.base, depth, n);
        break;
    case EXPR_INDEX:
        check_expr(expr->index.base, depth, n);
        check_expr(expr->index.index, depth, n);
        break;
    case EXPR_TUPLE:
        check_list(&expr->tuple.elements, depth, n);
        break;
    case EXPR_CAST:
        check_expr(expr->cast.operand, depth, n);
        break;
    case EXPR_BLOCK:
        check_stmt(expr->block.body, depth, n);
        check_expr(expr->block.value, depth, n);
        break;
    case EXPR_SIZEOF:
        check_expr(expr->size_of.operand, depth, n);
        break;
    default:
        break;
    }
}

static void check_stmt(const struct ast_stmt *stmt, int depth, struct nesting *n)
{
    if (!stmt || too_deep(stmt->loc, depth, n))
        return;
    depth++;
    switch (stmt->kind) {
    case STMT_EXPR:
        check_expr(stmt->expr.expr, depth, n);
        break;
    case STMT_ASSIGN:
        check_expr(stmt->assign.target, depth, n);
        check_expr(stmt->assign.value, depth, n);
        break;
    case STMT_IF:
        check_expr(stmt->if_stmt.condition, depth, n);
        check_stmt(stmt->if_stmt.then_branch, depth, n);
        check_stmt(stmt->if_stmt.else_branch, depth, n);
        break;
    case STMT_BLOCK:
        for (size_t i = 0; i < stmt->block.statements.count && !n->failed; i++)
            check_stmt(vec_get(&stmt->block.statements, i), depth, n);
        break;
    case STMT_WHILE:
        check_expr(stmt->while_stmt.condition, depth, n);
        check_stmt(stmt->while_stmt.body, depth, n);
        break;
    case STMT_UNROLL:
        check_expr(stmt->unroll.count, depth, n);
        check_stmt(stmt->unroll.body, depth, n);
        break;
    case STMT_RETURN:
        check_expr(stmt->return_stmt.value, depth, n);
        break;
    case STMT_LET:
        check_expr(stmt->let.variable, depth, n);
        check_expr(stmt->let.value, depth, n);
        break;
    case STMT_FOR:
        check_expr(stmt->for_range.start, depth, n);
        check_expr(stmt->for_range.end, depth, n);
        check_stmt(stmt->for_range.body, depth, n);
        break;
    case STMT_FOR_MAP:
        check_expr(stmt->for_map.map, depth, n);
        check_stmt(stmt->for_map.body, depth, n);
        break;
    case STMT_BREAK:
    case STMT_CONTINUE:
        break;
    }
}

int ast_check_nesting(const struct ast_program *program, struct diag *diag)
{
    struct nesting n = {.diag = diag};
    for (size_t i = 0; i < program->probes.count; i++) {
        const struct ast_probe *probe = vec_get(&program->probes, i);
        check_expr(probe->predicate, 0, &n);
        check_stmt(probe->body, 0, &n);
    }
    for (size_t i = 0; i < program->macros.count; i++) {
        const struct ast_macro *macro = vec_get(&program->macros, i);
        check_stmt(macro->body, 0, &n);
        check_expr(macro->value, 0, &n);
    }
    for (size_t i = 0; i < program->functions.count; i++) {
        const struct ast_function *function = vec_get(&program->functions, i);
        check_stmt(function->body, 0, &n);
    }
    return n.failed ? -EINVAL : 0;
}
