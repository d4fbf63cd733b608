/* Attaching programs to perf events: the timers of interval and profile and
 * the software and hardware counters. An event counts on one CPU or for one
 * process, so "every CPU" means one event, and one link, per online CPU. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "base/strbuf.h"
#include "probes/probes_internal.h"

const char *probes_section_perf_event(const struct probe_instance *instance, struct arena *arena)
{
    return "perf_event";
}

void probe_attachment_destroy(struct probe_attachment *attachment)
{
    for (unsigned i = 0; i < attachment->more_count; i++)
        bpf_link__destroy(attachment->more_links[i]);
    free(attachment->more_links);
    attachment->more_links = NULL;
    attachment->more_count = 0;
    bpf_link__destroy(attachment->link);
    attachment->link = NULL;
    if (attachment->perf_fd >= 0)
        close(attachment->perf_fd);
    attachment->perf_fd = -1;
}

/* Online CPUs from "0-3,5,7-8"; CPU 0 alone when the file is unreadable. */
static int online_cpus(int *cpus, int capacity)
{
    FILE *file = fopen("/sys/devices/system/cpu/online", "r");
    char text[1024] = "0";
    if (file) {
        if (!fgets(text, sizeof(text), file))
            strcpy(text, "0");
        fclose(file);
    }
    int count = 0;
    for (char *range = strtok(text, ",\n"); range; range = strtok(NULL, ",\n")) {
        int low = 0, high = 0;
        int fields = sscanf(range, "%d-%d", &low, &high);
        if (fields < 2)
            high = low;
        for (int cpu = low; cpu <= high && count < capacity; cpu++)
            cpus[count++] = cpu;
    }
    return count;
}

static int open_event(const struct probe_instance *instance, int pid, int cpu)
{
    struct perf_event_attr attr = {
        .type = instance->perf_type,
        .size = sizeof(attr),
        .config = instance->perf_config,
        .sample_period = instance->sample_period,
        .disabled = 1, /* attaching the program enables it */
    };
    return (int)syscall(SYS_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static int report(const struct probe_instance *instance, const char *what, int err,
                  struct diag *diag)
{
    diag_error(diag, instance->loc, "cannot attach to %s: %s: %s", instance->name, what,
               strerror(-err));
    return err;
}

/* One event and its link; the link owns the event's fd once made. */
static int attach_one(struct bpf_program *program, const struct probe_instance *instance, int pid,
                      int cpu, struct bpf_link **link, struct diag *diag)
{
    int fd = open_event(instance, pid, cpu);
    if (fd < 0)
        return report(instance, "perf_event_open", -errno, diag);
    *link = bpf_program__attach_perf_event(program, fd);
    if (!*link) {
        int err = errno ? -errno : -EINVAL;
        close(fd);
        return report(instance, "attaching the program", err, diag);
    }
    return 0;
}

int probes_attach_perf_event(struct bpf_program *program, const struct probe_instance *instance,
                             struct probe_attachment *out, struct diag *diag)
{
    enum { MAX_CPUS = 4096 };
    out->perf_fd = -1;
    if (instance->pid > 0 || !instance->every_cpu) {
        int pid = instance->pid > 0 ? instance->pid : -1;
        return attach_one(program, instance, pid, pid > 0 ? -1 : 0, &out->link, diag);
    }
    int *cpus = malloc(sizeof(int) * MAX_CPUS);
    if (!cpus)
        return -ENOMEM;
    int count = online_cpus(cpus, MAX_CPUS);
    out->more_links = count > 1 ? calloc((size_t)count - 1, sizeof(*out->more_links)) : NULL;
    int err = count > 1 && !out->more_links ? -ENOMEM : 0;
    for (int i = 0; i < count && !err; i++) {
        struct bpf_link **link = i == 0 ? &out->link : &out->more_links[out->more_count];
        err = attach_one(program, instance, -1, cpus[i], link, diag);
        if (!err && i > 0)
            out->more_count++;
    }
    free(cpus);
    if (err)
        probe_attachment_destroy(out);
    return err;
}

const char *probes_parse_perf_event(const char *target, const struct probe_perf_event_name *events,
                                    size_t count, const struct probe_perf_event_name **event,
                                    uint64_t *period)
{
    size_t length = strcspn(target, ":");
    *event = NULL;
    for (size_t i = 0; i < count && !*event; i++) {
        const char *alias = events[i].alias;
        if ((strlen(events[i].name) == length && strncmp(events[i].name, target, length) == 0) ||
            (alias && strlen(alias) == length && strncmp(alias, target, length) == 0))
            *event = &events[i];
    }
    if (!*event)
        return "unknown event";
    const char *text = target[length] == ':' ? target + length + 1 : "";
    if (!*text) {
        *period = (*event)->default_count;
        return NULL;
    }
    /* Counts may be written like 1e6, as bpftrace allows. */
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (*end == 'e' && end[1] >= '0' && end[1] <= '9') {
        unsigned long long exponent = strtoull(end + 1, &end, 10);
        while (exponent-- > 0 && value <= UINT64_MAX / 10)
            value *= 10;
    }
    if (errno || *end || value == 0 || text[0] < '0' || text[0] > '9')
        return "the count must be a positive whole number";
    *period = value;
    return NULL;
}

void probes_hint_perf_events(struct diag_entry *entry, const struct probe_perf_event_name *events,
                             size_t count)
{
    struct strbuf names = {0};
    for (size_t i = 0; i < count; i++)
        strbuf_printf(&names, "%s%s", i ? ", " : "", events[i].name);
    diag_hint(entry, "events are: %s", strbuf_text(&names));
    strbuf_free(&names);
}

void probes_add_perf_instance(const struct probe_env *env, const struct probe_kind *kind,
                              const struct ast_attach_point *point, uint32_t perf_type,
                              uint64_t config, uint64_t period, struct vec *out)
{
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = kind;
    instance->name = arena_printf(env->arena, "%s:%s", kind->name, point->target);
    instance->syscall_number = -1;
    instance->perf_type = perf_type;
    instance->perf_config = config;
    instance->sample_period = period;
    instance->every_cpu = true;
    instance->pid = env->target_pid;
    vec_push(out, instance);
}

int probes_list_perf_events(const struct probe_env *env, const char *provider,
                            const struct probe_perf_event_name *events, size_t count,
                            const char *pattern, FILE *out)
{
    int listed = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = arena_printf(env->arena, "%s:%s:", provider, events[i].name);
        if (!pattern || probes_glob_match(pattern, name)) {
            fprintf(out, "%s\n", name);
            listed++;
        }
    }
    return listed;
}
