/* sema_formap.c: `for ($kv : @map) { ... }`, and the bodies of range loops
 * that run as bpf_loop callbacks like it (sema_for_range_needs_callback).
 *
 * `$kv` is the tuple (key, value): the key is a tuple itself for a map with
 * several keys; the value of a count/sum/min/max map is its total over the
 * CPUs, as when a probe reads `@m[k]`. The body becomes a BPF subprogram
 * (codegen/formap.c), so it cannot reach the probe's context (args, argN,
 * retval, stacks), and the variables of the probe it uses are recorded here
 * as its captures: codegen hands them over by reference. */
#include <string.h>

#include "ast/sema_functions.h"
#include "ast/sema_loops.h"
#include "ast/sema_maps.h"

/* Iterable values: what the probe could read from `@m[k]`. */
static const struct type *value_type(struct checker *checker, struct sema_map *map,
                                     struct ast_expr *target)
{
    if (!map->per_cpu)
        return map->value;
    switch (map->value->kind) {
    case TYPE_COUNT:
    case TYPE_SUM:
    case TYPE_MIN:
    case TYPE_MAX:
        return sema_read_aggregation(checker, map, target);
    default: {
        struct diag_entry *entry =
            diag_error(checker->diag, target->loc, "a for loop cannot go over %s, which holds %s",
                       map->name, type_name(checker->arena, map->value));
        diag_hint(entry, "loops go over maps of values, count(), sum(), min() or max()");
        return NULL;
    }
    }
}

/* The (key, value) tuple, or NULL: with a message in the final pass, and
 * silently in the first, where the map may be assigned only further on. */
static const struct type *pair_type(struct checker *checker, struct ast_expr *target)
{
    const char *name = arena_printf(checker->arena, "@%s", target->map.name);
    struct sema_map *map = sema_find_map(checker, name);
    if (!map || !map->value || map->key_pending) {
        if (checker->final_pass)
            diag_error(checker->diag, target->loc, "%s is never assigned", name);
        return NULL;
    }
    target->map.symbol = map;
    target->type = &type_void;
    if (!map->key) {
        struct diag_entry *entry = diag_error(
            checker->diag, target->loc, "a for loop needs a map with keys; %s has none", name);
        diag_hint(entry, "read it directly: %s", name);
        return NULL;
    }
    const struct type *value = value_type(checker, map, target);
    if (!value)
        return NULL;
    const struct type *elements[] = {map->key, sema_storage_type(value)};
    return type_tuple(checker->arena, elements, 2);
}

struct body_scan {
    struct checker *checker;
    struct ast_stmt *loop; /* a for_map loop, whose captures are collected, or NULL */
    size_t outer_count;    /* variables declared before the loop */
    bool ok;
};

static bool is_outer(const struct body_scan *scan, const struct sema_variable *variable)
{
    for (size_t i = 0; i < scan->outer_count; i++)
        if (vec_get(&scan->checker->variables, i) == variable)
            return true;
    return false;
}

static void capture(struct body_scan *scan, struct sema_variable *variable)
{
    struct vec *captures = &scan->loop->for_map.captures;
    for (size_t i = 0; i < captures->count; i++)
        if (vec_get(captures, i) == variable)
            return;
    vec_push(captures, variable);
}

static bool needs_probe_context(const struct ast_expr *expr)
{
    if (expr->kind == EXPR_IDENTIFIER) {
        switch (expr->identifier.builtin) {
        case BUILTIN_ARGS:
        case BUILTIN_ARG:
        case BUILTIN_RETVAL:
        case BUILTIN_KSTACK:
        case BUILTIN_USTACK:
            return true;
        default:
            return false;
        }
    }
    /* uaddr() of a relocated binary and usermode() read the probe's registers. */
    return expr->kind == EXPR_CALL &&
           (expr->call.function == FUNCTION_KSTACK || expr->call.function == FUNCTION_USTACK ||
            expr->call.function == FUNCTION_UADDR ||
            expr->call.function == (enum sema_function)FUNCTION_USERMODE);
}

static bool scan_expr(struct ast_expr *expr, void *context)
{
    struct body_scan *scan = context;
    if (scan->loop && expr->kind == EXPR_VARIABLE && expr->variable.symbol &&
        is_outer(scan, expr->variable.symbol))
        capture(scan, expr->variable.symbol);
    if (needs_probe_context(expr) && scan->ok) {
        const char *name = expr->kind == EXPR_CALL ? expr->call.name : expr->identifier.name;
        struct diag_entry *entry;
        if (scan->loop) {
            entry = diag_error(scan->checker->diag, expr->loc,
                               "%s cannot be used in a for loop over a map", name);
            diag_hint(entry, "the loop body runs as a separate BPF function, without the probe's "
                             "context: read it into a variable before the loop");
        } else {
            entry = diag_error(scan->checker->diag, expr->loc,
                               "%s cannot be used in a for loop whose range is not a constant "
                               "of at most %d values",
                               name, SEMA_INLINE_RANGE_MAX);
            diag_hint(entry, "such a loop body runs as a separate BPF function (bpf_loop), "
                             "without the probe's context: read it into a variable before the "
                             "loop");
        }
        scan->ok = false;
    }
    return true;
}

