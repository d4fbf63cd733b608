/* macros.c: expands `macro name(a, $v, @m) { ...; value }` at each call.
 *
 * A call becomes a block expression holding a copy of the macro's body, or
 * just a copy of its value when the body holds nothing else.
 * Parameters bind by kind: a bare name takes any expression, which replaces
 * the name wherever the body uses it; `$v` takes a variable by reference (the
 * body reads and writes the caller's variable) or an expression, which then
 * initialises a variable of the macro's own; `@m` takes a map. The body's own
 * variables get names no script can write, so a macro sees only its
 * parameters and never the caller's variables. Calls are matched by name and
 * argument count; a macro without parameters may be called without
 * parentheses. A macro may call other macros but not itself, even indirectly.
 * The expanded tree is held to AST_MAX_NESTING (nesting.h), as the script is. */
#include <errno.h>
#include <string.h>

#include "ast/ast.h"
#include "ast/nesting.h"

struct expander {
    struct arena *arena;
    struct diag *diag;
    struct vec *macros;  /* struct ast_macro * */
    struct vec active;   /* struct ast_macro * being expanded: the call chain */
    unsigned expansions; /* numbers each expansion's private variables */
    bool failed;
    bool too_deep; /* stopped at EXPANSION_DEPTH_CAP, with no error of its own */
};

static struct ast_macro *find_macro(struct expander *ex, const char *name, size_t arity,
                                    bool *name_exists)
{
    *name_exists = false;
    for (size_t i = 0; i < ex->macros->count; i++) {
        struct ast_macro *macro = vec_get(ex->macros, i);
        if (strcmp(macro->name, name) != 0)
            continue;
        *name_exists = true;
        if (macro->params.count == arity)
            return macro;
    }
    return NULL;
}

static bool on_call_chain(struct expander *ex, const struct ast_macro *macro)
{
    for (size_t i = 0; i < ex->active.count; i++)
        if (vec_get(&ex->active, i) == macro)
            return true;
    return false;
}

/* ---- binding the parameters in a fresh copy of the body ------------------ */

struct binding {
    struct expander *ex;
    struct ast_macro *macro;
    struct vec *args; /* struct ast_expr *, already expanded */
    unsigned expansion;
    struct vec initialisers; /* struct ast_stmt *: `$v` params given an expression */
};

static int param_index(const struct ast_macro *macro, enum ast_expr_kind kind, const char *name)
{
    for (size_t i = 0; i < macro->params.count; i++) {
        const struct ast_expr *param = vec_get(&macro->params, i);
        if (param->kind != kind)
            continue;
        const char *param_name = kind == EXPR_IDENTIFIER ? param->identifier.name
                                 : kind == EXPR_VARIABLE ? param->variable.name
                                                         : param->map.name;
        if (strcmp(param_name, name) == 0)
            return (int)i;
    }
    return -1;
}

static const char *private_name(struct binding *b, const char *name)
{
    /* '.' cannot appear in a written variable name. */
    return arena_printf(b->ex->arena, "%s.%s%u", name, b->macro->name, b->expansion);
}

static bool bind_names(struct ast_expr *expr, void *context)
{
    struct binding *b = context;
    struct ast_macro *macro = b->macro;
    if (expr->kind == EXPR_VARIABLE) {
        int index = param_index(macro, EXPR_VARIABLE, expr->variable.name);
        struct ast_expr *arg = index >= 0 ? vec_get(b->args, (size_t)index) : NULL;
        if (arg && arg->kind == EXPR_VARIABLE)
            expr->variable.name = arg->variable.name; /* by reference */
        else
            expr->variable.name = private_name(b, expr->variable.name);
        return true;
    }
    if (expr->kind == EXPR_MAP) {
        int index = param_index(macro, EXPR_MAP, expr->map.name);
        if (index >= 0)
            expr->map.name = ((struct ast_expr *)vec_get(b->args, (size_t)index))->map.name;
        return true;
    }
    if (expr->kind == EXPR_IDENTIFIER) {
        int index = param_index(macro, EXPR_IDENTIFIER, expr->identifier.name);
        if (index >= 0) {
            struct ast_expr *arg = vec_get(b->args, (size_t)index);
            *expr = *ast_expr_clone(b->ex->arena, arg);
            return false; /* the caller's expression: not the macro's to rename */
        }
    }
    return true;
}

