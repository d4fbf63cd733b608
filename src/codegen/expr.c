/* Expressions: literals, operators, variables, tuples, casts. */
#include <stdlib.h>
#include <string.h>

#include "codegen/codegen_internal.h"

static LLVMValueRef bool_to_i64(struct codegen *cg, LLVMValueRef bit)
{
    return LLVMBuildZExt(cg->builder, bit, cg->i64, "");
}

static LLVMValueRef is_true(struct codegen *cg, LLVMValueRef value)
{
    return LLVMBuildICmp(cg->builder, LLVMIntNE, value, codegen_const(cg, 0), "");
}

static LLVMValueRef string_literal(struct codegen *cg, struct ast_expr *expr)
{
    unsigned size = expr->type->size;
    LLVMValueRef slot = codegen_alloca(cg, size, "literal");
    LLVMValueRef bytes =
        LLVMConstStringInContext(cg->context, expr->string.bytes, (unsigned)expr->string.length, false);
    LLVMValueRef store = LLVMBuildStore(cg->builder, bytes, slot);
    LLVMSetAlignment(store, 1);
    return slot;
}

/* Strings are equal when their bytes agree up to and including the first NUL,
 * within the shorter capacity. A loop keeps the program small; the verifier
 * accepts it because the trip count is a constant. */
static LLVMValueRef string_equal(struct codegen *cg, LLVMValueRef left, LLVMValueRef right,
                                 unsigned length)
{
    LLVMBasicBlockRef before = LLVMGetInsertBlock(cg->builder);
    LLVMBasicBlockRef loop = codegen_block(cg, "strcmp.loop");
    LLVMBasicBlockRef next = codegen_block(cg, "strcmp.next");
    LLVMBasicBlockRef done = codegen_block(cg, "strcmp.done");
    LLVMBuildBr(cg->builder, loop);

    LLVMPositionBuilderAtEnd(cg->builder, loop);
    LLVMValueRef index = LLVMBuildPhi(cg->builder, cg->i64, "i");
    LLVMValueRef a = LLVMBuildLoad2(cg->builder, cg->i8,
                                    LLVMBuildGEP2(cg->builder, cg->i8, left, &index, 1, ""), "");
    LLVMValueRef b = LLVMBuildLoad2(cg->builder, cg->i8,
                                    LLVMBuildGEP2(cg->builder, cg->i8, right, &index, 1, ""), "");
    LLVMValueRef differ = LLVMBuildICmp(cg->builder, LLVMIntNE, a, b, "");
    LLVMValueRef at_end = LLVMBuildICmp(cg->builder, LLVMIntEQ, a, LLVMConstInt(cg->i8, 0, 0), "");
    LLVMValueRef same = LLVMBuildNot(cg->builder, differ, "");
    LLVMBuildCondBr(cg->builder, LLVMBuildOr(cg->builder, differ, at_end, ""), done, next);

    LLVMPositionBuilderAtEnd(cg->builder, next);
    LLVMValueRef following = LLVMBuildAdd(cg->builder, index, codegen_const(cg, 1), "");
    LLVMValueRef more = LLVMBuildICmp(cg->builder, LLVMIntULT, following, codegen_const(cg, length), "");
    LLVMBuildCondBr(cg->builder, more, loop, done);
    LLVMValueRef zero = codegen_const(cg, 0);
    LLVMBasicBlockRef index_from[] = {before, next};
    LLVMValueRef index_values[] = {zero, following};
    LLVMAddIncoming(index, index_values, index_from, 2);

    LLVMPositionBuilderAtEnd(cg->builder, done);
    LLVMValueRef equal = LLVMBuildPhi(cg->builder, cg->i1, "equal");
    LLVMBasicBlockRef equal_from[] = {loop, next};
    /* Leaving `loop`: equal iff the bytes agree (both NUL); leaving `next`: all bytes agreed. */
    LLVMValueRef equal_values[] = {same, LLVMConstInt(cg->i1, 1, 0)};
    LLVMAddIncoming(equal, equal_values, equal_from, 2);
    return equal;
}

/* `==` of two values of comparable types (the type checker's rules): strings
 * up to their NUL, tuples element by element, other aggregates byte by byte,
 * scalars as 64-bit integers. Scalars are values, the rest addresses. */
