/* profile:hz:N, profile:s|ms|us:N, profile:N (ns): a timer on every CPU,
 * for sampling what each CPU runs. Like interval it is the cpu-clock
 * software event, but with one event per CPU (or, with -p, one for the
 * process). The program's context holds the sampled registers. */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "probes/probes_internal.h"

static const char *const profile_aliases[] = {"p", NULL};

static int expand_profile(const struct ast_attach_point *point, const struct probe_env *env,
                          struct vec *out, struct diag *diag)
{
    uint64_t period_ns = 0;
    const char *problem = probes_parse_period(point->target ? point->target : "", &period_ns);
    if (problem) {
        struct diag_entry *entry =
            diag_error(diag, point->loc, "invalid profile rate '%s': %s", point->text, problem);
        diag_hint(entry, "write profile:hz:<rate> or profile:<unit>:<count> with unit s, ms or "
                         "us, e.g. profile:hz:99 or profile:ms:10");
        return -EINVAL;
    }
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = &probe_kind_profile;
    instance->name = arena_printf(env->arena, "profile:%s", point->target);
    instance->syscall_number = -1;
    instance->period_ns = period_ns;
    instance->perf_type = PERF_TYPE_SOFTWARE;
    instance->perf_config = PERF_COUNT_SW_CPU_CLOCK;
    instance->sample_period = period_ns;
    instance->every_cpu = true;
    instance->pid = env->target_pid;
    vec_push(out, instance);
    return 0;
}

const struct probe_kind probe_kind_profile = {
    .name = "profile",
    .aliases = profile_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_PERF_EVENT,
    .program_type = BPF_PROG_TYPE_PERF_EVENT,
    .per_process = true,
    .expand = expand_profile,
    .section = probes_section_perf_event,
    .attach = probes_attach_perf_event,
};
