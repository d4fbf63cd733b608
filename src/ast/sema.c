#include "ast/sema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ast/sema_internal.h"
#include "ast/sema_maps.h"
#include "probes/probe.h"

const struct type *sema_storage_type(const struct type *type)
{
    if (type->kind == TYPE_INT)
        return type_widened(type); /* enums keep their names */
    return type;
}

/* Two uses of one map or variable agree when they have the same shape;
 * strings of different sizes merge to the larger (a literal key next to comm). */
const struct type *sema_merge_types(struct arena *arena, const struct type *a,
                                    const struct type *b)
{
    if (a->kind == TYPE_STRING && b->kind == TYPE_STRING)
        return a->size >= b->size ? a : b;
    if (a->kind == TYPE_INT && b->kind == TYPE_INT) {
        /* Both uses agree: the first one's type, an enum's names included. */
        if (a->size == 8 && type_equal(a, b))
            return a;
        return a->is_signed && b->is_signed ? a : type_int(8, false);
    }
    if (a->kind == TYPE_TUPLE && b->kind == TYPE_TUPLE && a->field_count == b->field_count) {
        const struct type **elements = arena_alloc(arena, sizeof(*elements) * a->field_count);
        for (unsigned i = 0; i < a->field_count; i++) {
            elements[i] = sema_merge_types(arena, a->fields[i].type, b->fields[i].type);
            if (!elements[i])
                return NULL;
        }
        return type_tuple(arena, elements, a->field_count);
    }
    return type_equal(a, b) ? a : NULL;
}

bool sema_is_condition_type(const struct type *type)
{
    return type_is_integer(type) || type->kind == TYPE_POINTER;
}

struct sema_map *sema_find_map(struct checker *checker, const char *name)
{
    for (size_t i = 0; i < checker->result->maps.count; i++) {
        struct sema_map *map = vec_get(&checker->result->maps, i);
        if (strcmp(map->name, name) == 0)
            return map;
    }
    return NULL;
}

static const struct type *key_type(struct checker *checker, struct ast_expr *map)
{
    struct vec *keys = &map->map.keys;
    if (keys->count == 0)
        return NULL;
    const struct type **elements = arena_alloc(checker->arena, sizeof(*elements) * keys->count);
    for (size_t i = 0; i < keys->count; i++) {
        const struct type *type = sema_check_expr(checker, vec_get(keys, i));
        if (!type)
            return NULL;
        if (type->kind == TYPE_VOID || type_is_aggregation(type)) {
            struct ast_expr *key = vec_get(keys, i);
            diag_error(checker->diag, key->loc, "a value of type %s cannot be a map key",
                       type_name(checker->arena, type));
            return NULL;
        }
        elements[i] = sema_storage_type(type);
    }
    if (keys->count == 1)
        return elements[0];
    return type_tuple(checker->arena, elements, (unsigned)keys->count);
}

static struct sema_map *new_map(struct checker *checker, const char *name,
                                 const struct type *key, struct srcloc loc)
{
    struct sema_map *map = ARENA_NEW(checker->arena, struct sema_map);
    map->name = name;
    map->key = key;
    map->first_loc = loc;
    map->index = (int)checker->result->maps.count;
    vec_push(&checker->result->maps, map);
    return map;
}

struct sema_map *sema_resolve_map(struct checker *checker, struct ast_expr *expr)
{
    const char *name = arena_printf(checker->arena, "@%s", expr->map.name);
    bool has_keys = expr->map.keys.count > 0;
    const struct type *key = has_keys ? key_type(checker, expr) : NULL;
    if (has_keys && !key)
        return NULL;
    struct sema_map *map = sema_find_map(checker, name);
    if (!map) {
        map = new_map(checker, name, key, expr->loc);
    } else if (map->key_pending) {
        /* Named whole (print(@m), a declaration) before this first access. */
        map->key = key;
        map->key_pending = false;
    } else if (map->key || key) {
        const struct type *merged =
            map->key && key ? sema_merge_types(checker->arena, map->key, key) : NULL;
        if (!merged) {
            struct diag_entry *entry = diag_error(
                checker->diag, expr->loc, "%s is used with key %s here but with key %s at line %d",
                name, key ? type_name(checker->arena, key) : "(none)",
                map->key ? type_name(checker->arena, map->key) : "(none)", map->first_loc.line);
            diag_hint(entry, "every use of a map must have keys of the same types");
            return NULL;
        }
        map->key = merged;
    }
    expr->map.symbol = map;
    return map;
}

/* Innermost first: checker->variables is a stack of the visible scopes. */
static struct sema_variable *find_variable(struct checker *checker, const char *name)
{
    for (size_t i = checker->variables.count; i-- > 0;) {
        struct sema_variable *variable = vec_get(&checker->variables, i);
        if (strcmp(variable->name, name) == 0)
            return variable;
    }
    return NULL;
}

