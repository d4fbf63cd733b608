/* What the probe kinds share among themselves; not for other stages. */
#ifndef SONDE_PROBES_PROBES_INTERNAL_H
#define SONDE_PROBES_PROBES_INTERNAL_H

#include "probes/probe.h"

/* -lv: each field as "    <type> <name>" (arrays as C declares them). */
void probes_print_arguments(FILE *out, const struct tracepoint_format *format);

/* Sort the names (char *) from index `first` on, for an order that does
 * not depend on a directory's or a symbol table's. */
void probes_sort_names(struct vec *names, size_t first);

/* "module:name" → module and name; a bare "name" gives module NULL. NULL
 * with nothing set when there are more parts than that. */
bool probes_split_module(struct arena *arena, const char *target, const char **module,
                         const char **name);

/* A probe on a kernel that lacks what it needs: an error at the attach
 * point naming the cause, with a hint at a kind that works here for the
 * same function. */
struct diag_entry *probes_kernel_lacks(const struct probe_env *env, struct srcloc loc,
                                       struct diag *diag, const char *function, bool is_return,
                                       const char *format, ...)
    __attribute__((format(printf, 6, 7)));

/* The hint of probes_kernel_lacks, for errors made elsewhere. */
void probes_hint_alternative(const struct probe_env *env, struct diag_entry *entry,
                             const char *function, bool is_return);

/* Whether this kernel can attach kprobes: tracefs' kprobe_events or the
 * kprobe PMU (/sys/bus/event_source/devices/kprobe/type) exists. */
bool probes_kernel_has_kprobes(const struct probe_env *env);

/* A kernel function kprobes and fentry may trace. */
struct probe_kernel_function {
    const char *name;
    const char *module; /* "vmlinux" for the kernel image */
};

/* The kernel's traceable functions, sorted by name, as
 * available_filter_functions lists them, else /proc/kallsyms' text symbols.
 * Returns false when neither is readable. */
bool probes_kernel_functions(const struct probe_env *env, struct vec *out);

/* Whether this kernel loads fentry programs: a minimal one for `btf_id`
 * (a FUNC in vmlinux's BTF) is loaded once per process and the answer kept.
 * *error gets the errno of a refusal. */
bool probes_kernel_has_fentry(uint32_t btf_id, int *error);

/* attach.c: keep `link`, what a libbpf attach call returned for
 * `instance`, in *out; NULL (the call failed, errno says why) is an error
 * at the attach point. Returns 0 or -errno. */
int probes_keep_link(struct bpf_link *link, const struct probe_instance *instance,
                     struct probe_attachment *out, struct diag *diag);

/* perf_event.c: open the instance's perf event (perf_type, perf_config,
 * sample_period) for its process, or on every online CPU (every_cpu), or on
 * CPU 0, and attach the program to each. */
int probes_attach_perf_event(struct bpf_program *program, const struct probe_instance *instance,
                             struct probe_attachment *out, struct diag *diag);
const char *probes_section_perf_event(const struct probe_instance *instance, struct arena *arena);

/* interval.c: "s:1", "hz:99", "100ms", "1000" (ns) → nanoseconds; NULL or
 * what is wrong. */
const char *probes_parse_period(const char *text, uint64_t *period_ns);

/* perf_event.c, for software and hardware: "event[:count]" → the event
 * named in `events` (by name or alias) and the sample period (the count,
 * or the event's default). NULL or what is wrong. */
struct probe_perf_event_name {
    const char *name;
    const char *alias; /* may be NULL */
    uint64_t config;
    uint64_t default_count;
};
const char *probes_parse_perf_event(const char *target, const struct probe_perf_event_name *events,
                                    size_t count, const struct probe_perf_event_name **event,
                                    uint64_t *period);
/* "events are: ..." under an error about an unknown event. */
void probes_hint_perf_events(struct diag_entry *entry, const struct probe_perf_event_name *events,
                             size_t count);
/* A software/hardware instance ("<kind>:<target>") counting `event` on
 * every CPU, appended to `out`. */
void probes_add_perf_instance(const struct probe_env *env, const struct probe_kind *kind,
                              const struct ast_attach_point *point, uint32_t perf_type,
                              uint64_t config, uint64_t period, struct vec *out);
/* -l for a perf-event kind: "<provider>:<name>:" for each event matching. */
int probes_list_perf_events(const struct probe_env *env, const char *provider,
                            const struct probe_perf_event_name *events, size_t count,
                            const char *pattern, FILE *out);

#endif
