/* sema_scope.c: declarations (`let`), range loops (`for ($i : a..b)`) and
 * block expressions, which all open or fill a variable scope.
 *
 * Scopes follow bpftrace 0.22+: a variable declared or first assigned in a
 * block is visible to the end of that block only, and a declaration may not
 * shadow a variable that is already visible; the one exception, for scripts
 * written for bpftrace 0.21 and earlier, is at the end of this file. */
#include <stdlib.h>
#include <string.h>

#include "ast/sema_functions.h"
#include "ast/sema_internal.h"
#include "ast/sema_loops.h"

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
const struct type *sema_written_type(struct checker *checker, const char *text,
                                     struct srcloc loc)
{
    if (strcmp(text, "string") == 0)
        return type_string(checker->arena, checker->options->max_strlen);
    if (strncmp(text, "string[", 7) == 0) {
        char *end = NULL;
        unsigned long size = strtoul(text + 7, &end, 10);
        /* Out of range: the cast below says what is wrong, where. */
        if (size > 0 && size <= SEMA_STRING_CAST_MAX && end && strcmp(end, "]") == 0)
            return type_string(checker->arena, (unsigned)size);
    }
    struct ast_expr *zero = ast_expr_new(checker->arena, EXPR_INTEGER, loc);
    struct ast_expr *cast = ast_expr_new(checker->arena, EXPR_CAST, loc);
    cast->cast.type_text = text;
    cast->cast.type_loc = loc;
    cast->cast.operand = zero;
    return sema_check_expr(checker, cast);
}

bool sema_type_accepts(const struct type *declared, const struct type *value)
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
    if (stmt->let.type_text &&
        !(type = sema_written_type(checker, stmt->let.type_text, stmt->let.type_loc)))
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
        if (type && !sema_type_accepts(type, value)) {
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
    if (!type)
        type = variable->type; /* what the previous pass's first assignment stored */
    declare(checker, variable, type ? sema_storage_type(type) : NULL);
    if (!value)
        vec_push(&checker->unassigned_lets, stmt);
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
    ok = sema_for_range_needs_callback(stmt) ? sema_check_range_callback(checker, stmt)
                                             : sema_check_stmt(checker, stmt->for_range.body);
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
    sema_scope_end(checker, scope);
    return type;
}

/* ---- bpftrace <=0.21 scripts: variables that outlive their block ----------
 *
 * Until bpftrace 0.21 a variable lived for the whole probe, so old scripts
 * (tcpdrop.bt, tcpretrans.bt...) assign $x in both branches of an if and read
 * it after the if. bpftrace 0.22+ rejects that read ("Undefined or undeclared
 * variable"); sonde keeps such scripts running: a read that finds no visible
 * $x takes the $x a plain assignment created in a block that has ended, with a
 * warning. Its slot is zeroed when the probe starts, so it reads 0 where no
 * assignment ran, as it did in bpftrace 0.21. Variables from `let` and loop
 * counters stay block-scoped: no old script has them. A plain assignment after
 * the block goes on using the ended $x when the value fits, so the branches and
 * the code after them share one slot. */

void sema_scope_reset(struct checker *checker)
{
    checker->implicit_variables.count = 0;
    checker->ended_variables.count = 0;
    checker->ended_floor = 0;
    checker->failed_variables.count = 0;
    checker->unassigned_lets.count = 0;
}

void sema_scope_note_failed(struct checker *checker, struct ast_expr *target)
{
    if (target->kind == EXPR_VARIABLE)
        vec_push(&checker->failed_variables, (void *)target->variable.name);
}

bool sema_scope_failed(struct checker *checker, const char *name)
{
    for (size_t i = 0; i < checker->failed_variables.count; i++)
        if (strcmp(vec_get(&checker->failed_variables, i), name) == 0)
            return true;
    return false;
}

void sema_scope_note_implicit(struct checker *checker, struct sema_variable *variable)
{
    vec_push(&checker->implicit_variables, variable);
}

