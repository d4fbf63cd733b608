/* preamble_defines.c: the preamble's macros and what the probes make of them.
 *
 * bpftrace runs cpp over the whole script; sonde has no C preprocessor for
 * the probes. An integer #define is a constant (it works in #if, enum values
 * and array sizes too); any other, function-like ones included, becomes a
 * macro of the language (src/ast/macros.c) read from its body by the probes'
 * parser, so `#define MAX(a, b) ((a) > (b) ? (a) : (b))` is
 * `macro MAX(a, b) { ((a) > (b) ? (a) : (b)) }`. */
#include "front/preamble_defines.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

/* A macro of the preamble: a #define, or a constant of an #included header. */
struct macro {
    const char *name;
    const char *text;  /* the replacement */
    struct vec params; /* char *: a function-like macro's parameter names */
    bool function_like;
    /* A #define of the script: where its name and body are, and the body as
     * written (see struct front_new_macro). */
    bool from_script;
    struct srcloc name_loc, body_loc;
    const char *body_source;
};

/* Where `name` is in the table (a name is there once), or the count. */
static size_t macro_index(const struct front_macros *table, const char *name)
{
    size_t i = 0;
    while (i < table->macros.count &&
           strcmp(((const struct macro *)vec_get(&table->macros, i))->name, name) != 0)
        i++;
    return i;
}

static struct macro *find_macro(const struct front_macros *table, const char *name)
{
    size_t i = macro_index(table, name);
    return i < table->macros.count ? vec_get(&table->macros, i) : NULL;
}

void front_macros_init(struct front_macros *table, struct front_state *state)
{
    *table = (struct front_macros){.state = state};
    struct macro *have_btf = ARENA_NEW(state->arena, struct macro); /* the probes do not see it */
    *have_btf = (struct macro){"BPFTRACE_HAVE_BTF", "1"};
    vec_push(&table->macros, have_btf);
}

void front_macros_free(struct front_macros *table)
{
    for (size_t i = 0; i < table->macros.count; i++)
        vec_free(&((struct macro *)vec_get(&table->macros, i))->params);
    vec_free(&table->macros);
}

bool front_macros_has(const struct front_macros *table, const char *name)
{
    return find_macro(table, name) != NULL;
}

/* ---- names in constant expressions ---------------------------------------- */

static const char *macro_text(void *context, const char *name)
{
    const struct front_macro_scope *scope = context;
    const struct macro *macro = find_macro(scope->table, name);
    return macro && !macro->function_like ? macro->text : NULL;
}

static const char *function_macro_text(void *context, const char *name, const struct vec **params)
{
    const struct front_macro_scope *scope = context;
    const struct macro *macro = find_macro(scope->table, name);
    if (!macro || !macro->function_like)
        return NULL;
    *params = &macro->params;
    return macro->text;
}

static bool find_enumerator(const struct vec *enumerators, const char *name, int64_t *value)
{
    for (size_t i = 0; i < enumerators->count; i++) {
        const struct ast_c_enumerator *enumerator = vec_get(enumerators, i);
        if (strcmp(enumerator->name, name) == 0) {
            *value = enumerator->value;
            return true;
        }
    }
    return false;
}

static bool enumerator_value(void *context, const char *name, int64_t *value)
{
    const struct front_macro_scope *scope = context;
    if (scope->enumerators && find_enumerator(scope->enumerators, name, value))
        return true;
    const struct vec *definitions = &scope->table->state->program->c_definitions;
    for (size_t i = definitions->count; i-- > 0;) {
        const struct ast_c_definition *definition = vec_get(definitions, i);
        if (definition->kind == C_ENUM && find_enumerator(&definition->enumerators, name, value))
            return true;
    }
    return false;
}

struct front_pp_names front_macros_names(struct front_macro_scope *scope, bool in_directive)
{
    /* in #if a name left after replacement is 0, even an enumerator's */
    return (struct front_pp_names){macro_text, in_directive ? NULL : enumerator_value, scope,
                                   in_directive, function_macro_text};
}

/* ---- #define, #undef, #include --------------------------------------------- */

