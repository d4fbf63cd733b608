/* The whole compile half of the pipeline for unit tests: the type-checker
 * fixture, then codegen into a plan and an ELF object (with the optimised
 * LLVM IR kept as text). Nothing is loaded into the kernel. */
#ifndef SONDE_TESTS_UNIT_COMPILE_FIXTURE_H
#define SONDE_TESTS_UNIT_COMPILE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/codegen.h"
#include "sema_fixture.h"

static const struct sema_options defaults = {.max_strlen = 64};

struct compiled {
    struct checked checked;
    struct plan plan;
    char *ir;
    size_t ir_size;
    int status;
};

static void compile(struct compiled *out, const char *source)
{
    memset(&out->plan, 0, sizeof(out->plan));
    out->ir = NULL;
    out->status = -1;
    check_with(&out->checked, source, &defaults);
    if (out->checked.status != 0)
        return;
    FILE *ir = open_memstream(&out->ir, &out->ir_size);
    struct codegen_options options = {
        .ring_buffer_bytes = 1 << 20, .max_map_keys = 4096, .llvm_ir_out = ir};
    out->status = codegen_compile(out->checked.program, &out->checked.result, &options,
                                  &out->checked.arena, &out->plan, &out->checked.diag);
    fclose(ir);
}

static void release_compiled(struct compiled *compiled)
{
    plan_free(&compiled->plan);
    free(compiled->ir);
    release(&compiled->checked);
}

#endif
