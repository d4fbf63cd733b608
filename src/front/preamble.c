/* preamble.c: the C preamble at the top of a script, before its probes.
 *
 * bpftrace scripts may start with what a C header would hold: #include lines,
 * #defines and #undef, #if/#ifdef/#ifndef/#elif/#else/#endif (expressions as
 * cpp evaluates them: preamble_expr.c), #error, and struct, union, enum and
 * typedef definitions. This hand-written scanner reads them into
 * program->c_definitions (the type builders in src/types/cdefs.c make types of
 * them) and stops at the first thing that is not C, where flex takes over at
 * the same line and column so later locations stay right. Kernel headers are
 * not read: their types come from the kernel's BTF. What becomes of the
 * #defines, constants or macros of the language, is preamble_defines.c's. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "front/front_internal.h"
#include "front/preamble_defines.h"
#include "front/preamble_expr.h"

enum { C_ARRAY_MAX_LENGTH = 1 << 20 }; /* the message in declarator() says 1,048,576 */

struct cursor {
    struct front_state *state;
    const char *text;
    size_t pos;
    int line, column;
    struct front_macros macros; /* what #ifdef and #if see */
    struct vec conditions;      /* struct condition *: open #if groups */
    bool failed;
};

struct condition {
    bool active;        /* this branch is taken */
    bool parent_active; /* the enclosing group is taken */
    bool taken;         /* some branch so far was: #elif and #else are not */
    bool seen_else;
    struct srcloc loc;
};

static char peek(const struct cursor *c, size_t ahead)
{
    for (size_t i = 0; i < ahead; i++)
        if (!c->text[c->pos + i])
            return '\0';
    return c->text[c->pos + ahead];
}

static void step(struct cursor *c)
{
    if (!c->text[c->pos])
        return;
    if (c->text[c->pos] == '\n') {
        c->line++;
        c->column = 1;
    } else {
        c->column++;
    }
    c->pos++;
}

static struct srcloc here(const struct cursor *c, int length)
{
    return (struct srcloc){c->line, c->column, length > 0 ? length : 1};
}

static void fail(struct cursor *c, struct srcloc loc, const char *message, const char *hint)
{
    if (c->failed)
        return;
    struct diag_entry *entry = diag_error(c->state->diag, loc, "%s", message);
    if (hint)
        diag_hint(entry, "%s", hint);
    c->failed = true;
}

static bool active(const struct cursor *c)
{
    if (c->conditions.count == 0)
        return true;
    const struct condition *top = vec_get(&c->conditions, c->conditions.count - 1);
    return top->active && top->parent_active;
}

/* Spaces and comments; newlines too unless `stop_at_newline` (directives end
 * at the end of their line). */
static void skip_blank(struct cursor *c, bool stop_at_newline)
{
    for (;;) {
        char ch = peek(c, 0);
        if (ch == '\\' && peek(c, 1) == '\n') {
            step(c);
            step(c);
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v' ||
                   (ch == '\n' && !stop_at_newline)) {
            step(c);
        } else if (ch == '/' && peek(c, 1) == '/') {
            while (peek(c, 0) && peek(c, 0) != '\n')
                step(c);
        } else if (ch == '/' && peek(c, 1) == '*') {
            struct srcloc start = here(c, 2);
            step(c);
            step(c);
            while (peek(c, 0) && !(peek(c, 0) == '*' && peek(c, 1) == '/'))
                step(c);
            if (!peek(c, 0))
                return fail(c, start, "unterminated comment", NULL);
            step(c);
            step(c);
        } else {
            return;
        }
    }
}

static bool is_ident_start(char ch)
{
    return isalpha((unsigned char)ch) || ch == '_';
}

/* An identifier at the cursor, or NULL. */
static char *read_word(struct cursor *c)
{
    if (!is_ident_start(peek(c, 0)))
        return NULL;
    size_t start = c->pos;
    while (isalnum((unsigned char)peek(c, 0)) || peek(c, 0) == '_')
        step(c);
    return arena_strndup(c->state->arena, c->text + start, c->pos - start);
}

