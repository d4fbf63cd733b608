/* preamble_expr.c: C preprocessor constant expressions.
 *
 * The work is done in two passes over tokens, as cpp does it: first macros
 * are replaced (and `defined X` becomes 1 or 0), then the result is parsed
 * and evaluated by precedence climbing. Values are 64 bits, signed unless a
 * literal is unsigned (a U suffix, or too big for a signed one), and mixing
 * the two makes both unsigned, as C's usual conversions do. Operands that
 * are not evaluated (the right of `0 &&`, the arm of ?: not taken) are
 * parsed but cannot fail: `#if 0 && 1 / 0` is fine in cpp too. */
#include "front/preamble_expr.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

struct pp_value {
    uint64_t bits;
    bool is_unsigned;
};

struct evaluator {
    struct arena *arena;
    struct diag *diag;
    const struct front_pp_names *names;
    struct vec tokens; /* after macro replacement */
    /* The index in `tokens` of a function-like macro's name that ended a
     * replacement, with no '(' after it there: cpp rescans a replacement
     * with what follows it, so with `#define G F` the '(' of `G(2)` makes
     * it F's call. NO_OPEN_CALL when there is none. */
    size_t open_call;
    size_t next;
    struct srcloc end;
    bool failed;
    unsigned depth; /* nested operands being evaluated (see unary) */
};

/* Deeper than any real #if; the evaluator recurses once per level, so a
 * bound keeps a hostile line from overflowing the stack. */
enum { PP_MAX_DEPTH = 256 }; /* the message below says 256 */

#define NO_OPEN_CALL SIZE_MAX

/* The macros being replaced, innermost first: a macro is not replaced in
 * its own expansion, which is what stops `#define A A + 1` from looping. */
struct expansion {
    const char *name;
    const struct expansion *outer;
};

static bool is_ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

size_t front_pp_token_length(const char *text)
{
    size_t n = 0;
    if (!text[0])
        return 0;
    if (isalpha((unsigned char)text[0]) || text[0] == '_') {
        while (is_ident_char(text[n]))
            n++;
        return n;
    }
    if (isdigit((unsigned char)text[0]) || (text[0] == '.' && isdigit((unsigned char)text[1]))) {
        /* a pp-number: 0x1fUL, 1e+5, 1.5 (refused later, with its whole text) */
        for (n = 1; is_ident_char(text[n]) || text[n] == '.' ||
                    ((text[n] == '+' || text[n] == '-') && strchr("eEpP", text[n - 1]));
             n++)
            ;
        return n;
    }
    if (text[0] == '\'' || text[0] == '"') {
        for (n = 1; text[n] && text[n] != '\n' && text[n] != text[0]; n++)
            if (text[n] == '\\' && text[n + 1])
                n++;
        return text[n] == text[0] ? n + 1 : n;
    }
    static const char *const pairs[] = {"<<", ">>", "<=", ">=", "==", "!=", "&&", "||", NULL};
    for (const char *const *pair = pairs; *pair; pair++)
        if (text[0] == (*pair)[0] && text[1] == (*pair)[1])
            return 2;
    return 1;
}

static bool is(const struct front_pp_token *token, const char *text)
{
    return token && token->length == strlen(text) && memcmp(token->text, text, token->length) == 0;
}

static bool is_identifier(const struct front_pp_token *token)
{
    return token && (isalpha((unsigned char)token->text[0]) || token->text[0] == '_');
}

static char *token_text(struct evaluator *ev, const struct front_pp_token *token)
{
    return arena_strndup(ev->arena, token->text, token->length);
}

static void error(struct evaluator *ev, struct srcloc loc, const char *format, const char *detail)
{
    if (!ev->failed && ev->diag)
        diag_error(ev->diag, loc, format, detail);
    ev->failed = true;
}