bool sema_check_for_map(struct checker *checker, struct ast_stmt *stmt)
{
    struct ast_expr *variable = stmt->for_map.variable;
    stmt->for_map.captures.count = 0; /* each pass collects them again */
    const struct type *pair = pair_type(checker, stmt->for_map.map);
    if (!pair)
        return !checker->final_pass;
    struct sema_variable *existing = sema_find_variable(checker, variable->variable.name);
    if (existing) {
        struct diag_entry *entry =
            diag_error(checker->diag, variable->loc, "variable $%s is already declared",
                       variable->variable.name);
        diag_hint(entry, "$%s was first declared at line %d; variable shadowing is not allowed",
                  variable->variable.name, existing->first_loc.line);
        return false;
    }
    size_t scope = checker->variables.count;
    struct sema_variable *declared = ARENA_NEW(checker->arena, struct sema_variable);
    declared->name = variable->variable.name;
    declared->type = pair;
    declared->first_loc = variable->loc;
    vec_push(&checker->variables, declared);
    variable->variable.symbol = declared;
    variable->type = pair;

    checker->loop_depth++;
    bool ok = sema_check_stmt(checker, stmt->for_map.body);
    checker->loop_depth--;
    struct body_scan scan = {checker, stmt, scope, ok};
    if (ok)
        ast_walk_stmt(stmt->for_map.body, scan_expr, &scan);
    checker->variables.count = scope;
    return scan.ok;
}

/* Literal bounds (positional parameters are literals by now): the verifier
 * can walk a short loop pass by pass; a bound known only at run time leaves
 * it an unbounded counter, and a long loop too many states. */
bool sema_for_range_needs_callback(const struct ast_stmt *stmt)
{
    const struct ast_expr *start = stmt->for_range.start, *end = stmt->for_range.end;
    if (start->kind != EXPR_INTEGER || end->kind != EXPR_INTEGER)
        return true;
    int64_t first = (int64_t)start->integer.value, last = (int64_t)end->integer.value;
    return last > first && (uint64_t)last - (uint64_t)first > SEMA_INLINE_RANGE_MAX;
}

/* A `return` in a callback cannot hand a value to the fn inlined around it. */
static const struct ast_stmt *find_return(const struct ast_stmt *stmt)
{
    if (!stmt)
        return NULL;
    const struct ast_stmt *found = NULL;
    switch (stmt->kind) {
    case STMT_RETURN:
        return stmt;
    case STMT_BLOCK:
        for (size_t i = 0; i < stmt->block.statements.count && !found; i++)
            found = find_return(vec_get(&stmt->block.statements, i));
        return found;
    case STMT_IF:
        found = find_return(stmt->if_stmt.then_branch);
        return found ? found : find_return(stmt->if_stmt.else_branch);
    case STMT_WHILE:
        return find_return(stmt->while_stmt.body);
    case STMT_UNROLL:
        return find_return(stmt->unroll.body);
    case STMT_FOR:
        return find_return(stmt->for_range.body);
    case STMT_FOR_MAP:
        return find_return(stmt->for_map.body);
    default:
        return NULL;
    }
}

bool sema_check_range_callback(struct checker *checker, struct ast_stmt *stmt)
{
    size_t scope = checker->variables.count - 1; /* the counter is the body's own */
    size_t floor = sema_scope_enter_callback(checker);
    bool ok = sema_check_stmt(checker, stmt->for_range.body);
    sema_scope_leave_callback(checker, floor);
    struct body_scan scan = {checker, NULL, scope, ok};
    if (ok)
        ast_walk_stmt(stmt->for_range.body, scan_expr, &scan);
    const struct ast_stmt *inner_return =
        checker->function && scan.ok ? find_return(stmt->for_range.body) : NULL;
    if (inner_return) {
        struct diag_entry *entry =
            diag_error(checker->diag, inner_return->loc,
                       "a fn cannot return from inside a for loop whose range is not a "
                       "constant of at most %d values",
                       SEMA_INLINE_RANGE_MAX);
        diag_hint(entry, "keep the result in a variable, `break`, and return after the loop");
        return false;
    }
    return scan.ok;
}
