/* Probe kinds sonde knows by name but does not implement. They exist so
 * that a script using one gets a precise error at the attach point instead
 * of "unknown probe type". */
#include <errno.h>
#include <linux/bpf.h>

#include "probes/probe.h"

static const char list_hint[] = "list the probes sonde can attach with: sonde -l";

static int expand_unavailable(const struct ast_attach_point *point, const struct probe_env *env,
                              struct vec *out, struct diag *diag)
{
    const struct probe_kind *kind = probe_kind_find(point->provider);
    struct diag_entry *entry =
        diag_error(diag, point->loc, "'%s' probes are not supported by sonde yet",
                   kind ? kind->name : point->provider);
    diag_hint(entry, "%s", list_hint);
    return -EOPNOTSUPP;
}

#define UNAVAILABLE_KIND(identifier, kind_name, ...)                                               \
    static const char *const identifier##_aliases[] = {__VA_ARGS__, NULL};                         \
    const struct probe_kind probe_kind_##identifier = {                                            \
        .name = kind_name,                                                                         \
        .aliases = identifier##_aliases,                                                           \
        .phase = PHASE_TRACE,                                                                      \
        .context = CONTEXT_NONE,                                                                   \
        .program_type = BPF_PROG_TYPE_UNSPEC,                                                      \
        .expand = expand_unavailable,                                                              \
    }

UNAVAILABLE_KIND(usdt, "usdt", "U");
UNAVAILABLE_KIND(iter, "iter", "it");
UNAVAILABLE_KIND(watchpoint, "watchpoint", "w");