/* Tokens of a macro's text, all placed where the macro was used. */
static void lex_text(struct arena *arena, const char *text, struct srcloc loc, bool advance,
                     struct vec *out)
{
    for (size_t at = 0;;) {
        while (isspace((unsigned char)text[at]))
            at++;
        size_t length = front_pp_token_length(text + at);
        if (!length)
            return;
        struct front_pp_token *token = ARENA_NEW(arena, struct front_pp_token);
        *token = (struct front_pp_token){text + at, length, loc};
        if (advance) /* a plain text: columns follow it */
            token->loc = (struct srcloc){loc.line, loc.column + (int)at, (int)length};
        vec_push(out, token);
        at += length;
    }
}

static bool is_expanding(const struct expansion *chain, const char *name)
{
    for (; chain; chain = chain->outer)
        if (strcmp(chain->name, name) == 0)
            return true;
    return false;
}

static struct front_pp_token *number_token(struct evaluator *ev, bool value, struct srcloc from,
                                           struct srcloc to)
{
    struct front_pp_token *token = ARENA_NEW(ev->arena, struct front_pp_token);
    from.length = from.line == to.line ? to.column + to.length - from.column : from.length;
    *token = (struct front_pp_token){value ? "1" : "0", 1, from};
    return token;
}

/* `defined X` or `defined ( X )` at in[*at], which is `defined`. */
static struct front_pp_token *read_defined(struct evaluator *ev, const struct vec *in, size_t *at)
{
    const struct front_pp_token *start = vec_get(in, *at);
    const struct front_pp_token *name = *at + 1 < in->count ? vec_get(in, *at + 1) : NULL;
    bool parenthesized = is(name, "(");
    if (parenthesized)
        name = *at + 2 < in->count ? vec_get(in, *at + 2) : NULL;
    if (!is_identifier(name)) {
        error(ev, name ? name->loc : start->loc, "%s", "expected a macro name after 'defined'");
        return NULL;
    }
    *at += parenthesized ? 2 : 1;
    const struct front_pp_token *last = name;
    if (parenthesized) {
        last = *at + 1 < in->count ? vec_get(in, *at + 1) : NULL;
        if (!is(last, ")")) {
            error(ev, last ? last->loc : name->loc, "%s", "expected ')' after 'defined(NAME'");
            return NULL;
        }
        (*at)++;
    }
    const char *text = token_text(ev, name);
    const struct vec *params;
    bool defined = (ev->names->macro && ev->names->macro(ev->names->context, text)) ||
                   (ev->names->function && ev->names->function(ev->names->context, text, &params));
    return number_token(ev, defined, start->loc, last->loc);
}

static void expand(struct evaluator *ev, const struct vec *in, const struct expansion *chain);

/* The arguments of a function-like macro's use, `in[*at]` being its '(':
 * token lists split at the commas outside nested parentheses. On return
 * `*at` is at the closing ')'. */
static bool read_arguments(struct evaluator *ev, const struct vec *in, size_t *at,
                           const struct front_pp_token *name, struct vec *args)
{
    struct vec *arg = ARENA_NEW(ev->arena, struct vec);
    vec_push(args, arg);
    int depth = 0;
    for ((*at)++; *at < in->count; (*at)++) {
        struct front_pp_token *token = vec_get(in, *at);
        if (depth == 0 && is(token, ")"))
            return true;
        if (depth == 0 && is(token, ",")) {
            arg = ARENA_NEW(ev->arena, struct vec);
            vec_push(args, arg);
            continue;
        }
        depth += is(token, "(") ? 1 : is(token, ")") ? -1 : 0;
        vec_push(arg, token);
    }
    error(ev, name->loc, "the arguments of macro '%s' are never closed with ')'",
          token_text(ev, name));
    return false;
}

static void free_arguments(struct vec *args)
{
    for (size_t i = 0; i < args->count; i++)
        vec_free(vec_get(args, i));
    vec_free(args);
}

/* `MAX(a, b)`, the '(' at in[*at]: the macro's body with each parameter
 * replaced by the tokens of its argument, then rescanned as cpp does. */
