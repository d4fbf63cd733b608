/* --info: see info.h. Kernel features are found by loading tiny programs
 * and creating tiny maps, as attaching a script would need them. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <llvm-c/Core.h>

#include "base/arena.h"
#include "base/diag.h"
#include "info.h"
#include "probes/list_kinds.h"
#include "runtime/bpf_cpu.h"
#include "types/btf.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static const char *yes_no(bool value)
{
    return value ? "yes" : "no";
}

static void print_system(FILE *out)
{
    struct utsname name;
    if (uname(&name) != 0)
        return;
    fprintf(out, "System\n  OS: %s %s %s\n  Arch: %s\n\n", name.sysname, name.release, name.version,
            name.machine);
}

static void print_build(FILE *out, const char *version)
{
    unsigned major = 0, minor = 0, patch = 0;
    LLVMGetVersion(&major, &minor, &patch);
    fprintf(out, "Build\n  version: %s\n  LLVM: %u.%u.%u\n  libbpf: %s\n", version, major, minor,
            patch, libbpf_version_string());
    fputs("  DWARF support: no\n\n", out);
}

/* Helpers are asked for kprobe programs, as bpftrace does, since uprobes
 * and kprobes (and their helpers) share that type; a kernel without it is
 * asked for tracepoint programs. */
static enum bpf_prog_type helper_program_type(void)
{
    return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_KPROBE, NULL) == 1 ? BPF_PROG_TYPE_KPROBE
                                                                       : BPF_PROG_TYPE_TRACEPOINT;
}

static void print_helpers(FILE *out, enum bpf_prog_type type)
{
    static const struct {
        const char *name; /* bpftrace's */
        enum bpf_func_id id;
    } helpers[] = {
        {"probe_read", BPF_FUNC_probe_read},
        {"probe_read_str", BPF_FUNC_probe_read_str},
        {"probe_read_user", BPF_FUNC_probe_read_user},
        {"probe_read_user_str", BPF_FUNC_probe_read_user_str},
        {"probe_read_kernel", BPF_FUNC_probe_read_kernel},
        {"probe_read_kernel_str", BPF_FUNC_probe_read_kernel_str},
        {"get_current_cgroup_id", BPF_FUNC_get_current_cgroup_id},
        {"send_signal", BPF_FUNC_send_signal},
        {"override_return", BPF_FUNC_override_return},
        {"get_boot_ns", BPF_FUNC_ktime_get_boot_ns},
        {"get_tai_ns", BPF_FUNC_ktime_get_tai_ns},
        {"get_func_ip", BPF_FUNC_get_func_ip},
        {"jiffies64", BPF_FUNC_jiffies64},
        {"for_each_map_elem", BPF_FUNC_for_each_map_elem},
    };
    fputs("Kernel helpers\n", out);
    for (size_t i = 0; i < COUNT(helpers); i++)
        fprintf(out, "  %s: %s\n", helpers[i].name,
                yes_no(libbpf_probe_bpf_helper(type, helpers[i].id, NULL) == 1));
    fputs("\n", out);
}

/* Load `count` instructions with the verifier's log; the fd is closed. */
static bool load_program(enum bpf_prog_type type, const struct bpf_insn *program, size_t count,
                         char *log, size_t log_size)
{
    LIBBPF_OPTS(bpf_prog_load_opts, options, .log_buf = log, .log_size = (unsigned)log_size,
                .log_level = log ? 1 : 0);
    int fd = bpf_prog_load(type, NULL, "GPL", program, count, &options);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* The verifier's log of `r0 = 0; exit` ends with "processed 2 insns
 * (limit N)": N is how many instructions it will walk in one program. */
static long instruction_limit(enum bpf_prog_type type)
{
    const struct bpf_insn program[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT},
    };
    char log[4096] = "";
    if (!load_program(type, program, COUNT(program), log, sizeof(log)))
        return -1;
    const char *limit = strstr(log, "(limit ");
    return limit ? strtol(limit + 7, NULL, 10) : -1;
}

/* `r0 = 0; do r0 += 1; while (r0 < 4); exit`: a back edge, which only a
 * verifier with bounded loops (Linux 5.3+) accepts. */
