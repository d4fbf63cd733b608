/* codegen: the typed AST → one LLVM module → a BPF object in memory, plus the
 * plan the runtime needs to load and decode it. LLVM C API only. */
#ifndef SONDE_CODEGEN_CODEGEN_H
#define SONDE_CODEGEN_CODEGEN_H

#include <stdbool.h>
#include <stdio.h>

#include "ast/ast.h"
#include "ast/sema.h"
#include "base/arena.h"
#include "base/diag.h"
#include "codegen/plan.h"

/* The global variable probes test before anything else (plan.stop_flag). */
#define CODEGEN_STOP_FLAG "sonde_stopping"

struct codegen_options {
    unsigned ring_buffer_bytes; /* power of two, multiple of the page size */
    unsigned max_map_keys;      /* max_entries of hash maps */
    FILE *llvm_ir_out;          /* -d codegen: the optimised IR is written here when set */
    int target_pid;             /* -p: probes not attached to the process alone filter on it */
    const char *cpu;            /* BPF instruction set for LLVM's -mcpu: "v4" or "v3" (NULL) */
    const char *cache_dir;      /* object cache directory; NULL: compile every time */
    const char *cache_off_why;  /* with cache_dir NULL: why, for -v */
    bool llvm_only;             /* never the direct backend (codegen/direct.h) */
    struct codegen_report *report; /* optional: filled with what happened, for -v */
};

/* What codegen_compile did, for -v. */
struct codegen_report {
    bool cached;           /* the object came from the object cache: LLVM did not run */
    bool direct;           /* the direct backend wrote the object: LLVM did not run */
    char direct_note[200]; /* why the direct backend did not, when it did not */
    double direct_ms;      /* the direct backend's time, when it ran */
    char cache_note[320];  /* why the cache was not used or not written, when it was not */
    double setup_ms;       /* LLVM's set-up and the target machine */
    double build_ms;       /* building the LLVM module */
    double key_ms;         /* the cache key and lookup */
    double optimise_ms;    /* LLVM's O2 passes */
    double emit_ms;        /* BPF code generation */
};

int codegen_compile(struct ast_program *program, const struct sema_result *sema,
                    const struct codegen_options *options, struct arena *arena, struct plan *out,
                    struct diag *diag);

#endif
