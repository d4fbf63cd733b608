/* The functions that take a map: delete and has_key run in BPF; len counts
 * the entries in BPF; clear, zero and print(@m) send an event and user space
 * does the work when it arrives (as bpftrace does), and print(value) sends
 * the value. */
#include <string.h>

#include "codegen/aggregations.h"

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

static LLVMValueRef map_of(struct codegen *cg, struct ast_expr *target)
{
    const struct sema_map *map = target->map.symbol;
    return cg->user_maps[map->index];
}

static LLVMValueRef bool_value(struct codegen *cg, LLVMValueRef bit)
{
    return LLVMBuildZExt(cg->builder, bit, cg->i64, "");
}

/* True when the key was there. */
static LLVMValueRef delete_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *target = argument(call, 0);
    LLVMValueRef args[] = {map_of(cg, target), codegen_map_key(cg, target)};
    LLVMValueRef result = codegen_call_helper(cg, (enum bpf_helper)HELPER_MAP_DELETE_ELEM, args, 2);
    return bool_value(cg, LLVMBuildICmp(cg->builder, LLVMIntEQ, result, codegen_const(cg, 0), ""));
}

static LLVMValueRef has_key_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *target = argument(call, 0);
    LLVMValueRef found = codegen_map_lookup(cg, map_of(cg, target), codegen_map_key(cg, target));
    return bool_value(cg, LLVMBuildIsNotNull(cg->builder, found, ""));
}

/* bpf_for_each_map_elem returns how many entries it visited; the callback
 * (a BPF subprogram) visits them all by returning 0. */
static LLVMValueRef len_callback(struct codegen *cg)
{
    const char *name = "sonde_len_callback";
    LLVMValueRef existing = LLVMGetNamedFunction(cg->module, name);
    if (existing)
        return existing;
    LLVMTypeRef parameters[] = {cg->ptr, cg->ptr, cg->ptr, cg->ptr};
    LLVMTypeRef type = LLVMFunctionType(cg->i64, parameters, 4, false);
    LLVMValueRef function = LLVMAddFunction(cg->module, name, type);
    LLVMSetLinkage(function, LLVMInternalLinkage);
    LLVMSetSection(function, ".text");
    const char *attributes[] = {"nounwind", "noinline"};
    for (size_t i = 0; i < 2; i++) {
        unsigned kind = LLVMGetEnumAttributeKindForName(attributes[i], strlen(attributes[i]));
        LLVMAddAttributeAtIndex(function, LLVMAttributeFunctionIndex,
                                LLVMCreateEnumAttribute(cg->context, kind, 0));
    }
    LLVMBasicBlockRef saved = LLVMGetInsertBlock(cg->builder);
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(cg->context, function, "body");
    LLVMPositionBuilderAtEnd(cg->builder, body);
    LLVMBuildRet(cg->builder, codegen_const(cg, 0));
    LLVMPositionBuilderAtEnd(cg->builder, saved);
    return function;
}

/* A program with a subprogram must carry BTF func_info for every function,
 * which LLVM derives from their DISubprograms. */
static void describe_function(struct codegen *cg, LLVMValueRef function)
{
    size_t length = 0;
    const char *name = LLVMGetValueName2(function, &length);
    LLVMMetadataRef int_type =
        LLVMDIBuilderCreateBasicType(cg->debug, "long", 4, 64, 0x05 /* DW_ATE_signed */, 0);
    LLVMMetadataRef pointer = LLVMDIBuilderCreatePointerType(cg->debug, NULL, 64, 64, 0, "", 0);
    unsigned parameters = LLVMCountParams(function);
    LLVMMetadataRef types[5] = {int_type, pointer, pointer, pointer, pointer};
    LLVMMetadataRef signature = LLVMDIBuilderCreateSubroutineType(
        cg->debug, cg->debug_file, types, parameters + 1 <= 5 ? parameters + 1 : 5, LLVMDIFlagZero);
    bool local = LLVMGetLinkage(function) == LLVMInternalLinkage;
    LLVMMetadataRef subprogram = LLVMDIBuilderCreateFunction(
        cg->debug, cg->debug_file, name, length, name, length, cg->debug_file, 1, signature, local,
        true, 1, LLVMDIFlagPrototyped, true);
    /* The kernel wants every argument named; LLVM takes the names from
     * parameter variables kept alive in the subprogram. */
    static const char *const names[] = {"ctx", "map", "key", "value", "data"};
    for (unsigned i = 0; i < parameters && i < 4; i++) {
        const char *parameter = parameters == 1 ? names[0] : names[i + 1];
        LLVMDIBuilderCreateParameterVariable(cg->debug, subprogram, parameter, strlen(parameter),
                                             i + 1, cg->debug_file, 1, pointer, true,
                                             LLVMDIFlagZero);
    }
    LLVMSetSubprogram(function, subprogram);
}

