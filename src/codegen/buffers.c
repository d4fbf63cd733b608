/* Code of buf(), ntop(), pton(), macaddr() and join(): bytes copied out of
 * kernel or process memory into scratch memory, for user space to render. */
#include <string.h>
#include <sys/socket.h>

#include "ast/sema_functions.h"
#include "codegen/codegen_internal.h"

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

/* Pointers marked as process memory, and plain numbers in a syscall
 * entry's arguments or a uprobe, are read with the _user helpers.
 * codegen_address_reads_user (memory.c) applies this to expressions. */
bool codegen_reads_user(const struct codegen *cg, const struct type *type)
{
    if (type->space == SPACE_USER)
        return true;
    if (type->kind == TYPE_POINTER)
        return false;
    return cg->probe_context == CONTEXT_SYSCALL_ENTER ||
           (cg->instance && cg->instance->kind->user_space);
}

static void probe_read(struct codegen *cg, bool user, LLVMValueRef destination, LLVMValueRef size,
                       LLVMValueRef address)
{
    LLVMValueRef args[] = {destination, size, LLVMBuildIntToPtr(cg->builder, address, cg->ptr, "")};
    codegen_call_helper(cg, user ? HELPER_PROBE_READ_USER : HELPER_PROBE_READ_KERNEL, args, 3);
}

/* Arrays and strings are already in scratch memory: copy what fits. */
static bool is_in_memory(const struct type *type)
{
    return type->kind == TYPE_ARRAY || type->kind == TYPE_STRING;
}

/* {u64 length, bytes}: the length is clamped to the capacity, so the
 * verifier sees a bounded read. */
static LLVMValueRef buf_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *data = argument(call, 0);
    unsigned capacity = call->type->length;
    LLVMValueRef slot = codegen_alloca_zeroed(cg, call->type->size, "buf");
    LLVMValueRef value = codegen_expr(cg, data);
    LLVMValueRef length = codegen_const(cg, capacity);
    if (call->call.args.count == 2) {
        LLVMValueRef wanted = codegen_expr(cg, argument(call, 1));
        LLVMValueRef smaller = LLVMBuildICmp(cg->builder, LLVMIntULT, wanted, length, "");
        length = LLVMBuildSelect(cg->builder, smaller, wanted, length, "");
    }
    if (is_in_memory(data->type)) {
        codegen_memcpy(cg, codegen_offset(cg, slot, 8), value, capacity);
    } else {
        probe_read(cg, codegen_address_reads_user(cg, data), codegen_offset(cg, slot, 8), length,
                   value);
    }
    LLVMBuildStore(cg->builder, length, slot);
    return slot;
}

/* {u64 family, u8 address[16]}. An integer holds an IPv4 address as the
 * kernel stores it (network order in memory). */
static LLVMValueRef ntop_call(struct codegen *cg, struct ast_expr *call)
{
    size_t last = call->call.args.count - 1;
    struct ast_expr *address = argument(call, last);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 24, "inet");
    LLVMValueRef family;
    if (last == 1)
        family = codegen_expr(cg, argument(call, 0));
    else
        family = codegen_const(cg, address->type->kind == TYPE_ARRAY && address->type->length == 16
                                       ? AF_INET6
                                       : AF_INET);
    LLVMValueRef value = codegen_expr(cg, address);
    LLVMBuildStore(cg->builder, family, slot);
    if (address->type->kind == TYPE_ARRAY)
        codegen_memcpy(cg, codegen_offset(cg, slot, 8), value, address->type->length);
    else
        LLVMBuildStore(cg->builder, LLVMBuildTrunc(cg->builder, value, cg->i32, ""),
                       codegen_offset(cg, slot, 8));
    return slot;
}

/* The address's bytes, parsed at compile time. */
static LLVMValueRef pton_call(struct codegen *cg, struct ast_expr *call)
{
    unsigned char bytes[16];
    unsigned length = sema_parse_address(argument(call, 0)->string.bytes, bytes);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 16, "pton");
    for (unsigned i = 0; i < length; i++)
        LLVMBuildStore(cg->builder, LLVMConstInt(cg->i8, bytes[i], false),
                       codegen_offset(cg, slot, i));
    return slot;
}

