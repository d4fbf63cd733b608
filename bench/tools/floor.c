/* floor: the cheapest BPF program there is (r0 = 0; exit), attached to one
 * hook, to measure what the hook itself costs per event. Every tracer pays
 * at least this on that hook; what a tool adds on top is its own.
 *
 *   floor tp_btf:sys_enter          BTF raw tracepoint, every syscall (sonde's hook)
 *   floor raw_tp:sys_enter          classic raw tracepoint, every syscall
 *   floor tracepoint:syscalls/sys_enter_read
 *                                   perf-event tracepoint, one syscall (bpftrace's hook)
 *
 * Prints "Attached" on stderr once attached and holds until SIGINT/SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static const struct bpf_insn return_zero[] = {
    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
    {.code = BPF_JMP | BPF_EXIT},
};

static int load(enum bpf_prog_type type, struct bpf_prog_load_opts *options)
{
    int fd = bpf_prog_load(type, "floor", "GPL", return_zero, 2, options);
    if (fd < 0)
        fprintf(stderr, "floor: cannot load the program: %s\n", strerror(-fd));
    return fd;
}

static int attach_tp_btf(const char *name)
{
    int btf_id = libbpf_find_vmlinux_btf_id(name, BPF_TRACE_RAW_TP);
    if (btf_id < 0) {
        fprintf(stderr, "floor: no BTF for raw tracepoint %s\n", name);
        return -1;
    }
    LIBBPF_OPTS(bpf_prog_load_opts, options, .expected_attach_type = BPF_TRACE_RAW_TP,
                .attach_btf_id = (unsigned)btf_id);
    int program = load(BPF_PROG_TYPE_TRACING, &options);
    return program < 0 ? -1 : bpf_raw_tracepoint_open(NULL, program);
}

static int attach_raw_tp(const char *name)
{
    int program = load(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL);
    return program < 0 ? -1 : bpf_raw_tracepoint_open(name, program);
}

static long tracepoint_id(const char *category_and_name)
{
    char path[512];
    snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/id", category_and_name);
    FILE *file = fopen(path, "r");
    long id = -1;
    if (!file || fscanf(file, "%ld", &id) != 1)
        fprintf(stderr, "floor: cannot read %s\n", path);
    if (file)
        fclose(file);
    return id;
}

static int attach_tracepoint(const char *category_and_name)
{
    long id = tracepoint_id(category_and_name);
    int program = id < 0 ? -1 : load(BPF_PROG_TYPE_TRACEPOINT, NULL);
    if (program < 0)
        return -1;
    struct perf_event_attr attr = {.type = PERF_TYPE_TRACEPOINT,
                                   .size = sizeof(attr),
                                   .config = (unsigned long long)id,
                                   .sample_period = 1,
                                   .wakeup_events = 1};
    int event = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    if (event < 0 || ioctl(event, PERF_EVENT_IOC_SET_BPF, program) ||
        ioctl(event, PERF_EVENT_IOC_ENABLE, 0)) {
        fprintf(stderr, "floor: cannot attach to %s: %s\n", category_and_name, strerror(errno));
        return -1;
    }
    return event;
}

static void ignore(int signal_number)
{
    (void)signal_number;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: floor tp_btf:NAME | raw_tp:NAME | tracepoint:CATEGORY/NAME\n", stderr);
        return 2;
    }
    const char *hook = argv[1];
    const char *colon = strchr(hook, ':');
    if (!colon)
        return 2;
    const char *name = colon + 1;
    int fd = strncmp(hook, "tp_btf:", 7) == 0        ? attach_tp_btf(name)
             : strncmp(hook, "raw_tp:", 7) == 0      ? attach_raw_tp(name)
             : strncmp(hook, "tracepoint:", 11) == 0 ? attach_tracepoint(name)
                                                     : -1;
    if (fd < 0) {
        fprintf(stderr, "floor: could not attach to %s\n", hook);
        return 1;
    }
    signal(SIGINT, ignore);
    signal(SIGTERM, ignore);
    fputs("Attached 1 probe\n", stderr);
    pause();
    return 0;
}
