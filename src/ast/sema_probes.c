/* Typing of the builtins that read the probe's own context. Which ones a
 * probe has follows from its kind's context and flags, never its name:
 * argN where the arguments are registers or slots, retval in return
 * probes, func where the instance traces a named function. */
#include <stdlib.h>
#include <string.h>

#include "ast/sema_probes.h"
#include "probes/probe.h"
#include "probes/registers.h"

bool sema_probe_arg_index(const char *name, int *index)
{
    if (strncmp(name, "arg", 3) != 0 || name[3] < '0' || name[3] > '9' || strlen(name) > 5)
        return false;
    char *end = NULL;
    long value = strtol(name + 3, &end, 10);
    if (*end || (name[3] == '0' && name[4]))
        return false;
    *index = (int)value;
    return true;
}

static const struct probe_instance *first_instance(const struct checker *checker)
{
    const struct vec *instances = &checker->variant->instances;
    return instances->count ? vec_get(instances, 0) : NULL;
}

/* uint64, marked as an address in the traced process for uprobes, so that
 * str() and casts read user memory. */
static const struct type *register_type(struct checker *checker, const struct probe_kind *kind)
{
    if (!kind->user_space)
        return type_int(8, false);
    struct type *type = ARENA_NEW(checker->arena, struct type);
    *type = *type_int(8, false);
    type->space = SPACE_USER;
    return type;
}

static const struct type *not_here(struct checker *checker, struct ast_expr *expr,
                                   const struct probe_kind *kind, const char *hint)
{
    struct diag_entry *entry =
        diag_error(checker->diag, expr->loc, "'%s' is not available in %s probes",
                   expr->identifier.name, kind->name);
    diag_hint(entry, "%s", hint);
    return NULL;
}

/* Every instance of a raw tracepoint must have argument N. */
static const struct type *raw_argument(struct checker *checker, struct ast_expr *expr, int index)
{
    const struct vec *instances = &checker->variant->instances;
    for (size_t i = 0; i < instances->count; i++) {
        const struct probe_instance *instance = vec_get(instances, i);
        unsigned count = instance->format ? instance->format->field_count : 0;
        if ((unsigned)index >= count) {
            struct diag_entry *entry =
                diag_error(checker->diag, expr->loc, "%s has %u argument%s: there is no arg%d",
                           instance->name, count, count == 1 ? "" : "s", index);
            if (count)
                diag_hint(entry, "its arguments are arg0..arg%u; see them with: sonde -lv '%s'",
                          count - 1, instance->name);
            return NULL;
        }
    }
    return type_int(8, false);
}

static const struct type *check_arg(struct checker *checker, struct ast_expr *expr,
                                    const struct probe_kind *kind)
{
    int index = expr->identifier.builtin_index;
    if (kind->context == CONTEXT_RAW_ARGS)
        return raw_argument(checker, expr, index);
    if (kind->context != CONTEXT_PT_REGS || kind->return_probe) {
        const char *hint = kind->return_probe ? "a return probe has retval, not arguments"
                           : kind->context == CONTEXT_TRACING_ARGS
                               ? "fentry/fexit name their arguments: args.<name> (see them with "
                                 "sonde -lv 'fentry:<function>')"
                               : "argN exists in kprobe, uprobe and rawtracepoint probes; "
                                 "tracepoints have args.<field>";
        return not_here(checker, expr, kind, hint);
    }
    if (index >= PROBE_REGISTER_ARGUMENTS) {
        struct diag_entry *entry = diag_error(checker->diag, expr->loc,
                                              "x86_64 passes only 6 arguments in registers: "
                                              "arg0..arg5, not arg%d",
                                              index);
        diag_hint(entry, "later arguments are on the stack");
        return NULL;
    }
    return register_type(checker, kind);
}

static const struct type *check_retval(struct checker *checker, struct ast_expr *expr,
                                       const struct probe_instance *instance)
{
    const struct probe_kind *kind = instance->kind;
    if (!kind->return_probe) {
        const char *hint =
            kind->context == CONTEXT_TRACEPOINT_RECORD || kind->context == CONTEXT_SYSCALL_EXIT
                ? "tracepoints have args.ret, e.g. in "
                  "tracepoint:syscalls:sys_exit_read"
                : "retval exists in kretprobe, uretprobe and fexit probes";
        return not_here(checker, expr, kind, hint);
    }
    if (kind->context != CONTEXT_TRACING_ARGS)
        return register_type(checker, kind);
    if (!instance->retval_type) {
        diag_error(checker->diag, expr->loc, "%s returns nothing: there is no retval",
                   instance->function);
        return NULL;
    }
    return instance->retval_type;
}

/* A string that holds the longest function name of the variant's instances. */
static const struct type *check_func(struct checker *checker, struct ast_expr *expr,
                                     const struct probe_instance *first)
{
    const struct vec *instances = &checker->variant->instances;
    size_t longest = 0;
    for (size_t i = 0; i < instances->count; i++) {
        const struct probe_instance *instance = vec_get(instances, i);
        if (!instance->function)
            return not_here(checker, expr, first->kind,
                            "func names the traced function of kprobe, uprobe and fentry probes; "
                            "probe names the whole probe");
        size_t length = strlen(instance->function);
        if (length > longest)
            longest = length;
    }
    return type_string(checker->arena, (unsigned)longest + 1);
}

static const struct type *check_cpid(struct checker *checker, struct ast_expr *expr)
{
    int pid = checker->options->child_pid;
    if (pid <= 0) {
        struct diag_entry *entry =
            diag_error(checker->diag, expr->loc, "cpid cannot be used without a child command");
        diag_hint(entry, "start one with -c 'command args', e.g. sonde -c 'ls /' -e '...'");
        return NULL;
    }
    expr->kind = EXPR_INTEGER;
    expr->integer.value = (uint64_t)pid;
    return type_int(4, false);
}

const struct type *sema_probe_builtin(struct checker *checker, struct ast_expr *expr,
                                      enum ast_builtin builtin)
{
    if (builtin == BUILTIN_CPID)
        return check_cpid(checker, expr);
    const struct probe_instance *instance = first_instance(checker);
    if (!instance)
        return NULL;
    switch (builtin) {
    case BUILTIN_ARG:
        return check_arg(checker, expr, instance->kind);
    case BUILTIN_RETVAL:
        return check_retval(checker, expr, instance);
    case BUILTIN_FUNC:
        return check_func(checker, expr, instance);
    default:
        return NULL;
    }
}
