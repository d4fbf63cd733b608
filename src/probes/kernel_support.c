/* What the running kernel can trace: kprobes and fentry are build options
 * and may be missing or refused. A probe of a missing kind gets an error
 * that says so and points at something that works here instead. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "base/strbuf.h"
#include "probes/probes_internal.h"

static bool exists(const char *path)
{
    struct stat status;
    return stat(path, &status) == 0;
}

bool probes_kernel_has_kprobes(const struct probe_env *env)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/kprobe_events", env->tracefs ? env->tracefs : "");
    return (env->tracefs && exists(path)) || exists("/sys/bus/event_source/devices/kprobe/type");
}

bool probes_kernel_has_fentry(uint32_t btf_id, int *error)
{
    static int answer; /* 0: not asked yet, 1: yes, -errno: refused */
    if (answer == 0) {
        /* r0 = 0; exit */
        const struct bpf_insn program[] = {
            {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
            {.code = BPF_JMP | BPF_EXIT},
        };
        LIBBPF_OPTS(bpf_prog_load_opts, options, .expected_attach_type = BPF_TRACE_FENTRY,
                    .attach_btf_id = btf_id);
        int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "sonde_fentry", "GPL", program, 2, &options);
        answer = fd >= 0 ? 1 : (errno ? -errno : -EINVAL);
        if (fd >= 0)
            close(fd);
    }
    if (error)
        *error = answer < 0 ? -answer : 0;
    return answer == 1;
}

static int compare_functions(const void *a, const void *b)
{
    const struct probe_kernel_function *x = *(const struct probe_kernel_function *const *)a;
    const struct probe_kernel_function *y = *(const struct probe_kernel_function *const *)b;
    int by_name = strcmp(x->name, y->name);
    return by_name ? by_name : strcmp(x->module, y->module);
}

/* "name" or "name [module]" (available_filter_functions), or
 * "address type name [module]" (kallsyms, text symbols only). */
static void add_line(struct arena *arena, char *line, bool kallsyms, struct vec *out)
{
    char *fields[4] = {0};
    int count = 0;
    for (char *word = strtok(line, " \t\n"); word && count < 4; word = strtok(NULL, " \t\n"))
        fields[count++] = word;
    int name = kallsyms ? 2 : 0;
    if (count <= name || (kallsyms && fields[1][0] != 't' && fields[1][0] != 'T'))
        return;
    const char *module = count > name + 1 ? fields[name + 1] : "[vmlinux]";
    struct probe_kernel_function *function = ARENA_NEW(arena, struct probe_kernel_function);
    function->name = arena_strdup(arena, fields[name]);
    function->module = arena_strndup(arena, module + 1, strlen(module) - 2);
    vec_push(out, function);
}

bool probes_kernel_functions(const struct probe_env *env, struct vec *out)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/available_filter_functions", env->tracefs ? env->tracefs : "");
    bool kallsyms = false;
    FILE *file = env->tracefs ? fopen(path, "r") : NULL;
    if (!file) {
        file = fopen("/proc/kallsyms", "r");
        kallsyms = true;
    }
    if (!file)
        return false;
    size_t first = out->count;
    char line[512];
    while (fgets(line, sizeof(line), file))
        add_line(env->arena, line, kallsyms, out);
    fclose(file);
    qsort(out->items + first, out->count - first, sizeof(void *), compare_functions);
    /* One entry per (name, module): static functions may share a name. */
    size_t kept = first;
    for (size_t i = first; i < out->count; i++)
        if (kept == first || compare_functions(&out->items[kept - 1], &out->items[i]) != 0)
            out->items[kept++] = out->items[i];
    out->count = kept;
    return true;
}

static bool tracepoint_exists(const struct probe_env *env, const char *category, const char *event)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/events/%s/%s", env->tracefs ? env->tracefs : "", category,
             event);
    return env->tracefs && exists(path);
}

/* The system call a kernel function implements, by its name's usual
 * prefixes: __x64_sys_read, ksys_read, vfs_read, do_sys_open ... → read. */
static const char *syscall_tracepoint(const struct probe_env *env, const char *function,
                                      bool is_return)
{
    static const char *const prefixes[] = {
        "__x64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_", "ksys_",
        "do_sys_",    "sys_",        "vfs_",      "do_",       ""};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t length = strlen(prefixes[i]);
        if (strncmp(function, prefixes[i], length) != 0)
            continue;
        const char *event =
            arena_printf(env->arena, "sys_%s_%s", is_return ? "exit" : "enter", function + length);
        if (tracepoint_exists(env, "syscalls", event))
            return arena_printf(env->arena, "tracepoint:syscalls:%s", event);
    }
    return NULL;
}

void probes_hint_alternative(const struct probe_env *env, struct diag_entry *entry,
                             const char *function, bool is_return)
{
    const char *syscall = function ? syscall_tracepoint(env, function, is_return) : NULL;
    if (syscall) {
        diag_hint(entry, "%s fires on the same path", syscall);
        return;
    }
    char category[64] = "";
    if (function)
        snprintf(category, sizeof(category), "%.*s", (int)strcspn(function, "_"), function);
    if (*category && tracepoint_exists(env, category, "")) {
        diag_hint(entry, "the %s subsystem has tracepoints: sonde -l 'tracepoint:%s:*'", category,
                  category);
        return;
    }
    diag_hint(entry, "use a tracepoint or a raw tracepoint on the same path: "
                     "sonde -l 'tracepoint:*'");
}

struct diag_entry *probes_kernel_lacks(const struct probe_env *env, struct srcloc loc,
                                       struct diag *diag, const char *function, bool is_return,
                                       const char *format, ...)
{
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    struct diag_entry *entry = diag_error(diag, loc, "%s", message);
    probes_hint_alternative(env, entry, function, is_return);
    return entry;
}
