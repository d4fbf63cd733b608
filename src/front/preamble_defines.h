/* preamble_defines: the macros of the C preamble (its #defines and the
 * constants of the headers it includes), what #ifdef and #if see of them,
 * and what becomes of them for the probes. preamble.c reads the directives;
 * this keeps the table. Nothing outside src/front/ includes this. */
#ifndef SONDE_FRONT_PREAMBLE_DEFINES_H
#define SONDE_FRONT_PREAMBLE_DEFINES_H

#include <stdbool.h>

#include "base/vec.h"
#include "front/front_internal.h"
#include "front/preamble_expr.h"

/* The macros defined so far, in the order of their first #define. */
struct front_macros {
    struct front_state *state;
    struct vec macros; /* preamble_defines.c's struct macro * */
};

/* One `#define NAME(params) body` as the script writes it. */
struct front_new_macro {
    const char *name;
    struct srcloc name_loc;
    bool function_like;
    struct vec params; /* char *: the table takes the vector over */
    const char *text;  /* the replacement, blanks and comments folded to a space */
    /* The body as written, continuation lines blanked, which starts at
     * `body_loc`: the probes' parser places its tokens where they are. */
    const char *body_source;
    struct srcloc body_loc;
};

/* A table holding only BPFTRACE_HAVE_BTF, which bpftrace defines for clang. */
void front_macros_init(struct front_macros *table, struct front_state *state);
void front_macros_free(struct front_macros *table);
bool front_macros_has(const struct front_macros *table, const char *name);

/* A later #define of a name replaces the earlier one, a header's too. False
 * after an error was recorded (cpp's ## and #, which no expression has). */
bool front_macros_define(struct front_macros *table, struct front_new_macro *macro);
/* #undef: the macro and the constants the probes would see are forgotten. */
void front_macros_undefine(struct front_macros *table, const char *name);
/* `#include <header>`: its known constants, unless the script has defined
 * them already (program->c_definitions gets them too). */
void front_macros_include(struct front_macros *table, const char *header, struct srcloc loc);

/* What names mean to a constant expression: the macros, and in an enum
 * value or array size (not in #if) the enumerators of `enumerators` (the
 * enum being read; may be NULL), then of the enums before it. */
struct front_macro_scope {
    struct front_macros *table;
    const struct vec *enumerators;
};
struct front_pp_names front_macros_names(struct front_macro_scope *scope, bool in_directive);

/* At the end of the preamble: each integer #define becomes a constant of
 * that value, any other one a macro of the language. False after an error. */
bool front_macros_finish(struct front_macros *table);

#endif
