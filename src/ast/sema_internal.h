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
    struct cdefs *cdefs; /* the script's C definitions and type names (sema_types.c) */
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
struct sema_variable *sema_find_variable(struct checker *checker, const char *name);
bool sema_check_stmt(struct checker *checker, struct ast_stmt *stmt);

/* sema_scope.c: declarations, range loops and block expressions. */
bool sema_check_let(struct checker *checker, struct ast_stmt *stmt);
bool sema_check_for(struct checker *checker, struct ast_stmt *stmt);
const struct type *sema_check_block_expr(struct checker *checker, struct ast_expr *expr);
/* sema_formap.c: for ($kv : @map). */
bool sema_check_for_map(struct checker *checker, struct ast_stmt *stmt);

/* sema_types.c: kernel and C types in expressions (pointers, fields, casts,
 * enum constants, curtask, sizeof/offsetof). */
int sema_types_begin(struct checker *checker, struct ast_program *program, struct diag *diag);
const struct type *sema_types_curtask(struct checker *checker, struct ast_expr *expr);
/* A bare name that is an enumerator or #define: rewrites expr into an integer. */
const struct type *sema_types_constant(struct checker *checker, struct ast_expr *expr);
const struct type *sema_types_pointer_field(struct checker *checker, struct ast_expr *expr,
                                            const struct type *base);
const struct type *sema_types_deref(struct checker *checker, struct ast_expr *expr);
const struct type *sema_types_index(struct checker *checker, struct ast_expr *expr);
const struct type *sema_types_cast(struct checker *checker, struct ast_expr *expr,
                                   const struct type *operand);
const struct type *sema_types_pointer_arithmetic(struct checker *checker, struct ast_expr *expr,
                                                 const struct type *left,
                                                 const struct type *right);
const struct type *sema_types_sizeof(struct checker *checker, struct ast_expr *expr);
const struct type *sema_types_offsetof(struct checker *checker, struct ast_expr *expr);

#endif