static LLVMValueRef values_equal(struct codegen *cg, const struct type *left_type,
                                 const struct type *right_type, LLVMValueRef left,
                                 LLVMValueRef right)
{
    if (left_type->kind == TYPE_TUPLE) {
        LLVMValueRef all = LLVMConstInt(cg->i1, 1, 0);
        for (unsigned i = 0; i < left_type->field_count; i++) {
            const struct type_field *a = &left_type->fields[i], *b = &right_type->fields[i];
            LLVMValueRef x = codegen_load(cg, a->type, codegen_offset(cg, left, a->offset));
            LLVMValueRef y = codegen_load(cg, b->type, codegen_offset(cg, right, b->offset));
            all = LLVMBuildAnd(cg->builder, all, values_equal(cg, a->type, b->type, x, y), "");
        }
        return all;
    }
    if (left_type->kind == TYPE_STRING) {
        unsigned left_size = left_type->size, right_size = right_type->size;
        return string_equal(cg, left, right, left_size < right_size ? left_size : right_size);
    }
    if (!codegen_is_scalar(left_type)) /* values.c */
        return codegen_bytes_equal(cg, left, right, left_type->size);
    return LLVMBuildICmp(cg->builder, LLVMIntEQ, left, right, "");
}

/* BPF defines x / 0 = 0 and x % 0 = x; LLVM calls both undefined, so guard. */
LLVMValueRef codegen_divide(struct codegen *cg, LLVMValueRef left, LLVMValueRef right,
                           bool is_signed, bool remainder)
{
    LLVMValueRef zero = codegen_const(cg, 0);
    LLVMValueRef by_zero = LLVMBuildICmp(cg->builder, LLVMIntEQ, right, zero, "");
    LLVMValueRef divisor = LLVMBuildSelect(cg->builder, by_zero, codegen_const(cg, 1), right, "");
    LLVMValueRef result;
    if (!is_signed) {
        result = remainder ? LLVMBuildURem(cg->builder, left, divisor, "")
                           : LLVMBuildUDiv(cg->builder, left, divisor, "");
    } else {
        /* BPF before v4 has no signed division: divide magnitudes, then fix the sign. */
        LLVMValueRef left_negative = LLVMBuildICmp(cg->builder, LLVMIntSLT, left, zero, "");
        LLVMValueRef right_negative = LLVMBuildICmp(cg->builder, LLVMIntSLT, divisor, zero, "");
        LLVMValueRef left_magnitude = LLVMBuildSelect(cg->builder, left_negative,
                                                      LLVMBuildNeg(cg->builder, left, ""), left, "");
        LLVMValueRef right_magnitude = LLVMBuildSelect(
            cg->builder, right_negative, LLVMBuildNeg(cg->builder, divisor, ""), divisor, "");
        LLVMValueRef magnitude = remainder
                                     ? LLVMBuildURem(cg->builder, left_magnitude, right_magnitude, "")
                                     : LLVMBuildUDiv(cg->builder, left_magnitude, right_magnitude, "");
        LLVMValueRef negative = remainder ? left_negative
                                          : LLVMBuildXor(cg->builder, left_negative, right_negative, "");
        result = LLVMBuildSelect(cg->builder, negative, LLVMBuildNeg(cg->builder, magnitude, ""),
                                 magnitude, "");
    }
    return LLVMBuildSelect(cg->builder, by_zero, remainder ? left : zero, result, "");
}

static LLVMIntPredicate comparison(enum ast_binary_op op, bool is_signed)
{
    switch (op) {
    case OP_EQ:
        return LLVMIntEQ;
    case OP_NE:
        return LLVMIntNE;
    case OP_LT:
        return is_signed ? LLVMIntSLT : LLVMIntULT;
    case OP_LE:
        return is_signed ? LLVMIntSLE : LLVMIntULE;
    case OP_GT:
        return is_signed ? LLVMIntSGT : LLVMIntUGT;
    default:
        return is_signed ? LLVMIntSGE : LLVMIntUGE;
    }
}

/* Comparisons are signed only when both sides are (C would convert to unsigned). */
static bool operands_signed(const struct ast_expr *expr)
{
    const struct type *left = expr->binary.left->type, *right = expr->binary.right->type;
    bool left_signed = left->kind != TYPE_INT || left->is_signed || left->size < 8;
    bool right_signed = right->kind != TYPE_INT || right->is_signed || right->size < 8;
    return left_signed && right_signed;
}

