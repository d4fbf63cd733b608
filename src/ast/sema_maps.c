/* Typing of the functions that take a map: delete, has_key, clear, zero,
 * len, print; and of top-level map declarations (`let @m = lruhash(N);`). */
#include <string.h>

#include "ast/sema_maps.h"

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

/* A map named whole before any access fixed its keys: they come later. */
static struct sema_map *pending_map(struct checker *checker, const char *name, struct srcloc loc)
{
    struct sema_map *map = ARENA_NEW(checker->arena, struct sema_map);
    map->name = name;
    map->first_loc = loc;
    map->key_pending = true;
    map->index = (int)checker->result->maps.count;
    vec_push(&checker->result->maps, map);
    return map;
}

/* `@name` as the argument of clear/zero/len/print: the whole map. */
static struct sema_map *whole_map(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *target = argument(call, 0);
    if (target->kind != EXPR_MAP || target->map.keys.count > 0) {
        diag_error(checker->diag, target->loc, "%s() takes a whole map, e.g. %s(@name)",
                   call->call.name, call->call.name);
        return NULL;
    }
    const char *name = arena_printf(checker->arena, "@%s", target->map.name);
    struct sema_map *map = sema_find_map(checker, name);
    if (!map)
        map = pending_map(checker, name, target->loc);
    target->map.symbol = map;
    target->type = &type_void;
    return map;
}

/* delete(@m, key) becomes delete(@m[key]): one form for codegen. A tuple
 * key names the keys of a multi-key map. */
static bool move_key_into_map(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *target = argument(call, 0);
    if (target->kind != EXPR_MAP) {
        diag_error(checker->diag, target->loc, "%s() needs a map, e.g. %s(@name, key)",
                   call->call.name, call->call.name);
        return false;
    }
    if (call->call.args.count < 2)
        return true;
    if (target->map.keys.count > 0) {
        diag_error(checker->diag, target->loc, "give the key once: %s(@%s, key)", call->call.name,
                   target->map.name);
        return false;
    }
    struct ast_expr *key = argument(call, 1);
    if (key->kind == EXPR_TUPLE && key->tuple.elements.count > 1) {
        for (size_t i = 0; i < key->tuple.elements.count; i++)
            vec_push(&target->map.keys, vec_get(&key->tuple.elements, i));
    } else {
        vec_push(&target->map.keys, key);
    }
    target->loc = srcloc_join(target->loc, key->loc);
    call->call.args.count = 1;
    return true;
}

static const struct type *keyed_access(struct checker *checker, struct ast_expr *call)
{
    if (!move_key_into_map(checker, call))
        return NULL;
    struct ast_expr *target = argument(call, 0);
    struct sema_map *map = sema_resolve_map(checker, target);
    if (!map)
        return NULL;
    target->type = &type_void;
    return &type_bool;
}

const struct type *sema_check_delete(struct checker *checker, struct ast_expr *call)
{
    return keyed_access(checker, call);
}

/* The table allows one argument because delete(@m, k) is rewritten into
 * has_key(@m[k]) form in the first pass. */
const struct type *sema_check_has_key(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *target = argument(call, 0);
    if (call->call.args.count == 1 && (target->kind != EXPR_MAP || target->map.keys.count == 0)) {
        struct diag_entry *entry = diag_error(checker->diag, call->loc, "has_key() needs a key");
        diag_hint(entry, "usage: has_key(@map, key)");
        return NULL;
    }
    return keyed_access(checker, call);
}

const struct type *sema_check_clear(struct checker *checker, struct ast_expr *call)
{
    return whole_map(checker, call) ? &type_void : NULL;
}

const struct type *sema_check_zero(struct checker *checker, struct ast_expr *call)
{
    return whole_map(checker, call) ? &type_void : NULL;
}

const struct type *sema_check_len(struct checker *checker, struct ast_expr *call)
{
    return whole_map(checker, call) ? type_int(8, true) : NULL;
}

