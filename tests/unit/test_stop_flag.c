/* The stop flag (codegen/programs.c): every traced program tests the global
 * variable first, BEGIN and END do not; libbpf finds it, with the BTF it
 * needs, in the object's ".bss" map. Compiled and opened only, no kernel. */
#define _GNU_SOURCE
#include <stdlib.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "codegen/codegen.h"
#include "compile_fixture.h"

/* The body of function `name` in the IR text, up to its closing brace. */
static char *function_body(const char *ir, const char *name)
{
    char header[128];
    snprintf(header, sizeof(header), "@%s(", name);
    const char *start = strstr(ir, header);
    const char *end = start ? strstr(start, "\n}\n") : NULL;
    return end ? strndup(start, (size_t)(end - start)) : NULL;
}

static void test_traced_programs_test_the_flag_first(void)
{
    struct compiled compiled;
    compile(&compiled, "BEGIN { @b = 1; } interval:ms:100 { @x = count(); } "
                       "profile:hz:99 /cpu == 0/ { @p = count(); } END { @e = 1; }");
    CHECK(compiled.status == 0);
    CHECK_STR(compiled.plan.stop_flag, CODEGEN_STOP_FLAG);
    CHECK(compiled.plan.programs.count == 4);
    for (size_t i = 0; compiled.status == 0 && i < compiled.plan.programs.count; i++) {
        const struct plan_program *program = vec_get(&compiled.plan.programs, i);
        char *body = function_body(compiled.ir, program->function_name);
        CHECK(body != NULL);
        if (!body)
            continue;
        bool traced = program->kind->phase == PHASE_TRACE;
        /* Volatile: read anew by every event, never folded to its initial zero. */
        const char *load = strstr(body, "load volatile i64, ptr @" CODEGEN_STOP_FLAG);
        CHECK(traced ? load != NULL : load == NULL);
        /* Before anything else: no helper call precedes the test. */
        const char *call = strstr(body, "call ");
        CHECK(!traced || !call || (load && load < call));
        free(body);
    }
    release_compiled(&compiled);
}

/* libbpf makes an internal map of ".bss"; the runtime finds the flag's
 * offset through the DATASEC the debug info became. */
static void test_libbpf_sees_the_flag_with_its_btf(void)
{
    struct compiled compiled;
    compile(&compiled, "interval:ms:100 { @x = count(); }");
    CHECK(compiled.status == 0);
    struct bpf_object *object =
        compiled.status == 0 ? bpf_object__open_mem(compiled.plan.elf, compiled.plan.elf_size, NULL)
                             : NULL;
    CHECK(object != NULL);
    if (object) {
        struct bpf_map *map = bpf_object__find_map_by_name(object, ".bss");
        CHECK(map != NULL && bpf_map__value_size(map) >= 8);
        const struct btf *btf = bpf_object__btf(object);
        int section = btf ? btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC) : -1;
        CHECK(section > 0);
        bool found = false;
        if (section > 0) {
            const struct btf_type *datasec = btf__type_by_id(btf, (unsigned)section);
            const struct btf_var_secinfo *entry = btf_var_secinfos(datasec);
            for (unsigned i = 0; i < btf_vlen(datasec); i++, entry++) {
                const struct btf_type *variable = btf__type_by_id(btf, entry->type);
                const char *name = btf__name_by_offset(btf, variable->name_off);
                found |= strcmp(name, CODEGEN_STOP_FLAG) == 0 && entry->size == 8;
            }
        }
        CHECK(found);
        bpf_object__close(object);
    }
    release_compiled(&compiled);
}

int main(void)
{
    (void)expect_accepted; /* the fixture's checks of sema alone are not needed here */
    (void)expect_error;
    test_traced_programs_test_the_flag_first();
    test_libbpf_sees_the_flag_with_its_btf();
    return TEST_DONE();
}
