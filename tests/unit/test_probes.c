/* Probe kinds: globbing, the syscall table, interval specs, kind lookup, and
 * (as root, with tracefs) tracepoint expansion and variant grouping. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/probe.h"
#include "probes/registers.h"
#include "probes/syscall.h"
#include "test.h"
#include "types/syscall_table.h"

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

/* `{ <expr>; }`, or `{ }` when expr is NULL. */
static struct ast_stmt *block_of(struct arena *arena, struct ast_expr *expr)
{
    struct ast_stmt *block = ast_stmt_new(arena, STMT_BLOCK, (struct srcloc){1, 1, 1});
    if (expr) {
        struct ast_stmt *statement = ast_stmt_new(arena, STMT_EXPR, expr->loc);
        statement->expr.expr = expr;
        vec_push(&block->block.statements, statement);
    }
    return block;
}

static struct ast_expr *args_field(struct arena *arena, const char *name, int column)
{
    struct ast_expr *base = ast_expr_new(arena, EXPR_IDENTIFIER, (struct srcloc){2, column, 4});
    base->identifier.name = "args";
    struct ast_expr *field = ast_expr_new(arena, EXPR_FIELD, (struct srcloc){2, column, 10});
    field->field.base = base;
    field->field.name = name;
    field->field.arrow = true;
    return field;
}

/* One block `points... { body }` as the whole program. */
static struct ast_program *program_of(struct arena *arena, const char *const *points, size_t count,
                                      struct ast_stmt *body)
{
    struct ast_probe *probe = ARENA_NEW(arena, struct ast_probe);
    for (size_t i = 0; i < count; i++)
        vec_push(&probe->attach_points, attach_point(arena, points[i]));
    probe->body = body;
    struct ast_program *program = ARENA_NEW(arena, struct ast_program);
    vec_push(&program->probes, probe);
    return program;
}

static struct ast_probe *first_probe(struct ast_program *program)
{
    return vec_get(&program->probes, 0);
}

static const struct diag_entry *first_error(const struct diag *diag)
{
    return diag->entries.count ? vec_get(&diag->entries, 0) : NULL;
}

static void test_glob(void)
{
    CHECK(probes_glob_match("*", ""));
    CHECK(probes_glob_match("*", "anything"));
    CHECK(probes_glob_match("sys_enter_*", "sys_enter_read"));
    CHECK(!probes_glob_match("sys_enter_*", "sys_exit_read"));
    CHECK(probes_glob_match("sys_*_read", "sys_exit_read"));
    CHECK(probes_glob_match("sys_enter_re?d", "sys_enter_read"));
    CHECK(!probes_glob_match("sys_enter_re?d", "sys_enter_red"));
    CHECK(probes_glob_match("*read*", "sys_enter_pread64"));
    CHECK(probes_glob_match("a*b*c", "aXbYbZc"));
    CHECK(!probes_glob_match("a*b*c", "aXbYbZ"));
    CHECK(probes_glob_match("exact", "exact"));
    CHECK(!probes_glob_match("exact", "exactly"));
    CHECK(!probes_glob_match("", "x"));
    CHECK(probes_glob_match("**", "x"));
}

static void test_syscall_table(void)
{
    CHECK(syscall_table_number("read") == 0);
    CHECK(syscall_table_number("write") == 1);
    CHECK(syscall_table_number("openat") == 257);
    CHECK(syscall_table_number("newstat") == 4);
    CHECK(syscall_table_number("newfstat") == 5);
    CHECK(syscall_table_number("newlstat") == 6);
    CHECK(syscall_table_number("newuname") == 63);
    CHECK(syscall_table_number("umount") == 166);
    CHECK(syscall_table_number("sys_enter_read") == 0);
    CHECK(syscall_table_number("sys_exit_openat") == 257);
    CHECK(syscall_table_number("no_such_syscall") == -1);
    CHECK_STR(syscall_table_name(0), "read");
    CHECK_STR(syscall_table_name(4), "stat");
    CHECK(syscall_table_name(-5) == NULL);
    CHECK(syscall_table_size() > 300);
}

