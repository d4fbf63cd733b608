/* kprobe:[module:]function[+offset] (alias k) and kretprobe:[module:]function
 * (alias kr): any kernel function, through the kernel's kprobes. The program
 * gets the saved registers: arg0..argN at entry, retval at return.
 *
 * Kernels built without CONFIG_KPROBES have none; such a kernel gets an
 * error at the attach point that points at a tracepoint instead. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "base/suggest.h"
#include "probes/probes_internal.h"

static const char *const kprobe_aliases[] = {"k", NULL};
static const char *const kretprobe_aliases[] = {"kr", NULL};

struct kprobe_target {
    const char *module;   /* NULL: any */
    const char *function; /* may hold wildcards */
    uint64_t offset;      /* +N (kprobe only) */
};

static bool parse_target(const struct ast_attach_point *point, struct arena *arena, bool is_return,
                         struct kprobe_target *out)
{
    if (!probes_split_module(arena, point->target, &out->module, &out->function) || !*out->function)
        return false;
    char *plus = strchr(out->function, '+');
    if (!plus)
        return true;
    if (is_return || probes_has_wildcard(out->function))
        return false;
    char *end = NULL;
    errno = 0;
    out->offset = strtoull(plus + 1, &end, 0);
    if (errno || end == plus + 1 || *end)
        return false;
    out->function = arena_strndup(arena, out->function, (size_t)(plus - out->function));
    return true;
}

static bool is_vmlinux(const char *module)
{
    return !module || strcmp(module, "vmlinux") == 0;
}

static struct probe_instance *make_instance(const struct probe_env *env,
                                            const struct probe_kind *kind, const char *module,
                                            const char *function, uint64_t offset)
{
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = kind;
    const char *prefix = is_vmlinux(module) ? "" : arena_printf(env->arena, "%s:", module);
    instance->name = offset ? arena_printf(env->arena, "%s:%s%s+%llu", kind->name, prefix, function,
                                           (unsigned long long)offset)
                            : arena_printf(env->arena, "%s:%s%s", kind->name, prefix, function);
    instance->syscall_number = -1;
    instance->function = function;
    instance->module = is_vmlinux(module) ? "vmlinux" : module;
    instance->offset = offset;
    return instance;
}

static void hint_closest(struct diag_entry *entry, const struct vec *functions, const char *name)
{
    struct vec names = {0};
    for (size_t i = 0; i < functions->count; i++)
        vec_push(&names,
                 (void *)((const struct probe_kernel_function *)vec_get(functions, i))->name);
    const char *closest = suggest_closest(name, (const char *const *)names.items, names.count);
    if (closest)
        diag_hint(entry, "did you mean '%s'?", closest);
    vec_free(&names);
}

/* Every traceable function matching the target; an exact name that is not
 * there is a missing probe. */
static int expand_functions(const struct ast_attach_point *point, const struct probe_env *env,
                            const struct probe_kind *kind, const struct kprobe_target *target,
                            struct vec *out, struct diag *diag)
{
    struct vec functions = {0};
    if (!probes_kernel_functions(env, &functions)) {
        if (probes_has_wildcard(point->target)) {
            diag_error(diag, point->loc, "cannot list the kernel's functions to expand '%s'",
                       point->text);
            return -ENOENT;
        }
        /* Nothing to check against: let the attachment decide. */
        vec_push(out, make_instance(env, kind, target->module, target->function, target->offset));
        return 0;
    }
    size_t first = out->count;
    for (size_t i = 0; i < functions.count; i++) {
        const struct probe_kernel_function *function = vec_get(&functions, i);
        bool module_matches =
            !target->module || probes_glob_match(target->module, function->module);
        if (module_matches && probes_glob_match(target->function, function->name))
            vec_push(out,
                     make_instance(env, kind, function->module, function->name, target->offset));
    }
    int err = 0;
    if (out->count == first && !probes_has_wildcard(point->target)) {
        struct diag_entry *entry = NULL;
        err = probes_missing(env, point->loc, diag, &entry,
                             "kernel function '%s' does not exist or cannot be traced",
                             target->function);
        if (entry)
            hint_closest(entry, &functions, target->function);
    }
    vec_free(&functions);
    return err;
}

