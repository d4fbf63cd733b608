/* parse.c: runs the scanner and grammar over a script, and holds what they
 * call: literal decoding for the scanner, node building for the grammar. */
#include "front/parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ast/nesting.h"
#include "base/strbuf.h"
#include "front/front_internal.h"
#include "front/preamble_expr.h"
#include "parser.h"
#include "lexer.h"

/* ---- integers ---------------------------------------------------------- */

static int digit_value(char c, int base)
{
    int digit;
    if (c >= '0' && c <= '9')
        digit = c - '0';
    else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
    else
        return -1;
    return digit < base ? digit : -1;
}

static bool accumulate(uint64_t *value, uint64_t base, uint64_t digit)
{
    if (*value > (UINT64_MAX - digit) / base)
        return false;
    *value = *value * base + digit;
    return true;
}

/* C integer suffixes are accepted so constants pasted from headers work. */
static bool is_c_suffix(const char *text, size_t length)
{
    static const char *const suffixes[] = {"", "u", "l", "ul", "lu", "ll", "ull", "llu"};
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
        if (strlen(suffixes[i]) == length && strncasecmp(text, suffixes[i], length) == 0)
            return true;
    return false;
}

static bool is_duration_suffix(const char *text, size_t length)
{
    static const char *const suffixes[] = {"ns", "us", "ms", "s", "m", "h", "d"};
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
        if (strlen(suffixes[i]) == length && strncmp(text, suffixes[i], length) == 0)
            return true;
    return false;
}

static bool integer_too_large(struct front_state *state, struct srcloc loc)
{
    struct diag_entry *entry = diag_error(state->diag, loc, "integer literal is too large");
    diag_hint(entry, "the largest integer is 18446744073709551615 (0xffffffffffffffff)");
    return false;
}

/* Scientific notation (`1e6`) stays an integer: there are no floats.
 * `*position` is at the 'e' and ends after the exponent's digits. */
static bool apply_exponent(const char *text, size_t length, size_t *position, uint64_t *value)
{
    size_t i = *position + 1;
    uint64_t exponent = 0;
    bool exponent_overflow = false;
    for (; i < length && (isdigit((unsigned char)text[i]) || text[i] == '_'); i++)
        if (text[i] != '_' && !accumulate(&exponent, 10, (uint64_t)(text[i] - '0')))
            exponent_overflow = true;
    *position = i;
    if (*value == 0)
        return true;
    if (exponent_overflow)
        return false;
    for (uint64_t e = 0; e < exponent; e++)
        if (!accumulate(value, 10, 0))
            return false;
    return true;
}

static bool bad_integer_suffix(struct front_state *state, const char *text, size_t length,
                               size_t digits_end, int base, struct srcloc loc)
{
    const char *suffix = text + digits_end;
    size_t suffix_length = length - digits_end;
    if (base == 8 && isdigit((unsigned char)*suffix)) {
        struct srcloc digit_loc = {loc.line, loc.column + (int)digits_end, 1};
        diag_error(state->diag, digit_loc, "invalid digit '%c' in octal literal", *suffix);
        return false;
    }
    struct diag_entry *entry =
        diag_error(state->diag, loc, "invalid integer literal '%.*s'", (int)length, text);
    if (is_duration_suffix(suffix, suffix_length))
        diag_hint(entry, "duration literals like '%.*s' are not supported; write nanoseconds",
                  (int)length, text);
    return false;
}

bool front_decode_integer(struct front_state *state, const char *text, size_t length,
                          struct srcloc loc, uint64_t *value)
{
    int base = 10;
    size_t i = 0;
    if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (length > 1 && text[0] == '0' && isdigit((unsigned char)text[1])) {
        base = 8;
        i = 1;
    }
    uint64_t result = 0;
    size_t digits = 0;
    for (; i < length; i++) {
        if (text[i] == '_')
            continue;
        int digit = digit_value(text[i], base);
        if (digit < 0)
            break;
        if (!accumulate(&result, (uint64_t)base, (uint64_t)digit))
            return integer_too_large(state, loc);
        digits++;
    }
    bool exponent = base == 10 && i + 1 < length && (text[i] == 'e' || text[i] == 'E') &&
                    isdigit((unsigned char)text[i + 1]);
    if (exponent && !apply_exponent(text, length, &i, &result))
        return integer_too_large(state, loc);
    if (digits == 0 || !is_c_suffix(text + i, length - i))
        return bad_integer_suffix(state, text, length, i, base, loc);
    *value = result;
    return true;
}