static LLVMValueRef logical(struct codegen *cg, struct ast_expr *expr)
{
    bool is_and = expr->binary.op == OP_LOGICAL_AND;
    LLVMValueRef left = is_true(cg, codegen_expr(cg, expr->binary.left));
    LLVMBasicBlockRef left_end = LLVMGetInsertBlock(cg->builder);
    LLVMBasicBlockRef right_block = codegen_block(cg, is_and ? "and.rhs" : "or.rhs");
    LLVMBasicBlockRef done = codegen_block(cg, "logical.done");
    LLVMBuildCondBr(cg->builder, left, is_and ? right_block : done, is_and ? done : right_block);
    LLVMPositionBuilderAtEnd(cg->builder, right_block);
    LLVMValueRef right = is_true(cg, codegen_expr(cg, expr->binary.right));
    LLVMBasicBlockRef right_end = LLVMGetInsertBlock(cg->builder);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    LLVMValueRef result = LLVMBuildPhi(cg->builder, cg->i1, "");
    LLVMValueRef values[] = {LLVMConstInt(cg->i1, is_and ? 0 : 1, 0), right};
    LLVMBasicBlockRef blocks[] = {left_end, right_end};
    LLVMAddIncoming(result, values, blocks, 2);
    return bool_to_i64(cg, result);
}

static LLVMValueRef binary(struct codegen *cg, struct ast_expr *expr)
{
    enum ast_binary_op op = expr->binary.op;
    if (op == OP_LOGICAL_AND || op == OP_LOGICAL_OR)
        return logical(cg, expr);
    if ((op == OP_ADD || op == OP_SUB) && (expr->binary.left->type->kind == TYPE_POINTER ||
                                           expr->binary.right->type->kind == TYPE_POINTER))
        return codegen_pointer_arithmetic(cg, expr);
    LLVMValueRef left = codegen_expr(cg, expr->binary.left);
    LLVMValueRef right = codegen_expr(cg, expr->binary.right);
    const struct type *left_type = expr->binary.left->type;
    if (left_type->kind == TYPE_ARRAY || left_type->kind == TYPE_STRING ||
        left_type->kind == TYPE_TUPLE) {
        LLVMValueRef equal = values_equal(cg, left_type, expr->binary.right->type, left, right);
        return bool_to_i64(cg, op == OP_EQ ? equal : LLVMBuildNot(cg->builder, equal, ""));
    }
    bool is_signed = expr->type->kind == TYPE_INT ? expr->type->is_signed : operands_signed(expr);
    LLVMValueRef shift = LLVMBuildAnd(cg->builder, right, codegen_const(cg, 63), "");
    switch (op) {
    case OP_ADD:
        return LLVMBuildAdd(cg->builder, left, right, "");
    case OP_SUB:
        return LLVMBuildSub(cg->builder, left, right, "");
    case OP_MUL:
        return LLVMBuildMul(cg->builder, left, right, "");
    case OP_DIV:
    case OP_MOD:
        return codegen_divide(cg, left, right, is_signed, op == OP_MOD);
    case OP_BIT_AND:
        return LLVMBuildAnd(cg->builder, left, right, "");
    case OP_BIT_OR:
        return LLVMBuildOr(cg->builder, left, right, "");
    case OP_BIT_XOR:
        return LLVMBuildXor(cg->builder, left, right, "");
    case OP_SHIFT_LEFT:
        return LLVMBuildShl(cg->builder, left, shift, "");
    case OP_SHIFT_RIGHT:
        return is_signed ? LLVMBuildAShr(cg->builder, left, shift, "")
                         : LLVMBuildLShr(cg->builder, left, shift, "");
    default:
        return bool_to_i64(cg, LLVMBuildICmp(cg->builder, comparison(op, is_signed), left, right, ""));
    }
}

/* `c ? print(a) : print(b);`: a statement, run for its arms' effects. */
static LLVMValueRef void_ternary(struct codegen *cg, struct ast_expr *expr)
{
    LLVMValueRef condition = is_true(cg, codegen_expr(cg, expr->ternary.condition));
    LLVMBasicBlockRef then_block = codegen_block(cg, "then");
    LLVMBasicBlockRef else_block = codegen_block(cg, "else");
    LLVMBasicBlockRef done = codegen_block(cg, "ternary.done");
    LLVMBuildCondBr(cg->builder, condition, then_block, else_block);
    LLVMPositionBuilderAtEnd(cg->builder, then_block);
    codegen_expr(cg, expr->ternary.then_value);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, else_block);
    codegen_expr(cg, expr->ternary.else_value);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    return codegen_const(cg, 0);
}

