/* What a probe knows about its event: builtins (pid, comm, ...) and the
 * fields of `args`, reached the way the probe kind's context says. */
#include <string.h>

#include "codegen/codegen_internal.h"
#include "codegen/programs.h"
#include "probes/registers.h"
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

/* kprobe/uprobe: a register the probe saved (ctx is the struct pt_regs). */
static LLVMValueRef saved_register(struct codegen *cg, const char *name)
{
    LLVMValueRef address =
        codegen_offset(cg, cg->context_argument, (unsigned)probe_register_offset(name));
    return LLVMBuildLoad2(cg->builder, cg->i64, address, name);
}

/* rawtracepoint/fentry/fexit: ctx is an array of u64, one per argument. The
 * kernel checks these loads: 8 bytes, aligned, within the arguments. */
static LLVMValueRef argument_slot(struct codegen *cg, unsigned index)
{
    LLVMValueRef address = codegen_offset(cg, cg->context_argument, 8 * index);
    return LLVMBuildLoad2(cg->builder, cg->i64, address, "");
}

static LLVMValueRef argument(struct codegen *cg, int index)
{
    if (cg->probe_context == CONTEXT_RAW_ARGS)
        return argument_slot(cg, (unsigned)index);
    return saved_register(cg, probe_argument_register(index));
}

/* fexit's return value is the slot after the arguments; kretprobe's and
 * uretprobe's is in ax. */
static LLVMValueRef return_value(struct codegen *cg, const struct type *type)
{
    if (cg->probe_context != CONTEXT_TRACING_ARGS)
        return saved_register(cg, "ax");
    const struct tracepoint_format *format = cg->instance->format;
    unsigned slots = 0;
    if (format && format->field_count) {
        const struct tracepoint_field *last = &format->fields[format->field_count - 1];
        slots = last->offset / 8 + (last->size > 8 ? (last->size + 7) / 8 : 1);
    }
    LLVMValueRef value = argument_slot(cg, slots);
    return codegen_is_scalar(type) ? codegen_convert_int(cg, value, type) : value;
}

/* The traced function's name, a constant of each program. */
static LLVMValueRef function_name(struct codegen *cg, const struct type *type)
{
    LLVMValueRef slot = codegen_alloca_zeroed(cg, type->size, "func");
    const char *name = cg->instance->function ? cg->instance->function : "";
    size_t length = strlen(name) < type->size ? strlen(name) : type->size - 1;
    LLVMValueRef bytes = LLVMConstStringInContext(cg->context, name, (unsigned)length, true);
    LLVMValueRef store = LLVMBuildStore(cg->builder, bytes, slot);
    LLVMSetAlignment(store, 1);
    return slot;
}

void codegen_filter_target_pid(struct codegen *cg, const struct probe_kind *kind)
{
    if (cg->options->target_pid <= 0 || kind->per_process || kind->phase != PHASE_TRACE)
        return;
    LLVMValueRef pid = high_half(cg, helper0(cg, HELPER_GET_CURRENT_PID_TGID));
    LLVMValueRef target = codegen_const(cg, (uint64_t)cg->options->target_pid);
    LLVMBasicBlockRef traced = codegen_block(cg, "target_pid");
    LLVMBuildCondBr(cg->builder, LLVMBuildICmp(cg->builder, LLVMIntEQ, pid, target, ""), traced,
                    cg->return_block);
    LLVMPositionBuilderAtEnd(cg->builder, traced);
}

