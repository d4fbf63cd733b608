/* getopt.c: named parameters, resolved into literals before type checking.
 *
 * bpftrace's rules: the default's type is the option's type (bool when there
 * is none); a bool is true for `--name`, `--name=true` or `--name=1`, false for
 * `=false` or `=0`; an option not given takes its default; an option given
 * that no getopt() declares stops the script. */
#include "ast/getopt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum option_type { OPTION_BOOL, OPTION_INT, OPTION_STRING };

struct option_decl {
    const char *name;
    enum option_type type;
    bool default_bool;
    int64_t default_int;
    const char *default_string;
    const char *description; /* NULL when not written */
    struct srcloc loc;
};

struct resolver {
    const struct ast_named_params *params;
    struct arena *arena;
    struct diag *diag;
    struct vec declared; /* struct option_decl * */
    bool rewrite;        /* second walk: replace the calls */
    bool failed;
};

bool ast_is_named_param(const char *arg)
{
    return strncmp(arg, "--", 2) == 0 && arg[2] != '\0' && arg[2] != '=';
}

/* "--name=value" → "value"; "--name" → "" with *has_value false; NULL when
 * the argument names another option. */
static const char *param_value(const char *arg, const char *name, bool *has_value)
{
    size_t length = strlen(name);
    if (strncmp(arg + 2, name, length) != 0)
        return NULL;
    const char *rest = arg + 2 + length;
    if (*rest == '\0') {
        *has_value = false;
        return rest;
    }
    if (*rest != '=')
        return NULL;
    *has_value = true;
    return rest + 1;
}

/* The last occurrence wins, as with most command lines. */
static const char *find_param(const struct ast_named_params *params, const char *name,
                              bool *has_value)
{
    const char *found = NULL;
    for (int i = 0; params && i < params->count; i++) {
        bool value_given = false;
        const char *value = param_value(params->args[i], name, &value_given);
        if (value) {
            found = value;
            *has_value = value_given;
        }
    }
    return found;
}

static bool parse_bool(const char *text, bool *out)
{
    if (strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0)
        *out = true;
    else if (strcasecmp(text, "false") == 0 || strcmp(text, "0") == 0)
        *out = false;
    else
        return false;
    return true;
}

static bool parse_int(const char *text, int64_t *out)
{
    bool flag;
    if (parse_bool(text, &flag) && !isdigit((unsigned char)text[0])) {
        *out = flag; /* `--n=false` for an int option, as bpftrace accepts */
        return true;
    }
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 0);
    if (!*text || *end || errno)
        return false;
    *out = value;
    return true;
}

static const char *string_literal(const struct ast_expr *expr)
{
    return expr && expr->kind == EXPR_STRING ? expr->string.bytes : NULL;
}

static bool literal_default(const struct ast_expr *value, struct option_decl *decl)
{
    const struct ast_expr *magnitude = value;
    bool negative = value->kind == EXPR_UNARY && value->unary.op == OP_NEGATE;
    if (negative)
        magnitude = value->unary.operand;
    if (magnitude->kind == EXPR_INTEGER) {
        decl->type = OPTION_INT;
        decl->default_int =
            negative ? -(int64_t)magnitude->integer.value : (int64_t)magnitude->integer.value;
        return true;
    }
    if (negative)
        return false;
    if (value->kind == EXPR_BOOL) {
        decl->type = OPTION_BOOL;
        decl->default_bool = value->boolean.value;
        return true;
    }
    if (value->kind == EXPR_STRING) {
        decl->type = OPTION_STRING;
        decl->default_string = value->string.bytes;
        return true;
    }
    return false;
}