/* ---- strings ----------------------------------------------------------- */

/* Octal `\NNN` (1-3 digits) or hex `\xNN` (1-2 digits); `*used` counts the
 * characters after the backslash. Returns -1 when no digit follows `\x`. */
static int numeric_escape(const char *text, size_t available, size_t *used)
{
    int value = 0;
    size_t i = 0;
    if (text[0] == 'x') {
        for (i = 1; i < 3 && i < available && digit_value(text[i], 16) >= 0; i++)
            value = value * 16 + digit_value(text[i], 16);
        *used = i;
        return i == 1 ? -1 : value;
    }
    for (; i < 3 && i < available && digit_value(text[i], 8) >= 0; i++)
        value = value * 8 + digit_value(text[i], 8);
    *used = i;
    return value;
}

static int simple_escape(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case '\\':
    case '"':
    case '\'':
        return c;
    default:
        return -1;
    }
}

static bool bad_escape(struct front_state *state, struct srcloc loc, const char *literal,
                       size_t offset, size_t width, const char *problem)
{
    const char *escape = literal + offset;
    struct srcloc escape_loc = {loc.line, loc.column + (int)offset, (int)width};
    struct diag_entry *entry =
        diag_error(state->diag, escape_loc, "%s '%.*s'", problem, (int)width, escape);
    diag_hint(entry, "known escapes: \\n \\t \\r \\\\ \\\" \\' \\NNN (octal) \\xNN (hex)");
    return false;
}

bool front_decode_string(struct front_state *state, const char *text, size_t length,
                         struct srcloc loc, char **bytes, size_t *byte_count)
{
    /* The body sits between the quotes; escapes never make it longer. */
    size_t end = length - 1;
    char *out = arena_alloc(state->arena, length);
    size_t count = 0;
    for (size_t i = 1; i < end; i++) {
        if (text[i] != '\\') {
            out[count++] = text[i];
            continue;
        }
        int decoded = simple_escape(text[i + 1]);
        size_t used = 1;
        if (decoded < 0 && (text[i + 1] == 'x' || digit_value(text[i + 1], 8) >= 0))
            decoded = numeric_escape(text + i + 1, end - i - 1, &used);
        else if (decoded < 0)
            return bad_escape(state, loc, text, i, 2, "unknown escape sequence");
        if (decoded < 0)
            return bad_escape(state, loc, text, i, 2, "no hexadecimal digits after");
        if (decoded > 0xff)
            return bad_escape(state, loc, text, i, used + 1, "out of range octal escape");
        out[count++] = (char)decoded;
        i += used;
    }
    out[count] = '\0';
    *bytes = out;
    *byte_count = count;
    return true;
}

/* ---- nodes, for the grammar's actions ---------------------------------- */

struct vec *front_list(struct front_state *state, void *first)
{
    struct vec *list = ARENA_NEW(state->arena, struct vec);
    if (first)
        vec_push(list, first);
    return list;
}

struct ast_expr *front_binary(struct front_state *state, enum ast_binary_op op,
                              struct ast_expr *left, struct ast_expr *right, struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_BINARY, loc);
    expr->binary.op = op;
    expr->binary.left = left;
    expr->binary.right = right;
    return expr;
}

struct ast_expr *front_unary(struct front_state *state, enum ast_unary_op op,
                             struct ast_expr *operand, struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_UNARY, loc);
    expr->unary.op = op;
    expr->unary.operand = operand;
    return expr;
}

struct ast_expr *front_map(struct front_state *state, char *name, struct vec *keys,
                           struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_MAP, loc);
    expr->map.name = name;
    if (keys)
        expr->map.keys = *keys;
    return expr;
}

struct ast_expr *front_call(struct front_state *state, char *name, struct srcloc name_loc,
                            struct vec *args, struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_CALL, loc);
    expr->call.name = name;
    expr->call.name_loc = name_loc;
    if (args)
        expr->call.args = *args;
    return expr;
}

struct ast_expr *front_field(struct front_state *state, struct ast_expr *base, char *name,
                             bool arrow, struct srcloc name_loc, struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_FIELD, loc);
    expr->field.base = base;
    expr->field.name = name;
    expr->field.arrow = arrow;
    expr->field.name_loc = name_loc;
    return expr;
}

