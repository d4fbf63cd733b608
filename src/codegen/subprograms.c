/* subprograms.c: calls of the script's `fn name($a: T, ...): R { ... }`.
 *
 * Each call is compiled inline, in the function being built: the arguments
 * are evaluated, then stored into the fn's parameter variables, then the body
 * runs; `return e` stores e into the call's result slot and branches to the
 * block after the body.
 *
 * Why inline rather than a BPF-to-BPF subprogram: every value that needs
 * memory lives in the per-CPU scratch memory of the running program, at
 * offsets fixed while that program is built (scratch.c). A real subprogram
 * would need a region of it handed over at each call, with its strings,
 * arguments and result copied through it (as formap.c must do for loop
 * bodies, which the kernel calls back), and the verifier would check it
 * against 8 frames sharing 512 bytes of stack. Inline, a body is one more
 * block: it uses the caller's scratch memory and stack, and LLVM optimises
 * across the call. The price is code size, once per call site; sema forbids
 * recursion, so inlining always ends. */
#include "codegen/codegen_internal.h"

struct codegen_inline_call {
    const struct type *result_type; /* &type_void: no result */
    LLVMValueRef result;            /* the result's slot, NULL for void */
    LLVMBasicBlockRef done;         /* after the body */
};

static bool collect_variable(struct ast_expr *expr, void *context)
{
    struct vec *variables = context;
    if (expr->kind == EXPR_VARIABLE && expr->variable.symbol)
        vec_push(variables, expr->variable.symbol);
    return true;
}

/* Every call gets fresh slots for the fn's variables: a body is shared by all
 * its call sites, which may sit in different BPF functions (a probe and the
 * callback of a for loop over a map), and a fresh slot starts at zero. */
static void forget_storage(struct ast_function *function)
{
    struct vec variables = {0};
    for (size_t i = 0; i < function->params.count; i++) {
        struct ast_stmt *param = vec_get(&function->params, i);
        collect_variable(param->let.variable, &variables);
    }
    ast_walk_stmt(function->body, collect_variable, &variables);
    for (size_t i = 0; i < variables.count; i++)
        ((struct sema_variable *)vec_get(&variables, i))->storage = NULL;
    vec_free(&variables);
}

static void bind_parameters(struct codegen *cg, struct ast_function *function,
                            struct ast_expr *call)
{
    size_t count = function->params.count;
    LLVMValueRef *values = arena_alloc(cg->arena, sizeof(LLVMValueRef) * (count + 1));
    /* All arguments first: one may call this fn too, using its variables. */
    for (size_t i = 0; i < count; i++)
        values[i] = codegen_expr(cg, vec_get(&call->call.args, i));
    forget_storage(function);
    for (size_t i = 0; i < count; i++) {
        struct ast_stmt *param = vec_get(&function->params, i);
        struct sema_variable *variable = param->let.variable->variable.symbol;
        struct ast_expr *arg = vec_get(&call->call.args, i);
        LLVMValueRef value = values[i];
        if (type_is_integer(function->param_types[i])) /* a uint8 parameter holds 0..255 */
            value = codegen_convert_int(cg, value, function->param_types[i]);
        LLVMValueRef slot = codegen_variable_slot(cg, variable);
        if (!codegen_is_scalar(variable->type))
            codegen_memset_zero(cg, slot, variable->type->size, 1);
        codegen_store(cg, variable->type, arg->type, value, slot);
    }
}

static LLVMValueRef result_slot(struct codegen *cg, const struct type *type)
{
    if (type->kind == TYPE_VOID)
        return NULL;
    /* Integers on the stack, where LLVM keeps them in registers. */
    if (codegen_is_scalar(type))
        return codegen_stack_variable(cg);
    return codegen_alloca_zeroed(cg, type->size, "fn_result");
}

LLVMValueRef codegen_subprogram_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_function *function = call->call.subprogram;
    struct codegen_inline_call inline_call = {
        .result_type = function->return_type,
        .result = result_slot(cg, function->return_type),
        .done = codegen_block(cg, "fn.done"),
    };
    bind_parameters(cg, function, call);

    struct codegen_inline_call *outer = cg->inline_call;
    LLVMBasicBlockRef saved_break = cg->break_target, saved_continue = cg->continue_target;
    cg->inline_call = &inline_call;
    cg->break_target = cg->continue_target = NULL; /* sema: no loop encloses a fn's body */
    codegen_stmt(cg, function->body);
    LLVMBuildBr(cg->builder, inline_call.done); /* a void fn may end without `return` */
    cg->inline_call = outer;
    cg->break_target = saved_break;
    cg->continue_target = saved_continue;

    LLVMPositionBuilderAtEnd(cg->builder, inline_call.done);
    if (!inline_call.result)
        return codegen_const(cg, 0);
    return codegen_load(cg, function->return_type, inline_call.result);
}

void codegen_subprogram_return(struct codegen *cg, struct ast_stmt *stmt)
{
    struct codegen_inline_call *call = cg->inline_call;
    struct ast_expr *value = stmt->return_stmt.value;
    if (value && call->result) {
        LLVMValueRef result = codegen_expr(cg, value);
        if (!codegen_is_scalar(call->result_type))
            codegen_memset_zero(cg, call->result, call->result_type->size, 1);
        codegen_store(cg, call->result_type, value->type, result, call->result);
    }
    LLVMBuildBr(cg->builder, call->done);
    LLVMPositionBuilderAtEnd(cg->builder, codegen_block(cg, "fn.after_return"));
}
