/* fentry:[module:]function (aliases f, kfunc) and fexit (fr, kretfunc): kernel
 * functions through BPF trampolines. The program gets the arguments as u64
 * slots, typed and named from the function's BTF prototype (args.<name>);
 * fexit also gets the return value (retval), in the slot after them.
 *
 * Whether the kernel accepts such programs is found out by loading a
 * minimal one: some kernels have BTF and trampolines but refuse them. */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "base/suggest.h"
#include "probes/kernel_btf.h"
#include "probes/probes_internal.h"

static const char *const fentry_aliases[] = {"f", "kfunc", NULL};
static const char *const fexit_aliases[] = {"fr", "kretfunc", NULL};

/* The functions of one BTF object (not of the vmlinux it builds on)
 * matching `pattern`, sorted. */
static void list_functions(struct arena *arena, const struct btf *btf, const char *pattern,
                           struct vec *out)
{
    const struct btf *base = btf__base_btf(btf);
    size_t first = out->count;
    for (uint32_t id = base ? btf__type_cnt(base) : 1; id < btf__type_cnt(btf); id++) {
        const struct btf_type *type = btf__type_by_id(btf, id);
        if (!btf_is_func(type))
            continue;
        const char *name = btf__name_by_offset(btf, type->name_off);
        if (name && (!pattern || probes_glob_match(pattern, name)))
            vec_push(out, arena_strdup(arena, name));
    }
    probes_sort_names(out, first);
}

static struct probe_instance *make_instance(const struct probe_env *env,
                                            const struct probe_kind *kind, const struct btf *btf,
                                            const char *module, const char *function)
{
    uint32_t proto = 0;
    probe_btf_find_function(btf, function, &proto);
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = kind;
    instance->name = arena_printf(env->arena, "%s:%s:%s", kind->name, module, function);
    instance->syscall_number = -1;
    instance->function = function;
    instance->module = module;
    instance->format = probe_btf_arguments(env->arena, btf, proto, 0, module, function);
    if (kind->return_probe)
        instance->retval_type =
            probe_btf_return_type(env->arena, btf, proto, &instance->retval_c_type);
    return instance;
}

static int report_unsupported(const struct ast_attach_point *point, const struct probe_env *env,
                              const struct probe_kind *kind, const char *function, int error,
                              struct diag *diag)
{
    struct diag_entry *entry =
        diag_error(diag, point->loc,
                   "%s probes are not available on this kernel: it refused a test %s "
                   "program (%s)",
                   kind->name, kind->name, strerror(error));
    if (probes_kernel_has_kprobes(env))
        diag_hint(entry, "%s:%s traces the same function",
                  kind->return_probe ? "kretprobe" : "kprobe", function);
    else
        probes_hint_alternative(env, entry, function, kind->return_probe);
    return -EOPNOTSUPP;
}

/* Refused loads are the kernel's answer for every function, so one test
 * program decides for the whole script. */
static int check_support(const struct ast_attach_point *point, const struct probe_env *env,
                         const struct probe_kind *kind, const struct probe_instance *first,
                         struct diag *diag)
{
    int error = 0;
    uint32_t id = probe_btf_find_function(probe_kernel_btf(first->module), first->function, NULL);
    if (env->skip_kernel_checks || strcmp(first->module, "vmlinux") != 0 ||
        probes_kernel_has_fentry(id, &error))
        return 0;
    return report_unsupported(point, env, kind, first->function, error, diag);
}

static void hint_closest(const struct probe_env *env, struct diag_entry *entry, const char *name)
{
    struct vec functions = {0};
    list_functions(env->arena, probe_kernel_btf(NULL), NULL, &functions);
    const char *closest =
        suggest_closest(name, (const char *const *)functions.items, functions.count);
    if (closest)
        diag_hint(entry, "did you mean '%s'?", closest);
    vec_free(&functions);
}

static int expand_fentry_kind(const struct ast_attach_point *point, const struct probe_env *env,
                              const struct probe_kind *kind, struct vec *out, struct diag *diag)
{
    const char *module = NULL, *function = NULL;
    if (!probes_split_module(env->arena, point->target, &module, &function) || !*function) {
        struct diag_entry *entry =
            diag_error(diag, point->loc, "'%s' must name a kernel function: %s:[module:]function",
                       point->text, kind->name);
        diag_hint(entry, "e.g. %s:vfs_read", kind->name);
        return -EINVAL;
    }
    if (!probe_kernel_btf(NULL)) {
        probes_kernel_lacks(env, point->loc, diag, function, kind->return_probe,
                            "%s probes need the kernel's BTF (/sys/kernel/btf/vmlinux), which "
                            "this kernel lacks",
                            kind->name);
        return -EOPNOTSUPP;
    }
    struct vec objects = {0}, functions = {0};
    probe_kernel_btf_objects(env->arena, &objects);
    size_t first = out->count;
    for (size_t i = 0; i < objects.count; i++) {
        const char *object = vec_get(&objects, i);
        const struct btf *btf =
            module && !probes_glob_match(module, object) ? NULL : probe_kernel_btf(object);
        functions.count = 0;
        if (btf)
            list_functions(env->arena, btf, function, &functions);
        for (size_t j = 0; j < functions.count; j++)
            vec_push(out, make_instance(env, kind, btf, object, vec_get(&functions, j)));
    }
    vec_free(&objects);
    vec_free(&functions);
    if (out->count > first)
        return check_support(point, env, kind, vec_get(out, first), diag);
    if (probes_has_wildcard(point->target))
        return 0;
    struct diag_entry *entry = NULL;
    int err = probes_missing(env, point->loc, diag, &entry,
                             "kernel function '%s' does not exist or has no BTF", function);
    if (entry)
        hint_closest(env, entry, function);
    return err;
}

