/* tracepoint:<category>:<event>: the kernel's static tracepoints, as tracefs
 * lists them under events/. Wildcards may appear in both parts.
 *
 * syscalls:sys_enter_X / sys_exit_X become instances of the syscall kind
 * (one shared raw tracepoint program per hook) when env->syscalls_via_raw
 * asks for it. */
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "base/suggest.h"
#include "probes/probes_internal.h"
#include "types/syscall_table.h"

static const char *const tracepoint_aliases[] = {"t", NULL};

static bool path_exists(const char *path, bool want_directory)
{
    struct stat status;
    if (stat(path, &status) != 0)
        return false;
    return want_directory ? S_ISDIR(status.st_mode) : S_ISREG(status.st_mode);
}

/* Names under events/ (categories) or events/<category>/ (events with a
 * format file) that match `pattern` (NULL: all), sorted so that expansion
 * order does not depend on the directory's order. */
static void list_names(const struct probe_env *env, const char *category, const char *pattern,
                       struct vec *out)
{
    const char *directory = category
                                ? arena_printf(env->arena, "%s/events/%s", env->tracefs, category)
                                : arena_printf(env->arena, "%s/events", env->tracefs);
    DIR *dir = opendir(directory);
    if (!dir)
        return;
    size_t first = out->count;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.' || (pattern && !probes_glob_match(pattern, entry->d_name)))
            continue;
        const char *path = arena_printf(env->arena, "%s/%s", directory, entry->d_name);
        bool wanted = category ? path_exists(arena_printf(env->arena, "%s/format", path), false)
                               : path_exists(path, true);
        if (wanted)
            vec_push(out, arena_strdup(env->arena, entry->d_name));
    }
    closedir(dir);
    probes_sort_names(out, first);
}

/* "syscalls:sys_enter_read" → category and event; both parts required. */
static int split_target(const struct ast_attach_point *point, const struct probe_env *env,
                        const char **category, const char **event, struct diag *diag)
{
    const char *colon = strchr(point->target, ':');
    if (!colon || colon == point->target || !colon[1] || strchr(colon + 1, ':')) {
        struct diag_entry *entry = diag_error(
            diag, point->loc,
            "'%s' must name a category and an event: tracepoint:<category>:<event>", point->text);
        diag_hint(entry, "e.g. tracepoint:syscalls:sys_enter_openat or tracepoint:sched:*");
        return -EINVAL;
    }
    *category = arena_strndup(env->arena, point->target, (size_t)(colon - point->target));
    *event = colon + 1;
    return 0;
}

static int report_missing(const struct ast_attach_point *point, const struct probe_env *env,
                          const char *category, const char *event, struct diag *diag)
{
    struct diag_entry *entry = NULL;
    int err = probes_missing(env, point->loc, diag, &entry, "tracepoint '%s:%s' does not exist",
                             category, event);
    if (!entry)
        return err;
    /* Suggest within the category when it exists, else the closest category. */
    struct vec names = {0};
    bool category_exists =
        path_exists(arena_printf(env->arena, "%s/events/%s", env->tracefs, category), true);
    list_names(env, category_exists ? category : NULL, NULL, &names);
    const char *wanted = category_exists ? event : category;
    const char *closest = suggest_closest(wanted, (const char *const *)names.items, names.count);
    if (closest && category_exists)
        diag_hint(entry, "did you mean 'tracepoint:%s:%s'?", category, closest);
    else if (closest)
        diag_hint(entry, "did you mean 'tracepoint:%s:%s'?", closest, event);
    else
        diag_hint(entry, "list the tracepoints with: sonde -l 'tracepoint:%s:*'",
                  category_exists ? category : "*");
    vec_free(&names);
    return err;
}

/* The kind an event compiles to, and for syscalls its number. */
static const struct probe_kind *choose_kind(const struct probe_env *env, const char *category,
                                            const char *event, int *syscall_number)
{
    *syscall_number = -1;
    if (!env->syscalls_via_raw || strcmp(category, "syscalls") != 0)
        return &probe_kind_tracepoint;
    bool enter = strncmp(event, "sys_enter_", 10) == 0;
    bool exit = strncmp(event, "sys_exit_", 9) == 0;
    int number = enter || exit ? syscall_table_number(event) : -1;
    if (number < 0)
        return &probe_kind_tracepoint; /* unknown to the table: attach it on its own */
    *syscall_number = number;
    return enter ? &probe_kind_syscall : &probe_kind_syscall_exit;
}

/* Arguments of a sys_enter event: the fields after __syscall_nr. */
static int count_syscall_arguments(const struct tracepoint_format *format, const char *event)
{
    if (strncmp(event, "sys_enter_", 10) != 0)
        return 0;
    for (unsigned i = 0; i < format->field_count; i++)
        if (strcmp(format->fields[i].name, "__syscall_nr") == 0)
            return (int)(format->field_count - i - 1);
    return 0;
}

