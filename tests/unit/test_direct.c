/* The direct backend (codegen/direct.c): the scripts people write most are
 * compiled without LLVM's passes and code generator, their objects have the
 * programs and maps LLVM's have (as libbpf reads them), and what it does
 * not translate is declined with a reason. Compiled and opened only: the
 * runtime tests load and run its objects (tests/runtime, runtime/ vs
 * runtime-llvm/). */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>

#include "codegen/codegen.h"
#include "sema_fixture.h"

static const struct sema_options defaults = {.max_strlen = 64};

struct backend_run {
    struct checked checked;
    struct plan plan;
    struct codegen_report report;
    int status;
};

static void compile_with(struct backend_run *run, const char *source, bool llvm_only)
{
    memset(run, 0, sizeof(*run));
    run->status = -1;
    check_with(&run->checked, source, &defaults);
    if (run->checked.status != 0)
        return;
    struct codegen_options options = {.ring_buffer_bytes = 1 << 20,
                                      .max_map_keys = 4096,
                                      .cpu = "v4",
                                      .llvm_only = llvm_only,
                                      .report = &run->report};
    run->status = codegen_compile(run->checked.program, &run->checked.result, &options,
                                  &run->checked.arena, &run->plan, &run->checked.diag);
}

static void release_run(struct backend_run *run)
{
    plan_free(&run->plan);
    release(&run->checked);
}

/* "name:type:key:value:entries" per map and "name:section" per program, as
 * libbpf reads the object. */
static void describe_object(const struct plan *plan, struct strbuf *out)
{
    struct bpf_object *object = bpf_object__open_mem(plan->elf, plan->elf_size, NULL);
    if (!object) {
        strbuf_puts(out, "(does not open)");
        return;
    }
    struct bpf_map *map;
    bpf_object__for_each_map(map, object) /* ".bss" maps are named after the object's address */
        strbuf_printf(out, "%s:%d:%u:%u:%u ",
                      strstr(bpf_map__name(map), ".bss") ? ".bss" : bpf_map__name(map),
                      (int)bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
                      bpf_map__max_entries(map));
    struct bpf_program *program;
    bpf_object__for_each_program(program, object) strbuf_printf(
        out, "%s:%s ", bpf_program__name(program), bpf_program__section_name(program));
    bpf_object__close(object);
}

static void check_direct_like_llvm(const char *source)
{
    struct backend_run direct, llvm;
    compile_with(&direct, source, false);
    compile_with(&llvm, source, true);
    CHECK(direct.status == 0 && llvm.status == 0);
    CHECK(direct.report.direct);
    CHECK(!llvm.report.direct);
    if (!direct.report.direct)
        fprintf(stderr, "  declined: %s\n  for: %s\n", direct.report.direct_note, source);
    struct strbuf direct_text = {0}, llvm_text = {0};
    if (direct.status == 0 && llvm.status == 0) {
        describe_object(&direct.plan, &direct_text);
        describe_object(&llvm.plan, &llvm_text);
        CHECK_STR(strbuf_text(&direct_text), strbuf_text(&llvm_text));
    }
    strbuf_free(&direct_text);
    strbuf_free(&llvm_text);
    release_run(&direct);
    release_run(&llvm);
}

static void test_common_scripts_compile_directly(void)
{
    check_direct_like_llvm("BEGIN { printf(\"hello %d %s\\n\", 42, \"there\"); exit(); }");
    check_direct_like_llvm("BEGIN { @a[1, \"x\"] = 5; @b = count(); @h = hist(300); "
                           "@l = lhist(7, 0, 10, 1); @s = stats(3); @m = max(-2); exit(); }");
    check_direct_like_llvm("interval:ms:10 { @ticks[cpu] = count(); if (@ticks[cpu] > 3) "
                           "{ exit(); } }");
    check_direct_like_llvm("BEGIN { $i = 0; while ($i < 10) { @x[$i] = $i * 3 - 1; $i++; } "
                           "$s = \"abc\"; if ($s == \"abc\") { printf(\"%s\\n\", $s); } }");
    check_direct_like_llvm("BEGIN { $a = (int8)-5; $b = (uint16)70000; $c = $a / 2; "
                           "$d = $a >> 1; printf(\"%d %d %d %d %d\\n\", $a, $b, $c, $d, "
                           "$a < 0 ? 1 : 2); }");
    check_direct_like_llvm("END { @t = (1, \"two\"); print(@t); clear(@t); time(\"%H\\n\"); }");
    check_direct_like_llvm("BEGIN { printf(\"%x %x\\n\", bswap((uint32)0x11223344), "
                           "bswap((uint16)0x1122)); }");
}

static void test_subprograms_go_to_llvm(void)
{
    struct backend_run run;
    compile_with(&run, "BEGIN { @m[1] = 2; for ($kv : @m) { printf(\"%d\\n\", $kv.1); } }", false);
    CHECK(run.status == 0);
    CHECK(!run.report.direct);
    CHECK(strstr(run.report.direct_note, "BPF subprograms") != NULL);
    CHECK(run.plan.elf_size > 0); /* LLVM compiled it */
    release_run(&run);
}

/* The retry after the kernel refuses a direct object compiles the same
 * program again: codegen must leave nothing of the first compile behind. */
static void test_a_program_compiles_twice(void)
{
    const char *source = "BEGIN { $i = 1; $s = \"x\"; @[$s] = $i; exit(); }";
    struct backend_run run;
    compile_with(&run, source, false);
    CHECK(run.status == 0 && run.report.direct);
    plan_free(&run.plan);
    run.plan = (struct plan){0};
    struct codegen_options options = {
        .ring_buffer_bytes = 1 << 20, .max_map_keys = 4096, .cpu = "v4", .llvm_only = true};
    CHECK(codegen_compile(run.checked.program, &run.checked.result, &options, &run.checked.arena,
                          &run.plan, &run.checked.diag) == 0);
    CHECK(run.plan.elf_size > 0);
    release_run(&run);
}

int main(void)
{
    (void)expect_accepted;
    (void)expect_error;
    test_common_scripts_compile_directly();
    test_subprograms_go_to_llvm();
    test_a_program_compiles_twice();
    return TEST_DONE();
}
