/* Probe expansion: attach points as written → concrete instances, then each
 * block's instances grouped into variants that type `args` alike.
 *
 * Only the fields the block actually reads decide the grouping, so
 * `tracepoint:syscalls:sys_enter_* { @[probe] = count() }` stays one variant
 * (one body to check and compile) however many syscalls it covers. */
#include <errno.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/suggest.h"
#include "probes/probes_internal.h"

/* How a block uses `args`: the fields it names, or the whole record. */
struct used_field {
    const char *name;
    struct ast_expr *expr; /* the first use, for error locations */
};

struct args_usage {
    struct vec fields; /* struct used_field * */
    bool whole_record;
    struct arena *arena;
};

static void report_unknown_provider(const struct ast_attach_point *point, struct diag *diag)
{
    struct diag_entry *entry =
        diag_error(diag, point->loc, "unknown probe type '%s'", point->provider);
    struct vec names = {0};
    struct strbuf valid = {0};
    for (size_t i = 0; probe_kinds[i]; i++) {
        const struct probe_kind *kind = probe_kinds[i];
        vec_push(&names, (void *)kind->name);
        strbuf_printf(&valid, "%s%s", i ? ", " : "", kind->name);
        for (const char *const *alias = kind->aliases; alias && *alias; alias++)
            vec_push(&names, (void *)*alias);
    }
    const char *closest =
        suggest_closest(point->provider, (const char *const *)names.items, names.count);
    const struct probe_kind *kind = closest ? probe_kind_find(closest) : NULL;
    if (kind)
        diag_hint(entry, "did you mean '%s'?", kind->name);
    else
        diag_hint(entry, "probe types are %s", strbuf_text(&valid));
    vec_free(&names);
    strbuf_free(&valid);
}

bool probes_split_module(struct arena *arena, const char *target, const char **module,
                         const char **name)
{
    const char *colon = strchr(target, ':');
    if (colon && strchr(colon + 1, ':'))
        return false;
    *module = colon ? arena_strndup(arena, target, (size_t)(colon - target)) : NULL;
    *name = colon ? colon + 1 : target;
    return true;
}

static int expand_point(const struct ast_attach_point *point, const struct probe_env *env,
                        struct vec *instances, struct diag *diag)
{
    const struct probe_kind *kind = probe_kind_find(point->provider);
    if (!kind) {
        report_unknown_provider(point, diag);
        return -EINVAL;
    }
    if (!kind->expand) {
        diag_error(diag, point->loc, "'%s' probes cannot be written directly", kind->name);
        return -EINVAL;
    }
    size_t first = instances->count;
    int err = kind->expand(point, env, instances, diag);
    for (size_t i = first; i < instances->count; i++)
        ((struct probe_instance *)vec_get(instances, i))->loc = point->loc;
    return err;
}

static bool is_args(const struct ast_expr *expr)
{
    return expr->kind == EXPR_IDENTIFIER && expr->identifier.name &&
           strcmp(expr->identifier.name, "args") == 0;
}

static bool collect_args_usage(struct ast_expr *expr, void *context)
{
    struct args_usage *usage = context;
    if (expr->kind == EXPR_FIELD && expr->field.base && is_args(expr->field.base)) {
        for (size_t i = 0; i < usage->fields.count; i++)
            if (strcmp(((struct used_field *)vec_get(&usage->fields, i))->name, expr->field.name) ==
                0)
                return false;
        struct used_field *field = ARENA_NEW(usage->arena, struct used_field);
        field->name = expr->field.name;
        field->expr = expr;
        vec_push(&usage->fields, field);
        return false; /* its base is `args` in a field access, not a use of the record */
    }
    if (is_args(expr))
        usage->whole_record = true;
    return true;
}

static const struct tracepoint_field *find_field(const struct tracepoint_format *format,
                                                 const char *name)
{
    for (unsigned i = 0; i < format->field_count; i++)
        if (strcmp(format->fields[i].name, name) == 0)
            return &format->fields[i];
    return NULL;
}

/* A field as the grouping sees it: what codegen needs to read it. The
 * address space is added because type_describe leaves it out. */