static int expand_kprobe_kind(const struct ast_attach_point *point, const struct probe_env *env,
                              const struct probe_kind *kind, struct vec *out, struct diag *diag)
{
    struct kprobe_target target = {0};
    if (!parse_target(point, env->arena, kind->return_probe, &target)) {
        struct diag_entry *entry =
            diag_error(diag, point->loc, "'%s' must name a kernel function: %s:[module:]function%s",
                       point->text, kind->name, kind->return_probe ? "" : "[+offset]");
        diag_hint(entry, "e.g. %s:vfs_read", kind->name);
        return -EINVAL;
    }
    if (!env->skip_kernel_checks && !probes_kernel_has_kprobes(env)) {
        probes_kernel_lacks(env, point->loc, diag, target.function, kind->return_probe,
                            "kprobes are not available on this kernel (CONFIG_KPROBES is not set)");
        return -EOPNOTSUPP;
    }
    return expand_functions(point, env, kind, &target, out, diag);
}

static int expand_kprobe(const struct ast_attach_point *point, const struct probe_env *env,
                         struct vec *out, struct diag *diag)
{
    return expand_kprobe_kind(point, env, &probe_kind_kprobe, out, diag);
}

static int expand_kretprobe(const struct ast_attach_point *point, const struct probe_env *env,
                            struct vec *out, struct diag *diag)
{
    return expand_kprobe_kind(point, env, &probe_kind_kretprobe, out, diag);
}

/* libbpf reads "kprobe/<function>[+<offset>]" as the attach target too. */
static const char *section_kprobe(const struct probe_instance *instance, struct arena *arena)
{
    if (instance->offset)
        return arena_printf(arena, "kprobe/%s+0x%llx", instance->function,
                            (unsigned long long)instance->offset);
    return arena_printf(arena, "kprobe/%s", instance->function);
}

static const char *section_kretprobe(const struct probe_instance *instance, struct arena *arena)
{
    return arena_printf(arena, "kretprobe/%s", instance->function);
}

static int attach_kprobe(struct bpf_program *program, const struct probe_instance *instance,
                         struct probe_attachment *out, struct diag *diag)
{
    LIBBPF_OPTS(bpf_kprobe_opts, options, .offset = (size_t)instance->offset,
                .retprobe = instance->kind->return_probe);
    return probes_keep_link(bpf_program__attach_kprobe_opts(program, instance->function, &options),
                            instance, out, diag);
}

static int list_kind(const struct probe_env *env, const struct probe_kind *kind,
                     const char *pattern, FILE *out)
{
    struct vec functions = {0};
    int count = 0;
    if (!probes_kernel_functions(env, &functions))
        return 0;
    for (size_t i = 0; i < functions.count; i++) {
        const struct probe_kernel_function *function = vec_get(&functions, i);
        const char *name = is_vmlinux(function->module)
                               ? arena_printf(env->arena, "%s:%s", kind->name, function->name)
                               : arena_printf(env->arena, "%s:%s:%s", kind->name, function->module,
                                              function->name);
        if (!pattern || probes_glob_match(pattern, name)) {
            fprintf(out, "%s\n", name);
            count++;
        }
    }
    vec_free(&functions);
    return count;
}

/* Listed only where they can be attached: kallsyms alone would offer
 * functions no kprobe can reach here. */
static int list_kprobes(const struct probe_env *env, const char *pattern, bool verbose, FILE *out)
{
    return probes_kernel_has_kprobes(env) ? list_kind(env, &probe_kind_kprobe, pattern, out) : 0;
}

static int list_kretprobes(const struct probe_env *env, const char *pattern, bool verbose,
                           FILE *out)
{
    return probes_kernel_has_kprobes(env) ? list_kind(env, &probe_kind_kretprobe, pattern, out) : 0;
}

const struct probe_kind probe_kind_kprobe = {
    .name = "kprobe",
    .aliases = kprobe_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_PT_REGS,
    .program_type = BPF_PROG_TYPE_KPROBE,
    .expand = expand_kprobe,
    .section = section_kprobe,
    .attach = attach_kprobe,
    .list = list_kprobes,
};

const struct probe_kind probe_kind_kretprobe = {
    .name = "kretprobe",
    .aliases = kretprobe_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_PT_REGS,
    .program_type = BPF_PROG_TYPE_KPROBE,
    .return_probe = true,
    .expand = expand_kretprobe,
    .section = section_kretprobe,
    .attach = attach_kprobe,
    .list = list_kretprobes,
};
