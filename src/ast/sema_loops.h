/* Range loops: which are compiled inline and which as a bpf_loop callback.
 * The type checker (sema_scope.c) and codegen (loops.c) must agree. */
#ifndef SONDE_AST_SEMA_LOOPS_H
#define SONDE_AST_SEMA_LOOPS_H

#include <stdbool.h>

#include "ast/ast.h"

/* Range loops of at most this many passes with literal bounds stay a plain
 * loop, which the verifier walks pass by pass (and whose body may read the
 * probe's arguments); others run through bpf_loop. */
#define SEMA_INLINE_RANGE_MAX 100

/* True when `for ($i : a..b)` runs its body as a BPF callback of bpf_loop:
 * a bound known only at run time, or more passes than SEMA_INLINE_RANGE_MAX.
 * Valid once the bounds are checked (positional parameters are literals). */
bool sema_for_range_needs_callback(const struct ast_stmt *stmt);

struct checker;
/* Checks such a loop's body (its counter already declared): the probe's
 * context (args, argN, retval, stacks) is out of reach there, and so is a
 * `return` out of a fn. */
bool sema_check_range_callback(struct checker *checker, struct ast_stmt *stmt);

#endif
