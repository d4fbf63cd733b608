/* config.c: the script's `config = { ... }` block as settings.
 *
 * Keys may be written as their environment variable (BPFTRACE_MAX_STRLEN) or
 * in short form (max_strlen, MAX_STRLEN). An environment variable that is set
 * wins over the script, as in bpftrace. Every setting bpftrace documents is
 * accepted and its value checked, so scripts written for bpftrace run; those
 * that mean nothing for sonde (log_size, cpp_demangle, ...) have no effect. */
#include "ast/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum value_kind {
    VALUE_POSITIVE, /* an integer > 0 */
    VALUE_COUNT,    /* an integer >= 0 */
    VALUE_BOOL,     /* true/false, 1/0 */
    VALUE_TEXT,     /* anything */
    VALUE_CHOICE,   /* one of `choices` */
    VALUE_UNSTABLE, /* enable/warn/error (or, as bpftrace once had, true/false) */
};

struct setting {
    const char *name;
    enum value_kind kind;
    const char *const *choices; /* VALUE_CHOICE, NULL-terminated */
    const char *hint;           /* how to write a valid value */
};

static const char *const stack_modes[] = {"bpftrace", "perf", "raw", NULL};
static const char *const missing_probe_policies[] = {"error", "warn", "ignore", NULL};
static const char *const symbol_caches[] = {"PER_PID", "PER_PROGRAM", "NONE", "0", "1", NULL};
static const char *const symbol_sources[] = {"dwarf", "symbol_table", NULL};
static const char *const licenses[] = {
    "GPL",          "GPL v2",       "GPL and additional rights", "Dual BSD/GPL",
    "Dual MIT/GPL", "Dual MPL/GPL", NULL,
};

#define CHOICE(name, list, hint) {name, VALUE_CHOICE, list, hint}
#define PLAIN(name, kind) {name, kind, NULL, NULL}

/* bpftrace's settings (docs/language.md, "Config Variables"), by short name. */
static const struct setting settings[] = {
    CHOICE("cache_user_symbols", symbol_caches, "use PER_PID, PER_PROGRAM or NONE"),
    PLAIN("cpp_demangle", VALUE_BOOL),
    PLAIN("lazy_symbolication", VALUE_BOOL),
    CHOICE("license", licenses,
           "use GPL, GPL v2, GPL and additional rights, Dual BSD/GPL, Dual MIT/GPL or "
           "Dual MPL/GPL"),
    PLAIN("log_size", VALUE_POSITIVE),
    PLAIN("max_bpf_progs", VALUE_POSITIVE),
    PLAIN("max_cat_bytes", VALUE_POSITIVE),
    PLAIN("max_map_keys", VALUE_POSITIVE),
    PLAIN("max_probes", VALUE_POSITIVE),
    PLAIN("max_strlen", VALUE_POSITIVE),
    PLAIN("max_type_res_iterations", VALUE_COUNT),
    CHOICE("missing_probes", missing_probe_policies, "use error, warn or ignore"),
    PLAIN("on_stack_limit", VALUE_COUNT),
    PLAIN("perf_rb_pages", VALUE_POSITIVE),
    PLAIN("print_maps_on_exit", VALUE_BOOL),
    PLAIN("probe_inline", VALUE_BOOL),
    PLAIN("show_debug_info", VALUE_BOOL),
    CHOICE("stack_mode", stack_modes, "use bpftrace, perf or raw"),
    PLAIN("str_trunc_trailer", VALUE_TEXT),
    CHOICE("symbol_source", symbol_sources, "use dwarf or symbol_table"),
    PLAIN("use_blazesym", VALUE_BOOL),
    PLAIN("unstable_addr", VALUE_UNSTABLE),
    PLAIN("unstable_import", VALUE_UNSTABLE),
    PLAIN("unstable_import_statement", VALUE_UNSTABLE),
    PLAIN("unstable_macro", VALUE_UNSTABLE),
    PLAIN("unstable_map_decl", VALUE_UNSTABLE),
    PLAIN("unstable_tseries", VALUE_UNSTABLE),
    PLAIN("unstable_typeinfo", VALUE_UNSTABLE),
};

/* bpftrace reads these from the environment only. */
static const char *const environment_only[] = {
    "btf", "debug_output", "kernel_build", "kernel_source", "max_ast_nodes", "verify_llvm_ir",
    "vmlinux", NULL,
};

/* "BPFTRACE_MAX_STRLEN", "MAX_STRLEN" and "max_strlen" all give
 * "max_strlen"; so does bpftrace's old name "strlen". */
static void short_key(const char *key, char *out, size_t size)
{
    if (strncasecmp(key, "BPFTRACE_", 9) == 0)
        key += 9;
    size_t i = 0;
    for (; key[i] && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)key[i]);
    out[i] = '\0';
    if (strcmp(out, "strlen") == 0)
        snprintf(out, size, "max_strlen");
}

static const struct setting *find_setting(const char *key)
{
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
        if (strcmp(settings[i].name, key) == 0)
            return &settings[i];
    return NULL;
}