static bool word_at(const struct cursor *c, const char *word)
{
    size_t length = strlen(word);
    return strncmp(c->text + c->pos, word, length) == 0 &&
           !isalnum((unsigned char)c->text[c->pos + length]) && c->text[c->pos + length] != '_';
}

static bool expect_char(struct cursor *c, char ch, const char *what)
{
    skip_blank(c, false);
    if (peek(c, 0) == ch) {
        step(c);
        return true;
    }
    char message[96];
    snprintf(message, sizeof(message), "expected '%c' %s", ch, what);
    fail(c, here(c, 1), message, NULL);
    return false;
}

/* ---- constant expressions (enum values, array sizes, #if) ---------------- */

/* The tokens of the rest of the directive's line. */
static void line_tokens(struct cursor *c, struct vec *tokens)
{
    for (skip_blank(c, true); peek(c, 0) && peek(c, 0) != '\n'; skip_blank(c, true)) {
        size_t length = front_pp_token_length(c->text + c->pos);
        struct front_pp_token *token = ARENA_NEW(c->state->arena, struct front_pp_token);
        *token = (struct front_pp_token){c->text + c->pos, length, here(c, (int)length)};
        vec_push(tokens, token);
        for (size_t i = 0; i < length; i++)
            step(c);
    }
}

/* The tokens up to one of `stops` outside parentheses, which stays unread.
 * Braces and ';' end an expression anywhere. */
static void tokens_until(struct cursor *c, const char *stops, struct vec *tokens)
{
    int depth = 0;
    for (skip_blank(c, false); peek(c, 0); skip_blank(c, false)) {
        char ch = peek(c, 0);
        if ((depth == 0 && strchr(stops, ch)) || ch == ';' || ch == '{' || ch == '}')
            return;
        depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
        size_t length = front_pp_token_length(c->text + c->pos);
        struct front_pp_token *token = ARENA_NEW(c->state->arena, struct front_pp_token);
        *token = (struct front_pp_token){c->text + c->pos, length, here(c, (int)length)};
        vec_push(tokens, token);
        for (size_t i = 0; i < length; i++)
            step(c);
    }
}

/* An enum value, array size or bit width, up to one of `stops`. */
static bool constant_expr(struct cursor *c, const char *stops, int64_t *value,
                          const struct vec *enumerators)
{
    struct vec tokens = {0};
    tokens_until(c, stops, &tokens);
    struct front_macro_scope scope = {&c->macros, enumerators};
    struct front_pp_names names = front_macros_names(&scope, false);
    bool ok = !c->failed && front_pp_evaluate(c->state->arena, c->state->diag, &tokens, here(c, 1),
                                              &names, value);
    vec_free(&tokens);
    c->failed |= !ok;
    return ok;
}

/* The value of an #if or #elif line, which it reads. */
static bool directive_condition(struct cursor *c, struct srcloc directive, bool *taken)
{
    struct vec tokens = {0};
    line_tokens(c, &tokens);
    bool ok = !c->failed;
    if (ok && tokens.count == 0) {
        fail(c, directive, "expected an expression after this directive", NULL);
        ok = false;
    }
    struct front_macro_scope scope = {&c->macros, NULL};
    struct front_pp_names names = front_macros_names(&scope, true);
    int64_t value = 0;
    if (ok)
        ok =
            front_pp_evaluate(c->state->arena, c->state->diag, &tokens, here(c, 1), &names, &value);
    vec_free(&tokens);
    c->failed |= !ok;
    *taken = value != 0;
    return ok;
}

/* ---- types ---------------------------------------------------------------- */

/* C's integer words in any order ("long unsigned int") in the one spelling
 * the type builders know ("unsigned long"). */
static const char *integer_type_text(int is_unsigned, int is_signed, int longs, bool is_short,
                                     bool is_char)
{
    static const char *const names[2][5] = {
        {"int", "long", "long long", "short", "char"},
        {"unsigned int", "unsigned long", "unsigned long long", "unsigned short", "unsigned char"},
    };
    int column = is_char ? 4 : is_short ? 3 : longs > 2 ? 2 : longs;
    if (is_char && is_signed)
        return "signed char";
    return names[is_unsigned ? 1 : 0][column];
}