struct ast_expr *front_tuple(struct front_state *state, struct vec *elements, struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_TUPLE, loc);
    if (elements)
        expr->tuple.elements = *elements;
    return expr;
}

struct ast_expr *front_cast(struct front_state *state, char *type_text, struct srcloc type_loc,
                            struct ast_expr *operand, struct srcloc loc)
{
    struct ast_expr *expr = ast_expr_new(state->arena, EXPR_CAST, loc);
    expr->cast.type_text = type_text;
    expr->cast.type_loc = type_loc;
    expr->cast.operand = operand;
    return expr;
}

/* Normalized so later stages compare one spelling: "struct task_struct *",
 * "unsigned int", "uint8[8]". */
char *front_type_text(struct front_state *state, const char *base, int stars, const char *array)
{
    struct strbuf text = {0};
    strbuf_puts(&text, base);
    if (stars > 0)
        strbuf_putc(&text, ' ');
    for (int i = 0; i < stars; i++)
        strbuf_putc(&text, '*');
    if (array)
        strbuf_puts(&text, array);
    char *result = arena_strdup(state->arena, strbuf_text(&text));
    strbuf_free(&text);
    return result;
}

struct ast_stmt *front_expr_stmt(struct front_state *state, struct ast_expr *expr,
                                 struct srcloc loc)
{
    struct ast_stmt *stmt = ast_stmt_new(state->arena, STMT_EXPR, loc);
    stmt->expr.expr = expr;
    return stmt;
}

/* The grammar takes any expression on the left so a wrong target gets a
 * message about assignment instead of a bare "unexpected '='". */
struct ast_stmt *front_assignment(struct front_state *state, enum ast_assign_op op,
                                  struct ast_expr *target, struct ast_expr *value,
                                  struct srcloc loc)
{
    if (target->kind != EXPR_MAP && target->kind != EXPR_VARIABLE) {
        struct diag_entry *entry =
            diag_error(state->diag, target->loc, "cannot assign to this expression");
        diag_hint(entry, "only $variables and @maps can be assigned");
        return NULL;
    }
    struct ast_stmt *stmt = ast_stmt_new(state->arena, STMT_ASSIGN, loc);
    stmt->assign.op = op;
    stmt->assign.target = target;
    stmt->assign.value = value;
    return stmt;
}

struct ast_stmt *front_block(struct front_state *state, struct vec *statements, struct srcloc loc)
{
    struct ast_stmt *stmt = ast_stmt_new(state->arena, STMT_BLOCK, loc);
    stmt->block.statements = *statements;
    return stmt;
}

struct ast_stmt *front_if(struct front_state *state, struct ast_expr *condition,
                          struct ast_stmt *then_branch, struct ast_stmt *else_branch,
                          struct srcloc loc)
{
    struct ast_stmt *stmt = ast_stmt_new(state->arena, STMT_IF, loc);
    stmt->if_stmt.condition = condition;
    stmt->if_stmt.then_branch = then_branch;
    stmt->if_stmt.else_branch = else_branch;
    return stmt;
}

struct ast_stmt *front_loop(struct front_state *state, enum ast_stmt_kind kind,
                            struct ast_expr *head, struct ast_stmt *body, struct srcloc loc)
{
    struct ast_stmt *stmt = ast_stmt_new(state->arena, kind, loc);
    if (kind == STMT_WHILE) {
        stmt->while_stmt.condition = head;
        stmt->while_stmt.body = body;
    } else {
        stmt->unroll.count = head;
        stmt->unroll.body = body;
    }
    return stmt;
}

struct ast_stmt *front_return(struct front_state *state, struct ast_expr *value, struct srcloc loc)
{
    struct ast_stmt *stmt = ast_stmt_new(state->arena, STMT_RETURN, loc);
    stmt->return_stmt.value = value;
    return stmt;
}

/* A quoted segment (`uprobe:"/opt/my app/bin":main`) is its text without
 * the quotes; one that holds a ':' (`cpp:"ns::f"`) keeps them, so that the
 * probe kind sees where it ends. */
