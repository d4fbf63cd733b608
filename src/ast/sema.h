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
#include "output/output.h"
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
    /* sema_maps.c */
    bool key_pending;          /* only named whole (print, clear, ...): keys not known yet */
    struct output_hist_shape hist;   /* hist/lhist values: how they bucket */
    const struct ast_map_decl *decl; /* `let @m = lruhash(N);`, or NULL */
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
    bool unsafe; /* --unsafe: allow system(), signal(), cat() */
    int child_pid; /* -c: the child's pid, which `cpid` is; 0 without -c */
    /* kstack/ustack without a mode (bpftrace's stack_mode): "bpftrace",
     * "perf" or "raw"; NULL is "bpftrace". */
    const char *stack_mode;
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
    /* sema_functions.c, codegen/functions.c */
    FUNCTION_KSTACK,
    FUNCTION_USTACK,
    FUNCTION_STRFTIME,
    FUNCTION_TIME,
    FUNCTION_KSYM,
    FUNCTION_USYM,
    FUNCTION_KADDR,
    FUNCTION_SIGNAL,
    FUNCTION_SYSTEM,
    FUNCTION_CAT,
    FUNCTION_STRNCMP,
    FUNCTION_STRCONTAINS,
    FUNCTION_BUF, /* sema_net.c and the rest of the library */
    FUNCTION_NTOP,
    FUNCTION_PTON,
    FUNCTION_MACADDR,
    FUNCTION_JOIN,
    FUNCTION_ERRORF,
    FUNCTION_STRLEN,
    FUNCTION_CGROUPID,
    FUNCTION_PATH,
    FUNCTION_UADDR,
    FUNCTION_STRERROR, /* sema_number_functions.c, codegen/number_functions.c */
    FUNCTION_SYSCALL_NAME,
    FUNCTION_SIGNAL_NAME,
    FUNCTION_CGROUP_PATH,
    FUNCTION_BSWAP,
    FUNCTION_NSECS, /* sema_clocks.c, codegen/clocks.c: call.site holds the mode */
    FUNCTION_PID,
    FUNCTION_TID,
    /* sema_maps.c, codegen/aggregations.c, codegen/map_calls.c */
    FUNCTION_SUM,
    FUNCTION_AVG,
    FUNCTION_MIN,
    FUNCTION_MAX,
    FUNCTION_STATS,
    FUNCTION_HIST,
    FUNCTION_LHIST,
    FUNCTION_DELETE,
    FUNCTION_CLEAR,
    FUNCTION_ZERO,
    FUNCTION_HAS_KEY,
    FUNCTION_LEN,
    FUNCTION_PRINT,
};

/* nsecs(mode): which clock; plain `nsecs` is SEMA_CLOCK_BOOT, as in bpftrace. */
enum sema_clock { SEMA_CLOCK_BOOT, SEMA_CLOCK_MONOTONIC, SEMA_CLOCK_TAI, SEMA_CLOCK_SW_TAI };
/* pid(ns)/tid(ns): seen from sonde's pid namespace (the default) or the initial one. */
enum sema_pid_namespace { SEMA_PID_CURRENT_NS, SEMA_PID_INIT_NS };

int sema_check_program(struct ast_program *program, const struct sema_options *options,
                       struct arena *arena, struct sema_result *result, struct diag *diag);
void sema_result_free(struct sema_result *result);

#endif
