/* uprobe:binary:function[+offset] (alias u) and uretprobe:binary:function
 * (alias ur): functions of a program or library, through the kernel's
 * uprobes. The binary is a path, a program on PATH or a library's short
 * name (`libc`); with -p, `*` stands for every file the process maps. The
 * target may also be an address (`uprobe:/bin/bash:0x4f0e0`).
 *
 * C++ functions may be named as the source writes them after `cpp:`
 * (uprobe:BIN:cpp:"ns::f", uprobe:BIN:cpp:ns::*); `func` shows C++
 * functions demangled ("ns::f(int)"), `probe` their symbol.
 *
 * The program gets the saved user registers: arg0..argN at entry, retval
 * at return, both pointing into the traced process. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "base/suggest.h"
#include "probes/binary_path.h"
#include "probes/elf_symbols.h"
#include "probes/probes_internal.h"
#include "probes/uprobe_internal.h"

static const char *const uprobe_aliases[] = {"u", NULL};
static const char *const uretprobe_aliases[] = {"ur", NULL};

struct uprobe_target {
    const char *binary;   /* as written */
    const char *function; /* may hold wildcards; an address when `by_address` */
    uint64_t offset;      /* +N into the function */
    bool by_address;
    uint64_t address;
    bool cpp; /* `cpp:`: the function is matched against demangled C++ names */
};

static bool parse_address(const char *text, uint64_t *address)
{
    char *end = NULL;
    errno = 0;
    *address = strtoull(text, &end, 0);
    return text[0] >= '0' && text[0] <= '9' && !errno && end != text && !*end;
}

/* "name+N" → name and N; false when there is no such suffix. */
static bool split_offset(struct arena *arena, const char *text, const char **name, uint64_t *offset)
{
    const char *plus = strrchr(text, '+');
    if (!plus || plus == text || !parse_address(plus + 1, offset))
        return false;
    *name = arena_strndup(arena, text, (size_t)(plus - text));
    return true;
}

/* The function part: `name`, `name+N` or, after cpp:, `"ns::f(int)"[+N]`
 * (the quotes stay when the name holds a ':', see front/parse.c). */
static bool parse_function(struct arena *arena, const char *text, bool is_return,
                           struct uprobe_target *out)
{
    if (parse_address(text, &out->address)) {
        out->by_address = !out->cpp;
        out->function = text;
        return !out->cpp;
    }
    const char *close = text[0] == '"' ? strchr(text + 1, '"') : NULL;
    if (close) {
        out->function = arena_strndup(arena, text + 1, (size_t)(close - text - 1));
        if (!close[1])
            return true;
        return close[1] == '+' && !is_return && !probes_has_wildcard(out->function) &&
               parse_address(close + 2, &out->offset);
    }
    out->function = text;
    const char *name = NULL;
    if (!split_offset(arena, text, &name, &out->offset))
        return out->cpp || !strchr(text, '+'); /* C++ has operator+ */
    if (is_return || probes_has_wildcard(name))
        return false;
    out->function = name;
    return true;
}

/* "binary:function[+offset]" or "binary:cpp:function[+offset]": without
 * cpp:, the function is after the last colon, so that a path with colons
 * still works; with it, C++ names hold colons themselves. */
static bool parse_target(struct arena *arena, const char *text, bool is_return,
                         struct uprobe_target *out)
{
    const char *cpp = strstr(text, ":cpp:");
    const char *colon = cpp ? cpp : strrchr(text, ':');
    const char *function = cpp ? cpp + 5 : colon ? colon + 1 : NULL;
    if (!colon || colon == text || !function[0])
        return false;
    out->binary = arena_strndup(arena, text, (size_t)(colon - text));
    out->cpp = cpp != NULL;
    return parse_function(arena, function, is_return, out);
}

static struct probe_instance *make_instance(const struct probe_env *env,
                                            const struct probe_kind *kind, const char *path,
                                            const char *function, const char *suffix,
                                            uint64_t file_offset)
{
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = kind;
    instance->name = arena_printf(env->arena, "%s:%s:%s%s", kind->name, path, function, suffix);
    instance->syscall_number = -1;
    const char *demangled = probes_uprobe_demangle(env->arena, function);
    instance->function = demangled ? demangled : function;
    instance->path = path;
    instance->offset = file_offset;
    instance->pid = env->target_pid;
    return instance;
}

