/* Loop bodies compiled as BPF callbacks (formap.c), shared by
 * `for ($kv : @map)` (bpf_for_each_map_elem) and range loops whose bounds
 * are known only at run time (bpf_loop, loops.c). */
#ifndef SONDE_CODEGEN_LOOP_CALLBACKS_H
#define SONDE_CODEGEN_LOOP_CALLBACKS_H

#include "codegen/codegen_internal.h"

struct loop_callback;

/* Fills the loop variable from the callback's arguments, before the body. */
typedef void (*loop_callback_prologue)(struct codegen *cg, const struct loop_callback *callback,
                                       LLVMValueRef function, LLVMValueRef context);

struct loop_callback {
    struct ast_stmt *loop; /* where its debug info points */
    struct ast_stmt *body;
    const struct vec *captures; /* struct sema_variable * of the probe the body uses */
    unsigned parameters;        /* of the callback; the context is the last one */
    unsigned extra_slots;       /* context slots of the loop kind (codegen_callback_extra) */
    loop_callback_prologue prologue;
};

/* Builds the callback function; *need is the scratch memory it uses. */
LLVMValueRef codegen_callback_build(struct codegen *cg, const struct loop_callback *callback,
                                    unsigned *need);
/* In the probe: the context on its stack, every common slot filled. */
LLVMValueRef codegen_callback_context(struct codegen *cg, const struct loop_callback *callback,
                                      unsigned need);
/* The address of the loop kind's own slot `index` in a context. */
LLVMValueRef codegen_callback_extra(struct codegen *cg, LLVMValueRef context, unsigned index);
/* After the helper: the probe ends if the body ended it (`return`, exit()). */
void codegen_callback_finish(struct codegen *cg, LLVMValueRef context);

/* The probe's variables a body uses: those with a slot when the loop starts. */
void codegen_callback_captures(struct ast_stmt *body, struct vec *captures);

#endif
