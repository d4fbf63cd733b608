/* How values of each type move between SSA registers and memory.
 * Scalars (integers, bools, pointers, probe ids) are always i64 in registers,
 * extended by their signedness, so operators need no width bookkeeping;
 * strings, tuples and records are pointers to stack memory. */
#include "codegen/codegen_internal.h"

bool codegen_is_scalar(const struct type *type)
{
    switch (type->kind) {
    case TYPE_INT:
    case TYPE_BOOL:
    case TYPE_POINTER:
    case TYPE_PROBE:
    case TYPE_KSYM:
    case TYPE_USERNAME:
    case TYPE_TIMESTAMP:
    case TYPE_NUMBER_NAME:
    case TYPE_CGROUP_PATH:
    case TYPE_COUNT:
    case TYPE_SUM:
    case TYPE_MIN:
    case TYPE_MAX:
        return true;
    default:
        return false;
    }
}

static LLVMTypeRef int_of_size(struct codegen *cg, unsigned size)
{
    return LLVMIntTypeInContext(cg->context, size * 8);
}

/* Truncate an i64 to the type's width and extend it back: the value the type can hold. */
LLVMValueRef codegen_convert_int(struct codegen *cg, LLVMValueRef value, const struct type *type)
{
    if (type->kind == TYPE_BOOL)
        return LLVMBuildZExt(cg->builder,
                             LLVMBuildICmp(cg->builder, LLVMIntNE, value, codegen_const(cg, 0), ""),
                             cg->i64, "");
    if (type->kind != TYPE_INT || type->size >= 8)
        return value;
    LLVMValueRef narrow = LLVMBuildTrunc(cg->builder, value, int_of_size(cg, type->size), "");
    return type->is_signed ? LLVMBuildSExt(cg->builder, narrow, cg->i64, "")
                           : LLVMBuildZExt(cg->builder, narrow, cg->i64, "");
}

LLVMValueRef codegen_load(struct codegen *cg, const struct type *type, LLVMValueRef address)
{
    if (!codegen_is_scalar(type))
        return address;
    unsigned size = type->size ? type->size : 8;
    LLVMValueRef value = LLVMBuildLoad2(cg->builder, int_of_size(cg, size), address, "");
    LLVMSetAlignment(value, 1);
    if (size == 8)
        return value;
    return type->is_signed ? LLVMBuildSExt(cg->builder, value, cg->i64, "")
                           : LLVMBuildZExt(cg->builder, value, cg->i64, "");
}

/* Store `value` (of type `source`) into memory laid out as `destination`.
 * Strings of another capacity are cut or padded; the slot was zeroed, so a
 * cut string keeps a NUL in its last byte. */
void codegen_store(struct codegen *cg, const struct type *destination, const struct type *source,
                   LLVMValueRef value, LLVMValueRef address)
{
    if (codegen_is_scalar(destination)) {
        unsigned size = destination->size ? destination->size : 8;
        LLVMValueRef narrow = size == 8 ? value
                                        : LLVMBuildTrunc(cg->builder, value, int_of_size(cg, size), "");
        LLVMValueRef store = LLVMBuildStore(cg->builder, narrow, address);
        LLVMSetAlignment(store, 1);
        return;
    }
    if (destination->kind == TYPE_STRING && source->kind == TYPE_STRING &&
        source->size > destination->size) {
        codegen_memcpy(cg, address, value, destination->size - 1);
        LLVMBuildStore(cg->builder, LLVMConstInt(cg->i8, 0, false),
                       codegen_offset(cg, address, destination->size - 1));
        return;
    }
    if (destination->kind == TYPE_TUPLE && source->kind == TYPE_TUPLE &&
        !type_equal(destination, source)) {
        /* Same shape, other layout (merged string sizes): copy field by field. */
        for (unsigned i = 0; i < destination->field_count; i++) {
            const struct type_field *to = &destination->fields[i], *from = &source->fields[i];
            LLVMValueRef element = codegen_load(cg, from->type, codegen_offset(cg, value, from->offset));
            codegen_store(cg, to->type, from->type, element, codegen_offset(cg, address, to->offset));
        }
        return;
    }
    unsigned size = source->size < destination->size ? source->size : destination->size;
    codegen_memcpy(cg, address, value, size);
    /* Equal strings must be equal bytes (they are map keys): clear the tail. */
    if (destination->size > size)
        codegen_memset_zero(cg, codegen_offset(cg, address, size), destination->size - size, 1);
}

