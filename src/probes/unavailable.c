/* Probe kinds sonde knows by name but cannot attach yet, either because this
 * milestone does not implement them or because the kernel lacks them. They
 * exist so that a script using one gets a precise error at the attach point
 * instead of "unknown probe type". Each is replaced by a real kind file in a
 * later milestone. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "probes/probe.h"

static const char tracepoint_hint[] =
    "use a tracepoint on the same path, e.g. tracepoint:syscalls:sys_enter_read";
static const char list_hint[] = "list the probes sonde can attach with: sonde -l";

/* Kernel support for kprobes shows as tracefs' kprobe_events file; the
 * kernel config is the fallback witness when tracefs hides it. */
static bool kernel_has_kprobes(const struct probe_env *env)
{
    struct stat status;
    char path[512];
    snprintf(path, sizeof(path), "%s/kprobe_events", env->tracefs ? env->tracefs : "");
    if (env->tracefs && stat(path, &status) == 0)
        return true;
    struct utsname name;
    if (uname(&name) != 0)
        return false;
    snprintf(path, sizeof(path), "/boot/config-%s", name.release);
    FILE *config = fopen(path, "r");
    if (!config)
        return false;
    char line[256];
    bool found = false;
    while (!found && fgets(line, sizeof(line), config))
        found = strcmp(line, "CONFIG_KPROBES=y\n") == 0;
    fclose(config);
    return found;
}

static int expand_unavailable(const struct ast_attach_point *point, const struct probe_env *env,
                              struct vec *out, struct diag *diag);

#define UNAVAILABLE_KIND(identifier, kind_name, ...)                                               \
    static const char *const identifier##_aliases[] = {__VA_ARGS__, NULL};                         \
    const struct probe_kind probe_kind_##identifier = {                                            \
        .name = kind_name,                                                                         \
        .aliases = identifier##_aliases,                                                           \
        .phase = PHASE_TRACE,                                                                      \
        .context = CONTEXT_NONE,                                                                   \
        .program_type = BPF_PROG_TYPE_UNSPEC,                                                      \
        .shared_program = false,                                                                   \
        .expand = expand_unavailable,                                                              \
        .section = NULL,                                                                           \
        .attach = NULL,                                                                            \
        .list = NULL,                                                                              \
    }

UNAVAILABLE_KIND(kprobe, "kprobe", "k");
UNAVAILABLE_KIND(kretprobe, "kretprobe", "kr");
UNAVAILABLE_KIND(fentry, "fentry", "f", "kfunc");
UNAVAILABLE_KIND(fexit, "fexit", "fr", "kretfunc");
UNAVAILABLE_KIND(uprobe, "uprobe", "u");
UNAVAILABLE_KIND(uretprobe, "uretprobe", "ur");
UNAVAILABLE_KIND(usdt, "usdt", "U");
UNAVAILABLE_KIND(profile, "profile", "p");
UNAVAILABLE_KIND(software, "software", "s");
UNAVAILABLE_KIND(hardware, "hardware", "h");
UNAVAILABLE_KIND(rawtracepoint, "rawtracepoint", "rt");
UNAVAILABLE_KIND(iter, "iter", "it");
UNAVAILABLE_KIND(watchpoint, "watchpoint", "w");

struct unavailable_kind {
    const struct probe_kind *kind;
    const char *hint;
};

static const struct unavailable_kind unavailable_kinds[] = {
    {&probe_kind_kprobe, tracepoint_hint},
    {&probe_kind_kretprobe, "use tracepoint:syscalls:sys_exit_* for return values of syscalls"},
    {&probe_kind_fentry, tracepoint_hint},
    {&probe_kind_fexit, "use tracepoint:syscalls:sys_exit_* for return values of syscalls"},
    {&probe_kind_uprobe, list_hint},
    {&probe_kind_uretprobe, list_hint},
    {&probe_kind_usdt, list_hint},
    {&probe_kind_profile, "interval:hz:<rate> samples on one CPU, e.g. interval:hz:99"},
    {&probe_kind_software, "for a timer use interval, e.g. interval:ms:10"},
    {&probe_kind_hardware, "for a timer use interval, e.g. interval:ms:10"},
    {&probe_kind_rawtracepoint, "use tracepoint:<category>:<event> for the same event"},
    {&probe_kind_iter, list_hint},
    {&probe_kind_watchpoint, list_hint},
};

static const char *hint_for(const struct probe_kind *kind)
{
    for (size_t i = 0; i < sizeof(unavailable_kinds) / sizeof(unavailable_kinds[0]); i++)
        if (unavailable_kinds[i].kind == kind)
            return unavailable_kinds[i].hint;
    return list_hint;
}

static int expand_unavailable(const struct ast_attach_point *point, const struct probe_env *env,
                              struct vec *out, struct diag *diag)
{
    const struct probe_kind *kind = probe_kind_find(point->provider);
    const char *name = kind ? kind->name : point->provider;
    bool is_kprobe = kind == &probe_kind_kprobe || kind == &probe_kind_kretprobe;
    struct diag_entry *entry;
    if (is_kprobe && !kernel_has_kprobes(env))
        entry = diag_error(diag, point->loc,
                           "kprobes are not available on this kernel (CONFIG_KPROBES is not set)");
    else
        entry = diag_error(diag, point->loc, "'%s' probes are not supported by sonde yet", name);
    diag_hint(entry, "%s", is_kprobe ? tracepoint_hint : hint_for(kind));
    return -EOPNOTSUPP;
}
