/* programs.c and syscall_hook.c: how probe blocks become BPF programs. A
 * function is an entry block (allocas only) and one or more frames: a frame
 * runs one block's body with its own setup (scratch memory, variables). */
#ifndef SONDE_CODEGEN_PROGRAMS_H
#define SONDE_CODEGEN_PROGRAMS_H

#include "codegen/codegen_internal.h"

struct plan_program *codegen_add_program(struct codegen *cg, const char *name,
                                         const struct probe_instance *first);
/* The index `probe` evaluates to for this instance. */
unsigned codegen_add_probe_name(struct codegen *cg, const struct probe_instance *instance);

/* A new BPF function; cg->return_block returns 0 from it. The entry block
 * is left without a terminator: the caller branches out of it at the end. */
void codegen_begin_program(struct codegen *cg, const char *name, const char *section);
/* Ends the current block with a branch to `body`, or for a traced probe
 * (not BEGIN/END) with a test of the stop flag first: once the runtime has
 * set it, the event goes to `stopped` instead, so that END and the maps
 * printed at exit see what the probes left, as if they were detached.
 * Placed before the frame's setup, a stopped probe does no other work. */
void codegen_enter_unless_stopping(struct codegen *cg, const struct probe_kind *kind,
                                   LLVMBasicBlockRef body, LLVMBasicBlockRef stopped);
/* A frame: fresh setup and start blocks, variables and scratch accounting;
 * the builder is left in the start block. cg->return_block is where the
 * frame's `return` goes (set it before compiling the body). `where` is the
 * block in the script, for errors about the frame as a whole. */
void codegen_begin_frame(struct codegen *cg, struct srcloc where);
/* Close the setup of the current frame (the body must already end in a branch). */
void codegen_end_frame(struct codegen *cg);
/* The predicate (false: to cg->return_block) and the body of a variant. */
void codegen_compile_variant(struct codegen *cg, struct ast_variant *variant,
                             const struct probe_instance *instance);

/* syscall_hook.c: every variant of the script on one syscall hook
 * (sys_enter or sys_exit), from block `first_probe` on, in one program. */
void codegen_syscall_hook(struct codegen *cg, struct ast_program *program, size_t first_probe,
                          const struct probe_kind *kind);
/* A register of the syscall's saved `struct pt_regs`, copied out with
 * bpf_probe_read_kernel at the builder's position; `initial` when the read fails. */
LLVMValueRef codegen_syscall_read_register(struct codegen *cg, unsigned offset, uint64_t initial);

#endif
