/* The probe kinds beyond tracepoints: perf-event specs, raw tracepoints and
 * fentry typed from the kernel's BTF, kprobe targets, uprobe symbol
 * offsets (checked against where this very test's code is loaded), library
 * lookup and the missing_probes policy. Kernel-dependent checks are skipped
 * where the kernel lacks what they need. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/binary_path.h"
#include "probes/elf_symbols.h"
#include "probes/kernel_btf.h"
#include "probes/probes_internal.h"
#include "probes/registers.h"
#include "test.h"

static struct ast_attach_point *attach_point(struct arena *arena, const char *text)
{
    struct ast_attach_point *point = ARENA_NEW(arena, struct ast_attach_point);
    const char *colon = strchr(text, ':');
    point->text = text;
    point->provider = colon ? arena_strndup(arena, text, (size_t)(colon - text)) : text;
    point->target = colon ? colon + 1 : "";
    point->loc = (struct srcloc){1, 1, (int)strlen(text)};
    return point;
}

/* Expands one attach point with its kind; the instances, or NULL on error. */
static struct vec *expand_one(const struct probe_env *env, const char *text, struct diag *diag)
{
    struct ast_attach_point *point = attach_point(env->arena, text);
    const struct probe_kind *kind = probe_kind_find(point->provider);
    struct vec *out = ARENA_NEW(env->arena, struct vec);
    diag_init(diag, "test", text);
    if (!kind || kind->expand(point, env, out, diag) != 0) {
        vec_free(out);
        return NULL;
    }
    return out;
}

static const struct probe_instance *only_instance(struct vec *instances)
{
    return instances && instances->count == 1 ? vec_get(instances, 0) : NULL;
}

static void test_perf_events(struct arena *arena)
{
    struct probe_env env = {.arena = arena, .skip_kernel_checks = true};
    struct diag diag;
    struct vec *out = expand_one(&env, "software:faults:1", &diag);
    const struct probe_instance *instance = only_instance(out);
    CHECK(instance && instance->perf_type == 1 /* PERF_TYPE_SOFTWARE */ &&
          instance->perf_config == 2 /* PERF_COUNT_SW_PAGE_FAULTS */ &&
          instance->sample_period == 1 && instance->every_cpu);
    CHECK(instance && strcmp(instance->name, "software:faults:1") == 0);
    diag_free(&diag);

    instance = only_instance(expand_one(&env, "s:cs", &diag)); /* default count */
    CHECK(instance && instance->perf_config == 3 && instance->sample_period == 1000);
    diag_free(&diag);

    instance = only_instance(expand_one(&env, "h:cache-misses:1e6", &diag));
    CHECK(instance && instance->perf_type == 0 /* PERF_TYPE_HARDWARE */ &&
          instance->perf_config == 3 && instance->sample_period == 1000000);
    diag_free(&diag);

    CHECK(expand_one(&env, "software:nosuch", &diag) == NULL);
    CHECK(diag.error_count == 1);
    diag_free(&diag);
    CHECK(expand_one(&env, "software:faults:0", &diag) == NULL);
    diag_free(&diag);
    CHECK(expand_one(&env, "software:faults:x", &diag) == NULL);
    diag_free(&diag);

    instance = only_instance(expand_one(&env, "profile:hz:99", &diag));
    CHECK(instance && instance->sample_period == 1000000000ull / 99 && instance->every_cpu);
    diag_free(&diag);
    instance = only_instance(expand_one(&env, "p:10000000", &diag)); /* ns */
    CHECK(instance && instance->sample_period == 10000000);
    diag_free(&diag);
    instance = only_instance(expand_one(&env, "interval:s:1", &diag));
    CHECK(instance && !instance->every_cpu && instance->sample_period == 1000000000ull);
    diag_free(&diag);
}

/* Numbers as the running kernel has them; false (checks skipped) without BTF. */
static bool have_btf(void)
{
    if (probe_kernel_btf(NULL))
        return true;
    printf("note: no kernel BTF: rawtracepoint and fentry checks skipped\n");
    return false;
}