static void hint_closest(struct diag_entry *entry, const struct probe_elf *elf, const char *name,
                         const char *path)
{
    struct vec names = {0};
    for (size_t i = 0; i < elf->functions.count; i++)
        vec_push(&names,
                 (void *)((const struct probe_elf_symbol *)vec_get(&elf->functions, i))->name);
    const char *closest = suggest_closest(name, (const char *const *)names.items, names.count);
    if (closest)
        diag_hint(entry, "did you mean '%s'?", closest);
    else
        diag_hint(entry, "list its functions with: sonde -l 'uprobe:%s:*'", path);
    vec_free(&names);
}

/* A probe at `offset` bytes into `symbol` must be on an instruction: the
 * kernel would put its breakpoint byte anywhere, and in the middle of an
 * instruction it changes what the traced program does. */
static int check_boundary(const struct ast_attach_point *point, const struct probe_env *env,
                          const char *path, const struct probe_elf *elf,
                          const struct probe_elf_symbol *symbol, uint64_t offset, struct diag *diag)
{
    struct uprobe_boundary_check check;
    probes_uprobe_check_boundary(env->arena, path, elf, symbol, offset, &check);
    if (check.result == UPROBE_BOUNDARY_OK)
        return 0;
    unsigned long long at = (unsigned long long)offset;
    if (env->unsafe && check.result == UPROBE_BOUNDARY_INSIDE) {
        diag_warning(diag, point->loc, "unsafe uprobe in the middle of an instruction: %s:%s+%llu",
                     path, symbol->name, at);
        return 0;
    }
    if (env->unsafe) {
        diag_warning(diag, point->loc, "unchecked uprobe: %s:%s+%llu (%s)", path, symbol->name, at,
                     check.reason);
        return 0;
    }
    if (check.result == UPROBE_BOUNDARY_INSIDE) {
        struct diag_entry *entry =
            diag_error(diag, point->loc,
                       "could not add a uprobe into the middle of an instruction: %s:%s+%llu", path,
                       symbol->name, at);
        diag_hint(entry,
                  "the instructions around it start at %s+%llu and %s+%llu; --unsafe "
                  "attaches it anyway",
                  symbol->name, (unsigned long long)check.before, symbol->name,
                  (unsigned long long)check.after);
    } else {
        struct diag_entry *entry = diag_error(
            diag, point->loc, "cannot check that %s:%s+%llu is on an instruction boundary: %s",
            path, symbol->name, at, check.reason);
        diag_hint(entry,
                  "--unsafe attaches it anyway, at the risk of corrupting the traced program");
    }
    return -EINVAL;
}

static int expand_address(const struct ast_attach_point *point, const struct probe_env *env,
                          const struct probe_kind *kind, const struct uprobe_target *target,
                          const char *path, const struct probe_elf *elf, struct vec *out,
                          struct diag *diag)
{
    uint64_t offset = 0;
    if (!probes_elf_file_offset(elf, target->address, &offset)) {
        diag_error(diag, point->loc, "address 0x%llx is not in the code of %s",
                   (unsigned long long)target->address, path);
        return -EINVAL;
    }
    const struct probe_elf_symbol *symbol = probes_elf_function_at(elf, target->address);
    if (!symbol && env->unsafe) {
        diag_warning(diag, point->loc, "unchecked uprobe: %s:0x%llx (no function symbol holds it)",
                     path, (unsigned long long)target->address);
    } else if (!symbol) {
        struct diag_entry *entry =
            diag_error(diag, point->loc,
                       "cannot check that address 0x%llx of %s is on an instruction boundary: "
                       "no function symbol holds it",
                       (unsigned long long)target->address, path);
        diag_hint(entry,
                  "--unsafe attaches it anyway, at the risk of corrupting the traced program");
        return -EINVAL;
    }
    int err = symbol ? check_boundary(point, env, path, elf, symbol,
                                      target->address - symbol->address, diag)
                     : 0;
    if (err)
        return err;
    struct probe_instance *instance = make_instance(env, kind, path, target->function, "", offset);
    const char *demangled = symbol ? probes_uprobe_demangle(env->arena, symbol->name) : NULL;
    instance->function = demangled ? demangled : symbol ? symbol->name : target->function;
    vec_push(out, instance);
    return 0;
}

