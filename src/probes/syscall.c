/* syscalls:* tracepoints compiled onto the raw sys_enter/sys_exit
 * tracepoints: one tp_btf program per script block serves every syscall the
 * block names, dispatching on the number. One attachment replaces hundreds
 * of per-syscall tracepoint attachments (each costs ~70 ms to detach).
 *
 * These kinds are internal: the tracepoint kind produces their instances. */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "probes/probe.h"
#include "probes/registers.h"
#include "probes/syscall.h"

enum { SYSCALL_ARGUMENT_COUNT = 6 };

/* System calls pass their fourth argument in r10, not cx (which `syscall` clobbers). */
static const char *const argument_registers[SYSCALL_ARGUMENT_COUNT] = {"di",  "si", "dx",
                                                                       "r10", "r8", "r9"};

int probe_syscall_register_offset(int argument_index)
{
    if (argument_index < 0 || argument_index >= SYSCALL_ARGUMENT_COUNT)
        return -1;
    return probe_register_offset(argument_registers[argument_index]);
}

unsigned probe_syscall_argument_index(const struct tracepoint_field *field)
{
    enum { FIRST_ARGUMENT_OFFSET = 16, SLOT_SIZE = 8 };
    if (field->offset < FIRST_ARGUMENT_OFFSET)
        return (unsigned)-1;
    return (field->offset - FIRST_ARGUMENT_OFFSET) / SLOT_SIZE;
}

static const char *section_enter(const struct probe_instance *instance, struct arena *arena)
{
    return "tp_btf/sys_enter";
}

static const char *section_exit(const struct probe_instance *instance, struct arena *arena)
{
    return "tp_btf/sys_exit";
}

/* Called once per shared program, with the program's first instance. */
static int attach_raw_syscall(struct bpf_program *program, const struct probe_instance *instance,
                              struct probe_attachment *out, struct diag *diag)
{
    out->perf_fd = -1;
    out->link = bpf_program__attach_trace(program);
    if (!out->link) {
        /* libbpf 1.x reports failures as NULL plus errno. */
        int err = errno ? -errno : -EINVAL;
        struct diag_entry *entry = diag_error(
            diag, instance->loc, "cannot attach to %s (via tp_btf/%s): %s", instance->name,
            instance->kind == &probe_kind_syscall ? "sys_enter" : "sys_exit", strerror(-err));
        diag_hint(entry, "set SONDE_SYSCALLS_VIA_RAW=0 to attach each syscall tracepoint "
                         "on its own");
        return err;
    }
    return 0;
}

const struct probe_kind probe_kind_syscall = {
    .name = "tracepoint",
    .aliases = NULL,
    .phase = PHASE_TRACE,
    .context = CONTEXT_SYSCALL_ENTER,
    .program_type = BPF_PROG_TYPE_TRACING,
    .shared_program = true,
    .expand = NULL, /* instances come from the tracepoint kind */
    .section = section_enter,
    .attach = attach_raw_syscall,
    .list = NULL, /* listed as tracepoints */
};

const struct probe_kind probe_kind_syscall_exit = {
    .name = "tracepoint",
    .aliases = NULL,
    .phase = PHASE_TRACE,
    .context = CONTEXT_SYSCALL_EXIT,
    .program_type = BPF_PROG_TYPE_TRACING,
    .shared_program = true,
    .expand = NULL,
    .section = section_exit,
    .attach = attach_raw_syscall,
    .list = NULL,
};
