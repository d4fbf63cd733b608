/* missing_probes: whether a probe that does not exist stops the script.
 * Scripts meant for many kernels or many builds of a program name probes
 * that some of them lack; bpftrace lets such scripts warn or stay quiet. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "probes/probe.h"

bool probes_parse_missing(const char *text, enum probe_missing *out)
{
    static const struct {
        const char *name;
        enum probe_missing policy;
    } names[] = {{"error", MISSING_ERROR}, {"warn", MISSING_WARN}, {"ignore", MISSING_IGNORE}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].policy;
            return true;
        }
    }
    return false;
}

int probes_missing(const struct probe_env *env, struct srcloc loc, struct diag *diag,
                   struct diag_entry **entry, const char *format, ...)
{
    struct diag_entry *made = NULL;
    if (env->missing_probes != MISSING_IGNORE) {
        /* The whole message, however long the probe's name. */
        va_list args;
        va_start(args, format);
        char *message = arena_vprintf(env->arena, format, args);
        va_end(args);
        if (env->missing_probes == MISSING_ERROR)
            made = diag_error(diag, loc, "%s", message);
        else
            made = diag_warning(diag, loc, "%s; skipping it", message);
    }
    if (entry)
        *entry = made;
    return env->missing_probes == MISSING_ERROR ? -ENOENT : 0;
}
