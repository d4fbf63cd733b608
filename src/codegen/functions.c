/* Code of the function library: stacks, symbols, times, user names, string
 * comparisons and lengths, path(), and the actions user space carries out
 * (time, system, cat, errorf). */
#include <string.h>

#include "ast/sema_functions.h"
#include "codegen/codegen_internal.h"
#include "probes/registers.h"

enum {
    HELPER_GET_PRANDOM_U32 = 7,
    HELPER_GET_NUMA_NODE_ID = 42,
    HELPER_GET_CURRENT_CGROUP_ID = 80,
    HELPER_SEND_SIGNAL = 109,
    HELPER_D_PATH = 147,
    HELPER_JIFFIES64 = 118,
};

static LLVMValueRef helper0(struct codegen *cg, int helper)
{
    return codegen_call_helper(cg, (enum bpf_helper)helper, NULL, 0);
}

static LLVMValueRef low_half(struct codegen *cg, LLVMValueRef value)
{
    return LLVMBuildAnd(cg->builder, value, codegen_const(cg, 0xffffffffu), "");
}

LLVMValueRef codegen_function_builtin(struct codegen *cg, struct ast_expr *expr)
{
    switch (expr->identifier.builtin) {
    case BUILTIN_RAND:
        return low_half(cg, helper0(cg, HELPER_GET_PRANDOM_U32));
    case BUILTIN_CGROUP:
        return helper0(cg, HELPER_GET_CURRENT_CGROUP_ID);
    case BUILTIN_NUMAID:
        return low_half(cg, helper0(cg, HELPER_GET_NUMA_NODE_ID));
    case BUILTIN_USERNAME:
        return low_half(cg, helper0(cg, HELPER_GET_CURRENT_UID_GID));
    case BUILTIN_KSTACK:
    case BUILTIN_USTACK:
        return codegen_stack(cg, expr->type);
    default:
        return codegen_const(cg, 0);
    }
}

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

static LLVMValueRef current_pid(struct codegen *cg)
{
    LLVMValueRef pid_tgid = codegen_call_helper(cg, HELPER_GET_CURRENT_PID_TGID, NULL, 0);
    return LLVMBuildLShr(cg->builder, pid_tgid, codegen_const(cg, 32), "");
}

/* usym's value is {address, pid}: the address means something only in its process. */
static LLVMValueRef user_symbol(struct codegen *cg, struct ast_expr *call)
{
    LLVMValueRef address = codegen_expr(cg, argument(call, 0));
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 16, "usym");
    LLVMBuildStore(cg->builder, address, slot);
    LLVMBuildStore(cg->builder, current_pid(cg), codegen_offset(cg, slot, 8));
    return slot;
}

/* time(fmt): the format travels in the record; user space reads the clock. */
static void time_event(struct codegen *cg, struct ast_expr *call)
{
    const char *format = "%H:%M:%S\n";
    size_t length = strlen(format);
    if (call->call.args.count == 1) {
        format = argument(call, 0)->string.bytes;
        length = argument(call, 0)->string.length;
    }
    unsigned size = (unsigned)(8 + (length + 1 + 7) / 8 * 8);
    LLVMValueRef record = codegen_alloca_zeroed(cg, size, "time");
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, EVENT_TIME, false), record);
    for (size_t i = 0; i < length; i++)
        LLVMBuildStore(cg->builder, LLVMConstInt(cg->i8, (unsigned char)format[i], false),
                       codegen_offset(cg, record, (unsigned)(8 + i)));
    codegen_emit_event(cg, record, size, false);
}

static void signal_call(struct codegen *cg, struct ast_expr *call)
{
    LLVMValueRef number = codegen_expr(cg, argument(call, 0));
    LLVMValueRef args[] = {LLVMBuildTrunc(cg->builder, number, cg->i32, "")};
    codegen_call_helper(cg, (enum bpf_helper)HELPER_SEND_SIGNAL, args, 1);
}

/* strncmp(a, b, n) is 0 when the first n bytes agree (or both strings end
 * before a difference), 1 otherwise; unrolled, n is a literal. */
