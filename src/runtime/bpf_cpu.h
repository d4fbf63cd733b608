/* bpf_cpu: which BPF instruction set (LLVM's -mcpu) the running kernel
 * accepts. Codegen never asks the kernel itself; main.c asks here and passes
 * the answer in codegen's options. */
#ifndef SONDE_RUNTIME_BPF_CPU_H
#define SONDE_RUNTIME_BPF_CPU_H

/* "v4" when the kernel loads v4-only instructions (Linux 6.6+), else "v3"
 * (also when the kernel cannot be asked, e.g. without privileges). */
const char *runtime_bpf_cpu(void);

#endif