static int expand_fentry(const struct ast_attach_point *point, const struct probe_env *env,
                         struct vec *out, struct diag *diag)
{
    return expand_fentry_kind(point, env, &probe_kind_fentry, out, diag);
}

static int expand_fexit(const struct ast_attach_point *point, const struct probe_env *env,
                        struct vec *out, struct diag *diag)
{
    return expand_fentry_kind(point, env, &probe_kind_fexit, out, diag);
}

/* libbpf finds the function's BTF id from the section name at load. */
static const char *section_fentry(const struct probe_instance *instance, struct arena *arena)
{
    return arena_printf(arena, "%s/%s", instance->kind->return_probe ? "fexit" : "fentry",
                        instance->function);
}

static int attach_fentry(struct bpf_program *program, const struct probe_instance *instance,
                         struct probe_attachment *out, struct diag *diag)
{
    return probes_keep_link(bpf_program__attach_trace(program), instance, out, diag);
}

static int list_kind(const struct probe_env *env, const struct probe_kind *kind,
                     const char *pattern, bool verbose, FILE *out)
{
    struct vec objects = {0}, functions = {0};
    int count = 0;
    probe_kernel_btf_objects(env->arena, &objects);
    for (size_t i = 0; i < objects.count; i++) {
        const char *object = vec_get(&objects, i);
        const struct btf *btf = probe_kernel_btf(object);
        functions.count = 0;
        if (btf)
            list_functions(env->arena, btf, NULL, &functions);
        for (size_t j = 0; j < functions.count; j++) {
            const char *function = vec_get(&functions, j);
            const char *name = arena_printf(env->arena, "%s:%s:%s", kind->name, object, function);
            const char *short_name = arena_printf(env->arena, "%s:%s", kind->name, function);
            if (pattern && !probes_glob_match(pattern, name) &&
                !(strcmp(object, "vmlinux") == 0 && probes_glob_match(pattern, short_name)))
                continue;
            fprintf(out, "%s\n", name);
            count++;
            if (!verbose)
                continue;
            const struct probe_instance *instance = make_instance(env, kind, btf, object, function);
            probes_print_arguments(out, instance->format);
            if (instance->retval_c_type)
                fprintf(out, "    %s retval\n", instance->retval_c_type);
        }
    }
    vec_free(&objects);
    vec_free(&functions);
    return count;
}

static int list_fentry(const struct probe_env *env, const char *pattern, bool verbose, FILE *out)
{
    return list_kind(env, &probe_kind_fentry, pattern, verbose, out);
}

static int list_fexit(const struct probe_env *env, const char *pattern, bool verbose, FILE *out)
{
    return list_kind(env, &probe_kind_fexit, pattern, verbose, out);
}

/* A function every kernel with BPF has, made to be traced by tests. */
static bool fentry_available(const struct probe_env *env)
{
    const struct btf *btf = probe_kernel_btf(NULL);
    uint32_t id = probe_btf_find_function(btf, "bpf_fentry_test1", NULL);
    if (!id)
        id = probe_btf_find_function(btf, "vfs_read", NULL);
    return id && probes_kernel_has_fentry(id, NULL);
}

const struct probe_kind probe_kind_fentry = {
    .name = "fentry",
    .aliases = fentry_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_TRACING_ARGS,
    .program_type = BPF_PROG_TYPE_TRACING,
    .expand = expand_fentry,
    .section = section_fentry,
    .attach = attach_fentry,
    .list = list_fentry,
    .available = fentry_available,
};

const struct probe_kind probe_kind_fexit = {
    .name = "fexit",
    .aliases = fexit_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_TRACING_ARGS,
    .program_type = BPF_PROG_TYPE_TRACING,
    .return_probe = true,
    .expand = expand_fexit,
    .section = section_fentry,
    .attach = attach_fentry,
    .list = list_fexit,
    .available = fentry_available,
};
