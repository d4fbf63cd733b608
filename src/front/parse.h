/* front: turns script text into an AST. */
#ifndef SONDE_FRONT_PARSE_H
#define SONDE_FRONT_PARSE_H

#include "ast/ast.h"
#include "base/arena.h"
#include "base/diag.h"

/* Parse `source` (already in diag->source). Returns NULL after recording at least
 * one error with a location; a tree nested deeper than AST_MAX_NESTING is such
 * an error. A leading `#!` line is skipped. */
struct ast_program *front_parse(const char *source, struct arena *arena, struct diag *diag);

/* Append the standard library's macros (the .bt files of src/stdlib) to the program's,
 * skipping any the script defines itself. Returns 0, or -1 with an error. */
int front_add_stdlib(struct ast_program *program, struct arena *arena, struct diag *diag);

/* Replace `$1`..`$N` in the attach points by the positional parameters
 * (empty when missing), as bpftrace does: `tracepoint:syscalls:sys_enter_$1`. */
void front_substitute_attach_params(struct ast_program *program, const char *const *params,
                                    int count, struct arena *arena);

#endif
