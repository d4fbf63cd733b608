/* ast.c: building, copying and walking the syntax tree. */
#include "ast/ast.h"

#include <string.h>

struct ast_expr *ast_expr_new(struct arena *arena, enum ast_expr_kind kind, struct srcloc loc)
{
    struct ast_expr *expr = ARENA_NEW(arena, struct ast_expr);
    expr->kind = kind;
    expr->loc = loc;
    return expr;
}

struct ast_stmt *ast_stmt_new(struct arena *arena, enum ast_stmt_kind kind, struct srcloc loc)
{
    struct ast_stmt *stmt = ARENA_NEW(arena, struct ast_stmt);
    stmt->kind = kind;
    stmt->loc = loc;
    return stmt;
}

/* A vec shared with the original would let one variant's rewrite leak into
 * another's, so every list gets its own array. */
static struct vec clone_expr_list(struct arena *arena, const struct vec *list)
{
    struct vec copy = {0};
    for (size_t i = 0; i < list->count; i++)
        vec_push(&copy, ast_expr_clone(arena, vec_get(list, i)));
    return copy;
}

static struct vec clone_stmt_list(struct arena *arena, const struct vec *list)
{
    struct vec copy = {0};
    for (size_t i = 0; i < list->count; i++)
        vec_push(&copy, ast_stmt_clone(arena, vec_get(list, i)));
    return copy;
}

struct ast_expr *ast_expr_clone(struct arena *arena, const struct ast_expr *expr)
{
    if (!expr)
        return NULL;
    struct ast_expr *copy = ARENA_NEW(arena, struct ast_expr);
    *copy = *expr;
    switch (expr->kind) {
    case EXPR_STRING:
        copy->string.bytes = arena_alloc(arena, expr->string.length + 1);
        memcpy(copy->string.bytes, expr->string.bytes, expr->string.length + 1);
        break;
    case EXPR_MAP:
        copy->map.keys = clone_expr_list(arena, &expr->map.keys);
        break;
    case EXPR_CALL:
        copy->call.args = clone_expr_list(arena, &expr->call.args);
        break;
    case EXPR_UNARY:
        copy->unary.operand = ast_expr_clone(arena, expr->unary.operand);
        break;
    case EXPR_BINARY:
        copy->binary.left = ast_expr_clone(arena, expr->binary.left);
        copy->binary.right = ast_expr_clone(arena, expr->binary.right);
        break;
    case EXPR_TERNARY:
        copy->ternary.condition = ast_expr_clone(arena, expr->ternary.condition);
        copy->ternary.then_value = ast_expr_clone(arena, expr->ternary.then_value);
        copy->ternary.else_value = ast_expr_clone(arena, expr->ternary.else_value);
        break;
    case EXPR_FIELD:
        copy->field.base = ast_expr_clone(arena, expr->field.base);
        break;
    case EXPR_INDEX:
        copy->index.base = ast_expr_clone(arena, expr->index.base);
        copy->index.index = ast_expr_clone(arena, expr->index.index);
        break;
    case EXPR_TUPLE:
        copy->tuple.elements = clone_expr_list(arena, &expr->tuple.elements);
        break;
    case EXPR_CAST:
        copy->cast.operand = ast_expr_clone(arena, expr->cast.operand);
        break;
    case EXPR_BLOCK:
        copy->block.body = ast_stmt_clone(arena, expr->block.body);
        copy->block.value = ast_expr_clone(arena, expr->block.value);
        break;
    case EXPR_SIZEOF:
        copy->size_of.operand = ast_expr_clone(arena, expr->size_of.operand);
        break;
    default: /* leaves: names are immutable arena strings and may be shared */
        break;
    }
    return copy;
}

