/* Argument checks of the functions of one number: bswap(), computed in the
 * probe, and strerror(), syscall_name(), signal_name() and cgroup_path(),
 * whose number travels as it is and becomes text in user space
 * (src/output/names.c, src/output/cgroup_path.c). */
#include "ast/sema_functions.h"

#include <string.h>

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

static const struct type *integer_argument(struct checker *checker, struct ast_expr *call,
                                           size_t index, const char *what)
{
    const struct type *type = sema_check_expr(checker, argument(call, index));
    if (!type)
        return NULL;
    if (!type_is_integer(type)) {
        diag_error(checker->diag, argument(call, index)->loc, "%s() takes an integer %s, got %s",
                   call->call.name, what, type_name(checker->arena, type));
        return NULL;
    }
    return type;
}

static struct type *number_type(struct checker *checker, enum type_kind kind, const char *name)
{
    struct type *type = ARENA_NEW(checker->arena, struct type);
    type->kind = kind;
    type->size = 8;
    type->align = 8;
    type->name = name;
    return type;
}

/* strerror(errno), syscall_name(nr), signal_name(sig). */
const struct type *sema_check_number_name(struct checker *checker, struct ast_expr *call)
{
    static const struct {
        const char *function, *what;
    } arguments[] = {
        {"strerror", "errno value"},
        {"syscall_name", "syscall number"},
        {"signal_name", "signal number"},
    };
    for (size_t i = 0; i < sizeof(arguments) / sizeof(arguments[0]); i++) {
        if (strcmp(call->call.name, arguments[i].function) != 0)
            continue;
        if (!integer_argument(checker, call, 0, arguments[i].what))
            return NULL;
        return number_type(checker, TYPE_NUMBER_NAME, arguments[i].function);
    }
    return NULL;
}

/* cgroup_path(id[, "filter"]): the filter is a glob over hierarchy names
 * ("unified" for cgroup v2), fixed at compile time as part of the type. */
const struct type *sema_check_cgroup_path(struct checker *checker, struct ast_expr *call)
{
    if (!integer_argument(checker, call, 0, "cgroup id"))
        return NULL;
    const char *filter = "*";
    if (call->call.args.count == 2) {
        struct ast_expr *arg = argument(call, 1);
        if (arg->kind != EXPR_STRING) {
            struct diag_entry *entry = diag_error(
                checker->diag, arg->loc, "cgroup_path()'s filter must be a string literal");
            diag_hint(entry, "e.g. cgroup_path(cgroup, \"unified\") for the cgroup v2 path alone");
            return NULL;
        }
        if (!sema_check_expr(checker, arg))
            return NULL;
        filter = arg->string.bytes;
    }
    return number_type(checker, TYPE_CGROUP_PATH, filter);
}

/* bswap(n): the bytes of n in reverse order, at n's own width; the result
 * is unsigned, as in bpftrace. */
const struct type *sema_check_bswap(struct checker *checker, struct ast_expr *call)
{
    const struct type *type = integer_argument(checker, call, 0, "value");
    if (!type)
        return NULL;
    unsigned size = type->kind == TYPE_BOOL ? 1 : type->size;
    return type_int(size, false);
}
