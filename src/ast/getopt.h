/* getopt: named parameters of a script, `getopt("name"[, default[, "description"]])`.
 *
 * The values come from the command line (`--name=value` or `--name` after the
 * script, or after `--`), so every getopt call is a compile-time constant:
 * this pass replaces each call by the literal it stands for, before probes are
 * expanded and types are checked. */
#ifndef SONDE_AST_GETOPT_H
#define SONDE_AST_GETOPT_H

#include <stdio.h>

#include "ast/ast.h"
#include "base/arena.h"
#include "base/diag.h"

/* The named parameters as given: "--name" or "--name=value". */
struct ast_named_params {
    const char *const *args;
    int count;
};

/* Replaces every getopt() call of the program by its value. A named parameter
 * that no getopt() declares is an error. `--help` (when the script declares
 * no option of that name) lists the script's options on `help_out` instead.
 * Returns 0, 1 when the listing was printed (nothing more to do), or -EINVAL
 * with diagnostics. */
int ast_resolve_getopt(struct ast_program *program, const struct ast_named_params *params,
                       const char *script_name, FILE *help_out, struct arena *arena,
                       struct diag *diag);

/* Is this argument after the script a named parameter ("--x", "--x=v")? */
bool ast_is_named_param(const char *arg);

#endif