static bool in_list(const char *const *list, const char *text)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], text) == 0)
            return true;
    return false;
}

/* A decimal integer that fits 32 bits (sizes and counts sonde keeps as unsigned). */
static bool parse_count(const char *text, uint64_t *value)
{
    if (!text || !isdigit((unsigned char)*text))
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long number = strtoull(text, &end, 10);
    if (errno || *end || number > UINT32_MAX)
        return false;
    *value = number;
    return true;
}

static bool parse_bool(const char *text, bool *value)
{
    if (!text)
        return false;
    if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
        *value = true;
    else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
        *value = false;
    else
        return false;
    return true;
}

static bool parse_unstable(const char *text, enum ast_unstable *value)
{
    bool on;
    if (text && strcmp(text, "enable") == 0)
        *value = AST_UNSTABLE_ENABLE;
    else if (text && strcmp(text, "warn") == 0)
        *value = AST_UNSTABLE_WARN;
    else if (text && strcmp(text, "error") == 0)
        *value = AST_UNSTABLE_ERROR;
    else if (parse_bool(text, &on))
        *value = on ? AST_UNSTABLE_ENABLE : AST_UNSTABLE_ERROR;
    else
        return false;
    return true;
}

/* NULL when `text` suits the setting, else how to write it. */
static const char *invalid_value(const struct setting *setting, const char *text)
{
    uint64_t number;
    bool flag;
    enum ast_unstable unstable;
    switch (setting->kind) {
    case VALUE_POSITIVE:
        return parse_count(text, &number) && number > 0 ? NULL
                                                        : "use an integer from 1 to 4294967295";
    case VALUE_COUNT:
        return parse_count(text, &number) ? NULL : "use an integer from 0 to 4294967295";
    case VALUE_BOOL:
        return parse_bool(text, &flag) ? NULL : "use true or false (or 1 or 0)";
    case VALUE_TEXT:
        return text ? NULL : "use a string";
    case VALUE_CHOICE:
        return text && in_list(setting->choices, text) ? NULL : setting->hint;
    case VALUE_UNSTABLE:
        return parse_unstable(text, &unstable) ? NULL : "use enable, warn or error";
    }
    return NULL;
}

static void environment_name(const char *key, char *out, size_t size)
{
    snprintf(out, size, "BPFTRACE_%s", key);
    for (char *c = out; *c; c++)
        *c = (char)toupper((unsigned char)*c);
}

static int check_entry(const struct ast_config_entry *entry, struct diag *diag)
{
    char key[64];
    short_key(entry->key, key, sizeof(key));
    const struct setting *setting = find_setting(key);
    if (!setting && in_list(environment_only, key)) {
        char variable[80];
        environment_name(key, variable, sizeof(variable));
        struct diag_entry *d = diag_error(
            diag, entry->loc, "config key '%s' can only be set as an environment variable",
            entry->key);
        diag_hint(d, "set %s in the environment instead", variable);
        return -EINVAL;
    }
    if (!setting) {
        struct diag_entry *d = diag_error(diag, entry->loc, "unknown config key '%s'", entry->key);
        diag_hint(d, "bpftrace's settings are listed in its docs (\"Config Variables\"), e.g. "
                     "max_strlen, stack_mode, print_maps_on_exit, str_trunc_trailer");
        return -EINVAL;
    }
    const char *hint = invalid_value(setting, entry->text);
    if (hint && setting->kind == VALUE_POSITIVE) {
        struct diag_entry *d = diag_error(
            diag, entry->value_loc, "config key '%s' needs a positive integer", entry->key);
        diag_hint(d, "%s", hint);
        return -EINVAL;
    }
    if (hint) {
        struct diag_entry *d = diag_error(diag, entry->value_loc,
                                          "invalid value for config key '%s'", entry->key);
        diag_hint(d, "%s", hint);
        return -EINVAL;
    }
    return 0;
}

int ast_config_check(const struct ast_program *program, struct diag *diag)
{
    int errors = 0;
    for (size_t i = 0; i < program->config.count; i++)
        errors += check_entry(vec_get(&program->config, i), diag) != 0;
    return errors ? -EINVAL : 0;
}

int ast_config_check_environment(struct diag *diag)
{
    int errors = 0;
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        char variable[80];
        environment_name(settings[i].name, variable, sizeof(variable));
        const char *value = getenv(variable);
        /* An empty variable counts as unset, except for the trailer, where
         * empty is a value ("no trailer"). */
        if (!value || (!*value && settings[i].kind != VALUE_TEXT))
            continue;
        const char *hint = invalid_value(&settings[i], value);
        if (hint) {
            struct diag_entry *d =
                diag_error(diag, (struct srcloc){0}, "invalid %s '%s'", variable, value);
            diag_hint(d, "%s", hint);
            errors++;
        }
    }
    return errors ? -EINVAL : 0;
}