/* Reading a variable: it must have been assigned earlier in the probe. */
const struct type *sema_check_variable(struct checker *checker, struct ast_expr *expr)
{
    struct sema_variable *variable = find_variable(checker, expr->variable.name);
    bool failed = false;
    if (!variable && !(variable = sema_scope_revive(checker, expr, &failed)) && failed)
        return NULL;
    if (!variable && sema_scope_failed(checker, expr->variable.name))
        return NULL; /* its assignment's error says it all */
    if (!variable || !variable->type) {
        /* A macro's private variables are "name.macroN": show the written name. */
        const char *name = expr->variable.name;
        int length = (int)strcspn(name, ".");
        struct diag_entry *entry = diag_error(
            checker->diag, expr->loc, "variable $%.*s is used before it is assigned", length, name);
        if (variable) /* `let $x;` that nothing assigns: no type to read it as */
            diag_hint(entry, "nothing is assigned to $%.*s; give it a type: let $%.*s: int64;",
                      length, name, length, name);
        return NULL;
    }
    expr->variable.symbol = variable;
    sema_scope_note_read(checker, expr);
    return variable->type;
}

struct sema_variable *sema_find_variable(struct checker *checker, const char *name)
{
    return find_variable(checker, name);
}

const struct type *sema_signed_after_subtraction(const struct type *type)
{
    if (type->kind != TYPE_INT || type->is_signed || type->enumerator_count)
        return type;
    return type_int(8, true);
}

/* `p += n`, `p -= n` move a pointer by n elements, as `p + n` does. */
static bool moves_pointer(const struct ast_stmt *stmt, const struct type *target)
{
    enum ast_assign_op op = stmt->assign.op;
    return target && target->kind == TYPE_POINTER && (op == ASSIGN_ADD || op == ASSIGN_SUB);
}

static bool assign_variable(struct checker *checker, struct ast_stmt *stmt,
                            const struct type *value)
{
    struct ast_expr *target = stmt->assign.target;
    struct sema_variable *variable = find_variable(checker, target->variable.name);
    const struct type *stored = sema_storage_type(value);
    bool failed = false;
    if (!variable && stmt->assign.op != ASSIGN_PLAIN) {
        /* `$x += 1` reads $x */
        variable = sema_scope_revive(checker, target, &failed);
        if (!variable) {
            if (!failed)
                diag_error(checker->diag, target->loc, "variable $%s is used before it is assigned",
                           target->variable.name);
            return false;
        }
    }
    if (!variable && !(variable = sema_scope_reuse(checker, target->variable.name, stored))) {
        variable = ARENA_NEW(checker->arena, struct sema_variable);
        variable->name = target->variable.name;
        variable->type = stored;
        variable->first_loc = target->loc;
        vec_push(&checker->variables, variable);
        sema_scope_note_implicit(checker, variable);
    } else if (!variable->type) {
        variable->type = stored; /* `let $x;` takes the type of its first assignment */
    } else if (moves_pointer(stmt, variable->type)) {
        /* the integer is an element count; $x stays a pointer */
    } else if (!(type_is_integer(variable->type) && type_is_integer(stored)) &&
               !(variable->type->kind == TYPE_STRING && stored->kind == TYPE_STRING) &&
               !type_equal(variable->type, stored)) {
        diag_error(checker->diag, stmt->assign.value->loc,
                   "$%s holds %s (from line %d) and cannot be assigned %s", variable->name,
                   type_name(checker->arena, variable->type), variable->first_loc.line,
                   type_name(checker->arena, value));
        return false;
    }
    if (stmt->assign.op == ASSIGN_SUB)
        variable->type = sema_signed_after_subtraction(variable->type);
    target->variable.symbol = variable;
    target->type = variable->type;
    sema_scope_note_assigned(checker, variable);
    return true;
}

static bool is_aggregation_call(const struct ast_expr *value)
{
    return value->kind == EXPR_CALL && sema_is_aggregation_name(value->call.name);
}

