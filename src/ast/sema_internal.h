/* Shared between the type checker's files; not for other stages. */
#ifndef SONDE_AST_SEMA_INTERNAL_H
#define SONDE_AST_SEMA_INTERNAL_H

#include "ast/sema.h"

struct checker {
    struct arena *arena;
    struct diag *diag;
    const struct sema_options *options;
    struct sema_result *result;
    /* Pass 1 only fixes map types (its messages go to a scratch diag); pass 2
     * reports, and registers printf sites. */
    bool final_pass;
    struct ast_probe *probe;
    struct ast_variant *variant;
    struct vec variables; /* struct sema_variable * of the current variant */
    int loop_depth;
};

const struct type *sema_check_expr(struct checker *checker, struct ast_expr *expr);
const struct type *sema_check_call(struct checker *checker, struct ast_expr *call);
/* Value types as stored in maps and variables: integers widen to 8 bytes. */
const struct type *sema_storage_type(const struct type *type);
struct sema_map *sema_find_map(struct checker *checker, const char *name);
/* Check a map's keys and fix (or match) the map's key type. NULL on error. */
struct sema_map *sema_resolve_map(struct checker *checker, struct ast_expr *map);
const struct type *sema_merge_types(struct arena *arena, const struct type *a,
                                    const struct type *b);
bool sema_is_condition_type(const struct type *type);
const struct type *sema_check_variable(struct checker *checker, struct ast_expr *expr);

#endif