static LLVMValueRef strncmp_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *left = argument(call, 0), *right = argument(call, 1);
    LLVMValueRef a = codegen_expr(cg, left), b = codegen_expr(cg, right);
    uint64_t n = argument(call, 2)->integer.value;
    unsigned shorter = left->type->size < right->type->size ? left->type->size : right->type->size;
    if (n > shorter)
        n = shorter;
    LLVMValueRef result = codegen_alloca_zeroed(cg, 8, "strncmp");
    LLVMBasicBlockRef done = codegen_block(cg, "strncmp.done");
    LLVMBasicBlockRef differ = codegen_block(cg, "strncmp.differ");
    for (unsigned i = 0; i < n; i++) {
        LLVMValueRef x = LLVMBuildLoad2(cg->builder, cg->i8, codegen_offset(cg, a, i), "");
        LLVMValueRef y = LLVMBuildLoad2(cg->builder, cg->i8, codegen_offset(cg, b, i), "");
        LLVMBasicBlockRef same = codegen_block(cg, "strncmp.same");
        LLVMBuildCondBr(cg->builder, LLVMBuildICmp(cg->builder, LLVMIntNE, x, y, ""), differ, same);
        LLVMPositionBuilderAtEnd(cg->builder, same);
        LLVMBasicBlockRef next = codegen_block(cg, "strncmp.next");
        LLVMBuildCondBr(
            cg->builder,
            LLVMBuildICmp(cg->builder, LLVMIntEQ, x, LLVMConstInt(cg->i8, 0, false), ""), done,
            next);
        LLVMPositionBuilderAtEnd(cg->builder, next);
    }
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, differ);
    LLVMBuildStore(cg->builder, codegen_const(cg, 1), result);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    return LLVMBuildLoad2(cg->builder, cg->i64, result, "");
}

/* strcontains(h, n): whether n occurs in h. Each start position compares the
 * needle byte by byte; both strings are bounded, so everything unrolls. */
static LLVMValueRef strcontains_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *hay = argument(call, 0), *needle = argument(call, 1);
    LLVMValueRef h = codegen_expr(cg, hay), n = codegen_expr(cg, needle);
    LLVMValueRef result = codegen_alloca_zeroed(cg, 8, "strcontains");
    LLVMBasicBlockRef found = codegen_block(cg, "strcontains.found");
    LLVMBasicBlockRef done = codegen_block(cg, "strcontains.done");
    LLVMValueRef zero = LLVMConstInt(cg->i8, 0, false);
    for (unsigned start = 0; start < hay->type->size; start++) {
        LLVMBasicBlockRef mismatch = codegen_block(cg, "strcontains.next_start");
        for (unsigned i = 0; i < needle->type->size; i++) {
            LLVMValueRef y = LLVMBuildLoad2(cg->builder, cg->i8, codegen_offset(cg, n, i), "");
            LLVMBasicBlockRef compare = codegen_block(cg, "strcontains.compare");
            LLVMBuildCondBr(cg->builder, LLVMBuildICmp(cg->builder, LLVMIntEQ, y, zero, ""), found,
                            compare);
            LLVMPositionBuilderAtEnd(cg->builder, compare);
            if (start + i >= hay->type->size) {
                LLVMBuildBr(cg->builder, mismatch);
                break;
            }
            LLVMValueRef x =
                LLVMBuildLoad2(cg->builder, cg->i8, codegen_offset(cg, h, start + i), "");
            LLVMBasicBlockRef next = codegen_block(cg, "strcontains.next");
            LLVMBuildCondBr(cg->builder, LLVMBuildICmp(cg->builder, LLVMIntEQ, x, y, ""), next,
                            mismatch);
            LLVMPositionBuilderAtEnd(cg->builder, next);
            if (i + 1 == needle->type->size)
                LLVMBuildBr(cg->builder, mismatch);
        }
        LLVMPositionBuilderAtEnd(cg->builder, mismatch);
        /* The haystack ended: no later start can match. */
        LLVMValueRef x = LLVMBuildLoad2(cg->builder, cg->i8, codegen_offset(cg, h, start), "");
        LLVMBasicBlockRef next_start = codegen_block(cg, "strcontains.start");
        LLVMBuildCondBr(cg->builder, LLVMBuildICmp(cg->builder, LLVMIntEQ, x, zero, ""), done,
                        next_start);
        LLVMPositionBuilderAtEnd(cg->builder, next_start);
    }
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, found);
    LLVMBuildStore(cg->builder, codegen_const(cg, 1), result);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    return LLVMBuildLoad2(cg->builder, cg->i64, result, "");
}

/* The index of the first NUL, or the capacity: a chain of selects from
 * the end, so there is no loop for the verifier to follow. */
static LLVMValueRef strlen_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *text = argument(call, 0);
    LLVMValueRef string = codegen_expr(cg, text);
    LLVMValueRef length = codegen_const(cg, text->type->size);
    LLVMValueRef zero = LLVMConstInt(cg->i8, 0, false);
    for (unsigned i = text->type->size; i-- > 0;) {
        LLVMValueRef byte = LLVMBuildLoad2(cg->builder, cg->i8, codegen_offset(cg, string, i), "");
        LLVMValueRef ends = LLVMBuildICmp(cg->builder, LLVMIntEQ, byte, zero, "");
        length = LLVMBuildSelect(cg->builder, ends, codegen_const(cg, i), length, "");
    }
    return length;
}

