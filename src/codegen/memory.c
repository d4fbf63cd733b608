/* Reading through pointers: fields of kernel structs, `*p`, `p[i]`, and
 * pointer arithmetic.
 *
 * Memory a pointer names is never loaded directly: every read goes through
 * bpf_probe_read_kernel (or _user for process memory) into scratch memory,
 * so it works in every program type and a bad pointer reads zeros instead
 * of failing verification. A chain like `a->b.c->d` computes addresses as
 * far as it can and reads only what it must: the pointer `c`, then `d`. */
#include <string.h>

#include "codegen/codegen_internal.h"

/* Whether the value of `expr` lives behind a pointer (so its address can be
 * computed without reading it). Emits nothing. */
static bool is_remote(const struct ast_expr *expr)
{
    switch (expr->kind) {
    case EXPR_FIELD: {
        const struct type *base = expr->field.base->type;
        if (base->kind == TYPE_POINTER)
            return true;
        return base->kind == TYPE_RECORD && is_remote(expr->field.base);
    }
    case EXPR_UNARY:
        return expr->unary.op == OP_DEREF;
    case EXPR_INDEX: {
        const struct type *base = expr->index.base->type;
        if (base->kind == TYPE_POINTER)
            return true;
        return (base->kind == TYPE_ARRAY || base->kind == TYPE_STRING) &&
               is_remote(expr->index.base);
    }
    default:
        return false;
    }
}

static enum address_space remote_space(const struct codegen *cg, const struct ast_expr *expr);

/* The one rule for where an address points, shared with str(), buf() and
 * the like: codegen_reads_user, applied to what the address was made of.
 * A cast changes how memory is viewed, not where it is, so `(int32 *)arg0`
 * in a uprobe points into the process as arg0 does; so does `p + n`, and
 * a pointer found in the process's memory (a field of a struct read
 * through arg0). Plain numbers follow the probe: a uprobe's or syscall
 * entry's numbers are process addresses, a kprobe's are the kernel's. */
bool codegen_address_reads_user(const struct codegen *cg, const struct ast_expr *address)
{
    const struct type *type = address->type;
    if (type->space == SPACE_USER)
        return true;
    if (address->kind == EXPR_CAST)
        return codegen_address_reads_user(cg, address->cast.operand);
    if (type->kind == TYPE_POINTER && address->kind == EXPR_BINARY) {
        const struct ast_expr *left = address->binary.left;
        return codegen_address_reads_user(
            cg, left->type->kind == TYPE_POINTER ? left : address->binary.right);
    }
    if (type->kind == TYPE_POINTER && is_remote(address))
        return remote_space(cg, address) == SPACE_USER;
    return codegen_reads_user(cg, type);
}

static enum address_space pointer_space(const struct codegen *cg, const struct ast_expr *address)
{
    return codegen_address_reads_user(cg, address) ? SPACE_USER : SPACE_KERNEL;
}

/* The space a remote expression's bytes are in: that of the pointer (or
 * address) it is reached through. */
static enum address_space remote_space(const struct codegen *cg, const struct ast_expr *expr)
{
    const struct ast_expr *base = expr->kind == EXPR_FIELD   ? expr->field.base
                                  : expr->kind == EXPR_INDEX ? expr->index.base
                                                             : expr->unary.operand;
    if (expr->kind == EXPR_UNARY || base->type->kind == TYPE_POINTER)
        return pointer_space(cg, base);
    return remote_space(cg, base); /* a record or array itself behind a pointer */
}

static LLVMValueRef add_bytes(struct codegen *cg, LLVMValueRef address, LLVMValueRef bytes)
{
    return LLVMBuildAdd(cg->builder, address, bytes, "");
}

static LLVMValueRef scaled_index(struct codegen *cg, struct ast_expr *index, unsigned size)
{
    LLVMValueRef value = codegen_expr(cg, index);
    return LLVMBuildMul(cg->builder, value, codegen_const(cg, size ? size : 1), "");
}

/* The address (an i64) of a remote expression (remote_space says where). */
static LLVMValueRef remote_address(struct codegen *cg, struct ast_expr *expr)
{
    switch (expr->kind) {
    case EXPR_FIELD: {
        struct ast_expr *base = expr->field.base;
        const struct type *record = base->type;
        LLVMValueRef address;
        if (base->type->kind == TYPE_POINTER) {
            address = codegen_expr(cg, base);
            record = type_complete(base->type->element);
        } else {
            address = remote_address(cg, base);
        }
        const struct type_field *field = type_find_field(record, expr->field.name);
        return add_bytes(cg, address, codegen_const(cg, field ? field->offset : 0));
    }
    case EXPR_UNARY:
        return codegen_expr(cg, expr->unary.operand);
    default: { /* EXPR_INDEX */
        struct ast_expr *base = expr->index.base;
        unsigned element_size = expr->type->size;
        LLVMValueRef address =
            base->type->kind == TYPE_POINTER ? codegen_expr(cg, base) : remote_address(cg, base);
        return add_bytes(cg, address, scaled_index(cg, expr->index.index, element_size));
    }
    }
}

