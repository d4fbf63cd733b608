/* Statements: control flow and assignments to variables and maps. */
#include "codegen/codegen_internal.h"

static LLVMValueRef compound(struct codegen *cg, enum ast_assign_op op, LLVMValueRef old,
                             LLVMValueRef value, bool is_signed)
{
    switch (op) {
    case ASSIGN_ADD:
        return LLVMBuildAdd(cg->builder, old, value, "");
    case ASSIGN_SUB:
        return LLVMBuildSub(cg->builder, old, value, "");
    case ASSIGN_MUL:
        return LLVMBuildMul(cg->builder, old, value, "");
    case ASSIGN_BIT_AND:
        return LLVMBuildAnd(cg->builder, old, value, "");
    case ASSIGN_BIT_OR:
        return LLVMBuildOr(cg->builder, old, value, "");
    case ASSIGN_BIT_XOR:
        return LLVMBuildXor(cg->builder, old, value, "");
    case ASSIGN_SHIFT_LEFT:
        return LLVMBuildShl(cg->builder, old, LLVMBuildAnd(cg->builder, value, codegen_const(cg, 63), ""), "");
    case ASSIGN_SHIFT_RIGHT: {
        LLVMValueRef shift = LLVMBuildAnd(cg->builder, value, codegen_const(cg, 63), "");
        return is_signed ? LLVMBuildAShr(cg->builder, old, shift, "")
                         : LLVMBuildLShr(cg->builder, old, shift, "");
    }
    default:
        return value;
    }
}

/* How far `p + 1` moves p: its element's size, 1 for `void *` as in GNU C. */
static uint64_t pointer_step(const struct type *pointer)
{
    unsigned size = pointer->element ? pointer->element->size : 1;
    return size ? size : 1;
}

/* `x op= v` for integers; x / 0 stays 0 and x % 0 stays x, as in BPF. A
 * pointer x moves by v elements (the type checker allows only += and -=). */
LLVMValueRef codegen_compound_value(struct codegen *cg, enum ast_assign_op op, LLVMValueRef old,
                                    LLVMValueRef value, const struct type *type)
{
    if (type->kind == TYPE_POINTER)
        value = LLVMBuildMul(cg->builder, value, codegen_const(cg, pointer_step(type)), "");
    bool is_signed = type->kind == TYPE_INT && type->is_signed;
    if (op == ASSIGN_DIV || op == ASSIGN_MOD)
        return codegen_divide(cg, old, value, is_signed, op == ASSIGN_MOD);
    return compound(cg, op, old, value, is_signed);
}

static void assign_variable(struct codegen *cg, struct ast_stmt *stmt)
{
    struct ast_expr *target = stmt->assign.target;
    struct sema_variable *variable = target->variable.symbol;
    LLVMMetadataRef at_statement = codegen_debug_at(cg, stmt->assign.value->loc);
    LLVMValueRef value = codegen_expr(cg, stmt->assign.value);
    codegen_debug_restore(cg, at_statement);
    LLVMValueRef slot = codegen_variable_slot(cg, variable);
    if (stmt->assign.op != ASSIGN_PLAIN) {
        LLVMValueRef old = codegen_load(cg, variable->type, slot);
        value = codegen_compound_value(cg, stmt->assign.op, old, value, variable->type);
        codegen_store(cg, variable->type, variable->type, value, slot);
        return;
    }
    codegen_store(cg, variable->type, stmt->assign.value->type, value, slot);
}

static void if_statement(struct codegen *cg, struct ast_stmt *stmt)
{
    codegen_debug_at(cg, stmt->if_stmt.condition->loc);
    LLVMValueRef condition = codegen_expr(cg, stmt->if_stmt.condition);
    LLVMBasicBlockRef then_block = codegen_block(cg, "if.then");
    LLVMBasicBlockRef else_block = stmt->if_stmt.else_branch ? codegen_block(cg, "if.else") : NULL;
    LLVMBasicBlockRef done = codegen_block(cg, "if.done");
    LLVMBuildCondBr(cg->builder,
                    LLVMBuildICmp(cg->builder, LLVMIntNE, condition, codegen_const(cg, 0), ""),
                    then_block, else_block ? else_block : done);
    LLVMPositionBuilderAtEnd(cg->builder, then_block);
    codegen_stmt(cg, stmt->if_stmt.then_branch);
    LLVMBuildBr(cg->builder, done);
    if (else_block) {
        LLVMPositionBuilderAtEnd(cg->builder, else_block);
        codegen_stmt(cg, stmt->if_stmt.else_branch);
        LLVMBuildBr(cg->builder, done);
    }
    LLVMPositionBuilderAtEnd(cg->builder, done);
}

