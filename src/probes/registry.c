/* The probe kinds a script can name, and lookup by provider. */
#include <string.h>
#include <strings.h>

#include "probes/probe.h"

/* Kinds sonde knows by name but does not implement (unavailable.c). */
extern const struct probe_kind probe_kind_usdt, probe_kind_iter, probe_kind_watchpoint;

/* The order of -l's output, and of the names in "unknown probe type" hints. */
const struct probe_kind *const probe_kinds[] = {
    &probe_kind_begin,         &probe_kind_end,        &probe_kind_tracepoint,
    &probe_kind_rawtracepoint, &probe_kind_kprobe,     &probe_kind_kretprobe,
    &probe_kind_fentry,        &probe_kind_fexit,      &probe_kind_uprobe,
    &probe_kind_uretprobe,     &probe_kind_usdt,       &probe_kind_profile,
    &probe_kind_interval,      &probe_kind_software,   &probe_kind_hardware,
    &probe_kind_iter,          &probe_kind_watchpoint, NULL,
};

static bool names_kind(const struct probe_kind *kind, const char *provider,
                       int (*compare)(const char *, const char *))
{
    if (compare(kind->name, provider) == 0)
        return true;
    for (const char *const *alias = kind->aliases; alias && *alias; alias++)
        if (compare(*alias, provider) == 0)
            return true;
    return false;
}

/* Exact spelling first: `U` (usdt) and `u` (uprobe) differ only in case.
 * Then any case, so that `BEGIN`/`begin` and `KPROBE`/`kprobe` agree. */
const struct probe_kind *probe_kind_find(const char *provider)
{
    if (!provider)
        return NULL;
    for (size_t i = 0; probe_kinds[i]; i++)
        if (names_kind(probe_kinds[i], provider, strcmp))
            return probe_kinds[i];
    for (size_t i = 0; probe_kinds[i]; i++)
        if (names_kind(probe_kinds[i], provider, strcasecmp))
            return probe_kinds[i];
    return NULL;
}
