/* front_internal: what the scanner (lexer.l), the grammar (parser.y) and
 * parse.c share. Nothing outside src/front/ includes this. */
#ifndef SONDE_FRONT_FRONT_INTERNAL_H
#define SONDE_FRONT_FRONT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast/ast.h"
#include "base/arena.h"
#include "base/diag.h"

/* One parse in progress: the scanner's `extra` and the grammar's parameter. */
struct front_state {
    struct arena *arena;
    struct diag *diag;
    void *scanner; /* yyscan_t */
    struct ast_program *program;

    const char *text; /* what the scanner reads: the source minus a #! line */
    size_t offset;    /* bytes of `text` consumed so far */
    int line, column; /* where the next character sits (1-based) */

    /* The most recent match, which is the parser's lookahead when it reports
     * an error: quoted in "unexpected identifier 'foo'". */
    const char *match_text;
    size_t match_length;
    /* Just after the last real token: where "unexpected end of file" points,
     * rather than at trailing blank lines. */
    int token_end_line, token_end_column;

    int brace_depth;         /* inside a probe body */
    int paren_depth;         /* inside a predicate, where '/' at depth 0 ends it */
    struct srcloc body_open; /* the '{' of the body being scanned */

    /* The last statement of the block just reduced when it had no ';': a
     * macro's value. */
    struct ast_stmt *unterminated;
    int hidden_variables; /* numbers the variables that desugaring introduces */
    void *token_queue; /* parser.y: tokens read ahead to tell `(pid_t)x` from `(x)` */
    int previous_token, before_previous_token; /* parser.y: what a '{' opens */
    bool in_fn_signature;
};

/* Literal decoding for the scanner. Both record a diag entry pointing into the
 * literal and return false when the text is not valid. `loc` is the literal's. */
bool front_decode_integer(struct front_state *state, const char *text, size_t length,
                          struct srcloc loc, uint64_t *value);
/* `text` includes the quotes; the result is NUL-terminated in the arena. */
bool front_decode_string(struct front_state *state, const char *text, size_t length,
                         struct srcloc loc, char **bytes, size_t *byte_count);

/* Node builders for the grammar's actions. Lists are arena-held `struct vec`s
 * whose contents move into the node that adopts them. */
struct vec *front_list(struct front_state *state, void *first);
struct ast_expr *front_binary(struct front_state *state, enum ast_binary_op op,
                              struct ast_expr *left, struct ast_expr *right, struct srcloc loc);
struct ast_expr *front_unary(struct front_state *state, enum ast_unary_op op,
                             struct ast_expr *operand, struct srcloc loc);
/* `keys` and `args` may be NULL for none. */
struct ast_expr *front_map(struct front_state *state, char *name, struct vec *keys,
                           struct srcloc loc);
struct ast_expr *front_call(struct front_state *state, char *name, struct srcloc name_loc,
                            struct vec *args, struct srcloc loc);
struct ast_expr *front_field(struct front_state *state, struct ast_expr *base, char *name,
                             bool arrow, struct srcloc name_loc, struct srcloc loc);
struct ast_expr *front_tuple(struct front_state *state, struct vec *elements, struct srcloc loc);
struct ast_expr *front_cast(struct front_state *state, char *type_text, struct srcloc type_loc,
                            struct ast_expr *operand, struct srcloc loc);
/* "struct task_struct" + 1 star + NULL -> "struct task_struct *"; `array` is "[N]" or NULL. */
char *front_type_text(struct front_state *state, const char *base, int stars, const char *array);

struct ast_stmt *front_expr_stmt(struct front_state *state, struct ast_expr *expr,
                                 struct srcloc loc);
/* NULL (with a diagnostic) when the target is not a $variable or @map. */
struct ast_stmt *front_assignment(struct front_state *state, enum ast_assign_op op,
                                  struct ast_expr *target, struct ast_expr *value,
                                  struct srcloc loc);
