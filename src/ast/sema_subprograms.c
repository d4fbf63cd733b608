/* sema_subprograms.c: `fn name($a: T, ...): R { ... }` (bpftrace 0.20+).
 *
 * A fn is type-checked once, on its own, not at each call: its body sees its
 * parameters (typed as declared) and the script's maps, never a probe's
 * variables or context (args, argN, retval, probe, func, nargs, stacks),
 * because one body serves every caller. Every `return` is checked against
 * the declared type, and a fn that returns a value must return on every
 * path. Calls are checked for arity and argument types. A fn may call other
 * fns but not itself, even indirectly: codegen inlines each call. */
#include <stdlib.h>
#include <string.h>

#include "ast/sema_functions.h"
#include "ast/sema_internal.h"
#include "base/strbuf.h"

struct ast_function *sema_find_subprogram(struct checker *checker, const char *name)
{
    struct vec *functions = checker->program ? &checker->program->functions : NULL;
    for (size_t i = 0; functions && i < functions->count; i++) {
        struct ast_function *function = vec_get(functions, i);
        if (strcmp(function->name, name) == 0)
            return function;
    }
    return NULL;
}

/* `void`, or what a `let` declaration accepts. NULL after a message. */
static const struct type *resolve_type(struct checker *checker, const char *text, struct srcloc loc)
{
    if (strcmp(text, "void") == 0)
        return &type_void;
    return sema_written_type(checker, text, loc);
}

static bool declare_signature(struct checker *checker, struct ast_function *function)
{
    function->return_type = &type_void;
    if (function->return_type_text) {
        function->return_type =
            resolve_type(checker, function->return_type_text, function->return_type_loc);
        if (!function->return_type)
            return false;
    }
    size_t count = function->params.count;
    function->param_types = arena_alloc(checker->arena, sizeof(struct type *) * (count + 1));
    for (size_t i = 0; i < count; i++) {
        struct ast_stmt *param = vec_get(&function->params, i);
        const struct type *type = resolve_type(checker, param->let.type_text, param->let.type_loc);
        if (!type)
            return false;
        if (type->kind == TYPE_VOID) {
            diag_error(checker->diag, param->let.type_loc, "a parameter cannot be void");
            return false;
        }
        function->param_types[i] = type;
    }
    return true;
}

bool sema_declare_subprograms(struct checker *checker, struct ast_program *program)
{
    checker->program = program;
    bool ok = true;
    for (size_t i = 0; i < program->functions.count; i++) {
        struct ast_function *function = vec_get(&program->functions, i);
        for (size_t j = 0; j < i; j++) {
            const struct ast_function *earlier = vec_get(&program->functions, j);
            if (strcmp(earlier->name, function->name) == 0) {
                diag_error(checker->diag, function->loc, "fn %s is already defined at line %d",
                           function->name, earlier->loc.line);
                ok = false;
            }
        }
        ok &= declare_signature(checker, function);
    }
    return ok;
}

/* ---- the body ----------------------------------------------------------- */

static bool always_returns(const struct ast_stmt *stmt)
{
    if (!stmt)
        return false;
    switch (stmt->kind) {
    case STMT_RETURN:
        return true;
    case STMT_BLOCK:
        for (size_t i = 0; i < stmt->block.statements.count; i++)
            if (always_returns(vec_get(&stmt->block.statements, i)))
                return true;
        return false;
    case STMT_IF:
        return always_returns(stmt->if_stmt.then_branch) &&
               always_returns(stmt->if_stmt.else_branch);
    default:
        return false;
    }
}

/* The body of `for ($kv : @map)` is a BPF function of its own: a `return`
 * there could not hand a value back to the inlined fn around it. */
static bool find_return_in_for_map(const struct ast_stmt *stmt, bool in_for_map,
                                   const struct ast_stmt **found)
{
    if (!stmt)
        return false;
    switch (stmt->kind) {
    case STMT_RETURN:
        if (in_for_map)
            *found = stmt;
        return in_for_map;
    case STMT_BLOCK:
        for (size_t i = 0; i < stmt->block.statements.count; i++)
            if (find_return_in_for_map(vec_get(&stmt->block.statements, i), in_for_map, found))
                return true;
        return false;
    case STMT_IF:
        return find_return_in_for_map(stmt->if_stmt.then_branch, in_for_map, found) ||
               find_return_in_for_map(stmt->if_stmt.else_branch, in_for_map, found);
    case STMT_WHILE:
        return find_return_in_for_map(stmt->while_stmt.body, in_for_map, found);
    case STMT_UNROLL:
        return find_return_in_for_map(stmt->unroll.body, in_for_map, found);
    case STMT_FOR:
        return find_return_in_for_map(stmt->for_range.body, in_for_map, found);
    case STMT_FOR_MAP:
        return find_return_in_for_map(stmt->for_map.body, true, found);
    default:
        return false;
    }
}

