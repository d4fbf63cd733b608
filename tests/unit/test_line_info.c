/* BPF line info (codegen/module.c) and reading a verifier rejection back to
 * the script's line:col (runtime/verifier_lines.c). Every BPF function gets a
 * DISubprogram and its instructions the script's lines, so the object has
 * .BTF.ext func_info and line_info that libbpf accepts and a BTF string
 * table holding the script's own lines. Compiled and opened only, no kernel. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "codegen/codegen.h"
#include "runtime/verifier_lines.h"
#include "compile_fixture.h"

static const char script[] = "BEGIN\n"
                             "{\n"
                             "    @a[1] = 1;\n"
                             "    $x = 2;\n"
                             "    @b = $x + 1;\n"
                             "    for ($kv : @a) { @c = $kv.1 * 3; }\n"
                             "}\n"
                             "END { @d = 4; }\n";

/* Each function's BTF FUNC has a FUNC_PROTO: the kernel checks func_info. */
static bool has_function(const struct btf *btf, const char *name)
{
    int id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
    if (id <= 0)
        return false;
    const struct btf_type *function = btf__type_by_id(btf, (unsigned)id);
    const struct btf_type *prototype = btf__type_by_id(btf, function->type);
    return prototype && btf_is_func_proto(prototype);
}

static void test_libbpf_opens_the_line_info(void)
{
    struct compiled compiled;
    compile(&compiled, script);
    CHECK(compiled.status == 0);
    if (compiled.status != 0)
        return;
    /* The file is the script's, with its text, and each function has a scope. */
    CHECK(strstr(compiled.ir, "!DIFile(filename: \"test.bt\"") != NULL);
    CHECK(strstr(compiled.ir, "distinct !DISubprogram(name: \"probe0_0\"") != NULL);
    CHECK(strstr(compiled.ir, "distinct !DISubprogram(name: \"sonde_for_0\"") != NULL);
    CHECK(strstr(compiled.ir, "!DILocation(line: 5, column: 5") != NULL); /* @b = */
    /* The kernel quotes the script's own line from the BTF strings. */
    CHECK(memmem(compiled.plan.elf, compiled.plan.elf_size, "    @b = $x + 1;",
                 strlen("    @b = $x + 1;") + 1) != NULL);

    struct bpf_object *object =
        bpf_object__open_mem(compiled.plan.elf, compiled.plan.elf_size, NULL);
    CHECK(object != NULL);
    const struct btf *btf = object ? bpf_object__btf(object) : NULL;
    CHECK(btf != NULL);
    for (size_t i = 0; btf && i < compiled.plan.programs.count; i++) {
        const struct plan_program *program = vec_get(&compiled.plan.programs, i);
        CHECK(has_function(btf, program->function_name));
    }
    CHECK(btf && has_function(btf, "sonde_for_0"));
    if (object)
        bpf_object__close(object);
    release_compiled(&compiled);
}

static void test_columns_come_from_the_object(void)
{
    struct compiled compiled;
    compile(&compiled, script);
    CHECK(compiled.status == 0);
    if (compiled.status != 0)
        return;
    const void *elf = compiled.plan.elf;
    size_t size = compiled.plan.elf_size;
    /* No instruction known: the first column the line info gives the line. */
    CHECK(verifier_line_column(elf, size, "probe0_0", 5, -1) == 5);
    /* END's setup is the probe's (column 1), its statement at column 7. END
     * shares BEGIN's section: its indices count from its own start. */
    CHECK(verifier_line_column(elf, size, "probe1_1", 8, -1) == 1);
    /* Past END's own code (a subprogram libbpf appends): the line's first column. */
    bool statement_seen = false, others = false;
    for (int i = 0; i < 64; i++) {
        int column = verifier_line_column(elf, size, "probe1_1", 8, i);
        statement_seen |= column == 7;
        others |= column != 7 && column != 1;
    }
    CHECK(statement_seen);
    CHECK(!others);
    /* An index past the program (in a subprogram): the line's first column anywhere. */
    CHECK(verifier_line_column(elf, size, "probe0_0", 6, 1000) == 5);
    /* Lines with no code, and unknown programs, say nothing. */
    CHECK(verifier_line_column(elf, size, "probe1_1", 99, -1) == 0);
    CHECK(verifier_line_column(elf, size, "nosuchprogram", 5, -1) == 0);
    CHECK(verifier_line_column("not an object", 13, "probe0_0", 5, -1) == 0);
    release_compiled(&compiled);
}

static void test_the_script_is_embedded(void)
{
    struct compiled compiled;
    compile(&compiled, "BEGIN { @x = 1; }");
    CHECK(compiled.status == 0);
    /* Quoted lines come from this text, not from a file the kernel cannot see. */
    CHECK(compiled.ir && strstr(compiled.ir, "source: \"BEGIN { @x = 1; }\"") != NULL);
    release_compiled(&compiled);
}

static const char infinite_loop_log[] =
    "arg#0 reference type('UNKNOWN ') size cannot be determined: -22\n"
    "0: R1=ctx() R10=fp0\n"
    "; BEGIN @ prog.bt:1\n"
    "0: (62) *(u32 *)(r10 -4) = 0          ; R10=fp0 fp-8=0000????\n"
    "6: (15) if r0 == 0x0 goto pc+1        ; R0=map_value(map=sonde_scratch,ks=4,vs=24)\n"
    "; while (1) { } @ prog.bt:3\n"
    "7: (05) goto pc-1\n"
    "7: (05) goto pc-1\n"
    "infinite loop detected at insn 7\n"
    "cur state: R0=map_value(map=sonde_scratch,ks=4,vs=24) R10=fp0\n"
    "old state: R0=map_value(map=sonde_scratch,ks=4,vs=24) R10=fp0\n"
    "processed 9 insns (limit 1000000) max_states_per_insn 0 total_states 1\n";

static const char bad_access_log[] = "; @x = 1; @y[@a] = 2; @ prog.bt:2\n"
                                     "4: (79) r1 = *(u64 *)(r2 +0)\n"
                                     "; $v = *$p; @ prog.bt:7\n"
                                     "5: (79) r1 = *(u64 *)(r1 +0)\n"
                                     "R1 invalid mem access 'scalar'\n"
                                     "verification time 12 usec\n"
                                     "stack depth 8\n";

static void test_the_log_gives_line_instruction_and_reason(void)
{
    struct verifier_stop stop;
    verifier_log_stop(infinite_loop_log, strlen(infinite_loop_log), &stop);
    CHECK(stop.line == 3);
    CHECK(stop.instruction == 7);
    CHECK_STR(stop.reason, "infinite loop detected at insn 7");

    verifier_log_stop(bad_access_log, strlen(bad_access_log), &stop);
    CHECK(stop.line == 7);
    CHECK(stop.instruction == 5);
    CHECK_STR(stop.reason, "R1 invalid mem access 'scalar'");

    /* A program without line info: no line, still the reason. */
    static const char bare[] = "0: (b7) r0 = 0\n1: (95) exit\nR0 !read_ok\n";
    verifier_log_stop(bare, strlen(bare), &stop);
    CHECK(stop.line == 0);
    CHECK(stop.instruction == 1);
    CHECK_STR(stop.reason, "R0 !read_ok");
}

int main(void)
{
    (void)expect_accepted;
    (void)expect_error;
    test_libbpf_opens_the_line_info();
    test_columns_come_from_the_object();
    test_the_script_is_embedded();
    test_the_log_gives_line_instruction_and_reason();
    return TEST_DONE();
}