static bool is_integer_word(const char *word)
{
    static const char *const words[] = {"unsigned", "signed", "int", "long", "short", "char", NULL};
    for (const char *const *w = words; *w; w++)
        if (strcmp(word, *w) == 0)
            return true;
    return false;
}

static bool is_qualifier(const char *word)
{
    return strcmp(word, "const") == 0 || strcmp(word, "volatile") == 0 ||
           strcmp(word, "restrict") == 0 || strcmp(word, "__restrict") == 0;
}

static bool read_record(struct cursor *c, enum ast_c_kind kind, const char *tag, struct srcloc loc);
static bool read_enum_body(struct cursor *c, const char *tag, struct srcloc loc);
static bool preprocessor_line(struct cursor *c);

/* The base of a declaration: "struct sock", "unsigned int", "u32". A body
 * right after a tag (`typedef struct x { ... } y;`) defines the tag too. */
static const char *read_base_type(struct cursor *c)
{
    skip_blank(c, false);
    struct srcloc loc = here(c, 1);
    int is_unsigned = 0, is_signed = 0, longs = 0;
    bool is_short = false, is_char = false, integer = false;
    for (;;) {
        skip_blank(c, false);
        size_t start = c->pos;
        int line = c->line, column = c->column;
        char *word = read_word(c);
        if (!word)
            break;
        if (is_qualifier(word))
            continue;
        if (!is_integer_word(word)) {
            if (integer) { /* the declarator's name: put it back */
                c->pos = start, c->line = line, c->column = column;
                break;
            }
            bool tagged = strcmp(word, "struct") == 0 || strcmp(word, "union") == 0 ||
                          strcmp(word, "enum") == 0;
            if (!tagged)
                return word;
            skip_blank(c, false);
            struct srcloc tag_loc = here(c, 1);
            char *tag = read_word(c);
            skip_blank(c, false);
            if (peek(c, 0) == '{') {
                if (!tag)
                    tag = arena_printf(c->state->arena, "__anon%d", ++c->state->hidden_variables);
                enum ast_c_kind kind = word[0] == 's'   ? C_STRUCT
                                       : word[0] == 'u' ? C_UNION
                                                        : C_ENUM;
                bool ok = kind == C_ENUM ? read_enum_body(c, tag, tag_loc)
                                         : read_record(c, kind, tag, tag_loc);
                if (!ok)
                    return NULL;
            } else if (!tag) {
                fail(c, tag_loc, "expected a name or '{' after this keyword", NULL);
                return NULL;
            }
            return arena_printf(c->state->arena, "%s %s", word, tag);
        }
        integer = true;
        is_unsigned |= strcmp(word, "unsigned") == 0;
        is_signed |= strcmp(word, "signed") == 0;
        longs += strcmp(word, "long") == 0;
        is_short |= strcmp(word, "short") == 0;
        is_char |= strcmp(word, "char") == 0;
    }
    if (integer)
        return integer_type_text(is_unsigned, is_signed, longs, is_short, is_char);
    fail(c, loc, "expected a type", NULL);
    return NULL;
}

/* One declarator: `*name`, `name[N]`, `name : bits`. */
struct declarator {
    const char *type_text;
    const char *name;
    unsigned array_length;
    bool is_array; /* also `name[0]` */
    int bit_width;
    struct srcloc loc;
};

