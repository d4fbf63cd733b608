/* strerror(), syscall_name(), signal_name(), cgroup_path() and bswap():
 * their argument checks with the exact place of each error, the types they
 * give, and the text user space prints for their numbers. */
#define _GNU_SOURCE
#include "output/cgroup_path.h"
#include "output/names.h"
#include "output/resolved.h"
#define SEMA_FIXTURE_CHECKS
#include "sema_fixture.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct sema_options options = {.max_strlen = 64};

/* The type of the first printf argument, or of @x, after checking
 * `source`, described; "" when rejected. */
static const char *type_of(const char *source, char *out, size_t size)
{
    struct checked checked;
    check_with(&checked, source, &options);
    const struct type *type = first_printf_arg_type(&checked);
    for (size_t i = 0; checked.status == 0 && i < checked.result.maps.count; i++) {
        const struct sema_map *map = vec_get(&checked.result.maps, i);
        if (strcmp(map->name, "@x") == 0)
            type = map->value;
    }
    describe_type(type, out, size);
    release(&checked);
    return out;
}

static void test_accepted_uses(void)
{
    accepts("BEGIN { printf(\"%s %s %s\\n\", strerror(2), syscall_name(0), signal_name(9)); }");
    accepts("BEGIN { @[strerror(-13)] = count(); @s[syscall_name(1), signal_name(2)] = 1; }");
    accepts("BEGIN { print(strerror(2)); $e = strerror(5); print($e); @v = signal_name(15); }");
    accepts("BEGIN { printf(\"%s\\n\", cgroup_path(cgroup)); @[cgroup_path(cgroup, \"unified\")] "
            "= count(); }");
    accepts("BEGIN { print(bswap((uint16)0x1234)); @[bswap(pid)] = count(); }");
}

static void test_argument_errors(void)
{
    rejects("BEGIN { print(strerror()); }", 15, "strerror() takes 1 argument, got 0");
    rejects("BEGIN { print(strerror(1, 2)); }", 15, "strerror() takes 1 argument, got 2");
    rejects("BEGIN { print(strerror(\"ENOENT\")); }", 24,
            "strerror() takes an integer errno value, got string[7]");
    rejects("BEGIN { print(syscall_name(comm)); }", 28,
            "syscall_name() takes an integer syscall number, got string[16]");
    rejects("BEGIN { print(signal_name(\"SIGKILL\")); }", 27,
            "signal_name() takes an integer signal number");
    rejects("BEGIN { print(cgroup_path(\"/sys/fs/cgroup\")); }", 27,
            "cgroup_path() takes an integer cgroup id, got string[15]");
    rejects("BEGIN { print(cgroup_path(cgroup, comm)); }", 35,
            "cgroup_path()'s filter must be a string literal");
    rejects("BEGIN { print(cgroup_path(cgroup, \"a\", \"b\")); }", 15,
            "cgroup_path() takes at most 2 arguments, got 3");
    rejects("BEGIN { print(cgroup_path()); }", 15, "cgroup_path() takes at least 1 argument");
    rejects("BEGIN { print(bswap(comm)); }", 21, "bswap() takes an integer value, got string[16]");
    rejects("BEGIN { print(bswap()); }", 15, "bswap() takes 1 argument, got 0");
    rejects("BEGIN { print(bswap(1, 2)); }", 15, "bswap() takes 1 argument, got 2");
    rejects("BEGIN { printf(\"%d\\n\", strerror(1)); }", 24, "expects an integer");
}

