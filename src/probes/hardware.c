/* hardware:event[:count] (alias h): the CPU's performance counters (cycles,
 * cache misses, ...), sampled every `count` events on every CPU (or, with
 * -p, in the process). Virtual machines often have no counters: opening a
 * test event at expansion says so at the attach point. */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probes/probes_internal.h"

static const char *const hardware_aliases[] = {"h", NULL};

/* bpftrace's names, aliases and default counts. */
static const struct probe_perf_event_name hardware_events[] = {
    {"backend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000},
    {"branch-instructions", "branches", PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
    {"branch-misses", NULL, PERF_COUNT_HW_BRANCH_MISSES, 100000},
    {"bus-cycles", NULL, PERF_COUNT_HW_BUS_CYCLES, 100000},
    {"cache-misses", NULL, PERF_COUNT_HW_CACHE_MISSES, 1000000},
    {"cache-references", NULL, PERF_COUNT_HW_CACHE_REFERENCES, 1000000},
    {"cpu-cycles", "cycles", PERF_COUNT_HW_CPU_CYCLES, 1000000},
    {"frontend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000},
    {"instructions", NULL, PERF_COUNT_HW_INSTRUCTIONS, 1000000},
    {"ref-cycles", NULL, PERF_COUNT_HW_REF_CPU_CYCLES, 1000000},
};
enum { HARDWARE_EVENT_COUNT = sizeof(hardware_events) / sizeof(hardware_events[0]) };

/* Opens the counter for this process, disabled, and closes it again:
 * 0 when the CPU has it, else the errno. */
static int counter_error(uint64_t config)
{
    struct perf_event_attr attr = {
        .type = PERF_TYPE_HARDWARE,
        .size = sizeof(attr),
        .config = config,
        .disabled = 1,
        .exclude_kernel = 1,
    };
    int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

static int report_unsupported(const struct ast_attach_point *point, const char *event, int error,
                              struct diag *diag)
{
    struct diag_entry *entry;
    if (error == ENOENT || error == EOPNOTSUPP || error == ENODEV)
        entry = diag_error(diag, point->loc,
                           "hardware event '%s' is not available: this machine has no hardware "
                           "performance counter for it (perf_event_open: %s)",
                           event, strerror(error));
    else
        entry = diag_error(diag, point->loc, "hardware event '%s' cannot be opened: %s", event,
                           strerror(error));
    diag_hint(entry, "virtual machines often have no counters; to sample by time use "
                     "profile:hz:99 or software:cpu-clock");
    return -EOPNOTSUPP;
}

static int expand_hardware(const struct ast_attach_point *point, const struct probe_env *env,
                           struct vec *out, struct diag *diag)
{
    const struct probe_perf_event_name *event = NULL;
    uint64_t period = 0;
    const char *problem = probes_parse_perf_event(
        point->target ? point->target : "", hardware_events, HARDWARE_EVENT_COUNT, &event, &period);
    if (problem) {
        struct diag_entry *entry =
            diag_error(diag, point->loc, "invalid hardware event '%s': %s", point->text, problem);
        if (!event)
            probes_hint_perf_events(entry, hardware_events, HARDWARE_EVENT_COUNT);
        return -EINVAL;
    }
    int error = env->skip_kernel_checks ? 0 : counter_error(event->config);
    if (error)
        return report_unsupported(point, event->name, error, diag);
    probes_add_perf_instance(env, &probe_kind_hardware, point, PERF_TYPE_HARDWARE, event->config, period, out);
    return 0;
}

static int list_hardware(const struct probe_env *env, const char *pattern, bool verbose, FILE *out)
{
    return probes_list_perf_events(env, "hardware", hardware_events, HARDWARE_EVENT_COUNT, pattern, out);
}

const struct probe_kind probe_kind_hardware = {
    .name = "hardware",
    .aliases = hardware_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_PERF_EVENT,
    .program_type = BPF_PROG_TYPE_PERF_EVENT,
    .per_process = true,
    .expand = expand_hardware,
    .section = probes_section_perf_event,
    .attach = probes_attach_perf_event,
    .list = list_hardware,
};