LLVMValueRef codegen_builtin(struct codegen *cg, struct ast_expr *expr)
{
    switch (expr->identifier.builtin) {
    case BUILTIN_PID:
        return codegen_process_id(cg, false, SEMA_PID_CURRENT_NS); /* clocks.c */
    case BUILTIN_TID:
        return codegen_process_id(cg, true, SEMA_PID_CURRENT_NS);
    case BUILTIN_UID:
        return low_half(cg, helper0(cg, HELPER_GET_CURRENT_UID_GID));
    case BUILTIN_GID:
        return high_half(cg, helper0(cg, HELPER_GET_CURRENT_UID_GID));
    case BUILTIN_COMM:
        return comm(cg);
    case BUILTIN_NSECS:
        return codegen_nsecs(cg, SEMA_CLOCK_BOOT); /* clocks.c */
    case BUILTIN_ELAPSED:
        return elapsed(cg);
    case BUILTIN_CPU:
        return low_half(cg, helper0(cg, HELPER_GET_SMP_PROCESSOR_ID));
    case BUILTIN_PROBE:
        return cg->probe_id;
    case BUILTIN_NARGS:
        return cg->nargs;
    case BUILTIN_CURTASK:
        return helper0(cg, HELPER_GET_CURRENT_TASK);
    case BUILTIN_RAND:
    case BUILTIN_CGROUP:
    case BUILTIN_NUMAID:
    case BUILTIN_USERNAME:
    case BUILTIN_KSTACK:
    case BUILTIN_USTACK:
        return codegen_function_builtin(cg, expr); /* functions.c */
    case BUILTIN_ARG:
        return argument(cg, expr->identifier.builtin_index);
    case BUILTIN_RETVAL:
        return return_value(cg, expr->type);
    case BUILTIN_FUNC:
        return function_name(cg, expr->type);
    case BUILTIN_ARGS:
        return codegen_args_record(cg, expr->type); /* values.c */
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

/* System-call arguments come from the saved user registers, which a raw
 * tracepoint program may only copy out: each register the block uses is
 * read once, in the block's setup (which every use follows). The 8-byte
 * register is narrowed to the C type the format declares. */
static LLVMValueRef syscall_field(struct codegen *cg, const struct tracepoint_field *field,
                                  const struct type *type)
{
    if (strcmp(field->name, "__syscall_nr") == 0)
        return codegen_convert_int(cg, cg->syscall_number, type);
    if (cg->probe_context == CONTEXT_SYSCALL_EXIT)
        return codegen_convert_int(cg, cg->syscall_return, type);
    unsigned index = probe_syscall_argument_index(field);
    int offset = probe_syscall_register_offset((int)index);
    if (offset < 0)
        return codegen_const(cg, 0);
    if (!cg->syscall_arguments[index]) {
        LLVMBasicBlockRef current = LLVMGetInsertBlock(cg->builder);
        LLVMPositionBuilderAtEnd(cg->builder, cg->setup_tail);
        cg->syscall_arguments[index] = codegen_syscall_read_register(cg, (unsigned)offset, 0);
        LLVMPositionBuilderAtEnd(cg->builder, current);
    }
    return codegen_convert_int(cg, cg->syscall_arguments[index], type);
}

/* rawtracepoint/fentry arguments: u64 slots, narrowed to the declared type.
 * A struct passed by value spans slots and is copied out of them. */
static LLVMValueRef slot_field(struct codegen *cg, const struct tracepoint_field *field,
                               const struct type *type)
{
    unsigned index = field->offset / 8;
    if (codegen_is_scalar(type))
        return codegen_convert_int(cg, argument_slot(cg, index), type);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, (type->size + 7) / 8 * 8, field->name);
    for (unsigned i = 0; i * 8 < type->size; i++)
        LLVMBuildStore(cg->builder, argument_slot(cg, index + i), codegen_offset(cg, slot, 8 * i));
    return slot;
}

LLVMValueRef codegen_args_field(struct codegen *cg, struct ast_expr *expr)
{
    const struct tracepoint_field *field = format_field(cg, expr->field.name);
    if (!field)
        return codegen_const(cg, 0); /* grouping guarantees the field exists */
    switch (cg->probe_context) {
    case CONTEXT_TRACEPOINT_RECORD:
        return tracepoint_field(cg, field, expr->type);
    case CONTEXT_RAW_ARGS:
    case CONTEXT_TRACING_ARGS:
        return slot_field(cg, field, expr->type);
    default:
        return syscall_field(cg, field, expr->type);
    }
}