static LLVMValueRef ternary(struct codegen *cg, struct ast_expr *expr)
{
    if (expr->type->kind == TYPE_VOID)
        return void_ternary(cg, expr);
    bool scalar = codegen_is_scalar(expr->type);
    LLVMValueRef slot = scalar ? NULL : codegen_alloca(cg, expr->type->size, "ternary");
    LLVMValueRef condition = is_true(cg, codegen_expr(cg, expr->ternary.condition));
    LLVMBasicBlockRef then_block = codegen_block(cg, "then");
    LLVMBasicBlockRef else_block = codegen_block(cg, "else");
    LLVMBasicBlockRef done = codegen_block(cg, "ternary.done");
    LLVMBuildCondBr(cg->builder, condition, then_block, else_block);
    struct ast_expr *arms[] = {expr->ternary.then_value, expr->ternary.else_value};
    LLVMBasicBlockRef blocks[] = {then_block, else_block};
    LLVMValueRef values[2];
    for (int i = 0; i < 2; i++) {
        LLVMPositionBuilderAtEnd(cg->builder, blocks[i]);
        values[i] = codegen_expr(cg, arms[i]);
        if (!scalar)
            codegen_store(cg, expr->type, arms[i]->type, values[i], slot);
        blocks[i] = LLVMGetInsertBlock(cg->builder);
        LLVMBuildBr(cg->builder, done);
    }
    LLVMPositionBuilderAtEnd(cg->builder, done);
    if (!scalar)
        return slot;
    LLVMValueRef result = LLVMBuildPhi(cg->builder, cg->i64, "");
    LLVMAddIncoming(result, values, blocks, 2);
    return result;
}

static LLVMValueRef variable_slot(struct codegen *cg, struct sema_variable *variable)
{
    if (!variable->storage) {
        /* Integers stay on the stack so LLVM keeps them in registers and the
         * verifier can follow their values (loop counters must be bounded). */
        variable->storage = codegen_is_scalar(variable->type)
                                ? codegen_stack_variable(cg)
                                : codegen_variable_storage(cg, variable->type->size);
        vec_push(&cg->variables, variable);
    }
    return variable->storage;
}

/* `x + 1` or `x - 1`, where a pointer x moves by one element (stmt.c). */
static LLVMValueRef step(struct codegen *cg, LLVMValueRef old, const struct type *type, bool is_up)
{
    return codegen_compound_value(cg, is_up ? ASSIGN_ADD : ASSIGN_SUB, old, codegen_const(cg, 1),
                                  type);
}

static LLVMValueRef increment(struct codegen *cg, struct ast_expr *expr)
{
    struct ast_expr *operand = expr->unary.operand;
    enum ast_unary_op op = expr->unary.op;
    bool is_post = op == OP_POST_INCREMENT || op == OP_POST_DECREMENT;
    bool is_up = op == OP_PRE_INCREMENT || op == OP_POST_INCREMENT;
    LLVMValueRef slot;
    if (operand->kind == EXPR_MAP) {
        struct sema_map *map = operand->map.symbol;
        LLVMValueRef key = codegen_map_key(cg, operand);
        LLVMValueRef found = codegen_map_lookup(cg, cg->user_maps[map->index], key);
        slot = codegen_alloca_zeroed(cg, map->value->size, "counter");
        LLVMBasicBlockRef copy = codegen_block(cg, "incdec.found");
        LLVMBasicBlockRef update = codegen_block(cg, "incdec.update");
        LLVMBuildCondBr(cg->builder, LLVMBuildIsNull(cg->builder, found, ""), update, copy);
        LLVMPositionBuilderAtEnd(cg->builder, copy);
        codegen_memcpy(cg, slot, found, map->value->size);
        LLVMBuildBr(cg->builder, update);
        LLVMPositionBuilderAtEnd(cg->builder, update);
        LLVMValueRef old = codegen_load(cg, map->value, slot);
        LLVMValueRef new = step(cg, old, map->value, is_up);
        codegen_store(cg, map->value, map->value, new, slot);
        codegen_map_update(cg, cg->user_maps[map->index], key, slot);
        return is_post ? old : codegen_convert_int(cg, new, map->value);
    }
    slot = variable_slot(cg, operand->variable.symbol);
    LLVMValueRef old = codegen_load(cg, operand->type, slot);
    LLVMValueRef new = step(cg, old, operand->type, is_up);
    codegen_store(cg, operand->type, operand->type, new, slot);
    return is_post ? old : codegen_convert_int(cg, new, operand->type);
}

/* `&$x` is the variable's slot (on the stack or in scratch memory); `&p->f`
 * the field's address, computed without reading it. */
