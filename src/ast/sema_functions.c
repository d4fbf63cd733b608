/* Argument checks of the function library. Values user space finishes at
 * print time (stacks, symbols, user names, times) get their own type kinds;
 * what is known at compile time (kaddr, signal names) is resolved here. */
#define _GNU_SOURCE /* name_to_handle_at */
#include "ast/sema_functions.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "probes/probe.h"
#include "types/cdefs.h"

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

static struct type *special_type(struct checker *checker, enum type_kind kind, unsigned size)
{
    struct type *type = ARENA_NEW(checker->arena, struct type);
    type->kind = kind;
    type->size = size;
    type->align = 8;
    return type;
}

static const char *const stack_modes[] = {"bpftrace", "perf", "raw"};

/* The mode of a stack written without one: the stack_mode setting. */
static const char *default_stack_mode(const struct checker *checker)
{
    const char *mode = checker->options->stack_mode;
    for (size_t i = 0; mode && i < sizeof(stack_modes) / sizeof(stack_modes[0]); i++)
        if (strcmp(mode, stack_modes[i]) == 0)
            return stack_modes[i];
    return stack_modes[0];
}

static const struct type *stack_type(struct checker *checker, bool user, const char *mode,
                                     unsigned limit)
{
    struct type *type = special_type(checker, user ? TYPE_USTACK : TYPE_KSTACK, 16);
    type->name = mode;
    type->length = limit;
    return type;
}

const struct type *sema_function_builtin(struct checker *checker, struct ast_expr *expr,
                                         enum ast_builtin builtin)
{
    switch (builtin) {
    case BUILTIN_RAND:
    case BUILTIN_NUMAID:
        return type_int(4, false);
    case BUILTIN_CGROUP:
        return type_int(8, false);
    case BUILTIN_USERNAME:
        return special_type(checker, TYPE_USERNAME, 8);
    case BUILTIN_KSTACK:
    case BUILTIN_USTACK:
        return stack_type(checker, builtin == BUILTIN_USTACK, default_stack_mode(checker),
                          SEMA_STACK_FRAMES);
    default:
        return NULL;
    }
}

static bool check_integer_argument(struct checker *checker, struct ast_expr *call, size_t index,
                                   const char *what)
{
    const struct type *type = sema_check_expr(checker, argument(call, index));
    if (!type)
        return false;
    if (!type_is_integer(type) && type->kind != TYPE_POINTER) {
        diag_error(checker->diag, argument(call, index)->loc, "%s() takes an integer %s, got %s",
                   call->call.name, what, type_name(checker->arena, type));
        return false;
    }
    return true;
}

static bool check_string_literal(struct checker *checker, struct ast_expr *call, size_t index,
                                 const char *what)
{
    struct ast_expr *arg = argument(call, index);
    if (arg->kind == EXPR_STRING)
        return sema_check_expr(checker, arg) != NULL;
    diag_error(checker->diag, arg->loc, "%s()'s %s must be a string literal", call->call.name,
               what);
    return false;
}

/* kstack(mode), kstack(limit) or kstack(mode, limit); the mode is a bare word. */
const struct type *sema_check_stack(struct checker *checker, struct ast_expr *call)
{
    const char *mode = default_stack_mode(checker);
    unsigned limit = SEMA_STACK_FRAMES;
    size_t next = 0;
    if (call->call.args.count > 0 && argument(call, 0)->kind == EXPR_IDENTIFIER) {
        struct ast_expr *word = argument(call, 0);
        mode = NULL;
        for (size_t i = 0; i < sizeof(stack_modes) / sizeof(stack_modes[0]); i++)
            if (strcmp(word->identifier.name, stack_modes[i]) == 0)
                mode = stack_modes[i];
        if (!mode) {
            struct diag_entry *entry = diag_error(checker->diag, word->loc,
                                                  "unknown stack mode '%s'", word->identifier.name);
            diag_hint(entry, "the modes are bpftrace, perf and raw");
            return NULL;
        }
        next = 1;
    }
    if (next < call->call.args.count) {
        struct ast_expr *count = argument(call, next);
        if (count->kind != EXPR_INTEGER || count->integer.value < 1 ||
            count->integer.value > SEMA_STACK_FRAMES) {
            diag_error(checker->diag, count->loc,
                       "%s()'s frame limit must be an integer literal from 1 to %d",
                       call->call.name, SEMA_STACK_FRAMES);
            return NULL;
        }
        limit = (unsigned)count->integer.value;
        if (!sema_check_expr(checker, count))
            return NULL;
        if (next + 1 < call->call.args.count) {
            diag_error(checker->diag, argument(call, next + 1)->loc,
                       "%s() takes a mode and then a frame limit", call->call.name);
            return NULL;
        }
    }
    return stack_type(checker, strcmp(call->call.name, "ustack") == 0, mode, limit);
}

