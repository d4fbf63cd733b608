/* What a probe knows about its event: builtins (pid, comm, ...) and the
 * fields of `args`, reached the way the probe kind's context says. */
#include <string.h>

#include "codegen/codegen_internal.h"
#include "probes/syscall.h"

static LLVMValueRef helper0(struct codegen *cg, enum bpf_helper helper)
{
    return codegen_call_helper(cg, helper, NULL, 0);
}

static LLVMValueRef high_half(struct codegen *cg, LLVMValueRef value)
{
    return LLVMBuildLShr(cg->builder, value, codegen_const(cg, 32), "");
}

static LLVMValueRef low_half(struct codegen *cg, LLVMValueRef value)
{
    return LLVMBuildAnd(cg->builder, value, codegen_const(cg, 0xffffffffu), "");
}

static LLVMValueRef comm(struct codegen *cg)
{
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 16, "comm");
    LLVMValueRef args[] = {slot, codegen_const(cg, 16)};
    codegen_call_helper(cg, HELPER_GET_CURRENT_COMM, args, 2);
    return slot;
}

static LLVMValueRef elapsed(struct codegen *cg)
{
    LLVMValueRef now = helper0(cg, HELPER_KTIME_GET_NS);
    LLVMValueRef key = codegen_alloca_zeroed(cg, 4, "start_key");
    LLVMValueRef start = codegen_map_lookup(cg, cg->start_map, key);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 8, "start");
    LLVMBasicBlockRef copy = codegen_block(cg, "elapsed.found");
    LLVMBasicBlockRef done = codegen_block(cg, "elapsed.done");
    LLVMBuildCondBr(cg->builder, LLVMBuildIsNull(cg->builder, start, ""), done, copy);
    LLVMPositionBuilderAtEnd(cg->builder, copy);
    codegen_memcpy(cg, slot, start, 8);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    return LLVMBuildSub(cg->builder, now, LLVMBuildLoad2(cg->builder, cg->i64, slot, ""), "");
}

LLVMValueRef codegen_builtin(struct codegen *cg, struct ast_expr *expr)
{
    switch (expr->identifier.builtin) {
    case BUILTIN_PID:
        return high_half(cg, helper0(cg, HELPER_GET_CURRENT_PID_TGID));
    case BUILTIN_TID:
        return low_half(cg, helper0(cg, HELPER_GET_CURRENT_PID_TGID));
    case BUILTIN_UID:
        return low_half(cg, helper0(cg, HELPER_GET_CURRENT_UID_GID));
    case BUILTIN_GID:
        return high_half(cg, helper0(cg, HELPER_GET_CURRENT_UID_GID));
    case BUILTIN_COMM:
        return comm(cg);
    case BUILTIN_NSECS:
        return helper0(cg, HELPER_KTIME_GET_NS);
    case BUILTIN_ELAPSED:
        return elapsed(cg);
    case BUILTIN_CPU:
        return low_half(cg, helper0(cg, HELPER_GET_SMP_PROCESSOR_ID));
    case BUILTIN_PROBE:
        return cg->probe_id;
    case BUILTIN_NARGS:
        return cg->nargs;
    default:
        return codegen_const(cg, 0);
    }
}

static const struct tracepoint_field *format_field(const struct codegen *cg, const char *name)
{
    const struct tracepoint_format *format = cg->instance->format;
    for (unsigned i = 0; i < format->field_count; i++)
        if (strcmp(format->fields[i].name, name) == 0)
            return &format->fields[i];
    return NULL;
}

/* Strings and arrays in a tracepoint record are copied out; `__data_loc`
 * fields hold (length << 16 | offset) of bytes stored after the record. */
static LLVMValueRef record_bytes(struct codegen *cg, const struct tracepoint_field *field,
                                 const struct type *type)
{
    LLVMValueRef slot = codegen_alloca_zeroed(cg, type->size, field->name);
    LLVMValueRef source = codegen_offset(cg, cg->context_argument, field->offset);
    enum bpf_helper helper = HELPER_PROBE_READ_KERNEL;
    if (field->is_data_loc) {
        LLVMValueRef location = LLVMBuildLoad2(cg->builder, cg->i32, source, "");
        LLVMValueRef offset = LLVMBuildAnd(cg->builder, LLVMBuildZExt(cg->builder, location, cg->i64, ""),
                                           codegen_const(cg, 0xffff), "");
        source = LLVMBuildGEP2(cg->builder, cg->i8, cg->context_argument, &offset, 1, "");
        helper = HELPER_PROBE_READ_KERNEL_STR;
    }
    LLVMValueRef args[] = {slot, codegen_const(cg, type->size), source};
    codegen_call_helper(cg, helper, args, 3);
    return slot;
}

static LLVMValueRef tracepoint_field(struct codegen *cg, const struct tracepoint_field *field,
                                     const struct type *type)
{
    if (!codegen_is_scalar(type))
        return record_bytes(cg, field, type);
    /* Tracepoint programs may load from their record directly. */
    return codegen_load(cg, type, codegen_offset(cg, cg->context_argument, field->offset));
}

/* System-call arguments come from the saved user registers; the 8-byte
 * register is narrowed to the C type the format declares. */
static LLVMValueRef syscall_field(struct codegen *cg, const struct tracepoint_field *field,
                                  const struct type *type)
{
    if (strcmp(field->name, "__syscall_nr") == 0)
        return codegen_convert_int(cg, cg->syscall_number, type);
    if (cg->probe_context == CONTEXT_SYSCALL_EXIT)
        return codegen_convert_int(cg, cg->syscall_return, type);
    int offset = probe_syscall_register_offset((int)probe_syscall_argument_index(field));
    LLVMValueRef address = codegen_offset(cg, cg->syscall_registers, (unsigned)offset);
    LLVMValueRef value = LLVMBuildLoad2(cg->builder, cg->i64, address, "");
    return codegen_convert_int(cg, value, type);
}

LLVMValueRef codegen_args_field(struct codegen *cg, struct ast_expr *expr)
{
    const struct tracepoint_field *field = format_field(cg, expr->field.name);
    if (!field)
        return codegen_const(cg, 0); /* grouping guarantees the field exists */
    if (cg->probe_context == CONTEXT_TRACEPOINT_RECORD)
        return tracepoint_field(cg, field, expr->type);
    return syscall_field(cg, field, expr->type);
}