/* `(uint8[4])x`: the integer's low bytes in scratch memory, little-endian
 * like the machine; `(uint32)$array`: those bytes read back as one integer. */
LLVMValueRef codegen_int_array_cast(struct codegen *cg, struct ast_expr *expr)
{
    const struct type *target = expr->type, *operand = expr->cast.operand->type;
    LLVMValueRef value = codegen_expr(cg, expr->cast.operand);
    if (target->kind == TYPE_ARRAY) {
        LLVMValueRef slot = codegen_alloca_zeroed(cg, target->size, "int_array");
        LLVMValueRef narrow = LLVMBuildTrunc(cg->builder, value, int_of_size(cg, target->size), "");
        LLVMValueRef store = LLVMBuildStore(cg->builder, narrow, slot);
        LLVMSetAlignment(store, 1);
        return slot;
    }
    LLVMValueRef bytes = LLVMBuildLoad2(cg->builder, int_of_size(cg, operand->size), value, "");
    LLVMSetAlignment(bytes, 1);
    if (operand->size < 8)
        bytes = target->is_signed ? LLVMBuildSExt(cg->builder, bytes, cg->i64, "")
                                  : LLVMBuildZExt(cg->builder, bytes, cg->i64, "");
    return codegen_convert_int(cg, bytes, target);
}

/* Word by word, unrolled: arrays have a size known here, and the verifier
 * likes straight-line code. The differences are OR-ed, then tested once. */
LLVMValueRef codegen_bytes_equal(struct codegen *cg, LLVMValueRef left, LLVMValueRef right,
                                 unsigned size)
{
    LLVMValueRef differences = codegen_const(cg, 0);
    for (unsigned offset = 0; offset < size;) {
        unsigned left_over = size - offset;
        unsigned width = left_over >= 8 ? 8 : left_over >= 4 ? 4 : left_over >= 2 ? 2 : 1;
        LLVMTypeRef word = int_of_size(cg, width);
        LLVMValueRef a = LLVMBuildLoad2(cg->builder, word, codegen_offset(cg, left, offset), "");
        LLVMValueRef b = LLVMBuildLoad2(cg->builder, word, codegen_offset(cg, right, offset), "");
        LLVMSetAlignment(a, 1);
        LLVMSetAlignment(b, 1);
        LLVMValueRef differ = LLVMBuildXor(cg->builder, a, b, "");
        differences = LLVMBuildOr(cg->builder, differences,
                                  LLVMBuildZExt(cg->builder, differ, cg->i64, ""), "");
        offset += width;
    }
    return LLVMBuildICmp(cg->builder, LLVMIntEQ, differences, codegen_const(cg, 0), "");
}

/* `args` as a whole value (print(args), $a = args, @m = args): a copy in
 * scratch memory, laid out as its record type, each field read the way
 * `args.<field>` reads it (the record, the saved registers or the argument
 * slots, by the probe's context; codegen/context.c). */
LLVMValueRef codegen_args_record(struct codegen *cg, const struct type *record)
{
    LLVMValueRef slot = codegen_alloca_zeroed(cg, record->size ? record->size : 1, "args");
    for (unsigned i = 0; i < record->field_count; i++) {
        const struct type_field *member = &record->fields[i];
        struct ast_expr access = {.kind = EXPR_FIELD, .type = member->type};
        access.field.name = member->name;
        LLVMValueRef value = codegen_args_field(cg, &access);
        codegen_store(cg, member->type, member->type, value,
                      codegen_offset(cg, slot, member->offset));
    }
    return slot;
}