static void new_define(struct front_macros *table, const char *name, const char *text,
                       struct srcloc loc)
{
    struct ast_c_definition *definition = ARENA_NEW(table->state->arena, struct ast_c_definition);
    definition->kind = C_DEFINE;
    definition->name = name;
    definition->loc = loc;
    definition->define_value = text;
    vec_push(&table->state->program->c_definitions, definition);
}

/* Drops the #defines of `name` that the probes would see as constants. */
static void forget_defines(struct front_macros *table, const char *name)
{
    struct vec *definitions = &table->state->program->c_definitions;
    size_t kept = 0;
    for (size_t i = 0; i < definitions->count; i++) {
        struct ast_c_definition *definition = vec_get(definitions, i);
        if (definition->kind != C_DEFINE || strcmp(definition->name, name) != 0)
            definitions->items[kept++] = definition;
    }
    definitions->count = kept;
}

/* cpp's operators on tokens have no counterpart in an expression: `a ## b`
 * pastes, `#x` quotes an argument. Refused where they are written. */
static bool refuse_token_operators(struct front_macros *table, const struct macro *macro)
{
    struct srcloc loc = macro->body_loc;
    for (const char *p = macro->body_source; *p;) {
        size_t length = front_pp_token_length(p);
        if (p[0] == '/' && (p[1] == '/' || p[1] == '*')) {
            const char *close = p[1] == '*' ? strstr(p + 2, "*/") : NULL;
            length = p[1] == '/' ? strcspn(p, "\n") : close ? (size_t)(close - p) + 2 : strlen(p);
        } else if (p[0] == '#' && (p[1] == '#' || macro->function_like)) {
            bool paste = p[1] == '#';
            loc.length = paste ? 2 : 1;
            struct diag_entry *entry =
                diag_error(table->state->diag, loc, "#define %s: %s is not supported", macro->name,
                           paste ? "token pasting (##)" : "stringification (#)");
            diag_hint(entry, "sonde reads a #define's body as an expression, not as tokens");
            return false;
        }
        for (size_t i = 0; i < length && p[i]; i++) {
            loc.line += p[i] == '\n';
            loc.column = p[i] == '\n' ? 1 : loc.column + 1;
        }
        p += length ? length : 1;
    }
    return true;
}

bool front_macros_define(struct front_macros *table, struct front_new_macro *new_macro)
{
    struct macro *macro = find_macro(table, new_macro->name);
    if (!macro) {
        macro = ARENA_NEW(table->state->arena, struct macro);
        macro->name = new_macro->name;
        vec_push(&table->macros, macro);
    }
    vec_free(&macro->params);
    macro->params = new_macro->params;
    new_macro->params = (struct vec){0};
    macro->function_like = new_macro->function_like;
    macro->from_script = true;
    macro->text = new_macro->text;
    macro->body_source = new_macro->body_source;
    macro->body_loc = new_macro->body_loc;
    if (!refuse_token_operators(table, macro))
        return false;
    macro->name_loc = new_macro->name_loc;
    if (macro->function_like)
        forget_defines(table, macro->name); /* no constant: the probes' macro stands for it */
    else
        new_define(table, macro->name, macro->text, macro->name_loc);
    return true;
}

void front_macros_undefine(struct front_macros *table, const char *name)
{
    size_t at = macro_index(table, name);
    if (at < table->macros.count) {
        vec_free(&((struct macro *)vec_get(&table->macros, at))->params);
        struct vec *macros = &table->macros;
        memmove(&macros->items[at], &macros->items[at + 1],
                (macros->count - at - 1) * sizeof(macros->items[0]));
        macros->count--;
    }
    forget_defines(table, name);
}

/* A header's constants stand in for its #defines. One the script defined
 * already keeps the script's value: the user meant it, and the table is
 * only sonde's copy of the header. */
void front_macros_include(struct front_macros *table, const char *header, struct srcloc loc)
{
    struct arena *arena = table->state->arena;
    const struct front_header_constant *constant = front_header_constants(header);
    for (; constant && constant->name; constant++) {
        if (find_macro(table, constant->name))
            continue;
        struct macro *macro = ARENA_NEW(arena, struct macro);
        *macro = (struct macro){constant->name, arena_printf(arena, "%ld", constant->value)};
        vec_push(&table->macros, macro);
        new_define(table, constant->name, macro->text, loc);
    }
}