static void test_rawtracepoint(struct arena *arena)
{
    struct probe_env env = {.arena = arena};
    struct diag diag;
    const struct probe_instance *instance = only_instance(expand_one(&env, "rt:sys_enter", &diag));
    CHECK(instance != NULL);
    if (!instance) {
        diag_print(&diag, stderr);
        diag_free(&diag);
        return;
    }
    CHECK_STR(instance->name, "rawtracepoint:vmlinux:sys_enter");
    CHECK_STR(instance->function, "sys_enter");
    CHECK_STR(probe_kind_rawtracepoint.section(instance, arena), "raw_tp/sys_enter");
    const struct tracepoint_format *format = instance->format;
    CHECK(format && format->field_count == 2); /* (regs, id), after __data */
    if (format && format->field_count == 2) {
        CHECK_STR(format->fields[0].name, "regs");
        CHECK(format->fields[0].offset == 0 && format->fields[0].type->kind == TYPE_POINTER);
        CHECK_STR(format->fields[1].name, "id");
        CHECK(format->fields[1].offset == 8);
        CHECK_STR(type_name(arena, format->fields[1].type), "int64");
    }
    diag_free(&diag);

    struct vec *both = expand_one(&env, "rawtracepoint:vmlinux:sys_e*", &diag);
    CHECK(both && both->count == 2);
    diag_free(&diag);
    CHECK(expand_one(&env, "rawtracepoint:no_such_event", &diag) == NULL);
    CHECK(diag.error_count == 1);
    diag_free(&diag);
}

static void test_fentry(struct arena *arena)
{
    /* skip_kernel_checks: the arguments come from BTF whether or not this
     * kernel loads fentry programs. */
    struct probe_env env = {.arena = arena, .skip_kernel_checks = true};
    struct diag diag;
    const struct probe_instance *instance =
        only_instance(expand_one(&env, "fexit:vfs_read", &diag));
    CHECK(instance != NULL);
    if (!instance) {
        diag_print(&diag, stderr);
        diag_free(&diag);
        return;
    }
    CHECK_STR(instance->name, "fexit:vmlinux:vfs_read");
    CHECK_STR(probe_kind_fexit.section(instance, arena), "fexit/vfs_read");
    static const char *const names[] = {"file", "buf", "count", "pos"};
    const struct tracepoint_format *format = instance->format;
    CHECK(format && format->field_count == 4);
    for (unsigned i = 0; format && i < 4 && i < format->field_count; i++) {
        CHECK_STR(format->fields[i].name, names[i]);
        CHECK(format->fields[i].offset == 8 * i);
    }
    if (format && format->field_count == 4) {
        CHECK_STR(format->fields[2].c_type, "size_t");
        CHECK_STR(type_name(arena, format->fields[2].type), "uint64");
    }
    CHECK(instance->retval_type && instance->retval_type->kind == TYPE_INT &&
          instance->retval_type->is_signed && instance->retval_type->size == 8);
    CHECK_STR(instance->retval_c_type, "ssize_t");
    diag_free(&diag);

    instance = only_instance(expand_one(&env, "kfunc:vfs_read", &diag));
    CHECK(instance && instance->kind == &probe_kind_fentry && !instance->retval_type);
    diag_free(&diag);
    CHECK(expand_one(&env, "fentry:vfs_reed", &diag) == NULL);
    CHECK(diag.error_count == 1);
    diag_free(&diag);
}