struct ast_stmt *ast_stmt_clone(struct arena *arena, const struct ast_stmt *stmt)
{
    if (!stmt)
        return NULL;
    struct ast_stmt *copy = ARENA_NEW(arena, struct ast_stmt);
    *copy = *stmt;
    switch (stmt->kind) {
    case STMT_EXPR:
        copy->expr.expr = ast_expr_clone(arena, stmt->expr.expr);
        break;
    case STMT_ASSIGN:
        copy->assign.target = ast_expr_clone(arena, stmt->assign.target);
        copy->assign.value = ast_expr_clone(arena, stmt->assign.value);
        break;
    case STMT_IF:
        copy->if_stmt.condition = ast_expr_clone(arena, stmt->if_stmt.condition);
        copy->if_stmt.then_branch = ast_stmt_clone(arena, stmt->if_stmt.then_branch);
        copy->if_stmt.else_branch = ast_stmt_clone(arena, stmt->if_stmt.else_branch);
        break;
    case STMT_BLOCK:
        copy->block.statements = clone_stmt_list(arena, &stmt->block.statements);
        break;
    case STMT_WHILE:
        copy->while_stmt.condition = ast_expr_clone(arena, stmt->while_stmt.condition);
        copy->while_stmt.body = ast_stmt_clone(arena, stmt->while_stmt.body);
        break;
    case STMT_UNROLL:
        copy->unroll.count = ast_expr_clone(arena, stmt->unroll.count);
        copy->unroll.body = ast_stmt_clone(arena, stmt->unroll.body);
        break;
    case STMT_RETURN:
        copy->return_stmt.value = ast_expr_clone(arena, stmt->return_stmt.value);
        break;
    case STMT_LET:
        copy->let.variable = ast_expr_clone(arena, stmt->let.variable);
        copy->let.value = ast_expr_clone(arena, stmt->let.value);
        break;
    case STMT_FOR:
        copy->for_range.variable = ast_expr_clone(arena, stmt->for_range.variable);
        copy->for_range.start = ast_expr_clone(arena, stmt->for_range.start);
        copy->for_range.end = ast_expr_clone(arena, stmt->for_range.end);
        copy->for_range.body = ast_stmt_clone(arena, stmt->for_range.body);
        break;
    case STMT_FOR_MAP:
        copy->for_map.variable = ast_expr_clone(arena, stmt->for_map.variable);
        copy->for_map.map = ast_expr_clone(arena, stmt->for_map.map);
        copy->for_map.body = ast_stmt_clone(arena, stmt->for_map.body);
        copy->for_map.captures = (struct vec){0};
        break;
    case STMT_BREAK:
    case STMT_CONTINUE:
        break;
    }
    return copy;
}

static void walk_expr_list(const struct vec *list, ast_expr_visitor visit, void *context)
{
    for (size_t i = 0; i < list->count; i++)
        ast_walk_expr(vec_get(list, i), visit, context);
}

void ast_walk_expr(struct ast_expr *expr, ast_expr_visitor visit, void *context)
{
    if (!expr || !visit(expr, context))
        return;
    switch (expr->kind) {
    case EXPR_MAP:
        walk_expr_list(&expr->map.keys, visit, context);
        break;
    case EXPR_CALL:
        walk_expr_list(&expr->call.args, visit, context);
        break;
    case EXPR_UNARY:
        ast_walk_expr(expr->unary.operand, visit, context);
        break;
    case EXPR_BINARY:
        ast_walk_expr(expr->binary.left, visit, context);
        ast_walk_expr(expr->binary.right, visit, context);
        break;
    case EXPR_TERNARY:
        ast_walk_expr(expr->ternary.condition, visit, context);
        ast_walk_expr(expr->ternary.then_value, visit, context);
        ast_walk_expr(expr->ternary.else_value, visit, context);
        break;
    case EXPR_FIELD:
        ast_walk_expr(expr->field.base, visit, context);
        break;
    case EXPR_INDEX:
        ast_walk_expr(expr->index.base, visit, context);
        ast_walk_expr(expr->index.index, visit, context);
        break;
    case EXPR_TUPLE:
        walk_expr_list(&expr->tuple.elements, visit, context);
        break;
    case EXPR_CAST:
        ast_walk_expr(expr->cast.operand, visit, context);
        break;
    case EXPR_BLOCK:
        ast_walk_stmt(expr->block.body, visit, context);
        ast_walk_expr(expr->block.value, visit, context);
        break;
    case EXPR_SIZEOF:
        ast_walk_expr(expr->size_of.operand, visit, context);
        break;
    default:
        break;
    }
}