static bool uses_probe_stack(struct ast_expr *expr, void *context)
{
    struct checker *checker = context;
    if (expr->kind == EXPR_CALL && !expr->call.subprogram &&
        (strcmp(expr->call.name, "kstack") == 0 || strcmp(expr->call.name, "ustack") == 0)) {
        struct diag_entry *entry =
            diag_error(checker->diag, expr->loc, "%s() cannot be used in a fn", expr->call.name);
        diag_hint(entry, "a fn has no probe context: take the stack in the probe and pass "
                         "what you need as an argument");
    }
    return true;
}

static bool check_body(struct checker *checker, struct ast_function *function)
{
    bool ok = true;
    for (size_t i = 0; i < function->params.count; i++)
        ok &= sema_check_let(checker, vec_get(&function->params, i));
    if (!ok)
        return false;
    if (!sema_check_stmt(checker, function->body))
        return false;
    int errors = checker->diag->error_count;
    ast_walk_stmt(function->body, uses_probe_stack, checker);
    if (checker->diag->error_count != errors)
        return false;
    const struct ast_stmt *inner_return = NULL;
    if (find_return_in_for_map(function->body, false, &inner_return)) {
        struct diag_entry *entry =
            diag_error(checker->diag, inner_return->loc,
                       "a fn cannot return from inside a for loop over a map");
        diag_hint(entry, "keep the result in a variable, `break`, and return after the loop");
        return false;
    }
    if (function->return_type->kind != TYPE_VOID && !always_returns(function->body)) {
        struct diag_entry *entry =
            diag_error(checker->diag, function->loc, "not all code paths of fn %s return a value",
                       function->name);
        diag_hint(entry, "end the body with `return <%s>;`",
                  type_name(checker->arena, function->return_type));
        return false;
    }
    return true;
}

/* A call chain that comes back to `target`: the call in `from` that starts it. */
static bool reaches(const struct ast_function *from, const struct ast_function *target,
                    size_t depth)
{
    if (depth == 0)
        return false;
    for (size_t i = 0; i < from->calls.count; i++) {
        const struct ast_expr *call = vec_get(&from->calls, i);
        if (call->call.subprogram == target || reaches(call->call.subprogram, target, depth - 1))
            return true;
    }
    return false;
}

static void check_recursion(struct checker *checker, struct ast_program *program)
{
    for (size_t i = 0; i < program->functions.count; i++) {
        struct ast_function *function = vec_get(&program->functions, i);
        for (size_t j = 0; j < function->calls.count; j++) {
            struct ast_expr *call = vec_get(&function->calls, j);
            struct ast_function *callee = call->call.subprogram;
            if (callee != function && reaches(callee, function, program->functions.count)) {
                struct diag_entry *entry =
                    diag_error(checker->diag, call->loc,
                               "fn %s calls itself through fn %s: recursion is not supported",
                               function->name, callee->name);
                diag_hint(entry, "each call is compiled inline, so a fn cannot call itself");
                return;
            }
        }
    }
}

void sema_check_subprograms(struct checker *checker, struct ast_program *program)
{
    /* No probe: context builtins are refused before anything looks at it. */
    struct ast_variant no_probe = {0};
    bool ok = true;
    for (size_t i = 0; i < program->functions.count; i++) {
        struct ast_function *function = vec_get(&program->functions, i);
        function->calls.count = 0;
        checker->function = function;
        checker->probe = NULL;
        checker->variant = &no_probe;
        checker->variables.count = 0;
        checker->loop_depth = 0;
        ok &= check_body(checker, function);
    }
    checker->function = NULL;
    checker->variant = NULL;
    if (ok && checker->final_pass)
        check_recursion(checker, program);
}

/* ---- calls and returns -------------------------------------------------- */