static void describe_field(struct strbuf *key, const struct tracepoint_field *field)
{
    strbuf_printf(key, "%s=", field->name);
    type_describe(field->type, key);
    strbuf_printf(key, "@%u%s%s;", field->offset, field->is_data_loc ? "/loc" : "",
                  field->type->kind == TYPE_POINTER && field->type->space == SPACE_USER ? "/user"
                                                                                        : "");
}

static char *variant_key(const struct probe_instance *instance, const struct args_usage *usage)
{
    struct strbuf key = {0};
    strbuf_printf(&key, "%p;", (const void *)instance->kind);
    if (instance->retval_type) {
        strbuf_puts(&key, "retval=");
        type_describe(instance->retval_type, &key);
        strbuf_putc(&key, ';');
    }
    const struct tracepoint_format *format = instance->format;
    if (format && usage->whole_record) {
        for (unsigned i = 0; i < format->field_count; i++)
            describe_field(&key, &format->fields[i]);
    } else if (format) {
        for (size_t i = 0; i < usage->fields.count; i++) {
            const struct used_field *used = vec_get(&usage->fields, i);
            const struct tracepoint_field *field = find_field(format, used->name);
            if (field)
                describe_field(&key, field);
        }
    }
    char *text = arena_strdup(usage->arena, strbuf_text(&key));
    strbuf_free(&key);
    return text;
}

static void hint_fields(struct diag_entry *entry, const struct tracepoint_format *format,
                        const char *wanted)
{
    struct vec names = {0};
    struct strbuf list = {0};
    for (unsigned i = 0; i < format->field_count; i++) {
        vec_push(&names, (void *)format->fields[i].name);
        strbuf_printf(&list, "%s%s", i ? ", " : "", format->fields[i].name);
    }
    const char *closest = suggest_closest(wanted, (const char *const *)names.items, names.count);
    if (closest)
        diag_hint(entry, "did you mean '%s'?", closest);
    else if (format->field_count)
        diag_hint(entry, "its fields are: %s", strbuf_text(&list));
    else
        diag_hint(entry, "it has no fields");
    vec_free(&names);
    strbuf_free(&list);
}

/* One error per field name, at its first use, naming the first instance
 * that lacks it (a wildcard can match hundreds that do). */
static int check_fields_exist(const struct vec *instances, const struct args_usage *usage,
                              struct diag *diag)
{
    int err = 0;
    for (size_t f = 0; f < usage->fields.count; f++) {
        const struct used_field *used = vec_get(&usage->fields, f);
        const struct probe_instance *first_missing = NULL;
        size_t missing = 0;
        for (size_t i = 0; i < instances->count; i++) {
            const struct probe_instance *instance = vec_get(instances, i);
            if (!instance->format || find_field(instance->format, used->name))
                continue;
            if (!first_missing)
                first_missing = instance;
            missing++;
        }
        if (!first_missing)
            continue;
        const char *probe = first_missing->category
                                ? arena_printf(usage->arena, "tracepoint %s:%s",
                                               first_missing->category, first_missing->event)
                                : first_missing->name;
        struct diag_entry *entry = diag_error(
            diag, used->expr->loc, "%s has no field '%s'%s", probe, used->name,
            missing > 1 ? arena_printf(usage->arena, " (nor do %zu other probes of this block)",
                                       missing - 1)
                        : "");
        hint_fields(entry, first_missing->format, used->name);
        err = -EINVAL;
    }
    return err;
}

static struct ast_variant *new_variant(struct ast_probe *probe, struct arena *arena,
                                       const struct probe_instance *first)
{
    struct ast_variant *variant = ARENA_NEW(arena, struct ast_variant);
    bool original = probe->variants.count == 0;
    variant->predicate = !probe->predicate ? NULL
                         : original        ? probe->predicate
                                           : ast_expr_clone(arena, probe->predicate);
    variant->body = original ? probe->body : ast_stmt_clone(arena, probe->body);
    variant->args_type = first->format ? first->format->args_type : NULL;
    vec_push(&probe->variants, variant);
    return variant;
}

