/* Maps in BPF code beyond plain reads and writes: aggregations
 * (aggregations.c) and the map functions (map_calls.c). */
#ifndef SONDE_CODEGEN_AGGREGATIONS_H
#define SONDE_CODEGEN_AGGREGATIONS_H

#include "codegen/codegen_internal.h"

/* BPF helpers only these files call. */
enum {
    HELPER_MAP_DELETE_ELEM = 3,
    HELPER_FOR_EACH_MAP_ELEM = 164,
    HELPER_MAP_LOOKUP_PERCPU_ELEM = 195,
};

/* `@m[k] = count()` and the other aggregations: one lookup and an update in
 * place when the key exists; a new key is first inserted zeroed. */
void codegen_aggregate(struct codegen *cg, struct ast_stmt *stmt);
/* Reading `@m[k]` of a per-CPU aggregation: combined over every CPU. */
LLVMValueRef codegen_aggregation_read(struct codegen *cg, struct ast_expr *expr);
/* The same for a key already in memory (a for loop's current key). */
LLVMValueRef codegen_aggregation_read_key(struct codegen *cg, const struct sema_map *map,
                                          LLVMValueRef key);

/* delete, has_key, len, clear, zero, print. */
LLVMValueRef codegen_map_function(struct codegen *cg, struct ast_expr *call);
/* Once every function is built: when len() made a BPF subprogram, give
 * every function the debug info the kernel needs then (BTF func_info). */
void codegen_describe_functions(struct codegen *cg);

#endif