/* Checks one call's arguments; NULL (with an error) when they are not literals. */
static struct option_decl *read_call(struct resolver *r, const struct ast_expr *call)
{
    const struct vec *args = &call->call.args;
    struct ast_expr *const *arg = (struct ast_expr *const *)args->items;
    struct option_decl *decl = arena_alloc(r->arena, sizeof(*decl));
    *decl = (struct option_decl){.type = OPTION_BOOL, .loc = call->loc};
    if (args->count < 1 || args->count > 3) {
        diag_error(r->diag, call->loc,
                   "getopt() takes a name, and optionally a default value "
                   "and a description");
        return NULL;
    }
    decl->name = string_literal(arg[0]);
    if (!decl->name || !decl->name[0] || strchr(decl->name, '=')) {
        diag_error(r->diag, arg[0]->loc, "getopt() needs the option's name as a string literal");
        return NULL;
    }
    if (args->count >= 2 && !literal_default(arg[1], decl)) {
        diag_error(r->diag, arg[1]->loc,
                   "getopt()'s default must be a literal: an integer, a string or a bool");
        return NULL;
    }
    if (args->count == 3) {
        decl->description = string_literal(arg[2]);
        if (!decl->description) {
            diag_error(r->diag, arg[2]->loc, "getopt()'s description must be a string literal");
            return NULL;
        }
    }
    return decl;
}

static const char *option_type_name(enum option_type type)
{
    return type == OPTION_INT ? "an integer" : type == OPTION_STRING ? "a string" : "a bool";
}

/* The first call of a name declares it; later ones must agree on its type. */
static void declare(struct resolver *r, struct option_decl *decl)
{
    for (size_t i = 0; i < r->declared.count; i++) {
        const struct option_decl *known = vec_get(&r->declared, i);
        if (strcmp(known->name, decl->name) != 0)
            continue;
        if (known->type != decl->type) {
            struct diag_entry *entry =
                diag_error(r->diag, decl->loc, "option '%s' is %s here but %s before", decl->name,
                           option_type_name(decl->type), option_type_name(known->type));
            diag_hint(entry, "give every getopt(\"%s\", ...) a default of the same type",
                      decl->name);
            r->failed = true;
        }
        return;
    }
    vec_push(&r->declared, decl);
}

static void make_integer(struct arena *arena, struct ast_expr *expr, int64_t value)
{
    if (value >= 0) {
        expr->kind = EXPR_INTEGER;
        expr->integer.value = (uint64_t)value;
        return;
    }
    struct ast_expr *magnitude = ast_expr_new(arena, EXPR_INTEGER, expr->loc);
    magnitude->integer.value = -(uint64_t)value;
    expr->kind = EXPR_UNARY;
    expr->unary.op = OP_NEGATE;
    expr->unary.operand = magnitude;
}

/* The call becomes the value the command line gives, or its default. */
static bool rewrite_call(struct resolver *r, struct ast_expr *call, const struct option_decl *decl)
{
    bool has_value = false;
    const char *text = find_param(r->params, decl->name, &has_value);
    switch (decl->type) {
    case OPTION_BOOL: {
        bool value = decl->default_bool;
        if (text && !has_value)
            value = true;
        else if (text && !parse_bool(text, &value))
            goto bad_value;
        call->kind = EXPR_BOOL;
        call->boolean.value = value;
        return true;
    }
    case OPTION_INT: {
        int64_t value = decl->default_int;
        if (text && (!has_value || !parse_int(text, &value)))
            goto bad_value;
        make_integer(r->arena, call, value);
        return true;
    }
    case OPTION_STRING: {
        const char *value = text && has_value ? text : decl->default_string;
        if (text && !has_value)
            goto bad_value;
        call->kind = EXPR_STRING;
        call->string.bytes = arena_strdup(r->arena, value);
        call->string.length = strlen(value);
        return true;
    }
    }
bad_value:;
    struct diag_entry *entry =
        diag_error(r->diag, call->loc, "option --%s needs %s value, got '%s'", decl->name,
                   option_type_name(decl->type), has_value ? text : "nothing");
    diag_hint(entry, "pass it as --%s=%s", decl->name,
              decl->type == OPTION_INT      ? "N"
              : decl->type == OPTION_STRING ? "TEXT"
                                            : "true");
    return false;
}

static bool visit(struct ast_expr *expr, void *context)
{
    struct resolver *r = context;
    if (expr->kind != EXPR_CALL || strcmp(expr->call.name, "getopt") != 0)
        return true;
    struct option_decl *decl = read_call(r, expr);
    if (!decl) {
        r->failed = true;
        return false;
    }
    if (!r->rewrite)
        declare(r, decl);
    else if (!rewrite_call(r, expr, decl))
        r->failed = true;
    return false;
}

