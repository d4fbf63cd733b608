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
    struct ast_program *program;
    struct ast_function *function; /* the fn whose body is being checked, or NULL */
    /* sema_scope.c: probe-wide variables of bpftrace <=0.21 scripts (see
     * sema_scope_revive). Both lists belong to the variant being checked. */
    struct vec implicit_variables; /* created by a plain `$x = ...`, not by let/for */
    struct vec ended_variables;    /* implicit ones whose block has ended */
    size_t ended_floor;            /* ended_variables below it are out of reach */
    struct vec failed_variables;   /* names whose assignment had an error (char *) */
    struct vec unassigned_lets;    /* `let $x;` statements not yet assigned to */
    struct vec early_reads;        /* final pass: reads of those (struct ast_expr *) */
    struct vec non_reads;          /* variables under & and sizeof: not read */
};

const struct type *sema_check_expr(struct checker *checker, struct ast_expr *expr);
const struct type *sema_check_call(struct checker *checker, struct ast_expr *call);
/* Value types as stored in maps and variables: integers widen to 8 bytes. */
const struct type *sema_storage_type(const struct type *type);
struct sema_map *sema_find_map(struct checker *checker, const char *name);
/* Check a map's keys and fix (or match) the map's key type. NULL on error. */
struct sema_map *sema_resolve_map(struct checker *checker, struct ast_expr *map);
/* bpftrace 0.26 (#5138): a subtraction's result is a signed int64, so an
 * unsigned variable or map that `--` or `-=` updates becomes one (`@c =
 * (uint32)0; @c--` leaves -1). Enums keep their type. */
const struct type *sema_signed_after_subtraction(const struct type *type);
const struct type *sema_merge_types(struct arena *arena, const struct type *a,
                                    const struct type *b);
bool sema_is_condition_type(const struct type *type);
const struct type *sema_check_variable(struct checker *checker, struct ast_expr *expr);
struct sema_variable *sema_find_variable(struct checker *checker, const char *name);
bool sema_check_stmt(struct checker *checker, struct ast_stmt *stmt);

/* sema_scope.c: declarations, range loops and block expressions. */
bool sema_check_let(struct checker *checker, struct ast_stmt *stmt);
/* A type as written in `let $x: T` or a fn signature: `string`, `string[N]`,
 * or what a cast to T accepts. NULL after a message at `loc`. */
const struct type *sema_written_type(struct checker *checker, const char *text,
                                     struct srcloc loc);
/* Whether a value of type `value` may be stored where `declared` is written:
 * integers convert, strings are cut to size, anything else must match. */
bool sema_type_accepts(const struct type *declared, const struct type *value);
bool sema_check_for(struct checker *checker, struct ast_stmt *stmt);
const struct type *sema_check_block_expr(struct checker *checker, struct ast_expr *expr);
/* Variables first assigned in a block and used after it (bpftrace <=0.21
 * scripts). Reset per variant; sema_scope_end drops checker->variables to `scope`. */
void sema_scope_reset(struct checker *checker);
void sema_scope_note_implicit(struct checker *checker, struct sema_variable *variable);
/* `$x = <an expression with an error>`: later reads of $x add no second error. */
void sema_scope_note_failed(struct checker *checker, struct ast_expr *target);
bool sema_scope_failed(struct checker *checker, const char *name);
void sema_scope_end(struct checker *checker, size_t scope);
/* The ended variable a read of `variable` means, made visible again (with a
 * warning), or NULL: *failed says whether an error was reported. */
struct sema_variable *sema_scope_revive(struct checker *checker, struct ast_expr *variable,
                                        bool *failed);
/* An ended variable that `$name = value` can go on using, made visible again. */
struct sema_variable *sema_scope_reuse(struct checker *checker, const char *name,
                                       const struct type *stored);
/* A for-map body is a separate BPF function: it reaches no ended variable of
 * the probe, and leaves none behind. */
size_t sema_scope_enter_callback(struct checker *checker);
void sema_scope_leave_callback(struct checker *checker, size_t saved_floor);
/* `let $x;` read before anything is assigned: bpftrace accepts it (0) with a
 * warning. The type of the first assignment, wherever it is, carries over to
 * the next pass so such a read has a type. */
void sema_scope_note_read(struct checker *checker, struct ast_expr *read);
void sema_scope_note_assigned(struct checker *checker, struct sema_variable *variable);
void sema_scope_begin(struct checker *checker, struct ast_program *program);
void sema_scope_warn_early_reads(struct checker *checker); /* after the final pass */
/* sema_subprograms.c: `fn` subprograms. Declaring resolves every fn's
 * signature (before the passes); checking types their bodies (each pass). */
bool sema_declare_subprograms(struct checker *checker, struct ast_program *program);
void sema_check_subprograms(struct checker *checker, struct ast_program *program);
struct ast_function *sema_find_subprogram(struct checker *checker, const char *name);
const struct type *sema_check_subprogram_call(struct checker *checker, struct ast_expr *call,
                                              struct ast_function *function);
bool sema_check_subprogram_return(struct checker *checker, struct ast_stmt *stmt);
/* False, with a message, for a builtin a fn body cannot use (args, retval...). */
bool sema_subprogram_allows_builtin(struct checker *checker, struct ast_expr *identifier);

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
/* `a == b` on two integer arrays of one type (bpftrace 0.17). */
const struct type *sema_types_array_comparison(struct checker *checker, struct ast_expr *expr,
                                               const struct type *left, const struct type *right);
/* (uint8[4])x and (uint32)$array: the same bytes, little-endian. */
const struct type *sema_types_int_array_cast(struct checker *checker, struct ast_expr *expr,
                                             const struct type *operand, const struct type *target);
const struct type *sema_types_pointer_arithmetic(struct checker *checker, struct ast_expr *expr,
                                                 const struct type *left,
                                                 const struct type *right);
const struct type *sema_types_sizeof(struct checker *checker, struct ast_expr *expr);
const struct type *sema_types_offsetof(struct checker *checker, struct ast_expr *expr);

#endif