static bool read_declarator(struct cursor *c, const char *base, struct declarator *out)
{
    int stars = 0;
    for (skip_blank(c, false); peek(c, 0) == '*' || word_at(c, "const"); skip_blank(c, false)) {
        if (peek(c, 0) == '*') {
            stars++;
            step(c);
        } else {
            read_word(c);
        }
    }
    out->loc = here(c, 1);
    if (peek(c, 0) == '(') {
        fail(c, out->loc, "function pointers are not supported in C definitions",
             "declare the field as 'void *'");
        return false;
    }
    out->name = read_word(c);
    if (!out->name) {
        fail(c, out->loc, "expected a name in this declaration", NULL);
        return false;
    }
    out->loc.length = (int)strlen(out->name);
    out->type_text = front_type_text(c->state, base, stars, NULL);
    out->array_length = 0;
    out->is_array = false;
    out->bit_width = -1;
    skip_blank(c, false);
    int64_t value;
    if (peek(c, 0) == '[') {
        step(c);
        struct srcloc length_loc = here(c, 1);
        if (!constant_expr(c, "]", &value, NULL) || !expect_char(c, ']', "to close the array"))
            return false;
        /* A BPF map value or stack slot is far smaller; past this a size
         * would only wrap around. */
        if (value < 0 || value > C_ARRAY_MAX_LENGTH) {
            fail(c, length_loc,
                 value < 0 ? "an array cannot have a negative length"
                           : "an array this long cannot be traced (at most 1,048,576 elements)",
                 NULL);
            return false;
        }
        out->array_length = (unsigned)value;
        out->is_array = true;
    } else if (peek(c, 0) == ':') {
        step(c);
        if (!constant_expr(c, ",", &value, NULL))
            return false;
        out->bit_width = (int)value;
    }
    return true;
}

static struct ast_c_definition *new_definition(struct cursor *c, enum ast_c_kind kind,
                                               const char *name, struct srcloc loc)
{
    struct ast_c_definition *definition = ARENA_NEW(c->state->arena, struct ast_c_definition);
    definition->kind = kind;
    definition->name = name;
    definition->loc = loc;
    return definition;
}

/* In a `{ ... }` body: past blanks and preprocessor lines to what comes
 * next. 1: a member; 0: the closing '}'; -1: an error was recorded. */
static int next_member(struct cursor *c)
{
    for (;;) {
        skip_blank(c, false);
        if (preprocessor_line(c))
            continue;
        if (c->failed)
            return -1;
        return peek(c, 0) == '}' ? 0 : 1;
    }
}

/* `{ type a; type b[N], *c; type d : 3; }` with the cursor at '{'. */
static bool read_record(struct cursor *c, enum ast_c_kind kind, const char *tag, struct srcloc loc)
{
    struct ast_c_definition *definition = new_definition(c, kind, tag, loc);
    step(c); /* '{' */
    for (int member; (member = next_member(c)) != 0;) {
        if (member < 0)
            return false;
        if (!peek(c, 0)) {
            fail(c, loc, "this definition is never closed with '}'", NULL);
            return false;
        }
        const char *base = read_base_type(c);
        if (!base)
            return false;
        do {
            struct declarator d;
            if (!read_declarator(c, base, &d))
                return false;
            struct ast_c_field *field = ARENA_NEW(c->state->arena, struct ast_c_field);
            *field = (struct ast_c_field){d.type_text, d.name, d.array_length, d.bit_width,
                                          d.is_array, d.loc};
            vec_push(&definition->fields, field);
            skip_blank(c, false);
        } while (peek(c, 0) == ',' && (step(c), true));
        if (!expect_char(c, ';', "after a field"))
            return false;
    }
    step(c); /* '}' */
    vec_push(&c->state->program->c_definitions, definition);
    return true;
}

/* `{ A = 1, B, C = A | B }` with the cursor at '{'. */
static bool read_enum_body(struct cursor *c, const char *tag, struct srcloc loc)
{
    struct ast_c_definition *definition = new_definition(c, C_ENUM, tag, loc);
    step(c); /* '{' */
    int64_t next = 0;
    bool next_overflows = false; /* the previous one was INT64_MAX */
    for (int member; (member = next_member(c)) != 0;) {
        if (member < 0)
            return false;
        struct srcloc name_loc = here(c, 1);
        char *name = read_word(c);
        if (!name) {
            fail(c, name_loc, "expected an enumerator name", NULL);
            return false;
        }
        name_loc.length = (int)strlen(name);
        skip_blank(c, false);
        if (peek(c, 0) == '=') {
            step(c);
            if (!constant_expr(c, ",", &next, &definition->enumerators))
                return false;
        }
        if (next_overflows) {
            fail(c, name_loc, "this enumerator's value would be past the largest 64-bit integer",
                 NULL);
            return false;
        }
        struct ast_c_enumerator *enumerator = ARENA_NEW(c->state->arena, struct ast_c_enumerator);
        *enumerator = (struct ast_c_enumerator){name, next, name_loc};
        next_overflows = next == INT64_MAX;
        next = (int64_t)((uint64_t)next + 1);
        vec_push(&definition->enumerators, enumerator);
        for (skip_blank(c, false); preprocessor_line(c); skip_blank(c, false))
            ;
        if (c->failed)
            return false;
        if (peek(c, 0) == ',')
            step(c);
        else if (peek(c, 0) != '}')
            return expect_char(c, '}', "to close the enum");
    }
    step(c); /* '}' */
    vec_push(&c->state->program->c_definitions, definition);
    return true;
}