/* One instance at `target->offset` into `symbol`, checked first. */
static int add_symbol(const struct ast_attach_point *point, const struct probe_env *env,
                      const struct probe_kind *kind, const struct uprobe_target *target,
                      const char *path, const struct probe_elf *elf,
                      const struct probe_elf_symbol *symbol, struct vec *out, struct diag *diag)
{
    if (target->offset && symbol->size && target->offset >= symbol->size) {
        diag_error(diag, point->loc, "offset %llu is beyond the end of %s (%llu bytes)",
                   (unsigned long long)target->offset, symbol->name,
                   (unsigned long long)symbol->size);
        return -EINVAL;
    }
    int err = check_boundary(point, env, path, elf, symbol, target->offset, diag);
    if (err)
        return err;
    const char *suffix =
        target->offset ? arena_printf(env->arena, "+%llu", (unsigned long long)target->offset) : "";
    vec_push(out, make_instance(env, kind, path, symbol->name, suffix,
                                symbol->file_offset + target->offset));
    return 0;
}

static int expand_symbol(const struct ast_attach_point *point, const struct probe_env *env,
                         const struct probe_kind *kind, const struct uprobe_target *target,
                         const char *path, const struct probe_elf *elf, struct vec *out,
                         struct diag *diag)
{
    const struct probe_elf_symbol *symbol = probes_elf_find(elf, target->function);
    if (!symbol) {
        struct diag_entry *entry = NULL;
        int err = probes_missing(env, point->loc, diag, &entry, "function '%s' not found in %s",
                                 target->function, path);
        if (entry)
            hint_closest(entry, elf, target->function, path);
        return err;
    }
    return add_symbol(point, env, kind, target, path, elf, symbol, out, diag);
}

/* cpp: every function whose C++ name matches, overloads included, as
 * bpftrace does; a name without wildcards that matches none is missing. */
static int expand_cpp(const struct ast_attach_point *point, const struct probe_env *env,
                      const struct probe_kind *kind, const struct uprobe_target *target,
                      const char *path, const struct probe_elf *elf, bool as_pattern,
                      struct vec *out, struct diag *diag)
{
    size_t first = out->count;
    for (size_t i = 0; i < elf->functions.count; i++) {
        const struct probe_elf_symbol *symbol = vec_get(&elf->functions, i);
        const char *demangled = probes_uprobe_demangle(env->arena, symbol->name);
        if (!probes_uprobe_cpp_match(target->function, symbol->name, demangled))
            continue;
        int err = add_symbol(point, env, kind, target, path, elf, symbol, out, diag);
        if (err)
            return err;
    }
    if (out->count > first || as_pattern || probes_has_wildcard(target->function))
        return 0;
    struct diag_entry *entry = NULL;
    int err = probes_missing(env, point->loc, diag, &entry, "C++ function '%s' not found in %s",
                             target->function, path);
    if (entry)
        diag_hint(entry, "list its C++ functions with: sonde -l 'uprobe:%s:cpp:*'", path);
    return err;
}

/* The instances for one file; `as_pattern`: the function is matched as a
 * glob even without wildcards, and a file that cannot be read is skipped. */