static void test_register_offsets(void)
{
    /* x86-64 pt_regs: syscall probes use the documented layout without
     * reading BTF; the kernel's BTF (which registers.c reads) must agree. */
    static const int expected[] = {112, 104, 96, 56, 72, 64};
    static const char *const names[] = {"di", "si", "dx", "r10", "r8", "r9"};
    for (int i = 0; i < 6; i++) {
        CHECK(probe_syscall_register_offset(i) == expected[i]);
        CHECK(probe_register_offset(names[i]) == expected[i]);
    }
    CHECK(probe_register_offset("orig_ax") == 120); /* codegen/syscall_hook.c */
    CHECK(probe_syscall_register_offset(6) == -1);
    struct tracepoint_field count = {.name = "count", .offset = 32};
    struct tracepoint_field number = {.name = "__syscall_nr", .offset = 8};
    CHECK(probe_syscall_argument_index(&count) == 2);
    CHECK(probe_syscall_argument_index(&number) == (unsigned)-1);
}

static void test_kind_find(void)
{
    CHECK(probe_kind_find("tracepoint") == &probe_kind_tracepoint);
    CHECK(probe_kind_find("t") == &probe_kind_tracepoint);
    CHECK(probe_kind_find("TRACEPOINT") == &probe_kind_tracepoint);
    CHECK(probe_kind_find("BEGIN") == &probe_kind_begin);
    CHECK(probe_kind_find("begin") == &probe_kind_begin);
    CHECK(probe_kind_find("End") == &probe_kind_end);
    CHECK(probe_kind_find("interval") == &probe_kind_interval);
    CHECK(probe_kind_find("i") == &probe_kind_interval);
    CHECK_STR(probe_kind_find("k")->name, "kprobe");
    CHECK_STR(probe_kind_find("KPROBE")->name, "kprobe");
    CHECK_STR(probe_kind_find("kfunc")->name, "fentry");
    CHECK_STR(probe_kind_find("U")->name, "usdt");
    CHECK_STR(probe_kind_find("u")->name, "uprobe");
    CHECK_STR(probe_kind_find("ur")->name, "uretprobe");
    CHECK(probe_kind_find("nonsense") == NULL);
    CHECK(probe_kind_find("") == NULL);
    /* The syscall kinds are internal: never found by name. */
    for (size_t i = 0; probe_kinds[i]; i++)
        CHECK(probe_kinds[i] != &probe_kind_syscall && probe_kinds[i] != &probe_kind_syscall_exit);
}

/* Expands one interval spec; returns its period or 0 on error. */
static uint64_t interval_period(struct arena *arena, const char *text, const char **name)
{
    struct probe_env env = {.arena = arena};
    struct diag diag;
    struct vec out = {0};
    diag_init(&diag, "test", text);
    int err = probe_kind_interval.expand(attach_point(arena, text), &env, &out, &diag);
    uint64_t period = 0;
    if (err == 0 && out.count == 1) {
        const struct probe_instance *instance = vec_get(&out, 0);
        period = instance->period_ns;
        if (name)
            *name = instance->name;
    }
    CHECK((err == 0) == (diag.error_count == 0));
    vec_free(&out);
    diag_free(&diag);
    return period;
}

static void test_interval(struct arena *arena)
{
    const char *name = NULL;
    CHECK(interval_period(arena, "interval:s:1", &name) == 1000000000ull);
    CHECK_STR(name, "interval:s:1");
    CHECK(interval_period(arena, "i:ms:100", &name) == 100000000ull);
    CHECK_STR(name, "interval:ms:100");
    CHECK(interval_period(arena, "interval:us:5", NULL) == 5000ull);
    CHECK(interval_period(arena, "interval:ns:250", NULL) == 250ull);
    CHECK(interval_period(arena, "interval:hz:99", NULL) == 1000000000ull / 99);
    CHECK(interval_period(arena, "interval:hz:1", NULL) == 1000000000ull);
    CHECK(interval_period(arena, "interval:1s", &name) == 1000000000ull);
    CHECK_STR(name, "interval:1s");
    CHECK(interval_period(arena, "interval:100ms", NULL) == 100000000ull);
    CHECK(interval_period(arena, "interval:5us", NULL) == 5000ull);
    CHECK(interval_period(arena, "interval:2m", NULL) == 120000000000ull);
    CHECK(interval_period(arena, "interval:foo:1", NULL) == 0);
    CHECK(interval_period(arena, "interval:s:0", NULL) == 0);
    CHECK(interval_period(arena, "interval:s:-1", NULL) == 0);
    CHECK(interval_period(arena, "interval:s:1x", NULL) == 0);
    CHECK(interval_period(arena, "interval:s:", NULL) == 0);
    CHECK(interval_period(arena, "interval:1000", NULL) == 1000ull); /* a bare count is ns */
    CHECK(interval_period(arena, "interval:1parsec", NULL) == 0);
    CHECK(interval_period(arena, "interval", NULL) == 0);
    CHECK(interval_period(arena, "interval:hz:2000000000", NULL) == 0);
    CHECK(interval_period(arena, "interval:s:99999999999999999999", NULL) == 0);
}

