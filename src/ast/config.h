/* config: settings from the environment and the script's config block. */
#ifndef SONDE_AST_CONFIG_H
#define SONDE_AST_CONFIG_H

#include "ast/ast.h"

/* What an unstable_* setting says about a feature bpftrace calls unstable. */
enum ast_unstable { AST_UNSTABLE_ENABLE, AST_UNSTABLE_WARN, AST_UNSTABLE_ERROR };

/* Every key must be one of bpftrace's settings with a value of the right
 * kind; errors point at the key. Returns 0 or -EINVAL. */
int ast_config_check(const struct ast_program *program, struct diag *diag);

/* The BPFTRACE_* environment variables of those settings, with the same
 * rules (errors without a place). Returns 0 or -EINVAL. */
int ast_config_check_environment(struct diag *diag);

/* A setting by short name ("max_strlen"): the environment variable
 * (BPFTRACE_MAX_STRLEN) when set, else the script's config (the last entry
 * wins), else NULL. `program` may be NULL. */
const char *ast_config_setting(const struct ast_program *program, const char *key);

/* A boolean setting (true/false/1/0), `fallback` when not set. */
bool ast_config_flag(const struct ast_program *program, const char *key, bool fallback);

/* unstable_<feature> ("unstable_map_decl"); ENABLE when not set. */
enum ast_unstable ast_config_unstable(const struct ast_program *program, const char *key);

/* The unstable features the script uses (map declarations, macros, `&`):
 * a warning for each one set to warn, an error at each use of one set to
 * error. Run before the standard library's macros are added. */
int ast_config_check_unstable(const struct ast_program *program, struct diag *diag);

#endif
