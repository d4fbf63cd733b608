/* preamble_expr: the C preprocessor's constant expressions, as the preamble
 * needs them for #if/#elif (cpp's rules: macros expanded, `defined X`,
 * unknown names are 0, 64-bit signed or unsigned arithmetic) and for enum
 * values, array sizes and bit widths (the same arithmetic, where a name must
 * be a macro or an enumerator). Nothing outside src/front/ includes this. */
#ifndef SONDE_FRONT_PREAMBLE_EXPR_H
#define SONDE_FRONT_PREAMBLE_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/vec.h"

/* One preprocessing token: a slice of the script or of a macro's text. */
struct front_pp_token {
    const char *text; /* not NUL-terminated */
    size_t length;
    struct srcloc loc; /* inside a macro's expansion: where the macro was used */
};

/* What names mean to an expression. */
struct front_pp_names {
    /* The replacement text of an object-like macro; NULL when `name` is not
     * a macro. */
    const char *(*macro)(void *context, const char *name);
    /* A name that is not a macro but has a value (an enumerator); may be
     * NULL. */
    bool (*constant)(void *context, const char *name, int64_t *value);
    void *context;
    /* #if and #elif: `defined` works and any other name is 0, as in cpp.
     * Elsewhere a name without a value is an error. */
    bool in_directive;
    /* The replacement text of a function-like macro and its parameter names
     * (char *); NULL when `name` is not one. May be NULL. */
    const char *(*function)(void *context, const char *name, const struct vec **params);
};

/* The length of the token that starts `text` (at least 1 unless `text` is
 * empty): an identifier, a number, a character or string literal, or a
 * punctuator. */
size_t front_pp_token_length(const char *text);

/* Evaluates `tokens` (struct front_pp_token *), all of them. `end` is where
 * the expression stops, for "expected a value" at its end. Errors go to
 * `diag` at the offending token; with `diag` NULL they are only a false
 * return. */
bool front_pp_evaluate(struct arena *arena, struct diag *diag, const struct vec *tokens,
                       struct srcloc end, const struct front_pp_names *names, int64_t *value);

/* The same for a whole text that starts at `loc` and holds no comments. */
bool front_pp_evaluate_text(struct arena *arena, struct diag *diag, const char *text,
                            struct srcloc loc, const struct front_pp_names *names, int64_t *value);

#endif