static void test_kprobe(struct arena *arena)
{
    struct probe_env env = {.arena = arena, .skip_kernel_checks = true};
    struct diag diag;
    const struct probe_instance *instance =
        only_instance(expand_one(&env, "kprobe:vfs_read+16", &diag));
    CHECK(instance != NULL);
    if (instance) {
        CHECK_STR(instance->name, "kprobe:vfs_read+16");
        CHECK(instance->offset == 16);
        CHECK_STR(probe_kind_kprobe.section(instance, arena), "kprobe/vfs_read+0x10");
    }
    diag_free(&diag);
    instance = only_instance(expand_one(&env, "kr:vfs_read", &diag));
    CHECK(instance && instance->kind == &probe_kind_kretprobe);
    CHECK(instance &&
          strcmp(probe_kind_kretprobe.section(instance, arena), "kretprobe/vfs_read") == 0);
    diag_free(&diag);
    CHECK(expand_one(&env, "kretprobe:vfs_read+16", &diag) == NULL); /* no offsets on returns */
    diag_free(&diag);

    /* Without the kernel's support, and checked: the cause and a tracepoint. */
    struct probe_env checked = {.arena = arena, .tracefs = "/nonexistent"};
    if (!probes_kernel_has_kprobes(&checked)) {
        CHECK(expand_one(&checked, "kprobe:vfs_read", &diag) == NULL);
        const struct diag_entry *entry = diag.entries.count ? vec_get(&diag.entries, 0) : NULL;
        CHECK(entry && strstr(entry->message, "kprobes are not available on this kernel"));
        diag_free(&diag);
    }
}

/* noipa: the symbol exists and is this code, wherever the binary is loaded. */
__attribute__((noinline, noipa, used)) int probes_test_marker(int value)
{
    return value + 1;
}

/* The loaded address of file offset `offset` of this executable. */
static uintptr_t address_of_offset(const char *exe, uint64_t offset)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    uintptr_t found = 0;
    while (maps && !found && fgets(line, sizeof(line), maps)) {
        unsigned long start, end, file_offset;
        char path[4096] = "";
        if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &start, &end, &file_offset, path) < 4)
            continue;
        if (strcmp(path, exe) == 0 && offset >= file_offset && offset < file_offset + (end - start))
            found = start + (offset - file_offset);
    }
    if (maps)
        fclose(maps);
    return found;
}

static void test_elf_symbols(struct arena *arena)
{
    char exe[4096];
    ssize_t length = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    CHECK(length > 0);
    if (length <= 0)
        return;
    exe[length] = '\0';
    struct probe_elf elf;
    const char *error = NULL;
    CHECK(probes_elf_read(arena, exe, &elf, &error) == 0);
    const struct probe_elf_symbol *marker = probes_elf_find(&elf, "probes_test_marker");
    CHECK(marker != NULL);
    if (marker) {
        /* What a uprobe on it would hit is where the code really is. */
        CHECK(address_of_offset(exe, marker->file_offset) == (uintptr_t)&probes_test_marker);
        CHECK(probes_elf_function_at(&elf, marker->address) == marker);
    }
    CHECK(probes_elf_find(&elf, "no_such_function_here") == NULL);
    probes_elf_free(&elf);
    CHECK(probes_elf_read(arena, "/etc/hostname", &elf, &error) != 0 && error);
    probes_elf_free(&elf);
}

static void test_binary_path(struct arena *arena)
{
    const char *libc = probes_resolve_binary(arena, "libc", 0);
    CHECK(libc && strstr(libc, "/libc.so.6"));
    const char *cached = probes_library_from_cache(arena, "libc", "/etc/ld.so.cache");
    CHECK(cached && strstr(cached, "libc.so.6"));
    CHECK(probes_resolve_binary(arena, "libc.so.6", 0) != NULL);
    const char *sh = probes_resolve_binary(arena, "sh", 0);
    CHECK(sh && strcmp(sh + strlen(sh) - 3, "/sh") == 0);
    CHECK(probes_resolve_binary(arena, "/nonexistent/binary", 0) == NULL);
    CHECK(probes_resolve_binary(arena, "libno_such_library", 0) == NULL);
    /* With a pid, the process's own mappings come first. */
    const char *mapped = probes_resolve_binary(arena, "libc", (int)getpid());
    CHECK(mapped && strstr(mapped, "libc.so.6"));
    struct vec objects = {0};
    probes_process_objects(arena, (int)getpid(), &objects);
    CHECK(objects.count >= 2); /* this test and libc at least */
    vec_free(&objects);
}