const char *ast_config_setting(const struct ast_program *program, const char *key)
{
    char variable[80];
    environment_name(key, variable, sizeof(variable));
    const char *value = getenv(variable);
    const struct setting *setting = find_setting(key);
    if (value && (*value || (setting && setting->kind == VALUE_TEXT)))
        return value;
    for (size_t i = program ? program->config.count : 0; i-- > 0;) {
        const struct ast_config_entry *entry = vec_get(&program->config, i);
        char entry_key[64];
        short_key(entry->key, entry_key, sizeof(entry_key));
        if (strcmp(entry_key, key) == 0)
            return entry->text;
    }
    return NULL;
}

bool ast_config_flag(const struct ast_program *program, const char *key, bool fallback)
{
    bool value;
    return parse_bool(ast_config_setting(program, key), &value) ? value : fallback;
}

enum ast_unstable ast_config_unstable(const struct ast_program *program, const char *key)
{
    enum ast_unstable value;
    return parse_unstable(ast_config_setting(program, key), &value) ? value
                                                                    : AST_UNSTABLE_ENABLE;
}

/* ---- unstable features ---- */

struct unstable_feature {
    const char *key;  /* "unstable_map_decl" */
    const char *what; /* "map declarations" */
    enum ast_unstable setting;
    bool warned;
    int errors;
};

/* bpftrace's words for "warn"; "error" refuses each use, where it is. */
static void use_feature(struct unstable_feature *feature, struct srcloc loc, struct diag *diag)
{
    if (feature->setting == AST_UNSTABLE_WARN && !feature->warned) {
        diag_warning(diag, (struct srcloc){0},
                     "Script is using an unstable feature: %s. To prevent this warning you must "
                     "explicitly enable it in the config e.g. %s=enable",
                     feature->what, feature->key);
        feature->warned = true;
    } else if (feature->setting == AST_UNSTABLE_ERROR) {
        struct diag_entry *d = diag_error(diag, loc, "%s are an unstable feature, and %s=error "
                                                     "refuses them",
                                          feature->what, feature->key);
        diag_hint(d, "set %s=enable (or warn) in the config block to use them", feature->key);
        feature->errors++;
    }
}

/* A macro the script wrote with `macro`, not one made of a #define (its
 * place is the name after "#define", on a directive line). */
static bool is_script_macro(const struct ast_macro *macro, const struct diag *diag)
{
    if (macro->stdlib_file)
        return false;
    const char *p = diag->source;
    for (int line = 1; p && *p && line < macro->loc.line; p++)
        line += *p == '\n';
    if (!p)
        return true;
    p += strspn(p, " \t");
    return *p != '#';
}

struct address_uses {
    struct unstable_feature *feature;
    struct diag *diag;
};

static bool note_address_of(struct ast_expr *expr, void *context)
{
    struct address_uses *uses = context;
    if (expr->kind == EXPR_UNARY && expr->unary.op == OP_ADDRESS_OF)
        use_feature(uses->feature, expr->loc, uses->diag);
    return true;
}

static void find_address_of(const struct ast_program *program, struct address_uses *uses)
{
    for (size_t i = 0; i < program->probes.count; i++) {
        struct ast_probe *probe = vec_get(&program->probes, i);
        if (probe->predicate)
            ast_walk_expr(probe->predicate, note_address_of, uses);
        ast_walk_stmt(probe->body, note_address_of, uses);
    }
    for (size_t i = 0; i < program->functions.count; i++)
        ast_walk_stmt(((struct ast_function *)vec_get(&program->functions, i))->body,
                      note_address_of, uses);
    for (size_t i = 0; i < program->macros.count; i++) {
        struct ast_macro *macro = vec_get(&program->macros, i);
        if (macro->stdlib_file)
            continue;
        ast_walk_stmt(macro->body, note_address_of, uses);
        if (macro->value)
            ast_walk_expr(macro->value, note_address_of, uses);
    }
}

int ast_config_check_unstable(const struct ast_program *program, struct diag *diag)
{
    struct unstable_feature map_decl = {"unstable_map_decl", "map declarations",
                                        ast_config_unstable(program, "unstable_map_decl")};
    struct unstable_feature macros = {"unstable_macro", "macros",
                                      ast_config_unstable(program, "unstable_macro")};
    struct unstable_feature address = {"unstable_addr", "address-of operators (&)",
                                       ast_config_unstable(program, "unstable_addr")};
    for (size_t i = 0; i < program->map_decls.count; i++)
        use_feature(&map_decl, ((struct ast_map_decl *)vec_get(&program->map_decls, i))->loc,
                    diag);
    for (size_t i = 0; i < program->macros.count; i++) {
        const struct ast_macro *macro = vec_get(&program->macros, i);
        if (is_script_macro(macro, diag))
            use_feature(&macros, macro->loc, diag);
    }
    if (address.setting != AST_UNSTABLE_ENABLE)
        find_address_of(program, &(struct address_uses){&address, diag});
    return map_decl.errors + macros.errors + address.errors ? -EINVAL : 0;
}