/* ---- what the probes see ---------------------------------------------------- */

/* `#define MASK (A | B << 4)`: the probes see the value, as after cpp's
 * replacement. A #define that is no integer expression (a string, a name
 * only BTF knows) keeps its text. */
static void evaluate_defines(struct front_macros *table)
{
    struct arena *arena = table->state->arena;
    const struct vec *definitions = &table->state->program->c_definitions;
    struct front_macro_scope scope = {table, NULL};
    struct front_pp_names names = front_macros_names(&scope, false);
    for (size_t i = 0; i < definitions->count; i++) {
        struct ast_c_definition *definition = vec_get(definitions, i);
        const char *text = definition->define_value;
        if (definition->kind != C_DEFINE || !text || !*text ||
            (isdigit((unsigned char)text[0]) && front_pp_token_length(text) == strlen(text)))
            continue;
        int64_t value;
        if (front_pp_evaluate_text(arena, NULL, text, definition->loc, &names, &value))
            definition->define_value = arena_printf(arena, "%" PRId64, value);
    }
}

/* Whether `#define NAME text` is an integer to cpp: then it is a constant
 * (evaluate_defines has its value), else the probes' parser reads it. */
static bool is_integer_define(struct front_macros *table, const struct macro *macro)
{
    struct front_macro_scope scope = {table, NULL};
    struct front_pp_names names = front_macros_names(&scope, false);
    int64_t value;
    return front_pp_evaluate_text(table->state->arena, NULL, macro->text, macro->body_loc, &names,
                                  &value);
}

/* The function-like macro that `#define G F` names, through a chain of
 * such names (`#define H G`), or NULL. */
static const struct macro *named_function_like(const struct front_macros *table,
                                               const struct macro *macro)
{
    for (size_t hops = 0; macro && !macro->function_like; hops++) {
        const char *text = macro->text;
        bool one_name = (isalpha((unsigned char)text[0]) || text[0] == '_') &&
                        front_pp_token_length(text) == strlen(text);
        if (!one_name || hops == table->macros.count) /* a loop: `A B`, `B A` */
            return NULL;
        macro = find_macro(table, text);
    }
    return macro;
}

/* To cpp `G(2)` is `F(2)` after `#define G F`: G's replacement is rescanned
 * with the `(2)` after it. The probes' macros are not rescanned, so G gets a
 * macro with F's parameters and body too. Quietly: F says what is wrong. */
static void define_alias(struct front_macros *table, const struct macro *macro)
{
    const struct macro *target = named_function_like(table, macro);
    if (!target)
        return;
    struct front_define define = {macro->name,         macro->name_loc,  &target->params,
                                  target->body_source, target->body_loc, false};
    front_parse_define(table->state, &define);
}

/* The script's #defines that are not integers become macros of the
 * language, as if written `macro NAME(a, b) { body }`: a string, a name
 * such as `pid`, a cast, a function-like macro. A function-like one that
 * is no expression is an error here; an object-like one is left alone, as
 * it may be a C-only thing the probes never use (`#define u64 unsigned
 * long long`), and sema says so if they do. */
static bool define_probe_macros(struct front_macros *table)
{
    for (size_t i = 0; i < table->macros.count; i++) {
        const struct macro *macro = vec_get(&table->macros, i);
        if (!macro->from_script ||
            (!macro->function_like && (!macro->text[0] || is_integer_define(table, macro))))
            continue;
        struct front_define define = {macro->name,        macro->name_loc, &macro->params,
                                      macro->body_source, macro->body_loc, macro->function_like};
        if (!front_parse_define(table->state, &define) && macro->function_like)
            return false;
        if (!macro->function_like)
            define_alias(table, macro);
    }
    return true;
}

bool front_macros_finish(struct front_macros *table)
{
    evaluate_defines(table);
    return define_probe_macros(table);
}