static struct probe_instance *make_instance(const struct ast_attach_point *point,
                                            const struct probe_env *env, const char *category,
                                            const char *event, struct diag *diag)
{
    const char *error = NULL;
    errno = 0;
    const struct tracepoint_format *format =
        tracepoint_format_read(env->arena, env->tracefs, category, event, env->typed_args, &error);
    if (!format) {
        diag_error(diag, point->loc, "cannot read the format of tracepoint %s:%s: %s", category,
                   event, error ? error : strerror(errno ? errno : ENOENT));
        return NULL;
    }
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = choose_kind(env, category, event, &instance->syscall_number);
    instance->name = arena_printf(env->arena, "tracepoint:%s:%s", category, event);
    instance->loc = point->loc;
    instance->category = format->category;
    instance->event = format->event;
    instance->format = format;
    if (strcmp(category, "syscalls") == 0)
        instance->nargs = count_syscall_arguments(format, event);
    return instance;
}

static int expand_exact(const struct ast_attach_point *point, const struct probe_env *env,
                        const char *category, const char *event, struct vec *out, struct diag *diag)
{
    const char *format_path =
        arena_printf(env->arena, "%s/events/%s/%s/format", env->tracefs, category, event);
    if (!path_exists(format_path, false))
        return report_missing(point, env, category, event, diag);
    struct probe_instance *instance = make_instance(point, env, category, event, diag);
    if (!instance)
        return -EINVAL;
    vec_push(out, instance);
    return 0;
}

static int expand_wildcards(const struct ast_attach_point *point, const struct probe_env *env,
                            const char *category_pattern, const char *event_pattern,
                            struct vec *out, struct diag *diag)
{
    struct vec categories = {0}, events = {0};
    int err = 0;
    list_names(env, NULL, category_pattern, &categories);
    for (size_t i = 0; i < categories.count && !err; i++) {
        const char *category = vec_get(&categories, i);
        events.count = 0;
        list_names(env, category, event_pattern, &events);
        for (size_t j = 0; j < events.count && !err; j++) {
            struct probe_instance *instance =
                make_instance(point, env, category, vec_get(&events, j), diag);
            if (instance)
                vec_push(out, instance);
            else
                err = -EINVAL;
        }
    }
    vec_free(&categories);
    vec_free(&events);
    /* A wildcard that matches nothing is dropped (see expand.c). */
    return err;
}

static int expand_tracepoint(const struct ast_attach_point *point, const struct probe_env *env,
                             struct vec *out, struct diag *diag)
{
    const char *category, *event;
    int err = split_target(point, env, &category, &event, diag);
    if (err)
        return err;
    if (!probes_has_wildcard(category) && !probes_has_wildcard(event))
        return expand_exact(point, env, category, event, out, diag);
    return expand_wildcards(point, env, category, event, out, diag);
}

static const char *section_tracepoint(const struct probe_instance *instance, struct arena *arena)
{
    return arena_printf(arena, "tracepoint/%s/%s", instance->category, instance->event);
}

static int attach_tracepoint(struct bpf_program *program, const struct probe_instance *instance,
                             struct probe_attachment *out, struct diag *diag)
{
    out->perf_fd = -1;
    out->link = bpf_program__attach_tracepoint(program, instance->category, instance->event);
    if (!out->link) {
        /* libbpf 1.x reports failures as NULL plus errno. */
        int err = errno ? -errno : -EINVAL;
        diag_error(diag, instance->loc, "cannot attach to %s: %s", instance->name, strerror(-err));
        return err;
    }
    return 0;
}

static void list_arguments(const struct probe_env *env, const char *category, const char *event,
                           FILE *out)
{
    const char *error = NULL;
    const struct tracepoint_format *format =
        tracepoint_format_read(env->arena, env->tracefs, category, event, true, &error);
    if (format)
        probes_print_arguments(out, format);
}

static int list_tracepoints(const struct probe_env *env, const char *pattern, bool verbose,
                            FILE *out)
{
    struct vec categories = {0}, events = {0};
    int count = 0;
    list_names(env, NULL, NULL, &categories);
    for (size_t i = 0; i < categories.count; i++) {
        const char *category = vec_get(&categories, i);
        events.count = 0;
        list_names(env, category, NULL, &events);
        for (size_t j = 0; j < events.count; j++) {
            const char *event = vec_get(&events, j);
            const char *name = arena_printf(env->arena, "tracepoint:%s:%s", category, event);
            if (pattern && !probes_glob_match(pattern, name))
                continue;
            fprintf(out, "%s\n", name);
            count++;
            if (verbose)
                list_arguments(env, category, event, out);
        }
    }
    vec_free(&categories);
    vec_free(&events);
    return count;
}

const struct probe_kind probe_kind_tracepoint = {
    .name = "tracepoint",
    .aliases = tracepoint_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_TRACEPOINT_RECORD,
    .program_type = BPF_PROG_TYPE_TRACEPOINT,
    .shared_program = false,
    .expand = expand_tracepoint,
    .section = section_tracepoint,
    .attach = attach_tracepoint,
    .list = list_tracepoints,
};
