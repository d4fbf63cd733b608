/* sema_functions: argument checks of the function library (stacks, symbols,
 * time, strings, unsafe actions) and the builtins that go with it. Rows of
 * sema_calls.c's table point here. */
#ifndef SONDE_AST_SEMA_FUNCTIONS_H
#define SONDE_AST_SEMA_FUNCTIONS_H

#include "ast/sema_internal.h"

/* Functions of sema_functions.c beyond sema.h's enum sema_function: they
 * continue its numbering (codegen_call sends unknown ids to codegen_function). */
enum sema_function_more {
    FUNCTION_NCPUS = FUNCTION_PRINT + 1, /* a constant: the possible CPUs at compile time */
    FUNCTION_JIFFIES,                    /* bpf_jiffies64() */
    FUNCTION_USERMODE,                   /* whether the sampled registers are user mode's */
    FUNCTION_COMM,                       /* comm() and comm(pid) */
};

/* Frames a stack keeps when the script gives no limit (bpftrace's maximum). */
enum { SEMA_STACK_FRAMES = 127 };

const struct type *sema_function_builtin(struct checker *checker, struct ast_expr *expr,
                                         enum ast_builtin builtin);
/* printf's checks, for system() and cat(), which format the same way. */
const struct type *sema_check_format_call(struct checker *checker, struct ast_expr *call);

const struct type *sema_check_stack(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_strftime(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_time(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_symbol(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_kaddr(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_signal(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_unsafe_format(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_strncmp(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_strcontains(struct checker *checker, struct ast_expr *call);

/* sema_net.c: buffers and network addresses. */
const struct type *sema_check_buf(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_ntop(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_pton(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_macaddr(struct checker *checker, struct ast_expr *call);
/* The bytes of an IPv4 ("1.2.3.4", 4 bytes) or IPv6 ("::1", 16) address; 0 when invalid. */
unsigned sema_parse_address(const char *text, unsigned char bytes[16]);

const struct type *sema_check_join(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_errorf(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_strlen(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_cgroupid(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_path(struct checker *checker, struct ast_expr *call);
/* sema_uaddr.c */
const struct type *sema_check_uaddr(struct checker *checker, struct ast_expr *call);

/* Builtins that are also functions: `ncpus`, `jiffies`, `usermode` (and
 * `comm(pid)`). A bare name becomes a call without arguments. */
bool sema_is_call_builtin(const char *name);
const struct type *sema_check_ncpus(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_jiffies(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_usermode(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_comm(struct checker *checker, struct ast_expr *call);

/* sema_types.c: `(string[N])x` and `(string)x` of strings and char arrays. */
enum { SEMA_STRING_CAST_MAX = 4096 };
bool sema_types_is_string_cast(const char *type_text);
const struct type *sema_types_string_cast(struct checker *checker, struct ast_expr *expr,
                                          const struct type *operand);
/* sema_types.c: the value of an integer expression known at compile time
 * (literals and operators on them, as in `t[1 - 1]`); false otherwise. */
bool sema_constant_integer(const struct ast_expr *expr, int64_t *value);

/* sema_number_functions.c: strerror, syscall_name, signal_name, cgroup_path, bswap. */
const struct type *sema_check_number_name(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_cgroup_path(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_bswap(struct checker *checker, struct ast_expr *call);

/* sema_clocks.c: nsecs(monotonic|boot|tai|sw_tai), pid(curr_ns|init), tid(...). */
const struct type *sema_check_nsecs(struct checker *checker, struct ast_expr *call);
const struct type *sema_check_pid_tid(struct checker *checker, struct ast_expr *call);

/* join() reads at most this many strings (bpftrace's default). */
enum { SEMA_JOIN_MAX_ARGS = 16 };

/* The address of a kernel symbol from /proc/kallsyms; 0 when absent. */
uint64_t sema_kernel_symbol_address(const char *name);
/* A signal's number from "SIGUSR1", "USR1" or "10"; 0 when unknown. */
int sema_signal_number(const char *name);

#endif