const struct type *sema_check_strftime(struct checker *checker, struct ast_expr *call)
{
    if (!check_string_literal(checker, call, 0, "format") ||
        !check_integer_argument(checker, call, 1, "time in nanoseconds"))
        return NULL;
    struct type *type = special_type(checker, TYPE_TIMESTAMP, 8);
    type->name = argument(call, 0)->string.bytes;
    return type;
}

const struct type *sema_check_time(struct checker *checker, struct ast_expr *call)
{
    if (call->call.args.count == 1 && !check_string_literal(checker, call, 0, "format"))
        return NULL;
    return &type_void;
}

/* ksym(addr), usym(addr). */
const struct type *sema_check_symbol(struct checker *checker, struct ast_expr *call)
{
    if (!check_integer_argument(checker, call, 0, "address"))
        return NULL;
    bool user = strcmp(call->call.name, "usym") == 0;
    return special_type(checker, user ? TYPE_USYM : TYPE_KSYM, user ? 16 : 8);
}

uint64_t sema_kernel_symbol_address(const char *name)
{
    FILE *file = fopen("/proc/kallsyms", "r");
    if (!file)
        return 0;
    char line[512], symbol[256];
    unsigned long long address;
    char kind;
    uint64_t found = 0;
    while (!found && fgets(line, sizeof(line), file))
        if (sscanf(line, "%llx %c %255s", &address, &kind, symbol) == 3 &&
            strcmp(symbol, name) == 0)
            found = address;
    fclose(file);
    return found;
}

/* The symbol is looked up once; the string argument then becomes the address. */
const struct type *sema_check_kaddr(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *arg = argument(call, 0);
    if (arg->kind == EXPR_INTEGER && call->call.site == 1)
        return sema_check_expr(checker, arg) ? type_int(8, false) : NULL;
    if (!check_string_literal(checker, call, 0, "symbol name"))
        return NULL;
    uint64_t address = sema_kernel_symbol_address(arg->string.bytes);
    if (!address) {
        diag_error(checker->diag, arg->loc, "kaddr(): no kernel symbol '%s' in /proc/kallsyms",
                   arg->string.bytes);
        return NULL;
    }
    arg->kind = EXPR_INTEGER;
    arg->integer.value = address;
    call->call.site = 1;
    return sema_check_expr(checker, arg) ? type_int(8, false) : NULL;
}