struct ast_stmt *front_block(struct front_state *state, struct vec *statements, struct srcloc loc);
struct ast_stmt *front_if(struct front_state *state, struct ast_expr *condition,
                          struct ast_stmt *then_branch, struct ast_stmt *else_branch,
                          struct srcloc loc);
/* STMT_WHILE (head = condition) or STMT_UNROLL (head = count). */
struct ast_stmt *front_loop(struct front_state *state, enum ast_stmt_kind kind,
                            struct ast_expr *head, struct ast_stmt *body, struct srcloc loc);
struct ast_stmt *front_return(struct front_state *state, struct ast_expr *value, struct srcloc loc);

/* statements.c: let, for, ?:, config entries and macros. */
struct ast_stmt *front_let(struct front_state *state, char *name, struct srcloc name_loc,
                           char *type_text, struct srcloc type_loc, struct ast_expr *value,
                           struct srcloc loc);
struct ast_stmt *front_for(struct front_state *state, char *name, struct srcloc name_loc,
                           struct ast_expr *start, struct ast_expr *end, struct ast_stmt *body,
                           struct srcloc loc);
/* for ($kv : @map): NULL (with a diagnostic) when `map` is not a whole map. */
struct ast_stmt *front_for_map(struct front_state *state, char *name, struct srcloc name_loc,
                               struct ast_expr *map, struct ast_stmt *body, struct srcloc loc);
/* `{ statements; value }` as an assigned value. */
struct ast_expr *front_block_value(struct front_state *state, struct ast_stmt *block,
                                   struct srcloc loc);
/* `a ?: b`: a is evaluated once. */
struct ast_expr *front_elvis(struct front_state *state, struct ast_expr *value,
                             struct ast_expr *fallback, struct srcloc loc);
/* (first, rest...) */
struct ast_expr *front_tuple_of(struct front_state *state, struct ast_expr *first,
                                struct vec *rest, struct srcloc loc);
/* `key = value` in a config block: `loc` is the key's place, `value_loc` the value's. */
void front_config_number(struct front_state *state, char *key, uint64_t value, struct srcloc loc,
                         struct srcloc value_loc);
void front_config_text(struct front_state *state, char *key, char *value, struct srcloc loc,
                       struct srcloc value_loc);
void front_add_macro(struct front_state *state, char *name, struct vec *params,
                     struct ast_stmt *body, struct srcloc loc);
/* fn name(params): return_type { body }; `params` and `return_type` may be NULL. */
void front_add_function(struct front_state *state, char *name, struct srcloc loc,
                        struct vec *params, char *return_type, struct srcloc return_type_loc,
                        struct ast_stmt *body);

/* preamble.c: reads the C preamble of state->text into
 * program->c_definitions. On return `*start` is where the probes begin, with
 * its line and column; false after an error was recorded. */
bool front_read_preamble(struct front_state *state, size_t *start, int *line, int *column);
/* A typedef of the preamble: the scanner makes it a type name, so
 * `(pid_t)x` is a cast. */
bool front_is_typedef_name(const struct front_state *state, const char *name);

/* parse.c: a #define of the preamble that is no integer, read by the
 * probes' parser as `macro NAME(params) { body }` into program->macros. */
struct front_define {
    const char *name;
    struct srcloc name_loc;
    const struct vec *params; /* char * */
    const char *body;         /* as written: its tokens keep their places */
    struct srcloc body_loc;   /* where `body` starts */
    bool report;              /* say why it is no expression; else fail quietly */
};
bool front_parse_define(struct front_state *state, const struct front_define *define);

/* header_constants.c: the macros a script may use from a system header it
 * includes (the table ends with a NULL name), or NULL. */
struct front_header_constant {
    const char *name;
    long value;
};
const struct front_header_constant *front_header_constants(const char *header);

struct ast_attach_point *front_attach_point(struct front_state *state, char *text,
                                            struct srcloc loc);
/* Appends to state->program, numbering probes in script order. */
void front_add_probe(struct front_state *state, struct vec *attach_points,
                     struct ast_expr *predicate, struct ast_stmt *body, struct srcloc loc);

#endif
