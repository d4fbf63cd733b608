/* uaddr("symbol"): a constant in a program linked at fixed addresses; in a
 * PIE or shared library, the symbol's linked address moved by the load
 * bias, which is where this uprobe fired (bpf_get_func_ip: the probed
 * instruction, at entry and at return alike) minus where it was linked. */
#include "codegen/codegen_internal.h"
#include "probes/uaddr.h"

enum { HELPER_GET_FUNC_IP = 173 };

LLVMValueRef codegen_uaddr(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *name = vec_get(&call->call.args, 0);
    struct probe_user_address address;
    const char *closest = NULL, *error = NULL;
    if (!cg->instance || probes_user_address(cg->arena, cg->instance, name->string.bytes, &address,
                                             &closest, &error) != 0) {
        /* The checker resolved it a moment ago; only a binary replaced since then gets here. */
        diag_error(cg->diag, name->loc, "uaddr(): cannot resolve '%s'%s%s", name->string.bytes,
                   error ? ": " : "", error ? error : "");
        return codegen_const(cg, 0);
    }
    if (!address.relocated)
        return codegen_const(cg, address.symbol_address);
    LLVMValueRef fired_at =
        codegen_call_helper(cg, (enum bpf_helper)HELPER_GET_FUNC_IP, &cg->context_argument, 1);
    return LLVMBuildAdd(cg->builder, fired_at,
                        codegen_const(cg, address.symbol_address - address.probe_address), "");
}
