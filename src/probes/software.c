/* software:event[:count] (alias s): the kernel's software perf events (page
 * faults, context switches, ...), sampled every `count` events on every
 * CPU (or, with -p, in the process). */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "probes/probes_internal.h"

static const char *const software_aliases[] = {"s", NULL};

/* bpftrace's names, aliases and default counts. */
static const struct probe_perf_event_name software_events[] = {
    {"alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
    {"bpf-output", NULL, PERF_COUNT_SW_BPF_OUTPUT, 1},
    {"context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
    {"cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000},
    {"cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS, 1},
    {"dummy", NULL, PERF_COUNT_SW_DUMMY, 1},
    {"emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS, 1},
    {"major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
    {"minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
    {"page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100},
    {"task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK, 1000000},
};
enum { SOFTWARE_EVENT_COUNT = sizeof(software_events) / sizeof(software_events[0]) };

static int expand_software(const struct ast_attach_point *point, const struct probe_env *env,
                           struct vec *out, struct diag *diag)
{
    const struct probe_perf_event_name *event = NULL;
    uint64_t period = 0;
    const char *problem = probes_parse_perf_event(
        point->target ? point->target : "", software_events, SOFTWARE_EVENT_COUNT, &event, &period);
    if (problem) {
        struct diag_entry *entry =
            diag_error(diag, point->loc, "invalid software event '%s': %s", point->text, problem);
        if (!event)
            probes_hint_perf_events(entry, software_events, SOFTWARE_EVENT_COUNT);
        return -EINVAL;
    }
    probes_add_perf_instance(env, &probe_kind_software, point, PERF_TYPE_SOFTWARE, event->config, period, out);
    return 0;
}

static int list_software(const struct probe_env *env, const char *pattern, bool verbose, FILE *out)
{
    return probes_list_perf_events(env, "software", software_events, SOFTWARE_EVENT_COUNT, pattern, out);
}

const struct probe_kind probe_kind_software = {
    .name = "software",
    .aliases = software_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_PERF_EVENT,
    .program_type = BPF_PROG_TYPE_PERF_EVENT,
    .per_process = true,
    .expand = expand_software,
    .section = probes_section_perf_event,
    .attach = probes_attach_perf_event,
    .list = list_software,
};