static void expand_call(struct evaluator *ev, const struct front_pp_token *name,
                        const struct vec *in, size_t *at, const char *text,
                        const struct vec *params, const struct expansion *chain)
{
    struct vec args = {0};
    if (!read_arguments(ev, in, at, name, &args))
        return free_arguments(&args);
    if (params->count == 0 && args.count == 1 && ((struct vec *)vec_get(&args, 0))->count == 0)
        args.count = 0; /* `F()` passes no argument */
    char *macro_name = token_text(ev, name);
    if (args.count != params->count) {
        char detail[160];
        snprintf(detail, sizeof(detail), "%s takes %zu argument%s, not %zu", macro_name,
                 params->count, params->count == 1 ? "" : "s", args.count);
        error(ev, name->loc, "macro %s", detail);
        return free_arguments(&args);
    }
    struct vec body = {0}, replacement = {0};
    lex_text(ev->arena, text, name->loc, false, &body);
    for (size_t i = 0; i < body.count; i++) {
        struct front_pp_token *token = vec_get(&body, i);
        size_t p = 0;
        while (p < params->count &&
               !(is_identifier(token) && strcmp(token_text(ev, token), vec_get(params, p)) == 0))
            p++;
        if (p == params->count) {
            vec_push(&replacement, token);
            continue;
        }
        const struct vec *arg = vec_get(&args, p);
        for (size_t j = 0; j < arg->count; j++)
            vec_push(&replacement, vec_get(arg, j));
    }
    struct expansion inner = {macro_name, chain};
    expand(ev, &replacement, &inner);
    vec_free(&body);
    vec_free(&replacement);
    free_arguments(&args);
}

/* After a replacement, in[*at] being its last token: a function-like
 * macro's name it ended with takes the '(' that follows, the call's own
 * result maybe another such name. `chain` is in's: the name's call may
 * replace the macros whose replacement yielded it, as cpp's may. */
static void call_left_open(struct evaluator *ev, const struct vec *in, size_t *at,
                           const struct expansion *chain)
{
    while (!ev->failed && ev->open_call != NO_OPEN_CALL && ev->open_call + 1 == ev->tokens.count &&
           *at + 1 < in->count && is(vec_get(in, *at + 1), "(")) {
        const struct front_pp_token *name = vec_get(&ev->tokens, ev->open_call);
        ev->tokens.count--;
        ev->open_call = NO_OPEN_CALL;
        const struct vec *params = NULL;
        const char *body = ev->names->function(ev->names->context, token_text(ev, name), &params);
        (*at)++; /* '(' */
        expand_call(ev, name, in, at, body, params, chain);
    }
}

static void expand(struct evaluator *ev, const struct vec *in, const struct expansion *chain)
{
    for (size_t i = 0; i < in->count && !ev->failed; i++) {
        struct front_pp_token *token = vec_get(in, i);
        if (!is_identifier(token)) {
            vec_push(&ev->tokens, token);
            continue;
        }
        if (ev->names->in_directive && is(token, "defined")) {
            struct front_pp_token *result = read_defined(ev, in, &i);
            if (result)
                vec_push(&ev->tokens, result);
            continue;
        }
        char *name = token_text(ev, token);
        const struct vec *params = NULL;
        const char *body =
            ev->names->function ? ev->names->function(ev->names->context, name, &params) : NULL;
        const struct front_pp_token *next = i + 1 < in->count ? vec_get(in, i + 1) : NULL;
        if (body && is(next, "(") && !is_expanding(chain, name)) {
            i++;
            expand_call(ev, token, in, &i, body, params, chain);
            call_left_open(ev, in, &i, chain);
            continue;
        }
        const char *text = ev->names->macro ? ev->names->macro(ev->names->context, name) : NULL;
        if (!text || is_expanding(chain, name)) {
            if (body && !next && !is_expanding(chain, name))
                ev->open_call = ev->tokens.count;
            vec_push(&ev->tokens, token);
            continue;
        }
        struct vec replacement = {0};
        lex_text(ev->arena, text, token->loc, false, &replacement);
        struct expansion inner = {name, chain};
        expand(ev, &replacement, &inner);
        vec_free(&replacement);
        call_left_open(ev, in, &i, chain);
    }
}

