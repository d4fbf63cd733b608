/* statements.c: node builders for the grammar's newer forms: declarations,
 * range loops, the Elvis operator, config entries and macro definitions. */
#include <inttypes.h>

#include "front/front_internal.h"

static struct ast_expr *variable(struct front_state *state, const char *name, struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_VARIABLE, loc);
    expr->variable.name = name;
    return expr;
}

struct ast_stmt *front_let(struct front_state *state, char *name, struct srcloc name_loc,
                           char *type_text, struct srcloc type_loc, struct ast_expr *value,
                           struct srcloc loc)
{
    struct ast_stmt *stmt = ast_stmt_new(state->arena, STMT_LET, loc);
    stmt->let.variable = variable(state, name, name_loc);
    stmt->let.type_text = type_text;
    stmt->let.type_loc = type_loc;
    stmt->let.value = value;
    return stmt;
}

struct ast_stmt *front_for(struct front_state *state, char *name, struct srcloc name_loc,
                           struct ast_expr *start, struct ast_expr *end, struct ast_stmt *body,
                           struct srcloc loc)
{
    struct ast_stmt *stmt = ast_stmt_new(state->arena, STMT_FOR, loc);
    stmt->for_range.variable = variable(state, name, name_loc);
    stmt->for_range.start = start;
    stmt->for_range.end = end;
    stmt->for_range.body = body;
    return stmt;
}

struct ast_stmt *front_for_map(struct front_state *state, char *name, struct srcloc name_loc,
                               struct ast_expr *map, struct ast_stmt *body, struct srcloc loc)
{
    if (map->kind != EXPR_MAP || map->map.keys.count != 0) {
        struct diag_entry *entry =
            diag_error(state->diag, map->loc, "a for loop goes over a map or a range");
        diag_hint(entry, "write `for ($kv : @map)` or `for ($i : 0..10)`");
        return NULL;
    }
    struct ast_stmt *stmt = ast_stmt_new(state->arena, STMT_FOR_MAP, loc);
    stmt->for_map.variable = variable(state, name, name_loc);
    stmt->for_map.map = map;
    stmt->for_map.body = body;
    return stmt;
}

/* The value is the last statement when it is an expression written without
 * ';' (as for macros); without one the block has no value, which the type
 * checker reports where it is assigned. */
struct ast_expr *front_block_value(struct front_state *state, struct ast_stmt *block,
                                   struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_BLOCK, loc);
    struct vec *statements = &block->block.statements;
    struct ast_stmt *last = statements->count ? vec_get(statements, statements->count - 1) : NULL;
    if (last && last == state->unterminated && last->kind == STMT_EXPR) {
        expr->block.value = last->expr.expr;
        statements->count--;
    }
    expr->block.body = block;
    return expr;
}

/* { let $__elvisN = value; $__elvisN ? $__elvisN : fallback }: the names start
 * with "__" and a number the script cannot have chosen in the same parse. */
struct ast_expr *front_elvis(struct front_state *state, struct ast_expr *value,
                             struct ast_expr *fallback, struct srcloc loc)
{
    const char *name = arena_printf(state->arena, "__elvis%d", ++state->hidden_variables);
    struct ast_stmt *let = ast_stmt_new(state->arena, STMT_LET, value->loc);
    let->let.variable = variable(state, name, value->loc);
    let->let.value = value;
    struct ast_stmt *body = ast_stmt_new(state->arena, STMT_BLOCK, loc);
    vec_push(&body->block.statements, let);

    struct ast_expr *choice = ast_expr_new(state->arena, EXPR_TERNARY, loc);
    choice->ternary.condition = variable(state, name, value->loc);
    choice->ternary.then_value = variable(state, name, value->loc);
    choice->ternary.else_value = fallback;
    struct ast_expr *block = ast_expr_new(state->arena, EXPR_BLOCK, loc);
    block->block.body = body;
    block->block.value = choice;
    return block;
}

struct ast_expr *front_tuple_of(struct front_state *state, struct ast_expr *first, struct vec *rest,
                                struct srcloc loc)
{
    struct vec *elements = front_list(state, first);
    for (size_t i = 0; i < rest->count; i++)
        vec_push(elements, vec_get(rest, i));
    vec_free(rest);
    return front_tuple(state, elements, loc);
}

static struct ast_config_entry *config_entry(struct front_state *state, char *key,
                                             struct srcloc loc, struct srcloc value_loc)
{
    struct ast_config_entry *entry = ARENA_NEW(state->arena, struct ast_config_entry);
    entry->key = key;
    entry->loc = loc;
    entry->value_loc = value_loc;
    vec_push(&state->program->config, entry);
    return entry;
}

void front_config_number(struct front_state *state, char *key, uint64_t value, struct srcloc loc,
                         struct srcloc value_loc)
{
    struct ast_config_entry *entry = config_entry(state, key, loc, value_loc);
    entry->is_number = true;
    entry->number = value;
    entry->text = arena_printf(state->arena, "%" PRIu64, value);
}

void front_config_text(struct front_state *state, char *key, char *value, struct srcloc loc,
                       struct srcloc value_loc)
{
    config_entry(state, key, loc, value_loc)->text = value;
}

/* The value is the block's last statement when it is an expression written
 * without ';' (the grammar remembers that statement in state->unterminated). */
void front_add_macro(struct front_state *state, char *name, struct vec *params,
                     struct ast_stmt *body, struct srcloc loc)
{
    struct ast_macro *macro = ARENA_NEW(state->arena, struct ast_macro);
    macro->name = name;
    if (params)
        macro->params = *params;
    macro->body = body;
    macro->loc = loc;
    struct vec *statements = &body->block.statements;
    struct ast_stmt *last = statements->count ? vec_get(statements, statements->count - 1) : NULL;
    if (last && last == state->unterminated && last->kind == STMT_EXPR) {
        macro->value = last->expr.expr;
        statements->count--;
    }
    vec_push(&state->program->macros, macro);
}

void front_add_function(struct front_state *state, char *name, struct srcloc loc,
                        struct vec *params, char *return_type, struct srcloc return_type_loc,
                        struct ast_stmt *body)
{
    struct ast_function *function = ARENA_NEW(state->arena, struct ast_function);
    function->name = name;
    function->loc = loc;
    if (params)
        function->params = *params;
    function->return_type_text = return_type;
    function->return_type_loc = return_type_loc;
    function->body = body;
    vec_push(&state->program->functions, function);
}