void ast_walk_stmt(struct ast_stmt *stmt, ast_expr_visitor visit, void *context)
{
    if (!stmt)
        return;
    switch (stmt->kind) {
    case STMT_EXPR:
        ast_walk_expr(stmt->expr.expr, visit, context);
        break;
    case STMT_ASSIGN:
        ast_walk_expr(stmt->assign.target, visit, context);
        ast_walk_expr(stmt->assign.value, visit, context);
        break;
    case STMT_IF:
        ast_walk_expr(stmt->if_stmt.condition, visit, context);
        ast_walk_stmt(stmt->if_stmt.then_branch, visit, context);
        ast_walk_stmt(stmt->if_stmt.else_branch, visit, context);
        break;
    case STMT_BLOCK:
        for (size_t i = 0; i < stmt->block.statements.count; i++)
            ast_walk_stmt(vec_get(&stmt->block.statements, i), visit, context);
        break;
    case STMT_WHILE:
        ast_walk_expr(stmt->while_stmt.condition, visit, context);
        ast_walk_stmt(stmt->while_stmt.body, visit, context);
        break;
    case STMT_UNROLL:
        ast_walk_expr(stmt->unroll.count, visit, context);
        ast_walk_stmt(stmt->unroll.body, visit, context);
        break;
    case STMT_RETURN:
        ast_walk_expr(stmt->return_stmt.value, visit, context);
        break;
    case STMT_LET:
        ast_walk_expr(stmt->let.variable, visit, context);
        ast_walk_expr(stmt->let.value, visit, context);
        break;
    case STMT_FOR:
        ast_walk_expr(stmt->for_range.variable, visit, context);
        ast_walk_expr(stmt->for_range.start, visit, context);
        ast_walk_expr(stmt->for_range.end, visit, context);
        ast_walk_stmt(stmt->for_range.body, visit, context);
        break;
    case STMT_FOR_MAP:
        ast_walk_expr(stmt->for_map.variable, visit, context);
        ast_walk_expr(stmt->for_map.map, visit, context);
        ast_walk_stmt(stmt->for_map.body, visit, context);
        break;
    case STMT_BREAK:
    case STMT_CONTINUE:
        break;
    }
}

const char *ast_binary_op_text(enum ast_binary_op op)
{
    static const char *const texts[] = {
        [OP_ADD] = "+",          [OP_SUB] = "-",          [OP_MUL] = "*",    [OP_DIV] = "/",
        [OP_MOD] = "%",          [OP_BIT_AND] = "&",      [OP_BIT_OR] = "|", [OP_BIT_XOR] = "^",
        [OP_SHIFT_LEFT] = "<<",  [OP_SHIFT_RIGHT] = ">>", [OP_EQ] = "==",    [OP_NE] = "!=",
        [OP_LT] = "<",           [OP_LE] = "<=",          [OP_GT] = ">",     [OP_GE] = ">=",
        [OP_LOGICAL_AND] = "&&", [OP_LOGICAL_OR] = "||",
    };
    if ((size_t)op >= sizeof(texts) / sizeof(texts[0]))
        return "?";
    return texts[op];
}

const char *ast_unary_op_text(enum ast_unary_op op)
{
    static const char *const texts[] = {
        [OP_NEGATE] = "-",         [OP_LOGICAL_NOT] = "!",     [OP_BIT_NOT] = "~",
        [OP_DEREF] = "*",          [OP_ADDRESS_OF] = "&",      [OP_PRE_INCREMENT] = "++",
        [OP_PRE_DECREMENT] = "--", [OP_POST_INCREMENT] = "++", [OP_POST_DECREMENT] = "--",
    };
    if ((size_t)op >= sizeof(texts) / sizeof(texts[0]))
        return "?";
    return texts[op];
}

const char *ast_assign_op_text(enum ast_assign_op op)
{
    static const char *const texts[] = {
        [ASSIGN_PLAIN] = "=",        [ASSIGN_ADD] = "+=",          [ASSIGN_SUB] = "-=",
        [ASSIGN_MUL] = "*=",         [ASSIGN_DIV] = "/=",          [ASSIGN_MOD] = "%=",
        [ASSIGN_BIT_AND] = "&=",     [ASSIGN_BIT_OR] = "|=",       [ASSIGN_BIT_XOR] = "^=",
        [ASSIGN_SHIFT_LEFT] = "<<=", [ASSIGN_SHIFT_RIGHT] = ">>=",
    };
    if ((size_t)op >= sizeof(texts) / sizeof(texts[0]))
        return "?";
    return texts[op];
}
