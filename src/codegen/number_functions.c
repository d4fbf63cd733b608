/* Code of the functions of one number. bswap() is computed here; strerror(),
 * syscall_name(), signal_name() and cgroup_path() carry their number as it
 * is, and user space turns it into text when it prints the value. */
#include "codegen/codegen_internal.h"

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

/* The checker typed the result as the unsigned integer of the argument's
 * width; one byte has nothing to swap. */
static LLVMValueRef bswap_call(struct codegen *cg, struct ast_expr *call)
{
    LLVMValueRef value = codegen_expr(cg, argument(call, 0));
    unsigned bits = call->type->size * 8;
    if (bits == 8)
        return LLVMBuildAnd(cg->builder, value, codegen_const(cg, 0xff), "");
    LLVMTypeRef width = LLVMIntTypeInContext(cg->context, bits);
    unsigned id = LLVMLookupIntrinsicID("llvm.bswap", 10);
    LLVMTypeRef types[] = {width};
    LLVMValueRef function = LLVMGetIntrinsicDeclaration(cg->module, id, types, 1);
    LLVMTypeRef function_type = LLVMIntrinsicGetType(cg->context, id, types, 1);
    LLVMValueRef args[] = {bits == 64 ? value : LLVMBuildTrunc(cg->builder, value, width, "")};
    LLVMValueRef swapped = LLVMBuildCall2(cg->builder, function_type, function, args, 1, "bswap");
    return bits == 64 ? swapped : LLVMBuildZExt(cg->builder, swapped, cg->i64, "");
}

LLVMValueRef codegen_number_function(struct codegen *cg, struct ast_expr *call)
{
    switch ((enum sema_function)call->call.function) {
    case FUNCTION_BSWAP:
        return bswap_call(cg, call);
    case FUNCTION_STRERROR:
    case FUNCTION_SYSCALL_NAME:
    case FUNCTION_SIGNAL_NAME:
    case FUNCTION_CGROUP_PATH:
        return codegen_expr(cg, argument(call, 0));
    default:
        return NULL;
    }
}
