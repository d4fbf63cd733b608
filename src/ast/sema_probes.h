/* sema_probes: the builtins whose meaning depends on the probe kind:
 * arg0..argN, retval, func, and cpid (the child of -c). */
#ifndef SONDE_AST_SEMA_PROBES_H
#define SONDE_AST_SEMA_PROBES_H

#include "ast/sema_internal.h"

/* "arg0".."arg99" → true with the index. */
bool sema_probe_arg_index(const char *name, int *index);

/* The type of BUILTIN_ARG, BUILTIN_RETVAL, BUILTIN_FUNC or BUILTIN_CPID in
 * the current variant, or NULL with an error. cpid becomes a literal. */
const struct type *sema_probe_builtin(struct checker *checker, struct ast_expr *expr,
                                      enum ast_builtin builtin);

#endif