static const struct {
    const char *name;
    int number;
} signals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"BUS", SIGBUS},     {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},     {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

int sema_signal_number(const char *name)
{
    char *end;
    long number = strtol(name, &end, 10);
    if (*name && *end == '\0')
        return number > 0 && number < 65 ? (int)number : 0;
    if (strncmp(name, "SIG", 3) == 0)
        name += 3;
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
        if (strcmp(signals[i].name, name) == 0)
            return signals[i].number;
    return 0;
}

static bool require_unsafe(struct checker *checker, struct ast_expr *call, const char *why)
{
    if (checker->options->unsafe)
        return true;
    diag_error(checker->diag, call->call.name_loc, "%s() %s: run sonde with --unsafe to allow it",
               call->call.name, why);
    return false;
}

/* signal("SIGUSR1"), signal("KILL") or signal(number). */
const struct type *sema_check_signal(struct checker *checker, struct ast_expr *call)
{
    if (!require_unsafe(checker, call, "sends signals to processes"))
        return NULL;
    struct ast_expr *arg = argument(call, 0);
    if (arg->kind == EXPR_STRING) {
        int number = sema_signal_number(arg->string.bytes);
        if (!number) {
            diag_error(checker->diag, arg->loc, "signal(): unknown signal '%s'", arg->string.bytes);
            return NULL;
        }
        arg->kind = EXPR_INTEGER;
        arg->integer.value = (uint64_t)number;
    }
    if (arg->kind == EXPR_INTEGER && (arg->integer.value < 1 || arg->integer.value > 64)) {
        diag_error(checker->diag, arg->loc, "signal(): %llu is not a signal number (1 to 64)",
                   (unsigned long long)arg->integer.value);
        return NULL;
    }
    return check_integer_argument(checker, call, 0, "signal") ? &type_void : NULL;
}

/* system(fmt, ...) and cat(fmt, ...): printf's checks, behind --unsafe for system(). */
const struct type *sema_check_unsafe_format(struct checker *checker, struct ast_expr *call)
{
    bool is_system = strcmp(call->call.name, "system") == 0;
    if (is_system && !require_unsafe(checker, call, "changes the system"))
        return NULL;
    return sema_check_format_call(checker, call);
}

static bool check_string_argument(struct checker *checker, struct ast_expr *call, size_t index)
{
    const struct type *type = sema_check_expr(checker, argument(call, index));
    if (!type)
        return false;
    if (type->kind != TYPE_STRING) {
        diag_error(checker->diag, argument(call, index)->loc, "%s() compares strings, got %s",
                   call->call.name, type_name(checker->arena, type));
        return false;
    }
    return true;
}

/* strncmp(a, b, n): 0 when the first n bytes match, as in bpftrace. */
const struct type *sema_check_strncmp(struct checker *checker, struct ast_expr *call)
{
    if (!check_string_argument(checker, call, 0) || !check_string_argument(checker, call, 1))
        return NULL;
    struct ast_expr *length = argument(call, 2);
    if (length->kind != EXPR_INTEGER) {
        diag_error(checker->diag, length->loc, "strncmp()'s length must be an integer literal");
        return NULL;
    }
    return sema_check_expr(checker, length) ? type_int(8, true) : NULL;
}

const struct type *sema_check_strcontains(struct checker *checker, struct ast_expr *call)
{
    if (!check_string_argument(checker, call, 0) || !check_string_argument(checker, call, 1))
        return NULL;
    return &type_bool;
}

/* join(argv[, "sep"]): argv is the address of a NULL-terminated array of
 * string pointers, read by the probe; user space prints the joined line. */
const struct type *sema_check_join(struct checker *checker, struct ast_expr *call)
{
    if (!check_integer_argument(checker, call, 0, "address of a string array (char **)"))
        return NULL;
    if (call->call.args.count == 2 && !check_string_literal(checker, call, 1, "separator"))
        return NULL;
    call->call.site = (int)checker->options->max_strlen; /* bytes per string, for codegen */
    return &type_void;
}

/* errorf(fmt, ...) formats like printf; the message goes to stderr with
 * the call's location. */
const struct type *sema_check_errorf(struct checker *checker, struct ast_expr *call)
{
    return sema_check_format_call(checker, call);
}

const struct type *sema_check_strlen(struct checker *checker, struct ast_expr *call)
{
    return check_string_argument(checker, call, 0) ? type_int(8, false) : NULL;
}

/* A cgroup v2 directory's id is its kernfs node id, which the kernel hands
 * out as the directory's file handle. */
static bool cgroup_id_of(const char *path, uint64_t *id, int *error)
{
    union {
        struct file_handle handle;
        char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
    } buffer;
    buffer.handle.handle_bytes = MAX_HANDLE_SZ;
    int mount_id;
    if (name_to_handle_at(AT_FDCWD, path, &buffer.handle, &mount_id, 0) != 0) {
        *error = errno;
        return false;
    }
    if (buffer.handle.handle_bytes != sizeof(*id)) {
        *error = 0; /* a handle, but not kernfs's: not a cgroup v2 directory */
        return false;
    }
    memcpy(id, buffer.handle.f_handle, sizeof(*id));
    return true;
}

/* cgroupid("/sys/fs/cgroup/..."): resolved once, like kaddr(). */
const struct type *sema_check_cgroupid(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *arg = argument(call, 0);
    if (arg->kind == EXPR_INTEGER && call->call.site == 1)
        return sema_check_expr(checker, arg) ? type_int(8, false) : NULL;
    if (!check_string_literal(checker, call, 0, "cgroup path"))
        return NULL;
    uint64_t id;
    int error;
    if (!cgroup_id_of(arg->string.bytes, &id, &error)) {
        struct diag_entry *entry =
            diag_error(checker->diag, arg->loc, "cgroupid(): cannot get the id of '%s': %s",
                       arg->string.bytes, error ? strerror(error) : "not a cgroup v2 directory");
        diag_hint(entry,
                  "give a directory of the cgroup v2 hierarchy, e.g. /sys/fs/cgroup/system.slice");
        return NULL;
    }
    arg->kind = EXPR_INTEGER;
    arg->integer.value = id;
    call->call.site = 1;
    return sema_check_expr(checker, arg) ? type_int(8, false) : NULL;
}

/* path(struct path *[, size]) calls bpf_d_path, which the kernel only
 * allows in fentry/fexit programs (of an allow-listed function) and LSM. */
const struct type *sema_check_path(struct checker *checker, struct ast_expr *call)
{
    if (!checker->probe || checker->probe->kind->context != CONTEXT_TRACING_ARGS) {
        struct diag_entry *entry =
            diag_error(checker->diag, call->call.name_loc,
                       "path() needs an fentry, fexit or lsm probe, not %s",
                       checker->probe ? checker->probe->kind->name : "this block");
        diag_hint(entry, "the kernel allows bpf_d_path() only in those probes");
        return NULL;
    }
    if (!check_integer_argument(checker, call, 0, "struct path pointer"))
        return NULL;
    unsigned size = checker->options->max_strlen;
    if (call->call.args.count == 2) {
        struct ast_expr *limit = argument(call, 1);
        if (limit->kind != EXPR_INTEGER || limit->integer.value < 1 ||
            limit->integer.value > 4096) {
            diag_error(checker->diag, limit->loc,
                       "path()'s size must be an integer literal from 1 to 4096");
            return NULL;
        }
        size = (unsigned)limit->integer.value;
    }
    return type_string(checker->arena, size);
}

/* ncpus, jiffies and usermode are builtins bpftrace also takes as calls;
 * a bare name is checked as the call without arguments. */
bool sema_is_call_builtin(const char *name)
{
    return strcmp(name, "ncpus") == 0 || strcmp(name, "jiffies") == 0 ||
           strcmp(name, "usermode") == 0;
}

/* The CPUs the kernel may bring up, as libbpf counts them for per-CPU maps:
 * fixed at load, so the call becomes a constant (usable as a loop bound). */
const struct type *sema_check_ncpus(struct checker *checker, struct ast_expr *call)
{
    int cpus = libbpf_num_possible_cpus();
    if (cpus < 1) {
        diag_error(checker->diag, call->loc, "ncpus: cannot count the possible CPUs: %s",
                   strerror(-cpus));
        return NULL;
    }
    call->kind = EXPR_INTEGER;
    call->integer.value = (uint64_t)cpus;
    return type_int(8, false);
}

const struct type *sema_check_jiffies(struct checker *checker, struct ast_expr *call)
{
    (void)checker;
    (void)call;
    return type_int(8, false);
}

static const struct probe_kind *current_kind(const struct checker *checker)
{
    if (checker->variant && checker->variant->instances.count) {
        const struct probe_instance *instance = vec_get(&checker->variant->instances, 0);
        return instance->kind;
    }
    return checker->probe ? checker->probe->kind : NULL;
}

/* bpftrace reads the privilege level of the registers the probe fired with
 * (x86-64's cs), so only probes that get those registers have usermode. */
const struct type *sema_check_usermode(struct checker *checker, struct ast_expr *call)
{
#if !defined(__x86_64__)
    diag_error(checker->diag, call->loc, "usermode is only available on x86-64");
    return NULL;
#endif
    const struct probe_kind *kind = current_kind(checker);
    bool has_registers =
        kind && (kind->context == CONTEXT_PT_REGS || kind->context == CONTEXT_PERF_EVENT);
    if (!has_registers) {
        struct diag_entry *entry =
            diag_error(checker->diag, call->loc, "usermode is not available in %s probes",
                       kind ? kind->name : "these");
        diag_hint(entry, "usermode reads the registers the event interrupted: use it in "
                         "profile, interval, software, hardware, kprobe or uprobe probes");
        return NULL;
    }
    return type_int(1, false);
}

/* comm(pid) looks the task up with the bpf_task_from_pid kfunc, which the
 * kernel lets only some program types call. */
static bool kfunc_allowed(struct checker *checker, struct ast_expr *call)
{
    const struct probe_kind *kind = current_kind(checker);
    unsigned type = kind ? kind->program_type : 0;
    if (type == BPF_PROG_TYPE_TRACEPOINT || type == BPF_PROG_TYPE_PERF_EVENT ||
        type == BPF_PROG_TYPE_TRACING)
        return true;
    struct diag_entry *entry = diag_error(
        checker->diag, call->loc,
        "comm(pid) is not available in %s probes: the kernel lets only tracepoint, perf-event "
        "and fentry programs call bpf_task_from_pid()",
        kind ? kind->name : "these");
    if (kind && kind->context == CONTEXT_SYSCALL_ENTER)
        diag_hint(entry, "sonde compiles syscalls:* tracepoints as raw tracepoints; "
                         "SONDE_SYSCALLS_VIA_RAW=0 attaches real tracepoints, which may call it");
    else
        diag_hint(entry, "use it in tracepoint, profile, interval, software or hardware probes");
    return false;
}

/* comm() is the builtin; comm(pid) the name of the thread with that pid in
 * the initial pid namespace. call.site keeps where task_struct holds comm. */
const struct type *sema_check_comm(struct checker *checker, struct ast_expr *call)
{
    const struct type *name = type_string(checker->arena, 16);
    if (call->call.args.count == 0)
        return name;
    if (!check_integer_argument(checker, call, 0, "pid") || !kfunc_allowed(checker, call))
        return NULL;
    const struct type *task =
        type_complete(cdefs_kernel(checker->cdefs)
                          ? cdefs_resolve(checker->cdefs, "struct task_struct", SPACE_KERNEL)
                          : NULL);
    const struct type_field *comm = task ? type_find_field(task, "comm") : NULL;
    if (!comm) {
        diag_error(checker->diag, call->loc,
                   "comm(pid) needs the kernel's struct task_struct (BTF), which is not readable");
        return NULL;
    }
    call->call.site = (int)comm->offset;
    return name;
}