/* ---- literals ------------------------------------------------------------- */

static int digit_value(char ch)
{
    if (isdigit((unsigned char)ch))
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return 99;
}

/* U, L, LL in either order and either case (but not lL), or nothing. */
static bool valid_suffix(const char *suffix, size_t length, bool *is_unsigned)
{
    static const char *const suffixes[] = {"",   "u",  "l",  "ul",  "lu",  "ll",  "ull", "llu",
                                           "U",  "L",  "UL", "LU",  "LL",  "ULL", "LLU", "uL",
                                           "Ul", "lU", "Lu", "uLL", "Ull", "LLu", "llU", NULL};
    for (const char *const *s = suffixes; *s; s++) {
        if (strlen(*s) == length && memcmp(*s, suffix, length) == 0) {
            *is_unsigned = memchr(suffix, 'u', length) || memchr(suffix, 'U', length);
            return true;
        }
    }
    return false;
}

static bool decode_number(struct evaluator *ev, const struct front_pp_token *token,
                          struct pp_value *out)
{
    const char *text = token->text;
    size_t length = token->length, at = 0;
    unsigned base = 10;
    if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        base = 16, at = 2;
    else if (length > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B'))
        base = 2, at = 2;
    else if (text[0] == '0')
        base = 8;
    size_t first_digit = at;
    uint64_t value = 0;
    bool overflow = false;
    for (; at < length && digit_value(text[at]) < (base == 16 ? 16 : 10); at++) {
        unsigned digit = (unsigned)digit_value(text[at]);
        if (digit >= base) {
            char what[2] = {text[at], '\0'};
            error(ev, token->loc,
                  base == 8 ? "invalid digit '%s' in an octal constant"
                            : "invalid digit '%s' in a binary constant",
                  what);
            return false;
        }
        overflow |= value > (UINT64_MAX - digit) / base;
        value = value * base + digit;
    }
    char *all = token_text(ev, token);
    if (memchr(text, '.', length) ||
        (base == 10 && (memchr(text, 'e', length) || memchr(text, 'E', length)))) {
        error(ev, token->loc, "floating constant '%s' in a preprocessor expression", all);
        return false;
    }
    if (at == first_digit && base != 8) {
        error(ev, token->loc, "'%s' is not a valid integer constant", all);
        return false;
    }
    if (!valid_suffix(text + at, length - at, &out->is_unsigned)) {
        error(ev, token->loc, "invalid suffix on the integer constant '%s'", all);
        return false;
    }
    if (overflow) {
        error(ev, token->loc, "the integer constant '%s' does not fit in 64 bits", all);
        return false;
    }
    out->bits = value;
    out->is_unsigned |= value > INT64_MAX; /* as cpp: "so large that it is unsigned" */
    return true;
}

/* One character of a literal from text[*at], escapes included. */
static int decode_char(const char *text, size_t *at, size_t end)
{
    static const char escapes[] = "n\nt\tr\ra\ab\bf\fv\v\\\\''\"\"??e\033";
    char ch = text[(*at)++];
    if (ch != '\\' || *at >= end)
        return (unsigned char)ch;
    ch = text[(*at)++];
    if (ch == 'x') {
        int value = 0;
        while (*at < end && isxdigit((unsigned char)text[*at]))
            value = value * 16 + digit_value(text[(*at)++]);
        return value & 0xff;
    }
    if (ch >= '0' && ch <= '7') {
        int value = ch - '0';
        for (int i = 0; i < 2 && *at < end && text[*at] >= '0' && text[*at] <= '7'; i++)
            value = value * 8 + text[(*at)++] - '0';
        return value & 0xff;
    }
    for (const char *e = escapes; *e; e += 2)
        if (e[0] == ch)
            return (unsigned char)e[1];
    return -1;
}

static bool decode_char_literal(struct evaluator *ev, const struct front_pp_token *token,
                                struct pp_value *out)
{
    size_t end = token->length - 1, at = 1;
    if (token->length < 2 || token->text[end] != '\'') {
        error(ev, token->loc, "%s", "unterminated character constant");
        return false;
    }
    if (at == end) {
        error(ev, token->loc, "%s", "empty character constant");
        return false;
    }
    int ch = decode_char(token->text, &at, end);
    if (ch < 0) {
        error(ev, token->loc, "unknown escape sequence in %s", token_text(ev, token));
        return false;
    }
    if (at != end) {
        error(ev, token->loc, "multi-character constant %s is not supported",
              token_text(ev, token));
        return false;
    }
    out->bits = (uint64_t)(int64_t)(signed char)ch; /* char is signed on x86-64 */
    out->is_unsigned = false;
    return true;
}

/* ---- parsing and arithmetic ----------------------------------------------- */

static bool conditional(struct evaluator *ev, bool skip, struct pp_value *out);

static const struct front_pp_token *peek_token(const struct evaluator *ev)
{
    return ev->next < ev->tokens.count ? vec_get(&ev->tokens, ev->next) : NULL;
}

static void unexpected(struct evaluator *ev, const struct front_pp_token *token, const char *what)
{
    if (!token) {
        error(ev, ev->end, "expected %s at the end of this expression", what);
        return;
    }
    char *text = token_text(ev, token);
    const char *format =
        strcmp(what, "a value") == 0 ? "expected a value, found '%s'" : "expected ')', found '%s'";
    error(ev, token->loc, format, text);
}

static bool name_value(struct evaluator *ev, const struct front_pp_token *token,
                       struct pp_value *out)
{
    char *name = token_text(ev, token);
    int64_t value = 0;
    const struct front_pp_names *names = ev->names;
    *out = (struct pp_value){0, false};
    if (names->constant && names->constant(names->context, name, &value)) {
        out->bits = (uint64_t)value;
        return true;
    }
    if (names->in_directive) /* cpp: a name left after macro replacement is 0 */
        return true;
    error(ev, token->loc,
          "'%s' is not a constant here: use an integer, an earlier enumerator or a #define", name);
    return false;
}

static bool primary(struct evaluator *ev, bool skip, struct pp_value *out)
{
    const struct front_pp_token *token = peek_token(ev);
    if (!token) {
        unexpected(ev, NULL, "a value");
        return false;
    }
    ev->next++;
    if (is(token, "(")) {
        if (!conditional(ev, skip, out))
            return false;
        const struct front_pp_token *close = peek_token(ev);
        if (!is(close, ")")) {
            unexpected(ev, close, "')'");
            return false;
        }
        ev->next++;
        return true;
    }
    if (isdigit((unsigned char)token->text[0]) || token->text[0] == '.')
        return decode_number(ev, token, out);
    if (token->text[0] == '\'')
        return decode_char_literal(ev, token, out);
    if (is_identifier(token))
        return name_value(ev, token, out);
    if (token->text[0] == '"') {
        error(ev, token->loc, "%s", "a string is not allowed in a constant expression");
        return false;
    }
    ev->next--;
    unexpected(ev, token, "a value");
    return false;
}

static bool unary_operand(struct evaluator *ev, bool skip, struct pp_value *out);

/* Every nested operand, `(...)` or a prefix operator, passes here. */
static bool unary(struct evaluator *ev, bool skip, struct pp_value *out)
{
    if (ev->depth >= PP_MAX_DEPTH) {
        const struct front_pp_token *token = peek_token(ev);
        error(ev, token ? token->loc : ev->end, "%s",
              "this expression nests too deeply (more than 256 levels)");
        return false;
    }
    ev->depth++;
    bool ok = unary_operand(ev, skip, out);
    ev->depth--;
    return ok;
}

static bool unary_operand(struct evaluator *ev, bool skip, struct pp_value *out)
{
    const struct front_pp_token *token = peek_token(ev);
    if (!(is(token, "!") || is(token, "~") || is(token, "-") || is(token, "+")))
        return primary(ev, skip, out);
    ev->next++;
    if (!unary(ev, skip, out))
        return false;
    char op = token->text[0];
    if (op == '!')
        *out = (struct pp_value){out->bits == 0, false};
    else if (op == '~')
        out->bits = ~out->bits;
    else if (op == '-')
        out->bits = 0 - out->bits; /* wraps, as two's complement does */
    return true;
}

/* Binary operators by precedence, loosest first; 0: not one. */
static int binary_level(const struct front_pp_token *token)
{
    static const char *const levels[][5] = {
        {"||"},
        {"&&"},
        {"|"},
        {"^"},
        {"&"},
        {"==", "!="},
        {"<", "<=", ">", ">="},
        {"<<", ">>"},
        {"+", "-"},
        {"*", "/", "%"},
    };
    for (int level = 0; token && level < (int)(sizeof(levels) / sizeof(levels[0])); level++)
        for (int i = 0; i < 5 && levels[level][i]; i++)
            if (is(token, levels[level][i]))
                return level + 1;
    return 0;
}

static bool less(struct pp_value left, struct pp_value right, bool is_unsigned)
{
    return is_unsigned ? left.bits < right.bits : (int64_t)left.bits < (int64_t)right.bits;
}

/* <, <=, >, >= (`a` and `b` are the operator's characters). */
static uint64_t compare(char a, char b, struct pp_value left, struct pp_value right,
                        bool is_unsigned)
{
    if (a == '>') {
        struct pp_value swap = left;
        left = right, right = swap;
    }
    return b == '=' ? !less(right, left, is_unsigned) : less(left, right, is_unsigned);
}

static uint64_t shift(struct pp_value left, struct pp_value right, bool to_left)
{
    int64_t count = (int64_t)right.bits;
    if (!right.is_unsigned && count < 0) { /* cpp shifts the other way */
        to_left = !to_left;
        count = count == INT64_MIN ? INT64_MAX : -count;
    }
    bool negative = !left.is_unsigned && (int64_t)left.bits < 0;
    if (right.is_unsigned && right.bits > 63)
        count = 64;
    if (count > 63)
        return to_left || !negative ? 0 : UINT64_MAX;
    if (to_left)
        return left.bits << count;
    return negative ? ~(~left.bits >> count) : left.bits >> count;
}

static bool divide(struct evaluator *ev, const struct front_pp_token *op, struct pp_value left,
                   struct pp_value right, bool is_unsigned, bool skip, uint64_t *out)
{
    bool remainder = op->text[0] == '%';
    if (right.bits == 0) {
        if (!skip)
            error(ev, op->loc, "%s", "division by zero in a constant expression");
        *out = 0;
        return skip;
    }
    if (is_unsigned)
        *out = remainder ? left.bits % right.bits : left.bits / right.bits;
    else if ((int64_t)left.bits == INT64_MIN && (int64_t)right.bits == -1)
        *out = remainder ? 0 : left.bits; /* overflows: wrap as the hardware would */
    else
        *out = (uint64_t)(remainder ? (int64_t)left.bits % (int64_t)right.bits
                                    : (int64_t)left.bits / (int64_t)right.bits);
    return true;
}

static bool apply(struct evaluator *ev, const struct front_pp_token *op, struct pp_value *left,
                  struct pp_value right, bool skip)
{
    bool is_unsigned = left->is_unsigned || right.is_unsigned;
    char a = op->text[0], b = op->length > 1 ? op->text[1] : '\0';
    uint64_t x = left->bits, y = right.bits, result = 0;
    bool comparison = false;
    switch (a) {
    case '*':
        result = x * y;
        break;
    case '/':
    case '%':
        if (!divide(ev, op, *left, right, is_unsigned, skip, &result))
            return false;
        break;
    case '+':
        result = x + y;
        break;
    case '-':
        result = x - y;
        break;
    case '&':
        result = b ? (x && y) : x & y, comparison = b;
        break;
    case '|':
        result = b ? (x || y) : x | y, comparison = b;
        break;
    case '^':
        result = x ^ y;
        break;
    case '=':
        result = x == y, comparison = true;
        break;
    case '!':
        result = x != y, comparison = true;
        break;
    case '<':
    case '>':
        if (b == a) { /* a shift keeps its left operand's type */
            left->bits = shift(*left, right, a == '<');
            return true;
        }
        result = compare(a, b, *left, right, is_unsigned), comparison = true;
        break;
    }
    *left = (struct pp_value){result, comparison ? false : is_unsigned};
    return true;
}

static bool binary(struct evaluator *ev, int min_level, bool skip, struct pp_value *out)
{
    if (!unary(ev, skip, out))
        return false;
    for (;;) {
        const struct front_pp_token *op = peek_token(ev);
        int level = binary_level(op);
        if (level == 0 || level < min_level)
            return true;
        ev->next++;
        bool right_skip = skip;
        if (is(op, "&&"))
            right_skip |= out->bits == 0;
        else if (is(op, "||"))
            right_skip |= out->bits != 0;
        struct pp_value right;
        if (!binary(ev, level + 1, right_skip, &right) || !apply(ev, op, out, right, skip))
            return false;
    }
}

static bool conditional(struct evaluator *ev, bool skip, struct pp_value *out)
{
    struct pp_value condition, yes, no;
    if (!binary(ev, 1, skip, &condition))
        return false;
    if (!is(peek_token(ev), "?")) {
        *out = condition;
        return true;
    }
    ev->next++;
    bool taken = condition.bits != 0;
    if (!conditional(ev, skip || !taken, &yes))
        return false;
    const struct front_pp_token *colon = peek_token(ev);
    if (!is(colon, ":")) {
        if (colon)
            error(ev, colon->loc, "expected ':' of '?:', found '%s'", token_text(ev, colon));
        else
            error(ev, ev->end, "%s", "expected ':' of '?:' at the end of this expression");
        return false;
    }
    ev->next++;
    if (!conditional(ev, skip || taken, &no))
        return false;
    *out = taken ? yes : no;
    out->is_unsigned = yes.is_unsigned || no.is_unsigned;
    return true;
}

bool front_pp_evaluate(struct arena *arena, struct diag *diag, const struct vec *tokens,
                       struct srcloc end, const struct front_pp_names *names, int64_t *value)
{
    struct evaluator ev = {
        .arena = arena, .diag = diag, .names = names, .open_call = NO_OPEN_CALL, .end = end};
    expand(&ev, tokens, NULL);
    struct pp_value result = {0, false};
    if (!ev.failed && conditional(&ev, false, &result) && peek_token(&ev)) {
        const struct front_pp_token *extra = peek_token(&ev);
        const char *format = is_identifier(extra) || isalnum((unsigned char)extra->text[0]) ||
                                     is(extra, "(") || extra->text[0] == '\''
                                 ? "expected an operator before '%s'"
                                 : "unexpected '%s' in this constant expression";
        error(&ev, extra->loc, format, token_text(&ev, extra));
    }
    vec_free(&ev.tokens);
    *value = (int64_t)result.bits;
    return !ev.failed;
}

bool front_pp_evaluate_text(struct arena *arena, struct diag *diag, const char *text,
                            struct srcloc loc, const struct front_pp_names *names, int64_t *value)
{
    struct vec tokens = {0};
    lex_text(arena, text, loc, true, &tokens);
    struct srcloc end = {loc.line, loc.column + (int)strlen(text), 1};
    bool ok = front_pp_evaluate(arena, diag, &tokens, end, names, value);
    vec_free(&tokens);
    return ok;
}
