/* sema_scope.c: declarations (`let`), range loops (`for ($i : a..b)`) and
 * block expressions, which all open or fill a variable scope.
 *
 * Scopes follow bpftrace 0.22+: a variable declared or first assigned in a
 * block is visible to the end of that block only, and a declaration may not
 * shadow a variable that is already visible. */
#include <stdlib.h>
#include <string.h>

#include "ast/sema_internal.h"

/* Shadowing would make `$x` mean two things in one probe: refuse it. */
static bool check_not_declared(struct checker *checker, struct ast_expr *variable)
{
    struct sema_variable *existing = sema_find_variable(checker, variable->variable.name);
    if (!existing)
        return true;
    struct diag_entry *entry = diag_error(
        checker->diag, variable->loc, "variable $%s is already declared", variable->variable.name);
    diag_hint(entry, "$%s was first declared at line %d; variable shadowing is not allowed",
              variable->variable.name, existing->first_loc.line);
    return false;
}

static struct sema_variable *declare(struct checker *checker, struct ast_expr *variable,
                                     const struct type *type)
{
    struct sema_variable *declared = ARENA_NEW(checker->arena, struct sema_variable);
    declared->name = variable->variable.name;
    declared->type = type;
    declared->first_loc = variable->loc;
    vec_push(&checker->variables, declared);
    variable->variable.symbol = declared;
    variable->type = type;
    return declared;
}

/* `string` and `string[N]` here; everything else is what a cast accepts, so
 * declarations learn new types together with casts. */
static const struct type *declared_type(struct checker *checker, struct ast_stmt *stmt)
{
    const char *text = stmt->let.type_text;
    if (strcmp(text, "string") == 0)
        return type_string(checker->arena, checker->options->max_strlen);
    if (strncmp(text, "string[", 7) == 0) {
        char *end = NULL;
        unsigned long size = strtoul(text + 7, &end, 10);
        if (size > 0 && end && strcmp(end, "]") == 0)
            return type_string(checker->arena, (unsigned)size);
    }
    struct ast_expr *zero = ast_expr_new(checker->arena, EXPR_INTEGER, stmt->let.type_loc);
    struct ast_expr *cast = ast_expr_new(checker->arena, EXPR_CAST, stmt->let.type_loc);
    cast->cast.type_text = text;
    cast->cast.type_loc = stmt->let.type_loc;
    cast->cast.operand = zero;
    return sema_check_expr(checker, cast);
}

static bool compatible(const struct type *declared, const struct type *value)
{
    if (type_is_integer(declared) && type_is_integer(value))
        return true;
    if (declared->kind == TYPE_STRING && value->kind == TYPE_STRING)
        return true;
    return type_equal(declared, value);
}

bool sema_check_let(struct checker *checker, struct ast_stmt *stmt)
{
    struct ast_expr *variable = stmt->let.variable;
    const struct type *type = NULL;
    if (stmt->let.type_text && !(type = declared_type(checker, stmt)))
        return false;
    const struct type *value = NULL;
    if (stmt->let.value) {
        value = sema_check_expr(checker, stmt->let.value);
        if (!value)
            return false;
        if (value->kind == TYPE_VOID || type_is_aggregation(value)) {
            diag_error(checker->diag, stmt->let.value->loc,
                       "this expression has no value to assign");
            return false;
        }
        if (type && !compatible(type, value)) {
            diag_error(checker->diag, stmt->let.value->loc,
                       "$%s is declared as %s and cannot be assigned %s", variable->variable.name,
                       type_name(checker->arena, type), type_name(checker->arena, value));
            return false;
        }
    }
    if (!check_not_declared(checker, variable))
        return false;
    if (!type && value)
        type = value;
    declare(checker, variable, type ? sema_storage_type(type) : NULL);
    return true;
}

static bool check_bound(struct checker *checker, struct ast_expr *bound)
{
    const struct type *type = sema_check_expr(checker, bound);
    if (!type)
        return false;
    if (!type_is_integer(type)) {
        diag_error(checker->diag, bound->loc, "a range bound must be an integer, got %s",
                   type_name(checker->arena, type));
        return false;
    }
    return true;
}

bool sema_check_for(struct checker *checker, struct ast_stmt *stmt)
{
    bool ok = check_bound(checker, stmt->for_range.start);
    ok &= check_bound(checker, stmt->for_range.end);
    if (!ok || !check_not_declared(checker, stmt->for_range.variable))
        return false;
    size_t scope = checker->variables.count;
    declare(checker, stmt->for_range.variable, type_int(8, true));
    checker->loop_depth++;
    ok = sema_check_stmt(checker, stmt->for_range.body);
    checker->loop_depth--;
    checker->variables.count = scope;
    return ok;
}

/* `{ statements; value }`: the value sees the block's variables. */
const struct type *sema_check_block_expr(struct checker *checker, struct ast_expr *expr)
{
    size_t scope = checker->variables.count;
    struct vec *statements = &expr->block.body->block.statements;
    bool ok = true;
    for (size_t i = 0; i < statements->count; i++)
        ok &= sema_check_stmt(checker, vec_get(statements, i));
    const struct type *type = NULL;
    if (ok)
        type = expr->block.value ? sema_check_expr(checker, expr->block.value) : &type_void;
    checker->variables.count = scope;
    return type;
}