static void test_result_types(void)
{
    char type[64];
    CHECK_STR(type_of("BEGIN { printf(\"%d\", bswap((uint8)1)); }", type, sizeof(type)), "uint8");
    CHECK_STR(type_of("BEGIN { printf(\"%d\", bswap((int16)-2)); }", type, sizeof(type)), "uint16");
    CHECK_STR(type_of("BEGIN { printf(\"%d\", bswap((uint32)1)); }", type, sizeof(type)), "uint32");
    CHECK_STR(type_of("BEGIN { printf(\"%d\", bswap(1)); }", type, sizeof(type)), "uint64");
    CHECK_STR(type_of("BEGIN { @x = strerror(1); }", type, sizeof(type)), "strerror text");
    CHECK_STR(type_of("BEGIN { @x = cgroup_path(1); }", type, sizeof(type)), "cgroup_path_t");
    /* Texts of different tables, or paths with different filters, do not mix. */
    CHECK_STR(type_of("BEGIN { @x = strerror(1); @x = signal_name(1); }", type, sizeof(type)), "");
    CHECK_STR(type_of("BEGIN { @x = cgroup_path(1); @x = cgroup_path(1, \"unified\"); }", type,
                      sizeof(type)),
              "");
}

static const char *text_of(void (*format)(int64_t, struct strbuf *), int64_t number)
{
    static char text[128];
    struct strbuf out = {0};
    format(number, &out);
    snprintf(text, sizeof(text), "%s", strbuf_text(&out));
    strbuf_free(&out);
    return text;
}

static void test_errno_texts(void)
{
    CHECK_STR(text_of(output_errno_text, 0), "Success");
    CHECK_STR(text_of(output_errno_text, 2), "No such file or directory");
    CHECK_STR(text_of(output_errno_text, -2), "No such file or directory");
    CHECK_STR(text_of(output_errno_text, 9), "Bad file number"); /* the kernel's words */
    CHECK_STR(text_of(output_errno_text, 11), "Try again (operation would block)");
    CHECK_STR(text_of(output_errno_text, 41), "Unknown error"); /* no errno 41 */
    CHECK_STR(text_of(output_errno_text, 133), "Memory page has hardware error");
    CHECK_STR(text_of(output_errno_text, 134), "Unknown error");
    /* The argument is an int: only the low 32 bits count. */
    CHECK_STR(text_of(output_errno_text, (1LL << 32) | 13), "Permission denied");
}

static void test_syscall_and_signal_texts(void)
{
#if defined(__x86_64__)
    CHECK_STR(text_of(output_syscall_text, 0), "read");
    CHECK_STR(text_of(output_syscall_text, 257), "openat");
    CHECK_STR(text_of(output_syscall_text, 512), "rt_sigaction"); /* x32 */
    CHECK_STR(text_of(output_syscall_text, 547), "pwritev2");
    CHECK_STR(text_of(output_syscall_text, 548), "Unknown syscall");
#endif
    CHECK_STR(text_of(output_syscall_text, -1), "Unknown syscall");
    CHECK_STR(text_of(output_syscall_text, 100000), "Unknown syscall");
    CHECK_STR(text_of(output_signal_text, 9), "Killed");
    CHECK_STR(text_of(output_signal_text, 2), "Interrupt");
    CHECK_STR(text_of(output_signal_text, 31), "Bad system call");
    CHECK_STR(text_of(output_signal_text, 0), "Unknown signal 0");
    CHECK_STR(text_of(output_signal_text, 32), "Unknown signal 32");
    CHECK_STR(text_of(output_signal_text, 34), "Real-time signal 0");
    CHECK_STR(text_of(output_signal_text, 64), "Real-time signal 30");
    CHECK_STR(text_of(output_signal_text, 65), "N/A");
    CHECK_STR(text_of(output_signal_text, -1), "N/A");
}

