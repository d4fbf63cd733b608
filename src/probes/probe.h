/* probes: one file per probe kind, each filling in a `struct probe_kind`.
 *
 * The rest of sonde never switches on the kind: expansion turns an attach
 * point as written into concrete `probe_instance`s, codegen asks how `args`
 * and the other context builtins are reached (`context`), and the runtime
 * asks the kind to attach a loaded program. */
#ifndef SONDE_PROBES_PROBE_H
#define SONDE_PROBES_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ast/ast.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/vec.h"
#include "types/tracepoint_format.h"

struct bpf_program;
struct bpf_link;

/* How a program reaches its context; codegen implements each way once. */
enum probe_context {
    CONTEXT_NONE,              /* BEGIN/END: no args */
    CONTEXT_TRACEPOINT_RECORD, /* ctx points at the tracepoint record: field at ctx + offset */
    CONTEXT_SYSCALL_ENTER,     /* raw_tp sys_enter: ctx[0] = struct pt_regs *, ctx[1] = nr */
    CONTEXT_SYSCALL_EXIT,      /* raw_tp sys_exit: ctx[0] = struct pt_regs *, ctx[1] = ret */
    CONTEXT_PERF_EVENT,        /* interval/profile/software/hardware: struct bpf_perf_event_data *
                                  (the sampled registers first, for stacks) */
    CONTEXT_PT_REGS,           /* kprobe/uprobe and their returns: struct pt_regs *; argN in
                                  di, si, dx, cx, r8, r9 then the stack, retval in ax */
    CONTEXT_RAW_ARGS,          /* rawtracepoint: u64 args[]; argN and args.<name> are slots */
    CONTEXT_TRACING_ARGS,      /* fentry/fexit: u64 args[]; fexit's retval is the slot after them */
};

/* What to do with a probe that does not exist or cannot be attached:
 * bpftrace's missing_probes (BPFTRACE_MISSING_PROBES=error|warn|ignore). */
enum probe_missing {
    MISSING_ERROR,  /* the default: stop with an error */
    MISSING_WARN,   /* warn and go on without it */
    MISSING_IGNORE, /* go on without it, silently */
};

/* When a probe runs relative to the others. */
enum probe_phase {
    PHASE_TRACE, /* attached while tracing */
    PHASE_BEGIN, /* run once before anything is attached */
    PHASE_END,   /* run once when tracing stops, before maps are printed */
};

/* Environment for expansion: where tracefs is and the relevant settings. */
struct probe_env {
    struct arena *arena;
    const char *tracefs;       /* e.g. "/sys/kernel/tracing" (mounted on demand) */
    bool syscalls_via_raw;     /* compile syscalls:* tracepoints onto sys_enter/sys_exit */
    enum probe_missing missing_probes;
    int target_pid;            /* -p: uprobes resolve libraries in its maps and attach to it
                                  alone, like the perf-event kinds; 0 when not given */
    bool skip_kernel_checks;   /* --emit-elf: compile kinds this kernel lacks (kprobe, fentry) */
    bool typed_args;           /* the block reads `args`: type tracepoint fields of struct,
                                  union, enum and typedef types from the kernel's BTF */
    bool unsafe;               /* --unsafe: attach uprobes whose offset is not known to be on
                                  an instruction boundary, with a warning */
};

/* One concrete thing to attach to, after wildcards are expanded. */
struct probe_instance {
    const struct probe_kind *kind;
    const char *name;   /* as the `probe` builtin prints it: "tracepoint:syscalls:sys_enter_read" */
    struct srcloc loc;  /* the attach point it came from */
    /* tracepoint and syscall kinds */
    const char *category;
    const char *event;
    const struct tracepoint_format *format; /* NULL when the kind has no args */
    int syscall_number; /* syscall kind: the __NR_ value */
    int nargs;          /* syscalls:sys_enter_* (both kinds): args after __syscall_nr; else 0 */
    /* interval kind */
    uint64_t period_ns;
    /* kprobe, uprobe, fentry, rawtracepoint: what is traced */
    const char *function;  /* symbol, kernel function or raw tracepoint: the `func` builtin */
    const char *module;    /* kernel module of a kprobe/fentry/rawtracepoint; "vmlinux" or NULL */
    const char *path;      /* uprobe: the binary or library */
    uint64_t offset;       /* uprobe: file offset of the probed instruction; kprobe: +N */
    const struct type *retval_type; /* fexit: the function's return type (NULL: void) */
    const char *retval_c_type;      /* fexit: the same as C writes it, for -lv */
    /* perf-event kinds (interval, profile, software, hardware) */
    uint32_t perf_type;    /* PERF_TYPE_SOFTWARE, PERF_TYPE_HARDWARE */
    uint64_t perf_config;  /* PERF_COUNT_SW_*, PERF_COUNT_HW_* */
    uint64_t sample_period; /* events (or ns of cpu-clock) between two runs */
    bool every_cpu;        /* profile/software/hardware: one event per CPU */
    int pid;               /* attach for this process only (-p); 0: every process */
};

