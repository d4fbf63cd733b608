/* preamble.c: the C preamble at the top of a script, before its probes.
 *
 * bpftrace scripts may start with what a C header would hold: #include lines,
 * object-like #defines, #ifdef/#ifndef/#else/#endif, and struct, union, enum
 * and typedef definitions. This hand-written scanner reads them into
 * program->c_definitions (the type builders in src/types/cdefs.c make types of
 * them) and stops at the first thing that is not C, where flex takes over at
 * the same line and column so later locations stay right. Kernel headers are
 * not read: their types come from the kernel's BTF. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "front/front_internal.h"

struct cursor {
    struct front_state *state;
    const char *text;
    size_t pos;
    int line, column;
    struct vec defined;    /* const char *: names #ifdef sees */
    struct vec conditions; /* struct condition * : open #if groups */
    bool failed;
};

struct condition {
    bool active;        /* this branch is taken */
    bool parent_active; /* the enclosing group is taken */
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

/* ---- constant expressions (enum values, #if) ------------------------------ */

static bool constant_expr(struct cursor *c, int64_t *value, const struct vec *known);

static bool constant_operand(struct cursor *c, int64_t *value, const struct vec *known)
{
    skip_blank(c, false);
    char ch = peek(c, 0);
    if (ch == '(') {
        step(c);
        return constant_expr(c, value, known) && expect_char(c, ')', "to close '('");
    }
    if (ch == '-' || ch == '~' || ch == '!' || ch == '+') {
        step(c);
        if (!constant_operand(c, value, known))
            return false;
        *value = ch == '-' ? -*value : ch == '~' ? ~*value : ch == '!' ? !*value : *value;
        return true;
    }
    struct srcloc loc = here(c, 1);
    if (isdigit((unsigned char)ch)) {
        char *end;
        *value = (int64_t)strtoull(c->text + c->pos, &end, 0);
        while (isalpha((unsigned char)*end)) /* C suffixes: 1UL */
            end++;
        while (c->text + c->pos < end)
            step(c);
        return true;
    }
    char *name = read_word(c);
    for (size_t i = 0; name && known && i < known->count; i++) {
        const struct ast_c_enumerator *enumerator = vec_get(known, i);
        if (strcmp(enumerator->name, name) == 0) {
            *value = enumerator->value;
            return true;
        }
    }
    fail(c, loc, "expected a constant: an integer or an earlier enumerator", NULL);
    return false;
}

static int precedence(char op, char next)
{
    switch (op) {
    case '*':
    case '/':
    case '%':
        return 5;
    case '+':
    case '-':
        return 4;
    case '<':
        return next == '<' ? 3 : 0;
    case '>':
        return next == '>' ? 3 : 0;
    case '&':
        return next == '&' ? 0 : 2;
    case '^':
        return 1;
    case '|':
        return next == '|' ? 0 : 1;
    default:
        return 0;
    }
}

static int64_t apply(char op, int64_t left, int64_t right)
{
    switch (op) {
    case '*':
        return left * right;
    case '/':
        return right ? left / right : 0;
    case '%':
        return right ? left % right : left;
    case '+':
        return left + right;
    case '-':
        return left - right;
    case '<':
        return (int64_t)((uint64_t)left << (right & 63));
    case '>':
        return left >> (right & 63);
    case '&':
        return left & right;
    case '^':
        return left ^ right;
    default:
        return left | right;
    }
}

static bool constant_binary(struct cursor *c, int64_t *value, const struct vec *known, int min)
{
    if (!constant_operand(c, value, known))
        return false;
    for (;;) {
        skip_blank(c, false);
        char op = peek(c, 0);
        int level = precedence(op, peek(c, 1));
        if (level == 0 || level < min)
            return true;
        step(c);
        if (op == '<' || op == '>')
            step(c);
        int64_t right;
        if (!constant_binary(c, &right, known, level + 1))
            return false;
        *value = apply(op, *value, right);
    }
}

static bool constant_expr(struct cursor *c, int64_t *value, const struct vec *known)
{
    return constant_binary(c, value, known, 1);
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
    out->bit_width = -1;
    skip_blank(c, false);
    int64_t value;
    if (peek(c, 0) == '[') {
        step(c);
        if (!constant_expr(c, &value, NULL) || !expect_char(c, ']', "to close the array"))
            return false;
        out->array_length = (unsigned)value;
    } else if (peek(c, 0) == ':') {
        step(c);
        if (!constant_expr(c, &value, NULL))
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

/* `{ type a; type b[N], *c; type d : 3; }` with the cursor at '{'. */
static bool read_record(struct cursor *c, enum ast_c_kind kind, const char *tag, struct srcloc loc)
{
    struct ast_c_definition *definition = new_definition(c, kind, tag, loc);
    step(c); /* '{' */
    for (skip_blank(c, false); peek(c, 0) != '}'; skip_blank(c, false)) {
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
            *field = (struct ast_c_field){d.type_text, d.name, d.array_length, d.bit_width, d.loc};
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
    for (skip_blank(c, false); peek(c, 0) != '}'; skip_blank(c, false)) {
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
            if (!constant_expr(c, &next, &definition->enumerators))
                return false;
        }
        struct ast_c_enumerator *enumerator = ARENA_NEW(c->state->arena, struct ast_c_enumerator);
        *enumerator = (struct ast_c_enumerator){name, next++, name_loc};
        vec_push(&definition->enumerators, enumerator);
        skip_blank(c, false);
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
            d.array_length ? arena_printf(c->state->arena, "%s[%u]", d.type_text, d.array_length)
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

static bool is_defined(const struct cursor *c, const char *name)
{
    for (size_t i = 0; i < c->defined.count; i++)
        if (strcmp(vec_get(&c->defined, i), name) == 0)
            return true;
    return false;
}

/* The rest of the directive's line, comments dropped and spaces trimmed. */
static char *rest_of_line(struct cursor *c)
{
    struct strbuf text = {0};
    for (skip_blank(c, true); peek(c, 0) && peek(c, 0) != '\n'; skip_blank(c, true)) {
        strbuf_putc(&text, peek(c, 0));
        step(c);
    }
    char *result = arena_strdup(c->state->arena, text.data ? strbuf_text(&text) : "");
    strbuf_free(&text);
    size_t length = strlen(result);
    while (length && isspace((unsigned char)result[length - 1]))
        result[--length] = '\0';
    return result;
}

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
    const struct front_header_constant *constant = front_header_constants(header);
    for (; constant && constant->name; constant++) {
        struct ast_c_definition *definition = new_definition(c, C_DEFINE, constant->name, loc);
        definition->define_value = arena_printf(c->state->arena, "%ld", constant->value);
        vec_push(&c->state->program->c_definitions, definition);
        vec_push(&c->defined, (void *)constant->name);
    }
}

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
    if (peek(c, 0) == '(') {
        fail(c, name_loc, "function-like macros are not supported",
             "write a sonde macro instead: macro name(x) { ... }");
        return;
    }
    struct ast_c_definition *definition = new_definition(c, C_DEFINE, name, name_loc);
    definition->define_value = rest_of_line(c);
    vec_push(&c->state->program->c_definitions, definition);
    vec_push(&c->defined, name);
}

static void open_condition(struct cursor *c, bool taken, struct srcloc loc)
{
    struct condition *condition = ARENA_NEW(c->state->arena, struct condition);
    *condition = (struct condition){taken, active(c), false, loc};
    vec_push(&c->conditions, condition);
}

static void read_conditional(struct cursor *c, const char *directive, struct srcloc loc)
{
    struct condition *top =
        c->conditions.count ? vec_get(&c->conditions, c->conditions.count - 1) : NULL;
    if (strcmp(directive, "ifdef") == 0 || strcmp(directive, "ifndef") == 0) {
        skip_blank(c, true);
        char *name = read_word(c);
        if (!name)
            return fail(c, loc, "expected a name after this directive", NULL);
        open_condition(c, is_defined(c, name) == (directive[2] == 'd'), loc);
    } else if (strcmp(directive, "if") == 0) {
        int64_t value = 0;
        if (constant_expr(c, &value, NULL))
            open_condition(c, value != 0, loc);
    } else if (!top) {
        fail(c, loc, "this directive has no matching #if, #ifdef or #ifndef", NULL);
    } else if (strcmp(directive, "else") == 0) {
        if (top->seen_else)
            return fail(c, loc, "a second #else for the same #if", NULL);
        top->seen_else = true;
        top->active = !top->active;
    } else {
        c->conditions.count--;
    }
    rest_of_line(c);
}

static bool is_conditional(const char *directive)
{
    static const char *const names[] = {"if", "ifdef", "ifndef", "else", "endif", NULL};
    for (const char *const *name = names; *name; name++)
        if (strcmp(directive, *name) == 0)
            return true;
    return false;
}

static void read_directive(struct cursor *c)
{
    struct srcloc loc = here(c, 1);
    step(c); /* '#' */
    skip_blank(c, true);
    char *directive = read_word(c);
    loc.length = c->column - loc.column;
    if (directive && is_conditional(directive))
        return read_conditional(c, directive, loc);
    if (!active(c)) {
        rest_of_line(c);
        return;
    }
    if (directive && strcmp(directive, "include") == 0)
        read_include(c, loc);
    else if (directive && strcmp(directive, "define") == 0)
        read_define(c, loc);
    else if (directive && strcmp(directive, "undef") == 0) {
        skip_blank(c, true);
        char *name = read_word(c);
        for (size_t i = 0; name && i < c->defined.count; i++)
            if (strcmp(vec_get(&c->defined, i), name) == 0)
                c->defined.items[i] = (void *)"";
        rest_of_line(c);
    } else if (directive && strcmp(directive, "pragma") == 0)
        rest_of_line(c);
    else
        fail(c, loc, "unknown preprocessor directive", NULL);
}

/* Inside a group not taken: lines are skipped unread, except directives. */
static void skip_inactive_line(struct cursor *c)
{
    while (peek(c, 0) && peek(c, 0) != '\n')
        step(c);
}

static bool starts_declaration(const struct cursor *c)
{
    return word_at(c, "struct") || word_at(c, "union") || word_at(c, "enum") ||
           word_at(c, "typedef");
}

bool front_read_preamble(struct front_state *state, size_t *start, int *line, int *column)
{
    struct cursor c = {.state = state, .text = state->text, .line = *line, .column = *column};
    vec_push(&c.defined, (void *)"BPFTRACE_HAVE_BTF");
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
    vec_free(&c.defined);
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