static const char *signature(struct checker *checker, const struct ast_function *function)
{
    struct strbuf text = {0};
    for (size_t i = 0; i < function->params.count; i++) {
        const struct ast_stmt *param = vec_get(&function->params, i);
        strbuf_printf(&text, "%s$%s: %s", i ? ", " : "", param->let.variable->variable.name,
                      param->let.type_text);
    }
    const char *result =
        arena_printf(checker->arena, "fn %s(%s): %s", function->name, strbuf_text(&text),
                     type_name(checker->arena, function->return_type));
    strbuf_free(&text);
    return result;
}

static bool check_argument(struct checker *checker, struct ast_function *function, size_t index,
                           struct ast_expr *arg)
{
    const struct type *type = sema_check_expr(checker, arg);
    if (!type)
        return false;
    const struct type *declared = function->param_types[index];
    if (sema_type_accepts(declared, type))
        return true;
    const struct ast_stmt *param = vec_get(&function->params, index);
    struct diag_entry *entry =
        diag_error(checker->diag, arg->loc, "argument %zu of fn %s ($%s) must be %s, got %s",
                   index + 1, function->name, param->let.variable->variable.name,
                   type_name(checker->arena, declared), type_name(checker->arena, type));
    diag_hint(entry, "declared at line %d: %s", function->loc.line, signature(checker, function));
    return false;
}

const struct type *sema_check_subprogram_call(struct checker *checker, struct ast_expr *call,
                                              struct ast_function *function)
{
    if (checker->function == function) {
        struct diag_entry *entry =
            diag_error(checker->diag, call->loc, "fn %s calls itself: recursion is not supported",
                       function->name);
        diag_hint(entry, "each call is compiled inline, so a fn cannot call itself");
        return NULL;
    }
    size_t given = call->call.args.count, expected = function->params.count;
    if (given != expected) {
        struct diag_entry *entry =
            diag_error(checker->diag, call->loc, "fn %s takes %zu argument%s, got %zu",
                       function->name, expected, expected == 1 ? "" : "s", given);
        diag_hint(entry, "declared at line %d: %s", function->loc.line,
                  signature(checker, function));
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < given; i++)
        ok &= check_argument(checker, function, i, vec_get(&call->call.args, i));
    if (!ok)
        return NULL;
    call->call.subprogram = function;
    if (checker->function)
        vec_push(&checker->function->calls, call);
    return function->return_type;
}

bool sema_check_subprogram_return(struct checker *checker, struct ast_stmt *stmt)
{
    struct ast_function *function = checker->function;
    struct ast_expr *value = stmt->return_stmt.value;
    const struct type *declared = function->return_type;
    if (!value) {
        if (declared->kind == TYPE_VOID)
            return true;
        diag_error(checker->diag, stmt->loc, "fn %s must return %s", function->name,
                   type_name(checker->arena, declared));
        return false;
    }
    const struct type *type = sema_check_expr(checker, value);
    if (!type)
        return false;
    if (declared->kind == TYPE_VOID) {
        struct diag_entry *entry =
            diag_error(checker->diag, value->loc, "fn %s returns void, not %s", function->name,
                       type_name(checker->arena, type));
        diag_hint(entry, "write `return;`, or declare a return type: fn %s(...): %s",
                  function->name, type_name(checker->arena, type));
        return false;
    }
    if (!sema_type_accepts(declared, type)) {
        diag_error(checker->diag, value->loc, "fn %s returns %s, not %s", function->name,
                   type_name(checker->arena, declared), type_name(checker->arena, type));
        return false;
    }
    return true;
}

bool sema_subprogram_allows_builtin(struct checker *checker, struct ast_expr *identifier)
{
    if (!checker->function)
        return true;
    switch (identifier->identifier.builtin) {
    case BUILTIN_ARGS:
    case BUILTIN_ARG:
    case BUILTIN_NARGS:
    case BUILTIN_RETVAL:
    case BUILTIN_FUNC:
    case BUILTIN_PROBE:
    case BUILTIN_KSTACK:
    case BUILTIN_USTACK: {
        struct diag_entry *entry =
            diag_error(checker->diag, identifier->loc, "'%s' cannot be used in fn %s",
                       identifier->identifier.name, checker->function->name);
        diag_hint(entry, "a fn has no probe context: pass the value as an argument");
        return false;
    }
    default:
        return true;
    }
}