static void test_resolved_values(void)
{
    struct type errno_text = {.kind = TYPE_NUMBER_NAME, .size = 8, .align = 8, .name = "strerror"};
    struct type syscall = {.kind = TYPE_NUMBER_NAME, .size = 8, .align = 8, .name = "syscall_name"};
    struct type signal = {.kind = TYPE_NUMBER_NAME, .size = 8, .align = 8, .name = "signal_name"};
    uint64_t two = 2, fifteen = 15;
    struct strbuf out = {0};
    CHECK(output_is_resolved(&errno_text) && output_is_resolved(&signal));
    output_format_resolved(&errno_text, &two, 4, &out);
    strbuf_putc(&out, '|');
    output_format_resolved(&syscall, &two, 4, &out);
    strbuf_putc(&out, '|');
    output_format_resolved(&signal, &fifteen, 4, &out);
#if defined(__x86_64__)
    CHECK_STR(strbuf_text(&out), "No such file or directory|open|Terminated");
#endif
    strbuf_free(&out);
}

static uint64_t inode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static const char *cgroup_text(const char *mountinfo, uint64_t id, const char *filter)
{
    static char text[512];
    struct strbuf out = {0};
    output_cgroup_path_in(mountinfo, id, filter, &out);
    snprintf(text, sizeof(text), "%s", strbuf_text(&out));
    strbuf_free(&out);
    return text;
}

/* Directories stand in for cgroups: a cgroup id is its directory's inode. */
static void test_cgroup_paths(void)
{
    char root[] = "/tmp/sonde-cgroup-test-XXXXXX";
    if (!mkdtemp(root)) {
        CHECK(!"mkdtemp");
        return;
    }
    char v2[64], v1[64], job[128], other[128], mountinfo[128];
    snprintf(v2, sizeof(v2), "%s/unified", root);
    snprintf(v1, sizeof(v1), "%s/my cpu", root); /* a space: \040 in mountinfo */
    snprintf(job, sizeof(job), "%s/system.slice/job.scope", v2);
    snprintf(other, sizeof(other), "%s/system.slice", v2);
    mkdir(v2, 0755);
    mkdir(v1, 0755);
    mkdir(other, 0755);
    mkdir(job, 0755);
    snprintf(mountinfo, sizeof(mountinfo), "%s/mountinfo", root);
    FILE *file = fopen(mountinfo, "w");
    fprintf(file, "21 26 0:20 / /proc rw,relatime - proc proc rw\n");
    fprintf(file, "31 30 0:28 / %s/my\\040cpu rw,relatime shared:9 - cgroup cgroup rw,cpu\n", root);
    fprintf(file, "40 30 0:37 / %s rw,relatime - cgroup2 cgroup2 rw\n", v2);
    fclose(file);

    char expected[512];
    CHECK_STR(cgroup_text(mountinfo, inode_of(job), "*"), "unified:/system.slice/job.scope");
    CHECK_STR(cgroup_text(mountinfo, inode_of(other), "unified"), "unified:/system.slice");
    /* Each hierarchy's root is "/"; cgroup v2 comes first. */
    snprintf(expected, sizeof(expected), "unified:/");
    CHECK_STR(cgroup_text(mountinfo, inode_of(v2), NULL), expected);
    CHECK_STR(cgroup_text(mountinfo, inode_of(v1), "my*"), "my cpu:/");
    CHECK_STR(cgroup_text(mountinfo, inode_of(job), "cpu"), "");
    CHECK_STR(cgroup_text(mountinfo, 0, "*"), "");
    /* A remembered path is checked again: a renamed cgroup shows its new path. */
    char renamed[160];
    snprintf(renamed, sizeof(renamed), "%s/system.slice/renamed.scope", v2);
    uint64_t job_id = inode_of(job);
    CHECK(rename(job, renamed) == 0);
    CHECK_STR(cgroup_text(mountinfo, job_id, "unified"), "unified:/system.slice/renamed.scope");
    CHECK(rename(renamed, job) == 0);

    rmdir(job);
    rmdir(other);
    rmdir(v2);
    rmdir(v1);
    unlink(mountinfo);
    rmdir(root);
}

int main(void)
{
    test_accepted_uses();
    test_argument_errors();
    test_result_types();
    test_errno_texts();
    test_syscall_and_signal_texts();
    test_resolved_values();
    test_cgroup_paths();
    return TEST_DONE();
}
