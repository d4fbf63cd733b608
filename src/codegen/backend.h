/* backend: LLVM's process-wide set-up, and the module → BPF object step
 * (optimisation and code generation, or the object cache instead). */
#ifndef SONDE_CODEGEN_BACKEND_H
#define SONDE_CODEGEN_BACKEND_H

#include "codegen/codegen_internal.h"

/* The data layout of LLVM's BPF target (little endian), set on the module
 * before the target machine exists. */
#define CODEGEN_BPF_DATA_LAYOUT "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"

/* Fills cg->plan->elf from the finished module: from the object cache when
 * it holds this module, else by optimising and emitting (and storing). A
 * fatal LLVM error on the way is printed as a diagnostic, and sonde exits
 * with status 1. */
int codegen_backend_emit(struct codegen *cg);

double codegen_backend_now_ms(void);

#endif
