/* Listing: kernel types by name and their definitions from a BTF built
 * here (`sonde -l 'struct task*'`, `sonde -lv 'struct task_struct'`), and
 * the probes of a program (`sonde -l -e PROGRAM`), for probe kinds that need
 * no kernel. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "ast/config.h"
#include "front/parse.h"
#include "probes/list_program.h"
#include "probes/probe.h"
#include "test.h"
#include "types/btf_print.h"

/* struct task { int pid; struct task *parent; struct sig s; }, struct
 * task_group (only declared), struct sig { int nr; }, union value
 * { int i; long l; }, enum state { RUNNING = 0, STOPPED = 4 }, and a
 * struct with no name. */
static struct btf *sample_btf(void)
{
    struct btf *btf = btf__new_empty();
    int int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
    int long_id = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
    int sig_id = btf__add_struct(btf, "sig", 4);
    btf__add_field(btf, "nr", int_id, 0, 0);
    /* Members follow their struct directly: the pointer to `task` is
     * made first, to the id `task` is about to get. */
    int pointer_id = btf__add_ptr(btf, sig_id + 2);
    btf__add_struct(btf, "task", 24);
    btf__add_field(btf, "pid", int_id, 0, 0);
    btf__add_field(btf, "parent", pointer_id, 64, 0);
    btf__add_field(btf, "s", sig_id, 128, 0);
    btf__add_fwd(btf, "task_group", BTF_FWD_STRUCT);
    btf__add_union(btf, "value", 8);
    btf__add_field(btf, "i", int_id, 0, 0);
    btf__add_field(btf, "l", long_id, 0, 0);
    btf__add_enum(btf, "state", 4);
    btf__add_enum_value(btf, "RUNNING", 0);
    btf__add_enum_value(btf, "STOPPED", 4);
    btf__add_struct(btf, NULL, 4);
    btf__add_field(btf, "x", int_id, 0, 0);
    return btf;
}

static char *print_types(const struct btf *btf, const char *pattern, bool verbose, int *count)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    *count = btf_print_types(btf, pattern, verbose, out);
    fclose(out);
    return text;
}

static void test_type_patterns(void)
{
    CHECK(btf_print_is_type_pattern("struct task_struct"));
    CHECK(btf_print_is_type_pattern("union *"));
    CHECK(btf_print_is_type_pattern("enum pid*"));
    CHECK(!btf_print_is_type_pattern("tracepoint:sched:*"));
    CHECK(!btf_print_is_type_pattern("structure"));
    CHECK(!btf_print_is_type_pattern(NULL));
}

static void test_type_names(const struct btf *btf)
{
    int count = 0;
    char *text = print_types(btf, "struct *", false, &count);
    /* Sorted; the declared-only struct has a name, the anonymous one none. */
    CHECK_STR(text, "struct sig\nstruct task\n");
    CHECK(count == 2);
    free(text);
    text = print_types(btf, "*a*", false, &count);
    CHECK_STR(text, "enum state\nstruct task\nunion value\n");
    free(text);
    text = print_types(btf, "struct nothing*", false, &count);
    CHECK_STR(text, "");
    CHECK(count == 0);
    free(text);
}

static void test_type_definitions(const struct btf *btf)
{
    int count = 0;
    /* Only the definition asked for, not `struct sig` that it embeds. */
    char *text = print_types(btf, "struct task", true, &count);
    CHECK_STR(text, "struct task {\n\tint pid;\n\tstruct task *parent;\n\tstruct sig s;\n};\n\n");
    CHECK(count == 1);
    free(text);
    text = print_types(btf, "union value", true, &count);
    CHECK_STR(text, "union value {\n\tint i;\n\tlong l;\n};\n\n");
    free(text);
    text = print_types(btf, "enum state", true, &count);
    CHECK_STR(text, "enum state {\n\tRUNNING = 0,\n\tSTOPPED = 4,\n};\n\n");
    free(text);
    /* Several, in name order; sig is written before task by btf_dump. */
    text = print_types(btf, "struct *", true, &count);
    CHECK_STR(text, "struct sig {\n\tint nr;\n};\n\n"
                    "struct task {\n\tint pid;\n\tstruct task *parent;\n\tstruct sig s;\n};\n\n");
    CHECK(count == 2);
    free(text);
}

/* Parse and expand `source`, then list its probes. */
static char *list_program(const char *source, bool verbose)
{
    struct arena arena;
    arena_init(&arena);
    struct diag diag;
    diag_init(&diag, "test.bt", source);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct ast_program *program = front_parse(source, &arena, &diag);
    struct probe_env env = {.arena = &arena, .tracefs = "/nonexistent", .skip_kernel_checks = true};
    if (program && probes_expand_program(program, &env, &diag) == 0)
        probes_list_program(program, verbose, out);
    else
        fputs("(error)", out);
    fclose(out);
    diag_free(&diag);
    arena_free(&arena);
    return text;
}

static void test_program_probes(void)
{
    /* Block by block, attach point by attach point, as written. */
    char *text = list_program("END { } interval:s:2, interval:ms:5 { } BEGIN { }", false);
    CHECK_STR(text, "END\ninterval:s:2\ninterval:ms:5\nBEGIN\n");
    free(text);
    /* Software events as `sonde -l` lists them: without the count. */
    text = list_program("software:faults:100, s:cs { } profile:hz:99 { }", true);
    CHECK_STR(text, "software:faults:\nsoftware:cs:\nprofile:hz:99\n");
    free(text);
    text = list_program("nosuch:thing { }", false);
    CHECK_STR(text, "(error)");
    free(text);
}

static void test_script_argument(void)
{
    char path[] = "/tmp/sonde-listing-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(probes_list_arg_is_script(path));
    CHECK(!probes_list_arg_is_script("/tmp")); /* a directory is no script */
    CHECK(!probes_list_arg_is_script("tracepoint:sched:*"));
    CHECK(!probes_list_arg_is_script(NULL));
    close(fd);
    unlink(path);
}

int main(void)
{
    struct btf *btf = sample_btf();
    test_type_patterns();
    test_type_names(btf);
    test_type_definitions(btf);
    btf__free(btf);
    test_program_probes();
    test_script_argument();
    return TEST_DONE();
}