static void loop_body(struct codegen *cg, struct ast_stmt *body, LLVMBasicBlockRef break_target,
                      LLVMBasicBlockRef continue_target)
{
    LLVMBasicBlockRef saved_break = cg->break_target, saved_continue = cg->continue_target;
    cg->break_target = break_target;
    cg->continue_target = continue_target;
    codegen_stmt(cg, body);
    cg->break_target = saved_break;
    cg->continue_target = saved_continue;
}

static void while_statement(struct codegen *cg, struct ast_stmt *stmt)
{
    LLVMBasicBlockRef check = codegen_block(cg, "while.check");
    LLVMBasicBlockRef body = codegen_block(cg, "while.body");
    LLVMBasicBlockRef done = codegen_block(cg, "while.done");
    LLVMBuildBr(cg->builder, check);
    LLVMPositionBuilderAtEnd(cg->builder, check);
    codegen_debug_at(cg, stmt->while_stmt.condition->loc);
    LLVMValueRef condition = codegen_expr(cg, stmt->while_stmt.condition);
    LLVMBuildCondBr(cg->builder,
                    LLVMBuildICmp(cg->builder, LLVMIntNE, condition, codegen_const(cg, 0), ""),
                    body, done);
    LLVMPositionBuilderAtEnd(cg->builder, body);
    loop_body(cg, stmt->while_stmt.body, done, check);
    codegen_debug_at(cg, stmt->loc); /* the back edge is the loop's */
    LLVMBuildBr(cg->builder, check);
    LLVMPositionBuilderAtEnd(cg->builder, done);
}

/* unroll(N) copies the body N times; `continue` jumps to the next copy. */
static void unroll_statement(struct codegen *cg, struct ast_stmt *stmt)
{
    uint64_t count = stmt->unroll.count->integer.value;
    LLVMBasicBlockRef done = codegen_block(cg, "unroll.done");
    for (uint64_t i = 0; i < count; i++) {
        LLVMBasicBlockRef next = i + 1 < count ? codegen_block(cg, "unroll.next") : done;
        loop_body(cg, stmt->unroll.body, done, next);
        LLVMBuildBr(cg->builder, next);
        LLVMPositionBuilderAtEnd(cg->builder, next);
    }
}

/* After a jump, code that follows is unreachable; give it a fresh block so
 * the builder never appends after a terminator. */
static void jump(struct codegen *cg, LLVMBasicBlockRef target)
{
    LLVMBuildBr(cg->builder, target);
    LLVMPositionBuilderAtEnd(cg->builder, codegen_block(cg, "unreachable"));
}

void codegen_stmt(struct codegen *cg, struct ast_stmt *stmt)
{
    /* Line info: a block is where its statements are, not a place of its own. */
    if (stmt->kind != STMT_BLOCK)
        codegen_debug_at(cg, stmt->loc);
    switch (stmt->kind) {
    case STMT_EXPR:
        codegen_expr(cg, stmt->expr.expr);
        break;
    case STMT_ASSIGN:
        if (stmt->assign.target->kind == EXPR_MAP)
            codegen_map_assign(cg, stmt);
        else
            assign_variable(cg, stmt);
        break;
    case STMT_IF:
        if_statement(cg, stmt);
        break;
    case STMT_BLOCK:
        for (size_t i = 0; i < stmt->block.statements.count; i++) {
            /* A statement's temporaries are dead once it is done: reuse them. */
            unsigned mark = codegen_scratch_mark(cg);
            codegen_stmt(cg, vec_get(&stmt->block.statements, i));
            codegen_scratch_release(cg, mark);
        }
        break;
    case STMT_WHILE:
        while_statement(cg, stmt);
        break;
    case STMT_UNROLL:
        unroll_statement(cg, stmt);
        break;
    case STMT_BREAK:
        jump(cg, cg->break_target);
        break;
    case STMT_CONTINUE:
        jump(cg, cg->continue_target);
        break;
    case STMT_RETURN:
        if (cg->inline_call)
            codegen_subprogram_return(cg, stmt);
        else
            jump(cg, cg->return_block);
        break;
    case STMT_LET:
        codegen_let(cg, stmt);
        break;
    case STMT_FOR:
        codegen_for(cg, stmt);
        break;
    case STMT_FOR_MAP:
        codegen_for_map(cg, stmt);
        break;
    }
}