static bool assign_map(struct checker *checker, struct ast_stmt *stmt, const struct type *value)
{
    struct ast_expr *target = stmt->assign.target;
    struct sema_map *map = sema_resolve_map(checker, target);
    if (!map)
        return false;
    bool aggregation = type_is_aggregation(value);
    const struct type *stored = sema_storage_type(value);
    if (stmt->assign.op != ASSIGN_PLAIN && !map->value)
        stored = type_int(8, true); /* `@x += 1` on a new map starts from integer 0 */
    if (!map->value) {
        map->value = stored;
        map->per_cpu = aggregation;
        map->first_loc = target->loc;
    } else if (moves_pointer(stmt, map->value) && !aggregation) {
        /* the integer is an element count; the map keeps its pointers */
    } else if (aggregation != map->per_cpu ||
               !(stored = sema_merge_types(checker->arena, map->value, stored))) {
        diag_error(checker->diag, stmt->assign.value->loc,
                   "%s holds %s (from line %d) and cannot be assigned %s", map->name,
                   type_name(checker->arena, map->value), map->first_loc.line,
                   type_name(checker->arena, value));
        return false;
    } else {
        map->value = stored;
    }
    if (stmt->assign.op != ASSIGN_PLAIN && !type_is_integer(map->value) &&
        !moves_pointer(stmt, map->value)) {
        diag_error(checker->diag, target->loc, "%s holds %s: %s needs an integer", map->name,
                   type_name(checker->arena, map->value), ast_assign_op_text(stmt->assign.op));
        return false;
    }
    if (stmt->assign.op == ASSIGN_SUB)
        map->value = sema_signed_after_subtraction(map->value);
    target->type = map->value;
    return !aggregation || sema_record_hist_shape(checker, map, stmt->assign.value);
}

static bool check_assign_value(struct checker *checker, struct ast_stmt *stmt);

static bool check_assign(struct checker *checker, struct ast_stmt *stmt)
{
    if (check_assign_value(checker, stmt))
        return true;
    sema_scope_note_failed(checker, stmt->assign.target);
    return false;
}

static bool check_assign_value(struct checker *checker, struct ast_stmt *stmt)
{
    struct ast_expr *target = stmt->assign.target;
    struct ast_expr *value_expr = stmt->assign.value;
    if (is_aggregation_call(value_expr) &&
        (target->kind != EXPR_MAP || stmt->assign.op != ASSIGN_PLAIN)) {
        diag_error(checker->diag, value_expr->loc, "%s() can only be assigned to a map",
                   value_expr->call.name);
        return false;
    }
    const struct type *value = sema_check_expr(checker, value_expr);
    if (!value)
        return false;
    if (value->kind == TYPE_VOID) {
        diag_error(checker->diag, value_expr->loc, "this expression has no value to assign");
        return false;
    }
    if (stmt->assign.op != ASSIGN_PLAIN && !type_is_integer(value)) {
        diag_error(checker->diag, value_expr->loc, "%s needs an integer, got %s",
                   ast_assign_op_text(stmt->assign.op), type_name(checker->arena, value));
        return false;
    }
    if (target->kind == EXPR_VARIABLE)
        return assign_variable(checker, stmt, value);
    if (target->kind == EXPR_MAP)
        return assign_map(checker, stmt, value);
    diag_error(checker->diag, target->loc, "only $variables and @maps can be assigned to");
    return false;
}

static bool check_condition(struct checker *checker, struct ast_expr *condition)
{
    const struct type *type = sema_check_expr(checker, condition);
    if (!type)
        return false;
    if (!sema_is_condition_type(type)) {
        diag_error(checker->diag, condition->loc, "a condition must be an integer, got %s",
                   type_name(checker->arena, type));
        return false;
    }
    return true;
}

static bool check_stmt(struct checker *checker, struct ast_stmt *stmt);

/* Variables first assigned or declared in a block end with it (bpftrace 0.22+);
 * sema_scope.c keeps the assigned ones reachable for bpftrace 0.21 scripts. */
static bool check_block(struct checker *checker, struct ast_stmt *block)
{
    size_t scope = checker->variables.count;
    bool ok = true;
    for (size_t i = 0; i < block->block.statements.count; i++)
        ok &= check_stmt(checker, vec_get(&block->block.statements, i));
    sema_scope_end(checker, scope);
    return ok;
}

static bool check_for_map(struct checker *checker, struct ast_stmt *stmt)
{
    size_t floor = sema_scope_enter_callback(checker);
    bool ok = sema_check_for_map(checker, stmt);
    sema_scope_leave_callback(checker, floor);
    return ok;
}

bool sema_check_stmt(struct checker *checker, struct ast_stmt *stmt)
{
    return check_stmt(checker, stmt);
}

static bool check_loop_body(struct checker *checker, struct ast_stmt *body)
{
    checker->loop_depth++;
    bool ok = check_stmt(checker, body);
    checker->loop_depth--;
    return ok;
}

static bool check_unroll(struct checker *checker, struct ast_stmt *stmt)
{
    struct ast_expr *count = stmt->unroll.count;
    if (count->kind == EXPR_POSITIONAL || count->kind == EXPR_POSITIONAL_COUNT)
        sema_check_expr(checker, count); /* rewrites $1 into its literal */
    if (count->kind != EXPR_INTEGER || count->integer.value < 1 || count->integer.value > 100) {
        diag_error(checker->diag, count->loc, "unroll needs a constant count from 1 to 100");
        return false;
    }
    count->type = type_int(8, true);
    return check_loop_body(checker, stmt->unroll.body);
}