static const char *unquote_segments(struct arena *arena, const char *text)
{
    if (!strchr(text, '"'))
        return text;
    struct strbuf out = {0};
    for (const char *p = text; *p;) {
        const char *close = *p == '"' ? strchr(p + 1, '"') : NULL;
        if (close && !memchr(p + 1, ':', (size_t)(close - p - 1))) {
            strbuf_append(&out, p + 1, (size_t)(close - p - 1));
            p = close + 1;
        } else {
            size_t length = close ? (size_t)(close - p + 1) : 1;
            strbuf_append(&out, p, length);
            p += length;
        }
    }
    const char *result = arena_strdup(arena, strbuf_text(&out));
    strbuf_free(&out);
    return result;
}

static void split_attach_point(struct arena *arena, struct ast_attach_point *point)
{
    const char *text = unquote_segments(arena, point->text);
    const char *colon = strchr(text, ':');
    point->provider = colon ? arena_strndup(arena, text, (size_t)(colon - text)) : text;
    point->target = colon ? colon + 1 : "";
}

struct ast_attach_point *front_attach_point(struct front_state *state, char *text,
                                            struct srcloc loc)
{
    struct ast_attach_point *point = ARENA_NEW(state->arena, struct ast_attach_point);
    point->text = text;
    point->loc = loc;
    split_attach_point(state->arena, point);
    return point;
}

/* `$N` in an attach point (`tracepoint:syscalls:sys_enter_$1`) is the text
 * of positional parameter N, empty when it was not given. */
static const char *substitute_params(struct arena *arena, const char *text,
                                     const char *const *params, int count)
{
    struct strbuf out = {0};
    for (const char *p = text; *p;) {
        if (p[0] == '$' && p[1] >= '1' && p[1] <= '9') {
            char *end;
            long index = strtol(p + 1, &end, 10);
            if (index >= 1 && index <= count)
                strbuf_puts(&out, params[index - 1]);
            p = end;
        } else {
            strbuf_putc(&out, *p++);
        }
    }
    const char *result = arena_strdup(arena, strbuf_text(&out));
    strbuf_free(&out);
    return result;
}

void front_substitute_attach_params(struct ast_program *program, const char *const *params,
                                    int count, struct arena *arena)
{
    for (size_t i = 0; i < program->probes.count; i++) {
        struct ast_probe *probe = vec_get(&program->probes, i);
        for (size_t j = 0; j < probe->attach_points.count; j++) {
            struct ast_attach_point *point = vec_get(&probe->attach_points, j);
            if (!strchr(point->text, '$'))
                continue;
            point->text = substitute_params(arena, point->text, params, count);
            split_attach_point(arena, point);
        }
    }
}

void front_add_probe(struct front_state *state, struct vec *attach_points,
                     struct ast_expr *predicate, struct ast_stmt *body, struct srcloc loc)
{
    struct ast_probe *probe = ARENA_NEW(state->arena, struct ast_probe);
    probe->attach_points = *attach_points;
    probe->predicate = predicate;
    probe->body = body;
    probe->loc = loc;
    probe->index = (int)state->program->probes.count;
    vec_push(&state->program->probes, probe);
}

/* ---- driver ------------------------------------------------------------ */

/* The #! line is consumed here rather than in the scanner so positions stay
 * right: scanning resumes at its newline, at the end of line 1. */
static size_t skip_shebang(const char *source, int *column)
{
    if (strncmp(source, "#!", 2) != 0)
        return 0;
    size_t length = strcspn(source, "\n");
    *column = (int)length + 1;
    return length;
}

/* The scanner and grammar over state->text from state->line and column. */
static int run_parser(struct front_state *state)
{
    yyscan_t scanner;
    if (front_scanlex_init_extra(state, &scanner) != 0) {
        diag_error(state->diag, (struct srcloc){0}, "cannot start the script scanner");
        return -1;
    }
    state->scanner = scanner;
    YY_BUFFER_STATE buffer = front_scan_scan_bytes(state->text, (int)strlen(state->text), scanner);
    int status = front_yyparse(state);
    front_scan_delete_buffer(buffer, scanner);
    front_scanlex_destroy(scanner);
    return status;
}

/* `macro NAME(a,b){` padded to end where the body starts, on the body's
 * line when it fits there (it does on a one-line #define: `#define ` is
 * longer than `macro `), else on the line before. */
