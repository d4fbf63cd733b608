/* config: settings from the environment and the script's config block. */
#ifndef SONDE_AST_CONFIG_H
#define SONDE_AST_CONFIG_H

#include "ast/ast.h"

/* Every key must be a known setting with a value of the right kind; errors
 * point at the key. Returns 0 or -EINVAL. */
int ast_config_check(const struct ast_program *program, struct diag *diag);

/* A setting by short name ("max_strlen"): the environment variable
 * (BPFTRACE_MAX_STRLEN) when set, else the script's config (the last entry
 * wins), else NULL. `program` may be NULL. */
const char *ast_config_setting(const struct ast_program *program, const char *key);

#endif