/* bpf_d_path writes the path of a struct path; the checker allows it only
 * where the kernel does (fentry, fexit, lsm). */
static LLVMValueRef path_call(struct codegen *cg, struct ast_expr *call)
{
    LLVMValueRef pointer = codegen_expr(cg, argument(call, 0));
    LLVMValueRef slot = codegen_alloca_zeroed(cg, call->type->size, "path");
    LLVMValueRef args[] = {LLVMBuildIntToPtr(cg->builder, pointer, cg->ptr, ""), slot,
                           LLVMConstInt(cg->i32, call->type->size, false)};
    codegen_call_helper(cg, (enum bpf_helper)HELPER_D_PATH, args, 3);
    return slot;
}

/* x86-64 runs user code at privilege level 3, the low bits of cs. */
static LLVMValueRef usermode(struct codegen *cg)
{
    LLVMValueRef address =
        codegen_offset(cg, cg->context_argument, (unsigned)probe_register_offset("cs"));
    LLVMValueRef cs = LLVMBuildLoad2(cg->builder, cg->i64, address, "cs");
    LLVMValueRef level = LLVMBuildAnd(cg->builder, cs, codegen_const(cg, 3), "");
    LLVMValueRef user = LLVMBuildICmp(cg->builder, LLVMIntEQ, level, codegen_const(cg, 3), "");
    return LLVMBuildZExt(cg->builder, user, cg->i64, "");
}

static LLVMValueRef comm_call(struct codegen *cg, struct ast_expr *call)
{
    if (call->call.args.count == 1)
        return codegen_comm_of_pid(cg, codegen_expr(cg, argument(call, 0)),
                                   (unsigned)call->call.site); /* memory.c */
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 16, "comm");
    LLVMValueRef args[] = {slot, LLVMConstInt(cg->i64, 16, false)};
    codegen_call_helper(cg, HELPER_GET_CURRENT_COMM, args, 2);
    return slot;
}

/* Functions past sema.h's list (sema_functions.h). */
static LLVMValueRef more_functions(struct codegen *cg, struct ast_expr *call)
{
    switch ((enum sema_function_more)call->call.function) {
    case FUNCTION_JIFFIES:
        return helper0(cg, HELPER_JIFFIES64);
    case FUNCTION_USERMODE:
        return usermode(cg);
    case FUNCTION_COMM:
        return comm_call(cg, call);
    default:
        return NULL; /* ncpus became a constant in the checker */
    }
}

LLVMValueRef codegen_function(struct codegen *cg, struct ast_expr *call)
{
    switch ((enum sema_function)call->call.function) {
    case FUNCTION_KSTACK:
    case FUNCTION_USTACK:
        return codegen_stack(cg, call->type);
    case FUNCTION_STRFTIME:
        return codegen_expr(cg, argument(call, 1));
    case FUNCTION_KSYM:
    case FUNCTION_KADDR:
        return codegen_expr(cg, argument(call, 0));
    case FUNCTION_USYM:
        return user_symbol(cg, call);
    case FUNCTION_TIME:
        time_event(cg, call);
        return NULL;
    case FUNCTION_SIGNAL:
        signal_call(cg, call);
        return NULL;
    case FUNCTION_SYSTEM:
        codegen_format_event(cg, call, EVENT_SYSTEM);
        return NULL;
    case FUNCTION_CAT:
        codegen_format_event(cg, call, EVENT_CAT);
        return NULL;
    case FUNCTION_STRNCMP:
        return strncmp_call(cg, call);
    case FUNCTION_STRCONTAINS:
        return strcontains_call(cg, call);
    case FUNCTION_STRLEN:
        return strlen_call(cg, call);
    case FUNCTION_CGROUPID:
        return codegen_expr(cg, argument(call, 0)); /* resolved by the checker */
    case FUNCTION_ERRORF:
        codegen_format_event(cg, call, EVENT_ERRORF);
        return NULL;
    case FUNCTION_PATH:
        return path_call(cg, call);
    case FUNCTION_UADDR:
        return codegen_uaddr(cg, call);
    case FUNCTION_BUF:
    case FUNCTION_NTOP:
    case FUNCTION_PTON:
    case FUNCTION_MACADDR:
    case FUNCTION_JOIN:
        return codegen_buffer_function(cg, call);
    case FUNCTION_STRERROR:
    case FUNCTION_SYSCALL_NAME:
    case FUNCTION_SIGNAL_NAME:
    case FUNCTION_CGROUP_PATH:
    case FUNCTION_BSWAP:
        return codegen_number_function(cg, call);
    case FUNCTION_NSECS:
    case FUNCTION_PID:
    case FUNCTION_TID:
        return codegen_clock_function(cg, call);
    default:
        return more_functions(cg, call);
    }
}