static char *define_as_macro_text(struct front_state *state, const struct front_define *define,
                                  int *first_line)
{
    struct strbuf text = {0};
    strbuf_printf(&text, "macro %s(", define->name);
    for (size_t i = 0; i < define->params->count; i++)
        strbuf_printf(&text, "%s%s", i ? "," : "", (const char *)vec_get(define->params, i));
    strbuf_puts(&text, "){");
    int column = define->body_loc.column;
    *first_line = define->body_loc.line;
    if ((int)text.length >= column) {
        strbuf_putc(&text, '\n');
        (*first_line)--;
        for (int i = 1; i < column; i++)
            strbuf_putc(&text, ' ');
    } else {
        while ((int)text.length < column - 1)
            strbuf_putc(&text, ' ');
    }
    strbuf_puts(&text, define->body);
    strbuf_puts(&text, "\n}"); /* on a line of its own: the body may end in a // comment */
    char *result = arena_strdup(state->arena, strbuf_text(&text));
    strbuf_free(&text);
    return result;
}

/* Where the made-up macro's `}` sits: at the start of the line after. */
static struct srcloc closing_brace(const struct front_define *define)
{
    struct srcloc loc = {define->body_loc.line + 1, 1, 1};
    for (const char *p = define->body; *p; p++)
        loc.line += *p == '\n';
    return loc;
}

/* The parser's first complaint, said about the #define. One at the `}`
 * that closes the made-up macro means the body stopped too soon. */
static void report_define_error(struct front_state *state, const struct front_define *define,
                                const struct diag *scratch, struct srcloc closing)
{
    const struct diag_entry *first = NULL;
    for (size_t i = 0; i < scratch->entries.count && !first; i++) {
        const struct diag_entry *entry = vec_get(&scratch->entries, i);
        first = entry->severity == DIAG_ERROR ? entry : NULL;
    }
    struct srcloc loc = first ? first->loc : define->body_loc;
    const char *problem = first ? first->message : "a '}' in it has no '{'";
    const char *expecting = strstr(problem, ", expecting");
    if (expecting && strstr(expecting, "'}'")) /* the made-up macro's brace: not the user's */
        problem = arena_strndup(state->arena, problem, (size_t)(expecting - problem));
    struct diag_entry *entry;
    if (loc.line == closing.line && loc.column == closing.column)
        entry = diag_error(state->diag, define->name_loc,
                           "#define %s ends before its expression does", define->name);
    else
        entry = diag_error(state->diag, loc, "#define %s is not an expression sonde can read: %s",
                           define->name, problem);
    diag_hint(entry,
              "a #define's body must be an expression, as in 'macro %s(...) { body }'; "
              "C statements such as do { } while (0) are not",
              define->name);
}

/* ---- parameters where no expression goes --------------------------------- */

/* cpp replaces a parameter's tokens anywhere; a macro, only where an
 * expression goes. `((p)->f)` with a parameter f would silently read a
 * field named "f": refused, pointing at that use. */
struct param_uses {
    const char *name;
    struct vec locs; /* struct srcloc *: where the body uses it as an expression */
};

static bool note_param_use(struct ast_expr *expr, void *context)
{
    struct param_uses *uses = context;
    if (expr->kind == EXPR_IDENTIFIER && strcmp(expr->identifier.name, uses->name) == 0)
        vec_push(&uses->locs, &expr->loc);
    return true;
}

static bool is_use(const struct param_uses *uses, struct srcloc loc)
{
    for (size_t i = 0; i < uses->locs.count; i++) {
        const struct srcloc *use = vec_get(&uses->locs, i);
        if (use->line == loc.line && use->column == loc.column)
            return true;
    }
    return false;
}

/* Where the body names the parameter other than as an expression, if it
 * does: tokens are walked as cpp sees them, comments and literals aside. */
static bool misplaced_param(const struct front_define *define, const struct param_uses *uses,
                            struct srcloc *where)
{
    struct srcloc loc = define->body_loc;
    size_t name_length = strlen(uses->name);
    for (const char *p = define->body; *p;) {
        size_t length = front_pp_token_length(p);
        if (p[0] == '/' && (p[1] == '/' || p[1] == '*')) {
            const char *close = p[1] == '*' ? strstr(p + 2, "*/") : NULL;
            length = p[1] == '/' ? strcspn(p, "\n") : close ? (size_t)(close - p) + 2 : strlen(p);
        }
        bool after_sigil = p > define->body && (p[-1] == '$' || p[-1] == '@');
        if (length == name_length && strncmp(p, uses->name, length) == 0 && !after_sigil &&
            !is_use(uses, loc)) {
            *where = (struct srcloc){loc.line, loc.column, (int)length};
            return true;
        }
        for (size_t i = 0; i < length; i++) {
            loc.line += p[i] == '\n';
            loc.column = p[i] == '\n' ? 1 : loc.column + 1;
        }
        p += length ? length : 1;
    }
    return false;
}