/* Whether the last thing read, blanks aside, was a closing brace. */
static bool closed_brace_before(const struct cursor *c)
{
    size_t at = c->pos;
    while (at > 0 && (c->text[at - 1] == ' ' || c->text[at - 1] == '\t' ||
                      c->text[at - 1] == '\n' || c->text[at - 1] == '\r'))
        at--;
    return at > 0 && c->text[at - 1] == '}';
}

/* `struct x {...};`, `enum e {...};`, `typedef T name;`, `struct x;`. */
static bool read_declaration(struct cursor *c)
{
    bool is_typedef = word_at(c, "typedef");
    if (is_typedef)
        read_word(c);
    const char *base = read_base_type(c);
    if (!base)
        return false;
    skip_blank(c, false);
    if (is_typedef) {
        struct declarator d;
        if (!read_declarator(c, base, &d))
            return false;
        const char *target =
            d.is_array ? arena_printf(c->state->arena, "%s[%u]", d.type_text, d.array_length)
                       : d.type_text;
        struct ast_c_definition *definition = new_definition(c, C_TYPEDEF, d.name, d.loc);
        definition->typedef_target = target;
        vec_push(&c->state->program->c_definitions, definition);
    }
    /* bpftrace accepts `struct x { ... }` without the `;`: so do we, once the
     * definition's braces are closed. */
    if (!is_typedef && peek(c, 0) != ';' && closed_brace_before(c))
        return true;
    return expect_char(c, ';', "after this definition");
}

/* ---- directives ----------------------------------------------------------- */

/* The rest of the directive's line, trimmed. A comment or a run of blanks
 * inside it becomes one space, as in cpp: `A B` stays two tokens. */
static char *rest_of_line(struct cursor *c)
{
    struct strbuf text = {0};
    skip_blank(c, true);
    while (peek(c, 0) && peek(c, 0) != '\n') {
        size_t length = front_pp_token_length(c->text + c->pos); /* "a  b" whole */
        for (size_t i = 0; i < length; i++, step(c))
            strbuf_putc(&text, peek(c, 0));
        size_t before = c->pos;
        skip_blank(c, true);
        if (c->pos != before)
            strbuf_putc(&text, ' ');
    }
    char *result = arena_strdup(c->state->arena, text.data ? strbuf_text(&text) : "");
    strbuf_free(&text);
    size_t length = strlen(result);
    while (length && isspace((unsigned char)result[length - 1]))
        result[--length] = '\0';
    return result;
}

/* `#include <header>`: no header is read, only its known constants. */
static void read_include(struct cursor *c, struct srcloc loc)
{
    char *header = rest_of_line(c);
    if (header[0] == '"') {
        fail(c, loc, "#include of a local header is not supported",
             "paste its definitions into the script");
        return;
    }
    if (header[0] != '<') {
        fail(c, loc, "expected <header.h> after #include", NULL);
        return;
    }
    vec_push(&c->state->program->c_definitions, new_definition(c, C_INCLUDE, header, loc));
    front_macros_include(&c->macros, header, loc);
}

