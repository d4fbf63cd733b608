/* nesting: a bound on how deep the syntax tree goes. */
#ifndef SONDE_AST_NESTING_H
#define SONDE_AST_NESTING_H

#include "ast/ast.h"

/* Expressions and statements nested deeper than this are an error. */
#define AST_MAX_NESTING 1000

/* Every pass after the parser walks the tree recursively, so a tree deeper
 * than AST_MAX_NESTING (`1+1+...+1` with 50,000 terms, `a->b->b->...`)
 * would overflow the stack. Reports the first place that goes too deep;
 * returns 0 or -EINVAL. */
int ast_check_nesting(const struct ast_program *program, struct diag *diag);

#endif
