/* rawtracepoint:[module:]event (alias rt): the kernel's tracepoints without
 * their record. The program sees the tracepoint's C arguments as u64 slots:
 * arg0..argN, or args.<name> typed from BTF. */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "base/suggest.h"
#include "probes/kernel_btf.h"
#include "probes/probes_internal.h"

static const char *const rawtracepoint_aliases[] = {"rt", NULL};
static const char typedef_prefix[] = "btf_trace_";

/* Each raw tracepoint has a `btf_trace_<event>` typedef (a pointer to its
 * prototype, parameters unnamed) and a `__bpf_trace_<event>` function with
 * the same prototype and named parameters; both start with `void *__data`. */
static uint32_t event_prototype(const struct btf *btf, const char *event)
{
    char name[256];
    snprintf(name, sizeof(name), "__bpf_trace_%s", event);
    uint32_t proto = 0;
    if (probe_btf_find_function(btf, name, &proto))
        return proto;
    snprintf(name, sizeof(name), "%s%s", typedef_prefix, event);
    int id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
    const struct btf_type *type = id > 0 ? btf__type_by_id(btf, (uint32_t)id) : NULL;
    const struct btf_type *pointer = type ? btf__type_by_id(btf, type->type) : NULL;
    return pointer && btf_is_ptr(pointer) ? pointer->type : 0;
}

/* Events of one BTF object (not of the vmlinux it builds on) matching `pattern`. */
static void list_events(struct arena *arena, const struct btf *btf, const char *pattern,
                        struct vec *out)
{
    const struct btf *base = btf__base_btf(btf);
    size_t first = out->count;
    for (uint32_t id = base ? btf__type_cnt(base) : 1; id < btf__type_cnt(btf); id++) {
        const struct btf_type *type = btf__type_by_id(btf, id);
        if (!btf_is_typedef(type))
            continue;
        const char *name = btf__name_by_offset(btf, type->name_off);
        if (!name || strncmp(name, typedef_prefix, sizeof(typedef_prefix) - 1) != 0)
            continue;
        const char *event = name + sizeof(typedef_prefix) - 1;
        if (!pattern || probes_glob_match(pattern, event))
            vec_push(out, arena_strdup(arena, event));
    }
    probes_sort_names(out, first);
}

static struct probe_instance *make_instance(const struct probe_env *env, const struct btf *btf,
                                            const char *module, const char *event)
{
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = &probe_kind_rawtracepoint;
    instance->name = arena_printf(env->arena, "rawtracepoint:%s:%s", module, event);
    instance->syscall_number = -1;
    instance->function = event;
    instance->module = module;
    uint32_t proto = event_prototype(btf, event);
    if (proto)
        instance->format = probe_btf_arguments(env->arena, btf, proto, 1, module, event);
    return instance;
}

static void hint_closest(const struct probe_env *env, struct diag_entry *entry, const char *event)
{
    struct vec events = {0};
    list_events(env->arena, probe_kernel_btf(NULL), NULL, &events);
    const char *closest = suggest_closest(event, (const char *const *)events.items, events.count);
    if (closest)
        diag_hint(entry, "did you mean 'rawtracepoint:%s'?", closest);
    else
        diag_hint(entry, "list the raw tracepoints with: sonde -l 'rawtracepoint:*'");
    vec_free(&events);
}

static int expand_rawtracepoint(const struct ast_attach_point *point, const struct probe_env *env,
                                struct vec *out, struct diag *diag)
{
    const char *module = NULL, *event = NULL;
    if (!probes_split_module(env->arena, point->target, &module, &event) || !*event) {
        struct diag_entry *entry = diag_error(
            diag, point->loc, "'%s' must name an event: rawtracepoint:[module:]event", point->text);
        diag_hint(entry, "e.g. rawtracepoint:sched_switch or rawtracepoint:vmlinux:sys_enter");
        return -EINVAL;
    }
    if (!probe_kernel_btf(NULL)) {
        diag_error(diag, point->loc,
                   "raw tracepoints need the kernel's BTF "
                   "(/sys/kernel/btf/vmlinux), which this kernel lacks");
        return -ENOENT;
    }
    struct vec objects = {0}, events = {0};
    probe_kernel_btf_objects(env->arena, &objects);
    size_t first = out->count;
    for (size_t i = 0; i < objects.count; i++) {
        const char *object = vec_get(&objects, i);
        if (module && !probes_glob_match(module, object))
            continue;
        const struct btf *btf = probe_kernel_btf(object);
        events.count = 0;
        if (btf)
            list_events(env->arena, btf, event, &events);
        for (size_t j = 0; j < events.count; j++)
            vec_push(out, make_instance(env, btf, object, vec_get(&events, j)));
    }
    vec_free(&objects);
    vec_free(&events);
    if (out->count > first || probes_has_wildcard(point->target))
        return 0; /* a wildcard that matches nothing is dropped (see expand.c) */
    struct diag_entry *entry = NULL;
    int err = probes_missing(env, point->loc, diag, &entry, "raw tracepoint '%s' does not exist",
                             point->target);
    if (entry)
        hint_closest(env, entry, event);
    return err;
}

static const char *section_rawtracepoint(const struct probe_instance *instance, struct arena *arena)
{
    return arena_printf(arena, "raw_tp/%s", instance->function);
}

static int attach_rawtracepoint(struct bpf_program *program, const struct probe_instance *instance,
                                struct probe_attachment *out, struct diag *diag)
{
    struct bpf_link *link = bpf_program__attach_raw_tracepoint(program, instance->function);
    return probes_keep_link(link, instance, out, diag);
}

static int list_rawtracepoints(const struct probe_env *env, const char *pattern, bool verbose,
                               FILE *out)
{
    struct vec objects = {0}, events = {0};
    int count = 0;
    probe_kernel_btf_objects(env->arena, &objects);
    for (size_t i = 0; i < objects.count; i++) {
        const char *object = vec_get(&objects, i);
        const struct btf *btf = probe_kernel_btf(object);
        events.count = 0;
        if (btf)
            list_events(env->arena, btf, NULL, &events);
        for (size_t j = 0; j < events.count; j++) {
            const char *event = vec_get(&events, j);
            const char *name = arena_printf(env->arena, "rawtracepoint:%s:%s", object, event);
            const char *short_name = arena_printf(env->arena, "rawtracepoint:%s", event);
            if (pattern && !probes_glob_match(pattern, name) &&
                !(strcmp(object, "vmlinux") == 0 && probes_glob_match(pattern, short_name)))
                continue;
            fprintf(out, "%s\n", name);
            count++;
            uint32_t proto = verbose ? event_prototype(btf, event) : 0;
            if (proto)
                probes_print_arguments(
                    out, probe_btf_arguments(env->arena, btf, proto, 1, object, event));
        }
    }
    vec_free(&objects);
    vec_free(&events);
    return count;
}

const struct probe_kind probe_kind_rawtracepoint = {
    .name = "rawtracepoint",
    .aliases = rawtracepoint_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_RAW_ARGS,
    .program_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
    .expand = expand_rawtracepoint,
    .section = section_rawtracepoint,
    .attach = attach_rawtracepoint,
    .list = list_rawtracepoints,
};