static bool has_loops(enum bpf_prog_type type)
{
    const struct bpf_insn program[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
        {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_0, .imm = 1},
        {.code = BPF_JMP | BPF_JLT | BPF_K, .dst_reg = BPF_REG_0, .off = -2, .imm = 4},
        {.code = BPF_JMP | BPF_EXIT},
    };
    return load_program(type, program, COUNT(program), NULL, 0);
}

/* Batch lookups on an empty map end at once with ENOENT where the kernel
 * has them; older kernels fail with EINVAL. */
static bool has_map_batch(void)
{
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 4, 1, NULL);
    if (fd < 0)
        return false;
    uint32_t keys[1], values[1], batch = 0, count = 1;
    int err = bpf_map_lookup_batch(fd, NULL, &batch, keys, values, &count, NULL);
    close(fd);
    return err == 0 || errno == ENOENT;
}

/* BTF of modules: /sys/kernel/btf holds a file per module besides vmlinux. */
static bool has_module_btf(void)
{
    DIR *directory = opendir("/sys/kernel/btf");
    bool found = false;
    for (struct dirent *entry; directory && !found && (entry = readdir(directory));)
        found = entry->d_name[0] != '.' && strcmp(entry->d_name, "vmlinux") != 0;
    if (directory)
        closedir(directory);
    return found;
}

static void print_features(FILE *out, enum bpf_prog_type type)
{
    fprintf(out, "Kernel features\n  Instruction limit: %ld\n", instruction_limit(type));
    fprintf(out, "  Loop support: %s\n", yes_no(has_loops(type)));
    fprintf(out, "  btf: %s\n", yes_no(btf_types_kernel() != NULL));
    fprintf(out, "  module btf: %s\n", yes_no(has_module_btf()));
    fprintf(out, "  map batch: %s\n", yes_no(has_map_batch()));
    /* uprobes with a semaphore counter (USDT's is-enabled). */
    fprintf(
        out, "  uprobe refcount: %s\n",
        yes_no(access("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset", F_OK) == 0));
    fprintf(out, "  BPF instruction set: %s\n\n", runtime_bpf_cpu());
}

static void print_map_types(FILE *out)
{
    static const struct {
        const char *name;
        enum bpf_map_type type;
    } maps[] = {
        {"hash", BPF_MAP_TYPE_HASH},
        {"percpu hash", BPF_MAP_TYPE_PERCPU_HASH},
        {"array", BPF_MAP_TYPE_ARRAY},
        {"percpu array", BPF_MAP_TYPE_PERCPU_ARRAY},
        {"stack_trace", BPF_MAP_TYPE_STACK_TRACE},
        {"perf_event_array", BPF_MAP_TYPE_PERF_EVENT_ARRAY},
        {"ringbuf", BPF_MAP_TYPE_RINGBUF},
    };
    fputs("Map types\n", out);
    for (size_t i = 0; i < COUNT(maps); i++)
        fprintf(out, "  %s: %s\n", maps[i].name,
                yes_no(libbpf_probe_bpf_map_type(maps[i].type, NULL) == 1));
    fputs("\n", out);
}

/* tracefs tells whether kprobes exist; where it cannot be mounted (not
 * root), the usual place is looked at, and kprobes are reported missing. */
static const char *tracefs_path(void)
{
    struct diag scratch;
    diag_init(&scratch, "sonde", "");
    const char *path = probes_tracefs_path(&scratch);
    diag_free(&scratch);
    return path ? path : "/sys/kernel/tracing";
}

int info_print(FILE *out, const char *version)
{
    if (geteuid() != 0)
        fputs("sonde: not running as root: the kernel's features cannot be tested and are "
              "reported as missing\n",
              stderr);
    print_system(out);
    print_build(out, version);
    enum bpf_prog_type type = helper_program_type();
    print_helpers(out, type);
    print_features(out, type);
    print_map_types(out);
    struct arena arena;
    arena_init(&arena);
    struct probe_env env = {.arena = &arena, .tracefs = tracefs_path()};
    fputs("Probe types\n", out);
    probes_report_kinds(&env, out);
    fputs("\n", out);
    arena_free(&arena);
    return 0;
}
