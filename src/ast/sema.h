/* sema: name resolution and type checking over the expanded AST.
 *
 * After probes are expanded into variants, this pass gives every expression a
 * type, resolves builtins, variables and maps, checks calls against the
 * function table and collects what codegen and the runtime need: the maps
 * with their key/value types and the printf sites. */
#ifndef SONDE_AST_SEMA_H
#define SONDE_AST_SEMA_H

#include <stdbool.h>

#include "ast/ast.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/vec.h"
#include "output/printf_format.h"
#include "types/type.h"

/* What a script-wide map holds and how it is stored. */
struct sema_map {
    const char *name;          /* as written, with '@' */
    const struct type *key;    /* NULL for a scalar map */
    const struct type *value;  /* NULL until a write fixes it */
    struct srcloc first_loc;   /* where the type was fixed, for messages */
    bool per_cpu;              /* aggregations: one copy per CPU, combined when read */
    int index;                 /* position in sema_result.maps */
};

/* A scratch variable ($name); scoped to one variant (one probe body). */
struct sema_variable {
    const char *name;
    const struct type *type;
    struct srcloc first_loc;
    void *storage; /* codegen's slot (an LLVM alloca), per variant */
};

struct sema_printf {
    const struct printf_format *format;
    unsigned arg_count;
    const struct type **arg_types;
    struct srcloc loc;
};

/* Positional parameters ($1..$N) from the command line. */
struct sema_params {
    const char *const *values;
    int count;
};

struct sema_options {
    unsigned max_strlen; /* capacity of strings made by str(), default 64 */
    struct sema_params params;
};

struct sema_result {
    struct vec maps;    /* struct sema_map * */
    struct vec printfs; /* struct sema_printf *; EXPR_CALL.call.site indexes it */
};

/* The functions the language knows; EXPR_CALL.call.function holds one. */
enum sema_function {
    FUNCTION_PRINTF,
    FUNCTION_STR,
    FUNCTION_EXIT,
    FUNCTION_COUNT,
};

int sema_check_program(struct ast_program *program, const struct sema_options *options,
                       struct arena *arena, struct sema_result *result, struct diag *diag);
void sema_result_free(struct sema_result *result);

#endif