static bool contains(const struct vec *vec, size_t from, const void *item)
{
    for (size_t i = from; i < vec->count; i++)
        if (vec_get(vec, i) == item)
            return true;
    return false;
}

void sema_scope_end(struct checker *checker, size_t scope)
{
    /* fn bodies are new-dialect code with their own variables: none outlive a block */
    if (!checker->function) {
        for (size_t i = scope; i < checker->variables.count; i++) {
            struct sema_variable *variable = vec_get(&checker->variables, i);
            if (contains(&checker->implicit_variables, 0, variable) &&
                !contains(&checker->ended_variables, checker->ended_floor, variable))
                vec_push(&checker->ended_variables, variable);
        }
    }
    checker->variables.count = scope;
}

static struct sema_variable *latest_ended(struct checker *checker, const char *name)
{
    if (checker->function)
        return NULL;
    for (size_t i = checker->ended_variables.count; i-- > checker->ended_floor;) {
        struct sema_variable *variable = vec_get(&checker->ended_variables, i);
        if (strcmp(variable->name, name) == 0)
            return variable;
    }
    return NULL;
}

/* Two ended $x of different types (`$x = 1` in one branch, `$x = "a"` in the
 * other) are two variables: a read after both cannot mean one of them. */
static struct sema_variable *other_ended(struct checker *checker, struct sema_variable *chosen)
{
    for (size_t i = checker->ended_floor; i < checker->ended_variables.count; i++) {
        struct sema_variable *variable = vec_get(&checker->ended_variables, i);
        if (variable != chosen && strcmp(variable->name, chosen->name) == 0)
            return variable;
    }
    return NULL;
}

/* One warning per place, however many probes share the body. */
static void warn_once(struct checker *checker, struct srcloc loc, const char *message,
                      const char *hint)
{
    for (size_t i = 0; i < checker->diag->entries.count; i++) {
        const struct diag_entry *entry = vec_get(&checker->diag->entries, i);
        if (entry->severity == DIAG_WARNING && entry->loc.line == loc.line &&
            entry->loc.column == loc.column && strcmp(entry->message, message) == 0)
            return;
    }
    diag_hint(diag_warning(checker->diag, loc, "%s", message), "%s", hint);
}

static void warn_revived(struct checker *checker, struct ast_expr *use,
                         const struct sema_variable *variable)
{
    const char *name = use->variable.name;
    char *message = arena_printf(checker->arena,
                                 "$%s is used after the block that assigns it (line %d) has ended",
                                 name, variable->first_loc.line);
    char *hint = arena_printf(checker->arena,
                              "it is one variable for the whole probe, as in bpftrace 0.21 (0 "
                              "where no assignment ran); bpftrace 0.22+ needs `let $%s;` before "
                              "the block",
                              name);
    warn_once(checker, use->loc, message, hint);
}

struct sema_variable *sema_scope_revive(struct checker *checker, struct ast_expr *use, bool *failed)
{
    *failed = false;
    struct sema_variable *variable = latest_ended(checker, use->variable.name);
    if (!variable)
        return NULL;
    struct sema_variable *other = other_ended(checker, variable);
    if (other) {
        struct diag_entry *entry = diag_error(
            checker->diag, use->loc,
            "$%s is used after blocks that assign it different types (%s at line %d, %s at "
            "line %d)",
            use->variable.name, type_name(checker->arena, other->type), other->first_loc.line,
            type_name(checker->arena, variable->type), variable->first_loc.line);
        diag_hint(entry, "declare it before those blocks with `let $%s: TYPE;`",
                  use->variable.name);
        *failed = true;
        return NULL;
    }
    vec_push(&checker->variables, variable);
    warn_revived(checker, use, variable);
    return variable;
}

/* Whether `value` can go into the ended variable's slot without changing what
 * a new-dialect script means: integers always, a string no longer than it. */
static bool fits(const struct type *slot, const struct type *value)
{
    if (type_is_integer(slot) && type_is_integer(value))
        return true;
    if (slot->kind == TYPE_STRING && value->kind == TYPE_STRING)
        return value->size <= slot->size;
    return type_equal(slot, value);
}

