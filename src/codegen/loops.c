/* loops.c: declarations, range loops and block expressions.
 *
 * A range loop's counter is an integer variable, so it lives on the stack
 * (codegen_stack_variable) where LLVM keeps it in a register and the verifier
 * can follow its bounds. The end bound is evaluated once, before the loop. */
#include "codegen/codegen_internal.h"

/* `let $x;` zeroes the variable each time it runs, e.g. in every loop pass. */
static void store_zero(struct codegen *cg, const struct type *type, LLVMValueRef slot)
{
    if (codegen_is_scalar(type)) {
        codegen_store(cg, type, type, codegen_const(cg, 0), slot);
        return;
    }
    codegen_memset_zero(cg, slot, type->size ? type->size : 1, 1);
}

void codegen_let(struct codegen *cg, struct ast_stmt *stmt)
{
    struct sema_variable *variable = stmt->let.variable->variable.symbol;
    if (!variable || !variable->type)
        return; /* declared but never given a type: nothing reads it */
    LLVMValueRef slot = codegen_variable_slot(cg, variable);
    if (!stmt->let.value) {
        store_zero(cg, variable->type, slot);
        return;
    }
    LLVMValueRef value = codegen_expr(cg, stmt->let.value);
    if (!codegen_is_scalar(variable->type))
        store_zero(cg, variable->type, slot); /* a shorter string leaves no stale tail */
    codegen_store(cg, variable->type, stmt->let.value->type, value, slot);
}

static LLVMValueRef less_than(struct codegen *cg, LLVMValueRef counter_slot, LLVMValueRef end_slot,
                              const struct type *type)
{
    LLVMValueRef counter = codegen_load(cg, type, counter_slot);
    LLVMValueRef end = LLVMBuildLoad2(cg->builder, cg->i64, end_slot, "for.end");
    return LLVMBuildICmp(cg->builder, LLVMIntSLT, counter, end, "");
}

void codegen_for(struct codegen *cg, struct ast_stmt *stmt)
{
    struct sema_variable *counter = stmt->for_range.variable->variable.symbol;
    LLVMValueRef start = codegen_expr(cg, stmt->for_range.start);
    LLVMValueRef end = codegen_expr(cg, stmt->for_range.end);
    LLVMValueRef end_slot = codegen_stack_variable(cg);
    LLVMBuildStore(cg->builder, end, end_slot);
    LLVMValueRef counter_slot = codegen_variable_slot(cg, counter);
    codegen_store(cg, counter->type, counter->type, start, counter_slot);

    LLVMBasicBlockRef check = codegen_block(cg, "for.check");
    LLVMBasicBlockRef body = codegen_block(cg, "for.body");
    LLVMBasicBlockRef step = codegen_block(cg, "for.step");
    LLVMBasicBlockRef done = codegen_block(cg, "for.done");
    LLVMBuildBr(cg->builder, check);
    LLVMPositionBuilderAtEnd(cg->builder, check);
    LLVMBuildCondBr(cg->builder, less_than(cg, counter_slot, end_slot, counter->type), body, done);

    LLVMPositionBuilderAtEnd(cg->builder, body);
    LLVMBasicBlockRef saved_break = cg->break_target, saved_continue = cg->continue_target;
    cg->break_target = done;
    cg->continue_target = step;
    codegen_stmt(cg, stmt->for_range.body);
    cg->break_target = saved_break;
    cg->continue_target = saved_continue;
    LLVMBuildBr(cg->builder, step);

    LLVMPositionBuilderAtEnd(cg->builder, step);
    LLVMValueRef next = LLVMBuildAdd(cg->builder, codegen_load(cg, counter->type, counter_slot),
                                     codegen_const(cg, 1), "");
    codegen_store(cg, counter->type, counter->type, next, counter_slot);
    LLVMBuildBr(cg->builder, check);
    LLVMPositionBuilderAtEnd(cg->builder, done);
}

LLVMValueRef codegen_block_expr(struct codegen *cg, struct ast_expr *expr)
{
    struct vec *statements = &expr->block.body->block.statements;
    for (size_t i = 0; i < statements->count; i++) {
        unsigned mark = codegen_scratch_mark(cg);
        codegen_stmt(cg, vec_get(statements, i));
        codegen_scratch_release(cg, mark);
    }
    return expr->block.value ? codegen_expr(cg, expr->block.value) : codegen_const(cg, 0);
}
