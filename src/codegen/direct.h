/* direct: the direct backend. It translates the module codegen built into
 * BPF instructions itself, one IR instruction at a time with a linear-scan
 * register allocator, and writes the object with bpf_writer. No LLVM pass
 * or LLVM code generator runs: in a fresh process those cost 6-8 ms even
 * for a one-line script, most of sonde's start-up. The code is plainer than
 * LLVM's optimised code; scripts it does not translate (subprograms, kfuncs,
 * aggregates it cannot place) go to LLVM, and so do objects the verifier
 * refuses (see main.c). */
#ifndef SONDE_CODEGEN_DIRECT_H
#define SONDE_CODEGEN_DIRECT_H

#include <stddef.h>

#include "codegen/codegen_internal.h"

/* 0: cg->plan->elf holds the object. 1: the module has something the direct
 * backend does not translate, said in why[]. Negative errno: failure. */
int codegen_direct_emit(struct codegen *cg, char *why, size_t why_size);

#endif