/* Arguments must fit their parameter's kind: a map for @m. */
static bool check_args(struct expander *ex, struct ast_macro *macro, struct vec *args,
                       struct srcloc call_loc)
{
    for (size_t i = 0; i < macro->params.count; i++) {
        struct ast_expr *param = vec_get(&macro->params, i);
        struct ast_expr *arg = vec_get(args, i);
        if (param->kind == EXPR_MAP && (arg->kind != EXPR_MAP || arg->map.keys.count > 0)) {
            struct diag_entry *entry = diag_error(
                ex->diag, arg->loc, "macro %s expects a map for @%s", macro->name, param->map.name);
            diag_hint(entry, "pass a map name without keys, e.g. %s(@counts)", macro->name);
            return false;
        }
    }
    (void)call_loc;
    return true;
}

/* `$v` parameters given an expression start as that expression's value. */
static void initialise_value_params(struct binding *b, struct ast_stmt *body)
{
    struct vec statements = {0};
    for (size_t i = 0; i < b->macro->params.count; i++) {
        struct ast_expr *param = vec_get(&b->macro->params, i);
        struct ast_expr *arg = vec_get(b->args, i);
        if (param->kind != EXPR_VARIABLE || arg->kind == EXPR_VARIABLE)
            continue;
        struct ast_stmt *let = ast_stmt_new(b->ex->arena, STMT_LET, arg->loc);
        let->let.variable = ast_expr_new(b->ex->arena, EXPR_VARIABLE, arg->loc);
        let->let.variable->variable.name = private_name(b, param->variable.name);
        let->let.value = arg;
        vec_push(&statements, let);
    }
    for (size_t i = 0; i < body->block.statements.count; i++)
        vec_push(&statements, vec_get(&body->block.statements, i));
    vec_free(&body->block.statements);
    body->block.statements = statements;
}

/* ---- walking the program ------------------------------------------------- */

/* The walk knows how deep in the expanded tree it is, and stops this deep:
 * `m(m(m(...)))` nested a few hundred times would otherwise overflow the
 * stack while expanding, before ast_check_nesting could refuse the tree. The
 * margin above AST_MAX_NESTING leaves that check to say where any tree a
 * script could reasonably hold first goes too deep. */
#define EXPANSION_DEPTH_CAP (16 * AST_MAX_NESTING)

static bool expand_call(struct expander *ex, struct ast_expr *expr, const char *name,
                        struct vec *args, int depth);
static void expand_stmt(struct expander *ex, struct ast_stmt *stmt, int depth);
static void expand_expr(struct expander *ex, struct ast_expr *expr, int depth);

static void expand_list(struct expander *ex, struct vec *list, int depth)
{
    for (size_t i = 0; i < list->count; i++)
        expand_expr(ex, vec_get(list, i), depth);
}

/* Whether the walk stops here: past the cap, or after an error. */
static bool past_cap(struct expander *ex, int depth)
{
    if (depth > EXPANSION_DEPTH_CAP)
        ex->failed = ex->too_deep = true;
    return ex->failed;
}

/* A call of a macro is replaced by it, already expanded: not walked again. */
static bool replaced_by_macro(struct expander *ex, struct ast_expr *expr, int depth)
{
    static struct vec no_args;
    if (expr->kind == EXPR_CALL)
        return expand_call(ex, expr, expr->call.name, &expr->call.args, depth);
    if (expr->kind == EXPR_IDENTIFIER)
        return expand_call(ex, expr, expr->identifier.name, &no_args, depth);
    return false;
}