static bool integer_argument(struct checker *checker, struct ast_expr *call, size_t index,
                             const char *what)
{
    struct ast_expr *expr = argument(call, index);
    const struct type *type = sema_check_expr(checker, expr);
    if (!type)
        return false;
    if (!type_is_integer(type)) {
        diag_error(checker->diag, expr->loc, "print()'s %s must be an integer, got %s", what,
                   type_name(checker->arena, type));
        return false;
    }
    return true;
}

/* print(@m[, top[, div]]) prints a whole map; print(value) anything else. */
const struct type *sema_check_print(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *target = argument(call, 0);
    if (target->kind == EXPR_MAP && target->map.keys.count == 0) {
        if (!whole_map(checker, call))
            return NULL;
        if (call->call.args.count > 1 && !integer_argument(checker, call, 1, "top"))
            return NULL;
        if (call->call.args.count > 2 && !integer_argument(checker, call, 2, "div"))
            return NULL;
        return &type_void;
    }
    if (call->call.args.count > 1) {
        diag_error(checker->diag, argument(call, 1)->loc,
                   "top and div apply to whole maps: print(@name, top, div)");
        return NULL;
    }
    const struct type *type = sema_check_expr(checker, target);
    if (!type)
        return NULL;
    if (type->kind == TYPE_VOID) {
        diag_error(checker->diag, target->loc, "this expression has no value to print");
        return NULL;
    }
    return &type_void;
}

/* ---- declarations ---- */

static bool declared_per_cpu(const struct ast_map_decl *decl)
{
    return strncmp(decl->kind, "percpu", 6) == 0;
}

static bool known_kind(const char *kind)
{
    static const char *const kinds[] = {"hash", "lruhash", "percpuhash", "percpulruhash"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

static bool declare_map(struct checker *checker, const struct ast_map_decl *decl)
{
    const char *name = arena_printf(checker->arena, "@%s", decl->name);
    struct sema_map *map = sema_find_map(checker, name);
    if (map) {
        diag_error(checker->diag, decl->loc, "%s is declared twice (first at line %d)", name,
                   map->decl ? map->decl->loc.line : map->first_loc.line);
        return false;
    }
    if (!known_kind(decl->kind)) {
        struct diag_entry *entry =
            diag_error(checker->diag, decl->kind_loc, "unknown map type '%s'", decl->kind);
        diag_hint(entry, "map types are hash, lruhash, percpuhash and percpulruhash");
        return false;
    }
    if (decl->max_entries == 0 || decl->max_entries > UINT32_MAX) {
        diag_error(checker->diag, decl->kind_loc, "a map holds from 1 to %u entries, not %llu",
                   UINT32_MAX, (unsigned long long)decl->max_entries);
        return false;
    }
    map = pending_map(checker, name, decl->loc);
    map->decl = decl;
    return true;
}

bool sema_declare_maps(struct checker *checker, const struct ast_program *program)
{
    bool ok = true;
    for (size_t i = 0; i < program->map_decls.count; i++)
        ok &= declare_map(checker, vec_get(&program->map_decls, i));
    return ok;
}

/* Aggregations live in per-CPU maps, everything else in plain ones. */
void sema_check_declared_maps(struct checker *checker)
{
    for (size_t i = 0; i < checker->result->maps.count; i++) {
        struct sema_map *map = vec_get(&checker->result->maps, i);
        if (!map->decl || !map->value || declared_per_cpu(map->decl) == map->per_cpu)
            continue;
        struct diag_entry *entry =
            diag_error(checker->diag, map->first_loc, "%s is declared %s(%llu) but holds %s",
                       map->name, map->decl->kind, (unsigned long long)map->decl->max_entries,
                       type_name(checker->arena, map->value));
        diag_hint(entry, "%s: declare it %s(%llu)",
                  map->per_cpu ? "aggregations need a per-CPU map"
                               : "per-CPU maps hold only aggregations such as count()",
                  map->per_cpu ? "percpuhash" : "hash", (unsigned long long)map->decl->max_entries);
    }
}