struct sema_variable *sema_scope_reuse(struct checker *checker, const char *name,
                                       const struct type *stored)
{
    struct sema_variable *variable = latest_ended(checker, name);
    if (!variable || !fits(variable->type, stored))
        return NULL;
    vec_push(&checker->variables, variable);
    return variable;
}

size_t sema_scope_enter_callback(struct checker *checker)
{
    size_t saved = checker->ended_floor;
    checker->ended_floor = checker->ended_variables.count;
    return saved;
}

void sema_scope_leave_callback(struct checker *checker, size_t saved_floor)
{
    checker->ended_variables.count = checker->ended_floor;
    checker->ended_floor = saved_floor;
}

/* ---- `let $x;` read before it is assigned --------------------------------
 *
 * bpftrace reads it as 0 and warns ("used before it was assigned"), in text
 * order, whatever the control flow. Taking its address or its size is no read. */

static struct ast_stmt *unassigned_let(struct checker *checker,
                                       const struct sema_variable *variable, size_t *index)
{
    for (size_t i = 0; i < checker->unassigned_lets.count; i++) {
        struct ast_stmt *let = vec_get(&checker->unassigned_lets, i);
        if (let->let.variable->variable.symbol == variable) {
            *index = i;
            return let;
        }
    }
    return NULL;
}

void sema_scope_note_read(struct checker *checker, struct ast_expr *read)
{
    size_t index;
    if (!checker->final_pass || !unassigned_let(checker, read->variable.symbol, &index) ||
        contains(&checker->early_reads, 0, read) || contains(&checker->non_reads, 0, read))
        return;
    vec_push(&checker->early_reads, read);
}

void sema_scope_note_assigned(struct checker *checker, struct sema_variable *variable)
{
    size_t index;
    struct ast_stmt *let = unassigned_let(checker, variable, &index);
    if (!let)
        return;
    let->let.variable->type = variable->type; /* the next pass declares it with this type */
    struct vec *lets = &checker->unassigned_lets;
    lets->items[index] = lets->items[lets->count - 1];
    lets->count--;
}

static bool collect_operand(struct ast_expr *expr, void *context)
{
    if (expr->kind == EXPR_VARIABLE)
        vec_push(context, expr);
    return true;
}

static bool find_non_reads(struct ast_expr *expr, void *context)
{
    bool address = expr->kind == EXPR_UNARY && expr->unary.op == OP_ADDRESS_OF;
    if (!address && expr->kind != EXPR_SIZEOF)
        return true;
    ast_walk_expr(address ? expr->unary.operand : expr->size_of.operand, collect_operand, context);
    return false;
}

/* Before the passes: sizeof(x) becomes an integer once typed, losing its operand. */
void sema_scope_begin(struct checker *checker, struct ast_program *program)
{
    struct vec *non_reads = &checker->non_reads;
    for (size_t i = 0; i < program->functions.count; i++) {
        struct ast_function *function = vec_get(&program->functions, i);
        ast_walk_stmt(function->body, find_non_reads, non_reads);
    }
    for (size_t i = 0; i < program->probes.count; i++) {
        struct ast_probe *probe = vec_get(&program->probes, i);
        for (size_t j = 0; j < probe->variants.count; j++) {
            struct ast_variant *variant = vec_get(&probe->variants, j);
            ast_walk_expr(variant->predicate, find_non_reads, non_reads);
            ast_walk_stmt(variant->body, find_non_reads, non_reads);
        }
    }
}

void sema_scope_warn_early_reads(struct checker *checker)
{
    for (size_t i = 0; i < checker->early_reads.count; i++) {
        struct ast_expr *read = vec_get(&checker->early_reads, i);
        const char *name = read->variable.name;
        char *message = arena_printf(checker->arena, "$%.*s is read before it is assigned",
                                     (int)strcspn(name, "."), name);
        warn_once(checker, read->loc, message, "it reads 0 (or an empty string) here");
    }
    checker->early_reads.count = 0;
}
