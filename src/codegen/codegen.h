/* codegen: the typed AST → one LLVM module → a BPF object in memory, plus the
 * plan the runtime needs to load and decode it. LLVM C API only. */
#ifndef SONDE_CODEGEN_CODEGEN_H
#define SONDE_CODEGEN_CODEGEN_H

#include <stdio.h>

#include "ast/ast.h"
#include "ast/sema.h"
#include "base/arena.h"
#include "base/diag.h"
#include "codegen/plan.h"

struct codegen_options {
    unsigned ring_buffer_bytes; /* power of two, multiple of the page size */
    unsigned max_map_keys;      /* max_entries of hash maps */
    FILE *llvm_ir_out;          /* -d codegen: the optimised IR is written here when set */
    int target_pid;             /* -p: probes not attached to the process alone filter on it */
};

int codegen_compile(struct ast_program *program, const struct sema_result *sema,
                    const struct codegen_options *options, struct arena *arena, struct plan *out,
                    struct diag *diag);

#endif