static void expand_expr(struct expander *ex, struct ast_expr *expr, int depth)
{
    if (!expr || past_cap(ex, depth) || replaced_by_macro(ex, expr, depth))
        return;
    depth++;
    switch (expr->kind) {
    case EXPR_MAP:
        expand_list(ex, &expr->map.keys, depth);
        break;
    case EXPR_CALL:
        expand_list(ex, &expr->call.args, depth);
        break;
    case EXPR_UNARY:
        expand_expr(ex, expr->unary.operand, depth);
        break;
    case EXPR_BINARY:
        expand_expr(ex, expr->binary.left, depth);
        expand_expr(ex, expr->binary.right, depth);
        break;
    case EXPR_TERNARY:
        expand_expr(ex, expr->ternary.condition, depth);
        expand_expr(ex, expr->ternary.then_value, depth);
        expand_expr(ex, expr->ternary.else_value, depth);
        break;
    case EXPR_FIELD:
        expand_expr(ex, expr->field.base, depth);
        break;
    case EXPR_INDEX:
        expand_expr(ex, expr->index.base, depth);
        expand_expr(ex, expr->index.index, depth);
        break;
    case EXPR_TUPLE:
        expand_list(ex, &expr->tuple.elements, depth);
        break;
    case EXPR_CAST:
        expand_expr(ex, expr->cast.operand, depth);
        break;
    case EXPR_BLOCK:
        expand_stmt(ex, expr->block.body, depth);
        expand_expr(ex, expr->block.value, depth);
        break;
    case EXPR_SIZEOF:
        expand_expr(ex, expr->size_of.operand, depth);
        break;
    default:
        break;
    }
}

static void expand_stmt(struct expander *ex, struct ast_stmt *stmt, int depth)
{
    if (!stmt || past_cap(ex, depth))
        return;
    depth++;
    switch (stmt->kind) {
    case STMT_EXPR:
        expand_expr(ex, stmt->expr.expr, depth);
        break;
    case STMT_ASSIGN:
        expand_expr(ex, stmt->assign.target, depth);
        expand_expr(ex, stmt->assign.value, depth);
        break;
    case STMT_IF:
        expand_expr(ex, stmt->if_stmt.condition, depth);
        expand_stmt(ex, stmt->if_stmt.then_branch, depth);
        expand_stmt(ex, stmt->if_stmt.else_branch, depth);
        break;
    case STMT_BLOCK:
        for (size_t i = 0; i < stmt->block.statements.count; i++)
            expand_stmt(ex, vec_get(&stmt->block.statements, i), depth);
        break;
    case STMT_WHILE:
        expand_expr(ex, stmt->while_stmt.condition, depth);
        expand_stmt(ex, stmt->while_stmt.body, depth);
        break;
    case STMT_UNROLL:
        expand_expr(ex, stmt->unroll.count, depth);
        expand_stmt(ex, stmt->unroll.body, depth);
        break;
    case STMT_RETURN:
        expand_expr(ex, stmt->return_stmt.value, depth);
        break;
    case STMT_LET:
        expand_expr(ex, stmt->let.variable, depth);
        expand_expr(ex, stmt->let.value, depth);
        break;
    case STMT_FOR:
        expand_expr(ex, stmt->for_range.variable, depth);
        expand_expr(ex, stmt->for_range.start, depth);
        expand_expr(ex, stmt->for_range.end, depth);
        expand_stmt(ex, stmt->for_range.body, depth);
        break;
    case STMT_FOR_MAP:
        expand_expr(ex, stmt->for_map.variable, depth);
        expand_expr(ex, stmt->for_map.map, depth);
        expand_stmt(ex, stmt->for_map.body, depth);
        break;
    case STMT_BREAK:
    case STMT_CONTINUE:
        break;
    }
}

/* The standard library's text is not the script's: its expressions take the
 * place of the call, so a type error in one points where the user wrote it. */
static bool relocate(struct ast_expr *expr, void *context)
{
    expr->loc = *(const struct srcloc *)context;
    return true;
}

/* The call's replacement, expanded at the depth where it will sit. */
static struct ast_expr *instantiate(struct expander *ex, struct ast_macro *macro, struct vec *args,
                                    struct srcloc call_loc, int depth)
{
    struct binding b = {.ex = ex, .macro = macro, .args = args, .expansion = ++ex->expansions};
    struct ast_stmt *body = ast_stmt_clone(ex->arena, macro->body);
    struct ast_expr *value = ast_expr_clone(ex->arena, macro->value);
    if (macro->stdlib_file) { /* before the arguments come in: they keep their places */
        ast_walk_stmt(body, relocate, &call_loc);
        ast_walk_expr(value, relocate, &call_loc);
    }
    ast_walk_stmt(body, bind_names, &b);
    ast_walk_expr(value, bind_names, &b);
    initialise_value_params(&b, body);