static void probe_read(struct codegen *cg, LLVMValueRef slot, unsigned size, LLVMValueRef address,
                       enum address_space space)
{
    LLVMValueRef pointer = LLVMBuildIntToPtr(cg->builder, address, cg->ptr, "");
    LLVMValueRef args[] = {slot, codegen_const(cg, size), pointer};
    codegen_call_helper(cg, space == SPACE_USER ? HELPER_PROBE_READ_USER : HELPER_PROBE_READ_KERNEL,
                        args, 3);
}

/* A value of `type` at a remote address: scalars as i64, the rest as a
 * pointer to a scratch copy (zeros when the read fails). */
static LLVMValueRef read_value(struct codegen *cg, const struct type *type, LLVMValueRef address,
                               enum address_space space)
{
    unsigned size = type->size;
    LLVMValueRef slot = codegen_alloca_zeroed(cg, size ? size : 8, "remote");
    if (size)
        probe_read(cg, slot, size, address, space);
    return codegen_load(cg, type, slot);
}

/* Bitfields: read the bytes that hold the bits, then shift and mask. */
static LLVMValueRef read_bitfield(struct codegen *cg, const struct type_field *field,
                                  LLVMValueRef address, enum address_space space)
{
    unsigned bits = field->bit_offset + field->bit_size;
    unsigned bytes = (bits + 7) / 8;
    LLVMValueRef slot = codegen_alloca_zeroed(cg, 8, "bitfield");
    probe_read(cg, slot, bytes, address, space);
    LLVMValueRef word = LLVMBuildLoad2(cg->builder, cg->i64, slot, "");
    /* Move the field to the top, then back down: the shift back extends the sign. */
    LLVMValueRef up = LLVMBuildShl(cg->builder, word, codegen_const(cg, 64 - bits), "");
    LLVMValueRef down = codegen_const(cg, 64 - field->bit_size);
    return field->type->is_signed ? LLVMBuildAShr(cg->builder, up, down, "")
                                  : LLVMBuildLShr(cg->builder, up, down, "");
}

static const struct type_field *field_of(const struct ast_expr *expr)
{
    const struct type *record = expr->field.base->type;
    if (record->kind == TYPE_POINTER)
        record = record->element;
    return type_find_field(record, expr->field.name);
}

LLVMValueRef codegen_memory_address(struct codegen *cg, struct ast_expr *expr)
{
    return remote_address(cg, expr);
}

bool codegen_memory_is_remote(const struct ast_expr *expr)
{
    return is_remote(expr);
}

LLVMValueRef codegen_memory_read(struct codegen *cg, struct ast_expr *expr)
{
    enum address_space space = remote_space(cg, expr);
    LLVMValueRef address = remote_address(cg, expr);
    if (expr->kind == EXPR_FIELD) {
        const struct type_field *field = field_of(expr);
        if (field && field->bit_size)
            return read_bitfield(cg, field, address, space);
    }
    return read_value(cg, expr->type, address, space);
}

/* `a[i]` on an array already in scratch memory (a tracepoint field, a
 * variable). The index is clamped so the verifier sees a bounded offset. */
static LLVMValueRef local_index(struct codegen *cg, struct ast_expr *expr)
{
    const struct type *array = expr->index.base->type;
    LLVMValueRef base = codegen_expr(cg, expr->index.base);
    LLVMValueRef index = codegen_expr(cg, expr->index.index);
    unsigned length = array->kind == TYPE_STRING ? array->size : array->length;
    length = length ? length : 1;
    LLVMValueRef inside =
        LLVMBuildICmp(cg->builder, LLVMIntULT, index, codegen_const(cg, length), "");
    index = LLVMBuildSelect(cg->builder, inside, index, codegen_const(cg, 0), "");
    LLVMValueRef offset = LLVMBuildMul(cg->builder, index, codegen_const(cg, expr->type->size), "");
    LLVMValueRef address = LLVMBuildGEP2(cg->builder, cg->i8, base, &offset, 1, "");
    return codegen_load(cg, expr->type, address);
}

LLVMValueRef codegen_memory_index(struct codegen *cg, struct ast_expr *expr)
{
    if (is_remote(expr))
        return codegen_memory_read(cg, expr);
    return local_index(cg, expr);
}

static unsigned element_size(const struct type *pointer)
{
    unsigned size = pointer->element ? pointer->element->size : 1;
    return size ? size : 1; /* void * moves by bytes, as in GNU C */
}

/* C's rules: p + n moves n elements; p - q counts the elements between. */
LLVMValueRef codegen_pointer_arithmetic(struct codegen *cg, struct ast_expr *expr)
{
    struct ast_expr *left = expr->binary.left, *right = expr->binary.right;
    LLVMValueRef left_value = codegen_expr(cg, left);
    LLVMValueRef right_value = codegen_expr(cg, right);
    bool left_pointer = left->type->kind == TYPE_POINTER;
    bool right_pointer = right->type->kind == TYPE_POINTER;
    if (left_pointer && right_pointer) {
        LLVMValueRef bytes = LLVMBuildSub(cg->builder, left_value, right_value, "");
        return codegen_divide(cg, bytes, codegen_const(cg, element_size(left->type)), true, false);
    }
    const struct type *pointer = left_pointer ? left->type : right->type;
    LLVMValueRef scale = codegen_const(cg, element_size(pointer));
    if (left_pointer)
        right_value = LLVMBuildMul(cg->builder, right_value, scale, "");
    else
        left_value = LLVMBuildMul(cg->builder, left_value, scale, "");
    return expr->binary.op == OP_ADD ? LLVMBuildAdd(cg->builder, left_value, right_value, "")
                                     : LLVMBuildSub(cg->builder, left_value, right_value, "");
}