static void test_unavailable(struct arena *arena)
{
    struct probe_env env = {.arena = arena, .tracefs = "/nonexistent"};
    struct ast_program *program =
        program_of(arena, (const char *[]){"usdt:/bin/sh:probe"}, 1, block_of(arena, NULL));
    struct diag diag;
    diag_init(&diag, "test", "");
    CHECK(probes_expand_program(program, &env, &diag) < 0);
    const struct diag_entry *entry = first_error(&diag);
    CHECK(entry && strcmp(entry->message, "'usdt' probes are not supported by sonde yet") == 0);
    CHECK(entry && entry->hint);
    diag_free(&diag);

    diag_init(&diag, "test", "");
    program = program_of(arena, (const char *[]){"tracepiont:sched:sched_switch"}, 1,
                         block_of(arena, NULL));
    CHECK(probes_expand_program(program, &env, &diag) < 0);
    entry = first_error(&diag);
    CHECK(entry && strcmp(entry->message, "unknown probe type 'tracepiont'") == 0);
    CHECK(entry && entry->hint && strstr(entry->hint, "'tracepoint'"));
    diag_free(&diag);
}

/* Every syscall tracepoint should map to a number; print the ones that do
 * not (they fall back to plain tracepoints) so a new kernel shows up here. */
static void report_unmapped_syscalls(const char *tracefs)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/events/syscalls", tracefs);
    DIR *dir = opendir(path);
    if (!dir)
        return;
    struct dirent *entry;
    int events = 0, unmapped = 0;
    while ((entry = readdir(dir)) != NULL) {
        const char *name = entry->d_name;
        if (strncmp(name, "sys_enter_", 10) != 0 && strncmp(name, "sys_exit_", 9) != 0)
            continue;
        events++;
        if (syscall_table_number(name) < 0) {
            printf("note: syscall tracepoint %s has no number in the table\n", name);
            unmapped++;
        }
    }
    closedir(dir);
    printf("syscall tracepoints: %d, without a number: %d\n", events, unmapped);
    CHECK(events > 600);
    CHECK(unmapped <= 10);
}

static int expand(struct arena *arena, const char *tracefs, const char *const *points, size_t count,
                  struct ast_stmt *body, struct ast_program **program, struct diag *diag)
{
    struct probe_env env = {.arena = arena, .tracefs = tracefs, .syscalls_via_raw = true};
    *program = program_of(arena, points, count, body);
    diag_init(diag, "test", "");
    return probes_expand_program(*program, &env, diag);
}

static void test_expand_single(struct arena *arena, const char *tracefs)
{
    struct ast_program *program;
    struct diag diag;
    int err = expand(arena, tracefs, (const char *[]){"tracepoint:syscalls:sys_enter_read"}, 1,
                     block_of(arena, NULL), &program, &diag);
    CHECK(err == 0);
    struct ast_probe *probe = first_probe(program);
    CHECK(probe->variants.count == 1);
    if (err || probe->variants.count != 1) {
        diag_print(&diag, stderr);
        diag_free(&diag);
        return;
    }
    struct ast_variant *variant = vec_get(&probe->variants, 0);
    CHECK(variant->instances.count == 1);
    const struct probe_instance *instance = vec_get(&variant->instances, 0);
    CHECK(instance->kind == &probe_kind_syscall);
    CHECK_STR(instance->name, "tracepoint:syscalls:sys_enter_read");
    CHECK_STR(instance->category, "syscalls");
    CHECK_STR(instance->event, "sys_enter_read");
    CHECK(instance->syscall_number == 0);
    CHECK(instance->nargs == 3);
    CHECK(instance->format && instance->format->field_count == 4);
    CHECK(variant->args_type == instance->format->args_type);
    CHECK(variant->body == probe->body);
    CHECK_STR(probe_kind_syscall.section(instance, arena), "raw_tracepoint/sys_enter");
    diag_free(&diag);

    err = expand(arena, tracefs, (const char *[]){"t:syscalls:sys_exit_read"}, 1,
                 block_of(arena, NULL), &program, &diag);
    CHECK(err == 0);
    variant = vec_get(&first_probe(program)->variants, 0);
    instance = vec_get(&variant->instances, 0);
    CHECK(instance->kind == &probe_kind_syscall_exit);
    CHECK(instance->nargs == 0);
    CHECK_STR(instance->name, "tracepoint:syscalls:sys_exit_read");
    diag_free(&diag);
}