static int expand_file(const struct ast_attach_point *point, const struct probe_env *env,
                       const struct probe_kind *kind, const struct uprobe_target *target,
                       const char *path, bool as_pattern, struct vec *out, struct diag *diag)
{
    struct probe_elf elf;
    const char *error = NULL;
    int err = probes_elf_read(env->arena, path, &elf, &error);
    if (err) {
        if (as_pattern)
            return 0;
        diag_error(diag, point->loc, "cannot read the symbols of %s: %s", path, error);
        return err;
    }
    if (target->by_address)
        err = expand_address(point, env, kind, target, path, &elf, out, diag);
    else if (target->cpp)
        err = expand_cpp(point, env, kind, target, path, &elf, as_pattern, out, diag);
    else if (!as_pattern && !probes_has_wildcard(target->function))
        err = expand_symbol(point, env, kind, target, path, &elf, out, diag);
    else
        for (size_t i = 0; i < elf.functions.count; i++) {
            const struct probe_elf_symbol *symbol = vec_get(&elf.functions, i);
            if (probes_glob_match(target->function, symbol->name))
                vec_push(out,
                         make_instance(env, kind, path, symbol->name, "", symbol->file_offset));
        }
    probes_elf_free(&elf);
    return err;
}

/* The files a binary name stands for: one, or with -p and `*`, all the process maps. */
static int binary_files(const struct ast_attach_point *point, const struct probe_env *env,
                        const char *binary, struct vec *files, struct diag *diag)
{
    if (strcmp(binary, "*") == 0) {
        if (env->target_pid <= 0) {
            struct diag_entry *entry =
                diag_error(diag, point->loc, "'*' as the binary of '%s' needs a process (-p PID)",
                           point->text);
            diag_hint(entry, "name the binary or library, e.g. uprobe:libc:malloc");
            return -EINVAL;
        }
        probes_process_objects(env->arena, env->target_pid, files);
        return 0;
    }
    if (probes_has_wildcard(binary)) {
        diag_error(diag, point->loc, "wildcards in the binary of '%s' are not supported",
                   point->text);
        return -EINVAL;
    }
    const char *path = probes_resolve_binary(env->arena, binary, env->target_pid);
    if (!path) {
        struct diag_entry *entry = NULL;
        int err = probes_missing(env, point->loc, diag, &entry, "binary '%s' not found", binary);
        if (entry)
            diag_hint(entry, "give a path, a program on PATH or a library's name (e.g. libc)");
        return err;
    }
    vec_push(files, (void *)path);
    return 0;
}

static int expand_uprobe_kind(const struct ast_attach_point *point, const struct probe_env *env,
                              const struct probe_kind *kind, struct vec *out, struct diag *diag)
{
    struct uprobe_target target = {0};
    if (!parse_target(env->arena, point->target, kind->return_probe, &target)) {
        struct diag_entry *entry = diag_error(
            diag, point->loc, "'%s' must name a binary and a function: %s:binary:%s", point->text,
            kind->name, kind->return_probe ? "function" : "function[+offset]");
        diag_hint(entry, "e.g. %s:/bin/bash:readline or %s:libc:malloc", kind->name, kind->name);
        return -EINVAL;
    }
    struct vec files = {0};
    int err = binary_files(point, env, target.binary, &files, diag);
    bool every_file = strcmp(target.binary, "*") == 0;
    size_t first = out->count;
    for (size_t i = 0; i < files.count && !err; i++)
        err = expand_file(point, env, kind, &target, vec_get(&files, i), every_file, out, diag);
    vec_free(&files);
    if (!err && every_file && out->count == first && !probes_has_wildcard(target.function))
        err = probes_missing(env, point->loc, diag, NULL, "function '%s' not found in process %d",
                             target.function, env->target_pid);
    return err;
}

static int expand_uprobe(const struct ast_attach_point *point, const struct probe_env *env,
                         struct vec *out, struct diag *diag)
{
    return expand_uprobe_kind(point, env, &probe_kind_uprobe, out, diag);
}

static int expand_uretprobe(const struct ast_attach_point *point, const struct probe_env *env,
                            struct vec *out, struct diag *diag)
{
    return expand_uprobe_kind(point, env, &probe_kind_uretprobe, out, diag);
}

/* libbpf takes a bare "uprobe"/"uretprobe" section; the runtime attaches. */
static const char *section_uprobe(const struct probe_instance *instance, struct arena *arena)
{
    return instance->kind->return_probe ? "uretprobe" : "uprobe";
}

