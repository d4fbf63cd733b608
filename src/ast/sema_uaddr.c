/* uaddr("symbol"): the address of a variable (or function) of the binary a
 * uprobe attaches to, resolved at compile time in every probe of the block.
 * Its type, as bpftrace's, is a pointer into the process to an unsigned
 * integer as wide as the symbol (1, 2, 4 or 8 bytes; else 8). */
#include "ast/sema_functions.h"

#include <errno.h>

#include "probes/uaddr.h"

static const struct type *pointee_type(uint64_t size)
{
    if (size == 1 || size == 2 || size == 4 || size == 8)
        return type_int((unsigned)size, false);
    return type_int(8, false);
}

static bool is_user_probe(const struct checker *checker)
{
    return checker->probe && checker->probe->kind && checker->probe->kind->user_space &&
           checker->variant;
}

/* Where the call is, for the message that refuses it. */
static const char *place_name(const struct checker *checker)
{
    if (checker->function)
        return "a fn (call it in the probe and pass the address)";
    return checker->probe && checker->probe->kind ? checker->probe->kind->name : "this block";
}

static bool resolve_in(struct checker *checker, struct ast_expr *name,
                       const struct probe_instance *instance, struct probe_user_address *out)
{
    const char *closest = NULL, *error = NULL;
    int err =
        probes_user_address(checker->arena, instance, name->string.bytes, out, &closest, &error);
    if (err == -ENOENT) {
        struct diag_entry *entry =
            diag_error(checker->diag, name->loc, "uaddr(): no symbol '%s' in %s",
                       name->string.bytes, instance->path);
        if (closest)
            diag_hint(entry, "did you mean '%s'?", closest);
        else
            diag_hint(entry, "uaddr() looks in the binary's symbol table (nm %s lists it)",
                      instance->path);
    } else if (err) {
        diag_error(checker->diag, name->loc, "uaddr(): %s", error);
    }
    return err == 0;
}

const struct type *sema_check_uaddr(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *name = vec_get(&call->call.args, 0);
    if (name->kind != EXPR_STRING) {
        diag_error(checker->diag, name->loc, "uaddr()'s symbol name must be a string literal");
        return NULL;
    }
    if (!sema_check_expr(checker, name))
        return NULL;
    if (!is_user_probe(checker)) {
        struct diag_entry *entry =
            diag_error(checker->diag, call->call.name_loc,
                       "uaddr() needs a uprobe or uretprobe, not %s", place_name(checker));
        diag_hint(entry, "it finds symbols in the binary a uprobe attaches to");
        return NULL;
    }
    struct probe_user_address first = {0};
    for (size_t i = 0; i < checker->variant->instances.count; i++) {
        struct probe_user_address address;
        if (!resolve_in(checker, name, vec_get(&checker->variant->instances, i), &address))
            return NULL;
        if (i == 0)
            first = address;
    }
    return type_pointer(checker->arena, pointee_type(first.symbol_size), SPACE_USER);
}