static void test_uprobe(struct arena *arena)
{
    struct probe_env env = {.arena = arena};
    struct diag diag;
    const struct probe_instance *instance =
        only_instance(expand_one(&env, "u:libc:getppid", &diag));
    CHECK(instance && instance->kind == &probe_kind_uprobe && instance->offset > 0);
    CHECK(instance && strstr(instance->name, "libc.so.6:getppid") &&
          strcmp(instance->function, "getppid") == 0);
    CHECK(instance && strcmp(probe_kind_uprobe.section(instance, arena), "uprobe") == 0);
    uint64_t entry = instance ? instance->offset : 0;
    diag_free(&diag);
    /* getppid starts with a 5-byte mov: +5 is the next instruction, +1 is inside it. */
    instance = only_instance(expand_one(&env, "uprobe:libc:getppid+5", &diag));
    CHECK(instance && instance->offset == entry + 5);
    CHECK(instance && strstr(instance->name, ":getppid+5"));
    diag_free(&diag);
    CHECK(expand_one(&env, "uprobe:libc:getppid+1", &diag) == NULL);
    diag_free(&diag);
    CHECK(expand_one(&env, "uretprobe:libc:getppid+4", &diag) == NULL);
    diag_free(&diag);
    CHECK(expand_one(&env, "uprobe:libc:no_such_function", &diag) == NULL);
    diag_free(&diag);

    env.missing_probes = MISSING_WARN;
    struct vec *none = expand_one(&env, "uprobe:libc:no_such_function", &diag);
    CHECK(none && none->count == 0 && diag.error_count == 0 && diag.entries.count == 1);
    diag_free(&diag);
    env.missing_probes = MISSING_IGNORE;
    none = expand_one(&env, "uprobe:/nonexistent:main", &diag);
    CHECK(none && none->count == 0 && diag.entries.count == 0);
    diag_free(&diag);
}

static void test_missing_policy(void)
{
    enum probe_missing policy = MISSING_ERROR;
    CHECK(probes_parse_missing("warn", &policy) && policy == MISSING_WARN);
    CHECK(probes_parse_missing("ignore", &policy) && policy == MISSING_IGNORE);
    CHECK(probes_parse_missing("error", &policy) && policy == MISSING_ERROR);
    CHECK(!probes_parse_missing("Warn", &policy));
}

static void test_registers(void)
{
    CHECK(probe_register_offset("di") == 112);
    CHECK(probe_register_offset("ax") == 80);
    CHECK(probe_register_offset("sp") == 152);
    CHECK(probe_register_offset("nosuch") == -1);
    CHECK_STR(probe_argument_register(3), "cx");
    CHECK(probe_argument_register(6) == NULL);
}

static void test_print_arguments(struct arena *arena)
{
    struct tracepoint_field fields[] = {
        {.name = "comm", .c_type = "char[16]"},
        {.name = "filename", .c_type = "__data_loc char[]", .is_data_loc = true},
        {.name = "count", .c_type = "size_t"},
    };
    struct tracepoint_format format = {.fields = fields, .field_count = 3};
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    probes_print_arguments(out, &format);
    fclose(out);
    CHECK_STR(text, "    char comm[16]\n    __data_loc char[] filename\n    size_t count\n");
    free(text);
}

int main(void)
{
    struct arena arena;
    arena_init(&arena);
    test_perf_events(&arena);
    test_missing_policy();
    test_registers();
    test_print_arguments(&arena);
    test_elf_symbols(&arena);
    test_binary_path(&arena);
    test_uprobe(&arena);
    test_kprobe(&arena);
    if (have_btf()) {
        test_rawtracepoint(&arena);
        test_fentry(&arena);
    }
    arena_free(&arena);
    return TEST_DONE();
}