static bool params_are_expressions(struct front_state *state, const struct front_define *define,
                                   struct ast_macro *macro)
{
    for (size_t i = 0; i < define->params->count; i++) {
        struct param_uses uses = {vec_get(define->params, i), {0}};
        ast_walk_stmt(macro->body, note_param_use, &uses);
        if (macro->value)
            ast_walk_expr(macro->value, note_param_use, &uses);
        struct srcloc where;
        bool misplaced = misplaced_param(define, &uses, &where);
        vec_free(&uses.locs);
        if (misplaced) {
            struct diag_entry *entry = diag_error(
                state->diag, where, "#define %s: parameter '%s' is used where no expression goes",
                define->name, uses.name);
            diag_hint(entry, "sonde substitutes a macro's arguments as whole expressions, not as "
                             "tokens: a field name or a type cannot be a parameter");
            return false;
        }
    }
    return true;
}

/* Exactly one macro came of the body: a `}` in it could otherwise close
 * the macro early and let the rest of the line add a probe. */
static bool only_the_macro(const struct ast_program *parsed)
{
    return parsed->macros.count == 1 && parsed->probes.count == 0 && parsed->config.count == 0 &&
           parsed->map_decls.count == 0 && parsed->functions.count == 0;
}

bool front_parse_define(struct front_state *state, const struct front_define *define)
{
    struct diag scratch;
    diag_init(&scratch, state->diag->filename, state->diag->source);
    /* its own program, seeing the preamble's typedefs: `(pid_t)x` is a cast */
    struct ast_program parsed = {.c_definitions = state->program->c_definitions};
    struct front_state sub = {.arena = state->arena,
                              .diag = &scratch,
                              .program = &parsed,
                              .hidden_variables = state->hidden_variables,
                              .column = 1};
    sub.text = define_as_macro_text(state, define, &sub.line);
    sub.token_end_line = sub.line;
    sub.token_end_column = 1;
    bool ok = run_parser(&sub) == 0 && scratch.error_count == 0 && only_the_macro(&parsed);
    if (ok) {
        struct ast_macro *macro = vec_get(&parsed.macros, 0);
        macro->loc = define->name_loc;
        state->hidden_variables = sub.hidden_variables;
        /* A body too deep to walk is kept, unwalked, for front_parse's
         * check to refuse where it refuses the script's own. */
        bool walkable = ast_check_nesting(&parsed, &scratch) == 0;
        ok = !define->report || !walkable || params_are_expressions(state, define, macro);
        if (ok)
            vec_push(&state->program->macros, macro);
    } else if (define->report) {
        report_define_error(state, define, &scratch, closing_brace(define));
    }
    vec_free(&parsed.macros); /* the rest are empty or, c_definitions, not its own */
    vec_free(&parsed.probes);
    vec_free(&parsed.config);
    vec_free(&parsed.map_decls);
    vec_free(&parsed.functions);
    diag_free(&scratch);
    return ok;
}

struct ast_program *front_parse(const char *source, struct arena *arena, struct diag *diag)
{
    int errors_before = diag->error_count;
    struct front_state state = {.arena = arena, .diag = diag, .line = 1, .column = 1};
    size_t start = skip_shebang(source, &state.column);
    state.text = source + start;
    state.program = ARENA_NEW(arena, struct ast_program);
    size_t probes_start = 0;
    if (!front_read_preamble(&state, &probes_start, &state.line, &state.column))
        return NULL;
    state.text += probes_start;
    state.token_end_line = state.line;
    state.token_end_column = state.column;

    int status = run_parser(&state);
    if (status == 0 && diag->error_count == errors_before) {
        /* Checked here so that no caller can hand a later, recursive pass
         * a tree it cannot walk. */
        return ast_check_nesting(state.program, diag) == 0 ? state.program : NULL;
    }
    if (diag->error_count == errors_before)
        diag_error(diag, (struct srcloc){state.line, state.column, 1}, "cannot parse the script");
    return NULL;
}
