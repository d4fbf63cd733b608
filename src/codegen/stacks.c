/* kstack and ustack: bpf_get_stackid into a stack-trace map, one map per
 * frame limit (the kernel collects as many frames as a map value holds, and
 * two stacks that differ only below the limit must be the same key). User
 * space finds the map by its name, sonde_stack_<limit>, and symbolises. */
#include <string.h>

#include "codegen/codegen_internal.h"

enum {
    MAP_TYPE_STACK_TRACE = 7,
    HELPER_GET_STACKID = 27,
    STACK_USER = 1 << 8, /* BPF_F_USER_STACK */
    STACK_MAP_ENTRIES = 4096,
};

static LLVMValueRef stack_map(struct codegen *cg, unsigned limit)
{
    const char *name = arena_printf(cg->arena, "sonde_stack_%u", limit);
    return codegen_declare_extra_map(cg, name, MAP_TYPE_STACK_TRACE, STACK_MAP_ENTRIES, 4,
                                     8 * limit);
}

/* The value is {stack id (negative: none), pid}; the pid says whose
 * address space a user stack belongs to. */
LLVMValueRef codegen_stack(struct codegen *cg, const struct type *type)
{
    bool user = type->kind == TYPE_USTACK;
    LLVMValueRef args[] = {cg->context_argument, stack_map(cg, type->length),
                           codegen_const(cg, user ? STACK_USER : 0)};
    LLVMValueRef id = codegen_call_helper(cg, (enum bpf_helper)HELPER_GET_STACKID, args, 3);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 16, user ? "ustack" : "kstack");
    LLVMBuildStore(cg->builder, id, slot);
    LLVMValueRef pid_tgid = codegen_call_helper(cg, HELPER_GET_CURRENT_PID_TGID, NULL, 0);
    LLVMBuildStore(cg->builder, LLVMBuildLShr(cg->builder, pid_tgid, codegen_const(cg, 32), ""),
                   codegen_offset(cg, slot, 8));
    return slot;
}
