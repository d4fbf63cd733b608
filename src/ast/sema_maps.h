/* The type checker's side of maps (sema_maps.c): aggregation functions,
 * map functions (delete, clear, print, ...) and map declarations. Shared
 * by the type checker's files only. */
#ifndef SONDE_AST_SEMA_MAPS_H
#define SONDE_AST_SEMA_MAPS_H

#include "ast/sema_internal.h"

/* count, sum, avg, min, max, stats, hist, lhist: only `@m = f(...)`. */
bool sema_is_aggregation_name(const char *name);
/* After `@m = hist(...)`/`lhist(...)` fixed the map's type: keep its buckets,
 * or check they agree with earlier uses. */
bool sema_record_hist_shape(struct checker *checker, struct sema_map *map, struct ast_expr *value);
/* Reading an aggregation's value inside a probe (`@n > 3`): its sum over
 * CPUs for count/sum, the min/max, the average. NULL (with a message) for
 * stats and histograms. */
const struct type *sema_read_aggregation(struct checker *checker, struct sema_map *map,
                                         struct ast_expr *expr);
/* `let @m = hash(N);` declarations, before the probes are checked. */
bool sema_declare_maps(struct checker *checker, const struct ast_program *program);
/* After checking: declared types agree with what the maps hold. */
void sema_check_declared_maps(struct checker *checker);

/* Checkers for the function table (sema_calls.c). */
const struct type *sema_check_sum(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_avg(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_min(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_max(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_stats(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_hist(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_lhist(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_delete(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_has_key(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_clear(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_zero(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_len(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_print(struct checker *checker, struct ast_expr *call);

#endif
