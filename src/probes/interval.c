/* interval: a timer that fires on one CPU, e.g. interval:s:1, interval:hz:10,
 * interval:100ms or interval:1000000 (ns). It is a software cpu-clock perf event whose sample
 * period is the interval in nanoseconds. */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probes_internal.h"

static const char *const interval_aliases[] = {"i", NULL};

enum { NSEC_PER_SEC = 1000000000 };

struct time_unit {
    const char *name;
    uint64_t nanoseconds; /* 0: a frequency (hz) */
};

/* `unit:N` spellings (the classic form). */
static const struct time_unit prefix_units[] = {
    {"s", NSEC_PER_SEC}, {"ms", 1000000}, {"us", 1000}, {"ns", 1}, {"hz", 0},
};
/* `Nunit` spellings (duration literals, bpftrace 0.24+). */
static const struct time_unit suffix_units[] = {
    {"ns", 1},
    {"us", 1000},
    {"ms", 1000000},
    {"s", NSEC_PER_SEC},
    {"m", 60ull * NSEC_PER_SEC},
    {"h", 3600ull * NSEC_PER_SEC},
    {"d", 86400ull * NSEC_PER_SEC},
};

static const struct time_unit *find_unit(const struct time_unit *units, size_t count,
                                         const char *name, size_t length)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(units[i].name) == length && strncmp(units[i].name, name, length) == 0)
            return &units[i];
    return NULL;
}

/* A positive decimal count; `end` receives where the digits stop. */
static bool read_count(const char *text, uint64_t *count, const char **end)
{
    if (*text < '0' || *text > '9')
        return false;
    errno = 0;
    char *stop = NULL;
    unsigned long long value = strtoull(text, &stop, 10);
    if (errno == ERANGE || value == 0)
        return false;
    *count = value;
    *end = stop;
    return true;
}

static bool period_of(const struct time_unit *unit, uint64_t count, uint64_t *period_ns)
{
    if (unit->nanoseconds == 0) {
        if (count > NSEC_PER_SEC)
            return false; /* faster than one event per nanosecond */
        *period_ns = NSEC_PER_SEC / count;
        return true;
    }
    if (count > UINT64_MAX / unit->nanoseconds)
        return false;
    *period_ns = count * unit->nanoseconds;
    return true;
}

/* Returns a description of what is wrong, or NULL with *period_ns set. */
const char *probes_parse_period(const char *target, uint64_t *period_ns)
{
    const char *colon = strchr(target, ':');
    const char *end = NULL;
    uint64_t count = 0;
    if (colon) {
        const struct time_unit *unit =
            find_unit(prefix_units, sizeof(prefix_units) / sizeof(prefix_units[0]), target,
                      (size_t)(colon - target));
        if (!unit)
            return "unknown unit";
        if (!read_count(colon + 1, &count, &end) || *end)
            return "the count must be a positive whole number";
        return period_of(unit, count, period_ns) ? NULL : "the interval is out of range";
    }
    if (!read_count(target, &count, &end))
        return "expected a unit and a count";
    /* A bare count is in nanoseconds, as in bpftrace's interval:1000000000. */
    const struct time_unit *unit =
        *end ? find_unit(suffix_units, sizeof(suffix_units) / sizeof(suffix_units[0]), end,
                         strlen(end))
             : &suffix_units[0];
    if (!unit)
        return "unknown unit";
    return period_of(unit, count, period_ns) ? NULL : "the interval is out of range";
}

static int expand_interval(const struct ast_attach_point *point, const struct probe_env *env,
                           struct vec *out, struct diag *diag)
{
    uint64_t period_ns = 0;
    const char *problem = probes_parse_period(point->target ? point->target : "", &period_ns);
    if (problem) {
        struct diag_entry *entry =
            diag_error(diag, point->loc, "invalid interval '%s': %s", point->text, problem);
        diag_hint(entry, "write interval:<unit>:<count> with unit s, ms, us, ns or hz, or "
                         "interval:<count><unit>, e.g. interval:s:1, interval:hz:99, "
                         "interval:100ms (a bare count is in nanoseconds)");
        return -EINVAL;
    }
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = &probe_kind_interval;
    instance->name = arena_printf(env->arena, "interval:%s", point->target);
    instance->loc = point->loc;
    instance->syscall_number = -1;
    instance->period_ns = period_ns;
    instance->perf_type = PERF_TYPE_SOFTWARE;
    instance->perf_config = PERF_COUNT_SW_CPU_CLOCK;
    instance->sample_period = period_ns;
    /* Not tied to -p's process, as in bpftrace: `interval:s:5 { exit(); }`
     * must fire even while the process sleeps. per_process (below) keeps the
     * implicit pid filter off it too. */
    instance->pid = 0;
    vec_push(out, instance);
    return 0;
}

const struct probe_kind probe_kind_interval = {
    .name = "interval",
    .aliases = interval_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_PERF_EVENT,
    .program_type = BPF_PROG_TYPE_PERF_EVENT,
    .shared_program = false,
    .per_process = true, /* not filtered on -p's pid: see expand_interval */
    .expand = expand_interval,
    .section = probes_section_perf_event,
    .attach = probes_attach_perf_event,
    .list = NULL,
};
