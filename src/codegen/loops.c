/* loops.c: declarations, range loops and block expressions.
 *
 * A range loop's bounds are evaluated once, before the loop. A short loop
 * with literal bounds is a plain loop: its counter is an integer variable on
 * the stack (codegen_stack_variable), where LLVM keeps it in a register and
 * the verifier follows its bounds pass by pass. Any other range loop runs
 * its body as a callback of bpf_loop (kernel 5.17), as for loops over maps
 * do (formap.c): the verifier checks the body once, whatever the count. */
#include "ast/sema_loops.h"
#include "codegen/loop_callbacks.h"

enum {
    HELPER_LOOP = 181,
    /* bpf_loop refuses more passes (-E2BIG) and then runs none. */
    LOOP_MAX_PASSES = 1 << 23,
};

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

/* $i = start + index, start from the loop kind's slot 0. */
static void set_counter(struct codegen *cg, const struct loop_callback *callback,
                        LLVMValueRef function, LLVMValueRef context)
{
    struct sema_variable *counter = callback->loop->for_range.variable->variable.symbol;
    LLVMValueRef start =
        LLVMBuildLoad2(cg->builder, cg->i64, codegen_callback_extra(cg, context, 0), "for.start");
    LLVMValueRef value = LLVMBuildAdd(cg->builder, start, LLVMGetParam(function, 0), "");
    codegen_store(cg, counter->type, counter->type, value, codegen_variable_slot(cg, counter));
}

/* end - start passes, none when end <= start (compared as signed). The
 * helper takes a u32: a count beyond its limit stays beyond it rather than
 * wrapping to a small one, so such a loop runs no pass at all. */
static LLVMValueRef pass_count(struct codegen *cg, LLVMValueRef start, LLVMValueRef end)
{
    LLVMValueRef empty = LLVMBuildICmp(cg->builder, LLVMIntSLE, end, start, "");
    LLVMValueRef count = LLVMBuildSub(cg->builder, end, start, "for.count");
    LLVMValueRef limit = codegen_const(cg, LOOP_MAX_PASSES + 1);
    LLVMValueRef beyond = LLVMBuildICmp(cg->builder, LLVMIntUGT, count, limit, "");
    count = LLVMBuildSelect(cg->builder, beyond, limit, count, "");
    return LLVMBuildSelect(cg->builder, empty, codegen_const(cg, 0), count, "");
}

static void for_with_callback(struct codegen *cg, struct ast_stmt *stmt, LLVMValueRef start,
                              LLVMValueRef end)
{
    struct vec captures = {0};
    codegen_callback_captures(stmt->for_range.body, &captures);
    struct loop_callback callback = {
        .loop = stmt,
        .body = stmt->for_range.body,
        .captures = &captures,
        .parameters = 2,
        .extra_slots = 1,
        .prologue = set_counter,
    };
    unsigned need = 0;
    LLVMValueRef function = codegen_callback_build(cg, &callback, &need);
    LLVMValueRef context = codegen_callback_context(cg, &callback, need);
    LLVMBuildStore(cg->builder, start, codegen_callback_extra(cg, context, 0));
    /* No call for no pass: when the verifier knows the count is 0 it never
     * checks the callback, and then fails on its address ("No program to
     * jit", seen on kernel 6.18). */
    LLVMValueRef count = pass_count(cg, start, end);
    LLVMBasicBlockRef call = codegen_block(cg, "for.call");
    LLVMBasicBlockRef done = codegen_block(cg, "for.done");
    LLVMBuildCondBr(cg->builder,
                    LLVMBuildICmp(cg->builder, LLVMIntEQ, count, codegen_const(cg, 0), ""), done,
                    call);
    LLVMPositionBuilderAtEnd(cg->builder, call);
    LLVMValueRef args[] = {count, function, context, codegen_const(cg, 0)};
    codegen_call_helper(cg, (enum bpf_helper)HELPER_LOOP, args, 4);
    codegen_callback_finish(cg, context);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    vec_free(&captures);
}

void codegen_for(struct codegen *cg, struct ast_stmt *stmt)
{
    struct sema_variable *counter = stmt->for_range.variable->variable.symbol;
    LLVMValueRef start = codegen_expr(cg, stmt->for_range.start);
    LLVMValueRef end = codegen_expr(cg, stmt->for_range.end);
    if (sema_for_range_needs_callback(stmt)) {
        for_with_callback(cg, stmt, start, end);
        return;
    }
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