    /* Expanding changes no statement count: whether the value stands alone
     * in the call's place is known before. */
    bool value_alone = value && body->block.statements.count == 0;
    vec_push(&ex->active, macro);
    expand_stmt(ex, body, depth + 1);
    expand_expr(ex, value, value_alone ? depth : depth + 1);
    ex->active.count--;

    if (value_alone)
        return value; /* `printf(GREETING)`: a literal must stay one to be a format */
    struct ast_expr *block = ast_expr_new(ex->arena, EXPR_BLOCK, call_loc);
    block->block.body = body;
    block->block.value = value;
    return block;
}

static bool expand_call(struct expander *ex, struct ast_expr *expr, const char *name,
                        struct vec *args, int depth)
{
    bool name_exists;
    struct ast_macro *macro = find_macro(ex, name, args->count, &name_exists);
    if (!macro) {
        if (name_exists && expr->kind == EXPR_CALL) {
            diag_error(ex->diag, expr->loc, "no macro %s takes %zu argument%s", name, args->count,
                       args->count == 1 ? "" : "s");
            ex->failed = true;
        }
        return false;
    }
    if (on_call_chain(ex, macro)) {
        struct diag_entry *entry =
            diag_error(ex->diag, expr->loc, "macro %s calls itself", macro->name);
        diag_hint(entry, "recursive macros are not supported: macros are expanded in place");
        ex->failed = true;
        return true;
    }
    expand_list(ex, args, depth + 1);
    if (ex->too_deep)
        return true; /* the arguments stay in the tree, too deep, for the check to find */
    if (!check_args(ex, macro, args, expr->loc)) {
        ex->failed = true;
        return true;
    }
    *expr = *instantiate(ex, macro, args, expr->loc, depth);
    return true;
}

static bool check_duplicates(struct expander *ex)
{
    for (size_t i = 0; i < ex->macros->count; i++) {
        struct ast_macro *macro = vec_get(ex->macros, i);
        for (size_t j = 0; j < i; j++) {
            struct ast_macro *earlier = vec_get(ex->macros, j);
            if (strcmp(macro->name, earlier->name) == 0 &&
                macro->params.count == earlier->params.count) {
                diag_error(ex->diag, macro->loc,
                           "macro %s with %zu parameter%s is already defined at line %d",
                           macro->name, macro->params.count, macro->params.count == 1 ? "" : "s",
                           earlier->loc.line);
                return false;
            }
        }
    }
    return true;
}

/* Sets *too_deep when the walk stopped at the cap without an error. */
static int expand_program(struct ast_program *program, struct arena *arena, struct diag *diag,
                          bool *too_deep)
{
    struct expander ex = {.arena = arena, .diag = diag, .macros = &program->macros};
    if (!check_duplicates(&ex))
        return -EINVAL;
    for (size_t i = 0; i < program->probes.count && !ex.failed; i++) {
        struct ast_probe *probe = vec_get(&program->probes, i);
        expand_expr(&ex, probe->predicate, 0);
        expand_stmt(&ex, probe->body, 0);
    }
    for (size_t i = 0; i < program->functions.count && !ex.failed; i++)
        expand_stmt(&ex, ((struct ast_function *)vec_get(&program->functions, i))->body, 0);
    vec_free(&ex.active);
    *too_deep = ex.too_deep;
    return ex.failed ? -EINVAL : 0;
}

int ast_expand_macros(struct ast_program *program, struct arena *arena, struct diag *diag)
{
    bool too_deep = false;
    int err = program->macros.count > 0 ? expand_program(program, arena, diag, &too_deep) : 0;
    if (err && !too_deep)
        return err;
    /* Each macro and call site may be shallow enough and the expansion not:
     * `m(m(1))` puts one body's depth under the other's. A walk stopped at
     * the cap left its too-deep part in the tree, so this reports it. */
    if (ast_check_nesting(program, diag) != 0 || too_deep)
        return -EINVAL;
    return 0;
}