static void test_expand_wildcard(struct arena *arena, const char *tracefs)
{
    struct ast_program *program;
    struct diag diag;
    int err = expand(arena, tracefs, (const char *[]){"tracepoint:syscalls:sys_enter_*"}, 1,
                     block_of(arena, NULL), &program, &diag);
    CHECK(err == 0);
    struct ast_probe *probe = first_probe(program);
    CHECK(probe->variants.count == 1); /* no args used: one body for all */
    if (probe->variants.count != 1) {
        diag_free(&diag);
        return;
    }
    struct ast_variant *variant = vec_get(&probe->variants, 0);
    size_t syscalls = 0;
    const char *previous = "";
    bool sorted = true;
    for (size_t i = 0; i < variant->instances.count; i++) {
        const struct probe_instance *instance = vec_get(&variant->instances, i);
        syscalls += instance->kind == &probe_kind_syscall;
        sorted &= strcmp(previous, instance->event) < 0;
        previous = instance->event;
    }
    printf("tracepoint:syscalls:sys_enter_* expands to %zu probes, %zu via sys_enter\n",
           variant->instances.count, syscalls);
    CHECK(variant->instances.count >= 300);
    CHECK(syscalls + 10 >= variant->instances.count);
    CHECK(sorted);
    diag_free(&diag);
}

static void test_expand_plain_tracepoint(struct arena *arena, const char *tracefs)
{
    struct ast_program *program;
    struct diag diag;
    int err = expand(arena, tracefs, (const char *[]){"tracepoint:sched:sched_switch"}, 1,
                     block_of(arena, args_field(arena, "prev_comm", 3)), &program, &diag);
    CHECK(err == 0);
    struct ast_probe *probe = first_probe(program);
    if (err || probe->variants.count != 1) {
        CHECK(false);
        diag_free(&diag);
        return;
    }
    struct ast_variant *variant = vec_get(&probe->variants, 0);
    const struct probe_instance *instance = vec_get(&variant->instances, 0);
    CHECK(instance->kind == &probe_kind_tracepoint);
    CHECK(probe->kind == &probe_kind_tracepoint);
    CHECK_STR(instance->name, "tracepoint:sched:sched_switch");
    CHECK_STR(probe_kind_tracepoint.section(instance, arena), "tracepoint/sched/sched_switch");
    CHECK_STR(type_name(arena, type_find_field(variant->args_type, "prev_comm")->type),
              "string[16]");
    diag_free(&diag);
}

static void test_grouping(struct arena *arena, const char *tracefs)
{
    struct ast_program *program;
    struct diag diag;
    /* read and write both have `count` (size_t at 32): one variant. */
    int err = expand(arena, tracefs,
                     (const char *[]){"tracepoint:syscalls:sys_enter_read",
                                      "tracepoint:syscalls:sys_enter_write"},
                     2, block_of(arena, args_field(arena, "count", 5)), &program, &diag);
    CHECK(err == 0);
    CHECK(first_probe(program)->variants.count == 1);
    if (first_probe(program)->variants.count == 1) {
        struct ast_variant *variant = vec_get(&first_probe(program)->variants, 0);
        CHECK(variant->instances.count == 2);
    }
    diag_free(&diag);

    /* openat has no `count`: the error points at the field expression. */
    err = expand(arena, tracefs,
                 (const char *[]){"tracepoint:syscalls:sys_enter_read",
                                  "tracepoint:syscalls:sys_enter_openat"},
                 2, block_of(arena, args_field(arena, "count", 7)), &program, &diag);
    CHECK(err < 0);
    const struct diag_entry *entry = first_error(&diag);
    CHECK(entry &&
          strcmp(entry->message, "tracepoint syscalls:sys_enter_openat has no field 'count'") == 0);
    CHECK(entry && entry->loc.column == 7);
    CHECK(entry && entry->hint);
    diag_free(&diag);

    /* A field every syscall shares, at the same place: still one variant. */
    err = expand(arena, tracefs,
                 (const char *[]){"tracepoint:syscalls:sys_enter_read",
                                  "tracepoint:syscalls:sys_enter_openat",
                                  "tracepoint:syscalls:sys_enter_write"},
                 3, block_of(arena, args_field(arena, "__syscall_nr", 1)), &program, &diag);
    CHECK(err == 0);
    CHECK(first_probe(program)->variants.count == 1); /* same type and offset everywhere */
    diag_free(&diag);

    /* One field name at different offsets splits the block into variants,
     * each with its own copy of the body. */
    struct ast_stmt *body = block_of(arena, args_field(arena, "filename", 1));
    err = expand(arena, tracefs,
                 (const char *[]){"tracepoint:syscalls:sys_enter_openat",
                                  "tracepoint:syscalls:sys_enter_execve"},
                 2, body, &program, &diag);
    CHECK(err == 0); /* filename at 24 in openat, 16 in execve */
    CHECK(first_probe(program)->variants.count == 2);
    if (first_probe(program)->variants.count == 2) {
        struct ast_variant *first = vec_get(&first_probe(program)->variants, 0);
        struct ast_variant *second = vec_get(&first_probe(program)->variants, 1);
        CHECK(first->body == body);
        CHECK(second->body != body && second->body->kind == STMT_BLOCK);
        CHECK(first->args_type != second->args_type);
    }
    diag_free(&diag);
}