static bool check_stmt(struct checker *checker, struct ast_stmt *stmt)
{
    switch (stmt->kind) {
    case STMT_EXPR:
        if (is_aggregation_call(stmt->expr.expr)) {
            diag_error(checker->diag, stmt->expr.expr->loc,
                       "%s() can only be assigned to a map: @name = %s()",
                       stmt->expr.expr->call.name, stmt->expr.expr->call.name);
            return false;
        }
        return sema_check_expr(checker, stmt->expr.expr) != NULL;
    case STMT_ASSIGN:
        return check_assign(checker, stmt);
    case STMT_IF: {
        bool ok = check_condition(checker, stmt->if_stmt.condition);
        ok &= check_stmt(checker, stmt->if_stmt.then_branch);
        if (stmt->if_stmt.else_branch)
            ok &= check_stmt(checker, stmt->if_stmt.else_branch);
        return ok;
    }
    case STMT_BLOCK:
        return check_block(checker, stmt);
    case STMT_WHILE:
        return check_condition(checker, stmt->while_stmt.condition) &
               check_loop_body(checker, stmt->while_stmt.body);
    case STMT_UNROLL:
        return check_unroll(checker, stmt);
    case STMT_LET:
        return sema_check_let(checker, stmt);
    case STMT_FOR:
        return sema_check_for(checker, stmt);
    case STMT_FOR_MAP:
        return check_for_map(checker, stmt);
    case STMT_BREAK:
    case STMT_CONTINUE:
        if (checker->loop_depth == 0) {
            diag_error(checker->diag, stmt->loc, "%s outside of a loop",
                       stmt->kind == STMT_BREAK ? "break" : "continue");
            return false;
        }
        return true;
    case STMT_RETURN:
        if (checker->function)
            return sema_check_subprogram_return(checker, stmt);
        if (stmt->return_stmt.value) {
            diag_error(checker->diag, stmt->return_stmt.value->loc,
                       "a probe returns no value: write `return;`");
            return false;
        }
        return true;
    }
    return true;
}

static void check_variant(struct checker *checker, struct ast_probe *probe,
                          struct ast_variant *variant)
{
    checker->probe = probe;
    checker->variant = variant;
    checker->variables.count = 0;
    checker->loop_depth = 0;
    sema_scope_reset(checker);
    if (variant->predicate)
        check_condition(checker, variant->predicate);
    check_stmt(checker, variant->body);
}

static void run_pass(struct checker *checker, struct ast_program *program)
{
    checker->unassigned_lets.count = 0;
    sema_check_subprograms(checker, program);
    for (size_t i = 0; i < program->probes.count; i++) {
        struct ast_probe *probe = vec_get(&program->probes, i);
        for (size_t j = 0; j < probe->variants.count; j++)
            check_variant(checker, probe, vec_get(&probe->variants, j));
    }
}

/* Maps that are read but never written have no type to print or store. */
static void check_maps_typed(struct checker *checker)
{
    for (size_t i = 0; i < checker->result->maps.count; i++) {
        struct sema_map *map = vec_get(&checker->result->maps, i);
        if (!map->value) {
            struct diag_entry *entry =
                diag_error(checker->diag, map->first_loc, "%s is read but never assigned", map->name);
            diag_hint(entry, "assign it somewhere, e.g. %s = 0, or check the name", map->name);
        }
    }
}

int sema_check_program(struct ast_program *program, const struct sema_options *options,
                       struct arena *arena, struct sema_result *result, struct diag *diag)
{
    struct diag scratch;
    diag_init(&scratch, diag->filename, diag->source);
    struct checker checker = {
        .arena = arena, .diag = diag, .options = options, .result = result};
    if (sema_types_begin(&checker, program, diag) < 0 || !sema_declare_maps(&checker, program) ||
        !sema_declare_subprograms(&checker, program)) {
        diag_free(&scratch);
        return -EINVAL;
    }
    checker.diag = &scratch;
    sema_scope_begin(&checker, program);
    run_pass(&checker, program);
    diag_free(&scratch);

    checker.diag = diag;
    checker.final_pass = true;
    int errors_before = diag->error_count;
    run_pass(&checker, program);
    sema_scope_warn_early_reads(&checker);
    if (diag->error_count == errors_before)
        check_maps_typed(&checker);
    if (diag->error_count == errors_before)
        sema_check_declared_maps(&checker);
    vec_free(&checker.variables);
    vec_free(&checker.implicit_variables);
    vec_free(&checker.ended_variables);
    vec_free(&checker.failed_variables);
    vec_free(&checker.unassigned_lets);
    vec_free(&checker.early_reads);
    vec_free(&checker.non_reads);
    return diag->error_count > errors_before ? -EINVAL : 0;
}

void sema_result_free(struct sema_result *result)
{
    vec_free(&result->maps);
    vec_free(&result->printfs);
}