static int attach_uprobe(struct bpf_program *program, const struct probe_instance *instance,
                         struct probe_attachment *out, struct diag *diag)
{
    struct bpf_link *link = bpf_program__attach_uprobe(program, instance->kind->return_probe,
                                                       instance->pid > 0 ? instance->pid : -1,
                                                       instance->path, (size_t)instance->offset);
    return probes_keep_link(link, instance, out, diag);
}

/* One line of -l when `symbol` matches; with cpp:, C++ names demangled and
 * quoted, as bpftrace lists them, so that each line works as an attach point. */
static int list_symbol(const struct probe_env *env, const struct probe_kind *kind,
                       const struct uprobe_target *target, const char *path,
                       const struct probe_elf_symbol *symbol, FILE *out)
{
    if (!target->cpp) {
        if (!probes_glob_match(target->function, symbol->name))
            return 0;
        fprintf(out, "%s:%s:%s\n", kind->name, path, symbol->name);
        return 1;
    }
    const char *demangled = probes_uprobe_demangle(env->arena, symbol->name);
    if (!probes_uprobe_cpp_match(target->function, symbol->name, demangled))
        return 0;
    if (demangled)
        fprintf(out, "%s:%s:cpp:\"%s\"\n", kind->name, path, demangled);
    else
        fprintf(out, "%s:%s:cpp:%s\n", kind->name, path, symbol->name);
    return 1;
}

/* Listing needs a binary: "uprobe:/bin/bash:*", "uprobe:libc:mall*", and
 * with -p, "uprobe:*:*" for everything the process maps. */
static int list_kind(const struct probe_env *env, const struct probe_kind *kind,
                     const char *pattern, FILE *out)
{
    size_t prefix = strlen(kind->name) + 1;
    if (!pattern || strncmp(pattern, kind->name, prefix - 1) != 0 || pattern[prefix - 1] != ':')
        return 0;
    struct uprobe_target target = {0};
    if (!parse_target(env->arena, pattern + prefix, false, &target) || target.by_address)
        return 0;
    struct vec files = {0};
    if (strcmp(target.binary, "*") == 0 && env->target_pid > 0) {
        probes_process_objects(env->arena, env->target_pid, &files);
    } else if (!probes_has_wildcard(target.binary)) {
        const char *path = probes_resolve_binary(env->arena, target.binary, env->target_pid);
        if (path)
            vec_push(&files, (void *)path);
    }
    int count = 0;
    for (size_t i = 0; i < files.count; i++) {
        struct probe_elf elf;
        const char *error = NULL;
        if (probes_elf_read(env->arena, vec_get(&files, i), &elf, &error) != 0)
            continue;
        for (size_t j = 0; j < elf.functions.count; j++)
            count += list_symbol(env, kind, &target, vec_get(&files, i), vec_get(&elf.functions, j),
                                 out);
        probes_elf_free(&elf);
    }
    vec_free(&files);
    return count;
}

static int list_uprobes(const struct probe_env *env, const char *pattern, bool verbose, FILE *out)
{
    return list_kind(env, &probe_kind_uprobe, pattern, out);
}

static int list_uretprobes(const struct probe_env *env, const char *pattern, bool verbose,
                           FILE *out)
{
    return list_kind(env, &probe_kind_uretprobe, pattern, out);
}

const struct probe_kind probe_kind_uprobe = {
    .name = "uprobe",
    .aliases = uprobe_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_PT_REGS,
    .program_type = BPF_PROG_TYPE_KPROBE,
    .user_space = true,
    .per_process = true,
    .expand = expand_uprobe,
    .section = section_uprobe,
    .attach = attach_uprobe,
    .list = list_uprobes,
};

const struct probe_kind probe_kind_uretprobe = {
    .name = "uretprobe",
    .aliases = uretprobe_aliases,
    .phase = PHASE_TRACE,
    .context = CONTEXT_PT_REGS,
    .program_type = BPF_PROG_TYPE_KPROBE,
    .return_probe = true,
    .user_space = true,
    .per_process = true,
    .expand = expand_uretprobe,
    .section = section_uprobe,
    .attach = attach_uprobe,
    .list = list_uretprobes,
};