static void test_expand_errors(struct arena *arena, const char *tracefs)
{
    struct ast_program *program;
    struct diag diag;
    expand(arena, tracefs, (const char *[]){"tracepoint:syscalls:sys_enter_foo"}, 1,
           block_of(arena, NULL), &program, &diag);
    const struct diag_entry *entry = first_error(&diag);
    CHECK(entry &&
          strcmp(entry->message, "tracepoint 'syscalls:sys_enter_foo' does not exist") == 0);
    CHECK(entry && entry->hint && strstr(entry->hint, "tracepoint:syscalls:sys_enter_"));
    if (entry && entry->hint)
        printf("hint for sys_enter_foo: %s\n", entry->hint);
    diag_free(&diag);

    expand(arena, tracefs, (const char *[]){"tracepoint:foo:*"}, 1, block_of(arena, NULL), &program,
           &diag);
    entry = first_error(&diag);
    CHECK(entry && strcmp(entry->message, "'tracepoint:foo:*' matches no probes") == 0);
    diag_free(&diag);

    expand(arena, tracefs, (const char *[]){"tracepoint:sched"}, 1, block_of(arena, NULL), &program,
           &diag);
    entry = first_error(&diag);
    CHECK(entry && strstr(entry->message, "category and an event"));
    diag_free(&diag);

    expand(arena, tracefs, (const char *[]){"kprobe:vfs_read"}, 1, block_of(arena, NULL), &program,
           &diag);
    entry = first_error(&diag);
    CHECK(entry && strcmp(entry->message, "kprobes are not available on this kernel "
                                          "(CONFIG_KPROBES is not set)") == 0);
    diag_free(&diag);
}

static void test_list(struct arena *arena, const char *tracefs)
{
    struct probe_env env = {.arena = arena, .tracefs = tracefs};
    FILE *sink = fopen("/dev/null", "w");
    int all = probes_list(&env, "tracepoint:*", false, sink);
    int sched = probes_list(&env, "t:sched:*", false, sink);
    int syscalls = probes_list(&env, "tracepoint:syscalls:*", false, sink);
    int one = probes_list(&env, "tracepoint:sched:sched_switch", false, sink);
    int two = probes_list(&env, "tracepoint:sched:sched_switch, t:sched:sched_wakeup", false, sink);
    int software = probes_list(&env, "software:*", false, sink);
    int faults = probes_list(&env, "s:*faults*", false, sink);
    int kprobes = probes_list(&env, "kprobe:*", false, sink);
    fclose(sink);
    CHECK(all > syscalls && syscalls > 600);
    CHECK(sched > 10);
    CHECK(one == 1);
    CHECK(two == 2);
    CHECK(software == 11);
    CHECK(faults == 5); /* page, minor, major, alignment, emulation */
    CHECK(kprobes == 0); /* none on a kernel without kprobes; this test runs on one */
}

int main(void)
{
    struct arena arena;
    arena_init(&arena);
    test_glob();
    test_syscall_table();
    test_register_offsets();
    test_kind_find();
    test_interval(&arena);
    test_unavailable(&arena);

    struct diag diag;
    diag_init(&diag, "test", "");
    const char *tracefs = geteuid() == 0 ? probes_tracefs_path(&diag) : NULL;
    if (tracefs) {
        report_unmapped_syscalls(tracefs);
        test_expand_single(&arena, tracefs);
        test_expand_wildcard(&arena, tracefs);
        test_expand_plain_tracepoint(&arena, tracefs);
        test_grouping(&arena, tracefs);
        test_expand_errors(&arena, tracefs);
        test_list(&arena, tracefs);
    } else {
        printf("note: not root or no tracefs: tracepoint expansion checks skipped\n");
    }
    diag_free(&diag);
    arena_free(&arena);
    return TEST_DONE();
}