static void walk_program(struct ast_program *program, struct resolver *r)
{
    for (size_t i = 0; i < program->probes.count; i++) {
        struct ast_probe *probe = vec_get(&program->probes, i);
        if (probe->predicate)
            ast_walk_expr(probe->predicate, visit, r);
        ast_walk_stmt(probe->body, visit, r);
    }
    for (size_t i = 0; i < program->functions.count; i++) {
        struct ast_function *function = vec_get(&program->functions, i);
        ast_walk_stmt(function->body, visit, r);
    }
}

static const struct option_decl *find_declared(const struct resolver *r, const char *arg)
{
    for (size_t i = 0; i < r->declared.count; i++) {
        const struct option_decl *decl = vec_get(&r->declared, i);
        bool has_value;
        if (param_value(arg, decl->name, &has_value))
            return decl;
    }
    return NULL;
}

static void print_default(const struct option_decl *decl, FILE *out)
{
    if (decl->type == OPTION_INT)
        fprintf(out, "%" PRId64, decl->default_int);
    else if (decl->type == OPTION_STRING)
        fprintf(out, "\"%s\"", decl->default_string);
    else
        fputs(decl->default_bool ? "true" : "false", out);
}

/* `script.bt --help`: the options the script declares, in script order. */
static void print_options(const struct resolver *r, const char *script_name, FILE *out)
{
    if (r->declared.count == 0) {
        fprintf(out, "%s has no named options\n", script_name);
        return;
    }
    fprintf(out, "Named options of %s:\n", script_name);
    for (size_t i = 0; i < r->declared.count; i++) {
        const struct option_decl *decl = vec_get(&r->declared, i);
        const char *value = decl->type == OPTION_INT      ? "=INT"
                            : decl->type == OPTION_STRING ? "=STRING"
                                                          : "[=BOOL]";
        int width = fprintf(out, "  --%s%s", decl->name, value);
        fprintf(out, "%*s", width < 28 ? 28 - width : 1, "");
        if (decl->description)
            fprintf(out, "%s ", decl->description);
        fputs("(default: ", out);
        print_default(decl, out);
        fputs(")\n", out);
    }
}

/* Every option given must be declared; bpftrace names them all at once. */
static int check_unknown(const struct resolver *r)
{
    char *names = NULL;
    size_t size = 0;
    FILE *list = open_memstream(&names, &size);
    int unknown = 0;
    for (int i = 0; list && i < r->params->count; i++) {
        const char *arg = r->params->args[i];
        if (find_declared(r, arg))
            continue;
        size_t length = strcspn(arg + 2, "=");
        fprintf(list, "%s%.*s", unknown++ ? ", " : "", (int)length, arg + 2);
    }
    if (list)
        fclose(list);
    if (unknown) {
        struct diag_entry *entry =
            diag_error(r->diag, (struct srcloc){0}, "unexpected command line options: %s", names);
        diag_hint(entry, "the script declares its options with getopt(\"name\", default)");
    }
    free(names);
    return unknown ? -EINVAL : 0;
}

static bool help_requested(const struct resolver *r)
{
    bool has_value;
    for (int i = 0; i < r->params->count; i++)
        if (param_value(r->params->args[i], "help", &has_value))
            return !find_declared(r, r->params->args[i]);
    return false;
}

int ast_resolve_getopt(struct ast_program *program, const struct ast_named_params *params,
                       const char *script_name, FILE *help_out, struct arena *arena,
                       struct diag *diag)
{
    static const struct ast_named_params none = {0};
    struct resolver r = {.params = params ? params : &none, .arena = arena, .diag = diag};
    walk_program(program, &r);
    int result = r.failed ? -EINVAL : 0;
    if (!result && help_requested(&r)) {
        print_options(&r, script_name, help_out);
        result = 1;
    }
    if (!result)
        result = check_unknown(&r);
    if (!result) {
        r.rewrite = true;
        walk_program(program, &r);
        result = r.failed ? -EINVAL : 0;
    }
    vec_free(&r.declared);
    return result;
}
