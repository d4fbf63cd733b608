/* syscalls:* tracepoints compiled onto the raw sys_enter/sys_exit
 * tracepoints: one program per hook serves every syscall block of the
 * script, dispatching on the number (codegen/syscall_hook.c). One attachment
 * replaces hundreds of per-syscall tracepoint attachments (each costs ~70 ms
 * to detach). They are classic raw tracepoints, not tp_btf: loading a tp_btf
 * program makes libbpf parse the whole kernel BTF (~40 ms, ~11 MB).
 *
 * These kinds are internal: the tracepoint kind produces their instances. */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "probes/probe.h"
#include "probes/syscall.h"

enum { SYSCALL_ARGUMENT_COUNT = 6 };

/* Offsets in the x86-64 `struct pt_regs` of di, si, dx, r10, r8 and r9:
 * system calls pass their fourth argument in r10, not cx (which `syscall`
 * clobbers). This part of the layout is the ptrace ABI (asm/ptrace.h) and
 * has not moved; unlike kprobes, syscall probes do not check it against the
 * kernel's BTF, so a script that needs no kernel types never parses it. */
static const int argument_offsets[SYSCALL_ARGUMENT_COUNT] = {112, 104, 96, 56, 72, 64};

int probe_syscall_register_offset(int argument_index)
{
    if (argument_index < 0 || argument_index >= SYSCALL_ARGUMENT_COUNT)
        return -1;
    return argument_offsets[argument_index];
}

unsigned probe_syscall_argument_index(const struct tracepoint_field *field)
{
    enum { FIRST_ARGUMENT_OFFSET = 16, SLOT_SIZE = 8 };
    if (field->offset < FIRST_ARGUMENT_OFFSET)
        return (unsigned)-1;
    return (field->offset - FIRST_ARGUMENT_OFFSET) / SLOT_SIZE;
}

static const char *hook_name(const struct probe_instance *instance)
{
    return instance->kind == &probe_kind_syscall ? "sys_enter" : "sys_exit";
}

static const char *section_enter(const struct probe_instance *instance, struct arena *arena)
{
    return "raw_tracepoint/sys_enter";
}

static const char *section_exit(const struct probe_instance *instance, struct arena *arena)
{
    return "raw_tracepoint/sys_exit";
}

/* Called once per shared program, with the program's first instance. */
static int attach_raw_syscall(struct bpf_program *program, const struct probe_instance *instance,
                              struct probe_attachment *out, struct diag *diag)
{
    out->perf_fd = -1;
    out->link = bpf_program__attach_raw_tracepoint(program, hook_name(instance));
    if (!out->link) {
        /* libbpf 1.x reports failures as NULL plus errno. */
        int err = errno ? -errno : -EINVAL;
        struct diag_entry *entry =
            diag_error(diag, instance->loc, "cannot attach to %s (via raw_tracepoint/%s): %s",
                       instance->name, hook_name(instance), strerror(-err));
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
    .program_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
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
    .program_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
    .shared_program = true,
    .expand = NULL,
    .section = section_exit,
    .attach = attach_raw_syscall,
    .list = NULL,
};
