/* Scratch memory: every value that needs memory (keys, strings, printf
 * records, variables) lives in this program's entry of a per-CPU array map
 * instead of on the BPF stack, whose 512 bytes a few strings would exhaust.
 * Entries are per program, so a program interrupted on its CPU by another
 * (an interval firing inside a tracepoint) never shares memory with it; the
 * kernel does not run one program nested inside itself.
 *
 * Layout of an entry: [variables | temporaries]. Variables live for the whole
 * run of the program; temporaries only for the statement that made them, so
 * each statement reuses the same bytes. */
#include "codegen/codegen_internal.h"

static unsigned align8(unsigned value)
{
    return (value + 7) & ~7u;
}

void codegen_scratch_begin(struct codegen *cg)
{
    cg->scratch_base = NULL;
    cg->temporaries_base = NULL;
    cg->variable_bytes = 0;
    cg->temporary_bytes = 0;
    cg->temporary_peak = 0;
    cg->setup_tail = cg->setup_block;
}

/* The lookup goes in the setup block the first time memory is needed, with
 * its null check right after (the verifier insists); variables are zeroed in
 * the block the check leads to. */
static void ensure_scratch(struct codegen *cg)
{
    if (cg->scratch_base)
        return;
    LLVMBasicBlockRef current = LLVMGetInsertBlock(cg->builder);
    /* One key per function: the blocks of a shared syscall program all look
     * up the same entry, and each slot of their own would add up. */
    if (!cg->scratch_key) {
        LLVMPositionBuilderAtEnd(cg->builder, cg->entry_block);
        cg->scratch_key = LLVMBuildAlloca(cg->builder, cg->i32, "scratch_key");
    }
    LLVMValueRef key = cg->scratch_key;
    /* The entry holds allocas only: a shared syscall program runs its entry
     * on every syscall, the setup only for the syscalls it traces. */
    LLVMPositionBuilderAtEnd(cg->builder, cg->setup_block);
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, cg->program_index, false), key);
    cg->scratch_base = codegen_map_lookup(cg, cg->scratch_map, key);
    /* The offset of the temporaries is known only at the end: patched then. */
    LLVMValueRef placeholder = codegen_const(cg, 0);
    cg->temporaries_base =
        LLVMBuildGEP2(cg->builder, cg->i8, cg->scratch_base, &placeholder, 1, "temporaries");
    LLVMBasicBlockRef variables = codegen_block(cg, "variables");
    LLVMBuildCondBr(cg->builder, LLVMBuildIsNull(cg->builder, cg->scratch_base, ""),
                    cg->return_block, variables);
    cg->setup_tail = variables;
    LLVMPositionBuilderAtEnd(cg->builder, current);
}

LLVMValueRef codegen_alloca(struct codegen *cg, unsigned size, const char *name)
{
    ensure_scratch(cg);
    unsigned offset = align8(cg->temporary_bytes);
    cg->temporary_bytes = offset + (size ? size : 1);
    if (cg->temporary_bytes > cg->temporary_peak)
        cg->temporary_peak = cg->temporary_bytes;
    return codegen_offset(cg, cg->temporaries_base, offset);
}

/* Nothing is left over from an earlier event on this CPU: keys, strings and
 * records must not carry stale bytes. */
LLVMValueRef codegen_alloca_zeroed(struct codegen *cg, unsigned size, const char *name)
{
    LLVMValueRef slot = codegen_alloca(cg, size, name);
    codegen_memset_zero(cg, slot, size ? size : 1, 8);
    return slot;
}

/* A variable's slot, zeroed once per run in the setup block (a variable read
 * on a path that never assigned it is zero). */
LLVMValueRef codegen_variable_storage(struct codegen *cg, unsigned size)
{
    ensure_scratch(cg);
    LLVMBasicBlockRef current = LLVMGetInsertBlock(cg->builder);
    LLVMPositionBuilderAtEnd(cg->builder, cg->setup_tail);
    unsigned offset = cg->variable_bytes;
    cg->variable_bytes = align8(offset + (size ? size : 1));
    LLVMValueRef slot = codegen_offset(cg, cg->scratch_base, offset);
    codegen_memset_zero(cg, slot, size ? size : 1, 8);
    LLVMPositionBuilderAtEnd(cg->builder, current);
    return slot;
}

LLVMValueRef codegen_stack_variable(struct codegen *cg)
{
    LLVMBasicBlockRef current = LLVMGetInsertBlock(cg->builder);
    LLVMPositionBuilderAtEnd(cg->builder, cg->entry_block);
    LLVMValueRef slot = LLVMBuildAlloca(cg->builder, cg->i64, "variable");
    LLVMPositionBuilderAtEnd(cg->builder, cg->setup_tail);
    LLVMBuildStore(cg->builder, codegen_const(cg, 0), slot);
    LLVMPositionBuilderAtEnd(cg->builder, current);
    return slot;
}

unsigned codegen_scratch_mark(const struct codegen *cg)
{
    return cg->temporary_bytes;
}

void codegen_scratch_release(struct codegen *cg, unsigned mark)
{
    cg->temporary_bytes = mark;
}

/* Close the setup: fix the temporaries' offset and fall into the body. */
void codegen_scratch_end(struct codegen *cg)
{
    LLVMPositionBuilderAtEnd(cg->builder, cg->setup_tail);
    LLVMBuildBr(cg->builder, cg->start_block);
    if (!cg->scratch_base)
        return;
    LLVMSetOperand(cg->temporaries_base, 1, codegen_const(cg, align8(cg->variable_bytes)));
    unsigned need = align8(cg->variable_bytes) + align8(cg->temporary_peak);
    if (need > cg->scratch_value_size) {
        cg->scratch_value_size = need;
        cg->scratch_largest = cg->frame_srcloc;
    }
}