static LLVMValueRef address_of(struct codegen *cg, struct ast_expr *operand)
{
    if (operand->kind == EXPR_VARIABLE)
        return LLVMBuildPtrToInt(cg->builder, variable_slot(cg, operand->variable.symbol), cg->i64,
                                 "address");
    return codegen_memory_address(cg, operand);
}

static LLVMValueRef unary(struct codegen *cg, struct ast_expr *expr)
{
    if (expr->unary.op >= OP_PRE_INCREMENT)
        return increment(cg, expr);
    if (expr->unary.op == OP_DEREF)
        return codegen_memory_read(cg, expr);
    if (expr->unary.op == OP_ADDRESS_OF)
        return address_of(cg, expr->unary.operand);
    LLVMValueRef operand = codegen_expr(cg, expr->unary.operand);
    switch (expr->unary.op) {
    case OP_NEGATE:
        return LLVMBuildNeg(cg->builder, operand, "");
    case OP_LOGICAL_NOT:
        return bool_to_i64(cg, LLVMBuildICmp(cg->builder, LLVMIntEQ, operand, codegen_const(cg, 0), ""));
    case OP_BIT_NOT:
        return LLVMBuildNot(cg->builder, operand, "");
    default:
        return operand;
    }
}

static LLVMValueRef tuple(struct codegen *cg, struct ast_expr *expr)
{
    LLVMValueRef slot = codegen_alloca_zeroed(cg, expr->type->size, "tuple");
    for (unsigned i = 0; i < expr->type->field_count; i++) {
        struct ast_expr *element = vec_get(&expr->tuple.elements, i);
        const struct type_field *field = &expr->type->fields[i];
        codegen_store(cg, field->type, element->type, codegen_expr(cg, element),
                      codegen_offset(cg, slot, field->offset));
    }
    return slot;
}

static LLVMValueRef field(struct codegen *cg, struct ast_expr *expr)
{
    struct ast_expr *base = expr->field.base;
    if (base->kind == EXPR_IDENTIFIER && base->identifier.builtin == BUILTIN_ARGS)
        return codegen_args_field(cg, expr);
    if (codegen_memory_is_remote(expr))
        return codegen_memory_read(cg, expr);
    LLVMValueRef address = codegen_expr(cg, base);
    const struct type_field *member = NULL;
    if (base->type->kind == TYPE_TUPLE)
        member = &base->type->fields[strtoul(expr->field.name, NULL, 10)];
    else
        member = type_find_field(base->type, expr->field.name);
    return codegen_load(cg, member->type, codegen_offset(cg, address, member->offset));
}

LLVMValueRef codegen_expr(struct codegen *cg, struct ast_expr *expr)
{
    switch (expr->kind) {
    case EXPR_INTEGER:
        return codegen_const(cg, expr->integer.value);
    case EXPR_BOOL:
        return codegen_const(cg, expr->boolean.value);
    case EXPR_STRING:
        return string_literal(cg, expr);
    case EXPR_IDENTIFIER:
        return codegen_builtin(cg, expr);
    case EXPR_VARIABLE:
        return codegen_load(cg, expr->type, variable_slot(cg, expr->variable.symbol));
    case EXPR_MAP:
        return codegen_map_read(cg, expr);
    case EXPR_CALL:
        if (expr->call.subprogram)
            return codegen_subprogram_call(cg, expr);
        return codegen_call(cg, expr);
    case EXPR_UNARY:
        return unary(cg, expr);
    case EXPR_BINARY:
        return binary(cg, expr);
    case EXPR_TERNARY:
        return ternary(cg, expr);
    case EXPR_FIELD:
        return field(cg, expr);
    case EXPR_TUPLE:
        return tuple(cg, expr);
    case EXPR_INDEX:
        return codegen_memory_index(cg, expr);
    case EXPR_CAST:
        if (expr->type->kind == TYPE_STRING)
            return codegen_string_cast(cg, expr); /* memory.c */
        if (expr->type->kind == TYPE_ARRAY || expr->cast.operand->type->kind == TYPE_ARRAY)
            return codegen_int_array_cast(cg, expr);
        return codegen_convert_int(cg, codegen_expr(cg, expr->cast.operand), expr->type);
    case EXPR_BLOCK:
        return codegen_block_expr(cg, expr);
    default:
        /* The type checker rejects everything else before codegen. */
        return codegen_const(cg, 0);
    }
}

LLVMValueRef codegen_variable_slot(struct codegen *cg, struct sema_variable *variable)
{
    return variable_slot(cg, variable);
}