void codegen_describe_functions(struct codegen *cg)
{
    /* Subprograms (len()'s callback, for-loop bodies) are the internal ones. */
    bool has_subprogram = false;
    for (LLVMValueRef function = LLVMGetFirstFunction(cg->module); function;
         function = LLVMGetNextFunction(function))
        has_subprogram |= !LLVMIsDeclaration(function) &&
                          LLVMGetLinkage(function) == LLVMInternalLinkage;
    if (!has_subprogram)
        return;
    for (LLVMValueRef function = LLVMGetFirstFunction(cg->module); function;
         function = LLVMGetNextFunction(function))
        if (!LLVMIsDeclaration(function) && !LLVMGetSubprogram(function))
            describe_function(cg, function);
}

static LLVMValueRef len_call(struct codegen *cg, struct ast_expr *call)
{
    LLVMValueRef args[] = {map_of(cg, argument(call, 0)), len_callback(cg), LLVMConstNull(cg->ptr),
                           codegen_const(cg, 0)};
    return codegen_call_helper(cg, (enum bpf_helper)HELPER_FOR_EACH_MAP_ELEM, args, 4);
}

static LLVMValueRef event_record(struct codegen *cg, unsigned size, uint32_t kind, uint32_t id)
{
    LLVMValueRef record = codegen_alloca_zeroed(cg, size, "map_event");
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, kind, false), record);
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, id, false), codegen_offset(cg, record, 4));
    return record;
}

/* clear(@m), zero(@m), print(@m[, top[, div]]). */
static void map_event(struct codegen *cg, struct ast_expr *call, uint32_t kind)
{
    const struct sema_map *map = argument(call, 0)->map.symbol;
    unsigned size = kind == EVENT_PRINT_MAP ? 24 : 8;
    LLVMValueRef record = event_record(cg, size, kind, (uint32_t)map->index);
    for (size_t i = 1; kind == EVENT_PRINT_MAP && i < call->call.args.count && i < 3; i++)
        LLVMBuildStore(cg->builder, codegen_expr(cg, argument(call, i)),
                       codegen_offset(cg, record, 8 * (unsigned)i));
    codegen_emit_event(cg, record, size, false);
}

/* The value travels in the event; user space prints it by the plan's type. */
static void print_value(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *value = argument(call, 0);
    struct plan_value_print *print = ARENA_NEW(cg->arena, struct plan_value_print);
    print->type = value->type;
    uint32_t id = (uint32_t)cg->plan->value_prints.count;
    vec_push(&cg->plan->value_prints, print);
    LLVMValueRef result = codegen_expr(cg, value);
    unsigned size = 8 + (value->type->size + 7) / 8 * 8;
    LLVMValueRef record = event_record(cg, size, EVENT_PRINT_VALUE, id);
    codegen_store(cg, value->type, value->type, result, codegen_offset(cg, record, 8));
    codegen_emit_event(cg, record, size, false);
}

static bool is_whole_map(const struct ast_expr *expr)
{
    return expr->kind == EXPR_MAP && expr->map.keys.count == 0 && expr->type &&
           expr->type->kind == TYPE_VOID;
}

LLVMValueRef codegen_map_function(struct codegen *cg, struct ast_expr *call)
{
    switch ((enum sema_function)call->call.function) {
    case FUNCTION_DELETE:
        return delete_call(cg, call);
    case FUNCTION_HAS_KEY:
        return has_key_call(cg, call);
    case FUNCTION_LEN:
        return len_call(cg, call);
    case FUNCTION_CLEAR:
        map_event(cg, call, EVENT_CLEAR_MAP);
        return NULL;
    case FUNCTION_ZERO:
        map_event(cg, call, EVENT_ZERO_MAP);
        return NULL;
    case FUNCTION_PRINT:
        if (is_whole_map(argument(call, 0)))
            map_event(cg, call, EVENT_PRINT_MAP);
        else
            print_value(cg, call);
        return NULL;
    default:
        /* Aggregations appear only as map values: see codegen_aggregate. */
        return NULL;
    }
}