/* A kernel function the program calls by name (a kfunc): an external
 * declaration in section .ksyms, with the BTF prototype libbpf matches
 * against the kernel's. Pointers to the kernel's task_struct are declared as
 * pointers to an empty struct of that name, which libbpf accepts. */
static LLVMValueRef declare_kfunc(struct codegen *cg, const char *name, LLVMTypeRef type,
                                  LLVMMetadataRef *debug_types, unsigned debug_count)
{
    LLVMValueRef function = LLVMGetNamedFunction(cg->module, name);
    if (function)
        return function;
    function = LLVMAddFunction(cg->module, name, type);
    LLVMSetLinkage(function, LLVMExternalLinkage);
    LLVMSetSection(function, ".ksyms");
    LLVMMetadataRef prototype = LLVMDIBuilderCreateSubroutineType(
        cg->debug, cg->debug_file, debug_types, debug_count, LLVMDIFlagZero);
    LLVMMetadataRef subprogram = LLVMDIBuilderCreateFunction(
        cg->debug, cg->debug_file, name, strlen(name), name, strlen(name), cg->debug_file, 0,
        prototype, false, false, 0, LLVMDIFlagPrototyped, true);
    LLVMSetSubprogram(function, subprogram);
    return function;
}

static LLVMMetadataRef task_pointer_debug_type(struct codegen *cg)
{
    LLVMMetadataRef task =
        LLVMDIBuilderCreateStructType(cg->debug, cg->debug_unit, "task_struct", 11, cg->debug_file,
                                      0, 0, 0, LLVMDIFlagZero, NULL, NULL, 0, 0, NULL, "", 0);
    return LLVMDIBuilderCreatePointerType(cg->debug, task, 64, 64, 0, NULL, 0);
}

LLVMValueRef codegen_comm_of_pid(struct codegen *cg, LLVMValueRef pid, unsigned offset)
{
    LLVMMetadataRef task = task_pointer_debug_type(cg);
    LLVMMetadataRef int_type =
        LLVMDIBuilderCreateBasicType(cg->debug, "int", 3, 32, 0x05 /* DW_ATE_signed */, 0);
    LLVMMetadataRef from_pid_types[] = {task, int_type};
    LLVMTypeRef from_pid_type = LLVMFunctionType(cg->ptr, &cg->i32, 1, false);
    LLVMValueRef from_pid =
        declare_kfunc(cg, "bpf_task_from_pid", from_pid_type, from_pid_types, 2);
    LLVMMetadataRef release_types[] = {NULL, task};
    LLVMTypeRef release_type =
        LLVMFunctionType(LLVMVoidTypeInContext(cg->context), &cg->ptr, 1, false);
    LLVMValueRef release = declare_kfunc(cg, "bpf_task_release", release_type, release_types, 2);

    LLVMValueRef slot = codegen_alloca_zeroed(cg, 16, "comm_of_pid");
    LLVMValueRef pid32 = LLVMBuildTrunc(cg->builder, pid, cg->i32, "");
    LLVMValueRef task_pointer =
        LLVMBuildCall2(cg->builder, from_pid_type, from_pid, &pid32, 1, "task");
    LLVMBasicBlockRef found = codegen_block(cg, "comm_of_pid.found");
    LLVMBasicBlockRef done = codegen_block(cg, "comm_of_pid.done");
    LLVMBuildCondBr(cg->builder, LLVMBuildIsNull(cg->builder, task_pointer, ""), done, found);
    LLVMPositionBuilderAtEnd(cg->builder, found);
    /* Read through the helper, as every other kernel read: it needs no
     * knowledge of the field's BTF type. The reference is released on the
     * only path that holds it, as the verifier requires. */
    LLVMValueRef args[] = {slot, codegen_const(cg, 16), codegen_offset(cg, task_pointer, offset)};
    codegen_call_helper(cg, HELPER_PROBE_READ_KERNEL, args, 3);
    LLVMBuildCall2(cg->builder, release_type, release, &task_pointer, 1, "");
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    return slot;
}

LLVMValueRef codegen_string_cast(struct codegen *cg, struct ast_expr *expr)
{
    const struct type *source = expr->cast.operand->type;
    LLVMValueRef value = codegen_expr(cg, expr->cast.operand);
    if (source->kind == TYPE_ARRAY) /* a char array: its bytes, cut like a string */
        source = type_string(cg->arena, source->size);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, expr->type->size, "string_cast");
    codegen_store(cg, expr->type, source, value, slot);
    return slot;
}