/* What attaching produced; the runtime destroys these before it exits. */
struct probe_attachment {
    struct bpf_link *link;
    int perf_fd; /* interval: perf event fd (-1 when none) */
    /* profile/software/hardware: the links of the other CPUs (malloc'd) */
    struct bpf_link **more_links;
    unsigned more_count;
};

/* Detach and free everything an attachment holds. */
void probe_attachment_destroy(struct probe_attachment *attachment);

struct probe_kind {
    const char *name;            /* "tracepoint": also what `probe` prints first */
    const char *const *aliases;  /* NULL-terminated, e.g. {"t", NULL}; matched case-insensitively */
    enum probe_phase phase;
    enum probe_context context;
    unsigned program_type;       /* enum bpf_prog_type */
    /* One BPF program serves all instances of the script's blocks that share
     * a section (syscall dispatch on sys_enter); otherwise one per instance. */
    bool shared_program;
    bool return_probe;  /* kretprobe, uretprobe, fexit: retval exists, argN does not */
    bool user_space;    /* uprobes: argN, retval and addresses made of them are the process's */
    bool per_process;   /* -p attaches it to the process instead of filtering on pid */

    /* Attach point as written → instances appended to `out`. A wildcard
     * that matches nothing appends nothing and succeeds (expand.c decides);
     * a named probe that does not exist goes through probes_missing(). */
    int (*expand)(const struct ast_attach_point *point, const struct probe_env *env,
                  struct vec *out, struct diag *diag);
    /* ELF section for the program of `instance` (libbpf infers the type and
     * attach target from it where it can). */
    const char *(*section)(const struct probe_instance *instance, struct arena *arena);
    /* Attach a loaded program; NULL for BEGIN/END, which the runtime runs itself. */
    int (*attach)(struct bpf_program *program, const struct probe_instance *instance,
                  struct probe_attachment *out, struct diag *diag);
    /* -l: print matching probe names, one per line, and with -v (`verbose`)
     * their arguments indented below; returns the count or -errno. The
     * pattern's provider is already the kind's name (aliases are resolved). */
    int (*list)(const struct probe_env *env, const char *pattern, bool verbose, FILE *out);
    /* Whether this kernel attaches the kind; NULL: it does. `sonde -l` lists
     * a kind it does not only when the pattern names the kind. */
    bool (*available)(const struct probe_env *env);
};

/* Registry: finds the kind for a provider name or alias (case-insensitive). */
const struct probe_kind *probe_kind_find(const char *provider);
/* All user-visible kinds, NULL-terminated (for -l). */
extern const struct probe_kind *const probe_kinds[];

/* The kinds (one file each). */
extern const struct probe_kind probe_kind_begin;
extern const struct probe_kind probe_kind_end;
extern const struct probe_kind probe_kind_tracepoint;
extern const struct probe_kind probe_kind_syscall; /* internal: syscalls:* compiled onto sys_enter/exit */
extern const struct probe_kind probe_kind_syscall_exit; /* internal: the sys_exit side of the above */
extern const struct probe_kind probe_kind_interval;
extern const struct probe_kind probe_kind_profile;
extern const struct probe_kind probe_kind_software;
extern const struct probe_kind probe_kind_hardware;
extern const struct probe_kind probe_kind_rawtracepoint;
extern const struct probe_kind probe_kind_kprobe;
extern const struct probe_kind probe_kind_kretprobe;
extern const struct probe_kind probe_kind_fentry;
extern const struct probe_kind probe_kind_fexit;
extern const struct probe_kind probe_kind_uprobe;
extern const struct probe_kind probe_kind_uretprobe;

/* Expand every attach point of every block and group each block's instances
 * into variants (see ast.h). Errors point at the attach point. */
int probes_expand_program(struct ast_program *program, const struct probe_env *env,
                          struct diag *diag);

/* Mount tracefs at /sys/kernel/tracing when nothing is there; returns the path
 * to use, or NULL with an error recorded. */
const char *probes_tracefs_path(struct diag *diag);

/* Glob match with `*` and `?` (the only wildcards in attach points). */
bool probes_glob_match(const char *pattern, const char *text);
bool probes_has_wildcard(const char *text);

/* A probe that does not exist, handled by env->missing_probes: an error
 * (returns -ENOENT), a warning or nothing (returns 0: expansion goes on
 * without it). The entry, when one is made, is returned in *entry for hints. */
int probes_missing(const struct probe_env *env, struct srcloc loc, struct diag *diag,
                   struct diag_entry **entry, const char *format, ...)
    __attribute__((format(printf, 5, 6)));
/* BPFTRACE_MISSING_PROBES as a policy; false for a value that is none of
 * error, warn and ignore. */
bool probes_parse_missing(const char *text, enum probe_missing *out);

/* -l: every probe whose full name matches one of the comma-separated
 * patterns (NULL: all), with their arguments when `verbose`. */
int probes_list(const struct probe_env *env, const char *patterns, bool verbose, FILE *out);

#endif