/* `(a, b)` after a function-like macro's name, the cursor at '('. */
static bool read_params(struct cursor *c, const char *name, struct vec *params)
{
    step(c); /* '(' */
    skip_blank(c, true);
    if (peek(c, 0) == ')')
        return step(c), true;
    for (;;) {
        skip_blank(c, true);
        struct srcloc loc = here(c, 1);
        if (peek(c, 0) == '.' && peek(c, 1) == '.' && peek(c, 2) == '.') {
            loc.length = 3;
            fail(c, loc,
                 arena_printf(c->state->arena, "#define %s: variadic macros are not supported",
                              name),
                 "give the macro a fixed number of parameters");
            return false;
        }
        char *param = read_word(c);
        if (!param) {
            fail(c, loc, "expected a parameter name", NULL);
            return false;
        }
        vec_push(params, param);
        skip_blank(c, true);
        if (peek(c, 0) == ')')
            return step(c), true;
        if (peek(c, 0) != ',') {
            fail(c, here(c, 1), "expected ',' or ')' after this parameter", NULL);
            return false;
        }
        step(c);
    }
}

/* The body as written, from `start` to the cursor: a backslash that
 * continues the line becomes a blank, so every token keeps its place. */
static const char *body_source(struct cursor *c, size_t start)
{
    char *text = arena_strndup(c->state->arena, c->text + start, c->pos - start);
    for (char *p = text; *p; p++)
        if (p[0] == '\\' && (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n')))
            p[0] = ' ';
    return text;
}

/* `#define NAME body` or `#define NAME(params) body`. */
static void read_define(struct cursor *c, struct srcloc loc)
{
    skip_blank(c, true);
    struct srcloc name_loc = here(c, 1);
    char *name = read_word(c);
    if (!name) {
        fail(c, name_loc, "expected a name after #define", NULL);
        return;
    }
    name_loc.length = (int)strlen(name);
    struct front_new_macro macro = {name, name_loc};
    macro.function_like = peek(c, 0) == '('; /* `F (x)` is an object-like F */
    if (macro.function_like && !read_params(c, name, &macro.params)) {
        vec_free(&macro.params);
        return;
    }
    skip_blank(c, true);
    size_t start = c->pos;
    macro.body_loc = here(c, 1);
    macro.text = rest_of_line(c);
    macro.body_source = body_source(c, start);
    c->failed |= !front_macros_define(&c->macros, &macro); /* it takes the params */
}

static void read_undef(struct cursor *c, struct srcloc loc)
{
    skip_blank(c, true);
    char *name = read_word(c);
    if (!name)
        return fail(c, loc, "expected a name after #undef", NULL);
    front_macros_undefine(&c->macros, name);
    rest_of_line(c);
}

static void open_condition(struct cursor *c, bool taken, struct srcloc loc)
{
    struct condition *condition = ARENA_NEW(c->state->arena, struct condition);
    *condition = (struct condition){taken, active(c), taken, false, loc};
    vec_push(&c->conditions, condition);
}

/* #if, #ifdef, #ifndef. Inside a group not taken nothing is evaluated, as
 * in cpp: the group's lines need not even be valid. */
static void read_opening(struct cursor *c, const char *directive, struct srcloc loc)
{
    bool taken = false;
    if (!active(c)) {
        rest_of_line(c);
    } else if (strcmp(directive, "if") == 0) {
        if (!directive_condition(c, loc, &taken))
            return;
    } else {
        skip_blank(c, true);
        struct srcloc name_loc = here(c, 1);
        char *name = read_word(c);
        if (!name)
            return fail(c, name_loc, "expected a macro name after this directive", NULL);
        taken = front_macros_has(&c->macros, name) == (strcmp(directive, "ifdef") == 0);
        rest_of_line(c);
    }
    open_condition(c, taken, loc);
}

/* #elif, #else, #endif. */
static void read_continuation(struct cursor *c, const char *directive, struct srcloc loc)
{
    struct condition *top =
        c->conditions.count ? vec_get(&c->conditions, c->conditions.count - 1) : NULL;
    if (!top)
        return fail(c, loc, "this directive has no matching #if, #ifdef or #ifndef", NULL);
    if (strcmp(directive, "endif") == 0) {
        c->conditions.count--;
    } else if (top->seen_else) {
        return fail(c, loc, "this directive comes after the #else of its #if", NULL);
    } else if (strcmp(directive, "else") == 0) {
        top->seen_else = true;
        top->active = !top->taken;
        top->taken = true;
    } else if (top->taken || !top->parent_active) {
        top->active = false; /* #elif after a branch taken: not even evaluated */
    } else {
        bool taken;
        if (!directive_condition(c, loc, &taken))
            return;
        top->active = top->taken = taken;
    }
    rest_of_line(c);
}

static bool is_any(const char *word, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(word, *names) == 0)
            return true;
    return false;
}

static void read_directive(struct cursor *c)
{
    static const char *const openings[] = {"if", "ifdef", "ifndef", NULL};
    static const char *const continuations[] = {"elif", "else", "endif", NULL};
    struct srcloc loc = here(c, 1);
    step(c); /* '#' */
    skip_blank(c, true);
    char *directive = read_word(c);
    loc.length = c->column - loc.column;
    if (directive && is_any(directive, openings))
        return read_opening(c, directive, loc);
    if (directive && is_any(directive, continuations))
        return read_continuation(c, directive, loc);
    if (!active(c)) {
        rest_of_line(c);
        return;
    }
    if (directive && strcmp(directive, "include") == 0)
        read_include(c, loc);
    else if (directive && strcmp(directive, "define") == 0)
        read_define(c, loc);
    else if (directive && strcmp(directive, "undef") == 0)
        read_undef(c, loc);
    else if (directive && strcmp(directive, "pragma") == 0)
        rest_of_line(c);
    else if (directive && strcmp(directive, "error") == 0)
        fail(c, loc, arena_printf(c->state->arena, "#error %s", rest_of_line(c)), NULL);
    else if (directive && strcmp(directive, "warning") == 0)
        diag_warning(c->state->diag, loc, "#warning %s", rest_of_line(c));
    else
        fail(c, loc, "unknown preprocessor directive", NULL);
}

/* Inside a group not taken: lines are skipped unread, except directives. */
static void skip_inactive_line(struct cursor *c)
{
    while (peek(c, 0) && peek(c, 0) != '\n')
        step(c);
}

/* A directive, or a line of a group not taken, inside a struct or enum
 * body: read it and say so. */
static bool preprocessor_line(struct cursor *c)
{
    if (c->failed)
        return false;
    if (peek(c, 0) == '#') {
        read_directive(c);
        return !c->failed;
    }
    if (!active(c) && peek(c, 0)) {
        skip_inactive_line(c);
        return true;
    }
    return false;
}

static bool starts_declaration(const struct cursor *c)
{
    return word_at(c, "struct") || word_at(c, "union") || word_at(c, "enum") ||
           word_at(c, "typedef");
}

bool front_read_preamble(struct front_state *state, size_t *start, int *line, int *column)
{
    struct cursor c = {.state = state, .text = state->text, .line = *line, .column = *column};
    front_macros_init(&c.macros, state);
    for (;;) {
        skip_blank(&c, false);
        if (c.failed)
            break;
        if (peek(&c, 0) == '#' && peek(&c, 1) != '!') {
            read_directive(&c);
        } else if (!active(&c) && peek(&c, 0)) {
            skip_inactive_line(&c);
        } else if (starts_declaration(&c)) {
            read_declaration(&c);
        } else {
            break;
        }
        if (c.failed)
            break;
    }
    if (!c.failed && c.conditions.count) {
        const struct condition *open = vec_get(&c.conditions, c.conditions.count - 1);
        fail(&c, open->loc, "this conditional is never closed with #endif", NULL);
    }
    if (!c.failed)
        c.failed = !front_macros_finish(&c.macros);
    front_macros_free(&c.macros);
    vec_free(&c.conditions);
    *start = c.pos;
    *line = c.line;
    *column = c.column;
    return !c.failed;
}

bool front_is_typedef_name(const struct front_state *state, const char *name)
{
    const struct vec *definitions = &state->program->c_definitions;
    for (size_t i = 0; i < definitions->count; i++) {
        const struct ast_c_definition *definition = vec_get(definitions, i);
        if (definition->kind == C_TYPEDEF && strcmp(definition->name, name) == 0)
            return true;
    }
    return false;
}