static LLVMValueRef macaddr_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *source = argument(call, 0);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 8, "macaddr");
    LLVMValueRef value = codegen_expr(cg, source);
    if (source->type->kind == TYPE_ARRAY)
        codegen_memcpy(cg, slot, value, 6);
    else
        probe_read(cg, codegen_address_reads_user(cg, source), slot, codegen_const(cg, 6), value);
    return slot;
}

static unsigned align8(unsigned value)
{
    return (value + 7) / 8 * 8;
}

/* Each string pointer is read from the array, then its string; a NULL
 * pointer ends the list. The count says how many slots hold strings. */
static void join_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *array = argument(call, 0);
    const char *separator = call->call.args.count == 2 ? argument(call, 1)->string.bytes : " ";
    unsigned separator_bytes = align8((unsigned)strlen(separator) + 1);
    unsigned slot_size = (unsigned)call->call.site; /* max_strlen, from the checker */
    unsigned strings = 8 + 8 + separator_bytes;
    unsigned size = strings + SEMA_JOIN_MAX_ARGS * slot_size;
    /* Only the head is zeroed: a record of 16 strings is too big for an inline
     * memset, and user space reads no slot past the count (the string
     * helpers NUL-terminate, or zero the slot on failure). */
    LLVMValueRef record = codegen_alloca(cg, size, "join");
    codegen_memset_zero(cg, record, strings, 8);
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, EVENT_JOIN, false), record);
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, slot_size, false),
                   codegen_offset(cg, record, 4));
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, separator_bytes, false),
                   codegen_offset(cg, record, 12));
    for (size_t i = 0; separator[i]; i++)
        LLVMBuildStore(cg->builder, LLVMConstInt(cg->i8, (unsigned char)separator[i], false),
                       codegen_offset(cg, record, 16 + (unsigned)i));
    bool user = codegen_address_reads_user(cg, array);
    LLVMValueRef base = codegen_expr(cg, array);
    LLVMValueRef pointer = codegen_alloca_zeroed(cg, 8, "join.pointer");
    LLVMBasicBlockRef done = codegen_block(cg, "join.done");
    for (unsigned i = 0; i < SEMA_JOIN_MAX_ARGS; i++) {
        LLVMValueRef element = LLVMBuildAdd(cg->builder, base, codegen_const(cg, 8ull * i), "");
        LLVMBuildStore(cg->builder, codegen_const(cg, 0), pointer);
        probe_read(cg, user, pointer, codegen_const(cg, 8), element);
        LLVMValueRef address = LLVMBuildLoad2(cg->builder, cg->i64, pointer, "");
        LLVMBasicBlockRef read = codegen_block(cg, "join.read");
        LLVMBuildCondBr(cg->builder,
                        LLVMBuildICmp(cg->builder, LLVMIntEQ, address, codegen_const(cg, 0), ""),
                        done, read);
        LLVMPositionBuilderAtEnd(cg->builder, read);
        LLVMValueRef args[] = {codegen_offset(cg, record, strings + i * slot_size),
                               codegen_const(cg, slot_size),
                               LLVMBuildIntToPtr(cg->builder, address, cg->ptr, "")};
        codegen_call_helper(cg, user ? HELPER_PROBE_READ_USER_STR : HELPER_PROBE_READ_KERNEL_STR,
                            args, 3);
        LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, i + 1, false),
                       codegen_offset(cg, record, 8));
    }
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    codegen_emit_event(cg, record, size, false);
}

LLVMValueRef codegen_buffer_function(struct codegen *cg, struct ast_expr *call)
{
    switch ((enum sema_function)call->call.function) {
    case FUNCTION_BUF:
        return buf_call(cg, call);
    case FUNCTION_NTOP:
        return ntop_call(cg, call);
    case FUNCTION_PTON:
        return pton_call(cg, call);
    case FUNCTION_MACADDR:
        return macaddr_call(cg, call);
    case FUNCTION_JOIN:
        join_call(cg, call);
        return NULL;
    default:
        return NULL;
    }
}
