/* --info's probe types: asked of the kernel, the way attaching would find
 * out, so that "yes" means a script using the kind gets past loading. */
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "probes/list_kinds.h"
#include "probes/probes_internal.h"

/* 1 when the kernel loads programs of `type`, 0 when it refuses them, -1
 * when libbpf cannot tell (it has no test program for some types). */
static int loads_program_type(unsigned type)
{
    int result = libbpf_probe_bpf_prog_type((enum bpf_prog_type)type, NULL);
    return result < 0 ? -1 : result > 0;
}

/* A hardware counter to count with: virtual machines often have none. */
static bool has_hardware_counters(const struct probe_env *env)
{
    struct perf_event_attr attr = {
        .type = PERF_TYPE_HARDWARE,
        .size = sizeof(attr),
        .config = PERF_COUNT_HW_CPU_CYCLES,
        .disabled = 1,
        .exclude_kernel = 1,
    };
    int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* What attaching needs beyond the program type, for the kinds whose
 * `available` hook is not set because expansion reports the lack itself,
 * at the attach point. */
static bool kernel_has_what_kind_needs(const struct probe_env *env, const struct probe_kind *kind)
{
    if (kind->available)
        return kind->available(env);
    if (kind == &probe_kind_kprobe || kind == &probe_kind_kretprobe)
        return probes_kernel_has_kprobes(env);
    if (kind == &probe_kind_hardware)
        return has_hardware_counters(env);
    return true;
}

int probes_report_kinds(const struct probe_env *env, FILE *out)
{
    int available = 0;
    for (size_t i = 0; probe_kinds[i]; i++) {
        const struct probe_kind *kind = probe_kinds[i];
        if (kind->phase != PHASE_TRACE)
            continue; /* BEGIN and END run in sonde itself */
        if (!kind->attach) {
            fprintf(out, "  %s: no (not implemented in sonde)\n", kind->name);
            continue;
        }
        bool yes =
            loads_program_type(kind->program_type) != 0 && kernel_has_what_kind_needs(env, kind);
        fprintf(out, "  %s: %s\n", kind->name, yes ? "yes" : "no");
        available += yes;
    }
    return available;
}