static void group_variants(struct ast_probe *probe, const struct vec *instances,
                           const struct args_usage *usage, struct arena *arena)
{
    struct vec keys = {0}; /* char *, parallel to probe->variants */
    for (size_t i = 0; i < instances->count; i++) {
        struct probe_instance *instance = vec_get(instances, i);
        char *key = variant_key(instance, usage);
        struct ast_variant *variant = NULL;
        for (size_t v = 0; v < keys.count && !variant; v++)
            if (strcmp(vec_get(&keys, v), key) == 0)
                variant = vec_get(&probe->variants, v);
        if (!variant) {
            variant = new_variant(probe, arena, instance);
            vec_push(&keys, key);
        }
        vec_push(&variant->instances, instance);
    }
    vec_free(&keys);
}

/* Attach points whose wildcards matched nothing: dropped, as bpftrace does,
 * unless nothing at all is left to run. */
struct expansion {
    struct vec unmatched; /* struct ast_attach_point * */
    size_t instance_count;
};

static int expand_points(struct ast_probe *probe, const struct probe_env *env,
                         struct vec *instances, struct expansion *expansion, struct diag *diag)
{
    int err = 0;
    for (size_t i = 0; i < probe->attach_points.count; i++) {
        struct ast_attach_point *point = vec_get(&probe->attach_points, i);
        size_t first = instances->count;
        int point_err = expand_point(point, env, instances, diag);
        if (point_err)
            err = point_err;
        else if (instances->count == first && probes_has_wildcard(point->target))
            vec_push(&expansion->unmatched, point);
    }
    return err;
}

static int expand_probe(struct ast_probe *probe, const struct probe_env *env,
                        struct expansion *expansion, struct diag *diag)
{
    struct vec instances = {0};
    struct args_usage usage = {.arena = env->arena};
    if (probe->predicate)
        ast_walk_expr(probe->predicate, collect_args_usage, &usage);
    if (probe->body)
        ast_walk_stmt(probe->body, collect_args_usage, &usage);
    /* Tracepoint fields of struct types are typed from the kernel's BTF,
     * which costs tens of milliseconds and megabytes to load: only for
     * blocks that read `args`. */
    struct probe_env block_env = *env;
    block_env.typed_args = usage.whole_record || usage.fields.count > 0;
    int err = expand_points(probe, &block_env, &instances, expansion, diag);
    if (!err)
        err = check_fields_exist(&instances, &usage, diag);
    if (!err && instances.count) {
        probe->kind = ((struct probe_instance *)vec_get(&instances, 0))->kind;
        group_variants(probe, &instances, &usage, env->arena);
    }
    expansion->instance_count += instances.count;
    vec_free(&usage.fields);
    vec_free(&instances);
    return err;
}

static void report_unmatched(const struct expansion *expansion, const struct probe_env *env,
                             struct diag *diag)
{
    bool nothing_left = expansion->instance_count == 0;
    for (size_t i = 0; i < expansion->unmatched.count; i++) {
        const struct ast_attach_point *point = vec_get(&expansion->unmatched, i);
        struct diag_entry *entry = NULL;
        if (nothing_left)
            entry = diag_error(diag, point->loc, "'%s' matches no probes", point->text);
        else if (env->missing_probes == MISSING_WARN)
            entry =
                diag_warning(diag, point->loc, "'%s' matches no probes; skipping it", point->text);
        if (entry)
            diag_hint(entry, "list the probes with: sonde -l '%s'", point->text);
    }
}

int probes_expand_program(struct ast_program *program, const struct probe_env *env,
                          struct diag *diag)
{
    struct expansion expansion = {0};
    int err = 0;
    for (size_t i = 0; i < program->probes.count; i++) {
        int probe_err = expand_probe(vec_get(&program->probes, i), env, &expansion, diag);
        if (probe_err)
            err = probe_err; /* keep going: report every block's mistakes at once */
    }
    if (!err) {
        report_unmatched(&expansion, env, diag);
        if (expansion.instance_count == 0 && expansion.unmatched.count)
            err = -ENOENT;
    }
    vec_free(&expansion.unmatched);
    return err;
}
